"""A lender's claim checked against a case (核对欠款金额): the case book's "unexplained charges" itemised.

The case book flags a statement balance above what the terms allow as an *unexplained
charge* (:mod:`.track`). :func:`case_claim` checks the lender's itemised claim with
:func:`planner.claims.check_claim` from the case's start: the debt as recorded then (its
balance as principal outstanding, its recorded fees as owed and not disputed), its contract
terms, and the payments recorded in the book, each on the debt's due day of its month (the
month's last day when the debt has none, as the engine's month charges interest first and
takes the payment after). Payments on a day after the statement date are left out (the
statement cannot count them). Agreements recorded in the case are not replayed: the check is
against the contract.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..claims import Claim, ClaimCheck, Payment, check_claim, payment_day
from ..errors import PlannerError, unknown_debt
from ..money import from_cents


@dataclass(frozen=True)
class CaseClaim:
    """The check, and what the case book had flagged for that debt."""

    check: ClaimCheck
    unexplained: Decimal  # the case's unexplained charges on the debt so far


def case_claim(case, debt_name: str, claim: Claim, *, since=None) -> CaseClaim:
    """Check ``claim`` (the lender's statement; its own payments must be empty: the book's are used)
    for ``debt_name`` of ``case``, from the case's start (or ``since``, a date)."""
    data = case.data
    names = [d.name for d in data.debts]
    if debt_name not in names:
        raise unknown_debt(debt_name, names)
    if claim.payments:
        raise PlannerError("claims.case_statement_payments", file="statement")
    debt = data.debts[names.index(debt_name)]
    year, month = (int(x) for x in data.start.split("-"))
    start = date(year, month, 1) if since is None else since
    payments = []
    for (m, name), cents in sorted(data.payments.items()):
        if name != debt_name or not cents:
            continue
        y, mo = (int(x) for x in m.split("-"))
        day = payment_day(m, debt.due_day or calendar.monthrange(y, mo)[1])
        if day <= claim.as_of:
            payments.append(Payment(day, from_cents(cents)))
    claim = Claim(claim.as_of, claim.principal, claim.interest, claim.fees, claim.total, tuple(payments))
    check = check_claim(debt, claim, since=start, opening=debt.balance, opening_fees=debt.fees_owed)
    unexplained = next((d.unexplained_charges for d in case.status().debts if d.name == debt_name), Decimal("0.00"))
    return CaseClaim(check, unexplained)


__all__ = ["CaseClaim", "case_claim"]
