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
    assert "金额不能为负数" in w.message.value and "negative" not in w.message.value  # the widget's language only
    assert book.case("demo").data.as_of == "2026-12"


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
    folder = tmp_path / "reports"
    w = FollowUp(book, "demo", lang="en", folder=folder)
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
    # a bad time shows a message in the widget's language and records nothing
    w.contact_at.value = "tonight"
    w.contact_button.click()
    assert "cannot read the contact time" in w.message.value and " / " not in w.message.value  # English only
    assert len(w.case.data.contacts) == 1
    # the complaint pack, then the letter for an ask: both written in the reports folder
    w.letter_debt.value = debt
    w.letter_format.value = ".txt"
    w.complaint_button.click()
    written = sorted(folder.iterdir())
    assert len(written) == 1 and written[0].suffix == ".txt"
    text = written[0].read_text(encoding="utf-8")
    # anonymised: evidence files renamed, their fingerprints kept in full
    assert shot.name not in text and w.case.contacts()[0]["evidence"][0]["sha256"] in text
    w.case = w.case.ask(debt, "freeze_interest", "2027-02", months=24)
    w.letter_format.value = ".html"
    w.letter_button.click()
    letter = next(p for p in folder.iterdir() if p.suffix == ".html")
    assert "demo" not in letter.read_text(encoding="utf-8") and "demo" not in letter.name


# ---------------------------------------------------------------------------
# issue 23: notebook 05 as a real workflow (items 7-12)

RAW_CODES = ("freeze_interest", "extend_term", "reduce_rate", "cap_rate", "waive_fees", "defer", "settle", "phone", "app_chat",
             "third_party", "kind:", "on_track", "anonymise", "pending", "accepted", "4xLPR")


def _controls(widget):
    """Every control under ``widget`` (depth first)."""
    import ipywidgets as W

    out = [widget]
    for child in getattr(widget, "children", ()):
        out += _controls(child)
    return [c for c in out if isinstance(c, W.Widget)]


def test_the_default_book_is_the_one_the_session_button_saves_to(tmp_path, monkeypatch):
    from planner.widgets import save_case_button

    monkeypatch.setenv("PLANNER_CASEBOOK", str(tmp_path / "mine.sqlite"))
    state = {"debts": load_debts(SAMPLE), "budget": 6000, "start": "2026-12", "lang": "zh"}
    save_case_button(state).save("王小明")  # notebook 04's button, its default book
    w = FollowUp(lang="zh", today=TODAY)  # notebook 05 with no book given
    assert "王小明" in w.picker.options
    w.picker.value = "王小明"
    assert w.case is not None and w.case.name == "王小明"
    w.book.close()


def test_a_new_case_from_the_form_and_a_reload_shows_cases_saved_elsewhere(book):
    w = FollowUp(book, lang="zh")
    w.new_name.value = "李四"
    w.new_debts.value = SAMPLE
    w.new_budget.value = "6000"
    w.new_start.value = "2026-12"
    w.new_button.click()
    assert "李四" in book.names() and w.case.name == "李四" and w.picker.value == "李四"
    assert "已新建案例" in w.message.value
    book.new("saved in notebook 04", SAMPLE, 6000, start="2026-12")
    assert "saved in notebook 04" not in w.picker.options
    w.reload_button.click()
    assert "saved in notebook 04" in w.picker.options and w.picker.value == "李四"


def test_the_picker_does_not_raise_when_a_case_was_deleted_meanwhile(book):
    book.new("gone soon", SAMPLE, 6000, start="2026-12")
    w = FollowUp(book, "demo", lang="en")
    book.delete("gone soon")
    w.picker.value = "gone soon"  # still listed: the callback must show a message, not raise
    assert "no longer in the book" in w.message.value and w.case.name == "demo"
    assert "gone soon" not in w.picker.options
    # the open case itself deleted elsewhere: the reload says so and closes it
    book.delete("demo")
    w.reload_button.click()
    assert w.case is None and "demo" in w.message.value


FORMS = [  # (action, the fields a person fills in, the terms recorded)
    ("freeze_interest", {"months": 24}, {"months": 24, "include_accrued": True}),
    ("extend_term", {"months": 36}, {"months": 36}),
    ("reduce_rate", {"apr": "12"}, {"apr": Decimal("12")}),
    ("reduce_rate", {"rate_fraction": "0.3"}, {"fraction": Decimal("0.3")}),
    ("cap_rate", {"line": "24"}, {"line": "24"}),
    ("waive_fees", {}, {}),
    ("settle", {"settle_fraction": "0.6", "settle_month": 2}, {"fraction": Decimal("0.6"), "month": 2}),
    ("defer", {"months": 3, "defer_start": 2, "accrue": False}, {"months": 3, "start": 2, "accrue": False}),
]


@pytest.mark.parametrize("action, fields, terms", FORMS, ids=[f"{a}-{'-'.join(f)}" for a, f, _ in FORMS])
def test_every_kind_of_agreement_from_the_form(book, action, fields, terms):
    w = FollowUp(book, "demo", lang="zh")
    w.agree_debt.value = "借呗"
    w.agree_action.value = action
    shown = {k for k, box in w.terms.items() if box.layout.display != "none"}
    assert set(fields) <= shown  # the fields this kind needs are on screen ...
    for key, value in fields.items():
        w.terms[key].value = value
    w.agree_from.value = "2027-02"
    w.agree_button.click()
    assert "/" not in w.message.value or "记录" in w.message.value, w.message.value
    (agreement,) = book.case("demo").data.agreements
    assert agreement.action == action and agreement.from_month == "2027-02"
    assert dict(agreement.adjustment.params) == terms


def test_settle_by_a_lump_sum_and_a_missing_rate_is_a_clear_message(book):
    w = FollowUp(book, "demo", lang="zh")
    owed = w.case.track().owed("借呗")
    w.agree_debt.value = "借呗"
    w.agree_action.value = "settle"
    w.terms["settle_amount"].value = f"{Decimal(owed) / 200:.2f}"  # half of what is owed
    w.agree_from.value = "2026-12"
    w.agree_button.click()
    (agreement,) = book.case("demo").data.agreements
    assert abs(agreement.adjustment.params["fraction"] - Decimal("0.5")) < Decimal("0.0001")
    w.agree_action.value = "reduce_rate"  # neither the APR nor the cut filled in
    w.agree_button.click()
    assert "年化利率" in w.message.value and "apr" not in w.message.value.replace("APR", "")
    assert len(book.case("demo").data.agreements) == 1


def test_the_ask_form_leads_to_the_request_letter(book, tmp_path):
    w = FollowUp(book, "demo", lang="zh", folder=tmp_path / "reports")
    w.letter_debt.value = "借呗"
    w.letter_button.click()  # no ask yet: the message points at the form, not at the command line
    assert "planner case ask" not in w.message.value and "记为协商请求" in w.message.value
    w.agree_debt.value = "借呗"
    w.agree_action.value = "freeze_interest"
    w.terms["months"].value = 36
    w.agree_from.value = "2027-01"
    w.ask_button.click()
    (ask,) = book.case("demo").data.asks
    assert (ask.action, ask.answer, dict(ask.adjustment.params)["months"]) == ("freeze_interest", "pending", 36)
    w.letter_button.click()
    (letter,) = (tmp_path / "reports").iterdir()
    assert "36" in letter.read_text(encoding="utf-8") and str(letter) in w.message.value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_box_is_labelled_in_the_language_and_no_code_is_shown(book, lang):
    import ipywidgets as W

    w = FollowUp(book, "demo", lang="en" if lang == "zh" else "zh")
    w.set(lang=lang)  # relabelled on the switch
    other = "en" if lang == "zh" else "zh"
    for c in _controls(w.widget):
        if isinstance(c, (W.Text, W.IntText, W.Dropdown, W.Checkbox)) and c not in w._amount_boxes.values():
            assert c.description.strip(), f"an unlabelled {type(c).__name__}"
            assert c.description not in RAW_CODES and "_" not in c.description, c.description
        if isinstance(c, W.Dropdown) and c is not w.picker:
            for label, value in c.options:
                assert "_" not in label and ":" not in label and label != "4xLPR", (label, value)  # a name, not a code
                if lang == "zh" and value not in {d.name for d in w.case.data.debts}:
                    assert not label.isascii() or label.endswith("%"), label  # a Chinese name, not an English one
        if isinstance(c, W.Button):
            assert c.layout.width == "auto", c.description  # never cut off
            if lang == "en":
                assert c.description.isascii(), c.description
    for c in _controls(w.widget):
        if isinstance(c, W.HBox) and len(c.children) > 2:
            assert c.layout.flex_flow == "row wrap"  # rows wrap inside the 968 px output
    from planner.i18n import t

    assert t("ui_case_anonymise", lang) == w.letter_anonymise.description and t("ui_case_anonymise", other) not in str(w.widget)


def test_a_client_who_is_behind_reads_behind(book):
    w = FollowUp(book, "demo", lang="zh")
    w.set_payment("借呗", "100")
    w.record_payments()
    assert "落后计划 ¥" in w.status.value and "¥-" not in w.status.value and "领先计划 ¥-" not in w.status.value
    w.set(lang="en")
    assert "Behind plan by ¥" in w.status.value and "ahead by ¥-" not in w.status.value.lower()


def test_status_and_caseload_show_the_chosen_language(book):
    import re

    case = book.case("demo")
    august = case.planned_payments("2026-12")
    august["借呗"] -= 300
    case = case.pay("2026-12", august)
    shown = case.status().table("zh")._repr_html_()
    # ¥300 short of 借呗's minimum, and its late fee by rule: 0.05% a day for 30 days on the ¥300
    # (planner/data/late_fees.toml, online loans) = ¥4.50.
    assert "落后计划 ¥304.50" in shown and "状态" in shown and "落后" in shown
    assert not re.search(r"\b(on_track|behind|ahead by|debt|status)\b", shown)
    load = book.caseload().table("zh")._repr_html_()
    assert "客户" in load and "落后计划 ¥304.50" in load and "最近更新" in load
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", load)  # a local date, not an ISO time stamp
    assert not re.search(r"\b(client|never|owed)\b", load)
    assert "Behind plan by ¥304.50" in book.caseload().table("en")._repr_html_()


def test_documents_go_to_the_reports_folder_named_by_client_and_date_never_over_an_earlier_one(tmp_path):
    import re

    book = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    book.new("王小明 13812345678", SAMPLE, 6000, start="2026-12")
    folder = tmp_path / "reports"
    w = FollowUp(book, "王小明 13812345678", lang="zh", folder=folder)
    w.add_ask("借呗", "freeze_interest", "2027-01", months=24)
    w.letter_debt.value = "借呗"
    w.letter_anonymise.value = False
    w.letter_button.click()
    w.letter_button.click()
    named = sorted(p.name for p in folder.iterdir())
    assert len(named) == 2 and all(n.startswith("王小明 13812345678-申请书-借呗-") for n in named)
    assert any(re.search(r"-\d{4}-\d\d-\d\d-2\.html$", n) for n in named)  # the second one did not replace the first
    assert str(folder) in w.message.value and "data:text/html" in w.message.value and "download=" in w.message.value
    w.letter_anonymise.value = True
    w.letter_button.click()
    anonymised = [p for p in folder.iterdir() if "王小明" not in p.name]
    assert len(anonymised) == 1 and "13812345678" not in anonymised[0].name
    body = anonymised[0].read_text(encoding="utf-8")
    assert "王小明" not in body and "13812345678" not in body
    w.followup_button.click()
    report = max(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert "跟进报告" in report.name and "王小明" not in report.read_text(encoding="utf-8")
    assert not any(p.stat().st_size == 0 for p in folder.iterdir())
    book.close()


def test_the_save_as_case_button_speaks_english_in_english(tmp_path):
    session = CounsellorSession(SAMPLE, 6000, lang="zh", start="2026-12", case_book=CaseBook(tmp_path / "b.sqlite", today=TODAY))
    session.set(lang="en")
    texts = [getattr(c, "description", "") + getattr(c, "placeholder", "") for c in _controls(session.save_case)]
    assert "Save as case" in texts[-0:] or any("Save as case" in x for x in texts)
    assert not any("保存为案例" in x or "案例名称" in x for x in texts)


def test_nothing_is_written_into_the_project(book, tmp_path, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PLANNER_REPORTS_DIR", str(tmp_path / "reports"))
    w = FollowUp(book, "demo", lang="zh")
    w.add_ask("借呗", "freeze_interest", "2027-01", months=24)
    w.letter_debt.value = "借呗"
    before = set((root / "notebooks").iterdir())
    w.folder_box.value = str(root / "notebooks")  # typed by hand: refused, with the folder to use instead
    w.letter_button.click()
    assert "项目" in w.message.value and str(tmp_path / "reports") in w.message.value
    w.folder_box.value = "clients"  # a relative folder is taken inside the reports folder, not the notebook's
    w.letter_button.click()
    (written,) = (tmp_path / "reports" / "clients").iterdir()
    assert str(written) in w.message.value
    assert set((root / "notebooks").iterdir()) == before


def test_the_widgets_anonymised_documents_scrub_numbers_and_the_file_name(tmp_path):
    """Issue 24, item 4: the widget uses the same scrubber as the command line, file names included."""
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    b.new("Wang Xiaoming", SAMPLE, 6000, start="2026-12")
    w = FollowUp(b, "Wang Xiaoming", lang="en", folder=tmp_path / "reports")
    debt = w.case.data.debts[0].name
    w.add_contact(debt, "2027-01-05 22:30", channel="phone", direction="in", summary="WANG XIAOMING 11010519491231002X (010) 6552 1234")
    written = w.write_complaint(debt, anonymise=True, suffix=".txt")
    assert written.parent == tmp_path / "reports" and written.name.startswith("client-")
    assert "wang" not in written.name.lower() and "6552" not in written.name
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
    assert "no longer in the book" in w.message.value and list(w.picker.options) == ["a"] and w.case.name == "a"
    b.close()
