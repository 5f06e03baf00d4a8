"""The payment calendar as an iCalendar file (.ics), through the ``icalendar`` library.

:func:`calendar_ics` turns a :class:`planner.calendar.PaymentCalendar` into the bytes of
an .ics file: one all-day ``VEVENT`` per payment (its stable UID, the title with the
debt and the exact amount, the description) with a ``VALARM`` ``lead_days`` before it;
:func:`write_calendar` writes them, never over an existing file unless told
(``replace=True``, the CLI's ``--replace``), never over an input.

``icalendar`` is the ``calendar`` extra (``pip install 'debt-planner[calendar]'``); it is
imported only when a calendar is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import PlannerError


def _icalendar():
    try:
        import icalendar
    except ImportError:
        raise PlannerError("io.ics.needs_icalendar") from None
    return icalendar


def calendar_ics(cal, *, stamp: datetime | None = None) -> bytes:
    """The bytes of an .ics file holding every event of ``cal`` (a :class:`~planner.calendar.PaymentCalendar`).

    ``stamp`` is every event's ``DTSTAMP`` (when the file was made; default now, UTC).
    Each event carries ``X-PLANNER-DEBT`` and ``X-PLANNER-AMOUNT`` (yuan, two decimals)
    for programs that read it back.
    """
    ical = _icalendar()
    stamp = (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    out = ical.Calendar()
    out.add("prodid", "-//debt-planner//payment calendar//" + cal.lang.upper())
    out.add("version", "2.0")
    out.add("calscale", "GREGORIAN")
    out.add("method", "PUBLISH")
    out.add("x-wr-calname", cal.name)
    for e in cal.events:
        event = ical.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", e.due)  # a date: an all-day event (VALUE=DATE)
        event.add("dtend", e.due + timedelta(days=1))
        event.add("summary", e.title)
        event.add("description", e.description)
        event.add("transp", "TRANSPARENT")
        event.add("x-planner-debt", e.debt)
        event.add("x-planner-amount", f"{e.amount:.2f}")
        alarm = ical.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.alarm)
        alarm.add("trigger", timedelta(days=-cal.lead_days))
        event.add_component(alarm)
        out.add_component(event)
    return out.to_ical()


def write_calendar(cal, path, *, inputs: Sequence = (), replace: bool = False, stamp: datetime | None = None) -> Path:
    """Write ``cal`` as an .ics file at ``path``; returns the path written.

    An existing file is never replaced silently: without ``replace`` it is refused with a
    bilingual message (the file is made under a temporary name and linked into place only
    if the name is still free). ``inputs`` (the debts file, the case book) are never written.
    """
    from .export import atomic_write_bytes

    target = Path(path)
    if target.suffix.lower() != ".ics":
        raise PlannerError("io.ics.not_ics", path=path, file=str(path))
    exists = PlannerError("io.ics.exists", path=path, file=str(path))
    if not replace and os.path.lexists(target):
        raise exists
    data = calendar_ics(cal, stamp=stamp)
    return atomic_write_bytes(target, data, inputs=inputs, replace=replace, exists=exists)


__all__ = ["calendar_ics", "write_calendar"]
