"""bprop: neural networks trained by backpropagation, written as BP1–BP4.

    import bprop as bp
    net = bp.Network([64, 30, 10])                      # sigmoid, quadratic cost, N(0, 1)
    history = bp.train(net, X, y, epochs=30, batch_size=10, optimizer=bp.SGD(lr=3.0))
    g = net.backprop(X[:10], y[:10])                    # g.weights, g.biases, g.deltas, g.cost
    bp.gradcheck(net, X[:10], y[:10]).max_error         # finite differences vs BP1–BP4
    net.save("model.bprop"); net = bp.load("model.bprop")
"""

from . import backend
from .checkpoint import Checkpointer
from .errors import BpropError, DataError, InvalidArgument, ModelFileError, TrainingDiverged, TrainingInterrupted
from .explanation import Trace, explain, explain_steps
from .gradcheck import GradcheckReport, gradcheck
from .modelfile import load
from .network import Gradients, Network
from .optimizers import SGD, Adam, Momentum, Nesterov, Optimizer
from .train import History, TrainingState, train

__version__ = "0.1.0"

__all__ = [
    "Network", "Gradients", "train", "History", "TrainingState",
    "SGD", "Momentum", "Nesterov", "Adam", "Optimizer",
    "gradcheck", "GradcheckReport", "load", "explain", "explain_steps", "Trace",
    "Checkpointer",
    "BpropError", "InvalidArgument", "DataError", "ModelFileError", "TrainingDiverged", "TrainingInterrupted",
]


def __getattr__(name):
    """bp.BPClassifier / bp.BPRegressor, imported on first use (scikit-learn is heavy)."""
    if name in ("BPClassifier", "BPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'bprop' has no attribute {name!r}")
