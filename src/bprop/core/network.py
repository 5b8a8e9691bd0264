"""The network of the derivation: feedforward, and backprop as BP1–BP4.

Notation (layers l = 1 … L, layer 1 is the input; one sample):

    z^l = w^l a^{l−1} + b^l          weighted input      net.weights[l-2] is w^l, (n_l, n_{l−1})
    a^l = σ(z^l)                     activation          net.biases[l-2] is b^l,  (n_l,)
    δ^l = ∂C/∂z^l                    error

    BP1  δ^L = ∇_a C ⊙ σ′(z^L)
    BP2  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)
    BP3  ∂C/∂w^l_jk = a^{l−1}_k δ^l_j
    BP4  ∂C/∂b^l_j = δ^l_j

Each hidden layer may have its own σ (``activation=["relu", "tanh"]``): σ
and σ′ in the lines above are then layer l's own, nothing else changes.

Regularization and dropout add one term each (derived in their docstrings):

    L2       C = C₀ + (λ/2n) Σ w²    →  BP3 gains + (λ/n) w
    L1       C = C₀ + (λ₁/n) Σ |w|   →  BP3 gains + (λ₁/n) sgn(w)   (sgn(0) = 0)
    dropout  ã^l = a^l ⊙ m^l/(1−p)   →  BP2 gains ⊙ m^l/(1−p)        (``bprop.core.dropout``)

Row form, for a mini-batch. The derivation stacks one sample as a column; NumPy
stacks m samples as the rows of a matrix: X is (m, n_1), and row i of Z^l, A^l,
Δ^l is z^l, a^l, δ^l of sample i. Transposing each column equation gives

    Z^l = A^{l−1} (W^l)ᵀ + b^l                 (z^l = w^l a^{l−1} + b^l, per row)
    BP1  Δ^L = ∇_A C ⊙ σ′(Z^L)
    BP2  Δ^l = (Δ^{l+1} W^{l+1}) ⊙ σ′(Z^l)     (row of Δ^{l+1} W^{l+1} = ((w^{l+1})ᵀ δ^{l+1})ᵀ)
    BP3  ∂C/∂W^l = (Δ^l)ᵀ A^{l−1} / m          (Σ_i δ^l_i (a^{l−1}_i)ᵀ / m: the mean over samples)
    BP4  ∂C/∂b^l = Σ_i δ^l_i / m               (column mean of Δ^l)

The batch cost is the mean of the per-sample costs, so a batch of one sample
gives exactly the derivation's numbers, and three matrix products per layer
(forward, BP2, BP3) do all the heavy work.

The arrays may be NumPy's (the default), PyTorch's or CuPy's, on the CPU or a
GPU (``Network(..., device="cuda")``): the lines below use only the Python
array API standard, through ``xp``, the namespace of the network's arrays
(see ``bprop.core.backend``), and functions of ``bprop.core.fast`` named for what
they compute, which hold NumPy's measured fast paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument
from . import activations, costs, initializers
from .arguments import as_inputs, as_targets, dtype_of, name_of, non_negative_float, positive_int, resolve
from .backend import backend_for, namespace, sum_of_absolute_values, sum_of_squares, to_numpy, total
from .dropout import check_masks
from .fast import argmax_rows, rows_times, rows_times_transposed
from .parameters import MAX_PARAMETERS as MAX_PARAMETERS  # re-exported: bprop.core.network.MAX_PARAMETERS
from .parameters import ParameterList, bias_shapes, checked_sizes, parameter_count, weight_shapes


@dataclass
class Gradients:
    """Everything one backward pass computes, for a batch of m samples.

    Index i = l − 2 for layer l = 2 … L (the input layer has no parameters).

    weights[i]      ∂C/∂w^l, (n_l, n_{l−1}), batch mean        BP3
    biases[i]       ∂C/∂b^l, (n_l,), batch mean                  BP4
    deltas[i]       δ^l of each sample, (m, n_l)                 BP1 (last), BP2
    cost            C, the batch-mean cost (with the L2 and L1 terms when l2, l1 > 0)
    zs[i]           z^l of each sample, (m, n_l)
    activations[k]  a^{k+1} of each sample, (m, n_{k+1}); activations[0] is the input.
                    With dropout, a hidden layer's entry is ã^l = a^l ⊙ m^l/(1−p),
                    what the next layer saw (and BP3 uses)
    masks           the dropout masks m^l/(1−p) the pass used (``bprop.core.dropout``),
                    one per hidden layer (None for p = 0); None without dropout
    """

    weights: list
    biases: list
    deltas: list
    cost: float
    zs: list
    activations: list
    masks: list | None = None


class Network:
    """A feed-forward network trained by backpropagation.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first: ``[784, 100, 10]`` is n_1, n_2, n_3.
    activation : str or object, or a list of them
        σ of the hidden layers: 'sigmoid' (default, as in the derivation),
        'tanh', 'relu', 'leaky_relu', 'identity', or an object with
        ``value(z)`` and ``derivative(z, a)`` (see ``bprop.core.activations``).
        One σ means every hidden layer; a list gives one per hidden layer,
        l = 2 … L−1 (``["relu", "tanh"]`` for sizes [n_1, n_2, n_3, n_4]).
        ``net.hidden_activations`` holds the σ of each hidden layer;
        ``net.activation`` is the one σ they share, or the list when they differ.
    output : str or object, optional
        σ of the output layer L; defaults to ``activation`` (with a list, to
        its last entry). 'softmax' is accepted here only.
    cost : str or object
        'quadratic' (default, C = ½Σ(y − a)²), 'cross_entropy' (sigmoid
        outputs), 'log_likelihood' (softmax outputs), or an object with
        ``value(a, y)`` and ``gradient(a, y)``.
    init : str or object
        'normal' (default, N(0, 1) as in the derivation), 'scaled_normal',
        'xavier', 'he', or an object with ``initial(n_out, n_in, rng)``.
    seed : int, numpy.random.Generator or None
        The source of the initial weights.
    dtype : 'float32' (default, for training) or 'float64' (for checks).
    device : 'cpu' (default) or 'cuda' / 'cuda:N': where the parameters, and
        the batches during training, live.
    backend : the array library: None (NumPy on the CPU; on 'cuda', CuPy if
        installed, else PyTorch), or 'numpy', 'torch', 'cupy', 'array_api_strict'.
        Data passed in (NumPy arrays, lists, tensors) is moved there; inputs
        already of that library (``feedforward``, ``predict``) are checked
        where they are; results (``feedforward``, ``backprop``) are arrays of
        that library.

    The methods whose names end in ``_placed``, with ``forward``, ``place``,
    ``batch_cost`` and ``converted``, are the internal API that the training
    loop, MPI training, diagnostics, gradcheck and the playground share: they
    take arrays already checked and placed in the network's library and
    device (``place``), and skip the checks of the public methods.
    """

    def __init__(
        self,
        sizes,
        activation="sigmoid",
        output=None,
        cost="quadratic",
        init="normal",
        seed=None,
        dtype="float32",
        device="cpu",
        backend=None,
    ):
        self.sizes = checked_sizes(sizes)
        self.dtype = dtype_of(dtype)
        self.backend = backend_for(backend, device)
        self.hidden_activations = _hidden_activations(activation, len(self.sizes) - 2)
        shared = _shared(self.hidden_activations)
        self.activation = self.hidden_activations if shared is None else shared
        self.output = resolve(
            self.hidden_activations[-1] if output is None else output,  # the last hidden σ (the only one, if shared)
            parameter="output",
            builtin=activations.BUILTIN,
            methods=("value",),
        )
        self.cost = resolve(cost, parameter="cost", builtin=costs.BUILTIN, methods=("value", "gradient"))
        self.init = resolve(init, parameter="init", builtin=initializers.BUILTIN, methods=("initial",))
        costs.check_pairing(self.output, self.cost)
        activations.check_output(self.output, self.sizes[-1])
        self._shortcut = costs.uses_shortcut(self.output, self.cost)

        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        initial = [self.init.initial(n_out, n_in, rng) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.weights = [w for w, _ in initial]
        self.biases = [b for _, b in initial]

    # -- parameters ---------------------------------------------------------

    @property
    def weights(self):
        """w^l for l = 2 … L: ``weights[l-2][j, k]`` is w^l_jk, shape (n_l, n_{l−1})."""
        return self._weights

    @weights.setter
    def weights(self, arrays):
        self._weights = ParameterList(list(arrays), weight_shapes(self.sizes), self.dtype, "weights", self.backend)

    @property
    def biases(self):
        """b^l for l = 2 … L: ``biases[l-2][j]`` is b^l_j, shape (n_l,)."""
        return self._biases

    @biases.setter
    def biases(self, arrays):
        self._biases = ParameterList(list(arrays), bias_shapes(self.sizes), self.dtype, "biases", self.backend)

    @property
    def num_layers(self) -> int:
        """L, counting the input layer."""
        return len(self.sizes)

    @property
    def num_parameters(self) -> int:
        """Σ_l (n_{l−1} n_l + n_l), the weights and biases together."""
        return parameter_count(self.sizes)

    @property
    def is_classifier(self) -> bool:
        """True when the outputs are read as classes (sigmoid/softmax outputs or a classification cost)."""
        names = {getattr(self.output, "name", None), getattr(self.cost, "name", None)}
        return bool(names & {"sigmoid", "softmax", "cross_entropy", "log_likelihood"})

    @property
    def uniform_activation(self) -> bool:
        """True when every hidden layer has the same σ (``net.activation`` is that σ, not a list)."""
        return not isinstance(self.activation, list)

    @property
    def activation_name(self) -> str:
        """The hidden σ by name: 'relu', or one name per hidden layer joined by commas ('relu,tanh')."""
        if self.uniform_activation:
            return name_of(self.activation)
        return ",".join(name_of(sigma) for sigma in self.hidden_activations)

    @property
    def device(self) -> str:
        """Where the parameters live: 'cpu', 'cuda' or 'cuda:N'."""
        return self.backend.device

    def copy(self, dtype=None) -> Network:
        """An independent copy, optionally in another dtype (float64 for checks)."""
        return self.converted(self.dtype if dtype is None else dtype_of(dtype))

    def to(self, device="cpu", backend=None) -> Network:
        """An independent copy on another device or array library (same dtype).

        ``net.to("cuda")`` moves a network to the GPU, ``net.to("cpu")``
        brings it back as NumPy arrays; backend as in the constructor.
        """
        return self.converted(self.dtype, backend_for(backend, device))

    def converted(self, dtype, backend=None) -> Network:
        """A copy in any floating dtype (gradcheck uses np.longdouble) and backend."""
        twin = object.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.sizes = list(self.sizes)
        twin.dtype = dtype
        twin.backend = self.backend if backend is None else backend
        twin.weights = list(self.weights)  # ParameterList copies, converting dtype and library
        twin.biases = list(self.biases)
        return twin

    def save(self, path, *, metadata=None):
        """Write this network to a model file (see ``bprop.storage.modelfile``); returns the path."""
        from ..storage.modelfile import save

        return save(self, path, metadata=metadata)

    def __repr__(self):
        name = name_of
        where = "" if self.backend.is_numpy else f", device={self.device!r}, backend={self.backend.name!r}"
        sigma = name(self.activation) if self.uniform_activation else [name(s) for s in self.hidden_activations]
        return (
            f"Network({self.sizes}, activation={sigma!r}, output={name(self.output)!r}, "
            f"cost={name(self.cost)!r}, dtype={np.dtype(self.dtype).name!r}{where})"
        )

    # -- forward ------------------------------------------------------------

    def feedforward(self, X):
        """a^L for each sample. X : (m, n_1) → (m, n_L); a single (n_1,) → (n_L,)."""
        single = np.ndim(X) == 1
        A = self.feedforward_placed(self._inputs(X))
        return A[0, ...] if single else A

    def predict(self, X):
        """Class labels (m,) for a classifier, else the outputs a^L (m, n_L)."""
        single = np.ndim(X) == 1
        A = self.feedforward_placed(self._inputs(X))
        P = self.labels_from_outputs(A) if self.is_classifier else A
        return P[0, ...] if single else P

    def labels_from_outputs(self, A):
        """Class labels from outputs a^L: the largest output, or a ≥ ½ for one output neuron."""
        xp = namespace(A)
        if A.shape[1] == 1:
            return xp.astype(A[:, 0] >= 0.5, xp.int64)
        return argmax_rows(A)

    def _inputs(self, X, parameter="X"):
        """X checked (as_inputs) and placed in the network's library and device.

        An X already in the network's library is checked there (no host round trip).
        """
        X = as_inputs(X, self.sizes[0], self.dtype, parameter, backend=self.backend)
        return X if self.backend.owns(X) else self.place(X)

    def place(self, array):
        """A checked NumPy array moved to the network's library and device (NumPy: itself)."""
        return array if self.backend.is_numpy else self.backend.asarray(array)

    def feedforward_placed(self, X, chunk=8192):
        """a^L only, in chunks of rows so that memory stays bounded."""
        if X.shape[0] > chunk:
            return namespace(X).concat([self.feedforward_placed(X[rows, ...]) for rows in _chunks(X.shape[0], chunk)])
        return self.forward(X)[1][-1]

    def forward(self, X):
        """z^l and a^l of every layer; activations[0] is X itself."""
        zs, acts = [], [X]
        a = X
        last = len(self._weights) - 1
        hidden = self.hidden_activations
        # fmt: off
        # (the equation tags stay aligned)
        for i, (w, b) in enumerate(zip(self._weights, self._biases)):
            z = rows_times_transposed(a, w)                # z^l = w^l a^{l−1} + b^l; in row form
            z += b                                         #     Z = A Wᵀ + b
            sigma = self.output if i == last else hidden[i]
            a = sigma.value(z)                             # a^l = σ(z^l), layer l's σ
            zs.append(z)
            acts.append(a)
        # fmt: on
        return zs, acts

    def forward_dropped(self, X, masks):
        """``forward`` with dropout: (zs, activations, undropped).

        masks : one m^l/(1−p) (m, n_l) or None per hidden layer (``bprop.core.dropout``).
        activations[l-1] is ã^l = a^l ⊙ m^l/(1−p) for a hidden layer with a
        mask (what layer l + 1 sees), else a^l; undropped[l-1] is a^l = σ(z^l)
        itself, from which σ′(z^l) is computed. Only training calls this:
        evaluation and prediction use ``forward``, with no mask.
        """
        zs, acts, undropped = [], [X], [X]
        a = X
        last = len(self._weights) - 1
        # fmt: off
        for i, (w, b) in enumerate(zip(self._weights, self._biases)):
            z = rows_times_transposed(a, w)                # z^l = w^l ã^{l−1} + b^l
            z += b
            sigma = self.output if i == last else self.hidden_activations[i]
            a = sigma.value(z)                             # a^l = σ(z^l)
            zs.append(z)
            undropped.append(a)
            if i != last and masks[i] is not None:
                a = a * masks[i]                           # ã^l = a^l ⊙ m^l/(1−p)
            acts.append(a)
        # fmt: on
        return zs, acts, undropped

    # -- backward -----------------------------------------------------------

    def backprop(self, X, Y, *, l2=0.0, n=None, l1=0.0, masks=None) -> Gradients:
        """Gradients of the batch-mean cost by BP1–BP4 (see the module docstring).

        X : (m, n_1) inputs, or one sample (n_1,).
        Y : integer class labels (m,), or targets (m, n_L); for one sample a
            label or an (n_L,) target.
        l2 : λ of the regularized cost C = C₀ + (λ/2n) Σ w², biases excluded.
        n : the size of the whole training set in λ/2n and λ₁/n (default: m).
        l1 : λ₁ of the regularized cost C = C₀ + (λ₁/n) Σ |w|, biases excluded;
            with l2 too, the two terms add (elastic net).
        masks : dropout masks, one m^l/(1−p) (m, n_l) array or None per hidden
            layer (``bprop.core.dropout.draw_masks``); None: no dropout.
        """
        single = np.ndim(X) == 1
        X = as_inputs(X, self.sizes[0], self.dtype)
        if single:
            Y = to_numpy(Y)
            Y = Y.reshape(1) if Y.ndim == 0 else Y.reshape(1, -1)
        Y = as_targets(Y, X.shape[0], self.sizes[-1], self.dtype)
        l2 = non_negative_float(l2, "l2")
        l1 = non_negative_float(l1, "l1")
        n = X.shape[0] if n is None else positive_int(n, "n")
        if masks is not None:
            check_masks(masks, self.sizes, X.shape[0])
            masks = [None if mask is None else self.place(np.asarray(to_numpy(mask), self.dtype)) for mask in masks]
        return self.backprop_placed(self.place(X), self.place(Y), l2, n, l1=l1, masks=masks)

    def backprop_placed(
        self,
        X,
        Y,
        l2=0.0,
        n=1,
        divisor=None,
        cost_on_host=True,
        sample_weight=None,
        *,
        l1=0.0,
        masks=None,
        with_cost=True,
    ) -> Gradients:
        """BP1–BP4 on validated arrays: X (m, n_1) and Y (m, n_L) of the network's dtype and library.

        divisor : what the BP3/BP4 sums and the cost are divided by (default:
            m, giving batch means). Data-parallel training (``bprop.training.distributed``)
            passes the global batch size, so that the ranks' results add up to
            the global batch mean.
        cost_on_host : False leaves ``Gradients.cost`` a 0-d array on the
            network's device: reading it as a float waits for the GPU, and the
            training loop on a GPU reads its batches' costs once per epoch.
        sample_weight : None (every sample counts once), or s (m,) ≥ 0 of the
            network's dtype and library: weighted means instead of plain ones.
            Row i of Δ^L is scaled by s_i after BP1 (so every δ^l of sample i
            is, BP2 being linear in δ), and the sums of BP3, BP4 and the cost
            are divided by Σ s_i (default divisor). ``deltas`` then hold s_i δ^l_i.
            Whole-number weights give the gradients of repeating each row s_i times.
            X may also be a SciPy sparse matrix: the first layer's products
            (Z^2 = X (W^2)ᵀ and BP3's (Δ^2)ᵀ X) are taken on it as it is.
        l1 : λ₁ of the L1 term (λ₁/n) Σ |w|.
        masks : dropout masks m^l/(1−p), placed, one per hidden layer (or None); None: no dropout.
        with_cost : False leaves ``Gradients.cost`` None: the training loop then
            finds the costs of many batches at once (``batch_costs``).
        """
        if divisor is not None:
            m = divisor
        else:
            m = X.shape[0] if sample_weight is None else total(sample_weight)
        if masks is None:
            zs, acts = self.forward(X)
            undropped = acts  # a^l: σ′(z^l) is computed from it
        else:
            zs, acts, undropped = self.forward_dropped(X, masks)
        count = len(self._weights)
        hidden = self.hidden_activations
        deltas, grad_w, grad_b = [None] * count, [None] * count, [None] * count

        # fmt: off
        # (the equation tags stay aligned, as on the page of equations)
        z, a = zs[-1], acts[-1]
        if self._shortcut:
            delta = a - Y                                                       # BP1, simplified (costs.SHORTCUTS)
        elif activations.is_elementwise(self.output):
            delta = self.cost.gradient(a, Y) * self.output.derivative(z, a)     # BP1
        else:
            delta = self.output.jacobian_product(z, a, self.cost.gradient(a, Y))  # BP1, full Jacobian
        if sample_weight is not None:
            delta = delta * sample_weight[:, None]                              # s_i δ^L_i: weighted means

        for i in range(count - 1, -1, -1):
            if i < count - 1:
                mask = None if masks is None else masks[i]                      # m^l/(1−p) of dropout, or None
                after = zs[i] if mask is None else mask                         # (what Δ meets next: its layout)
                delta = rows_times(delta, self._weights[i + 1], like=after)     # BP2: Δ^{l+1} W^{l+1} …
                if mask is not None:
                    delta *= mask                                               #      … ⊙ m^l/(1−p) (dropout) …
                delta *= hidden[i].derivative(zs[i], undropped[i + 1])          #      … ⊙ σ′(Z^l)
            deltas[i] = delta
            delta_mean = delta * (1.0 / m)  # the 1/m of the batch mean, applied to Δ (smaller than W)
            grad_w[i] = delta_mean.T @ acts[i]                                  # BP3: Σ_i a^{l−1}_k δ^l_j / m
            grad_b[i] = total(delta_mean, axis=0)                               # BP4: Σ_i δ^l_j / m

        if l2:
            for gw, w in zip(grad_w, self._weights):
                gw += (l2 / n) * w                                              # ∂/∂w of (λ/2n) Σ w² is (λ/n) w
        if l1:
            for gw, w in zip(grad_w, self._weights):
                gw += (l1 / n) * namespace(w).sign(w)                           # ∂/∂w of (λ₁/n) Σ |w| is (λ₁/n) sgn(w)
        # fmt: on
        if not with_cost:
            return Gradients(grad_w, grad_b, deltas, None, zs, acts, masks)
        cost = self.batch_cost(a, Y, l2, n, m, sample_weight, l1=l1)
        return Gradients(grad_w, grad_b, deltas, float(cost) if cost_on_host else cost, zs, acts, masks)

    def batch_cost(self, A, Y, l2=0.0, n=1, divisor=None, sample_weight=None, *, l1=0.0):
        """C = mean of the per-sample costs + (λ/2n) Σ_l Σ w² + (λ₁/n) Σ_l Σ |w|, from outputs A = a^L.

        divisor : what the sum of the per-sample costs is divided by (default: m).
        sample_weight : None, or s (m,): the weighted mean Σ s_i C_i / Σ s_i instead.
        Returned as a scalar of the network's dtype (gradcheck relies on that).
        """
        per_sample = self.cost.value(A, Y)
        if sample_weight is None:
            cost = total(per_sample) / (A.shape[0] if divisor is None else divisor)  # the batch mean
        else:
            cost = total(per_sample * sample_weight) / (total(sample_weight) if divisor is None else divisor)
        if l2:
            cost += l2 / (2 * n) * sum(sum_of_squares(w) for w in self._weights)
        if l1:
            cost += l1 / n * sum(sum_of_absolute_values(w) for w in self._weights)
        return cost

    def batch_costs(self, A, Y, counts) -> list:
        """The cost C of each of several batches (no L2 or L1 term, no sample weights), as floats.

        A, Y : the batches' outputs a^L and targets, stacked in order, (Σ counts, n_L);
        counts : the number of samples of each batch. The same numbers as
        ``batch_cost`` batch by batch: each batch's mean of its per-sample
        costs, with the per-sample costs taken in one call for all of them.
        """
        per_sample = self.cost.value(A, Y)
        costs, start = [], 0
        for m in counts:
            costs.append(float(total(per_sample[start : start + m]) / m))  # the batch mean
            start += m
        return costs

    # -- evaluation ---------------------------------------------------------

    def evaluate(self, X, Y, *, chunk=8192):
        """(cost, accuracy) on a data set; accuracy is None for a regression network.

        The cost is the mean per-sample cost C₀ (no L2 term). Y as in backprop.
        """
        X = as_inputs(X, self.sizes[0], self.dtype)
        targets = as_targets(Y, X.shape[0], self.sizes[-1], self.dtype)
        labels = self.labels_from_targets(Y, targets)
        return self.evaluate_placed(self.place(X), self.place(targets), labels, chunk=chunk)

    def evaluate_placed(self, X, targets, labels, chunk=8192):
        """(mean cost, accuracy) of placed X, targets; labels a NumPy (m,) array or None."""
        total_cost, correct = 0.0, 0
        for rows in _chunks(X.shape[0], chunk):
            A = self.feedforward_placed(X[rows, ...])
            total_cost += float(total(self.cost.value(A, targets[rows, ...])))
            if labels is not None:
                predicted = to_numpy(self.labels_from_outputs(A))
                correct += int(np.count_nonzero(predicted == labels[rows]))
        m = X.shape[0]
        return total_cost / m, (correct / m if labels is not None else None)

    def labels_from_targets(self, Y, targets):
        """The true class labels (m,) behind Y, or None when Y holds no classes.

        Integer labels are classes whatever the output layer (accuracy then
        applies to a tanh or identity output too); real-valued targets are
        read as classes only by a classifier (one-hot rows, or 0/1 for one output).
        """
        Y = to_numpy(Y)
        if Y.ndim == 1 and Y.dtype.kind in "biu":
            return Y.astype(np.int64)
        return to_numpy(self.labels_from_outputs(targets)) if self.is_classifier else None


def _hidden_activations(activation, hidden_layers) -> list:
    """The σ of each hidden layer l = 2 … L−1, from one σ (for all) or a list of one per layer.

    One name gives one object shared by every layer. A network with no hidden
    layer keeps the one σ given (as the output's default).
    """
    if not isinstance(activation, (list, tuple)):
        sigma = resolve(
            activation, parameter="activation", builtin=activations.BUILTIN, methods=("value", "derivative")
        )
        activations.check_hidden(sigma)
        return [sigma] * max(hidden_layers, 1)
    if len(activation) != hidden_layers or not activation:
        raise InvalidArgument(
            f"activation has {len(activation)} entries but sizes gives {hidden_layers} hidden layer(s); "
            "give one σ per hidden layer (l = 2 … L−1), or a single name for all of them."
        )
    if all(isinstance(name, str) for name in activation) and len(set(activation)) == 1:
        return _hidden_activations(activation[0], hidden_layers)  # one name for all: one shared σ
    sigmas = []
    for i, one in enumerate(activation):
        sigma = resolve(one, parameter=f"activation[{i}]", builtin=activations.BUILTIN, methods=("value", "derivative"))
        activations.check_hidden(sigma)
        sigmas.append(sigma)
    return sigmas


def _shared(sigmas):
    """The one σ object every hidden layer uses, or None when the layers differ."""
    return sigmas[0] if all(sigma is sigmas[0] for sigma in sigmas) else None


def _chunks(m, chunk):
    """Slices of at most ``chunk`` rows covering 0 … m (never past the end: the standard leaves that open)."""
    return [slice(i, min(i + chunk, m)) for i in range(0, m, chunk)]
