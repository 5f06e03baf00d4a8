"""Flat-fee instalments in the batch engine (issue 27): portfolios holding one are planned by the
exact single engine (the compiled loop does not carry the contract's schedule), so the batch
gives the reference plans to the cent, in books mixing them with plain portfolios.

Published figures (issue 27, quoting bank and platform examples; the card-instalment contract
convention A = P/n + P·f of DOMAIN.md): 30,000 over 12 at 0.6% a month is 12 payments of 2,680
and 2,160 of fees; 27,000 over 24 at 0.62% has 4,017.60 of fees; 4,000 over 12 at 0.66% with the
fee up front pays 650.13 first, 316.80 of fees.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt
from planner.batch import book_from_debts, plan_batch, run_books

from tests.batch.test_batch import assert_same, expected, got
from tests.strategies import feasible_budgets, flat_fee_portfolios, portfolios, strategy_names, yuan


def test_the_published_examples_in_the_batch():
    books = [
        [Debt("信用卡分期", 30000, 0, 2680, kind="card", fee_rate="0.6", term_months=12)],
        [Debt("分期", 27000, 0, 0, fee_rate="0.62", term_months=24)],
        [Debt("分期", 4000, 0, 0, fee_rate="0.66", term_months=12, fee_timing="upfront")],
        [Debt("卡", 3000, 18, 300)],  # a plain portfolio beside them stays in the compiled loop
    ]
    r = assert_same(books, [2680, "1292.40", "650.13", 600], "minimum_only")
    assert r.months.tolist()[:3] == [12, 24, 12]
    assert r.interest.tolist()[:3] == [216000, 401760, 31680]
    assert r.fallback == 3
    first = [p for p, m, y in zip(r.schedule["portfolio"], r.schedule["month"], r.schedule["payment"]) if p == 2]
    assert len(first) == 12
    payments = [int(y) for p, y in zip(r.schedule["portfolio"], r.schedule["payment"]) if p == 2]
    assert payments == [65013] + [33333] * 10 + [33337]


@st.composite
def mixed_books(draw):
    n = draw(st.integers(1, 8))
    out, budgets = [], []
    for _ in range(n):
        debts = draw(flat_fee_portfolios(max_size=4) | portfolios(max_size=4))
        out.append(debts)
        budgets.append(draw(feasible_budgets(debts) | st.integers(0, 3_000_000).map(yuan)))
    return out, budgets


@settings(max_examples=40, deadline=None)
@given(book=mixed_books(), strategy=strategy_names)
def test_books_with_flat_fee_debts_give_the_reference_plans(book, strategy):
    debts, budgets = book
    assert_same(debts, budgets, strategy, horizon=120)


@settings(max_examples=20, deadline=None)
@given(book=mixed_books())
def test_several_strategies_in_one_run_with_flat_fee_debts(book):
    debts, budgets = book
    strategies = ["avalanche", "snowball", "minimum_only"]
    runs = run_books(book_from_debts(debts, budgets), strategies, horizon=120, workers=1)
    for s in strategies:
        for p, (ds, budget) in enumerate(zip(debts, budgets)):
            assert got(runs[s], p) == {**expected(ds, budget, s, 120), "schedule": None}, (s, p)


def test_scenarios_over_a_book_with_flat_fee_debts():
    # a rate cap replaces the contract (a plain debt at the capped rate: the compiled loop);
    # waived fees keep it (the single engine): both as negotiate() plans them
    from planner.negotiation import Scenario, cap_rate, negotiate, waive_fees

    debts = [Debt("分期", 30000, "13.0342", 2680, fee_rate="0.6", term_months=12, fees_owed=100), Debt("卡", 3000, 18, 300)]
    for scenario in (Scenario("cap", [cap_rate("*", line="24")]), Scenario("waive", [waive_fees("*")])):
        r = plan_batch([debts], [3500], "avalanche", scenario=scenario)
        reference = negotiate(debts, 3500, [scenario])[scenario.name].plan
        assert (int(r.interest[0]), int(r.months[0])) == (int(reference.total_interest * 100), reference.months)
