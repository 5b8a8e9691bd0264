"""NumPy's fast paths: the speed tricks that would otherwise sit inside the equations.

Each trick sits beside the measurement that justifies it.

The equations (network, activations, optimizers) call these functions by what
they compute, z = rows_times_transposed(a, w) for Z = A Wᵀ, so that each line
reads as its equation. Each function has two branches: NumPy arrays take the
measured fast path; every other library (PyTorch, CuPy, array_api_strict)
takes the plain array API standard line, which is also the definition.

Most fast paths write into a work array (``work``, ``out``) through NumPy's
``out=``, which the standard lacks: a training step then allocates nothing
for its temporaries. ``work`` is an array shaped like the result for NumPy,
and None for the other libraries, whose operations return new arrays (so a
GPU network holds no idle copies). Its contents on entry do not matter.

``scale_and_add`` updates its first argument in place on every library; only
its temporary lives in ``work``.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .backend import namespace

# -- BLAS threads ------------------------------------------------------------------

SINGLE_THREAD_PRODUCTS = 1 << 20
"""A NumPy step whose largest product has fewer multiply-adds than this runs its BLAS on one thread.

OpenBLAS itself keeps a product below 262,144 multiply-adds on one thread
(its SMP threshold); between that and this, a second thread's wake-up costs
about as much as it saves, and made digits-sized steps spiky on the 2-core
machine. Measured here: entering threadpoolctl's ``threadpool_limits`` costs
~420 µs (it looks up every library), a cached controller's two
``set_num_threads`` calls ~5 µs, so the limit is set once per ``train`` call.
"""

_BLAS_CONTROLLERS = []  # threadpoolctl's controllers of NumPy's BLAS (all BLAS if none is NumPy's), found on first use


def blas_single_threaded(sizes, batch_size):
    """A context in which a small network's products run on one BLAS thread (a no-op for larger ones).

    sizes : the network's layer widths; batch_size : rows per step. On exit
    each BLAS library gets back the thread count it had on entry (the user's).
    """
    largest = batch_size * max(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if largest >= SINGLE_THREAD_PRODUCTS:
        return contextlib.nullcontext()
    return _OneBlasThread()


class _OneBlasThread:
    def __enter__(self):
        if not _BLAS_CONTROLLERS:
            from threadpoolctl import ThreadpoolController  # not at import: finding the libraries takes ms

            found = ThreadpoolController().select(user_api="blas").lib_controllers
            _BLAS_CONTROLLERS.extend([blas for blas in found if "numpy" in blas.filepath] or found)  # NumPy's own
        self.before = [blas.num_threads for blas in _BLAS_CONTROLLERS]
        for blas in _BLAS_CONTROLLERS:
            blas.set_num_threads(1)
        return self

    def __exit__(self, *exception):
        for blas, threads in zip(_BLAS_CONTROLLERS, self.before):
            blas.set_num_threads(threads)
        return False


# -- the forward pass -----------------------------------------------------------

SMALL_BATCH = 256
"""NumPy batches with fewer rows than this compute A Wᵀ as (W Aᵀ)ᵀ."""


def rows_times_transposed(A, W):
    """A Wᵀ: A (m, n), W (k, n) → (m, k). The forward pass's Z = A Wᵀ.

    For a few rows OpenBLAS runs A·Wᵀ ~40% slower than the same product as
    (W·Aᵀ)ᵀ (measured: 121 vs 83 µs at 32×784·784×256), so NumPy batches of
    fewer than SMALL_BATCH rows use that.
    """
    if type(A) is np.ndarray and A.shape[0] < SMALL_BATCH:
        return (W @ A.T).T
    return A @ W.T


def rows_times(D, W, like):
    """D W: D (m, k), W (k, n) → (m, n), laid out as ``like``. BP2's Δ^{l+1} W^{l+1}.

    like : the (m, n) array the result is multiplied by next (Z^l, whose σ′
        follows, or the dropout mask that comes first). Below SMALL_BATCH rows
        the forward pass leaves Z laid out transposed (``rows_times_transposed``);
        NumPy then takes this product as (Wᵀ Dᵀ)ᵀ, so that Δ ⊙ σ′(Z) multiplies
        two arrays of one layout: 2.8 µs against 33.8 µs at 128 × 256 float32
        when the layouts differ (benchmarks/orientation.md, made by
        benchmarks/orientation.py). The product itself is about as fast either
        way: faster flipped for the wide layers, up to 2 µs slower from a
        10-wide output layer. With a dropout mask Δ takes the mask's (row)
        layout, so that neither multiply gets slower than before.
    """
    if type(D) is np.ndarray and _laid_out_transposed(like):
        return (W.T @ D.T).T
    return D @ W


def _laid_out_transposed(x) -> bool:
    """Whether a NumPy matrix is stored column by column (as (W Aᵀ)ᵀ leaves it), not row by row."""
    return type(x) is np.ndarray and x.flags.f_contiguous and not x.flags.c_contiguous


_ZERO_ROWS = {}  # (width, dtype) → a read-only NumPy row of zeros, for positive_part; one per layer width


def positive_part(z):
    """max(0, z) elementwise, the ReLU: z (m, n) → (m, n).

    Against a row of zeros NumPy's maximum runs its vector loop; against the
    scalar 0 it is about 2× slower (measured at 32 and 1024 rows). So NumPy
    compares with a cached zero row of z's width and dtype.
    """
    if type(z) is np.ndarray:
        key = (z.shape[-1], z.dtype)
        zeros = _ZERO_ROWS.get(key)
        if zeros is None:
            zeros = _ZERO_ROWS[key] = np.zeros(z.shape[-1], dtype=z.dtype)
            zeros.flags.writeable = False
        return np.maximum(z, zeros)
    xp = namespace(z)
    return xp.maximum(z, xp.zeros(z.shape[-1], dtype=z.dtype, device=z.device))


def tanh_in_place(x):
    """tanh x elementwise; NumPy overwrites x, so pass a temporary. (m, n) → (m, n)."""
    if type(x) is np.ndarray:
        return np.tanh(x, out=x)
    return namespace(x).tanh(x)


def exp_in_place(x):
    """eˣ elementwise; NumPy overwrites x, so pass a temporary. (m, n) → (m, n)."""
    if type(x) is np.ndarray:
        return np.exp(x, out=x)
    return namespace(x).exp(x)


def all_finite(X) -> bool:
    """Whether every entry of a NumPy matrix X (m, n) is finite: no NaN, no ±inf.

    The row sums X·1 are finite only if every entry is (IEEE arithmetic: NaN
    and ±inf survive × 1 and +, and inf − inf is NaN), and BLAS finds them
    faster than ``np.isfinite(X).all()`` (measured on Fashion-MNIST's 60,000 ×
    784 float32 inputs, which ``as_inputs`` checks once per ``train`` call and
    once per ``backprop`` or ``feedforward`` call: 4.8 vs 19 ms on a quiet
    machine, 15.6 vs 22.2 ms on a loaded one). A row sum that overflows though
    its entries are finite sends the answer to that exact check.
    """
    if X.ndim == 2 and X.shape[1] > 0 and X.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            row_sums = X @ np.ones(X.shape[1], dtype=X.dtype)
        if np.isfinite(row_sums).all():
            return True
    return bool(np.isfinite(X).all())


def count_equal(x, y) -> int:
    """How many entries of x equal y's: x, y (m,) → an int."""
    if type(x) is np.ndarray:
        return np.count_nonzero(x == y)  # already an int: no 0-d array to convert
    return int(namespace(x).count_nonzero(x == y))


def argmax_rows(A):
    """The column of each row's largest entry: A (m, n) → integers (m,)."""
    if type(A) is np.ndarray:
        return A.argmax(axis=1)  # the method: np.argmax's wrapper costs a µs per batch
    return namespace(A).argmax(A, axis=1)


# -- the optimizers' updates ----------------------------------------------------
#
# Measured at batch 32 on Fashion-MNIST-sized data, the update's temporaries
# cost a few percent of a training step; these write them into ``work``.


def scaled(x, a, work):
    """a · x for a number a (in ``work`` for NumPy)."""
    return np.multiply(x, a, out=work) if type(work) is np.ndarray else x * a


def square(x, work):
    """x² elementwise (in ``work`` for NumPy)."""
    return np.multiply(x, x, out=work) if type(work) is np.ndarray else x * x


def divided_by_root(m, v, eps, work):
    """m / (√v + ε) elementwise, for a number ε (in ``work`` for NumPy)."""
    if type(work) is np.ndarray:
        root = np.sqrt(v, out=work)
        root += eps
        return np.divide(m, root, out=work)
    root = namespace(v).sqrt(v)
    root += eps
    return m / root


def scale_and_add(y, a, x, b, work):
    """y ← a·y + b·x in place, for numbers a and b; returns y.

    x may be ``work`` itself (holding, say, g² from ``square``).
    """
    y *= a
    y += np.multiply(x, b, out=work) if type(work) is np.ndarray else x * b  # b·x
    return y


def scaled_minus(x, a, y, work):
    """a · x − y, for a number a (in ``work`` for NumPy)."""
    difference = np.multiply(x, a, out=work) if type(work) is np.ndarray else x * a  # a·x
    difference -= y
    return difference
