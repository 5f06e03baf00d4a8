"""The counsellor's session report: :mod:`.model` computes it (pure), :mod:`.render` writes HTML or PDF."""

from .model import Call, DebtRow, Report, ScenarioRow, Shortfall, StrategyRow, build_report, text
from .followup import FollowUp, build_followup, render_followup, write_followup
from .letters import share_letter, share_letters, write_document
from .render import chart_images, render_html, render_pdf, screenshot, write_report

__all__ = [
    "Call",
    "DebtRow",
    "FollowUp",
    "Report",
    "ScenarioRow",
    "Shortfall",
    "StrategyRow",
    "build_followup",
    "build_report",
    "chart_images",
    "render_followup",
    "render_html",
    "render_pdf",
    "screenshot",
    "share_letter",
    "share_letters",
    "text",
    "write_document",
    "write_followup",
    "write_report",
]
