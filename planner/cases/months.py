"""Calendar months as whole numbers: ``"2027-03"`` <-> 2027·12 + 2; the bounds of a case's start
month and of a contact's time.

>>> month_index("2027-03"), month_name(month_index("2027-03") + 10)
(24326, '2028-01')
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import PlannerError

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")
_DATE_ONLY = re.compile(r"^\s*\d{4}-?\d{2}-?\d{2}\s*$")
#: The earliest month a case may start or a contact be dated (issue 24, item 10).
EARLIEST = 2000 * 12
#: How far ahead a case may start: ten years.
AHEAD = 120


def month_index(text, what: str = "month") -> int:
    """``"2027-03"`` (also ``2027/3``, ``2027年3月``) or a date as a month index."""
    if isinstance(text, date):
        return text.year * 12 + text.month - 1
    m = _MONTH.match(str(text)) if isinstance(text, str) else None
    if m:
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and 1900 <= y <= 2200:
            return y * 12 + mo - 1
    raise PlannerError("cases.months.month_should_look_like", what=what, text=str(text)[:40])


def month_name(index: int) -> str:
    """A month index as ``"2027-03"``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def this_month(today: date | None = None) -> int:
    return month_index(today or date.today())


def check_start(index: int, today: int, what: str = "start") -> int:
    """A case's start month: from 2000-01 to ten years after this month (``today``)."""
    if not EARLIEST <= index <= today + AHEAD:
        raise PlannerError(
            "cases.months.start_month_implausible_lie",
            what=what,
            index=month_name(index),
            earliest=month_name(EARLIEST),
            today=month_name(today + AHEAD),
        )
    return index


def parse_contact_time(at, tz=None):
    """``(aware datetime, zone name or None)`` from a datetime or text such as ``2027-01-05 21:40``
    (read in ``tz``, default the borrower's zone in the conduct data) or ``2027-01-05T21:40+08:00``."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ..conduct import settings

    if isinstance(at, datetime):
        when = at
    elif isinstance(at, date) or (isinstance(at, str) and _DATE_ONLY.match(at)):
        # issue 24, item 11: a day without its time would read as 00:00 and be flagged "night"
        raise PlannerError("cases.months.contact_time_no_time", at=str(at)[:40])
    else:
        try:
            when = datetime.fromisoformat(str(at).strip())
        except ValueError:
            raise PlannerError("cases.months.cannot_read_contact_time", at=at) from None
    zone = None
    if when.tzinfo is None:
        zone = str(tz or settings()["timezone"])
        try:
            when = when.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise PlannerError("cases.months.unknown_time_zone_asia", zone=zone) from None
    elif tz:
        raise PlannerError("cases.months.time_already_carries_offset")
    elif isinstance(getattr(when.tzinfo, "key", None), str):
        zone = when.tzinfo.key
    try:  # stored in UTC: 0001-01-01 00:00 in Shanghai or 9999-12-31 23:59 in New York has no UTC time
        when.astimezone(timezone.utc)
        when.utcoffset()
    except (OverflowError, ValueError):
        raise PlannerError("cases.months.contact_time_out_range", at=str(at)) from None
    return when, zone


def check_contact_time(when, today: int, now=None) -> None:
    """A contact's time: not before 2000-01 and not in a month after this one (``today``), as ``pay`` refuses
    future months; with ``now`` (an aware datetime: the real clock) also not more than a day after it."""
    from datetime import timedelta

    index = when.year * 12 + when.month - 1
    if EARLIEST <= index <= today and now is not None and when - now > timedelta(days=1):
        raise PlannerError("cases.months.contact_time_future", v=when.isoformat(' ', 'minutes'))
    if index < EARLIEST:
        raise PlannerError(
            "cases.months.contact_time_before_implausible",
            when=when.date(),
            earliest=month_name(EARLIEST),
        )
    if index > today:
        raise PlannerError("cases.months.contact_time_future_month", when=when.date(), today=month_name(today))


__all__ = [
    "EARLIEST",
    "check_contact_time",
    "check_start",
    "parse_contact_time",
    "month_index",
    "month_name",
    "this_month",
]
