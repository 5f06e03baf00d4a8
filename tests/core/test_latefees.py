"""Late and overdue fees by rule (issue 27, item 3): the rule computation and its data.

Reference values and where they come from:

* Card 违约金 5% of the unpaid part of the minimum: the rate of the old 滞纳金 (《银行卡业务管理办法》
  银发〔1999〕17号 art. 23), kept as the 违约金 in banks' fee schedules after PBoC 银发〔2016〕111号;
  the worked example most bank FAQs give: minimum ¥2,000, ¥1,000 paid, penalty ¥1,000 × 5% = ¥50
  (reported; common practice, not a figure set by regulation: the data file says "practice").
* Floor ¥10: common in the fee schedules (reported practice).
* Online loans: 0.05% a day of the overdue amount, at most the period's principal and fee (practice).
"""

from decimal import Decimal

import pytest

from planner.datafiles import kinds
from planner.errors import PlannerError
from planner.latefees import LateFeeRule, late_fee, month_late_fee, rule, rules


def test_card_penalty_is_five_percent_of_the_unpaid_minimum():
    # bank FAQ example: minimum 2,000, 1,000 paid -> 50
    assert late_fee("card", Decimal("2000") - Decimal("1000")) == Decimal("50.00")
    assert month_late_fee("card", 200000, 100000) == 5000


def test_card_floor_and_a_contracts_cap():
    assert late_fee("card", "100") == Decimal("10.00")      # 5.00 -> floor 10
    assert late_fee("card", "0.01") == Decimal("10.00")     # any unpaid part is charged the floor
    capped = LateFeeRule("card", "minimum_share", share=Decimal("0.05"), floor=1000, cap=20000)
    assert late_fee("card", 10000, rule_=capped) == Decimal("200.00")  # 500 -> the contract's cap of 200


def test_online_loan_daily_fee_capped_at_the_period():
    # 2,680 (a period of 2,500 principal + 180 fee) overdue 30 days at 0.05% a day: 40.20
    assert late_fee("online_loan", 2680) == Decimal("40.20")
    assert late_fee("online_loan", 2680, days=1) == Decimal("1.34")
    assert late_fee("online_loan", 2680, days=2001) == Decimal("2680.00")  # 100.05% -> capped at the period


def test_no_fee_when_the_minimum_is_met_or_the_kind_has_no_rule():
    assert month_late_fee("card", 50000, 50000) == 0
    assert month_late_fee("card", 0, 0) == 0          # nothing due (a payment holiday)
    assert month_late_fee("card", 50000, 60000) == 0
    for kind in ("bank_loan", "private", "other"):
        assert late_fee(kind, 1000) == Decimal("0.00")


def test_every_kind_has_a_rule_with_a_source_and_an_honest_certainty():
    assert list(rules()) == list(kinds())
    for r in rules().values():
        assert r.source and r.note("zh") and r.note("en"), r.kind
        assert r.certainty in ("primary", "reported", "practice")
    # the 5% is bank practice, not a regulation: never marked as a checked primary text
    assert rule("card").certainty != "primary"
    assert rule("card").source_in("zh").startswith("《银行卡业务管理办法》")


def test_bad_inputs_are_catalogue_errors():
    with pytest.raises(PlannerError) as e:
        late_fee("pawnshop", 100)
    assert "pawnshop" in e.value.en and "pawnshop" in e.value.zh
    with pytest.raises(PlannerError):
        late_fee("card", 100, days=-1)
    with pytest.raises(PlannerError):
        late_fee("card", "lots")
    with pytest.raises(PlannerError):
        LateFeeRule("card", "weekly")


def test_an_offer_below_the_minimum_is_priced_both_ways():
    from planner.debt import Debt
    from planner.offers import fair_shares, price_with_late_fees

    card = Debt("Card", 12000, 18, 1200, kind="card")
    loan = Debt("Loan", 6000, 24, 600, kind="bank_loan")
    fs = fair_shares([card, loan], 600)
    o = fs["Card"]
    assert o.monthly < o.minimum
    # waived: the plan of the debt paying the offer; charged: 5% of the unpaid minimum each month
    assert o.at_rate.late_fees == 0 and o.late.late_fees > 0
    assert o.late.months > o.at_rate.months
    # month 1 by hand: 180.00 interest, 400.00 paid, 800.00 of the minimum unpaid -> 40.00
    one = price_with_late_fees(card, o.monthly, horizon=1)
    assert one.late_fees == Decimal("40.00") and one.remaining == Decimal("11820.00")
    # money is conserved: paid = owed + interest + late fees − remaining
    p = o.late
    assert p.paid == card.owed + p.interest + p.late_fees - p.remaining
    # a bank loan has no fee by rule: both prices agree
    assert fs["Loan"].late.months == fs["Loan"].at_rate.months and fs["Loan"].late.paid == fs["Loan"].at_rate.paid
    assert fs.to_dict()["offers"][0]["at_rate_late_fees"]["late_fees"] == float(p.late_fees)
