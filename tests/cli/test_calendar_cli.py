"""``planner calendar``: the next 12 months' payments as an .ics file; never over an existing file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

icalendar = pytest.importorskip("icalendar")

from planner import load_debts, plan  # noqa: E402
from planner.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEBTS = "平台,剩余本金,年化利率,最低还款,还款日\n花呗,3000,18,300,31\n借呗,5000,24,500,30\n白条,2000,12,200,\n"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def debts(tmp_path):
    path = tmp_path / "debts.csv"
    path.write_text(DEBTS, encoding="utf-8")
    return path


def test_writes_the_plans_payments_and_says_so(capsys, debts, tmp_path):
    out_file = tmp_path / "pay.ics"
    code, out, err = run(capsys, "calendar", str(debts), "--budget", "1500", "--start", "2027-01", "--out", str(out_file), "--strategy", "snowball")
    assert code == 0, err
    assert "payment reminders, 2027-01-01 to" in out and "3 days before" in out
    assert "No due day (due_day / 还款日) for 白条" in err
    reference = plan(load_debts(debts), 1500, "snowball", start="2027-01")
    planned = sorted((reference.calendar_month(m), n, Decimal(c) / 100) for m, n, _o, _i, c, *_ in reference.ledger() if m <= 12 and c > 0)
    events = list(icalendar.Calendar.from_ical(out_file.read_bytes()).walk("VEVENT"))
    read = sorted((e.decoded("dtstart").strftime("%Y-%m"), str(e["x-planner-debt"]), Decimal(str(e["x-planner-amount"]))) for e in events)
    assert read == planned
    feb = {str(e["x-planner-debt"]): e.decoded("dtstart").day for e in events if e.decoded("dtstart").month == 2}
    assert feb.get("花呗") in (None, 28) and feb.get("借呗") in (None, 28)


def test_refuses_to_overwrite_and_speaks_both_languages(capsys, debts, tmp_path):
    out_file = tmp_path / "pay.ics"
    out_file.write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "calendar", str(debts), "--budget", "1500", "--out", str(out_file))
    assert code == 2 and "已存在，不会被覆盖" in err and "already exists and is not replaced" in err and "Traceback" not in err
    assert out_file.read_text(encoding="utf-8") == "mine"
    code, out, _ = run(capsys, "calendar", str(debts), "--budget", "1500", "--out", str(out_file), "--replace", "--lang", "zh", "--start", "2027-01")
    assert code == 0 and "个还款提醒" in out
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(out_file.read_bytes()).walk("VEVENT")]
    assert all(s.startswith("还款：") for s in summaries)
    code, _, err = run(capsys, "calendar", str(debts), "--budget", "1500", "--out", str(tmp_path / "pay.csv"))
    assert code == 2 and ".ics" in err
    code, _, err = run(capsys, "calendar", str(debts), "--budget", "1500", "--out", str(debts.with_suffix(".ics")), "--months", "0")
    assert code == 2 and "1 到 120" in err and not debts.with_suffix(".ics").exists()


def test_json_for_scripts(capsys, debts, tmp_path):
    code, out, _ = run(capsys, "calendar", str(debts), "--budget", "1500", "--start", "2027-01", "--out", str(tmp_path / "c.ics"), "--format", "json", "--months", "2")
    data = json.loads(out)
    assert code == 0 and data["undated"] == ["白条"] and {e["due"][:7] for e in data["events"]} == {"2027-01", "2027-02"}


def test_the_installed_command_runs_this_tree(debts, tmp_path):
    """A child process imports the planner of this tree (PYTHONPATH set for it), not another checkout's."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.path.dirname(os.path.dirname(icalendar.__file__))])}
    out_file = tmp_path / "child.ics"
    done = subprocess.run([sys.executable, "-m", "planner", "calendar", str(debts), "--budget", "1500", "--out", str(out_file)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out_file.exists()
