"""The payment calendar: each payment of a plan on its due date, as data (no files here).

For each calendar month of a plan (12 by default) and each debt paid that month, one
:class:`DueEvent`: the due date, the amount (exact yuan, the plan's own payment), a
title and a reminder text in the chosen language, and a stable ``uid`` so a calendar
app updates the same reminder when a newer calendar is imported, instead of adding a
second one. :mod:`planner.io.ics` writes the events as an iCalendar (.ics) file.

Due dates. A debt's ``due_day`` (还款日, 1 to 31) is its day in every month; in a month
shorter than that it falls on the month's last day (31 in February: the 28th, or the
29th in a leap year; 30 in February likewise). A debt without a ``due_day`` is put on
``default_day`` (the 1st unless told) and listed in :attr:`PaymentCalendar.undated`, and
its description says the day is not known: the reminder is never silently dropped.

Reminders come ``lead_days`` (3) days before the due date: the articles' advice is to
pay from a separate card, debited a few days before the due day.

>>> from planner import Debt, plan
>>> p = plan([Debt("花呗", 1000, 12, 400, due_day=31)], 400, start="2027-01")
>>> cal = payment_calendar(p, lang="en")
>>> [(e.due.isoformat(), str(e.amount)) for e in cal]
[('2027-01-31', '400.00'), ('2027-02-28', '400.00'), ('2027-03-31', '218.26')]
>>> cal.events[1].title, cal.events[1].remind.isoformat()
('Pay 花呗: ¥400.00', '2027-02-25')
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import hashlib
import numbers
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import PlannerError
from .i18n import t
from .money import format_yuan, from_cents

#: Months a calendar covers by default.
MONTHS = 12
#: Days before the due date that the reminder comes.
LEAD_DAYS = 3
#: The day of the month used for a debt without a ``due_day``.
DEFAULT_DAY = 1
#: The domain of every event's UID (RFC 5545 suggests ``something@domain``).
UID_DOMAIN = "debt-planner"


def due_date(month: str, day: int) -> date:
    """The due date in calendar ``month`` (``"2027-02"``) of a debt due on ``day``: a day beyond
    the month's length falls on its last day.

    Parameters
    ----------
    month : str
        The calendar month, ``YYYY-MM``.
    day : int
        The debt's due day (还款日), 1 to 31.

    Returns
    -------
    datetime.date
        ``day`` of ``month``, or the month's last day when it is shorter.

    Examples
    --------
    >>> due_date("2027-02", 31), due_date("2028-02", 30), due_date("2027-04", 31), due_date("2027-02", 29)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 29), datetime.date(2027, 4, 30), datetime.date(2027, 2, 28))
    """
    year, m = (int(x) for x in month.split("-"))
    return date(year, m, min(int(day), _stdlib_calendar.monthrange(year, m)[1]))


def event_uid(key: str, debt: str, month: str) -> str:
    """The stable UID of ``debt``'s payment in ``month`` (``key``: the case or client, may be empty).

    The same debt, month and key give the same UID whatever the amount, so importing a
    newer calendar updates the reminder rather than adding another.

    Parameters
    ----------
    key : str
        The case or client the calendar is for (its name); may be empty.
    debt : str
        The debt's name.
    month : str
        The calendar month of the payment, ``YYYY-MM``.

    Returns
    -------
    str
        32 hex digits of a SHA-256 of the three, then ``@`` and :data:`UID_DOMAIN`.

    Examples
    --------
    >>> event_uid("", "花呗", "2027-01") == event_uid("", "花呗", "2027-01"), event_uid("", "花呗", "2027-01").endswith("@debt-planner")
    (True, True)
    """
    digest = hashlib.sha256("\x1f".join((str(key), str(debt), str(month))).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


@dataclass(frozen=True)
class DueEvent:
    """One payment on its due date (an all-day event) with its reminder."""

    uid: str
    due: date
    remind: date  # the day of the reminder: ``lead_days`` before ``due``
    debt: str
    amount: Decimal  # yuan, exact: the plan's payment that month
    month: str  # the calendar month, YYYY-MM
    plan_month: int
    due_day: int | None  # None: not given (the event is on the calendar's default day)
    title: str
    description: str
    alarm: str

    def to_dict(self) -> dict:
        return {"uid": self.uid, "due": self.due.isoformat(), "remind": self.remind.isoformat(), "debt": self.debt,
                "amount": float(self.amount), "month": self.month, "plan_month": self.plan_month, "due_day": self.due_day,
                "title": self.title}


@dataclass(frozen=True)
class PaymentCalendar:
    """The events of a payment calendar, in date order, and what they were made from."""

    events: tuple[DueEvent, ...]
    name: str  # the calendar's name in ``lang``
    lang: str
    first: str  # the first and last calendar months covered
    last: str
    lead_days: int
    default_day: int
    undated: tuple[str, ...]  # debts paid in these months that have no due_day

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def to_list(self) -> list[dict]:
        return [e.to_dict() for e in self.events]

    def __repr__(self) -> str:
        return f"<PaymentCalendar {self.first} to {self.last}: {len(self.events)} payments>"


def _whole(value, low: int, high: int) -> bool:
    """Whether ``value`` is a whole number from ``low`` to ``high``."""
    return not isinstance(value, bool) and isinstance(value, numbers.Integral) and low <= int(value) <= high


def payment_calendar(plan, *, months: int = MONTHS, first: str | None = None, lang: str = "zh", lead_days: int = LEAD_DAYS,
                     default_day: int = DEFAULT_DAY, key: str = "") -> PaymentCalendar:
    """Each payment of ``plan`` in ``months`` calendar months from ``first``, on its due date.

    Parameters
    ----------
    plan : planner.Plan
        A plan with a start month (``plan(..., start="2027-01")``; a case's plan has one).
    months : int, default 12
        How many calendar months, from ``first``.
    first : str, optional
        The first calendar month, ``YYYY-MM`` (default: the plan's month 1). A case's
        calendar starts at the book's current month.
    lang : {"zh", "en"}
        The language of the titles, descriptions and reminders.
    lead_days : int, default 3
        Days before the due date that the reminder comes.
    default_day : int, default 1
        The day used for a debt without a ``due_day`` (listed in ``undated``).
    key : str
        Makes the UIDs of one case or client its own (a case uses its name).

    Returns
    -------
    PaymentCalendar

    Raises
    ------
    PlannerError
        A plan without a start month, or a setting out of range.

    Examples
    --------
    >>> from planner import Debt, plan
    >>> p = plan([Debt("Card", 1000, 12, 100)], 300, start="2027-01")
    >>> cal = payment_calendar(p, months=2, first="2027-02", lang="en")
    >>> cal.first, cal.last, [e.due.isoformat() for e in cal], cal.undated
    ('2027-02', '2027-03', ['2027-02-01', '2027-03-01'], ('Card',))
    """
    if plan.start is None:
        raise PlannerError("calendar.no_start")
    t("calendar_name", lang)  # an unknown language is an error before any work
    if not _whole(months, 1, 120):
        raise PlannerError("calendar.months_range", shown=str(months)[:40], value=months)
    if not _whole(lead_days, 0, 28):
        raise PlannerError("calendar.lead_days_range", shown=str(lead_days)[:40], value=lead_days)
    if not _whole(default_day, 1, 31):
        raise PlannerError("calendar.default_day_range", shown=str(default_day)[:40], value=default_day)
    months, lead_days, default_day = int(months), int(lead_days), int(default_day)
    start_year, start_month = plan.start
    origin = start_year * 12 + start_month - 1  # plan month 1 as a month count
    if first is None:
        offset = 0
    else:
        from .result import calendar_months

        y, m = (int(x) for x in calendar_months(first, 1)[0].split("-"))  # checked as a plan's start month is
        offset = y * 12 + m - 1 - origin
    wanted = range(offset + 1, offset + months + 1)  # plan months covered (may start before month 1)
    days = {d.name: d.due_day for d in plan.debts}
    events: list[DueEvent] = []
    undated: list[str] = []
    for month, name, _opening, _interest, payment, _closing, _fees, _forgiven in plan.ledger():
        if month not in wanted or payment <= 0:
            continue
        cal_month = plan.calendar_month(month)
        day = days.get(name)
        due = due_date(cal_month, day if day is not None else default_day)
        amount = from_cents(payment)
        shown = format_yuan(amount)
        if day is None and name not in undated:
            undated.append(name)
        description = t("calendar_event_description" if day is not None else "calendar_event_description_no_day", lang,
                        debt=name, month=cal_month, amount=shown, day=day if day is not None else default_day)
        events.append(DueEvent(
            uid=event_uid(key, name, cal_month), due=due, remind=due - timedelta(days=lead_days), debt=name, amount=amount,
            month=cal_month, plan_month=month, due_day=day, title=t("calendar_event_title", lang, debt=name, amount=shown),
            description=description, alarm=t("calendar_alarm", lang, days=lead_days, debt=name, amount=shown),
        ))
    events.sort(key=lambda e: (e.due, e.plan_month))
    first_index, last_index = origin + offset, origin + offset + months - 1
    return PaymentCalendar(
        events=tuple(events), name=t("calendar_name", lang), lang=lang,
        first=f"{first_index // 12}-{first_index % 12 + 1:02d}", last=f"{last_index // 12}-{last_index % 12 + 1:02d}",
        lead_days=lead_days, default_day=default_day, undated=tuple(undated),
    )


__all__ = [
    "DEFAULT_DAY",
    "LEAD_DAYS",
    "MONTHS",
    "DueEvent",
    "PaymentCalendar",
    "due_date",
    "event_uid",
    "payment_calendar",
]
