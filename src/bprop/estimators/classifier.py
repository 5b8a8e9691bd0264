"""BPClassifier: MLPClassifier's interface over bprop — binary, multi-class and multilabel targets.

What it adds to ``base.BPEstimator``: turning class labels into the
network's targets (a 0/1 column, one-hot rows or a label indicator), the
output layer that suits them, and class probabilities from a^L.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import validate_data

from ..errors import InvalidArgument
from .base import BPEstimator, _is_stochastic


class BPClassifier(ClassifierMixin, BPEstimator):
    """A multi-layer perceptron classifier trained by bprop's BP1–BP4, with MLPClassifier's interface.

    Binary (one sigmoid output), multi-class (softmax outputs) and multilabel
    (one sigmoid output per label) targets, as MLPClassifier.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Neurons of each hidden layer (n_2 … n_{L−1}); the input and output
        layers come from the data.
    activation : {'relu', 'tanh', 'logistic', 'identity', 'sigmoid', 'leaky_relu'}, object, or a list, default='relu'
        σ of the hidden layers ('logistic' is bprop's 'sigmoid'), or a bprop
        activation object with ``value(z)`` and ``derivative(z, a)``. One σ
        means every hidden layer (MLP's meaning); a list gives one per hidden
        layer, ``['relu', 'tanh']`` for hidden_layer_sizes=(64, 32) (bprop's extra).
    solver : {'adam', 'sgd', 'lbfgs', 'momentum', 'nesterov'}, default='adam'
        'adam' is MLP's Adam (bprop's, with ε added unscaled as MLP does).
        'lbfgs' is scipy's L-BFGS-B on the full-batch cost and its BP1–BP4
        gradient (``max_iter`` iterations, ``max_fun`` evaluations, gtol=tol).
        'sgd' is MLP's: ``bprop.Nesterov`` when ``nesterovs_momentum`` and
        ``momentum`` > 0, ``bprop.Momentum`` without Nesterov, ``bprop.SGD``
        when ``momentum`` = 0. 'momentum' and 'nesterov' name bprop's
        optimizers directly (with ``momentum``).
    alpha : float ≥ 0, default=1e-4
        L2 strength in scikit-learn's convention: each batch of m_b samples
        adds (alpha/2m_b) Σ w² (bprop's l2=alpha with n=m_b; see the module
        docstring). Biases are not decayed.
    batch_size : int or 'auto', default='auto'
        Samples per gradient step; 'auto' is min(200, n_samples). Larger than
        n_samples is clipped, with a warning.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        η's schedule for solver 'sgd', as MLP: 'invscaling' sets
        η = learning_rate_init / (t + 1)^power_t after each epoch (t: samples
        seen); 'adaptive' divides η by 5 each time n_iter_no_change epochs go
        by without improvement, and stops once η ≤ 1e-6.
    learning_rate_init : float > 0 or callable, default=1e-3
        η, or a bprop schedule: a function of the step count returning η.
    power_t : float ≥ 0, default=0.5
        The exponent of 'invscaling'.
    max_iter : int, default=200
        Epochs at most (L-BFGS iterations for 'lbfgs'); reaching it warns with
        ConvergenceWarning.
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        The source of the initial weights, the shuffling and the validation split.
    tol : float, default=1e-4
        An epoch "improves" when the training loss falls (or, with
        early_stopping, the validation score rises) by at least tol.
    verbose : bool, default=False
        Print "Iteration N, loss = …" after each epoch, as MLP.
    warm_start : bool, default=False
        fit continues from the fitted weights instead of starting afresh.
    momentum : float in [0, 1), default=0.9
        μ for solver 'sgd', 'momentum' and 'nesterov'.
    nesterovs_momentum : bool, default=True
        For solver 'sgd': Nesterov's momentum rather than Polyak's.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its accuracy
        has not improved by tol for ``n_iter_no_change`` epochs, and keep the
        weights of the best epoch (the highest validation score), as MLP does.
    validation_fraction : float in (0, 1), default=0.1
        The held-out share for early_stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's β₁, β₂ and ε.
    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement (see tol) before stopping.
    max_fun : int, default=15000
        For 'lbfgs': cost evaluations at most.
    out_activation : {None, 'softmax', 'logistic', 'sigmoid'}, default=None
        σ of the output layer (bprop's ``Network(output=...)``). None: softmax
        for multi-class, logistic for binary and multilabel targets, as MLP.
    cost : {None, 'log_likelihood', 'cross_entropy', 'quadratic'} or object, default=None
        bprop's cost. None: log_likelihood with softmax, cross_entropy with a
        logistic output — MLP's log-loss, with BP1 simplified to δ^L = a − y.
    init : {None, 'xavier', 'he', 'scaled_normal', 'normal'} or object, default=None
        None: MLP's initial weights and biases, U(−r, r) with
        r = √(6/(n_in + n_out)) (√(2/…) for 'logistic'), drawn from
        random_state as MLP draws them. Otherwise bprop's initializer.
    dtype : {None, 'float32', 'float64'}, default=None
        The network's floating type. None: X's own when it is float32 or
        float64, else float64 (as scikit-learn).
    dropout : float or list of float, default=0.0
        Inverted dropout (``bprop.train``'s ``dropout``): p for every hidden
        layer, or one p per hidden layer, 0 ≤ p < 1. Each mini-batch draws its
        masks m^l ~ Bernoulli(1 − p) from a generator seeded once per fit by
        random_state; BP2 gains ⊙ m^l/(1 − p). predict, predict_proba and the
        validation score use no mask. 0: MLP's training. Not with 'lbfgs'.
    l1 : float ≥ 0, default=0.0
        L1 strength in the alpha convention: each batch of m_b samples adds
        (l1/m_b) Σ |w| (biases excluded), so BP3 gains (l1/m_b) sgn(w) — the
        subgradient, which makes weights small, not exactly 0. With alpha:
        elastic net. Equals ``bprop.train(..., l1=l1, l2=alpha, l2_divisor="batch")``.
    device : {'cpu', 'cuda', 'cuda:N'}, default='cpu'
        Where the network trains (``bprop.Network(device=...)``: PyTorch with
        CUDA, else CuPy). Without a usable GPU, fit raises InvalidArgument
        saying why. Dense X only on a GPU; ``coefs_`` are then NumPy copies.
    class_weight : None, 'balanced' or dict {label: weight}, default=None
        Weights per class, applied through the weighted means of the cost and
        of BP3/BP4 (``sample_weight``): sample i weighs class_weight[y_i] times
        its sample_weight. 'balanced' is n_samples / (n_classes · n_c) (not with
        partial_fit). Not in MLPClassifier.

    Attributes
    ----------
    classes_ : (n_classes,) class labels (for multilabel, 0 … n_labels − 1).
    network_ : bprop.Network, layers [n_features_in_, *hidden_layer_sizes, n_outputs_].
    coefs_ : list of (n_in, n_out) arrays, the transposes of ``network_.weights``.
    intercepts_ : list of (n_out,) arrays, ``network_.biases``.
    loss_, loss_curve_ : the last epoch's loss and every epoch's (costs with their L2 term).
    best_loss_ : the lowest loss (None with early_stopping).
    validation_scores_, best_validation_score_ : validation accuracies with early_stopping, else None.
    n_iter_ : epochs run by the last fit (1 after partial_fit). t_ : samples seen, all calls together.
    n_features_in_, feature_names_in_, n_outputs_, n_layers_ : as MLPClassifier
        (feature_names_in_ after a fit on a pandas DataFrame with string column names).
    out_activation_ : 'softmax' or 'logistic' (scikit-learn's names).
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        out_activation=None,
        cost=None,
        init=None,
        dtype=None,
        dropout=0.0,
        l1=0.0,
        device="cpu",
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            out_activation=out_activation,
            cost=cost,
            init=init,
            dtype=dtype,
            dropout=dropout,
            l1=l1,
            device=device,
        )
        self.class_weight = class_weight

    @available_if(_is_stochastic)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), continuing the weights and the optimizer's state; returns self.

        ``classes`` (every class of the whole data set) is required on the
        first call; y need not contain all of them.
        """
        if not hasattr(self, "network_"):
            if classes is None and not type_of_target(y).startswith("multilabel"):
                raise ValueError("classes must be passed on the first call to partial_fit.")
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on the first call to partial_fit, was: {self.classes_!r}"
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``.

        Binary: [1 − a, a] of the one sigmoid output. Multi-class: the softmax
        outputs (sigmoid outputs are normalized to sum to 1 per row).
        Multilabel: each label's sigmoid output.
        """
        A = self._outputs(X)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return A
        if A.shape[1] == 1:
            return np.hstack([1 - A, A])
        if self.out_activation_ == "softmax":
            return A
        return A / np.maximum(A.sum(axis=1, keepdims=True), np.finfo(A.dtype).tiny)

    def predict_log_proba(self, X):
        """ln of ``predict_proba`` (−inf where a probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _weighted(self, sample_weight, y, incremental):
        """The solvers' sample weights: class_weight[y_i] × the user's s_i (or class_weight[y_i] alone).

        class_weight acts through the core's weighted means (``sample_weight``), so
        fitting with it is fitting with those products as sample_weight.
        """
        if self.class_weight is None:
            return sample_weight
        if not (isinstance(self.class_weight, dict) or self.class_weight == "balanced"):
            raise InvalidArgument(
                f"{type(self).__name__}: class_weight={self.class_weight!r} is not accepted; use None, "
                "'balanced' or a dict {class label: weight}."
            )
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported with partial_fit: a batch's class shares are not "
                "the data set's. Pass a dict, e.g. from sklearn.utils.class_weight.compute_class_weight on all of y."
            )
        weights = compute_sample_weight(self.class_weight, y)
        return weights if sample_weight is None else weights * sample_weight

    def _predictions(self, A):
        if len(self.classes_) == 1:  # as MLP: y held one class, so does every prediction
            return np.full(A.shape[0], self.classes_[0])
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (A >= 0.5).astype(self.classes_.dtype)
        return self.classes_[self.network_.labels_from_outputs(A)]

    def _validate_input(self, X, y, *, first_pass, incremental, classes):
        """(X, T, y): T the network's targets — a 0/1 column, one-hot rows or a label indicator."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first_pass:
            binarizer = LabelBinarizer()
            multilabel = type_of_target(y).startswith("multilabel")
            binarizer.fit(classes if incremental and not multilabel else y)
            self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
        if not first_pass or incremental:  # partial_fit's first call too: y's classes must be among `classes`
            seen = unique_labels(y)
            if self.warm_start and not incremental and set(seen) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the previous "
                    f"call to fit. Previously got {self.classes_}, `y` has {seen}"
                )
            if len(np.setdiff1d(seen, self.classes_)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {seen}."
                )
        return X, self._targets(y), y

    def _targets(self, y):
        """LabelBinarizer's targets for labels y, all in classes_ (checked above), made directly.

        A 0/1 column (1 for classes_[1]; all 0 with a single class) for two
        classes or one, one-hot rows for more, the indicator itself for
        multilabel y. ``LabelBinarizer.transform`` gives the same arrays but
        checks y again: 0.87 of the 3.4 ms of a digits partial_fit epoch.
        """
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return self._label_binarizer.transform(y)
        index = np.searchsorted(self.classes_, y)
        if len(self.classes_) <= 2:
            return (index == 1).astype(np.int64)[:, None]
        T = np.zeros((len(y), len(self.classes_)), dtype=np.int64)
        T[np.arange(len(y)), index] = 1
        return T

    def _output_layer(self, s):
        """(out_activation_, output σ, cost) from the targets and the chosen out_activation and cost."""
        y_type = self._label_binarizer.y_type_
        output = s.out_activation or ("softmax" if y_type == "multiclass" else "sigmoid")
        if output == "softmax" and y_type != "multiclass":
            raise ValueError(
                f"out_activation='softmax' needs multi-class targets (one class per sample, at "
                f"least 3 classes); y is {y_type}. Use out_activation='logistic' or None."
            )
        cost = self.cost if self.cost is not None else ("log_likelihood" if output == "softmax" else "cross_entropy")
        return ("logistic" if output == "sigmoid" else output), output, cost

    def _stratified_split(self):
        return self.n_outputs_ == 1  # as MLPClassifier: binary targets only

    def _score_function(self, y, predictions, sample_weight=None):
        return accuracy_score(y, predictions, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
