"""scikit-learn estimators: ``BPClassifier`` and ``BPRegressor``, thin front ends over bprop.

    from bprop.estimators import BPClassifier, BPRegressor
    clf = BPClassifier(hidden_layer_sizes=(100,), max_iter=50, random_state=0).fit(X, y)
    clf.predict(X), clf.predict_proba(X), clf.score(X, y)
    clf.network_                     # the bprop Network: weights, backprop, explain, save
    clf.coefs_[0]                    # = clf.network_.weights[0].T, scikit-learn's (n_in, n_out) layout

They are drop-ins for ``MLPClassifier`` / ``MLPRegressor``: the same
constructor parameters with the same defaults (scikit-learn 1.9's signature),
the same fitted attributes (``coefs_``, ``intercepts_`` — assignable, for a warm
start from given weights — ``loss_``, ``loss_curve_``, ``best_loss_``,
``validation_scores_``, ``best_validation_score_``, ``t_``, ``n_iter_``,
``n_layers_``, ``n_outputs_``, ``out_activation_``, ``classes_``), the same
methods (``fit`` and ``partial_fit`` with ``sample_weight``; ``partial_fit``
only for the stochastic solvers), sparse CSR/CSC X, and the same numbers:
from the same ``random_state`` they draw MLP's initial weights and shuffle in
MLP's order, so a fit gives MLP's weights to rounding (tested to 1e-10 in
float64 for 'sgd' with each learning-rate schedule, 'adam' and 'lbfgs', for
both losses of the regressor, with sample weights). scikit-learn's own
``test_mlp.py`` passes with them swapped in (tests/test_sklearn_mlp_suite.py).

Underneath, a ``bprop.Network`` holds the weights and does BP1–BP4
(``backprop_placed``, with ``sample_weight`` for weighted means and the first
layer's products taken on a sparse X as it is), bprop's optimizers apply the
steps, and ``solvers`` runs what MLP runs around them: its stochastic loop
(the loss curve, ``tol`` / ``n_iter_no_change``, the 'constant',
'invscaling' and 'adaptive' learning rates, early stopping with the best
weights restored, the ConvergenceWarning) or scipy's L-BFGS-B on the
full-batch cost (``max_iter``, ``max_fun``, ``tol`` as MLP uses them).

Where the code is: ``base`` (what the two share: parameters, fit, fitted
attributes, pickling), ``classifier``, ``regressor``, ``solvers`` (the
training loops, MLP's Adam, the schedules), ``losses`` (the Poisson loss's
exp output and deviance) and ``support`` (parameter checks, the batch size,
the pickled form of the network). This module gathers the two estimators
and their documentation.

L2 convention
-------------
These estimators keep scikit-learn's ``alpha``: each mini-batch of m_b samples
adds (alpha / 2m_b) Σ w² to its cost (m_b is Σ s_i with sample weights), so
a batch's gradient gets (alpha/m_b) w: ``backprop_placed(..., l2=alpha,
n=m_b)`` — λ = alpha with the batch as n, not ``train``'s default derivation
convention, where n is the size of the whole training set. Biases are not
decayed (both agree).

bprop's extras
--------------
``solver`` 'momentum' and 'nesterov' (bprop's Momentum/Nesterov with
``learning_rate_init``); ``learning_rate_init`` may be a bprop schedule, a
function of the step count t returning η (with ``learning_rate='constant'``);
``out_activation`` and ``cost`` (other output layers and costs); ``init``
(None: MLP's initial weights; or a bprop initializer such as 'xavier', 'he');
``dtype`` ('float32' trains in float32 on float64 data); ``network_``, the
bprop Network itself (explain, save, gradcheck). What MLP will not have
(scikit-learn adds no features to its MLP): ``dropout`` (one p or one per
hidden layer) and ``l1`` (in the alpha convention), computed as
``bprop.train(..., dropout=, l1=, l2=alpha, l2_divisor="batch")`` would;
``activation`` as a list, one σ per hidden layer; ``class_weight`` on
BPClassifier (through the weighted means of ``sample_weight``); ``device``
('cuda' trains on a GPU). Each defaults to MLP's behaviour. A pickled
estimator names no bprop class but the estimator's own: the network travels
as its arrays and its components' names, the optimizer as its state.

Known differences from MLPClassifier / MLPRegressor
---------------------------------------------------
- ``BPRegressor``'s ``loss`` is a keyword argument after ``activation`` (MLP
  puts it first, positionally), so that ``BPRegressor((64,))`` keeps meaning
  the hidden layers.
- 'lbfgs' with ``verbose`` prints nothing; MLP hands ``iprint`` to scipy
  before scipy 1.15, which then prints its own report (with scipy ≥ 1.15
  neither prints).
- ``log_loss`` in ``loss_curve_`` guards ln(a) at the smallest normal number
  where MLP clips probabilities to [ε, 1 − ε]; the two differ only when a
  predicted probability is below 2.2e-16.

Conformance
-----------
Both estimators pass ``sklearn.utils.estimator_checks`` with no expected
failures, as MLPClassifier and MLPRegressor do (scikit-learn 1.9.1 lists none
for them in ``PER_ESTIMATOR_XFAIL_CHECKS``). The tags differ from MLP's in
one place: BPRegressor
declares ``target_tags.multi_output = True`` — it supports y of shape
(n_samples, n_outputs), so the multi-output regression check runs on it.
"""

from .classifier import BPClassifier
from .regressor import BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
