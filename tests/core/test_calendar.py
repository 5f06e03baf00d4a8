"""The payment calendar as data (planner.calendar): due dates, amounts, UIDs, reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner import Debt, PlannerError, plan
from planner.calendar import due_date, event_uid, payment_calendar


@pytest.mark.parametrize(
    "month, day, expected",
    [
        ("2027-02", 31, date(2027, 2, 28)),  # beyond February's length: its last day
        ("2027-02", 30, date(2027, 2, 28)),
        ("2027-02", 29, date(2027, 2, 28)),
        ("2028-02", 29, date(2028, 2, 29)),  # a leap year
        ("2028-02", 31, date(2028, 2, 29)),
        ("2027-04", 31, date(2027, 4, 30)),
        ("2027-03", 31, date(2027, 3, 31)),
        ("2027-01", 1, date(2027, 1, 1)),
    ],
)
def test_a_day_beyond_the_month_falls_on_its_last_day(month, day, expected):
    assert due_date(month, day) == expected


def _plan():
    debts = [Debt("花呗", 3000, 18, 300, due_day=31), Debt("借呗", 5000, 24, 500, due_day=29), Debt("白条", 2000, 12, 200)]
    return plan(debts, 1500, start="2027-11")


def test_every_payment_of_twelve_months_is_an_event_with_the_plans_amount():
    p = _plan()
    cal = payment_calendar(p, lang="en")
    expected = {(p.calendar_month(m), name): payment for m, name, _o, _i, payment, *_ in p.ledger() if m <= 12 and payment > 0}
    assert {(e.month, e.debt): int(e.amount * 100) for e in cal} == expected
    assert cal.first == "2027-11" and cal.last == "2028-10"
    assert [e.due for e in cal] == sorted(e.due for e in cal)
    for e in cal:
        assert e.remind == e.due - timedelta(days=3)
    feb = {e.debt: e.due for e in cal if e.month == "2028-02"}
    assert feb["花呗"] == date(2028, 2, 29) and feb["借呗"] == date(2028, 2, 29)
    assert cal.undated == ("白条",)
    assert all(e.due.day == 1 for e in cal if e.debt == "白条")  # the default day, said in the description
    assert "not known" in next(e for e in cal if e.debt == "白条").description


def test_uids_are_stable_and_do_not_depend_on_the_amount():
    a = payment_calendar(_plan(), lang="zh")
    b = payment_calendar(plan(_plan().debts, 1600, start="2027-11"), lang="en")
    assert {e.uid for e in a if e.month == "2027-11"} == {e.uid for e in b if e.month == "2027-11"}
    assert len({e.uid for e in a}) == len(a)
    assert event_uid("case A", "花呗", "2027-11") != event_uid("case B", "花呗", "2027-11")


def test_texts_in_both_languages():
    zh = payment_calendar(_plan(), lang="zh").events[0]
    en = payment_calendar(_plan(), lang="en").events[0]
    assert zh.title.startswith("还款：") and "¥" in zh.title
    assert en.title.startswith("Pay ") and "¥" in en.title
    assert "3 天后还款" in zh.alarm and "In 3 days" in en.alarm


def test_a_window_and_the_settings():
    p = _plan()
    later = payment_calendar(p, first="2028-01", months=2, lead_days=5, default_day=15)
    assert {e.month for e in later} == {"2028-01", "2028-02"}
    assert all(e.remind == e.due - timedelta(days=5) for e in later)
    assert all(e.due.day == 15 for e in later if e.debt == "白条")
    with pytest.raises(PlannerError, match="no start month"):
        payment_calendar(plan(p.debts, 1500))
    for bad in ({"months": 0}, {"lead_days": 40}, {"default_day": 32}, {"months": True}):
        with pytest.raises(PlannerError):
            payment_calendar(p, **bad)


@pytest.mark.parametrize("bad", [0, 32, -1, 1.5, "15", True])
def test_a_debt_checks_its_due_day(bad):
    with pytest.raises(PlannerError, match="due_day"):
        Debt("A", 100, 12, 10, due_day=bad)
    assert Debt("A", 100, 12, 10, due_day=31).due_day == 31
