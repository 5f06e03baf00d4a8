"""Checking a lender's claim (planner.claims): hand-computed replays with their arithmetic beside them.

Interest is simple, day by day over 365 days, on the principal outstanding, rounded half-up to
the cent when a payment or the statement date closes the period; each payment goes to fees,
then interest, then principal (Civil Code art. 561). Every figure below is worked by hand in
its docstring (and holds to the cent).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from planner import Debt
from planner.claims import Claim, Payment, check_claim, payment_day
from planner.errors import PlannerError

D = Decimal


def online_loan() -> Debt:
    return Debt("某网贷", 10000, 36, 500, kind="online_loan", contract_date="2024-01-01")


def test_a_36_percent_loan_with_fees_against_the_contract_and_the_24_line():
    """¥10,000 lent on 2024-01-01 at 36% a year; ¥3,000 paid on 2024-04-01; the statement of
    2024-07-01 claims principal 8,000, interest 1,500, fees 600.

    Contract (36%): 2024-01-01 → 04-01 is 91 days: 10,000 × 0.36 × 91 / 365 = 897.534… → 897.53.
    The 3,000 pays fees 0, interest 897.53, principal 2,102.47 → principal 7,897.53.
    04-01 → 07-01 is 91 days: 7,897.53 × 0.36 × 91 / 365 = 708.835… → 708.83.
    Contract total 7,897.53 + 708.83 = 8,606.36; the claim (10,100) is 1,493.64 above it.

    24% line (an online loan: a licensed lender), interest and fees together:
    10,000 × 0.24 × 91 / 365 = 598.356… → 598.36; principal 10,000 − 2,401.64 = 7,598.36;
    7,598.36 × 0.24 × 91 / 365 = 454.652… → 454.65; allowed 8,053.01, the claim 2,046.99 above.
    The 36% line is the contract rate itself: 1,493.64 above.
    """
    c = check_claim(online_loan(), Claim("2024-07-01", principal=8000, interest=1500, fees=600,
                                         payments=[Payment("2024-04-01", 3000)]))
    (applied,) = c.contract.applied
    assert (applied.fees, applied.interest, applied.principal) == (D("0.00"), D("897.53"), D("2102.47"))
    assert (c.contract.principal, c.contract.interest, c.contract.fees) == (D("7897.53"), D("708.83"), D("0.00"))
    assert [(r.key, r.difference) for r in c.rows] == [
        ("principal", D("102.47")), ("interest", D("791.17")), ("fees", D("600.00")), ("cost", D("1391.17")), ("total", D("1493.64"))]
    lines = {x.key: x for x in c.lines}
    assert set(lines) == {"24", "36"}  # 4 × LPR does not apply to a licensed lender
    assert (lines["24"].ledger.principal, lines["24"].ledger.interest, lines["24"].above) == (D("7598.36"), D("454.65"), D("2046.99"))
    assert lines["36"].above == D("1493.64")
    assert c.strictest.key == "24" and c.disputed == D("1493.64")
    assert [k for k, _ in c.findings] == ["claim_found_principal", "claim_found_interest", "claim_found_fees",
                                          "claim_found_line", "claim_found_line"]


def test_interest_above_the_4x_lpr_line_of_a_private_loan():
    """¥10,000 lent between people on 2024-08-01 at 15%; no payment; statement 2025-08-01 (365 days).

    Contract: 10,000 × 0.15 = 1,500.00: the claim of 1,500 interest matches it.
    The LPR on 2024-08-01 is 3.35% (set 2024-07-22), so the line is 13.40%: 10,000 × 0.134 = 1,340.00;
    the claim is 160.00 above it, and only that line applies to private lending.
    """
    d = Debt("表哥", 10000, 15, 0, kind="private", contract_date="2024-08-01")
    c = check_claim(d, Claim("2025-08-01", principal=10000, interest=1500))
    assert c.contract.interest == D("1500.00") and c.disputed == 0
    (line,) = c.lines
    assert (line.key, line.rate, line.ledger.interest, line.above) == ("4xLPR", D("13.40"), D("1340.00"), D("160.00"))
    assert [k for k, _ in c.findings] == ["claim_found_line"]
    assert "4 × LPR (13.40%)" in c.explain("en")[0] and "¥160.00" in c.explain("en")[0]


def test_a_flat_fee_loan_pays_its_fee_first_and_stays_under_the_line():
    """¥12,000 over 12 months at a fee of 0.6% a month (72.00) from 2024-01-10; 1,072 paid on each of
    the first three anniversaries; statement 2024-04-10.

    Contract: each payment meets the 72.00 fee posted that day first, then 1,000 of principal:
    principal 9,000, fees charged 216. The 24% line, on the same payments: 31 days → 244.60
    (12,000 × 0.24 × 31 / 365 = 244.602…), principal 11,172.60; 29 days (2024 is leap) →
    213.04 (11,172.60 × 0.24 × 29 / 365 = 213.044…), principal 10,313.64; 31 days → 210.23
    (210.228…), principal 9,451.87: the claim of 9,000 is under it.
    """
    d = Debt("分期", 12000, 0, 1072, kind="online_loan", contract_date="2024-01-10", fee_rate=D("0.6"), term_months=12)
    pays = [Payment(day, 1072) for day in ("2024-02-10", "2024-03-10", "2024-04-10")]
    c = check_claim(d, Claim("2024-04-10", principal=9000, payments=pays))
    assert [(a.fees, a.principal) for a in c.contract.applied] == [(D("72.00"), D("1000.00"))] * 3
    assert (c.contract.principal, c.contract.fees_charged, c.contract.total) == (D("9000.00"), D("216.00"), D("9000.00"))
    line = next(x for x in c.lines if x.key == "24")
    assert line.ledger.principal == D("9451.87") and not line.crossed
    assert [k for k, _ in c.findings] == ["claim_found_none"]


def test_a_daily_rate_and_a_total_that_does_not_add_up():
    """0.05% a day (万5) on ¥10,000 for 30 days (2025-01-01 → 01-31): 10,000 × 0.0005 × 30 = 150.00.
    The statement itemises 10,000 + 150 = 10,150 but prints a total of 10,250."""
    d = Debt("日息贷", 10000, 18.25, 0, kind="online_loan", contract_date="2025-01-01", daily_rate=D("0.05"))
    c = check_claim(d, Claim("2025-01-31", principal=10000, interest=150, total=10250))
    assert c.contract.interest == D("150.00")
    assert c.findings[0] == ("claim_found_total_mismatch", {"total": D("10250.00"), "lines": D("10150.00")})
    assert c.row("total").difference == D("100.00")


def test_payments_beyond_what_is_owed_are_said():
    """¥1,000 at 0% from 2025-01-01, 1,200 paid on 2025-02-01: 200 overpaid, nothing owed."""
    d = Debt("借款", 1000, 0, 0, kind="private", contract_date="2025-01-01")
    c = check_claim(d, Claim("2025-03-01", principal=0, payments=[Payment("2025-02-01", 1200)]))
    assert c.contract.total == 0 and c.contract.overpaid == D("200.00")
    assert "claim_found_overpaid" in [k for k, _ in c.findings]


@pytest.mark.parametrize("make, key", [
    (lambda: check_claim(Debt("x", 100, 10, 0), Claim("2025-01-01", principal=100)), "claims.needs_start"),
    (lambda: check_claim(online_loan(), Claim("2023-12-01", principal=100)), "claims.statement_before_start"),
    (lambda: check_claim(online_loan(), Claim("2024-06-01", principal=1, payments=[Payment("2023-12-01", 5)])), "claims.payment_before_start"),
    (lambda: Claim("2024-06-01", principal=1, payments=[Payment("2024-07-01", 5)]), "claims.payment_after_statement"),
    (lambda: Claim("2024-06-01", principal=-1), "claims.negative"),
])
def test_refusals_name_the_fix(make, key):
    with pytest.raises(PlannerError) as caught:
        make()
    assert caught.value.key == key and " / " in str(caught.value)


def test_a_recorded_month_is_paid_on_its_due_day():
    assert str(payment_day("2025-02", 31)) == "2025-02-28" and str(payment_day("2024-02", 31)) == "2024-02-29"
