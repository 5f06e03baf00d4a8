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
from .result import Comparison, Plan
from .strategies import STRATEGIES, STRATEGY_LABELS

__all__ = [
    "Comparison",
    "Debt",
    "InfeasibleBudgetError",
    "InputError",
    "Plan",
    "PlannerError",
    "PlannerWarning",
    "Problem",
    "STRATEGIES",
    "STRATEGY_LABELS",
    "compare",
    "load_debts",
    "plan",
    "required_budget",
    "__version__",
]
