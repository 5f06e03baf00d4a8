"""The follow-up report (issue 23, item 13): its language, the agreements' names, the next three months."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.cases import CaseBook
from planner.cli import main
from planner.report import build_followup, render_followup

SAMPLE = str(Path(__file__).resolve().parents[2] / "sample_data" / "debts_zh.csv")


@pytest.fixture
def case(tmp_path):
    book = CaseBook(tmp_path / "book.sqlite", today="2027-06")
    c = book.new("R", SAMPLE, 6000, start="2026-12")
    c = c.pay_planned("2026-12")
    c = c.agree("kind:card", "freeze_interest", "2027-01", months=24, confirmed=False)
    yield c
    book.close()


def test_the_cli_follow_up_report_is_in_chinese_unless_told(tmp_path, capsys):
    book = str(tmp_path / "b.sqlite")
    assert main(["case", "new", "R", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book]) == 0
    out = tmp_path / "f.html"
    assert main(["case", "report", "R", "--out", str(out), "--book", book]) == 0
    page = out.read_text("utf-8")
    assert "还款跟进报告" in page and "Follow-up: where you stand" not in page
    assert main(["case", "report", "R", "--out", str(tmp_path / "e.html"), "--lang", "en", "--book", book]) == 0
    assert "Follow-up: where you stand" in (tmp_path / "e.html").read_text("utf-8")
    capsys.readouterr()


@pytest.mark.parametrize("lang, name", [("zh", "全部信用卡"), ("en", "all credit cards")])
def test_an_agreement_is_named_by_its_debts_not_by_its_selector(case, lang, name):
    report = build_followup(case, lang=lang, today="2027-06")
    page = render_followup(report)
    assert "kind:card" not in page and "kind:" not in " ".join(report.changes)
    assert any(name in c for c in report.changes), report.changes


def test_the_next_three_months_start_this_month_not_in_the_past(case):
    # the latest recorded month is 2026-12; it is now 2027-06: nothing before 2027-06 is "next"
    report = build_followup(case, lang="zh", today="2027-06")
    assert [m for m, _, _ in report.next_months] == ["2027-06", "2027-07", "2027-08"]
    # recorded up to date: the month after the latest recorded one
    assert [m for m, _, _ in build_followup(case, lang="zh", today="2026-12").next_months][0] == "2027-01"


def test_the_follow_up_report_written_for_the_book_uses_the_books_month(case, tmp_path):
    from planner.report import write_followup

    page = write_followup(case, tmp_path / "f.html").read_text("utf-8")
    assert "2027-06" in page and "还款跟进报告" in page


def test_an_anonymised_follow_up_report_leaves_the_client_out(tmp_path):
    book = CaseBook(tmp_path / "book.sqlite", today="2027-06")
    c = book.new("王小明", SAMPLE, 6000, start="2026-12")
    page = render_followup(build_followup(c, lang="zh", anonymise=True, today="2027-06"))
    assert "王小明" not in page
    book.close()


def test_a_client_who_is_behind_reads_behind_in_the_report_and_on_the_command_line(tmp_path, capsys):
    book = CaseBook(tmp_path / "book.sqlite", today="2027-06")
    c = book.new("R", SAMPLE, 6000, start="2026-12")
    paid = c.planned_payments("2026-12")
    paid["借呗"] -= 300
    c = c.pay("2026-12", paid)  # 300 of 借呗's minimum unpaid: 300 behind and a late fee of 4.50 (0.05% a day, 30 days)
    zh = render_followup(build_followup(c, lang="zh", today="2027-06"))
    en = render_followup(build_followup(c, lang="en", today="2027-06"))
    assert "落后计划 ¥304.50" in zh and "领先计划 ¥-" not in zh and "¥-" not in zh
    assert "Behind plan by ¥304.50" in en and "Ahead of plan by ¥-" not in en
    book.close()
    for lang, words in (("zh", "落后计划 ¥304.50"), ("en", "Behind plan by ¥304.50")):
        assert main(["case", "show", "R", "--lang", lang, "--book", str(tmp_path / "book.sqlite")]) == 0
        assert words in capsys.readouterr().out
        assert main(["case", "list", "--lang", lang, "--book", str(tmp_path / "book.sqlite")]) == 0
        out = capsys.readouterr().out
        assert words in out and "¥-" not in out


def test_the_contact_history_keeps_times_and_headers_whole(case):
    c = case.add_contact("分期乐", "2027-01-05 22:15", channel="third_party", direction="in", summary="打给我母亲")
    page = render_followup(build_followup(c, lang="zh", today="2027-06"))
    assert '<td class="nb">2027-01-05 22:15 +08:00</td>' in page and '<td class="kw">联系第三方</td>' in page
    assert "white-space: nowrap" in page.split("th {")[1].split("}")[0]
