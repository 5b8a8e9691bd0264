"""Quizzes and worksheets: numeric questions from a real trace of a small network.

    from bprop.teaching.quiz import make_questions, worksheet, answer_key

    questions = make_questions(seed=7, count=5, sizes=[2, 3, 2])   # same seed, same questions
    q = questions[0]; q.symbol, q.answer, q.accepts(0.1234)
    worksheet(questions, seed=7, fmt="md", lang="zh"); answer_key(questions, seed=7, fmt="html")

Modules: ``questions`` (drawing a network with printed-exact parameters, the
answer from bprop's own pass, the tolerance), ``blocks`` (what a question and
its solution say, in the derivation page's blocks), ``sheets`` (layouts:
text, Markdown with LaTeX, offline HTML; the worksheet and its answer key),
``mistakes`` (the slip a wrong answer matches), ``words`` (English and the notes' Chinese).
"""

from .questions import KINDS, Question, Tolerance, make_questions, parse_answer
from .sheets import answer_key, layout, question_blocks, worksheet

__all__ = [
    "KINDS",
    "Question",
    "Tolerance",
    "make_questions",
    "parse_answer",
    "answer_key",
    "layout",
    "question_blocks",
    "worksheet",
]
