"""The core's month step (:func:`planner.engine.open_month`, :func:`~planner.engine.apply_payment`,
:func:`~planner.engine.pay_month`) and the views of a plan built from it.

The reference engine (:func:`planner.plan`) is the definition of the rules; the batch kernel is
held equal to it in tests/batch, the case replay in tests/cases. Here: the step's pieces by hand,
and every public view of a plan agreeing with its rows on random portfolios (Hypothesis).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from planner import Debt, InfeasibleBudgetError, plan
from planner.engine import apply_payment, open_month, pay_month, terms_of
from planner.money import from_cents
from tests.strategies import feasible_budgets, negotiated_portfolios, portfolios, strategy_names, varied_portfolios, yuan


def test_open_month_by_hand():
    # 1,000.00 at 12% (1% a month), minimum 100: 10.00 interest, the minimum due.
    t = terms_of(Debt("A", 1000, 12, 100))
    assert open_month(t, 1, 100000, 0) == (1000, 101000, 0, 10000, True, 0, 0)
    # a small balance: the minimum is what is owed (balance and fees)
    assert open_month(t, 1, 5000, 20) == (50, 5050, 20, 5070, True, 0, 0)


def test_a_holiday_and_a_settlement_by_hand():
    held = terms_of(Debt("A", 1000, 12, 100, defer_from=2, defer_months=2, defer_interest=False))
    assert open_month(held, 2, 100000, 0) == (0, 100000, 0, 0, False, 0, 0)  # no interest, no payment
    accrues = terms_of(Debt("A", 1000, 12, 100, defer_from=2, defer_months=2, defer_interest=True))
    assert open_month(accrues, 3, 100000, 0) == (1000, 101000, 0, 0, False, 0, 0)
    settles = terms_of(Debt("A", 1000, 12, 100, settle_month=3, settle_fraction=Decimal("0.4")))
    # 40% of 1,000.50 owed (balance and fees) is 400.20; 600.30 forgiven
    assert open_month(settles, 3, 100000, 50) == (0, 0, 0, 0, False, 40020, 60030)


def test_payments_go_to_fees_first_then_the_balance():
    assert apply_payment(10000, 500, 300) == (10000, 200)
    assert apply_payment(10000, 500, 700) == (9800, 0)
    assert pay_month(terms_of(Debt("A", 1000, 12, 100)), 1, 100000, 300, 10000) == (1000, 91300, 0)


@given(st.integers(0, 10**9), st.integers(0, 10**7), st.integers(0, 10**8), st.integers(0, 10**8))
def test_two_payments_leave_what_their_sum_leaves(balance, fees, a, b):
    # The engine pays a debt its minimum and then its share of the rest: the same as one payment.
    assert apply_payment(*apply_payment(balance, fees, a), b) == apply_payment(balance, fees, a + b)


def plan_or_error(debts, budget, strategy, **kwargs):
    try:
        return plan(debts, budget, strategy, **kwargs)
    except InfeasibleBudgetError as exc:
        assert exc.required > exc.budget
        return None


def assert_views_agree(p):
    """Every public view of a plan agrees with its schedule rows, and the money reconciles."""
    if p is None:
        return
    rows = p.schedule_rows()
    assert p.reconciles
    # Summed in integer cents and made yuan exactly (a debt left at 853% for ten years passes 28 digits,
    # where dividing a Decimal would round).
    assert p.total_interest == from_cents(sum(r.interest for r in rows))
    assert p.total_paid == from_cents(sum(r.payment for r in rows))
    assert p.total_forgiven == from_cents(sum(r.forgiven for r in rows))
    assert all(r.closing >= 0 and r.fees >= 0 for r in rows)
    owed = p.balances()
    paid = p.payments_by_month()
    for r in rows:
        assert owed.loc[r.month, p.debts[r.debt].name] == (r.closing + r.fees) / 100
        assert paid[r.debt][r.month - 1] == r.payment / 100
    series = p.columns.series()
    for i, s in enumerate(series):
        mine = [r for r in rows if r.debt == i]
        if s is None:
            assert not mine
        else:
            assert list(s[1]) == [r.interest for r in mine] and list(s[2]) == [r.payment for r in mine]
    assert p.schedule_rows() == rows  # read again: the same rows


@given(st.data(), portfolios(max_size=8), strategy_names)
def test_a_plans_views_agree_with_its_rows(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts))
    assert_views_agree(plan_or_error(debts, budget, strategy, horizon=data.draw(st.integers(1, 240))))


@given(st.data(), varied_portfolios(), strategy_names)
def test_a_plans_views_agree_with_its_rows_on_overdue_debts(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts) | st.integers(0, 10**6).map(yuan))
    assert_views_agree(plan_or_error(debts, budget, strategy, horizon=data.draw(st.integers(1, 120))))


@given(st.data(), negotiated_portfolios(), strategy_names)
def test_a_plans_views_agree_with_its_rows_with_holidays_settlements_and_extras(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts) | st.integers(0, 10**6).map(yuan))
    extra = data.draw(st.dictionaries(st.integers(1, 40), st.integers(0, 5_000_000).map(yuan), max_size=3))
    later = data.draw(st.dictionaries(st.integers(1, 40), st.integers(0, 5_000_000).map(yuan), max_size=2))
    assert_views_agree(plan_or_error(debts, budget, strategy, horizon=60, extra=extra, budget_changes=later))


def test_balances_and_payments_follow_the_schedule_rows():
    debts = [Debt("A", 5000, 18, 200), Debt("B", 3000, 36, 150, fees_owed=120), Debt("C", 0, 10, 10)]
    p = plan(debts, 600, "avalanche")
    assert_views_agree(p)
    assert p.balances().loc[0].tolist() == [5000.0, 3120.0, 0.0]


def test_nothing_owed_runs_no_month():
    p = plan([Debt("A", 0, 10, 10), Debt("B", Decimal("0.00"), 0, 0)], 100)
    assert (p.months, p.months_run, p.cents()["month"]) == (0, 0, [])
