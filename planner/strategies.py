"""Repayment strategies: each one a small function from debts to a priority order.

A strategy receives the debts and returns them in the order that extra money
goes to them (the order is fixed at the start of the plan). ``minimum_only``
returns an empty order: nothing beyond the minimums is paid. Adding a strategy
is one function and one line in :data:`STRATEGIES`.

>>> from planner.debt import Debt
>>> ds = [Debt("A", 1000, 10, 50), Debt("B", 500, 30, 50), Debt("C", 200, 20, 20)]
>>> [d.name for d in avalanche(ds)]
['B', 'C', 'A']
>>> [d.name for d in snowball(ds)]
['C', 'B', 'A']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .debt import Debt
from .errors import PlannerError
from .money import normalise

Strategy = Callable[[Sequence[Debt]], list[Debt]]


def avalanche(debts: Sequence[Debt]) -> list[Debt]:
    """Highest rate first (the cheapest way out); ties: smaller balance, then name."""
    return sorted(debts, key=lambda d: (-d.effective_apr, d.owed, d.name))


def snowball(debts: Sequence[Debt]) -> list[Debt]:
    """Smallest balance first (quick wins); ties: higher rate, then name."""
    return sorted(debts, key=lambda d: (d.owed, -d.effective_apr, d.name))


def minimum_only(debts: Sequence[Debt]) -> list[Debt]:
    """The baseline: minimums only; the rest of the budget is not spent."""
    return []


def cash_flow_index(debts: Sequence[Debt]) -> list[Debt]:
    """Smallest balance / minimum payment first: frees monthly cash soonest."""
    def index(d: Debt):
        return d.owed / d.min_payment if d.min_payment > 0 else float("inf")

    return sorted(debts, key=lambda d: (index(d), -d.effective_apr, d.name))


def highest_interest_cost(debts: Sequence[Debt]) -> list[Debt]:
    """Largest first-month interest first; ties: higher rate, then name."""
    return sorted(debts, key=lambda d: (-d.monthly_interest, -d.effective_apr, d.name))


def custom(order: Sequence[str]) -> Strategy:
    """A strategy that follows the names given; debts not named follow in avalanche order."""
    order = list(order)

    def by_order(debts: Sequence[Debt]) -> list[Debt]:
        by_name = {d.name: d for d in debts}
        unknown = [n for n in order if n not in by_name]
        if unknown:
            raise PlannerError(
                f"自定义顺序中有未知的债务 / unknown debts in the custom order: {', '.join(unknown)}; "
                f"known: {', '.join(by_name)}"
            )
        named = [by_name[n] for n in dict.fromkeys(order)]
        return named + [d for d in avalanche(debts) if d.name not in set(order)]

    by_order.__name__ = "custom"
    return by_order


#: Every built-in strategy by name. ``custom`` needs an order: see :func:`get_strategy`.
STRATEGIES: dict[str, Strategy] = {
    "avalanche": avalanche,
    "snowball": snowball,
    "minimum_only": minimum_only,
    "cash_flow_index": cash_flow_index,
    "highest_interest_cost": highest_interest_cost,
}

#: Strategy names with labels for people.
STRATEGY_LABELS = {
    "avalanche": ("雪崩法（先还利率最高）", "Avalanche (highest rate first)"),
    "snowball": ("雪球法（先还余额最小）", "Snowball (smallest balance first)"),
    "minimum_only": ("只还最低（基准）", "Minimums only (baseline)"),
    "cash_flow_index": ("现金流指数（先释放月供）", "Cash-flow index (free up payments first)"),
    "highest_interest_cost": ("先还利息最多", "Highest interest cost first"),
    "custom": ("自定义顺序", "Custom order"),
}


def get_strategy(strategy: str | Strategy, order: Sequence[str] | None = None) -> tuple[str, Strategy]:
    """``(name, function)`` for a strategy name (or a function); ``custom`` takes ``order``."""
    if callable(strategy):
        return getattr(strategy, "__name__", "custom"), strategy
    names = ", ".join([*STRATEGIES, "custom"])
    if not isinstance(strategy, str):
        raise PlannerError(f"策略应为名称 / the strategy must be a name: {str(strategy)[:40]!r}; choose one of: {names}")
    if strategy == "custom":
        if isinstance(order, str):
            order = order.split(",")
        try:  # names normalised as the loaders normalise them
            order = [name for name in (normalise(x) for x in (order if order is not None else [])) if name]
        except TypeError:
            raise PlannerError(f"自定义顺序应为债务名称的列表 / the custom order must be a list of debt names: {str(order)[:40]!r}") from None
        if not order:
            raise PlannerError("自定义顺序需要给出债务名称 / the custom strategy needs an order of debt names")
        return "custom", custom(order)
    try:
        return strategy, STRATEGIES[strategy]
    except KeyError:
        names = ", ".join([*STRATEGIES, "custom"])
        raise PlannerError(f"未知策略 / unknown strategy {strategy!r}; choose one of: {names}") from None
