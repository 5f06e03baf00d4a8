"""What actually happened to a case's debts, month by month: the recorded track.

The plan says what should happen; the track replays what did: each calendar
month from the case's start, agreements taking effect that month are made to
the debts as they stand (the engine's own :func:`planner.engine.debts_as_of`
and the negotiation module's adjustments, so terms change exactly as in a
plan), and each debt's month is the engine's month step with the recorded
payment (:func:`planner.engine.pay_month`: interest on the opening balance,
half-up to the cent, then the payment fees first; a settlement is
:meth:`planner.engine.Terms.settlement`). A month whose payment is below the
minimum due (:func:`planner.engine.open_month`'s minimum: none in a payment
holiday agreed with the lender) is charged the late fee of the debt's kind on
the unpaid part (:func:`planner.latefees.month_late_fee`: 违约金 / 逾期费 by
rule), added to its fees after the payment and shown in the row's
``late_fee``. A statement balance, when one is recorded, replaces the computed
one (the difference, beyond the interest and late fees the rules charge, is an
*unexplained charge*).

A case whose recorded payments equal its plan's month by month has a track
equal to the plan's schedule, to the cent (tests/test_cases.py holds the two
together as batch's tests hold the batch kernel to the engine).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..debt import Debt
from ..engine import debts_as_of, open_month, pay_month, renumber, terms_of
from ..errors import Message, PlannerError, unknown_debt
from ..latefees import month_late_fee
from ..money import from_cents, format_yuan, to_cents
from .months import month_name


@dataclass(frozen=True)
class Row:
    """One debt in one recorded month, in cents."""

    month: int  # calendar month index (see planner.cases.months)
    debt: str
    opening: int  # owed at the opening (balance + fees), after any change of terms that month
    interest: int
    payment: int
    closing: int  # owed at the end (balance + fees), the statement's figure when one is recorded
    forgiven: int
    unexplained: int  # statement minus what the terms allow (0 without a statement)
    late_fee: int = 0  # charged by rule for a minimum left unpaid (in closing; planner.latefees)


@dataclass
class Track:
    """The replay of a case up to ``until`` (a month index), with the terms and balances then."""

    start: int
    until: int | None
    rows: list[Row] = field(default_factory=list)
    terms: list[Debt] = field(default_factory=list)  # in the case's numbering (month 1 = start)
    balance: dict[str, int] = field(default_factory=dict)
    fees: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)  # name -> month index it was cleared

    def owed(self, name: str) -> int:
        return self.balance[name] + self.fees[name]

    def debts_from_next_month(self) -> list[Debt]:
        """The open debts as they stand after ``until``: terms in force, actual balances,
        deferral and settlement months counted from the next month (a re-plan's inputs)."""
        nxt = (self.until if self.until is not None else self.start - 1) + 1
        t = nxt - self.start + 1
        names = [d.name for d in self.terms]
        now = debts_as_of(self.terms, t, [self.balance[n] for n in names], [self.fees[n] for n in names])
        return [d for d in now if d.balance + d.fees_owed > 0]


def replay(
    debts: Sequence[Debt],
    start: int,
    until: int | None,
    agreements: Sequence[tuple[int, object]],
    payments: Mapping[tuple[int, str], int],
    statements: Mapping[tuple[int, str], int] | None = None,
) -> Track:
    """Replay a case from month index ``start`` to ``until`` (inclusive; ``None``: nothing yet).

    ``agreements`` is a list of ``(month index, Adjustment)`` in the order agreed;
    ``payments`` and ``statements`` map ``(month index, debt name)`` to cents.
    Raises :class:`~planner.errors.PlannerError` for a payment above what is owed,
    a payment or statement for a debt already cleared, or an unknown debt.
    """
    statements = statements or {}
    names = [d.name for d in debts]
    known = set(names)
    for (month, name) in list(payments) + list(statements):
        if name not in known:
            raise unknown_debt(name, names)
    track = Track(start, until, terms=list(debts))
    track.balance = {d.name: to_cents(d.balance) for d in debts}
    track.fees = {d.name: to_cents(d.fees_owed) for d in debts}
    track.cleared = {d.name: start - 1 for d in debts if track.owed(d.name) == 0}
    if until is None:
        return track
    by_month: dict[int, list] = {}
    for month, adjustment in agreements:
        by_month.setdefault(month, []).append(adjustment)
    terms = {d.name: terms_of(d) for d in track.terms}  # in cents, per set of terms
    for c in range(start, until + 1):
        t = c - start + 1
        written = dict.fromkeys(names, 0)
        if c in by_month:
            now = debts_as_of(track.terms, t, [track.balance[n] for n in names], [track.fees[n] for n in names])
            new = now
            for adjustment in by_month[c]:
                new = adjustment.apply(new)
            track.terms = renumber(new, t)
            terms = {d.name: terms_of(d) for d in track.terms}
            for d in new:
                before = track.owed(d.name)
                track.balance[d.name], track.fees[d.name] = to_cents(d.balance), to_cents(d.fees_owed)
                written[d.name] = before - track.owed(d.name)
        for d in track.terms:
            n = d.name
            pay = payments.get((c, n), 0)
            stated = statements.get((c, n))
            if n in track.cleared:
                if pay or stated:
                    what = "还款" if pay else "账单余额"
                    raise PlannerError(
                        "cases.track.cleared_no_recorded",
                        n=n,
                        cleared=month_name(track.cleared[n]),
                        c=month_name(c),
                        what=Message(what, 'payment' if pay else 'statement balance'),
                    )
                continue
            bal, fees = track.balance[n], track.fees[n]
            opening = bal + fees
            interest = forgiven = late = 0
            # a settlement counts only when its amount was paid: the rest is then forgiven
            settled = d.settle_month == t and pay >= terms[n].settlement(opening)
            if settled:
                if pay > opening:
                    raise _overpaid(n, c, pay)
                forgiven = opening - pay
                bal = fees = 0
            else:
                due = open_month(terms[n], t, bal, fees)[3]  # the minimum due (0 in a holiday)
                interest, bal, fees = pay_month(terms[n], t, bal, fees, pay)
                if bal < 0:  # more than was owed
                    raise _overpaid(n, c, pay)
                late = month_late_fee(d.kind, due, pay) if bal + fees else 0
                fees += late
            unexplained = 0
            if stated is not None:
                unexplained = stated - (bal + fees)
                if stated >= fees:
                    bal = stated - fees
                else:
                    bal, fees = 0, stated
            track.balance[n], track.fees[n] = bal, fees
            track.rows.append(Row(c, n, opening, interest, pay, bal + fees, forgiven + written[n], unexplained, late))
            if bal + fees == 0:
                track.cleared[n] = c
    return track


def _overpaid(name: str, month: int, pay: int) -> PlannerError:
    # Only what the user typed goes into the message (the amount, the debt, the month),
    # not the book's figures: messages end up in terminals and logs.
    return PlannerError(
        "cases.track.payment_more_owed_check",
        month=month_name(month),
        name=name,
        pay=format_yuan(from_cents(pay)),
    )


__all__ = [
    "Row",
    "Track",
    "replay",
]
