"""How BPClassifier and BPRegressor train: MLP's stochastic loop and its L-BFGS, over bprop's BP1–BP4.

Every gradient comes from ``Network.backprop_placed`` — BP1–BP4 with
scikit-learn's L2 convention (λ = alpha, n = the batch's size, or its Σ s_i
with sample weights) and weighted batch means when ``sample_weight`` is given.
What this module adds is what MLP does around those gradients, step for step,
so that from the same initial weights the numbers are MLP's:

stochastic solvers ('sgd', 'adam', 'momentum', 'nesterov')
    epochs of mini-batches in MLP's order (``sklearn.utils.shuffle`` of the
    row indices with the estimator's RandomState, then consecutive slices),
    the loss curve, ``tol`` / ``n_iter_no_change``, the learning-rate
    schedules of MLP's SGD, early stopping on a held-out validation score.
'lbfgs'
    the whole training set's cost and gradient, flattened in MLP's order
    (every coefs_[i] row by row, then every intercepts_[i]), handed to
    ``scipy.optimize.minimize(method="L-BFGS-B")`` with maxiter = max_iter,
    maxfun = max_fun and gtol = tol.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import shuffle as shuffled

from ..core.backend import sum_of_absolute_values, sum_of_squares, to_numpy, total
from ..core.dropout import draw_masks
from ..core.fast import divided_by_root, scale_and_add, scaled, square
from ..core.optimizers import SGD, Adam, Momentum, Nesterov
from ..training.state import restore

# -- optimizers ------------------------------------------------------------------


class MLPAdam(Adam):
    """Adam as MLP writes it: w ← w − α_t m / (√v + ε), α_t = α √(1 − β₂ᵗ) / (1 − β₁ᵗ).

    The same m, v and α_t as ``bprop.Adam``; only ε is added unscaled (bprop.Adam
    adds ε̂ = ε √(1 − β₂ᵗ), the paper's form), so that the steps are MLP's.
    """

    def _update(self, key, param, grad, eta):
        m, v = self._buffer(key + ("m",), param), self._buffer(key + ("v",), param)
        work = self._scratch(key + ("scratch",), param)
        t = self.steps + 1
        # fmt: off
        alpha_t = eta * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)      # α_t = α √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        scale_and_add(m, self.beta1, grad, 1 - self.beta1, work)                # m ← β₁m + (1 − β₁)g
        scale_and_add(v, self.beta2, square(grad, work), 1 - self.beta2, work)  # v ← β₂v + (1 − β₂)g²
        param -= scaled(divided_by_root(m, v, self.eps, work), alpha_t, work)   # w ← w − α_t m / (√v + ε)
        # fmt: on


def optimizer_for(est):
    """A new bprop optimizer for ``est.solver``: 'sgd' is MLP's SGDOptimizer, 'adam' its AdamOptimizer."""
    lr = est.learning_rate_init
    if est.solver == "adam":
        return MLPAdam(lr, beta1=est.beta_1, beta2=est.beta_2, eps=est.epsilon)
    if est.solver == "momentum" or (est.solver == "sgd" and est.momentum > 0 and not est.nesterovs_momentum):
        return Momentum(lr, momentum=est.momentum)
    if est.solver == "nesterov" or (est.solver == "sgd" and est.momentum > 0):
        return Nesterov(lr, momentum=est.momentum)
    return SGD(lr)


class StochasticOptimizer:
    """The estimator's ``_optimizer``: a bprop optimizer and MLP's learning-rate schedule.

    ``learning_rate`` is η now (read-only, as MLP's tests read it). The schedules
    (solver 'sgd' only, as MLP):

        'constant'    η = learning_rate_init
        'invscaling'  η = learning_rate_init / (t + 1)^power_t after each epoch, t = samples seen (``t_``)
        'adaptive'    η ÷ 5 whenever n_iter_no_change epochs passed without improvement;
                      training stops once η ≤ 1e-6
    """

    def __init__(self, optimizer, schedule, learning_rate_init, power_t):
        self.optimizer, self.schedule = optimizer, schedule
        self.learning_rate_init, self.power_t = learning_rate_init, power_t

    @property
    def learning_rate(self):
        """η of the last step; for Adam, MLP's bias-corrected α_t = α √(1 − β₂ᵗ) / (1 − β₁ᵗ)."""
        eta, t = self.optimizer.learning_rate(), self.optimizer.steps
        if isinstance(self.optimizer, Adam) and t > 0:
            return eta * math.sqrt(1 - self.optimizer.beta2**t) / (1 - self.optimizer.beta1**t)
        return eta

    def iteration_ends(self, samples_seen):
        if self.schedule == "invscaling":
            self.optimizer.lr = float(self.learning_rate_init) / (samples_seen + 1) ** self.power_t

    def trigger_stopping(self, message, verbose) -> bool:
        """True to stop; with 'adaptive', η ÷ 5 and go on while η > 1e-6."""
        if self.schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.optimizer.lr <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.optimizer.lr /= 5.0
        if verbose:
            print(f"{message} Setting learning rate to {self.optimizer.lr:f}")
        return False


def stochastic_optimizer(est):
    schedule = est.learning_rate if est.solver == "sgd" else "constant"
    return StochasticOptimizer(optimizer_for(est), schedule, est.learning_rate_init, est.power_t)


# -- the cost MLP reports -----------------------------------------------------------


def reported_loss(est, cost, n_l2):
    """The batch's loss as MLP reports it, from bprop's cost C = C₀ + (α/2n) Σ w² (+ (λ₁/n) Σ |w|).

    Identical but for MLP's squared error with several outputs, ½ mean_j (y_j − a_j)²
    where bprop's quadratic cost is ½ Σ_j (their gradients are both a − y).
    """
    k = est.n_outputs_
    if k == 1 or not getattr(est, "_mean_over_outputs", False):
        return cost
    weights = est.network_.weights
    penalty = est.alpha / (2 * n_l2) * sum(float(sum_of_squares(w)) for w in weights)
    if est.l1:
        penalty += est.l1 / n_l2 * sum(float(sum_of_absolute_values(w)) for w in weights)
    return (cost - penalty) / k + penalty


def batch_gradients(est, X, T, sample_weight, masks=None):
    """BP1–BP4 on (X, T) with MLP's L2 term (α/2n) Σ w², n = len(X) or Σ s_i.

    bprop's extras: the L1 term (λ₁/n) Σ |w| with the same n (``l1``), and
    dropout ``masks`` m^l/(1−p) in BP2 (``bprop.core.dropout``).
    """
    n_l2 = X.shape[0] if sample_weight is None else float(total(sample_weight))
    grads = est.network_.backprop_placed(
        X, T, l2=est.alpha, n=n_l2, sample_weight=sample_weight, l1=est.l1, masks=masks
    )
    return grads, reported_loss(est, grads.cost, n_l2)


# -- stochastic solvers -------------------------------------------------------------


def fit_stochastic(est, X, T, y, sample_weight, incremental, rs, dropout=None):
    """MLP's ``_fit_stochastic``: up to max_iter epochs (one for partial_fit) of mini-batch steps.

    dropout : the rates p_2 … p_{L−1} (``bprop.core.dropout.dropout_rates``) or
        None. With dropout, one seed is drawn from ``rs`` after the
        validation split, and each batch draws its masks from
        ``np.random.default_rng(seed)`` as ``bprop.train`` does from its
        generator (``draw_masks``, before the batch's BP1–BP4); without it,
        nothing more is drawn from ``rs`` than MLP draws. partial_fit goes on
        with the generator of the call before (an int random_state would
        otherwise give every epoch the same masks).
    """
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = stochastic_optimizer(est)
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    X_train, T_train, sw_train, X_val, y_val, sw_val = held_out(est, X, T, y, sample_weight, rs)
    net = est.network_
    X_train, T_train = placed(net, X_train), placed(net, T_train)
    sw_train = None if sw_train is None else placed(net, sw_train)
    mask_rng = None
    if dropout is not None:
        mask_rng = getattr(est, "_mask_rng", None) if incremental else None
        if mask_rng is None:
            mask_rng = est._mask_rng = np.random.default_rng(rs.randint(np.iinfo(np.int32).max))
    n = X_train.shape[0]
    batch_size = est._batch_size_for(n)
    order = np.arange(n, dtype=int)
    optimizer = est._optimizer.optimizer
    try:
        est.n_iter_ = 0
        for _ in range(est.max_iter):
            if est.shuffle:
                order = shuffled(order, random_state=rs)
                placed_order = order if net.backend.is_numpy else net.backend.asarray(order)
            accumulated = 0.0
            for start in range(0, n, batch_size):
                rows = placed_order[start : start + batch_size] if est.shuffle else slice(start, start + batch_size)
                sw = None if sw_train is None else sw_train[rows]
                masks = None
                if mask_rng is not None:
                    m = min(batch_size, n - start)
                    masks = [
                        None if k is None else net.place(k)
                        for k in draw_masks(dropout, net.sizes, m, mask_rng, net.dtype)
                    ]
                grads, loss = batch_gradients(est, X_train[rows], T_train[rows], sw, masks)
                accumulated += loss * grads.deltas[-1].shape[0]
                optimizer.step(net, grads)
            est.n_iter_ += 1
            est.loss_ = accumulated / n
            est.t_ += n
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
            est._update_no_improvement_count(X_val, y_val, sw_val)
            est._optimizer.iteration_ends(est.t_)
            if est._no_improvement_count > est.n_iter_no_change:
                what = "Validation score" if est.early_stopping else "Training loss"
                message = (
                    f"{what} did not improve more than tol={est.tol:f} for {est.n_iter_no_change} consecutive epochs."
                )
                if est._optimizer.trigger_stopping(message, est.verbose):
                    break
                est._no_improvement_count = 0
            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=4)
    if est.early_stopping:
        restore(net, est._best_params)


def placed(net, array):
    """A NumPy (or, on the CPU, SciPy sparse) array on the network's device, once per fit."""
    return array if net.backend.is_numpy else net.backend.asarray(array)


def held_out(est, X, T, y, sample_weight, rs):
    """(X_train, T_train, sw_train, X_val, y_val, sw_val): MLP's validation split when early_stopping."""
    if not est.early_stopping:
        return X, T, sample_weight, None, None, None
    stratify = T.astype(bool) if est._stratified_split() else None  # MLP stratifies on its 0/1 targets
    train_rows, val_rows = train_test_split(
        np.arange(X.shape[0]), random_state=rs, test_size=est.validation_fraction, stratify=stratify
    )
    if len(val_rows) < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
    sw_train = sw_val = None
    if sample_weight is not None:
        sw_train, sw_val = sample_weight[train_rows], sample_weight[val_rows]
    return X[train_rows], T[train_rows], sw_train, X[val_rows], y[val_rows], sw_val


# -- L-BFGS -------------------------------------------------------------------------


def packed(weights, biases):
    """One vector in MLP's order: each (w^l)ᵀ = coefs_[i] row by row, then each b^l."""
    return np.concatenate([np.ravel(to_numpy(w).T) for w in weights] + [np.ravel(to_numpy(b)) for b in biases])


def unpack_into(net, theta):
    """Write the vector ``packed`` made back into the network's w^l and b^l."""
    start = 0
    put = (lambda a, dtype: a) if net.backend.is_numpy else net.backend.asarray
    for w in net.weights:
        n_out, n_in = w.shape
        w[...] = put(theta[start : start + n_in * n_out].reshape(n_in, n_out).T, net.dtype)
        start += n_in * n_out
    for b in net.biases:
        b[...] = put(theta[start : start + b.shape[0]], net.dtype)
        start += b.shape[0]


def fit_lbfgs(est, X, T, sample_weight):
    """MLP's ``_fit_lbfgs``: L-BFGS-B on the full-batch cost, its gradient from BP1–BP4."""
    net = est.network_
    X, T = placed(net, X), placed(net, T)
    sample_weight = None if sample_weight is None else placed(net, sample_weight)

    def cost_and_gradient(theta):
        unpack_into(net, theta)
        grads, loss = batch_gradients(est, X, T, sample_weight)
        return loss, packed(grads.weights, grads.biases).astype(np.float64)

    result = scipy.optimize.minimize(
        cost_and_gradient,
        packed(net.weights, net.biases),
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
    )
    if result.status != 0:
        message = result.message.decode("latin1") if isinstance(result.message, bytes) else result.message
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) (status={result.status}):\n{message}.\n\n"
            f"Increase the number of iterations (max_iter={est.max_iter}) or the number of function "
            f"evaluations (max_fun={est.max_fun}), or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
    est.n_iter_ = min(result.nit, est.max_iter)
    est.loss_ = float(result.fun)
    unpack_into(net, result.x)
