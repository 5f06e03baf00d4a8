"""The follow-up widget, driven as a person would, without a browser; checked against the case layer
and against the chart drawn directly from the case's progress data."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest.importorskip("ipywidgets")

from planner import load_debts, plan  # noqa: E402
from planner.cases import CaseBook  # noqa: E402
from planner.widgets import CounsellorSession, FollowUp  # noqa: E402

SAMPLE = "sample_data/debts_zh.csv"
TODAY = "2031-12"


@pytest.fixture
def book(tmp_path):
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    b.new("demo", SAMPLE, 6000, start="2026-12")
    yield b
    b.close()


def test_an_on_plan_month_is_one_click(book):
    w = FollowUp(book, "demo", lang="en")
    reference = plan(load_debts(SAMPLE), 6000, start="2026-12")
    expected = {r["debt"]: f"{r['payment']:.2f}" for r in reference.month_rows(1)}
    assert w.state.month == "2026-12"
    assert w.payments() == expected  # pre-filled with the plan's amounts
    w.record_payments()
    s = book.status("demo")
    assert s.as_of == "2026-12" and s.ahead_by == Decimal("0.00")
    assert w.state.month == "2027-01"
    assert w.payments() == {r["debt"]: f"{r['payment']:.2f}" for r in reference.month_rows(2)}
    # the chart is the one drawn from the case's progress data
    plan_line = next(line for line in w.axes()[0].get_lines() if line.get_gid() == "plan")
    assert [float(y) for y in plan_line.get_ydata()] == [c / 100 for _, c in w.case.progress().plan]
    actual = next(line for line in w.axes()[0].get_lines() if line.get_gid() == "actual")
    assert [float(y) for y in actual.get_ydata()] == [c / 100 for _, c in w.case.progress().actual]


def test_a_short_payment_shows_behind_and_errors_show_in_the_widget(book):
    w = FollowUp(book, "demo", lang="zh")
    w.set_payment("借呗", "100")
    w.record_payments()
    s = book.status("demo")
    assert s.ahead_by < 0 and {d.name: d.status for d in s.debts}["借呗"] == "behind"
    assert "落后" in w.status.value
    w.set_payment("借呗", "-5")
    w._guard(w.record_payments)
    assert "negative" in w.message.value and book.case("demo").data.as_of == "2026-12"


def test_statement_agreement_and_replan_from_the_widget(book):
    w = FollowUp(book, "demo", lang="en")
    w.record_payments()
    w.record_balance("分期乐", "7000")
    assert book.case("demo").data.statements == {("2026-12", "分期乐"): 700000}
    w.add_agreement("kind:card", "freeze_interest", "2027-02", months=24, confirmed=True)
    w.replan(reason="cards frozen")
    assert [r.reason for r in book.case("demo").data.replans] == ["cards frozen"]
    w.set(lang="zh")
    assert w.axes()[0].get_title(loc="left") == "还款进度"


def test_save_as_case_from_the_counsellor_session(tmp_path):
    target = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    session = CounsellorSession(SAMPLE, 6000, lang="en", start="2026-12", case_book=target)
    session.set(budget=6500)
    case = session.save_case.save("from the session")
    assert case.data.budgets == {"2026-12": 650000}
    assert [d.name for d in case.data.debts] == [d.name for d in load_debts(SAMPLE)]
    assert case.plan().ledger() == plan(load_debts(SAMPLE), 6500, start="2026-12").ledger()


def test_contacts_letter_and_complaint_from_the_widget(book, tmp_path):
    w = FollowUp(book, "demo", lang="en")
    debt = w.case.data.debts[0].name
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"png")
    # the contact form, as a person fills it in
    w.contact_debt.value = debt
    w.contact_at.value = "2027-01-05 22:00"
    w.contact_summary.value = "<script>x</script>"
    w.contact_evidence.value = str(shot)
    w.contact_button.click()
    assert len(w.case.data.contacts) == 1 and w.case.contacts()[0]["flags"] == ["night"]
    assert "&lt;script&gt;" in w.contact_log.value and "<script>" not in w.contact_log.value
    assert "#D55E00" in w.contact_log.value  # the flagged row stands out
    # a bad time shows a bilingual message in the widget and records nothing
    w.contact_at.value = "tonight"
    w.contact_button.click()
    assert " / " in w.message.value and len(w.case.data.contacts) == 1
    # the complaint pack, then the letter for an ask
    w.letter_debt.value = debt
    w.letter_out.value = str(tmp_path / "complaint.txt")
    w.complaint_button.click()
    assert shot.name in (tmp_path / "complaint.txt").read_text(encoding="utf-8") or "sha256" in (tmp_path / "complaint.txt").read_text(encoding="utf-8")
    w.case = w.case.ask(debt, "freeze_interest", "2027-02", months=24)
    w.letter_out.value = str(tmp_path / "letter.html")
    w.letter_button.click()
    assert (tmp_path / "letter.html").exists() and "demo" not in (tmp_path / "letter.html").read_text(encoding="utf-8")


def test_the_widgets_anonymised_documents_scrub_numbers_and_the_file_name(tmp_path):
    """Issue 24, item 4: the widget uses the same scrubber as the command line, file names included."""
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    b.new("Wang Xiaoming", SAMPLE, 6000, start="2026-12")
    w = FollowUp(b, "Wang Xiaoming", lang="en")
    debt = w.case.data.debts[0].name
    w.add_contact(debt, "2027-01-05 22:30", channel="phone", direction="in", summary="WANG XIAOMING 11010519491231002X (010) 6552 1234")
    written = w.write_complaint(debt, str(tmp_path / "wang xiaoming (010) 6552 1234.txt"), anonymise=True)
    assert written.name == "client phone.txt"
    text = written.read_text(encoding="utf-8")
    assert "WANG" not in text and "11010519491231002X" not in text and "6552 1234" not in text
    b.close()


def test_picking_a_case_another_counsellor_deleted_shows_a_message(tmp_path):
    """Issue 24, item 13: the picker's callback never raises."""
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    b.new("a", SAMPLE, 6000, start="2026-12")
    b.new("b", SAMPLE, 6000, start="2026-12")
    w = FollowUp(b, "a", lang="en")
    other = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    other.delete("b")  # another counsellor, another process
    other.close()
    w.picker.value = "b"  # still listed in this widget
    assert "no case named &#x27;b&#x27;" in w.message.value and list(w.picker.options) == ["a"] and w.case.name == "a"
    b.close()
