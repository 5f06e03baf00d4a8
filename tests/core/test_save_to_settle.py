"""A settlement saved up for (issue 27 item 5): save_to_settle, its savings track and the budget it takes."""

from decimal import Decimal

import pytest

from planner.debt import Debt
from planner.errors import PlannerError
from planner.negotiation import Scenario, negotiate, save_to_settle, scenarios_from_dict

CARD = Debt("Card", 20000, 18, 2000, kind="card")
LOAN = Debt("Loan", 6000, 24, 600, kind="online_loan")


def _run(*adjustments, budget=3000, **kw):
    return negotiate([CARD, LOAN], budget, [Scenario("s", adjustments)], **kw)["s"]


def test_frozen_interest_half_the_balance_saved_in_five_months():
    # 50% of 20,000 = 10,000 at 2,000 a month: months 1-5, settled in month 5, 10,000 forgiven
    r = _run(save_to_settle("Card", saving=2000, fraction="0.5", accrue=False))
    (tr,) = r.savings_tracks
    assert tr.months == (1, 2, 3, 4, 5) and tr.settle_month == 5
    assert [b for _m, _d, b in tr.rows()] == [Decimal(x) for x in ("2000.00", "4000.00", "6000.00", "8000.00", "10000.00")]
    assert tr.lump == 1000000 and tr.forgiven == 1000000 and tr.reconciles
    card = [row for row in r.plan.ledger() if row[1] == "Card"]
    assert [row[4] for row in card] == [0, 0, 0, 0, 1000000] and all(row[3] == 0 for row in card)
    # the saving comes out of the budget: 1,000 a month left for the loan while saving
    loan = [row for row in r.plan.ledger() if row[1] == "Loan"]
    assert [row[4] for row in loan[:5]] == [100000] * 5
    assert r.plan.reconciles and r.lump_needed == 0
    assert r.monthly_pressure == Decimal("2600.00")  # the loan's minimum and the saving


def test_interest_accruing_raises_the_target_and_the_last_month_tops_up():
    # 18% a year, nothing paid: owed 20,300.00, 20,604.50, ... 50% of it when the savings reach it
    r = _run(save_to_settle("Card", saving=2500, fraction="0.5"), budget=3100)
    (tr,) = r.savings_tracks
    owed = 2000000
    for _ in range(tr.settle_month - 1):
        owed += (owed * 15 + 500) // 1000  # 1.5% a month, half-up
    assert tr.lump == (owed + 1) // 2 and tr.forgiven == owed - tr.lump
    assert tr.deposits[:-1] == (250000,) * (len(tr.months) - 1) and 0 < tr.deposits[-1] <= 250000
    assert sum(tr.deposits) == tr.lump and tr.reconciles and r.plan.reconciles


def test_an_agreed_sum_from_a_later_month():
    r = _run(save_to_settle("Card", saving=1500, amount=9000, from_month=3))
    (tr,) = r.savings_tracks
    assert tr.months[0] == 3 and tr.settle_month == 8 and tr.lump == 900000 and tr.reconciles
    assert r.plan.reconciles
    card = {row[0]: row for row in r.plan.ledger() if row[1] == "Card"}
    assert card[8][4] == 900000 and card[8][7] == card[8][2] - 900000  # the rest forgiven


def test_a_saving_the_budget_cannot_carry_or_that_never_gets_there_is_refused():
    with pytest.raises(PlannerError) as e:  # the loan's 600 and 2,500 saved do not fit 3,000
        _run(save_to_settle("Card", saving=2500, fraction="0.5"), budget=3000)
    assert "¥600.00" in e.value.en and "¥600.00" in e.value.zh
    with pytest.raises(PlannerError) as e:  # more than the whole budget
        _run(save_to_settle("Card", saving=4000, fraction="0.5"), budget=3000)
    assert "¥4,000.00" in e.value.en and "¥3,000.00" in e.value.zh
    with pytest.raises(PlannerError):
        save_to_settle("Card", saving=1, fraction="0.9").apply([CARD])  # 18% outruns 1 yuan a month
    with pytest.raises(PlannerError):
        save_to_settle("Card", saving=100)  # neither fraction nor amount
    with pytest.raises(PlannerError):
        save_to_settle("Card", saving=0, fraction="0.5")


def test_scenario_file_and_descriptions_in_both_languages():
    (s,) = scenarios_from_dict({"scenario": [{"name": "攒钱", "adjust": [
        {"action": "save_to_settle", "debt": "Card", "saving": 2000, "fraction": 0.5, "accrue": False}]}]})
    a = s.adjustments[0]
    assert a.describe("zh") == "攒钱结清 每月存 2000 元，付 50%，期间不计息 → Card"
    assert a.describe("en").startswith("Save up to settle saving=2000")
    assert a.to_dict()["saving"] == 2000.0
    d = negotiate([CARD, LOAN], 3000, [s])["攒钱"].to_dict()
    assert d["settlement_savings"][0]["reconciles"] and d["settlement_savings"][0]["settle_month"] == 5
