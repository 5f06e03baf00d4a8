"""The follow-up widget's checklist after clearing and its calendar button, driven without a browser."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")
icalendar = pytest.importorskip("icalendar")

from planner import Debt  # noqa: E402
from planner.cases import CaseBook  # noqa: E402
from planner.widgets import FollowUp  # noqa: E402

TODAY = "2027-06"


@pytest.fixture
def book(tmp_path):
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    case = b.new("王小明", [Debt("花呗", 1000, 12, 100, due_day=31), Debt("借呗", 300, 0, 150, due_day=29)], budget=600, start="2027-01")
    case.pay_planned("2027-01")
    yield b
    b.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_checklist_shows_after_clearing_and_goes_when_done(book, lang):
    w = FollowUp(book, "王小明", lang=lang, today=TODAY)
    shown = w.clearance_table.value
    assert ("还没有结清的债务" if lang == "zh" else "No debt cleared yet") in shown
    assert w.clearance_controls.layout.display == "none"  # nothing to record: no empty dropdown, no button
    w.record_payments()  # February as planned: 借呗 is cleared
    assert w.clearance_debt.options == (("借呗", "借呗"),)
    assert w.clearance_controls.layout.display is None
    table = w.clearance_table.value
    assert ("已索要结清证明" if lang == "zh" else "Settlement proof asked for") in table
    assert ("2027-03-31 起查询" if lang == "zh" else "check from 2027-03-31") in table
    w.clearance_item.value = "proof_asked"
    w.clearance_date.value = "2027-03-02"
    w.clearance_button.click()
    assert "✓ 2027-03-02" in w.clearance_table.value
    w.clearance_item.value = "proof_received"
    w.clearance_date.value = "2027-03-01"
    w.clearance_button.click()  # before it was asked: a message in the widget, nothing recorded
    assert ("不能早于" if lang == "zh" else "before it was asked") in w.message.value  # in the widget's language only
    assert ("before it was asked" if lang == "zh" else "不能早于") not in w.message.value
    w.tick_clearance("借呗", "proof_received", "2027-03-09")
    w.tick_clearance("借呗", "report_checked", "2027-04-30")
    assert ("全部完成" if lang == "zh" else "every step after clearing is done") in w.message.value
    assert w.clearance_debt.options == ()
    assert "借呗" not in w.clearance_table.value
    assert w.clearance_controls.layout.display == "none"


def test_the_calendar_button_writes_the_ics_into_the_reports_folder(tmp_path):
    book = CaseBook(tmp_path / "now.sqlite", today="2027-01")
    book.new("王小明", [Debt("花呗", 1000, 12, 100, due_day=31), Debt("借呗", 300, 0, 150, due_day=29)], budget=600, start="2027-01")
    w = FollowUp(book, "王小明", lang="zh", folder=tmp_path / "reports")
    w.calendar_button.click()
    (written,) = (tmp_path / "reports").glob("*.ics")
    assert written.name.startswith("client-还款日历-")  # the documents' "anonymise" box is ticked by default
    assert str(written) in w.message.value and "data:text/calendar" in w.message.value
    events = list(icalendar.Calendar.from_ical(written.read_bytes()).walk("VEVENT"))
    assert {str(e["x-planner-debt"]) for e in events} == {"花呗", "借呗"}
    w.calendar_button.click()  # a second calendar never replaces the first
    assert len(list((tmp_path / "reports").glob("*.ics"))) == 2
