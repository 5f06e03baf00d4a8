"""Notebook widgets: controls wired to the core and to :mod:`planner.charts`.

Each widget keeps its state in one traitlets object (``widget.state``) and has a
``set(...)`` method, so a test drives it as a person would, without a browser.
:mod:`.canvas` shows a chart as a PNG.
"""

from .canvas import Canvas
from .explorers import (
    CounsellorSession,
    DebtLoader,
    DebtTable,
    NegotiationExplorer,
    StrategyExplorer,
    asks_to_scenario,
    debts_html,
    minimum_budget,
    rate_cells,
    swatch,
)
from .case_button import save_case_button
from .follow_up import FollowUp, sample_book
from .offers import FairShareView, StatementEntry
from .report_button import default_report_folder, report_button

__all__ = [
    "Canvas",
    "CounsellorSession",
    "DebtLoader",
    "DebtTable",
    "FairShareView",
    "FollowUp",
    "NegotiationExplorer",
    "StatementEntry",
    "StrategyExplorer",
    "asks_to_scenario",
    "debts_html",
    "minimum_budget",
    "rate_cells",
    "report_button",
    "sample_book",
    "default_report_folder",
    "save_case_button",
    "swatch",
]
