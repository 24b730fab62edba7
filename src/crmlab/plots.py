"""Matplotlib set-up in one place: the house style and Chinese labels.

Call :func:`setup` once at the top of a notebook (``crmlab.plots.setup(lang="zh")``). With
``lang="zh"`` it registers a CJK font when the machine has one and sets ``axes.unicode_minus=False``
(CJK fonts lack the Unicode minus glyph). Where no CJK font exists it keeps English labels and warns
once with :class:`CJKFontWarning`. Labels are written with :func:`label` (``label("Revenue", "收入")``),
which returns the text for the language in force.
"""
from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from ._validate import check_lang

__all__ = ["setup", "label", "cjk_font", "current_lang", "CJKFontWarning", "HOUSE_STYLE", "PALETTE",
           "render_check"]

# Family names of CJK fonts, best first. Debian's fonts-wqy-microhei (4 MB) is the one CI installs.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Sarasa Gothic SC", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
    "Hiragino Sans GB", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback", "Arial Unicode MS",
)
# File-name fragments of CJK fonts, for fonts installed after matplotlib built its font cache.
_CJK_FILE_HINTS = ("wqy", "cjk", "notosanssc", "sourcehan", "simhei", "msyh", "droidsansfallback", "uming",
                   "ukai", "sarasa")

PALETTE = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#c8413b", "#7d5ba6", "#8c6d46", "#d16ba5", "#6b7b8c"]

HOUSE_STYLE = {
    "figure.figsize": (7.5, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linestyle": "-",
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.unicode_minus": False,
    "svg.hashsalt": "crmlab",  # deterministic SVG ids
}


class CJKFontWarning(UserWarning):
    """No CJK font is installed, so Chinese labels fall back to English."""


_state = {"lang": "en", "warned": False, "font": None, "searched": False}


def cjk_font() -> str | None:
    """Return the family name of an installed CJK font (registering it with matplotlib), or None."""
    if _state["searched"]:
        return _state["font"]
    _state["searched"] = True
    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in known:
            _state["font"] = fam
            return fam
    # Fonts installed after the cache was built are not in ttflist: look for them on disk and add them.
    for path in font_manager.findSystemFonts():
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(h in stem for h in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
                name = font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
            _state["font"] = name
            return name
    return None


def setup(lang: str = "en", *, style: bool = True) -> str:
    """Apply the house style and the label language; return the language actually in force.

    ``lang="zh"`` asks for Chinese labels. If no CJK font is installed the result is ``"en"`` and one
    :class:`CJKFontWarning` says so (once per session).
    """
    check_lang(lang)
    if style:
        matplotlib.rcParams.update(HOUSE_STYLE)
    effective = lang
    if lang == "zh":
        font = cjk_font()
        if font is None:
            effective = "en"
            if not _state["warned"]:
                _state["warned"] = True
                warnings.warn("no CJK font found (install e.g. Debian's fonts-wqy-microhei or "
                              "fonts-noto-cjk); charts use English labels", CJKFontWarning, stacklevel=2)
        else:
            sans = [font] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != font]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = sans
            matplotlib.rcParams["axes.unicode_minus"] = False
            if not _has_bold(font):
                # e.g. WenQuanYi Micro Hei has no bold face: matplotlib draws bold text in the regular
                # weight and logs a "Failed to find font weight bold" line into the notebook for each one.
                matplotlib.rcParams["axes.titleweight"] = "normal"
                logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _state["lang"] = effective
    return effective


def _has_bold(family: str) -> bool:
    weights = [f.weight for f in font_manager.fontManager.ttflist if f.name == family]
    return any((w if isinstance(w, int) else 700 if w == "bold" else 400) >= 600 for w in weights)


def current_lang() -> str:
    """The label language in force ('en' or 'zh')."""
    return _state["lang"]


def label(en: str, zh: str | None = None, lang: str | None = None) -> str:
    """Pick the English or Chinese text for a chart label according to the language in force.

    Without ``zh``, a term of the glossary (:mod:`crmlab.glossary`) takes its Chinese name from there, so a
    concept has one name in every chart; other text stays English.

    >>> label("churn rate", lang="zh"), label("churn rate", lang="en")
    ('流失率', 'churn rate')
    """
    lang = lang or _state["lang"]
    if lang == "zh":
        if zh:
            return zh
        from .glossary import lookup

        found = lookup(en)
        if found is not None:
            return found.zh
    return en


@contextmanager
def render_check():
    """Context manager that turns matplotlib's missing-glyph warnings into errors (for tests)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from.*")
        yield


def _reset_for_tests() -> None:
    _state.update(lang="en", warned=False, font=None, searched=False)
