"""The case book: clients' cases followed month by month (an outer layer over the core).

``CaseBook`` opens a book (SQLite file by default, PostgreSQL by URL); ``Case``
records payments, statement balances, agreements and re-plans and answers where
the client stands. SQLAlchemy is imported only here, never on the ``planner
plan`` path.
"""

from .book import Agreement, Case, CaseBook, Caseload, CaseloadRow, DebtStatus, Replan, Status, parse_amount
from .months import month_index, month_name
from .store import SCHEMA_VERSION, default_location

__all__ = [
    "Agreement",
    "Case",
    "CaseBook",
    "Caseload",
    "CaseloadRow",
    "DebtStatus",
    "Replan",
    "SCHEMA_VERSION",
    "Status",
    "default_location",
    "month_index",
    "month_name",
    "parse_amount",
]
