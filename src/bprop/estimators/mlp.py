"""scikit-learn estimators: ``BPClassifier`` and ``BPRegressor``, thin front ends over bprop.

    from bprop.estimators import BPClassifier, BPRegressor
    clf = BPClassifier(hidden_layer_sizes=(100,), max_iter=50, random_state=0).fit(X, y)
    clf.predict(X), clf.predict_proba(X), clf.score(X, y)
    clf.network_                     # the bprop Network: weights, backprop, explain, save
    clf.coefs_[0]                    # = clf.network_.weights[0].T, scikit-learn's (n_in, n_out) layout

They speak scikit-learn: the constructor parameters, fitted attributes and
stopping rules of ``MLPClassifier`` / ``MLPRegressor`` wherever the meaning is
the same, so that the two can be swapped in a Pipeline, a grid search or a
side-by-side benchmark. Underneath they only translate: a ``bprop.Network``
holds the weights and does BP1–BP4, a ``bprop`` optimizer (SGD, Momentum,
Nesterov, Adam) applies the updates, and one call of ``bprop.train`` runs
the epochs of a fit with the same optimizer object, so that its state
(velocities, moments, step count) carries over from epoch to epoch and from
one ``partial_fit`` to the next. What happens between epochs — the loss
curve, ``tol`` / ``n_iter_no_change``, early stopping on a held-out
validation score with the best weights restored, the ConvergenceWarning —
follows scikit-learn's ``_fit_stochastic`` line for line, as a callback on
``train`` (``base.BetweenEpochs``).

Where the code is: ``base`` (what the two share: parameters, fit, fitted
attributes, pickling), ``classifier``, ``regressor``, and ``support``
(parameter checks, the optimizer, the batch size, the progress display, the
pickled form of the network). This module gathers the two estimators and
their documentation.

L2 convention
-------------
These estimators keep scikit-learn's ``alpha``: each mini-batch of m_b samples
adds (alpha / 2m_b) Σ w² to its cost, so a batch's gradient gets (alpha/m_b) w.
That is bprop's ``train(..., l2=alpha, l2_divisor="batch")`` — λ = alpha with
the batch size as n — not ``train``'s default derivation convention, where n
is the size of the whole training set. Biases are not decayed (both agree).

Known differences from MLPClassifier / MLPRegressor
---------------------------------------------------
- solver 'lbfgs', ``learning_rate`` ('invscaling', 'adaptive'), ``power_t``
  and ``max_fun`` are not offered: bprop trains by mini-batch gradient
  descent. ``learning_rate_init`` may instead be a bprop schedule, a function
  of the step count t returning η.
- ``sample_weight`` is not supported (fit and partial_fit have no such
  parameter): bprop's BP3/BP4 take plain batch means.
- sparse X is not accepted (validation says so); densify it first.
- initial weights: ``init='xavier'`` (Glorot uniform, as MLP's for tanh/relu)
  but biases start at 0 where MLP draws them from the same uniform range.
- Adam is Kingma & Ba's Algorithm 1 in the paper's own efficient form, whose
  ε is scaled by √(1 − β₂ᵗ); MLP's Adam adds ε unscaled. The difference is of
  the order of ε = 1e-8.
- ``loss_curve_`` holds bprop's cost, the very function minimized: for
  multi-output regression that is C = ½ Σ_j (y_j − a_j)² per sample, which is
  n_outputs × the "½ mean over outputs" that MLPRegressor reports (MLP's
  gradient is that of the sum, as here). Identical in every other case.
- ``verbose`` draws the bprop command line's progress bar instead of
  printing one line per iteration.
- Default dtype: as scikit-learn, the network computes in X's dtype when X is
  float32 or float64 (anything else becomes float64); ``dtype='float32'``
  gives bprop's fast training on float64 data.

Conformance
-----------
Both estimators pass ``sklearn.utils.estimator_checks`` with no expected
failures, as MLPClassifier and MLPRegressor do (scikit-learn 1.9.1 lists none
for them in ``PER_ESTIMATOR_XFAIL_CHECKS``). The tags differ from MLP's in
two places: ``input_tags.sparse`` is False (see above), and BPRegressor
declares ``target_tags.multi_output = True`` — it supports y of shape
(n_samples, n_outputs), so the multi-output regression check runs on it.
"""

from .classifier import BPClassifier
from .regressor import BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
