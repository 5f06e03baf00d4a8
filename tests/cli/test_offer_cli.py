"""``planner offer``: the issue's JSON contract, the table, letters, and from a case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
ZH = str(ROOT / "sample_data" / "debts_zh.csv")
STATEMENT = str(ROOT / "sample_data" / "statement_zh.csv")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(capsys):
    code, out, _ = run(capsys, "offer", ZH, "--budget", "2000", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["available"] == 2000 and data["minimums"] == 5565.01 and data["covered"] is False
    for o in data["offers"]:
        assert set(o) >= {"debt", "priority", "monthly", "months_frozen", "months_at_rate"}
        assert isinstance(o["priority"], bool) and isinstance(o["monthly"], (int, float))
        assert isinstance(o["months_frozen"], int) and (o["months_at_rate"] is None or isinstance(o["months_at_rate"], int))
    assert round(sum(o["monthly"] for o in data["offers"]), 2) == 2000


def test_covered_json_and_the_statement(capsys):
    code, out, _ = run(capsys, "offer", ZH, "--budget", "6000", "--format", "json")
    data = json.loads(out)
    assert data["covered"] is True and [o["monthly"] for o in data["offers"]][0] == 600.54
    code, out, _ = run(capsys, "offer", ZH, "--statement", STATEMENT, "--format", "json")
    data = json.loads(out)
    assert data["available"] == 2000 and data["statement"]["income"] == 5500 and "food_above_reference" in data["statement"]["flags"]


def test_table_in_both_languages_and_the_refusal(capsys):
    code, out, _ = run(capsys, "offer", ZH, "--statement", STATEMENT, "--lang", "zh")
    assert code == 0 and "收支表" in out and "按比例" in out and "2.46%" in out
    code, out, _ = run(capsys, "offer", ZH, "--budget", "2000")
    assert "fair share" in out and "never" in out
    code, _, err = run(capsys, "offer", ZH)
    assert code == 2 and "--budget" in err and "收支表" in err


def test_letters_name_no_other_lender(capsys, tmp_path):
    code, _, _ = run(capsys, "offer", ZH, "--budget", "2000", "--letters", str(tmp_path), "--letter-format", "txt", "--lang", "zh")
    files = sorted(tmp_path.glob("*.txt"))
    assert code == 0 and len(files) == 8
    from planner import load_debts

    names = [d.name for d in load_debts(ZH)]
    for f in files:
        text = f.read_text("utf-8")
        own = [n for n in names if n in text]
        assert len(own) == 1, (f.name, own)  # its own lender only
        assert "同样比例" in text


def test_from_a_case(tmp_path, capsys):
    book = str(tmp_path / "b.sqlite")
    assert main(["case", "new", "A", "--debts", ZH, "--budget", "6000", "--book", book, "--start", "2026-01"]) == 0
    assert main(["case", "statement", "A", STATEMENT, "--book", book, "--from", "2026-01"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "offer", "--case", "A", "--book", book, "--format", "json")
    assert code == 0 and json.loads(out)["available"] == 2000
    code, out, _ = run(capsys, "case", "accept", "A", "--debt", "借呗", "--confirmed", "--from", "2026-02", "--book", book)
    assert code == 0 and "借呗" in out


def test_subprocess_uses_this_tree():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "planner", "offer", ZH, "--budget", "2000", "--format", "json"], capture_output=True, text=True, env=env, check=True).stdout
    assert json.loads(out)["offers"][0]["monthly"] == 295


def test_report_takes_the_statement_and_shows_its_fair_shares(tmp_path, capsys):
    """``planner report --statement``: part 2 shows the statement, and the offers split what it leaves
    (the sample statement leaves ¥2,000 against ¥5,565.01 of minimums: docs/budget.md)."""
    from tests.cli_helpers import ROOT, ZH, run

    statement = ROOT / "sample_data" / "statement_zh.csv"
    out = tmp_path / "report.html"
    code, printed, _ = run(capsys, "report", ZH, "--budget", "2000", "--statement", statement, "--start", "2027-01", "--out", out)
    assert code == 0 and str(out) in printed
    page = out.read_text(encoding="utf-8")
    assert "收支表" in page and "¥5,500.00" in page  # income: 5,200 wages + 300 family
    assert "¥387" in page  # the card owed most takes the remainder of the fair shares (docs/budget.md's table)
    code, _, err = run(capsys, "report", ZH, "--budget", "2000", "--statement", statement, "--income", "5000",
                       "--essentials", "3000", "--out", tmp_path / "other.html")
    assert code == 2 and "--statement" in err and not (tmp_path / "other.html").exists()
