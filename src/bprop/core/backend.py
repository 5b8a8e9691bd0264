"""Which library holds the arrays, and on which device.

The math of bprop (activations, costs, the network's BP1–BP4, the optimizers,
the training loop) is written once, against the Python array API standard: it
takes its functions from the arrays it is given, ``xp = namespace(z)``, and
calls ``xp.tanh``, ``xp.sum``, ``@``. So the same lines run on

    numpy              the default, on the CPU
    torch              PyTorch tensors, on the CPU or a CUDA GPU
    cupy               CuPy arrays, on a CUDA GPU
    array_api_strict   the standard's reference arrays (the tests use them to
                       prove the code uses nothing outside the standard)

NumPy arrays get NumPy itself, not ``array_api_compat``'s wrapper around it:
NumPy 2 follows the standard, and the wrapper's per-call overhead would show
at small batches. The other NumPy-only speed tricks (the forward product's
orientation, ``out=`` buffers in the optimizers, ReLU's zero row) live in
``bprop.core.fast``, behind functions named for what they compute.

A network's ``Backend`` (its library, device and dtypes) is chosen once, when
it is built: ``Network(..., device="cuda")`` takes PyTorch built with CUDA
when installed, else CuPy (PyTorch's arrays measured faster on a GPU).
"""

from __future__ import annotations

import importlib
import math

import numpy as np

from ..errors import InvalidArgument

NAMES = ("numpy", "torch", "cupy", "array_api_strict")
"""The array libraries a network can live in."""


def namespace(*arrays):
    """The array API namespace of these arrays: ``numpy`` itself for NumPy arrays."""
    for a in arrays:  # a loop, not all(...): this runs several times per batch
        if type(a) is not np.ndarray:
            break
    else:
        return np
    import array_api_compat

    xp = array_api_compat.array_namespace(*arrays)
    return np if xp.__name__ == "array_api_compat.numpy" else xp


def to_numpy(x):
    """A NumPy array with x's values, on the host (x itself when it already is one)."""
    if isinstance(x, np.ndarray):
        return x
    module = type(x).__module__.split(".")[0]
    if module == "torch":
        return x.detach().cpu().numpy()
    if module == "cupy":
        return x.get()
    return np.asarray(x)


def copy(x):
    """An independent copy of an array, in its own library and on its own device."""
    if type(x) is np.ndarray:
        return x.copy()
    return namespace(x).asarray(x, copy=True)


def total(x, axis=None, keepdims=False):
    """Σ x along ``axis`` (all elements for None), in x's library.

    For NumPy arrays this is ``np.add.reduce``: ``np.sum``'s Python wrapper
    costs about 1 µs per call more, which shows at batches of ten samples.
    """
    if type(x) is np.ndarray:
        return np.add.reduce(x, axis=axis, keepdims=keepdims)
    return namespace(x).sum(x, axis=axis, keepdims=keepdims)


def largest(x, axis=None, keepdims=False):
    """max x along ``axis``, in x's library (``np.maximum.reduce`` for NumPy, as in ``total``)."""
    if type(x) is np.ndarray:
        return np.maximum.reduce(x, axis=axis, keepdims=keepdims)
    return namespace(x).max(x, axis=axis, keepdims=keepdims)


def mean_abs(x) -> float:
    """The mean of |x| over all elements, as a Python float."""
    return float(total(namespace(x).abs(x))) / max(1, math.prod(x.shape))


def sum_of_squares(x):
    """Σ x², over all elements, as a 0-d array of x's library (a NumPy scalar for NumPy)."""
    xp = namespace(x)
    flat = xp.reshape(x, (-1,))
    return xp.vecdot(flat, flat)


def sum_of_absolute_values(x):
    """Σ |x|, over all elements, as a 0-d array of x's library (a NumPy scalar for NumPy)."""
    return total(namespace(x).abs(x))


class Backend:
    """An array library and a device: where a network's parameters and batches live.

    ``name`` is one of NAMES; ``device`` is 'cpu', 'cuda' or 'cuda:N'; ``xp``
    is the array API namespace. ``asarray`` brings any array (NumPy, another
    library's, a nested list) here.
    """

    def __init__(self, name, device, xp, library_device):
        self.name, self.device, self.xp, self._device = name, device, xp, library_device

    @property
    def is_numpy(self) -> bool:
        return self.name == "numpy"

    def owns(self, x) -> bool:
        """True when x is an array of this library (on any device)."""
        return _belongs(x, self.name)

    def dtype(self, dtype):
        """The library's dtype for a NumPy float dtype (np.float32 → xp.float32)."""
        return getattr(self.xp, np.dtype(dtype).name)

    def asarray(self, x, dtype=None):
        """An independent C-ordered copy of x in this library, on this device.

        dtype : a NumPy dtype (np.float32, np.int64) or None to keep x's.
        """
        if self.is_numpy:
            return np.array(to_numpy(x), dtype=dtype, order="C", copy=True)
        if not _belongs(x, self.name):
            x = to_numpy(x)
            if dtype is None:
                dtype = x.dtype
        xp = self.xp
        return xp.asarray(x, dtype=None if dtype is None else self.dtype(dtype), device=self._device, copy=True)

    def __eq__(self, other):
        return isinstance(other, Backend) and (self.name, self.device) == (other.name, other.device)

    def __hash__(self):
        return hash((self.name, self.device))

    def __reduce__(self):
        """Pickles as its name and device (a module cannot be pickled)."""
        return (backend_for, (self.name, self.device))

    def __repr__(self):
        return f"Backend({self.name!r}, device={self.device!r})"


def backend_for(backend=None, device="cpu") -> Backend:
    """The Backend for a library name (or None: the default for the device) and a device.

    device 'cpu' defaults to NumPy; 'cuda' (or 'cuda:N') to PyTorch built
    with CUDA when it sees the GPU, else CuPy. Raises
    InvalidArgument with the fix when the pair cannot work here.
    """
    device = _checked_device(device)
    if backend is None:
        backend = "numpy" if device == "cpu" else _default_gpu_library(device)
    if backend not in NAMES:
        raise InvalidArgument(
            f"backend must be one of {', '.join(map(repr, NAMES))} (or None for the device's default), got {backend!r}."
        )
    if backend == "numpy":
        if device != "cpu":
            raise InvalidArgument(
                f"NumPy arrays live on the CPU; for device={device!r} use backend='torch' or "
                "'cupy' (or leave backend out)."
            )
        return Backend("numpy", "cpu", np, "cpu")
    xp = _namespace_module(backend)
    if backend == "torch":
        import torch

        if device != "cpu" and not torch.cuda.is_available():
            raise _no_gpu(device, "PyTorch here sees no CUDA GPU (torch.cuda.is_available() is False)")
        return Backend("torch", device, xp, torch.device(device))
    if backend == "cupy":
        if device == "cpu":
            raise InvalidArgument("CuPy arrays live on a GPU; use device='cuda', or backend='numpy' for the CPU.")
        import cupy

        return Backend("cupy", device, xp, cupy.cuda.Device(_gpu_index(device)))
    if device != "cpu":
        raise InvalidArgument(f"array_api_strict arrays live on the CPU; device={device!r} is not available to it.")
    return Backend("array_api_strict", "cpu", xp, None)


def backend_of(array) -> Backend:
    """The Backend an existing array belongs to (its library and device)."""
    if isinstance(array, np.ndarray):
        return backend_for("numpy", "cpu")
    name = type(array).__module__.split(".")[0]
    if name not in NAMES:
        raise InvalidArgument(
            f"arrays of type {type(array).__name__} are not supported; use NumPy, PyTorch, CuPy "
            "or array_api_strict arrays."
        )
    if name == "torch":
        device = "cpu" if array.device.type == "cpu" else f"cuda:{array.device.index or 0}"
    elif name == "cupy":
        device = f"cuda:{array.device.id}"
    else:
        device = "cpu"
    return backend_for(name, device)


def _belongs(x, name) -> bool:
    return type(x).__module__.split(".")[0] == name


def _namespace_module(name):
    if name == "array_api_strict":
        return _imported("array_api_strict", "pip install array-api-strict")
    _imported(name, {"torch": "pip install torch", "cupy": "pip install cupy-cuda12x (match your CUDA)"}[name])
    return importlib.import_module(f"array_api_compat.{name}")


def _imported(module, fix):
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise InvalidArgument(
            f"the {module} backend needs {module}, which is not installed here ({error}); {fix}."
        ) from None


def _checked_device(device) -> str:
    if device == "cpu" or device == "cuda":
        return device
    if isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit():
        return device
    raise InvalidArgument(f"device must be 'cpu', 'cuda' or 'cuda:N' (N a GPU number such as 0), got {device!r}.")


def _gpu_index(device) -> int:
    return int(device[5:]) if device.startswith("cuda:") else 0


def _default_gpu_library(device) -> str:
    """PyTorch with CUDA when it sees the GPU, else CuPy, else a clear error.

    PyTorch first because it is the faster of the two here: on an H200,
    [784, 1024, 1024, 10] at batch 1024 trained at 1.04× PyTorch's own
    throughput on PyTorch arrays and 0.56× on CuPy's (benchmarks/gpu-h200).
    """
    reasons = []
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.device_count() > _gpu_index(device):
            return "torch"
        reasons.append("PyTorch sees no CUDA GPU")
    except ImportError:
        reasons.append("PyTorch is not installed")
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > _gpu_index(device):
            return "cupy"
        reasons.append("CuPy sees no such GPU")
    except ImportError:
        reasons.append("CuPy is not installed")
    except Exception as error:  # CuPy raises its own CUDA errors when no driver is present
        reasons.append(f"CuPy cannot reach a GPU ({type(error).__name__})")
    raise _no_gpu(device, "; ".join(reasons))


def _no_gpu(device, why) -> InvalidArgument:
    return InvalidArgument(
        f"device={device!r} needs a CUDA GPU, and none is usable here: {why}. "
        "Train with device='cpu' (the default), or on a machine with an NVIDIA GPU and "
        "CuPy or a CUDA build of PyTorch installed."
    )
