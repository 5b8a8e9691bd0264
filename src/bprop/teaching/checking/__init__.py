"""Checking the learner's own backprop, equation by equation (``bprop check``).

loading           PATH.py:Name run in this process, as a test runner does; the learner's line on failure
adapters          the forms learners write (a Nielsen-style class, a function; per sample or batched)
probes            seeded probe networks and bprop's own BP1–BP4 for them (checked by finite differences)
mistakes          the common mistakes, each a runnable variant of BP1–BP4
diagnosis         the first equation, layer and neuron that break, and the mistake that explains them
forward_and_update  the learner's feedforward and update_mini_batch (with the L2 term)
matrix_vs_loop    the book's exercise: the matrix form against the per-sample loop, and its speed-up
runner            check(): all of the above in the order the equations run
report, wording   the verdict in English and Chinese (the notes' words), and as a dict for JSON
"""

from .report import as_dict, render_text
from .runner import CheckReport, check, setting_of

__all__ = ["CheckReport", "as_dict", "check", "render_text", "setting_of"]
