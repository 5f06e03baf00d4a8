"""Chart style: the palette and fonts (Latin text in DejaVu Sans, Chinese in a CJK font).

Fonts for charts: Latin text in DejaVu Sans, Chinese in a CJK font.

A system CJK font is used when matplotlib can find one (Noto Sans CJK,
Source Han Sans, WenQuanYi, Microsoft YaHei, PingFang ...). Otherwise the
OFL-licensed Noto Sans CJK shipped by the PyPI package ``noto-cjk-sans-otc``
(a dependency of this package) is registered with matplotlib's font manager.
Nothing here changes global ``rcParams`` for good: charts apply :func:`rc` inside
:func:`chart_style` (which puts back only those keys) and set their tick-label
family, so a user's own settings are left alone.

>>> fams = font_families()
>>> fams[0], len(fams) == 2
('DejaVu Sans', True)
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

#: Okabe & Ito (2008) colour-blind-safe palette, black left out (used for totals).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#999999")
#: Hatches used after the palette has been used once (a 10-debt portfolio stays readable).
HATCHES = (None, "//", "..", "xx")
TOTAL_COLOR = "#000000"
MUTED = "#BBBBBB"

#: System CJK families, most preferred first (Simplified Chinese faces first).
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Droid Sans Fallback",
)
#: The face of the bundled collection to use: Simplified Chinese glyph forms.
BUNDLED_FAMILY = "Noto Sans CJK SC"
LATIN_FAMILY = "DejaVu Sans"


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def bundled_font_path() -> str | None:
    """Path of the Noto Sans CJK collection from ``noto-cjk-sans-otc``, if installed."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = str(noto_cjk_sans_otc.FONT_PATH)
    import os

    return path if os.path.exists(path) else None


@cache
def cjk_family() -> str:
    """The family name matplotlib should use for Chinese text.

    Raises :class:`RuntimeError` (with the fix) when no CJK font can be found.
    """
    known = _known_families()
    for family in SYSTEM_CJK_FAMILIES:
        if family in known:
            return family
    path = bundled_font_path()
    if path is not None:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(path)  # registers every face of the collection
        known = _known_families()
        if BUNDLED_FAMILY in known:
            return BUNDLED_FAMILY
        cjk = sorted(name for name in known if "CJK" in name)
        if cjk:  # pragma: no cover - an older collection without the SC face
            return cjk[0]
    raise RuntimeError(
        "没有找到中文字体：请安装 noto-cjk-sans-otc（pip install noto-cjk-sans-otc）"
        " / no Chinese font found: install noto-cjk-sans-otc (pip install noto-cjk-sans-otc)"
    )


def font_families() -> list[str]:
    """Font family list for charts: Latin first, the CJK font as glyph fallback."""
    return [LATIN_FAMILY, cjk_family()]


def rc() -> dict:
    """rcParams for a chart: fonts, a colour-blind-safe cycle, clean axes."""
    from cycler import cycler

    return {
        "font.family": font_families(),
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.alpha": 0.35,
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "savefig.bbox": "tight",
    }



def style_ticks(ax):
    """Tick labels in the chart fonts (Latin, then CJK as fallback); returns ``ax``.

    Nothing to do when both axes' first major tick label already has these fonts (an Axes
    a chart is redrawn on; ``tick_params`` gives them to every tick, and to the ticks made
    later, until the Axis is cleared): ``tick_params`` would set every tick label's font again.
    """
    families = font_families()
    if all(list(axis.majorTicks[0].label1.get_fontfamily()) == families for axis in (ax.xaxis, ax.yaxis)):
        return ax
    ax.tick_params(labelfontfamily=families)
    return ax


@cache
def _rc_items() -> tuple:
    return tuple(rc().items())


def _in_chart_style() -> bool:
    """Whether every chart rcParam already has the chart's value (e.g. inside an outer :func:`chart_style`)."""
    import matplotlib as mpl

    params = mpl.rcParams
    for key, value in _rc_items():
        current = params[key]
        if current is not value and current != value:
            return False
    return True


@contextmanager
def chart_style():
    """The chart fonts (CJK fallback), palette and clean axes while the block runs.

    Only the chart's own rcParams (:func:`rc`) are set, and only they are put back
    afterwards. ``matplotlib.rc_context`` would put back every rcParam, including
    ``interactive``: when the first chart of a fresh Jupyter kernel makes matplotlib
    choose its backend, the inline backend switches interactive mode on, and restoring
    the saved ``False`` on exit left every later figure of the session undisplayed.

    Entering it where the chart style is already in force (a chart function
    called by a widget that draws in the chart style) changes nothing, so it
    does nothing.
    """
    import matplotlib as mpl

    if _in_chart_style():
        yield
        return
    params = mpl.rcParams
    saved = {key: params[key] for key, _ in _rc_items()}
    params.update(dict(_rc_items()))
    try:
        yield
    finally:
        params.update(saved)


__all__ = [
    "BUNDLED_FAMILY",
    "HATCHES",
    "LATIN_FAMILY",
    "MUTED",
    "PALETTE",
    "SYSTEM_CJK_FAMILIES",
    "TOTAL_COLOR",
    "bundled_font_path",
    "chart_style",
    "cjk_family",
    "font_families",
    "rc",
    "style_ticks",
]
