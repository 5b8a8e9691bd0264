"""A network's parameters: their shapes, their count, and the lists that hold them.

For layer widths ``sizes`` = [n_1, …, n_L], layer l = 2 … L has a weight
matrix w^l of shape (n_l, n_{l−1}) and a bias vector b^l of shape (n_l,), so
n_{l−1} n_l + n_l parameters.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument
from .arguments import positive_int

# A network larger than this many parameters is refused at construction: it
# would not fit in the memory of the machines bprop is meant for.
MAX_PARAMETERS = 2_000_000_000


def parameter_count(sizes) -> int:
    """Σ_l (n_{l−1} n_l + n_l): the weights and biases of layers l = 2 … L."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def weight_shapes(sizes) -> list:
    """[(n_l, n_{l−1}) for l = 2 … L], the shapes of w^l."""
    return [(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def bias_shapes(sizes) -> list:
    """[(n_l,) for l = 2 … L], the shapes of b^l."""
    return [(n,) for n in sizes[1:]]


def checked_sizes(sizes) -> list:
    """``sizes`` as a list of at least two positive ints, with at most MAX_PARAMETERS parameters."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise InvalidArgument(f"sizes must be a list of layer widths such as [64, 30, 10], got {sizes!r}.")
    if len(sizes) < 2:
        raise InvalidArgument(
            f"sizes={sizes!r} has {len(sizes)} layer(s); a network needs at least 2 "
            "(an input and an output layer), e.g. [64, 30, 10]."
        )
    sizes = [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
    count = parameter_count(sizes)
    if count > MAX_PARAMETERS:
        raise InvalidArgument(
            f"sizes={sizes} would have {count:,} parameters, more than the {MAX_PARAMETERS:,} bprop accepts; use narrower layers."
        )
    return sizes


class ParameterList(list):
    """The list of a network's weight (or bias) arrays.

    Assigning ``net.weights[i] = w`` checks the shape and converts to the
    network's dtype, so a wrong array fails here with a clear message instead
    of deep inside a matrix product later.
    """

    def __init__(self, arrays, shapes, dtype, what, backend):
        super().__init__()
        self._shapes, self._dtype, self._what, self._backend = shapes, dtype, what, backend
        if len(arrays) != len(shapes):
            raise InvalidArgument(
                f"{what} needs {len(shapes)} arrays (one per layer l = 2 … {len(shapes) + 1}), got {len(arrays)}."
            )
        for i, array in enumerate(arrays):
            super().append(self._checked(i, array))

    def _checked(self, i, array):
        if not hasattr(array, "shape"):
            array = np.asarray(array)
        if tuple(array.shape) != self._shapes[i]:
            raise InvalidArgument(
                f"{self._what}[{i}] (layer l = {i + 2}) must have shape {self._shapes[i]}, got {tuple(array.shape)}."
            )
        return self._backend.asarray(array, self._dtype)

    def __setitem__(self, i, array):
        if isinstance(i, slice):
            raise InvalidArgument(f"assign {self._what} one layer at a time, or the whole list at once.")
        super().__setitem__(i, self._checked(range(len(self))[i], array))

    def append(self, _):
        raise InvalidArgument(f"the number of layers is fixed; build a new Network to change {self._what}.")

    def __reduce__(self):
        """Pickle and deepcopy rebuild the list through __init__, with its checks."""
        return (ParameterList, (list(self), self._shapes, self._dtype, self._what, self._backend))

    extend = insert = append
