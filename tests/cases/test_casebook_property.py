"""Hypothesis: random payment histories against an independent Decimal reference.

The reference re-states the conventions (README "Conventions") in Decimal yuan,
one debt at a time: interest = balance × apr / 1200 rounded half-up to the cent,
added before the payment; a payment goes to fees first, then to the balance.
The case book runs in memory here (``CaseData``): the storage is tested in
test_casebook.py on both databases.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from planner import plan
from planner.cases.book import CaseData, replan_inputs, status_of, _plan_from
from tests.strategies import feasible_budgets, portfolios

CENT = Decimal("0.01")
START = "2027-01"


def month(k: int) -> str:
    i = 2027 * 12 + k - 1
    return f"{i // 12}-{i % 12 + 1:02d}"


def reference(debts, payments_by_month):
    """Owed (balance, fees) per debt after the recorded months, in Decimal yuan."""
    state = {d.name: [d.balance, d.fees_owed] for d in debts}
    for pays in payments_by_month:
        for d in debts:
            bal, fees = state[d.name]
            if bal + fees == 0:
                continue
            bal += (bal * d.effective_apr / 1200).quantize(CENT, rounding=ROUND_HALF_UP)
            pay = pays.get(d.name, Decimal("0.00"))
            to_fees = min(pay, fees)
            state[d.name] = [bal - (pay - to_fees), fees - to_fees]
    return state


@given(st.data())
def test_random_histories_track_the_reference_and_replan_equals_the_engine(data):
    debts = data.draw(portfolios(amortising=True, max_size=4))
    budget = data.draw(feasible_budgets(debts))
    p = plan(debts, budget, start=START)
    months = data.draw(st.integers(min_value=1, max_value=6))
    history = []
    for k in range(1, months + 1):
        planned = {r["debt"]: r["payment"] for r in p.month_rows(k)}
        # pay a share of the plan's amount (0%..100%): the actual owed never falls below
        # the plan's, so no payment is above what is owed
        shares = data.draw(st.lists(st.integers(min_value=0, max_value=100), min_size=len(debts), max_size=len(debts)))
        history.append({d.name: (planned.get(d.name, Decimal(0)) * s / 100).quantize(CENT) for d, s in zip(debts, shares)})
    payments = {(month(k), n): int(a * 100) for k, pays in enumerate(history, start=1) for n, a in pays.items() if a > 0}
    if not payments:
        return
    case = CaseData(
        name="x", start=START, strategy="avalanche", order=None, source_name=None, source_sha256=None, created_at="", updated_at=None,
        debts=tuple(debts), budgets={START: int(budget * 100)}, agreements=(), payments=payments, statements={}, replans=(),
    )
    s = status_of(case)
    ref = reference(debts, history[: [k for k in range(1, months + 1) if any((month(k), d.name) in payments for d in debts)][-1]])
    actual = {d.name: d.actual_balance for d in s.debts}
    assert actual == {n: b + f for n, (b, f) in ref.items()}
    assert all(v >= 0 for v in actual.values())
    # money is conserved: paid = owed at the start + interest − owed now
    assert s.paid_to_date == sum(d.owed for d in debts) + s.interest_to_date - sum(actual.values())
    assert s.ahead_by == sum(d.planned_balance for d in s.debts) - sum(actual.values())
    # the re-plan from the actual balances is `planner plan` on those debts from the next month
    base, nxt, adjustments, _ = replan_inputs(case)
    again = [d.with_(balance=ref[d.name][0], fees_owed=ref[d.name][1]) for d in debts if sum(ref[d.name]) > 0]
    if again:
        from planner.cases.months import month_index, month_name

        expected = plan(again, budget, start=month_name(nxt))
        assert _plan_from(case, base, nxt, adjustments, "avalanche").ledger() == expected.ledger()
        assert nxt == month_index(s.as_of) + 1
