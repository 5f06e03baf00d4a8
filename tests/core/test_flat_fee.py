"""Flat-fee instalments (分期手续费) planned as their contract says (issue 27, items 1 and 4).

A flat-fee debt pays, each of its n periods, principal P/n (half-up to the cent, the last period
taking the rounding) and a fee P·f on the ORIGINAL principal P; or, with the fee charged up front
(一次性收取), the whole fee n·P·f with the first payment. Sources of the reference figures:

* issue 27 ("Chinese products as the lenders compute them"), quoting published bank and platform
  examples: 30,000 over 12 periods at 0.6% a month is 12 payments of 2,680 (2,500 principal + 180
  fee), fees 2,160; 27,000 over 24 periods at 0.62%, fees 4,017.60; 4,000 over 12 at 0.66% with the
  fee charged in full with the first payment: first payment 650.13, then 333.33.
* the card-instalment contract convention (DOMAIN.md, "Repayment forms"): A = P/n + P·f, the fee
  on the original principal for every period.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, PlannerError, plan
from planner.engine import debts_as_of, open_month, pay_month, prepayment_fees, terms_of
from planner.negotiation import extend_term, freeze_interest, reduce_rate
from planner.rates import debt_true_rate, flat_fee_rate
from tests.core.test_month_step import assert_views_agree, plan_or_error
from tests.strategies import flat_fee_debts, flat_fee_portfolios, strategy_names, yuan


def payments(p, debt=0):
    """The payments of one debt month by month, in yuan."""
    return [r["payment"] for m in range(1, p.months_run + 1) for r in p.month_rows(m) if r["debt"] == p.debts[debt].name]


def fees(p, debt=0):
    return [r["interest"] for m in range(1, p.months_run + 1) for r in p.month_rows(m) if r["debt"] == p.debts[debt].name]


# -- the published examples (issue 27) ---------------------------------------------------------


def test_30000_over_12_at_0_6_is_12_payments_of_2680_and_2160_of_fees():
    # Issue 27, item 1: by contract 12 × 2,680 (2,500 + 180); the planner used to give 13 months and 2,160.01.
    card = Debt("信用卡分期", 30000, 0, 2680, kind="card", fee_rate="0.6", term_months=12)
    for strategy in ("avalanche", "minimum_only"):
        p = plan([card], 2680, strategy)
        assert p.months == 12
        assert payments(p) == [Decimal("2680.00")] * 12
        assert fees(p) == [Decimal("180.00")] * 12
        assert p.total_interest == Decimal("2160.00") == card.flat_fee.total_fees
        assert p.total_paid == Decimal("32160.00") and p.reconciles


def test_27000_over_24_at_0_62_has_4017_60_of_fees():
    # Issue 27, item 1: published fees 4,017.60 (24 × 167.40); the planner used to give 4,017.58.
    loan = Debt("分期", 27000, 0, 0, fee_rate="0.62", term_months=24)
    assert loan.flat_fee.first_payment == Decimal("1292.40")  # 1,125 + 167.40
    p = plan([loan], 1292.40, "minimum_only")
    assert p.months == 24
    assert payments(p) == [Decimal("1292.40")] * 24
    assert p.total_interest == Decimal("4017.60") and p.reconciles


def test_4000_over_12_at_0_66_with_the_fee_up_front():
    # Issue 27, item 4 (一次性收取): 4000 × 0.66% × 12 = 316.80 with the first payment;
    # 4000/12 = 333.33 a period, the last taking the rounding: 4000 − 11 × 333.33 = 333.37.
    loan = Debt("分期", 4000, 0, 0, fee_rate="0.66", term_months=12, fee_timing="upfront")
    p = plan([loan], 650.13, "minimum_only")
    assert payments(p) == [Decimal("650.13")] + [Decimal("333.33")] * 10 + [Decimal("333.37")]
    assert fees(p) == [Decimal("316.80")] + [Decimal("0.00")] * 11
    assert p.months == 12 and p.total_interest == Decimal("316.80") and p.reconciles


def test_the_true_rate_is_still_reported_beside_the_contract():
    # ICBC states 13.03% for 12 periods at 0.6% a month (DOMAIN.md); the fee up front costs more.
    card = Debt("信用卡分期", 30000, 0, 2680, fee_rate="0.6", term_months=12)
    assert debt_true_rate(card).nominal == Decimal("13.03")
    upfront = Debt("分期", 4000, 0, 0, fee_rate="0.66", term_months=12, fee_timing="upfront")
    assert debt_true_rate(upfront).nominal == flat_fee_rate("0.66", 12, "upfront").nominal > flat_fee_rate("0.66", 12).nominal


# -- part-way, prepayment, the month step by hand -----------------------------------------------


def test_a_debt_part_way_pays_its_remaining_periods_with_the_fee_on_the_original_principal():
    # 30,000 over 12 at 0.6%, 4 periods paid: 20,000 left over 8 periods of 2,680 (the fee on 30,000).
    d = Debt("分期", 20000, 13, 2680, fee_rate="0.6", term_months=8, periods_paid=4, principal=30000)
    assert (d.flat_fee.periods, d.flat_fee.left, d.flat_fee.fees_left) == (12, 8, Decimal("1440.00"))
    p = plan([d], 2680, "minimum_only")
    assert payments(p) == [Decimal("2680.00")] * 8 and p.total_interest == Decimal("1440.00")


def test_a_prepayment_waives_the_remaining_fees_by_default_or_charges_them():
    waived = Debt("分期", 30000, 0, 2680, fee_rate="0.6", term_months=12)
    p = plan([waived], 5000)
    # 6 months of 5,000 (180 fee each), then 30,000 − 6 × 4,820 = 1,080 + 180 in month 7
    assert payments(p) == [Decimal("5000.00")] * 6 + [Decimal("1260.00")]
    assert p.total_interest == Decimal("1260.00")  # 7 fees: the 5 of the periods not reached are waived
    charged = waived.with_(prepay_fees="charged")
    q = plan([charged], 5000)
    assert payments(q) == [Decimal("5000.00")] * 6 + [Decimal("2160.00")]  # and the 5 remaining fees, 900
    assert q.total_interest == Decimal("2160.00") == charged.flat_fee.total_fees
    assert p.reconciles and q.reconciles


def test_the_month_step_of_a_flat_fee_debt_by_hand():
    t = terms_of(Debt("分期", 30000, 0, 2680, fee_rate="0.6", term_months=12))
    # the fee in place of interest; the minimum is the period's principal and fee
    assert open_month(t, 1, 3_000_000, 0) == (18000, 3_018_000, 0, 268000, True, 0, 0)
    # the last period: everything owed
    assert open_month(t, 12, 250_003, 0) == (18000, 268_003, 0, 268_003, True, 0, 0)
    # less than a period's principal left early: everything owed, the remaining fees waived
    assert open_month(t, 5, 100_000, 0) == (18000, 118_000, 0, 118_000, True, 0, 0)
    charged = terms_of(Debt("分期", 30000, 0, 2680, fee_rate="0.6", term_months=12, prepay_fees="charged"))
    # ... or charged: the fees of periods 6 to 12 with it
    assert open_month(charged, 5, 100_000, 0)[3] == 118_000 + 7 * 18000
    assert prepayment_fees(charged, 5, 118_000, 118_000 + 7 * 18000) == 7 * 18000
    assert pay_month(charged, 5, 100_000, 0, 118_000 + 7 * 18000) == (18000 + 7 * 18000, 0, 0)
    # a typed fee owed (违约金) is paid first, out of the instalment, as for any debt
    assert pay_month(t, 1, 3_000_000, 5000, 268000) == (18000, 2_755_000, 0)


def test_a_change_of_terms_that_changes_nothing_leaves_the_plan_as_it_was():
    # debts_as_of counts the periods paid, the change's debts are numbered back: the same schedule
    d = Debt("分期", 4000, 0, 0, fee_rate="0.66", term_months=12, fee_timing="upfront", prepay_fees="charged")
    base = plan([d, Debt("卡", 3000, 18, 300)], 1200)
    same = plan([d, Debt("卡", 3000, 18, 300)], 1200, changes={4: lambda ds: ds})
    assert same.cents() == base.cents()
    now = debts_as_of([d], 4, [300000], [0])[0]
    assert (now.term_months, now.periods_paid, now.principal, now.flat_fee.fees_left) == (9, 3, Decimal("4000.00"), 0)
    past = debts_as_of([d], 13, [1000], [0])[0]  # past its last period: no fee, everything due
    assert (past.flat_fee, past.apr, past.min_payment) == (None, 0, Decimal("10.00"))


def test_negotiation_replaces_the_contract():
    # A freeze, an extension or a rate cut is planned by the interest rule, at the (capped) true rate.
    d = Debt("分期", 30000, Decimal("13.0342"), 2680, fee_rate="0.6", term_months=12)
    frozen = freeze_interest("分期", months=24).apply([d])[0]
    assert frozen.flat_fee is None and frozen.apr == 0 and frozen.term_months == 24
    assert plan([frozen], 1250).total_interest == 0
    assert extend_term("分期", months=24).apply([d])[0].flat_fee is None
    cut = reduce_rate("分期", apr=10).apply([d])[0]
    assert cut.flat_fee is None and cut.apr == 10
    assert reduce_rate("分期", apr=24).apply([d])[0] == d  # a cap above its true rate changes nothing


@pytest.mark.parametrize("fields, key", [
    ({"fee_timing": "yearly"}, "debt.flat_fee_setting_unknown"),
    ({"prepay_fees": "sometimes"}, "debt.flat_fee_setting_unknown"),
    ({"periods_paid": 3}, "debt.periods_paid_needs_principal"),
])
def test_bad_flat_fee_settings_are_refused(fields, key):
    with pytest.raises(PlannerError) as info:
        Debt("分期", 1000, 0, 100, fee_rate="0.6", term_months=6, **fields)
    assert info.value.key == key


def test_flat_fee_settings_need_a_flat_fee_debt():
    with pytest.raises(PlannerError) as info:
        Debt("卡", 1000, 18, 100, fee_timing="upfront")
    assert info.value.key == "debt.flat_fee_setting_without_fee"


# -- properties -------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.data(), flat_fee_portfolios(), strategy_names)
def test_plans_with_flat_fee_debts_reconcile_and_their_views_agree(data, debts, strategy):
    budget = data.draw(st.integers(0, 5_000_000).map(yuan))
    extra = data.draw(st.dictionaries(st.integers(1, 30), st.integers(0, 3_000_000).map(yuan), max_size=2))
    assert_views_agree(plan_or_error(debts, budget, strategy, horizon=data.draw(st.integers(30, 120)), extra=extra))


@settings(max_examples=80, deadline=None)
@given(flat_fee_debts())
def test_paying_the_contract_pays_exactly_n_periods_and_the_contracts_fees(d):
    # minimum only, the budget the largest payment of the contract: n periods, fees n·P·f (or the
    # up-front fee) to the cent, and the principal paid in full
    d = d.with_(defer_months=0, defer_from=1, settle_month=None, settle_fraction=None, fees_owed=0)
    flat = d.flat_fee
    p = plan([d], flat.first_payment + flat.instalment + d.balance, "minimum_only")
    assert p.months == (flat.left if d.balance else 0)
    if d.balance:
        assert p.total_interest == flat.fees_left
        assert p.total_paid == d.balance + flat.fees_left
        assert all(x == flat.instalment + (flat.fee if flat.timing == "monthly" else 0) for x in payments(p)[1:-1])


@settings(max_examples=60, deadline=None)
@given(st.data(), flat_fee_portfolios(max_size=3), strategy_names, st.integers(2, 20))
def test_an_empty_change_from_any_month_leaves_a_flat_fee_plan_unchanged(data, debts, strategy, month):
    budget = data.draw(st.integers(0, 3_000_000).map(yuan))
    base = plan_or_error(debts, budget, strategy, horizon=60)
    if base is None:
        return
    same = plan(debts, budget, strategy, horizon=60, changes={month: lambda ds: ds})
    assert same.cents() == base.cents()
