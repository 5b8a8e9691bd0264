"""bprop: neural networks trained by backpropagation, written as BP1–BP4.

    import bprop as bp
    net = bp.Network([64, 30, 10])                      # sigmoid, quadratic cost, N(0, 1)
    history = bp.train(net, X, y, epochs=30, batch_size=10, optimizer=bp.SGD(lr=3.0))
    g = net.backprop(X[:10], y[:10])                    # g.weights, g.biases, g.deltas, g.cost
    bp.gradcheck(net, X[:10], y[:10]).max_error         # finite differences vs BP1–BP4
    net.save("model.bprop"); net = bp.load("model.bprop")

The packages, from the bottom up (each imports only from those below it):
core (the math), storage (files), datasets and plots, training (the loop),
teaching and estimators, then the front ends cli, playground, benchmarking.
"""

import importlib
import sys

from .core import backend as backend  # bp.backend: the array-library helpers
from .core.gradcheck import GradcheckReport, gradcheck
from .core.network import Gradients, Network
from .core.optimizers import SGD, Adam, Momentum, Nesterov, Optimizer
from .errors import BpropError, DataError, InvalidArgument, ModelFileError, TrainingDiverged, TrainingInterrupted
from .storage.modelfile import load
from .teaching.explanation import Trace, explain, explain_steps
from .training.checkpoints import Checkpointer
from .training.loop import History, TrainingState, train
from .version import __version__

__all__ = [
    "SGD",
    "Adam",
    "BpropError",
    "Checkpointer",
    "DataError",
    "GradcheckReport",
    "Gradients",
    "History",
    "InvalidArgument",
    "ModelFileError",
    "Momentum",
    "Nesterov",
    "Network",
    "Optimizer",
    "Trace",
    "TrainingDiverged",
    "TrainingInterrupted",
    "TrainingState",
    "__version__",
    "explain",
    "explain_steps",
    "gradcheck",
    "load",
    "train",
]

# Where the modules of bprop 0.1's flat layout live now. Each old name is the
# very module object of the new one (``bprop.network.Network is
# bprop.core.network.Network``), so old imports, pickles and monkeypatches keep
# working. ``bprop.train`` stays the function; ``from bprop.train import History``
# still finds the module through sys.modules.
MOVED = {
    "activations": "bprop.core.activations",
    "backend": "bprop.core.backend",
    "costs": "bprop.core.costs",
    "initializers": "bprop.core.initializers",
    "network": "bprop.core.network",
    "optimizers": "bprop.core.optimizers",
    "gradcheck": "bprop.core.gradcheck",
    "validation": "bprop.core.arguments",
    "archive": "bprop.storage.archive",
    "files": "bprop.storage.files",
    "modelfile": "bprop.storage.modelfile",
    "checkpoint": "bprop.training.checkpoints",
    "train": "bprop.training.loop",
    "distributed": "bprop.training.distributed",
    "monitors": "bprop.training.monitors",
    "diagnostics": "bprop.training.diagnostics",
    "explanation": "bprop.teaching.explanation",
    "explanation.html": "bprop.teaching.explanation.html",
    "explanation.markdown": "bprop.teaching.explanation.markdown",
    "explanation.steps": "bprop.teaching.explanation.steps",
    "explanation.terms": "bprop.teaching.explanation.terms",
    "explanation.text": "bprop.teaching.explanation.text",
    "explanation.trace": "bprop.teaching.explanation.trace",
}
for _old, _new in MOVED.items():
    sys.modules.setdefault(f"{__name__}.{_old}", importlib.import_module(_new))


def __getattr__(name):
    """bp.BPClassifier / bp.BPRegressor (scikit-learn is heavy) and the moved module names, on first use."""
    if name in ("BPClassifier", "BPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    if name in MOVED:
        return sys.modules[f"{__name__}.{name}"]
    raise AttributeError(f"module 'bprop' has no attribute {name!r}")
