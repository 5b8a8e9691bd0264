"""A saved model as the commands that use it need it: the network, its metadata,
the preprocessing fitted at training time and its class names.

A model file written by ``bprop train`` carries the preprocessing, the class
names and the data set it was trained on, so ``bprop evaluate``, ``predict``
and ``gradcheck --model`` apply exactly what training applied.

The metadata arrives checked: ``modelfile.load_trained`` holds every key bprop reads
to ``bprop.storage.schema.MODEL_METADATA`` and its relations with the network
(one class name per output, image_shape's pixels one per input).
"""

from __future__ import annotations

from ..errors import InvalidArgument, ModelFileError
from ..storage import modelfile


def model_and_preprocessor(model_path):
    """(net, metadata dict, ``datasets.Preprocessor`` or None) of a .bprop file."""
    from .. import datasets  # when a command runs: bprop --help stays quick

    net = modelfile.load_trained(model_path)
    meta = getattr(net, "metadata", {}) or {}
    pre = meta.get("preprocessing")
    try:
        preprocessor = datasets.Preprocessor.from_dict(pre) if pre else None
    except InvalidArgument as e:
        raise ModelFileError(
            f"{model_path}: metadata.preprocessing cannot be used ({str(e).rstrip('.')}). "
            "Save the model again with bprop, or restore the file from a copy."
        ) from None
    return net, meta, preprocessor


def class_names(net, meta):
    """The class names stored with the model, else '0', '1', … (at least two)."""
    names = meta.get("class_names")
    return list(names) if names else [str(k) for k in range(max(net.sizes[-1], 2))]
