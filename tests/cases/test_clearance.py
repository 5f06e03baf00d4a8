"""After a debt is cleared: the checklist (settlement proof, credit report) appears in case show and
the caseload, is ticked with planner case clear, and disappears once done; the case's calendar."""

from __future__ import annotations

import json

import pytest

from planner import Debt, PlannerError
from planner.cases import CaseBook
from planner.cli import main

TODAY = None  # the real month: the command line uses it too, so the case lies in the past (2025)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def book_path(tmp_path):
    path = tmp_path / "book.sqlite"
    with CaseBook(path, today=TODAY) as book:
        case = book.new("Client A", [Debt("Card", 1000, 12, 100, due_day=31), Debt("借呗", 300, 0, 150, due_day=29)], budget=600, start="2025-01")
        case.pay_planned("2025-01")
    return str(path)


def test_the_checklist_appears_after_clearing_and_disappears_when_done(capsys, book_path):
    with CaseBook(book_path, today=TODAY) as book:
        assert book.case("Client A").checklists() == ()
        assert book.status("Client A").clearance == ()
        with pytest.raises(PlannerError, match="not cleared yet"):
            book.clear("Client A", "Card", proof_asked="2025-02-01")
        book.case("Client A").pay_planned("2025-02")  # 借呗 is paid off in February
    code, out, _ = run(capsys, "case", "show", "Client A", "--book", book_path, "--lang", "zh")
    assert code == 0
    assert "结清之后：结清证明与征信报告" in out and "借呗（2025-02 结清）尚待：索要结清证明、收到结清证明、查征信报告（2025-03-31 起）" in out
    code, out, _ = run(capsys, "case", "list", "--book", book_path, "--lang", "en")
    assert "After clearing: to do" in out and "借呗" in out
    code, out, _ = run(capsys, "case", "list", "--book", book_path, "--format", "json")
    assert json.loads(out)[0]["clearance_todo"] == ["借呗"]

    code, out, err = run(capsys, "case", "clear", "Client A", "借呗", "--proof-asked", "2025-03-02", "--book", book_path)
    assert code == 0, err
    assert "still to do: receive the settlement proof, check the credit report (from 2025-03-31)" in out
    code, _, err = run(capsys, "case", "clear", "Client A", "借呗", "--proof-received", "2025-03-01", "--book", book_path)
    assert code == 2 and "cannot be received (2025-03-01) before it was asked for (2025-03-02)" in err and "不能早于" in err
    code, _, err = run(capsys, "case", "clear", "Client A", "借呗", "--report-checked", "2099-09-01", "--book", book_path)
    assert code == 2 and "after this month" in err  # the real month is earlier than 2027-09 only if the suite runs before then
    code, _, err = run(capsys, "case", "clear", "Client A", "借呗", "--report-checked", "2025-01-20", "--book", book_path)
    assert code == 2 and "before the month the debt was cleared (2025-02)" in err
    code, _, err = run(capsys, "case", "clear", "Client A", "借呗", "--book", book_path)
    assert code == 2 and "nothing to record" in err
    code, _, err = run(capsys, "case", "clear", "Client A", "借呗", "--proof-received", "tomorrow", "--book", book_path)
    assert code == 2 and "not a date" in err and "不是日期" in err

    code, out, _ = run(capsys, "case", "show", "Client A", "--book", book_path, "--format", "json")
    (item,) = json.loads(out)["clearance"]
    assert item["proof_asked"] == "2025-03-02" and not item["done"]
    code, out, _ = run(capsys, "case", "clear", "Client A", "借呗", "--proof-received", "2025-03-09", "--report-checked", "2025-04-30",
                       "--book", book_path, "--lang", "zh")
    assert code == 0 and "「借呗」结清后的各项已全部完成" in out
    code, out, _ = run(capsys, "case", "show", "Client A", "--book", book_path)
    assert "After clearing" not in out and "still to do" not in out
    code, out, _ = run(capsys, "case", "list", "--book", book_path, "--format", "json")
    assert json.loads(out)[0]["clearance_todo"] == []
    # a step taken back shows the checklist again
    assert run(capsys, "case", "clear", "Client A", "借呗", "--undo", "report_checked", "--book", book_path)[0] == 0
    with CaseBook(book_path, today=TODAY) as book:
        (c,) = book.status("Client A").clearance
        assert c.todo == ("report_checked",)
        assert "借呗" in book.status("Client A").table("zh")._repr_html_()


def test_the_checklist_travels_with_an_export(tmp_path, book_path):
    with CaseBook(book_path, today=TODAY) as book:
        book.case("Client A").pay_planned("2025-02")
        book.clear("Client A", "借呗", proof_asked="2025-03-02")
        exported = book.export("Client A")
        (debt,) = [d for d in exported["debts"] if d["name"] == "借呗"]
        assert debt["clearance"] == {"proof_asked": "2025-03-02"} and debt["due_day"] == 29
    with CaseBook(tmp_path / "other.sqlite", today=TODAY) as other:
        other.import_(exported)
        (c,) = other.case("Client A").checklists()
        assert (c.debt, c.proof_asked, c.proof_received) == ("借呗", "2025-03-02", None)
        assert other.case("Client A").data.debts[0].due_day == 31
        bad = json.loads(json.dumps(exported))
        bad["name"] = "Client B"
        bad["debts"][1]["clearance"] = {"proof_asked": "soon"}
        with pytest.raises(PlannerError, match="clearance"):
            other.import_(bad)


def test_the_case_calendar_on_the_command_line(capsys, book_path, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    from planner.cases.months import month_name, this_month

    with CaseBook(book_path) as book:  # a case under way now: its calendar starts this month
        book.new("Client B", [Debt("Card", 3000, 12, 300, due_day=31)], budget=600, start=month_name(this_month()))
    out_file = tmp_path / "cal.ics"
    code, out, err = run(capsys, "case", "calendar", "Client B", "--out", str(out_file), "--book", book_path, "--lang", "zh")
    assert code == 0, err
    assert "个还款提醒" in out
    events = list(icalendar.Calendar.from_ical(out_file.read_bytes()).walk("VEVENT"))
    assert events and all(str(e["uid"]).endswith("@debt-planner") for e in events)
    assert min(e.decoded("dtstart") for e in events).strftime("%Y-%m") == month_name(this_month())
    code, _, err = run(capsys, "case", "calendar", "Client A", "--out", str(tmp_path / "old.ics"), "--book", book_path)
    assert code == 2 and "nothing to remind of" in err and not (tmp_path / "old.ics").exists()  # a plan already finished
    code, _, err = run(capsys, "case", "calendar", "Client B", "--out", str(out_file), "--book", book_path)
    assert code == 2 and "already exists" in err and "已存在" in err
    code, _, err = run(capsys, "case", "calendar", "Client B", "--out", str(out_file), "--book", book_path, "--replace")
    assert code == 0, err


def test_the_command_lines_steps_are_the_case_layers():
    from planner.cases.clearance import ITEMS
    from planner.cli.main import build_parser

    parser = build_parser()
    args = parser.parse_args(["case", "clear", "A", "B", "--undo", *ITEMS])
    assert tuple(args.undo) == ITEMS
