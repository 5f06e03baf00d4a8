"""Negotiation adjustments from a later month (``from_month``), in the engine and scenarios.

The reference for "an adjustment from month k" is the composition it is defined as
(engine module notes): the plan without it for months 1..k-1, then a new plan from
month k on the debts as they stand then, with the adjustment made. The test builds
that composition from two ordinary plans and compares it row by row with one plan
carrying the change.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import Debt, load_debts, plan
from planner.io import load_scenarios
from planner.engine import debts_as_of
from planner.errors import PlannerError
from planner.negotiation import (
    Scenario,
    cap_rate,
    defer,
    extend_term,
    freeze_interest,
    negotiate,
    reduce_rate,
    settle,
    waive_fees,
)

from tests.strategies import feasible_budgets, portfolios, strategy_names

SAMPLE = "sample_data/debts_zh.csv"

ASKS = [
    freeze_interest("kind:card", months=24),
    cap_rate("*", line="24"),
    waive_fees("overdue"),
    settle("分期乐", fraction=0.4, month=2),
    defer("京东金条", months=3, accrue=False, start=1),
    extend_term("借呗", months=36),
]


def composed(debts, budget, adjustment, k, strategy="avalanche"):
    """Rows of: the plan without the adjustment for months 1..k-1, then a fresh plan on the
    changed debts as they stand at month k (its month 1 renumbered k)."""
    before = plan(debts, budget, strategy, horizon=k - 1).ledger()
    state = {r[1]: (r[5], r[6]) for r in before if r[0] == k - 1}
    names = [d.name for d in debts]
    now = debts_as_of(debts, k, [state.get(n, (0, 0))[0] for n in names], [state.get(n, (0, 0))[1] for n in names])
    changed = [d for d in adjustment.apply(now) if d.name in state]
    after = plan(changed, budget, strategy).ledger() if changed else []
    return before, [(r[0] + k - 1,) + tuple(r[1:]) for r in after]


@pytest.mark.parametrize("adjustment", ASKS, ids=lambda a: a.action)
@pytest.mark.parametrize("k", [2, 5, 9])
def test_an_adjustment_from_month_k_is_the_plan_before_then_a_new_plan_from_k(adjustment, k):
    debts = load_debts(SAMPLE)
    ds, changes = Scenario("s", [adjustment.starting(k)]).plan_inputs(debts)
    p = plan(ds, 6000, changes=changes)
    before, after = composed(debts, 6000, adjustment, k)
    rows = p.ledger()
    assert rows[: len(before)] == before
    # forgiven (column 7) also carries what the change wrote off in month k; compare the rest
    assert [r[:7] for r in rows[len(before):]] == [r[:7] for r in after]
    assert p.reconciles


def test_from_month_1_is_the_scenario_as_before():
    debts = load_debts(SAMPLE)
    s = Scenario("s", ASKS)
    ds, changes = s.plan_inputs(debts)
    assert changes == {}
    assert plan(ds, 6000).ledger() == plan(s.apply(debts), 6000).ledger()


def test_a_freeze_from_month_3_splits_what_is_owed_then():
    # Hand computation: 1,000.00 at 12% with 100.00 a month. Month 1: interest 10.00, closes
    # 910.00; month 2: 9.10, closes 819.10. From month 3 a 0% freeze over 10 months:
    # 819.10 / 10 = 81.91 a month, no interest, cleared in month 12.
    p = plan([Debt("A", 1000, 12, 100)], 100, changes=Scenario("f", [freeze_interest("A", months=10, from_month=3)]).plan_inputs([Debt("A", 1000, 12, 100)])[1])
    rows = p.ledger()
    assert [r[3] for r in rows[:3]] == [1000, 910, 0]
    assert rows[2][2] == 81910 and p.terms_from(3)[0].min_payment == Decimal("81.91")
    # the budget stays 100.00 a month, so the rest goes to A as extra: 819.10 / 100 -> 9 months
    assert p.months == 2 + 9
    assert p.total_interest == Decimal("19.10")


def test_waived_fees_from_month_k_are_forgiven_in_month_k():
    d = Debt("A", 1000, 0, 100, fees_owed=50)
    s = Scenario("w", [waive_fees("A", from_month=2)])
    ds, changes = s.plan_inputs([d])
    p = plan(ds, 100, changes=changes)
    # month 1 pays 100: 50 fees then 50 balance -> 950, no fees left to waive
    assert p.total_forgiven == Decimal("0.00")
    d = Debt("A", 1000, 0, 10, fees_owed=50)
    p = plan([d], 10, changes=Scenario("w", [waive_fees("A", from_month=2)]).plan_inputs([d])[1])
    # month 1 pays 10 to the fees (40 left); month 2 writes those 40 off
    assert [r[7] for r in p.ledger()[:2]] == [0, 4000]
    assert p.reconciles


@given(st.data())
def test_property_change_from_month_k_equals_composition(data):
    debts = data.draw(portfolios(amortising=True, max_size=5))
    budget = data.draw(feasible_budgets(debts)) + 1000  # room for minimums that grow with the fees folded in
    strategy = data.draw(strategy_names)
    k = data.draw(st.integers(min_value=2, max_value=8))
    adjustment = data.draw(st.sampled_from([reduce_rate("*", fraction="0.5"), waive_fees("*"), extend_term("*", months=24)]))
    try:
        p = plan(debts, budget, strategy, changes={k: adjustment.apply})
    except PlannerError:  # the new minimums do not fit the budget: no plan to compare
        return
    before, after = composed(debts, budget, adjustment, k, strategy)
    rows = p.ledger()
    assert rows[: len(before)] == before
    assert [r[:7] for r in rows[len(before):]] == [r[:7] for r in after]
    assert p.reconciles


def test_toml_from_month_and_negotiate():
    text = """
[[scenario]]
name = "later"
[[scenario.adjust]]
debt = "kind:card"
action = "freeze_interest"
months = 24
from_month = 4
"""
    (s,) = load_scenarios(text)
    assert s.adjustments[0].from_month == 4
    assert s.to_dict()["adjust"][0]["from_month"] == 4
    debts = load_debts(SAMPLE)
    r = negotiate(debts, 6000, [s])["later"]
    ds, changes = s.plan_inputs(debts)
    assert r.plan.ledger() == plan(ds, 6000, changes=changes).ledger()
    # months 1-3 are the baseline's
    assert [x for x in r.plan.ledger() if x[0] <= 3] == [x for x in plan(debts, 6000).ledger() if x[0] <= 3]


@pytest.mark.parametrize("bad", [0, -1, "3", 1201, True])
def test_bad_from_month_is_refused(bad):
    with pytest.raises(PlannerError, match="from_month"):
        cap_rate("*", line="24", from_month=bad)
