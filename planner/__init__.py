"""planner: exact debt-repayment and negotiation plans.

The public surface is deliberately small; see the README.

>>> from planner import Debt, plan
>>> p = plan([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], budget=1500)
>>> p.months, p.reconciles
(6, True)
"""

__version__ = "0.1.0"

from .debt import Debt
from .engine import compare, plan, required_budget
from .errors import InfeasibleBudgetError, InputError, PlannerError, PlannerWarning, Problem
from .loader import load_debts
from .negotiation import Adjustment, Negotiation, Scenario, affordability, load_scenarios, negotiate, price_agency
from .rates import schedule, true_apr
from .references import assess
from .report import build_report, write_report
from .result import Comparison, Plan
from .strategies import STRATEGIES, STRATEGY_LABELS

__all__ = [
    "Adjustment",
    "Comparison",
    "Debt",
    "InfeasibleBudgetError",
    "InputError",
    "Negotiation",
    "Plan",
    "PlannerError",
    "PlannerWarning",
    "Problem",
    "STRATEGIES",
    "STRATEGY_LABELS",
    "Scenario",
    "affordability",
    "assess",
    "build_report",
    "compare",
    "load_debts",
    "load_scenarios",
    "negotiate",
    "plan",
    "plan_batch",
    "price_agency",
    "required_budget",
    "schedule",
    "true_apr",
    "write_report",
    "__version__",
]


def __getattr__(name):
    # The batch engine imports numpy: load it on first use, never on the CLI's path.
    if name == "plan_batch":
        from .batch import plan_batch

        return plan_batch
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
