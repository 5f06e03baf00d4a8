"""planner: exact debt-repayment and negotiation plans.

The public surface is deliberately small; see docs/architecture.md for the layers
behind it.

>>> from planner import Debt, plan
>>> p = plan([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], budget=1500)
>>> p.months, p.reconciles
(6, True)
"""

__version__ = "0.1.0"

from .api import compare, negotiate, plan, required_budget
from .debt import Debt
from .errors import InfeasibleBudgetError, InputError, PlannerError, PlannerWarning, Problem
from .io import load_debts, load_scenarios
from .negotiation import Adjustment, Negotiation, Scenario, affordability, price_agency
from .rates import schedule, true_apr
from .references import assess
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

#: Names from the outer layers, imported on first use so that ``import planner``
#: (and the command line's single-plan path) never loads numpy, jinja2 or the report.
_LAZY = {"plan_batch": "batch", "build_report": "report", "write_report": "report"}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
