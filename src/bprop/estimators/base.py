"""What BPClassifier and BPRegressor share: parameters, fitting, fitted attributes, pickling.

A fit checks the parameters and the data as MLP does, builds the network
(MLP's initial weights unless ``init`` says otherwise) and hands it to one of
``solvers``: MLP's stochastic loop ('sgd', 'adam', and bprop's 'momentum',
'nesterov') or L-BFGS ('lbfgs'). Every gradient is bprop's BP1–BP4
(``Network.backprop_placed``) with scikit-learn's L2 convention, alpha/(2n) Σ w²
for a batch of n samples (Σ s_i with sample weights).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..core.backend import to_numpy
from ..core.network import Network
from ..training.state import copied, snapshot
from . import solvers, support

STOCHASTIC_SOLVERS = ("sgd", "adam", "momentum", "nesterov")


def _is_stochastic(est) -> bool:
    """partial_fit exists for the stochastic solvers only, as in MLP."""
    if est.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. {est.solver} is not stochastic."
        )
    return True


class BPEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """The base of BPClassifier and BPRegressor: parameters, fitting, fitted attributes, pickling.

    Beyond MLP, ``transform`` gives the last hidden layer's activations, the
    features the network learned, named by ``get_feature_names_out``
    (bpclassifier0, bpclassifier1, …); ``fit_transform`` and
    ``set_output(transform="pandas")`` come with them.

    A subclass supplies ``_validate_input`` (X, y → X, targets T, y),
    ``_output_layer`` (σ and cost of the last layer), ``_predictions`` (a^L →
    predictions), ``_score_function`` (early stopping's score) and
    ``_stratified_split``.
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
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.out_activation = out_activation
        self.cost = cost
        self.init = init
        self.dtype = dtype
        self.dropout = dropout
        self.l1 = l1
        self.device = device

    # -- scikit-learn's (n_in, n_out) view of the network --------------------

    @property
    def coefs_(self):
        """Weight matrices in scikit-learn's layout: ``coefs_[i]`` is (w^{i+2})ᵀ, shape (n_{i+1}, n_{i+2}).

        The transposes of ``network_.weights`` — views of the same memory, so
        they always agree with the network (bprop stores w^l as (n_l, n_{l−1}),
        PyTorch's layout; MLP stores (n_{l−1}, n_l)). Assigning a list of
        such matrices (``est.coefs_ = [...]``) writes them into the network,
        for a warm start from given weights. With ``device="cuda"`` they are
        NumPy copies of the GPU's arrays, not views.
        """
        return [to_numpy(w).T for w in self.network_.weights]

    @coefs_.setter
    def coefs_(self, matrices):
        net = self._fitted_network("coefs_")
        net.weights = [net.place(np.ascontiguousarray(np.asarray(c, dtype=net.dtype).T)) for c in matrices]

    @property
    def intercepts_(self):
        """Bias vectors: ``intercepts_[i]`` is b^{i+2} = ``network_.biases[i]``, shape (n_{i+2},); assignable."""
        return [to_numpy(b) for b in self.network_.biases]

    @intercepts_.setter
    def intercepts_(self, vectors):
        net = self._fitted_network("intercepts_")
        net.biases = [net.place(np.array(b, dtype=net.dtype)) for b in vectors]

    def _fitted_network(self, attribute):
        if "network_" not in self.__dict__:
            raise AttributeError(
                f"{attribute} can be assigned on a fitted {type(self).__name__} only (its layers come "
                f"from the data); fit it first, then assign {attribute} and fit with warm_start=True."
            )
        return self.network_

    # -- fitting ---------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Train on (X, y); returns self.

        X : (n_samples, n_features), dense or SciPy sparse (CSR, CSC).
        y : (n_samples,) or (n_samples, n_outputs).
        sample_weight : (n_samples,) or None: each sample's weight in the
            weighted means of the cost and of BP3/BP4.
        The stochastic solvers run up to ``max_iter`` epochs; 'lbfgs' up to
        ``max_iter`` L-BFGS iterations and ``max_fun`` cost evaluations. With
        ``warm_start=True`` a fitted estimator continues from its weights
        (with a fresh optimizer, as MLP does). As MLP, a run whose cost
        becomes NaN goes on to the end; a ValueError follows if a weight is
        then not finite.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        s = support.checked_settings(self)
        first_pass = "network_" not in self.__dict__ or (not self.warm_start and not incremental)
        X, T, y = self._validate_input(X, y, first_pass=first_pass, incremental=incremental, classes=classes)
        if scipy.sparse.issparse(X) and self.device != "cpu":
            raise ValueError(
                f"{type(self).__name__}: sparse X is not supported with device={self.device!r}; "
                "pass X.toarray(), or train with device='cpu'."
            )
        if self.dtype is not None:
            X = X.astype(np.dtype(self.dtype).name, copy=False)
        if scipy.sparse.issparse(X):
            X = X.tocsr()  # rows are gathered per batch; the matrix stays sparse
        sample_weight = self._weighted(support.checked_sample_weight(sample_weight, X), y, incremental)
        rs = check_random_state(self.random_state)
        if first_pass:
            self._initialize(s, X, T.shape[1], rs)
        elif T.shape[1] != self.n_outputs_ or list(self.network_.sizes[1:-1]) != s.hidden:
            raise ValueError(
                f"{type(self).__name__} was fitted with layers {self.network_.sizes} and cannot continue "
                f"(warm_start or partial_fit) with hidden_layer_sizes={self.hidden_layer_sizes!r} and "
                f"{T.shape[1]} outputs; set warm_start=False to start afresh."
            )
        net = self.network_
        T = np.ascontiguousarray(T, dtype=net.dtype)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(net.dtype, copy=False)
        if not scipy.sparse.issparse(X):
            X = np.ascontiguousarray(X, dtype=net.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                solvers.fit_lbfgs(self, X, T, sample_weight)
            else:
                solvers.fit_stochastic(self, X, T, y, sample_weight, incremental, rs, s.dropout)
        xp = net.backend.xp
        if not all(bool(xp.all(xp.isfinite(p))) for p in (*net.weights, *net.biases)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain large values and "
                "need to be preprocessed."
            )
        return self

    def _weighted(self, sample_weight, y, incremental):
        """The sample weights the solvers use: the user's (None, or checked); BPClassifier multiplies in class_weight."""
        return sample_weight

    def _initialize(self, s, X, n_outputs, rs):
        """A new network and fresh records, as MLP's ``_initialize``.

        ``init=None``: MLP's initial weights, drawn from the estimator's
        RandomState in MLP's order — for each layer, coefs_[i] then
        intercepts_[i] from U(−r, r), r = √(6 / (n_in + n_out)) (√(2 / …) for
        'logistic') — so the same random_state starts from MLP's very numbers.
        With a list of σ, layer l's r follows its own σ (the output layer's,
        the last hidden σ), so a list repeating one name draws what that name does.
        Any other ``init`` is bprop's initializer, seeded from that RandomState.
        """
        self.n_outputs_ = n_outputs
        self.out_activation_, output, cost = self._output_layer(s)
        sizes = [X.shape[1], *s.hidden, n_outputs]
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        seed = 0 if self.init is None else np.random.default_rng(rs.randint(np.iinfo(np.int32).max))
        self.network_ = Network(
            sizes,
            activation=s.activation,
            output=output,
            cost=cost,
            init="xavier" if self.init is None else self.init,
            seed=seed,
            dtype=dtype,
            device=self.device,
        )
        if self.init is None:
            sigmas = self.activation if isinstance(self.activation, (list, tuple)) else [self.activation]
            sigmas = list(sigmas) + [sigmas[-1]] * (len(sizes) - 1 - len(sigmas))  # one per layer l = 2 … L
            weights, biases = [], []
            for n_in, n_out, sigma in zip(sizes[:-1], sizes[1:], sigmas):
                factor = 2.0 if isinstance(sigma, str) and sigma in ("logistic", "sigmoid") else 6.0
                r = np.sqrt(factor / (n_in + n_out))
                weights.append(np.ascontiguousarray(rs.uniform(-r, r, (n_in, n_out)).astype(dtype).T))
                biases.append(rs.uniform(-r, r, n_out).astype(dtype))
            self.network_.weights, self.network_.biases = weights, biases
        self.n_layers_ = len(sizes)
        self.n_iter_ = 0
        self.t_ = 0
        self._best_params = snapshot(self.network_)
        for name in ("loss_curve_", "validation_scores_", "best_validation_score_", "best_loss_"):
            self.__dict__.pop(name, None)
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
            else:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = None, None, np.inf

    def _batch_size_for(self, n_samples):
        return support.batch_size_for(self.batch_size, n_samples)

    def _update_no_improvement_count(self, X_val, y_val, sw_val):
        """MLP's rule: count epochs that did not beat the best by ``tol``; keep the best weights."""
        if self.early_stopping:
            score = self._validation_score(X_val, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = snapshot(self.network_)
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _validation_score(self, X_val, y_val, sw_val):
        """Early stopping's score (accuracy or R²) as a float; NaN when the outputs are not finite."""
        outputs = self._forward(X_val)
        if not np.isfinite(outputs).all():
            return np.nan
        return float(self._score_function(y_val, self._predictions(outputs), sw_val))

    # -- prediction --------------------------------------------------------------

    def _forward(self, X, chunk=8192, layer=-1):
        """a^L (NumPy) for validated X (dense or sparse), in chunks of rows; ``layer`` −2: a^{L−1}."""
        net = self.network_
        if not scipy.sparse.issparse(X):
            X = np.asarray(X, dtype=net.dtype)
        elif X.dtype != net.dtype:
            X = X.astype(net.dtype)

        def activations(rows):
            A = net.forward(net.place(rows))[1][layer]
            return to_numpy(A.toarray() if scipy.sparse.issparse(A) else A)  # a^1 = X itself, sparse or not

        if X.shape[0] <= chunk:
            return activations(X)
        return np.concatenate([activations(X[i : i + chunk]) for i in range(0, X.shape[0], chunk)])

    def _outputs(self, X, layer=-1):
        """a^L of the network for X: (n_samples, n_outputs_); ``layer`` −2: the last hidden layer's a^{L−1}."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False)
        if scipy.sparse.issparse(X):
            X = X.tocsr()
        with np.errstate(over="ignore", invalid="ignore"):
            return self._forward(X, layer=layer)

    def transform(self, X):
        """The last hidden layer's activations a^{L−1} = σ(z^{L−1}) for X: (n_samples, hidden_layer_sizes[-1]).

        The features the fitted network computes from X before its output
        layer, to be used elsewhere (a pipeline's next step, a plot of the
        learned representation). MLP has no such method. With no hidden layer
        it is X itself, as a dense array of the network's dtype (a copy).
        """
        features = self._outputs(X, layer=-2)
        return features.copy() if len(self.network_.sizes) == 2 else features  # never the caller's own X

    @property
    def _n_features_out(self):
        """Columns of ``transform``: the last hidden layer's width (``get_feature_names_out`` names them)."""
        return self.network_.sizes[-2]

    def predict(self, X):
        """Predictions for X (n_samples, n_features): labels for a classifier, values for a regressor."""
        return self._predictions(self._outputs(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- pickling: plain parts only — the Network as its arrays and component names --------

    def __getstate__(self):
        """The estimator's state with no bprop object but the estimator: see ``support.network_record``."""
        state = dict(super().__getstate__())
        if isinstance(state.get("network_"), Network):
            state["network_"] = support.network_record(state["network_"])
        if isinstance(state.get("_optimizer"), solvers.StochasticOptimizer):
            state["_optimizer"] = support.optimizer_record(state["_optimizer"])
        if "_best_params" in state:
            state["_best_params"] = copied(state["_best_params"], to_numpy)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), dict):
            state = dict(state, network_=support.network_from_record(state["network_"]))
        record = state.get("_optimizer")
        super().__setstate__({k: v for k, v in state.items() if k != "_optimizer"})
        if isinstance(record, dict):  # rebuilt from the parameters, then its η and state restored
            self._optimizer = solvers.stochastic_optimizer(self)
            self._optimizer.optimizer.lr = record["lr"]
            self._optimizer.optimizer.load_state_dict(record["state"])
        elif record is not None:
            self._optimizer = record
