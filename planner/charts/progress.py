"""The progress chart of a case: plan against what happened.

It draws a :class:`planner.cases.Progress` (finished data: the case layer computes
it, nothing is simulated here): the plan in force as a line, the first plan as a
dashed line when a re-plan replaced it, the recorded balances as points, each
re-plan as a dotted vertical line, and each cleared debt as a milestone.
"""

from __future__ import annotations

from ..i18n import t
from .plots import _axes, _money_axis
from .style import MUTED, PALETTE, TOTAL_COLOR, chart_style, style_ticks

CLEARED_COLOR = "#009E73"  # Okabe-Ito bluish green


def _index(month: str) -> int:
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def _name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def progress_chart(progress, ax=None, *, lang: str = "en", legend: bool = True):
    """Planned total owed (line) against the recorded total (points), re-plans and cleared debts marked.

    Returns the Axes. The plan line's ``gid`` is ``"plan"``, the points' ``"actual"``.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with chart_style():
        ax = _axes(ax)
        yuan = lambda series: ([_index(m) for m, _ in series], [c / 100 for _, c in series])  # noqa: E731
        if progress.replans:
            xs, ys = yuan(progress.first_plan)
            ax.plot(xs, ys, color=MUTED, linestyle="--", linewidth=1.3, label=t("chart_progress_first_plan", lang), gid="first_plan")
        xs, ys = yuan(progress.plan)
        ax.plot(xs, ys, color=PALETTE[0], linewidth=2, label=t("chart_progress_plan", lang), gid="plan")
        xs, ys = yuan(progress.actual)
        ax.plot(xs, ys, linestyle="none", marker="o", markersize=5, color=TOTAL_COLOR, label=t("chart_progress_actual", lang), gid="actual")
        actual = dict(zip(xs, ys))
        for k, (month, _reason) in enumerate(progress.replans):
            x = _index(month) - 0.5
            ax.axvline(x, color=PALETTE[1], linestyle=":", linewidth=1.5, label=t("chart_progress_replan", lang) if k == 0 else None)
        for k, (month, debt) in enumerate(progress.cleared):
            x = _index(month)
            y = actual.get(x, 0.0)
            ax.plot([x], [y], marker="*", markersize=13, color=CLEARED_COLOR, linestyle="none", zorder=5)
            ax.annotate(
                t("chart_progress_cleared", lang, debt=debt), xy=(x, y), xytext=(4, 8 + 11 * (k % 3)), textcoords="offset points",
                fontsize=8, color=CLEARED_COLOR,
            )
        ax.set_title(t("chart_progress_title", lang), loc="left", y=1.01)
        ax.set_ylabel(t("chart_owed_axis", lang))
        ax.set_ylim(bottom=0)
        _money_axis(ax.yaxis, lang)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _name(int(round(v)))))
        if legend:
            ax.legend(loc="upper right", fontsize=8)
        return style_ticks(ax)


__all__ = ["progress_chart"]
