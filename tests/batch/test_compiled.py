"""The compiled loop's own pieces: its rounding, and its plans against the reference engine.

The compiled loop (planner/batch/compiled.py) is the batch engine's one month loop; the tests
here run it on portfolios with and without holidays and settlements, several strategies at
once, at its int64 bounds, and compare each plan with the reference engine's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, money
from planner.batch import book_from_debts, kernel, plan_batch, run_books

from tests.batch.test_batch import assert_same, books, expected, got, negotiated_books
from tests.strategies import strategy_names

compiled = pytest.importorskip("planner.batch.compiled")

_LIMIT = 1 << 62  # the loop calls the rounding only below this (see half_up_unsigned)


@st.composite
def operands(draw):
    """A numerator and denominator as the loop passes them: ``2 * n + d <= 2**62``, ``d >= 1``;
    sizes from small to the limit, interest-like ones (balance times a rate's numerator) too."""
    d = draw(st.one_of(st.integers(1, 12_000), st.integers(1, (_LIMIT // 4))))
    room = (_LIMIT - d) // 2
    n = draw(st.one_of(
        st.integers(0, min(room, 60_000_00 * 400)),
        st.integers(0, room),
        st.just(room),
    ))
    return n, d


@settings(max_examples=2000, deadline=None)
@given(operands())
def test_unsigned_rounding_is_money_half_up(nd):
    n, d = nd
    assert compiled.half_up_unsigned(n, d) == money.half_up(n, d)


@pytest.mark.parametrize("n, d", [(0, 1), (1, 2), (3, 2), (5, 10), (15, 10), (25, 10), ((_LIMIT - 1) // 2, 1),
                                  ((_LIMIT - 12_000) // 2, 12_000), (1, _LIMIT // 4), (_LIMIT // 8, _LIMIT // 4)])
def test_unsigned_rounding_at_halves_and_the_limit(n, d):
    # exact halves round up (1/2 -> 1, 15/10 -> 2, 25/10 -> 3) and the largest operands the loop allows
    assert compiled.half_up_unsigned(n, d) == money.half_up(n, d)


def _general(debts, horizon):
    """The same debts with a deferral that starts after the horizon: the plan does not change
    (the loop reads the holiday's months every month)."""
    first = debts[0].with_(defer_from=horizon + 1, defer_months=1)
    return [first, *debts[1:]]


@settings(max_examples=40, deadline=None)
@given(book=books(max_size=6), strategy=strategy_names, schedules=st.booleans())
def test_a_holiday_after_the_horizon_changes_nothing_and_both_give_the_reference_plans(book, strategy, schedules):
    debts, budgets = book
    horizon = 120
    both = [*debts, *(_general(d, horizon) for d in debts)]
    assert_same(both, budgets + budgets, strategy, horizon=horizon)
    r = plan_batch(both, budgets + budgets, strategy, horizon=horizon, schedules=schedules)
    k = len(debts)
    for field in ("months", "interest", "paid", "remaining", "unspent", "infeasible_month", "shortfall"):
        values = getattr(r, field).tolist()
        assert values[:k] == values[k:], field
    assert r.status[:k] == r.status[k:]


# -- several strategies in one run ---------------------------------------------------------------

_NAMES = ["avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost"]


@st.composite
def _strategies(draw):
    """Two to five batch strategies in any order."""
    order = draw(st.permutations(_NAMES))
    return order[:draw(st.integers(2, 5))]


def _assert_reference_plans(debts, budgets, strategies, horizon):
    runs = run_books(book_from_debts(debts, budgets), strategies, horizon=horizon, workers=1)
    for s in strategies:
        for p, (ds, budget) in enumerate(zip(debts, budgets)):
            assert got(runs[s], p) == {**expected(ds, budget, s, horizon), "schedule": None}, (s, p)
    return runs


@settings(max_examples=30, deadline=None)
@given(book=books(max_size=6), negotiated=negotiated_books(), strategies=_strategies(), horizon=st.integers(1, 240))
def test_several_strategies_in_one_run_give_the_reference_plans(book, negotiated, strategies, horizon):
    # Plain portfolios, portfolios with fees, nothing owed, budgets short in month 1 or later,
    # horizons that end plans early, and negotiated ones (settlements, holidays).
    debts, budgets = book
    more, more_budgets = negotiated
    _assert_reference_plans([*debts, *more], [*budgets, *more_budgets], strategies, horizon)


def test_interest_that_could_pass_int64_is_left_to_the_reference_engine():
    # 10 billion yuan (the most a debt may owe) at 60% a year (5% a month) with no minimum passes
    # the compiled loop's int64 bound (about 2.3e18 cents) in month 301; beside it a small debt.
    # The loop flags the portfolio when its plan gets there and the reference engine plans it.
    huge = Debt("huge", Decimal("10000000000"), 60, 0)
    small = Debt("small", 1000, 12, 100)
    debts, budgets = [[huge, small], [small]], [Decimal(5000), Decimal(500)]
    b = book_from_debts(debts, budgets)
    for s in ("avalanche", "minimum_only"):
        assert kernel.simulate_span(b, s, 0, b.size, 400, False)["fallback"].tolist() == [True, False]
    _assert_reference_plans(debts, budgets, ["avalanche", "minimum_only"], 400)


def test_a_portfolio_of_many_debts_gives_the_reference_plans():
    many = [Debt(f"d{k}", 1000 + 37 * k, (k * 7) % 36, 50) for k in range(65)]
    few = many[:3]
    budgets = [Decimal(sum(d.min_payment for d in many) + 900), Decimal(400)]
    _assert_reference_plans([many, few], budgets, ["minimum_only", "snowball", "avalanche"], 600)


def test_a_target_paid_off_exactly_by_what_the_minimums_leave():
    # By hand, avalanche at 0% (ties go to the smaller debt): A 300 (minimum 10) and B 5,000
    # (minimum 50), budget 150. B pays its 50 and A takes the other 100 a month:
    # 200 left after month 1, 100 after month 2, and month 3's 100 pays it off exactly. B then
    # takes all 150: 4,850 after month 3, 32 months of 150 and 50 in month 36 (100 unspent).
    a, b = Debt("A", 300, 0, 10), Debt("B", 5000, 0, 50)
    runs = _assert_reference_plans([[a, b]], [Decimal(150)], ["avalanche", "minimum_only"], 600)
    r = runs["avalanche"]
    assert (r.months[0], r.paid[0], r.interest[0], r.unspent[0]) == (36, 530000, 0, 10000)


def test_the_last_debt_paid_off_exactly_ends_the_plan_that_month():
    # A alone, 300 at 0% with a minimum of 10 and a budget of 100: 100 a month, paid off
    # exactly in month 3 (nothing unspent); with a second, cleared debt beside it the same.
    a = Debt("A", 300, 0, 10)
    runs = _assert_reference_plans([[a], [a, Debt("Z", 0, 0, 0)]], [Decimal(100), Decimal(100)],
                                   ["avalanche", "minimum_only"], 600)
    r = runs["avalanche"]
    assert r.months.tolist() == [3, 3] and r.unspent.tolist() == [0, 0] and r.paid.tolist() == [30000, 30000]
