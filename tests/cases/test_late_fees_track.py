"""The case track charges late fees by rule in a month whose payment is below the minimum (issue 27 item 3)."""

from planner.debt import Debt
from planner.cases.track import replay
from planner.negotiation import defer

CARD = Debt("招行", 12000, 18, 1200, kind="card")


def test_a_short_month_on_a_card_is_charged_five_percent_of_the_unpaid_minimum():
    # month 1: 180.00 interest; 400 paid on a minimum of 1,200: 800 unpaid, 违约金 5% = 40.00
    t = replay([CARD], 1, 1, [], {(1, "招行"): 40000})
    row = t.rows[0]
    assert (row.interest, row.payment, row.late_fee) == (18000, 40000, 4000)
    assert row.closing == 1200000 + 18000 - 40000 + 4000
    assert t.fees["招行"] == 4000  # a fee: it earns no interest next month
    t2 = replay([CARD], 1, 2, [], {(1, "招行"): 40000, (2, "招行"): 120000})
    assert t2.rows[1].interest == 17670  # 11,780.00 × 1.5%: the 40.00 fee (owed: 11,820.00) earns none
    assert t2.rows[1].late_fee == 0


def test_a_statement_with_the_late_fee_leaves_nothing_unexplained():
    stated = 1200000 + 18000 - 40000 + 4000
    t = replay([CARD], 1, 1, [], {(1, "招行"): 40000}, {(1, "招行"): stated})
    assert t.rows[0].unexplained == 0
    t = replay([CARD], 1, 1, [], {(1, "招行"): 40000}, {(1, "招行"): stated + 5000})
    assert t.rows[0].unexplained == 5000  # what the rules do not explain


def test_a_month_paid_in_full_and_a_deferral_agreed_are_not_charged():
    assert replay([CARD], 1, 1, [], {(1, "招行"): 120000}).rows[0].late_fee == 0
    t = replay([CARD], 1, 2, [(1, defer("招行", months=2))], {})
    assert [r.late_fee for r in t.rows] == [0, 0]
    # with no agreement, nothing paid is a whole minimum unpaid: 60.00 each month
    assert [r.late_fee for r in replay([CARD], 1, 2, [], {}).rows] == [6000, 6000]


def test_a_kind_without_a_rule_is_charged_nothing():
    loan = Debt("建行", 12000, 6, 1000, kind="bank_loan")
    assert replay([loan], 1, 1, [], {}).rows[0].late_fee == 0
