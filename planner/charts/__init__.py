"""Charts: draw finished results (a plan, a comparison, a negotiation) on a matplotlib Axes.

:mod:`planner.charts.plots` has the chart functions; :mod:`planner.charts.style`
the palette, the fonts (Chinese included on any machine) and ``chart_style()`` (the chart rcParams while a chart is made).
"""

from .plots import (
    adjustment_label,
    clear_chart,
    debt_style,
    group_small,
    interest_compared,
    money_tick,
    month_label,
    negotiation_compared,
    payment_plan,
    payoff_order,
    payoff_segments,
    payoff_timeline,
    savings_waterfall,
    strategies_compared,
    strategy_label,
    total_line,
)
from .offers import shares_chart
from .progress import progress_chart
from .style import HATCHES, MUTED, PALETTE, TOTAL_COLOR, bundled_font_path, chart_style, cjk_family, font_families, rc, style_ticks

__all__ = [
    "HATCHES",
    "MUTED",
    "PALETTE",
    "TOTAL_COLOR",
    "adjustment_label",
    "bundled_font_path",
    "clear_chart",
    "chart_style",
    "cjk_family",
    "debt_style",
    "font_families",
    "group_small",
    "interest_compared",
    "money_tick",
    "month_label",
    "negotiation_compared",
    "payment_plan",
    "payoff_order",
    "payoff_segments",
    "payoff_timeline",
    "progress_chart",
    "rc",
    "savings_waterfall",
    "shares_chart",
    "strategies_compared",
    "strategy_label",
    "style_ticks",
    "total_line",
]
