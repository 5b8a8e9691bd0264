"""Every number of one forward and backward pass, explained in English or Chinese.

    import bprop as bp
    from bprop.teaching.explanation import explain

    trace = explain(net, x, y, lr=0.5, lang="zh")   # the arrays backprop returns, one sample
    print(trace)                                   # text for the terminal
    trace.render("markdown"); trace.render("html") # LaTeX Markdown; one standalone page

Modules: ``trace`` (the numbers), ``sections`` (what is said, once for every
format, as ``document`` items written in ``markup``; ``formulas`` holds what
depends on σ and C), ``terms`` (the words of both languages), and the renderers
``text``, ``markdown``, ``html`` (layout only). ``steps`` re-exports the names
of ``markup``, ``document``, ``formulas`` and ``sections`` under their old home.
"""

from .trace import Trace, classic_example, explain, explain_steps

__all__ = ["explain", "explain_steps", "Trace", "classic_example"]
