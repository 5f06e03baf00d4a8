"""The command line: same numbers as the package, JSON shapes, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from planner import PlannerError, load_debts, plan, required_budget
from planner.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
ZH = str(SAMPLES / "debts_zh.csv")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_lists_the_debts_with_totals(capsys):
    code, out, _ = run(capsys, "check", ZH, "--lang", "zh")
    assert code == 0
    assert "借呗" in out and "合计" in out


def test_plan_json_matches_the_package(capsys):
    code, out, _ = run(capsys, "plan", ZH, "--budget", "6000", "--format", "json", "--extra", "13:20000")
    assert code == 0
    data = json.loads(out)
    expected = plan(load_debts(ZH), 6000, "avalanche", extra={13: 20000})
    assert data["strategy"] == "avalanche" and data["budget"] == 6000
    assert data["months"] == expected.months
    assert Decimal(str(data["total_interest"])) == expected.total_interest
    assert Decimal(str(data["total_paid"])) == expected.total_paid
    assert {"name", "payoff_month", "interest", "paid"} <= set(data["debts"][0])


def test_compare_json_is_a_list_of_plans(capsys):
    code, out, _ = run(capsys, "compare", ZH, "--budget", "6000", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [d["strategy"] for d in data][:2] == ["avalanche", "snowball"]


def test_target_months_gives_the_budget(capsys):
    code, out, _ = run(capsys, "plan", ZH, "--target-months", "24", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert Decimal(str(data["budget"])) == required_budget(load_debts(ZH), 24)
    assert data["months"] <= 24


def test_never_pays_off_is_null_in_json(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("name,balance,apr,min_payment\nA,10000,36,250\n")
    code, out, err = run(capsys, "plan", str(f), "--budget", "250", "--format", "json", "--horizon", "60")
    data = json.loads(out)
    assert code == 0 and data["months"] is None and data["debts"][0]["payoff_month"] is None


def test_schedule_csv(tmp_path, capsys):
    out_file = tmp_path / "schedule.csv"
    code, _, _ = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", str(out_file), "--start", "2027-01")
    text = out_file.read_text("utf-8-sig")
    assert code == 0
    assert text.splitlines()[0].startswith("month,calendar_month,debt,opening_balance")
    assert "2027-01" in text


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["plan", ZH, "--budget", "100"], "还差"),  # below the minimums
        (["plan", "missing.csv", "--budget", "100"], "file not found"),
        (["plan", ZH, "--budget", "6000", "--strategy", "fastest"], "unknown strategy"),
        (["plan", ZH], "--budget"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err and "Traceback" not in err


def test_as_a_process_no_traceback_and_console_script_module():
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "plan", ZH, "--budget", "10"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "short" in proc.stderr


def test_cli_path_imports_no_plotting_or_pandas():
    code = "import sys; from planner.cli import main; main(['plan', %r, '--budget', '6000']); " % ZH
    # nor the report, the batch engine, numba or the case book's SQLAlchemy (issue 15: the report
    # was imported for every command, ~30 ms of the cold start)
    code += ("print(sorted(m for m in ('pandas', 'matplotlib', 'numpy', 'numba', 'sqlalchemy', 'planner.report', "
             "'planner.batch', 'planner.cases') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_target_months_with_a_shorter_horizon_is_refused(capsys):
    # issue 11, item 2: --horizon 12 made --target-months 24 answer for 12 months (¥6,647, not ¥5,326)
    code, out, err = run(capsys, "plan", ZH, "--target-months", "24", "--horizon", "12")
    assert code == 2 and out == ""
    assert "horizon (12 months) is shorter than the target of 24 months" in err and "短于目标 24 个月" in err
    with pytest.raises(PlannerError, match="shorter than the target"):
        required_budget(load_debts(ZH), 24, horizon=12)
    # a horizon at least as long gives the same answer as none
    assert required_budget(load_debts(ZH), 24, horizon=24) == required_budget(load_debts(ZH), 24)


def test_target_months_beyond_the_default_horizon_is_searched_over_the_target(capsys):
    # the default horizon (600) must not cut a longer target short either
    code, out, _ = run(capsys, "plan", ZH, "--target-months", "700", "--format", "json")
    assert code == 0
    assert Decimal(str(json.loads(out)["budget"])) == required_budget(load_debts(ZH), 700)
