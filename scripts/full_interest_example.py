"""The worked example of docs/conventions.md, "Card interest charged in full (全额计息)".

A ¥10,000 card purchase posted on 2025-03-05; statements on the 20th, payment due on the 8th
of the next month; only the minimum (10% of the statement balance, to the cent half-up) is paid,
on the due day, for 12 statements. Two ways to charge interest on the same payments:

* the bank's (全额计息): 0.05% a day on the whole purchase from its posting date (the grace
  period is lost when the statement is not paid in full), then day by day on what is owed,
  posted on each statement date and charged interest from then on (compounding);
* the planner's monthly model: each month, the opening balance × 18.25% / 12 (0.05% × 365),
  half-up to the cent, added before the payment.

Run ``python scripts/full_interest_example.py`` to print the numbers the docs quote;
tests/core/test_full_interest_doc.py holds the docs to them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from planner.money import from_cents, half_up, to_cents

PURCHASE = Decimal("10000.00")
POSTED = date(2025, 3, 5)
DAILY = Decimal("0.05")  # percent a day
APR = DAILY * 365  # 18.25% a year, the planner's rate
CYCLES = 12


def _month(d: date, k: int, day: int) -> date:
    y, m = divmod(d.month - 1 + k, 12)
    return date(d.year + y, m + 1, day)


def bank() -> list[dict]:
    """Statement by statement: due day, minimum paid, interest posted at the next statement, balance then."""
    n, den = DAILY.as_integer_ratio()
    den *= 100
    rows = []
    balance = to_cents(PURCHASE)  # on the first statement (2025-03-20): the purchase, no interest yet
    statement = date(2025, 3, 20)
    for k in range(CYCLES):
        due = _month(statement, 1, 8)
        nxt = _month(statement, 1, 20)
        minimum = half_up(balance, 10)
        start = POSTED if k == 0 else statement  # 全额计息: the first cycle from the posting date
        exact = balance * (due - start).days + (balance - minimum) * (nxt - due).days
        interest = half_up(exact * n, den)
        balance = balance - minimum + interest
        rows.append({"due": due, "paid": from_cents(minimum), "interest": from_cents(interest), "statement": nxt,
                     "balance": from_cents(balance)})
        statement = nxt
    return rows


def planner_model(payments: list[Decimal]) -> list[dict]:
    """The planner's month: interest on the opening balance at 18.25% / 12, then the same payment."""
    n, den = APR.as_integer_ratio()
    den *= 1200
    balance, rows = to_cents(PURCHASE), []
    for paid in payments:
        interest = half_up(balance * n, den)
        balance = balance + interest - to_cents(paid)
        rows.append({"paid": paid, "interest": from_cents(interest), "balance": from_cents(balance)})
    return rows


def summary() -> dict:
    """The figures the docs quote."""
    b = bank()
    p = planner_model([r["paid"] for r in b])
    return {
        "first_bank": b[0]["interest"],
        "first_planner": p[0]["interest"],
        "first_difference": b[0]["interest"] - p[0]["interest"],
        "total_bank": sum(r["interest"] for r in b),
        "total_planner": sum(r["interest"] for r in p),
        "total_difference": sum(r["interest"] for r in b) - sum(r["interest"] for r in p),
        "balance_bank": b[-1]["balance"],
        "balance_planner": p[-1]["balance"],
    }


if __name__ == "__main__":
    b = bank()
    p = planner_model([r["paid"] for r in b])
    print("cycle  due         paid      bank interest  planner interest")
    for k, (x, y) in enumerate(zip(b, p), start=1):
        print(f"{k:>5}  {x['due']}  {x['paid']:>9}  {x['interest']:>13}  {y['interest']:>16}")
    for key, value in summary().items():
        print(f"{key}: {value}")
