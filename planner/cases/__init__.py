"""The case book: clients' cases followed month by month (an outer layer over the core).

``CaseBook`` opens a book (SQLite file by default, PostgreSQL by URL); ``Case``
records payments, statement balances, agreements and re-plans and answers where
the client stands. SQLAlchemy is imported only here, never on the ``planner
plan`` path.
"""

from .answers import Caseload, CaseloadRow, DebtStatus, Progress, Shown, Status, ahead_text, local_date
from .book import Case, CaseBook
from .claims import CaseClaim, case_claim
from .model import Agreement, CaseData, Replan, parse_amount
from .months import month_index, month_name
from .store import SCHEMA_VERSION, database_error, default_location

__all__ = [
    "Agreement",
    "Case",
    "CaseBook",
    "CaseClaim",
    "CaseData",
    "Caseload",
    "CaseloadRow",
    "DebtStatus",
    "Progress",
    "Replan",
    "SCHEMA_VERSION",
    "Shown",
    "Status",
    "ahead_text",
    "case_claim",
    "database_error",
    "default_location",
    "local_date",
    "month_index",
    "month_name",
    "parse_amount",
]
