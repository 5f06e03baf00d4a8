"""The counsellor's session report: :mod:`.model` computes it (pure), :mod:`.render` writes HTML or PDF."""

from .model import Call, DebtRow, Report, ScenarioRow, Shortfall, StrategyRow, build_report, text
from .render import chart_images, render_html, render_pdf, screenshot, write_report

__all__ = [
    "Call",
    "DebtRow",
    "Report",
    "ScenarioRow",
    "Shortfall",
    "StrategyRow",
    "build_report",
    "chart_images",
    "render_html",
    "render_pdf",
    "screenshot",
    "text",
    "write_report",
]
