"""Share-of-balance minimums (最低还款额) in the batch engine: the compiled loop equals the reference engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt
from planner.batch import book_from_debts, book_from_frame, kernel, run_books

from tests.batch.test_batch import expected, got
from tests.strategies import feasible_budgets, share_portfolios, yuan

pytest.importorskip("planner.batch.compiled")

_NAMES = ["avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost"]


@st.composite
def share_books(draw):
    n = draw(st.integers(1, 6))
    out, budgets = [], []
    for _ in range(n):
        debts = draw(share_portfolios(max_size=5))
        out.append(debts)
        budgets.append(draw(st.one_of(feasible_budgets(debts), st.integers(0, 300_000).map(yuan))))
    return out, budgets


@settings(max_examples=40, deadline=None)
@given(book=share_books(), horizon=st.integers(1, 240))
def test_the_compiled_loop_gives_the_reference_plans_with_share_minimums(book, horizon):
    debts, budgets = book
    b = book_from_debts(debts, budgets)
    runs = run_books(b, _NAMES, horizon=horizon, workers=1, schedules=True)
    for s in _NAMES:
        for p, (ds, budget) in enumerate(zip(debts, budgets)):
            assert got(runs[s], p) == expected(ds, budget, s, horizon), (s, p)


def test_the_book_gives_back_the_same_debts_and_the_loop_plans_them_itself():
    debts = [[Debt("Card", 10000, 18, "10%+100", min_basis="statement"), Debt("Loan", 5000, 12, 500)]]
    b = book_from_debts(debts, [Decimal(2000)])
    assert b.debts(0) == debts[0] and b.take([0]).debts(0) == debts[0]
    for s in _NAMES:  # none left to the reference engine's fallback
        assert not kernel.simulate_span(b, s, 0, b.size, 600, False)["fallback"].any()


def test_a_percent_in_a_batch_tables_minimum_column():
    import pandas as pd

    frame = pd.DataFrame({
        "portfolio_id": ["1", "1", "2"], "平台": ["Card", "Loan", "Card"], "剩余本金": ["10000", "5000", "¥3,000"],
        "年化利率": ["18%", "12", "18"], "最低还款": ["10%+100", "500", "最低5%"], "budget": ["1700", "1700", "600"],
    })
    b = book_from_frame(frame)
    rule = [(d.min_percent, d.min_floor, d.min_payment) for p in (0, 1) for d in b.debts(p)]
    assert rule == [(Decimal(10), Decimal(100), Decimal(1150)), (None, 0, Decimal(500)), (Decimal(5), 0, Decimal(195))]
    assert b.minimum.tolist() == [115000, 50000, 19500]  # the first month's minimums, as Debt.min_payment
    runs = run_books(b, ["avalanche", "minimum_only"], workers=1)
    for s in runs:
        for p in range(b.size):
            assert got(runs[s], p) == {**expected(b.debts(p), Decimal(int(b.budget[p])) / 100, s), "schedule": None}, (s, p)


def test_a_bad_share_in_a_batch_table_names_row_column_and_value():
    import pandas as pd

    from planner.errors import InputError

    frame = pd.DataFrame({"portfolio_id": ["1", "2"], "name": ["A", "B"], "balance": ["100", "100"], "apr": ["18", "18"],
                          "min_payment": ["10%+x", "150%"], "budget": ["100", "100"]})
    with pytest.raises(InputError) as caught:
        book_from_frame(frame)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "min_payment", "10%+x"), (3, "min_payment", "150%")]
