"""The fast engine (``plan(method="fast")``, :mod:`planner.tracks`) against the reference monthly
loop (``method="reference"``, :mod:`planner.engine`): the same plan, row for row, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import Debt, InfeasibleBudgetError, PlannerError, compare, plan
from tests.strategies import (
    feasible_budgets,
    negotiated_portfolios,
    portfolios,
    strategy_names,
    varied_portfolios,
    yuan,
)


def plans_or_errors(debts, budget, strategy, **kwargs):
    """Both engines' plans, or both engines' errors (as text)."""
    out = []
    for method in ("fast", "reference"):
        try:
            out.append(plan(debts, budget, strategy, method=method, **kwargs))
        except InfeasibleBudgetError as exc:
            out.append(("infeasible", str(exc), exc.budget, exc.required, exc.month))
    return out


def assert_same(fast, ref):
    """Every public view of two plans is equal (the summaries first: they do not read the rows)."""
    if isinstance(ref, tuple):
        assert fast == ref
        return
    assert (fast.months, fast.total_interest, fast.total_paid, fast.total_forgiven, fast.remaining) == (
        ref.months, ref.total_interest, ref.total_paid, ref.total_forgiven, ref.remaining)
    assert fast.outcomes == ref.outcomes
    assert (fast.months_run, fast.lump_paid, fast.never_paid, fast.reconciles) == (
        ref.months_run, ref.lump_paid, ref.never_paid, ref.reconciles)
    assert fast.payments_by_month() == ref.payments_by_month()
    assert fast.cents() == ref.cents()
    assert fast.schedule_rows() == ref.schedule_rows()
    assert fast.ledger() == ref.ledger()
    assert fast.columns.series() == ref.columns.series()
    assert fast.balances().equals(ref.balances())
    assert fast.reconciles


@given(st.data(), portfolios(max_size=8), strategy_names)
def test_fast_engine_equals_the_reference(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts))
    fast, ref = plans_or_errors(debts, budget, strategy, horizon=data.draw(st.integers(1, 240)))
    assert_same(fast, ref)


@given(st.data(), varied_portfolios(), strategy_names)
def test_fast_engine_equals_the_reference_on_overdue_debts(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts) | st.integers(0, 10**6).map(yuan))
    fast, ref = plans_or_errors(debts, budget, strategy, horizon=data.draw(st.integers(1, 120)))
    assert_same(fast, ref)


@given(st.data(), negotiated_portfolios(), strategy_names)
def test_fast_engine_equals_the_reference_with_holidays_and_settlements(data, debts, strategy):
    # Payment holidays make the order of who takes the rest of the budget change mid-plan;
    # settlements pay from the lump sum; extra payments and budget changes move the cash.
    budget = data.draw(feasible_budgets(debts) | st.integers(0, 10**6).map(yuan))
    extra = data.draw(st.dictionaries(st.integers(1, 40), st.integers(0, 5_000_000).map(yuan), max_size=3))
    later = data.draw(st.dictionaries(st.integers(1, 40), st.integers(0, 5_000_000).map(yuan), max_size=2))
    fast, ref = plans_or_errors(debts, budget, strategy, horizon=60, extra=extra, budget_changes=later)
    assert_same(fast, ref)


def test_a_plan_read_again_gives_the_same_rows():
    # The rows of a fast plan are built once, on first read; the summaries never need them.
    debts = [Debt("A", 5000, 18, 200), Debt("B", 3000, 36, 150, fees_owed=120), Debt("C", 0, 10, 10)]
    p = plan(debts, 600, "snowball")
    totals = (p.total_interest, p.total_paid)
    assert p.schedule_rows() == p.schedule_rows()
    assert (p.total_interest, p.total_paid) == totals == (
        plan(debts, 600, "snowball", method="reference").total_interest,
        plan(debts, 600, "snowball", method="reference").total_paid)
    assert p.schedule.equals(plan(debts, 600, "snowball", method="reference").schedule)


def test_balances_and_payments_follow_the_schedule_rows():
    # The per-debt views are read from each debt's months; the rows say the same.
    debts = [Debt("A", 5000, 18, 200), Debt("B", 3000, 36, 150, fees_owed=120), Debt("C", 0, 10, 10)]
    for method in ("fast", "reference"):
        p = plan(debts, 600, "avalanche", method=method)
        owed = p.balances()
        paid = p.payments_by_month()
        for r in p.schedule_rows():
            assert owed.loc[r.month, p.debts[r.debt].name] == (r.closing + r.fees) / 100
            assert paid[r.debt][r.month - 1] == r.payment / 100
        assert owed.loc[0].tolist() == [5000.0, 3120.0, 0.0]


def test_compare_takes_the_method_too():
    debts = [Debt("A", 5000, 18, 200), Debt("B", 3000, 36, 150)]
    fast, ref = compare(debts, 700), compare(debts, 700, method="reference")
    assert [p.cents() for p in fast] == [p.cents() for p in ref]


def test_an_unknown_method_is_a_planner_error():
    with pytest.raises(PlannerError, match="method"):
        plan([Debt("A", 100, 0, 10)], 50, method="numba")


def test_nothing_owed_runs_no_month():
    p = plan([Debt("A", 0, 10, 10), Debt("B", Decimal("0.00"), 0, 0)], 100)
    assert (p.months, p.months_run, p.cents()["month"]) == (0, 0, [])
