"""``bprop quiz``: numeric questions from a real trace of a small network, in the terminal or on paper.

In the terminal each question prints its network (weights, biases, input,
target, σ, C and η, only what it needs), asks for one number, and checks it
against bprop's own forward pass, BP1–BP4 or SGD step with the tolerance it
states. A wrong answer gets the derivation with the numbers that lead to the
right one. An empty line, ``q`` or the end of input stops the quiz; the score
is printed and the status is 0.

``--worksheet md|html`` writes a printable worksheet and a separate answer
key instead (``--seeds 1-30`` writes one pair per seed: a class gets
different numbers, the teacher one key per seed).

Registered in ``app.py`` with ``app.command()(quiz)``.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import InvalidArgument
from .options import ActivationOption, CostOption, OutputOption

MAX_SEEDS = 1000


def quiz(
    seed: Annotated[
        int | None, typer.Option(help="Draws the questions: the same seed gives the same ones (default: a new seed).")
    ] = None,
    count: Annotated[int, typer.Option(help="Number of questions.")] = 5,
    layers: Annotated[
        str, typer.Option(help="Layer sizes of the quiz network, input first (≤ 4 layers, ≤ 5 wide).")
    ] = "2,2,2",
    activation: ActivationOption = None,
    output: OutputOption = None,
    cost: CostOption = None,
    kind: Annotated[
        str,
        typer.Option(
            help="z (weighted input), a (activation), delta_out (BP1), delta (BP2), dw (BP3), db (BP4), "
            "update (w − η∂C/∂w) or mixed; BP1 … BP4 name their kind."
        ),
    ] = "mixed",
    lang: Annotated[str, typer.Option(help="en or zh (the terms of the Chinese notes).")] = "en",
    rel_tol: Annotated[
        float, typer.Option(help="Relative tolerance of an answer (of the step η∂C/∂w for an update).")
    ] = 0.01,
    abs_tol: Annotated[float, typer.Option(help="Absolute tolerance of an answer.")] = 1e-5,
    worksheet: Annotated[
        str | None,
        typer.Option(
            help="Write a printable worksheet and a separate answer key instead: md (Markdown with LaTeX) "
            "or html (one offline page each)."
        ),
    ] = None,
    seeds: Annotated[
        str | None,
        typer.Option(
            help="With --worksheet: one worksheet and key per seed, e.g. 1-30 or 3,5,8 (a class, each "
            "student their own numbers)."
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", "-o", help="With --worksheet: the folder to write to (made if missing).")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="With --worksheet: overwrite files already there.")] = False,
):
    """Numeric questions on z, a, δ, ∂C/∂w, ∂C/∂b and the update, from bprop's own trace (English or 中文).

    Answer in the terminal: a number such as 0.123, -1.2e-3 or 1/3; an empty line, q or
    end of input stops and prints the score. A wrong answer shows the derivation with its
    numbers. Pipe answers in to script it: printf '0.5\\n0.1\\n' | bprop quiz --seed 3.

    For a class: bprop quiz --worksheet html --seeds 1-30 --count 8 -o sheets writes
    sheets/worksheet-seed1.html … and sheets/answers-seed1.html … (add --lang zh for
    中文; or loop: for s in 1 2 3; do bprop quiz --worksheet md --seed $s -o sheets; done).
    """
    from ..teaching.explanation.terms import LANGS
    from ..teaching.quiz import KINDS, Tolerance, make_questions
    from ..teaching.quiz.questions import MAX_COUNT, MIXED, kind_name
    from .settings import int_list

    kind = kind_name(kind)
    if kind != MIXED and kind not in KINDS:
        raise InvalidArgument(f"--kind {kind!r} is not known; use one of {', '.join(KINDS)}, BP1 … BP4 or {MIXED}.")
    if seed is not None and seed < 0:
        raise InvalidArgument(f"--seed {seed}: give a whole number ≥ 0, such as 7.")
    if not 1 <= count <= MAX_COUNT:
        raise InvalidArgument(f"--count {count}: give 1 to {MAX_COUNT} questions, such as 5.")
    if lang not in LANGS:
        raise InvalidArgument(f"--lang {lang!r} is not supported; use en (English) or zh (中文).")
    for name, value in (("--rel-tol", rel_tol), ("--abs-tol", abs_tol)):
        if not np.isfinite(value) or value < 0:
            raise InvalidArgument(f"{name} {value} is not a tolerance; give a number ≥ 0, such as 0.01.")
    if worksheet is None and (seeds is not None or out_dir != Path(".") or force):
        given = [flag for flag, on in (("--seeds", seeds), ("-o", out_dir != Path(".")), ("--force", force)) if on]
        raise InvalidArgument(f"{', '.join(given)} only apply to worksheets; add --worksheet md or --worksheet html.")
    if seed is not None and seeds is not None:
        raise InvalidArgument("--seed and --seeds both choose the questions; pass one of them.")
    if activation is not None and "," in activation:
        activation = [name.strip() for name in activation.split(",")]  # one σ per hidden layer

    settings = {
        "count": count,
        "sizes": int_list(layers, "layers"),
        "kind": kind,
        "activation": activation or "sigmoid",
        "output": output,
        "cost": cost or "quadratic",
        "tolerance": Tolerance(rel_tol, abs_tol),
    }
    if worksheet is not None:
        chosen = _seed_list(seeds) if seeds is not None else [seed if seed is not None else _new_seed()]
        _write_worksheets(worksheet, chosen, settings, lang, out_dir, force)
        return
    seed = seed if seed is not None else _new_seed()
    _ask(make_questions(seed=seed, **settings), seed, lang)


def _new_seed() -> int:
    return secrets.randbelow(100_000)


def _seed_list(text) -> list:
    """'1-30' → [1, …, 30]; '3,5,8' → [3, 5, 8]; ranges and numbers may be mixed."""
    chosen = []
    for part in text.replace(" ", "").split(","):
        try:
            if "-" in part[1:]:
                first, last = (int(v) for v in part.split("-", 1))
                chosen += list(range(first, last + 1))
            else:
                chosen.append(int(part))
        except ValueError:
            raise InvalidArgument(f"--seeds {text!r}: give whole numbers and ranges, such as 1-30 or 3,5,8.")
    if not chosen or len(chosen) > MAX_SEEDS or min(chosen) < 0:
        raise InvalidArgument(f"--seeds {text!r}: give 1 to {MAX_SEEDS} seeds ≥ 0, such as 1-30.")
    return list(dict.fromkeys(chosen))


def _write_worksheets(fmt, chosen, settings, lang, out_dir, force):
    """One worksheet and one answer key per seed; nothing is written if any file exists (without --force)."""
    from ..storage.files import atomic_write
    from ..teaching.quiz import answer_key, make_questions, worksheet
    from ..teaching.quiz.sheets import FORMATS

    if fmt not in FORMATS:
        raise InvalidArgument(f"--worksheet {fmt!r} is not known; use md (Markdown with LaTeX) or html.")
    suffix = f"{'' if lang == 'en' else '.' + lang}.{fmt}"
    names = {s: (out_dir / f"worksheet-seed{s}{suffix}", out_dir / f"answers-seed{s}{suffix}") for s in chosen}
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidArgument(f"-o {out_dir} is a file, not a folder; give a folder to write the worksheets to.")
    existing = [path for pair in names.values() for path in pair if path.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise InvalidArgument(
            f"{existing[0]} already exists{more}; pass --force to overwrite, or choose another folder with -o."
        )
    for s, (sheet_path, key_path) in names.items():
        questions = make_questions(seed=s, **settings)
        for path, page in (
            (sheet_path, worksheet(questions, s, fmt, lang)),
            (key_path, answer_key(questions, s, fmt, lang)),
        ):
            with atomic_write(path, "wb") as f:
                f.write(page.encode("utf-8"))
        typer.echo(f"wrote {sheet_path} and its answer key {key_path}")


def _ask(questions, seed, lang):
    """The quiz in the terminal: one question at a time, read from stdin, scored."""
    from ..teaching.quiz import layout, parse_answer, question_blocks
    from ..teaching.quiz.blocks import answer_text, solution_blocks
    from ..teaching.quiz.mistakes import hint
    from ..teaching.quiz.words import word

    typer.echo(word("quiz_intro", lang, seed=seed, count=len(questions)))
    echo_input = not sys.stdin.isatty()  # piped answers: show them, so the transcript reads as a dialogue
    right = asked = 0
    for q in questions:
        typer.echo("")
        typer.echo(layout(question_blocks(q, lang, len(questions)), "text", lang), nl=False)
        typer.echo("")
        value = None
        while value is None:
            typer.echo(word("prompt", lang), nl=False)
            line = sys.stdin.readline()
            text = line.strip()
            if echo_input and line:
                typer.echo(text)
            if not line or text.lower() in ("", "q", "quit", "exit"):
                if not line and echo_input:
                    typer.echo("")
                return _score(right, asked, len(questions), lang)
            value = parse_answer(text)
            if value is None:
                typer.echo(word("not_a_number", lang, text=text))
        asked += 1
        if q.accepts(value):
            right += 1
            typer.echo(word("right", lang, symbol=_plain(q.symbol), value=answer_text(q)))
        else:
            typer.echo(word("wrong", lang, symbol=_plain(q.symbol), value=answer_text(q), given=text))
            slip = hint(q, value, lang)
            if slip is not None:
                typer.echo(_plain(slip))
            typer.echo(word("how", lang))
            typer.echo(layout(solution_blocks(q, lang), "text", lang), nl=False)
    _score(right, asked, len(questions), lang)


def _plain(markup) -> str:
    from ..teaching.explanation.markup import to_text

    return to_text(markup)


def _score(right, asked, count, lang):
    from ..teaching.quiz.words import word

    typer.echo("")
    if asked == count:
        typer.echo(word("score", lang, right=right, asked=asked))
    else:
        typer.echo(word("score_left", lang, right=right, asked=asked, left=count - asked, count=count))
