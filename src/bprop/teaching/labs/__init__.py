"""``bprop lab``: find the planted bug.

Each lab is a small network whose backprop carries one planted mistake. The
learner trains it, sees it fail, finds the mistake with bprop's own tools
(gradcheck, the per-layer |δ|, BP1–BP4 broken beside correct) and answers
with the equation and the layer.

Modules: ``planted`` (the networks: bprop's BP1–BP4, one method per equation,
one line changed per lab), ``exercises`` (the labs as data, with their
answers and the derivation line each breaks), ``bench`` (training and the
probes), ``grading`` (the verdict and its hint), ``words`` and ``render``
(the text, in English and Chinese).
"""

from .exercises import EXERCISES, Exercise, exercise
from .grading import grade

__all__ = ["EXERCISES", "Exercise", "exercise", "grade"]
