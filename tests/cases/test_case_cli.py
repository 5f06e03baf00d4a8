"""``planner case ...``: a whole session on the command line, JSON shape, exit codes, no traceback.

The CLI uses today's date for "in the future", so recorded months here are in the past
whatever day the suite runs (the case starts 2025-01).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner import load_debts, plan
from planner.cli import main

SAMPLE = str(Path(__file__).resolve().parents[2] / "sample_data" / "debts_zh.csv")


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def book(tmp_path):
    return str(tmp_path / "book.sqlite")


def test_a_session_on_the_command_line(capsys, book, tmp_path):
    reference = plan(load_debts(SAMPLE), 6000, start="2025-01")
    assert run(capsys, "case", "new", "Client A", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book)[0] == 0
    for k, month in enumerate(("2025-01", "2025-02"), start=1):
        for row in reference.month_rows(k):
            code, _, err = run(capsys, "case", "pay", "Client A", "--month", month, "--debt", row["debt"], "--amount", str(row["payment"]), "--book", book)
            assert code == 0, err
    payments = tmp_path / "pay.csv"
    payments.write_text("月份,平台,金额\n" + "".join(f"2025-03,{r['debt']},{r['payment']}\n" for r in reference.month_rows(3)), encoding="utf-8")
    assert run(capsys, "case", "pay", "Client A", "--file", str(payments), "--book", book)[0] == 0
    code, out, _ = run(capsys, "case", "show", "Client A", "--format", "json", "--book", book)
    assert code == 0
    data = json.loads(out)
    for key in ("name", "start", "as_of", "ahead_by", "months_ahead", "paid_to_date", "interest_to_date", "debt_free", "planned_debt_free", "debts", "agreements", "plan"):
        assert key in data
    assert data["as_of"] == "2025-03" and data["ahead_by"] == 0 and data["months_ahead"] == 0
    assert data["debt_free"] == data["planned_debt_free"] == reference.debt_free
    assert set(data["debts"][0]) >= {"name", "planned_balance", "actual_balance", "paid_to_date", "unexplained_charges", "status"}
    assert data["plan"] == reference.to_dict()  # shaped like `planner plan --format json`
    assert run(capsys, "case", "agree", "Client A", "--debt", "kind:card", "--action", "freeze_interest", "--months", "24", "--from", "2025-04", "--book", book)[0] == 0
    assert run(capsys, "case", "balance", "Client A", "--month", "2025-03", "--debt", "借呗", "--balance", "11000", "--book", book)[0] == 0
    assert run(capsys, "case", "replan", "Client A", "--budget", "6500", "--reason", "bonus", "--book", book)[0] == 0
    code, out, _ = run(capsys, "case", "show", "Client A", "--format", "json", "--book", book)
    data = json.loads(out)
    assert data["agreements"] == [{"debt": "kind:card", "action": "freeze_interest", "from": "2025-04", "confirmed": False, "params": {"months": 24}}]
    assert data["plan"]["budget"] == 6500.0
    code, out, _ = run(capsys, "case", "list", "--format", "json", "--book", book)
    (row,) = json.loads(out)
    assert row["client"] == "Client A" and row["unconfirmed_agreements"] == 1
    code, out, _ = run(capsys, "case", "show", "Client A", "--lang", "zh", "--book", book)
    assert code == 0 and "领先计划" in out
    out_json = tmp_path / "a.json"
    assert run(capsys, "case", "export", "Client A", "--out", str(out_json), "--book", book)[0] == 0
    assert run(capsys, "case", "delete", "Client A", "--yes", "--book", book)[0] == 0
    assert run(capsys, "case", "import", str(out_json), "--book", book)[0] == 0
    assert json.loads(run(capsys, "case", "show", "Client A", "--format", "json", "--book", book)[1]) == data


BAD = [
    ("case", "show", "nobody"),
    ("case", "pay", "C", "--month", "2025-02", "--debt", "nobody", "--amount", "10"),
    ("case", "pay", "C", "--month", "2025-02", "--debt", "借呗", "--amount", "-10"),
    ("case", "pay", "C", "--month", "2025-02", "--debt", "借呗", "--amount", "ten"),
    ("case", "pay", "C", "--month", "2024-12", "--debt", "借呗", "--amount", "10"),
    ("case", "pay", "C", "--month", "2999-01", "--debt", "借呗", "--amount", "10"),
    ("case", "pay", "C", "--month", "2025-13", "--debt", "借呗", "--amount", "10"),
    ("case", "agree", "C", "--debt", "借呗", "--action", "freeze_interest", "--months", "99", "--from", "2025-02"),
    ("case", "replan", "C", "--budget", "10"),
    ("case", "delete", "C"),
    ("case", "new", "C", "--debts", SAMPLE, "--budget", "6000"),
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a[1:3]) + f" #{k}" for k, a in enumerate(BAD)])
def test_bad_input_exits_2_bilingual_and_changes_nothing(capsys, book, args):
    assert run(capsys, "case", "new", "C", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book)[0] == 0
    assert run(capsys, "case", "pay", "C", "--month", "2025-01", "--debt", "借呗", "--amount", "600.54", "--book", book)[0] == 0
    before = run(capsys, "case", "show", "C", "--format", "json", "--book", book)[1]
    code, out, err = run(capsys, *args, "--book", book)
    assert code == 2
    assert "Traceback" not in err and (" / " in err or "\n" in err.strip())
    assert run(capsys, "case", "show", "C", "--format", "json", "--book", book)[1] == before


def test_a_file_that_is_not_a_book_exits_2(capsys, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database, just notes\n" * 50, encoding="utf-8")
    code, _, err = run(capsys, "case", "list", "--book", str(bad))
    assert code == 2 and str(bad) in err and "case book" in err
    assert bad.read_text(encoding="utf-8") == "not a database, just notes\n" * 50


def test_planner_plan_does_not_import_the_case_layer():
    code = (
        "import sys\n"
        "from planner.cli import main\n"
        f"main(['plan', {SAMPLE!r}, '--budget', '6000', '--format', 'json'])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'platformdirs') or m.startswith('planner.cases')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_follow_up_report_as_html(capsys, book, tmp_path):
    assert run(capsys, "case", "new", "R", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book)[0] == 0
    assert run(capsys, "case", "pay", "R", "--month", "2025-01", "--debt", "借呗", "--amount", "600.54", "--book", book)[0] == 0
    out = tmp_path / "followup.html"
    code, _, err = run(capsys, "case", "report", "R", "--out", str(out), "--lang", "zh", "--book", book)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "还款跟进报告" in page and "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from outside
    code, _, err = run(capsys, "case", "report", "R", "--out", str(tmp_path / "x.doc"), "--book", book)
    assert code == 2 and ".html" in err


def test_an_unreachable_postgresql_server_is_a_clear_error(capsys):
    code, _, err = run(capsys, "case", "list", "--book", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "cannot connect to the database server" in err and "无法连接数据库服务器" in err
