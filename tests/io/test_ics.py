"""The payment calendar as an .ics file, read back with the icalendar library as a calendar app would."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

icalendar = pytest.importorskip("icalendar")

from planner import Debt, PlannerError, plan  # noqa: E402
from planner.calendar import payment_calendar  # noqa: E402
from planner.io.ics import calendar_ics, write_calendar  # noqa: E402


def _events(data: bytes):
    return [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def _plan(start="2027-12"):
    debts = [Debt("花呗", 3000, 18, 300, due_day=31), Debt("借呗", 5000, 24, 500, due_day=30), Debt("京东白条", 2000, 12, 200, due_day=29)]
    return plan(debts, 1500, start=start)


def test_dates_and_amounts_read_back_equal_the_plan(tmp_path):
    p = _plan()
    cal = payment_calendar(p, lang="zh")
    path = write_calendar(cal, tmp_path / "c.ics")
    events = _events(path.read_bytes())
    assert len(events) == len(cal) > 0
    planned = {(p.calendar_month(m), name): Decimal(payment) / 100 for m, name, _o, _i, payment, *_ in p.ledger() if m <= 12 and payment > 0}
    read = {}
    for e in events:
        start = e.decoded("dtstart")
        assert isinstance(start, date) and not hasattr(start, "hour")  # an all-day event
        assert e.decoded("dtend") == start + timedelta(days=1)
        amount = Decimal(str(e["x-planner-amount"]))
        debt = str(e["x-planner-debt"])
        read[(f"{start.year}-{start.month:02d}", debt)] = amount
        assert f"¥{amount:,.2f}" in str(e["summary"]) and debt in str(e["summary"])
        day = {"花呗": 31, "借呗": 30, "京东白条": 29}[debt]
        if start.month == 2:  # 2028 is a leap year: 29, 30 and 31 all fall on the 29th
            assert start == date(2028, 2, 29)
        else:
            assert start.day == min(day, 30 if start.month in (4, 6, 9, 11) else 31)
        (alarm,) = e.walk("VALARM")
        assert alarm.decoded("trigger") == timedelta(days=-3)
        assert str(alarm["action"]) == "DISPLAY" and "3 天后还款" in str(alarm["description"])
    assert read == planned  # to the cent


def test_february_of_a_common_year():
    cal = payment_calendar(_plan("2026-12"), lang="en")
    feb = {str(e["x-planner-debt"]): e.decoded("dtstart") for e in _events(calendar_ics(cal)) if e.decoded("dtstart").month == 2}
    assert feb == {"花呗": date(2027, 2, 28), "借呗": date(2027, 2, 28), "京东白条": date(2027, 2, 28)}


def test_uids_are_stable_across_two_exports(tmp_path):
    first = _events(write_calendar(payment_calendar(_plan(), lang="zh"), tmp_path / "a.ics").read_bytes())
    second = _events(write_calendar(payment_calendar(_plan(), lang="en"), tmp_path / "b.ics").read_bytes())
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in second]
    assert len({str(e["uid"]) for e in first}) == len(first)


def test_an_existing_file_is_never_replaced_silently(tmp_path):
    cal = payment_calendar(_plan(), lang="en")
    target = tmp_path / "c.ics"
    target.write_text("the client's own calendar", encoding="utf-8")
    with pytest.raises(PlannerError, match="already exists") as caught:
        write_calendar(cal, target)
    assert "已存在" in caught.value.zh
    assert target.read_text(encoding="utf-8") == "the client's own calendar"
    assert [p.name for p in tmp_path.iterdir()] == ["c.ics"]  # no temporary file left
    write_calendar(cal, target, replace=True)
    assert len(_events(target.read_bytes())) == len(cal)
    with pytest.raises(PlannerError, match=r"\.ics"):
        write_calendar(cal, tmp_path / "c.txt")
    source = tmp_path / "debts.ics"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(PlannerError):
        write_calendar(cal, source, inputs=[source], replace=True)
    assert source.read_text(encoding="utf-8") == "x"
