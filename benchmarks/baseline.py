"""The baseline for the benchmarks: the engine's conventions as a straightforward loop.

This is what one writes first: Decimal yuan, one dict per debt, every month
each debt visited in turn, rounding half-up to the cent (四舍五入) where the
engine rounds. Same conventions as :mod:`planner.engine` (interest on the
opening balance at the effective rate, added before payment; minimums first,
then the rest of the budget in priority order, cascading within the month;
fees paid first and earning no interest; priority fixed at the start), so its
results are the engine's to the cent: ``run.py`` checks that before timing.
Deferrals and settlements are left out: the benchmark portfolios have none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def plan(debts, budget, priority: list[str], horizon: int = 600) -> dict:
    """Months to debt-free (None if never), total interest and total paid, in Decimal yuan."""
    state = {
        d.name: {"balance": d.balance, "fees": d.fees_owed, "apr": d.effective_apr, "minimum": d.min_payment}
        for d in debts
    }
    budget = Decimal(str(budget))
    total_interest = Decimal(0)
    total_paid = Decimal(0)
    month = 0
    payoff = {name: 0 for name, s in state.items() if s["balance"] + s["fees"] == 0}
    while len(payoff) < len(state) and month < horizon:
        month += 1
        open_debts = [name for name in state if name not in payoff]
        for name in open_debts:
            s = state[name]
            interest = (s["balance"] * s["apr"] / 1200).quantize(CENT, rounding=ROUND_HALF_UP)
            s["balance"] += interest
            total_interest += interest
        cash = budget
        for name in open_debts:
            s = state[name]
            amount = min(s["minimum"], s["balance"] + s["fees"])
            if amount > cash:
                raise ValueError(f"month {month}: the budget does not cover the minimums")
            _pay(s, amount)
            cash -= amount
            total_paid += amount
        for name in priority:
            if cash <= 0:
                break
            if name in open_debts:
                s = state[name]
                amount = min(cash, s["balance"] + s["fees"])
                _pay(s, amount)
                cash -= amount
                total_paid += amount
        for name in open_debts:
            if state[name]["balance"] + state[name]["fees"] == 0:
                payoff[name] = month
    months = max(payoff.values(), default=0) if len(payoff) == len(state) else None
    return {"months": months, "total_interest": total_interest, "total_paid": total_paid}


def _pay(s: dict, amount: Decimal) -> None:
    to_fees = min(amount, s["fees"])
    s["fees"] -= to_fees
    s["balance"] -= amount - to_fees


def compare(debts, budget, strategies: dict, horizon: int = 600) -> list[dict]:
    """Every strategy: ``strategies`` maps a name to a function debts -> priority order."""
    return [plan(debts, budget, [d.name for d in order(debts)], horizon) for order in strategies.values()]
