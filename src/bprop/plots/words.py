"""The words drawn in bprop's pictures, in English and in the notes' Chinese, and a font for the Chinese.

``word(key, lang, **fields)`` is one entry of WORDS; ``text_for(lang)`` is
the context to draw (and save) a figure in: for zh, the first installed font of
CJK_FONTS (matplotlib's font manager) ahead of the default one.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext

from ..errors import InvalidArgument

# The words drawn in the per-layer pictures, (en, zh): zh in the notes' wording (SEED-NOTES.md).
WORDS = {
    "epoch": ("epoch", "训练轮次 (epoch)"),
    "layer": ("l = {l}", "第 {l} 层"),
    "output": ("l = {l} (output)", "第 {l} 层（输出层）"),
    "first hidden": ("l = {l} (first hidden)", "第 {l} 层（第一个隐藏层）"),
    "delta": (r"mean $|\delta^l|$  (BP1, BP2)", r"误差的平均值 $|\delta^l|$  (公式1、公式2)"),
    "grad_w": (r"mean $|\partial C/\partial w^l|$  (BP3)", r"权重梯度的平均值 $|\partial C/\partial w^l|$  (公式3)"),
    "runs": (("broken", "correct"), ("有错的", "正确的")),
    "speed": ("how fast each layer learns", "每一层学得多快"),
}
LANGS = ("en", "zh")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei")


def word(key, lang, **fields):
    """The entry ``key`` of WORDS in ``lang``, its ``{name}`` fields filled in."""
    if lang not in LANGS:
        raise InvalidArgument(f"lang={lang!r} is not supported; use 'en' or 'zh'.")
    text = WORDS[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def cjk_font():
    """The first installed font of CJK_FONTS (matplotlib's font manager), or None."""
    from matplotlib import font_manager

    for name in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


@contextmanager
def cjk_text():
    """Draw (and save) with a CJK font first and the default after it; without one, a one-line note."""
    from matplotlib import rc_context, rcParams

    name = cjk_font()
    if name is None:
        sys.stderr.write("bprop: note: no CJK font found (install fonts-noto-cjk); Chinese labels may not show.\n")
        yield
        return
    with rc_context({"font.family": [name, *rcParams["font.family"]]}):
        yield


def text_for(lang):
    """The font settings to draw ``lang`` in: a CJK font for zh, matplotlib's defaults for en."""
    word("epoch", lang)  # checks lang
    return cjk_text() if lang == "zh" else nullcontext()
