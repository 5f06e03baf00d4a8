"""Fair shares (issue 26): exact sums, priority first, pro rata within the rest, each offer priced on the engine."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Debt, PlannerError, load_debts, plan
from planner.negotiation import Scenario, freeze_interest, monthly_pressure
from planner.offers import fair_shares, price
from tests.strategies import rates, yuan

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "debts_zh.csv"


@st.composite
def portfolios(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    out = []
    for k in range(n):
        balance = draw(st.integers(min_value=100, max_value=5_000_000))
        minimum = draw(st.integers(min_value=100, max_value=max(100, balance // 5)))
        out.append(Debt(f"D{k}", yuan(balance), draw(rates), yuan(minimum), priority=draw(st.sampled_from([False, False, False, True]))))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(debts=portfolios(), fraction=st.fractions(min_value=0, max_value=1), floor=st.sampled_from([0, 50]))
def test_shares_sum_exactly_priority_first_pro_rata_within_the_rest(debts, fraction, floor):
    minimums = sum(monthly_pressure([d]) for d in debts)
    available = (minimums * Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    fs = fair_shares(debts, available, floor=floor, horizon=12)
    offers = list(fs)
    if fs.covered:
        assert [o.monthly for o in offers] == [monthly_pressure([d]) for d in debts]
        return
    # 1. exactly what is left
    assert sum(o.monthly for o in offers) == available
    assert all(Decimal(0) <= o.monthly <= o.minimum for o in offers)
    prio = [o for o in offers if o.priority]
    rest = [o for o in offers if not o.priority]
    # 2. priority first: the rest get something only when every priority debt has its minimum
    if any(o.monthly for o in rest):
        assert all(o.monthly == o.minimum for o in prio)
    # 3. pro rata among the freely shared: within one yuan below the exact share, the remainder to the largest
    free = [o for o in rest if o.basis == "pro_rata"]
    if free:
        pool = sum(o.monthly for o in free)
        owed = sum(o.owed for o in free)
        largest = max(free, key=lambda o: (o.owed, -offers.index(o)))
        for o in free:
            exact = Fraction(pool) * Fraction(o.owed) / Fraction(owed) if owed else Fraction(0)
            if o is largest:
                assert o.monthly >= exact - Fraction(1, 100) or owed == 0
            else:
                assert Fraction(o.monthly) <= exact < Fraction(o.monthly) + 1
                assert o.monthly == o.monthly.to_integral_value()  # whole yuan
    if fs.floor_met:
        for o in rest:
            if o.basis == "floor":
                assert o.monthly == min(Decimal(floor), o.minimum)


def test_the_sample_client_at_2000():
    debts = load_debts(SAMPLE)
    fs = fair_shares(debts, 2000)
    assert not fs.covered and fs.minimums == Decimal("5565.01") and fs.shortfall == Decimal("3565.01")
    assert sum(o.monthly for o in fs) == Decimal("2000.00")
    assert fs.common_share == Decimal("0.0246")
    assert fs["借呗"].monthly == Decimal("295.00") and fs["招商银行信用卡"].monthly == Decimal("387.00")  # the largest takes the remainder
    assert {o.frozen.months for o in fs} == {41}
    assert fs["分期乐"].at_rate.months is None  # ¥186 does not cover the penalty interest


def test_each_offer_is_the_engines_plan_of_that_debt_alone():
    debts = load_debts(SAMPLE)
    for o, d in zip(fair_shares(debts, 2000), debts):
        at_rate = plan([d.with_(min_payment=o.monthly)], o.monthly, horizon=1200)
        frozen_debt = Scenario("f", [freeze_interest(d.name, months=60)]).apply([d])[0].with_(min_payment=o.monthly)
        frozen = plan([frozen_debt], o.monthly, horizon=1200)
        assert (o.at_rate.months, o.at_rate.paid, o.at_rate.interest) == (at_rate.months, at_rate.total_paid, at_rate.total_interest)
        assert (o.frozen.months, o.frozen.paid, o.frozen.interest) == (frozen.months, frozen.total_paid, frozen.total_interest)
        assert o.frozen.paid == d.owed  # frozen: the lender recovers everything owed


def test_covered_says_so_and_offers_the_minimums():
    debts = load_debts(SAMPLE)
    fs = fair_shares(debts, 7000)
    assert fs.covered and "covers" in fs.headline("en")
    assert [o.monthly for o in fs] == [d.min_payment for d in debts]


def test_priority_debts_are_paid_first_with_their_reason():
    debts = [Debt("Car", 20000, 6, 900, priority="secured"), Debt("Card", 12000, 18, 1200), Debt("Loan", 6000, 24, 600)]
    fs = fair_shares(debts, 1500)
    assert fs["Car"].monthly == Decimal("900.00") and fs["Car"].reason == "secured"
    assert fs["Card"].monthly + fs["Loan"].monthly == Decimal("600.00")
    assert "抵押贷款" in fs.rows("zh")[0][1]
    short = fair_shares(debts, 500)
    assert short["Car"].monthly == Decimal("500.00") and short["Card"].monthly == 0


def test_floor_raises_a_small_lender_and_falls_back_when_floors_do_not_fit():
    debts = [Debt("Big", 100000, 18, 5000), Debt("Tiny", 500, 18, 100)]
    fs = fair_shares(debts, 1000, floor=50)
    assert fs["Tiny"].monthly == Decimal("50.00") and fs["Tiny"].basis == "floor" and fs.floor_met
    assert fs["Big"].monthly == Decimal("950.00")
    tight = fair_shares([Debt("A", 1000, 18, 100), Debt("B", 1000, 18, 100)], 60, floor=50)
    assert not tight.floor_met and sum(o.monthly for o in tight) == Decimal("60.00")


def test_accepted_offer_becomes_a_freeze_over_its_months_or_is_refused():
    o = fair_shares(load_debts(SAMPLE), 2000)["借呗"]
    assert o.adjustment().params == {"months": 41, "include_accrued": True}
    tiny = fair_shares([Debt("A", 100000, 18, 5000)], 100, floor=0)["A"]
    with pytest.raises(PlannerError, match="60"):
        tiny.adjustment()


def test_bad_amounts_are_refused_in_both_languages():
    with pytest.raises(PlannerError) as e:
        fair_shares([Debt("A", 100, 0, 10)], "abc")
    assert "不是金额" in e.value.zh and "not an amount" in e.value.en


def test_price_of_a_zero_offer_never_clears():
    at_rate, frozen = price(Debt("A", 1000, 12, 100), 0)
    assert at_rate.months is None and frozen.months is None and frozen.paid == 0
