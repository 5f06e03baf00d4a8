"""The compiled loop's own pieces: its rounding and both of its month loops, against the single engine.

The compiled loop (planner/batch/compiled.py) plans a portfolio with no settlement and
no deferral in a short month loop and every other portfolio in the general one; the
tests here run the same debts through each and compare both with the single engine.
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


@pytest.fixture(autouse=True, scope="module")
def _compiled_loop():
    assert kernel.use_compiled(True)
    yield
    kernel.use_compiled(None)


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
    """The same debts with a deferral that starts after the horizon: the single engine's plan
    does not change, but the compiled loop takes its general month loop for the portfolio."""
    first = debts[0].with_(defer_from=horizon + 1, defer_months=1)
    return [first, *debts[1:]]


@settings(max_examples=40, deadline=None)
@given(book=books(max_size=6), strategy=strategy_names, schedules=st.booleans())
def test_the_short_and_the_general_month_loop_give_the_single_engines_plans(book, strategy, schedules):
    debts, budgets = book
    horizon = 120
    both = [*debts, *(_general(d, horizon) for d in debts)]  # short loop, then the general loop
    assert_same(both, budgets + budgets, strategy, horizon=horizon)
    r = plan_batch(both, budgets + budgets, strategy, horizon=horizon, schedules=schedules)
    k = len(debts)
    for field in ("months", "interest", "paid", "remaining", "unspent", "infeasible_month", "shortfall"):
        values = getattr(r, field).tolist()
        assert values[:k] == values[k:], field
    assert r.status[:k] == r.status[k:]


# -- every strategy from shared tracks (book_loop_all) -----------------------------------------

_NAMES = ["avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost"]


@st.composite
def _with_minimums(draw):
    """Two to five batch strategies in any order, minimums only among them (what shares tracks)."""
    order = draw(st.permutations(_NAMES))
    chosen = order[:draw(st.integers(2, 5))]
    return chosen if "minimum_only" in chosen else [*chosen[1:], "minimum_only"]


def _one_by_one(book, strategies, horizon):
    return {s: kernel.simulate_span(book, s, 0, book.size, horizon, False) for s in strategies}


def _assert_tracks_equal_the_loop(book, strategies, horizon):
    assert kernel.shares_tracks(strategies)
    together = kernel.simulate_spans(book, strategies, 0, book.size, horizon)
    each = _one_by_one(book, strategies, horizon)
    for s in strategies:
        for field, values in each[s].items():
            assert together[s][field].tolist() == values.tolist(), (s, field)


@settings(max_examples=60, deadline=None)
@given(book=books(max_size=8), negotiated=negotiated_books(), strategies=_with_minimums(), horizon=st.integers(1, 150))
def test_strategies_from_shared_tracks_equal_the_loop_strategy_by_strategy(book, negotiated, strategies, horizon):
    # Plain portfolios (the shared tracks), portfolios with fees, nothing owed, budgets short in
    # month 1 or later, horizons that end plans early, and negotiated ones (settlements,
    # deferrals: strategy by strategy inside book_loop_all): every total, status and fallback
    # equals one book_loop call per strategy (itself held equal to the single engine above).
    debts, budgets = book
    more, more_budgets = negotiated
    b = book_from_debts([*debts, *more], [*budgets, *more_budgets])
    _assert_tracks_equal_the_loop(b, strategies, horizon)


@settings(max_examples=30, deadline=None)
@given(book=books(max_size=6), strategies=_with_minimums(), horizon=st.integers(1, 240))
def test_strategies_from_shared_tracks_give_the_single_engines_plans(book, strategies, horizon):
    debts, budgets = book
    runs = run_books(book_from_debts(debts, budgets), strategies, horizon=horizon, workers=1)
    for s in strategies:
        for p, (ds, budget) in enumerate(zip(debts, budgets)):
            assert got(runs[s], p) == {**expected(ds, budget, s, horizon), "schedule": None}, (s, p)


def test_a_track_whose_interest_could_pass_int64_is_left_to_the_loop_and_the_single_engine():
    # 10 billion yuan (the most a debt may owe) at 60% a year (5% a month) with no minimum passes
    # the compiled loop's int64 bound (about 2.3e18 cents) in month 301; beside it a small debt.
    # The portfolio leaves the shared tracks; the strategy-by-strategy loop flags it when its
    # plan gets there and the single engine plans it.
    huge = Debt("huge", Decimal("10000000000"), 60, 0)
    small = Debt("small", 1000, 12, 100)
    debts, budgets = [[huge, small], [small]], [Decimal(5000), Decimal(500)]
    b = book_from_debts(debts, budgets)
    strategies = ["avalanche", "minimum_only"]
    _assert_tracks_equal_the_loop(b, strategies, 400)
    assert kernel.simulate_spans(b, strategies, 0, b.size, 400)["avalanche"]["fallback"].tolist() == [True, False]
    runs = run_books(b, strategies, horizon=400, workers=1)
    for s in strategies:
        for p, (ds, budget) in enumerate(zip(debts, budgets)):
            assert got(runs[s], p) == {**expected(ds, budget, s, 400), "schedule": None}, (s, p)


def test_a_portfolio_of_more_debts_than_the_tracks_hold_runs_strategy_by_strategy():
    many = [Debt(f"d{k}", 1000 + 37 * k, (k * 7) % 36, 50) for k in range(compiled.TRACK_DEBTS + 1)]
    few = many[:3]
    budgets = [Decimal(sum(d.min_payment for d in many) + 900), Decimal(400)]
    _assert_tracks_equal_the_loop(book_from_debts([many, few], budgets), ["minimum_only", "snowball", "avalanche"], 600)


def test_which_strategies_share_tracks():
    assert kernel.shares_tracks(["avalanche", "minimum_only"])
    assert not kernel.shares_tracks(["avalanche", "snowball"])  # each cascade alone is cheaper
    assert not kernel.shares_tracks(["minimum_only"])


def test_a_target_paid_off_exactly_by_what_the_tracks_leave():
    # By hand, avalanche at 0% (ties go to the smaller debt): A 300 (minimum 10) and B 5,000
    # (minimum 50), budget 150. B pays its 50 on its track and A takes the other 100 a month:
    # 200 left after month 1, 100 after month 2, and month 3's 100 pays it off exactly. B then
    # takes all 150: 4,850 after month 3, 32 months of 150 and 50 in month 36 (100 unspent).
    a, b = Debt("A", 300, 0, 10), Debt("B", 5000, 0, 50)
    book = book_from_debts([[a, b]], [Decimal(150)])
    _assert_tracks_equal_the_loop(book, ["avalanche", "minimum_only"], 600)
    runs = run_books(book, ["avalanche", "minimum_only"], workers=1)
    r = runs["avalanche"]
    assert (r.months[0], r.paid[0], r.interest[0], r.unspent[0]) == (36, 530000, 0, 10000)
    assert got(r, 0) == {**expected([a, b], Decimal(150), "avalanche"), "schedule": None}


def test_the_last_debt_paid_off_exactly_ends_the_plan_that_month():
    # A alone, 300 at 0% with a minimum of 10 and a budget of 100: 100 a month, paid off
    # exactly in month 3 (nothing unspent); with a second, cleared debt beside it the same.
    a = Debt("A", 300, 0, 10)
    book = book_from_debts([[a], [a, Debt("Z", 0, 0, 0)]], [Decimal(100), Decimal(100)])
    _assert_tracks_equal_the_loop(book, ["avalanche", "minimum_only"], 600)
    r = run_books(book, ["avalanche", "minimum_only"], workers=1)["avalanche"]
    assert r.months.tolist() == [3, 3] and r.unspent.tolist() == [0, 0] and r.paid.tolist() == [30000, 30000]
