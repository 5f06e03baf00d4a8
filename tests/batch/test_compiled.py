"""The compiled loop's own pieces: its rounding and both of its month loops, against the single engine.

The compiled loop (planner/batch/compiled.py) plans a portfolio with no settlement and
no deferral in a short month loop and every other portfolio in the general one; the
tests here run the same debts through each and compare both with the single engine.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import money
from planner.batch import kernel, plan_batch

from tests.batch.test_batch import assert_same, books
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
