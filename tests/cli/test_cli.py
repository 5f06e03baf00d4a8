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
import re
from planner.cli import build_parser
from planner.cli.common import render_table
from planner.display import display_width
from tests.cli_helpers import RAW_CONTROL, ROOT, SCEN, START_ARGS, bilingual

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
ZH = str(SAMPLES / "debts_zh.csv")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
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


# ---------------------------------------------------------------------------
# Hostile names, refused no-ops, the output language, JSON and help (issue 11)


HOSTILE = ["Bad\x1b[2J\x1b[HCleared", "Bell\x07\x08\x08x", "C1\x9b31m", "\u202eReversed", "Two\nLines", "Tab\there", "CR\rover"]


def _hostile_csv(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    rows = ["name,balance,apr,min_payment,kind,overdue_days,penalty_apr,fees_owed"]
    for k, name in enumerate(HOSTILE):
        quoted = '"' + name.replace('"', '""') + '"'
        rows.append(f"{quoted},{1000 + 100 * k},{18 + k},{200},online_loan,{30 if k == 0 else 0},{40 if k == 0 else ''},{50 if k == 0 else 0}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _assert_no_raw_controls(text: str) -> None:
    found = RAW_CONTROL.findall(text)
    assert not found, f"raw control characters reached the terminal: {found!r}"


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["check", "--lang", "zh"],
        ["plan", "--budget", "3000", *START_ARGS],
        ["plan", "--budget", "3000", "--lang", "zh", *START_ARGS],
        ["plan", "--budget", "3000", "--strategy", "custom", "--order", "Two\nLines", *START_ARGS],
        ["compare", "--budget", "3000", *START_ARGS],
        ["plan", "--budget", "100", *START_ARGS],  # infeasible: the error message
        ["check", "--format", "json"],
    ],
)
def test_hostile_names_never_reach_the_terminal_raw(tmp_path, capsys, command):
    path = _hostile_csv(tmp_path)
    code, out, err = run(capsys, command[0], path, *command[1:])
    assert code in (0, 2)
    _assert_no_raw_controls(out)
    _assert_no_raw_controls(err)
    assert "Traceback" not in err
    if "--format" in command and code == 0:
        names = {d["name"] for d in json.loads(out)["debts"]}
        from planner import load_debts

        assert names == {d.name for d in load_debts(path)}  # JSON escapes, and still parses to the names read


def test_negotiate_with_hostile_names_and_scenario(tmp_path, capsys):
    path = _hostile_csv(tmp_path)
    scen = tmp_path / "s.toml"
    scen.write_text('[[scenario]]\nname = "Esc\\u001b[31m red"\n[[scenario.adjust]]\ndebt = "*"\naction = "waive_fees"\n'
                    '[[scenario.adjust]]\ndebt = "Two\\nLines"\naction = "reduce_rate"\nfraction = 0.5\n', encoding="utf-8")
    code, out, err = run(capsys, "negotiate", path, "--budget", "3000", "--scenarios", scen, *START_ARGS)
    assert code in (0, 2)
    _assert_no_raw_controls(out + err)


def test_error_messages_escape_the_value(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text('name,balance,apr,min_payment\n"A\x1b]0;pwned\x07",abc\x1b[31m,18,100\n', encoding="utf-8")
    code, out, err = run(capsys, "check", path)
    assert code == 2 and "\\u001b" in err
    _assert_no_raw_controls(err)


def test_a_newline_in_a_name_keeps_the_table_aligned():
    table = render_table(["Debt", "Balance"], [["Two\nLines", "¥1.00"], ["借呗", "¥22.00"], ["\x1b[2JX", "¥3.00"]])
    lines = table.split("\n")
    assert len(lines) == 5
    widths = {display_width(line) for line in lines[1:]}
    assert len(widths) == 1  # the rule and every row end in the same column (right-aligned money)
    _assert_no_raw_controls(table)


def test_a_hostile_table_lines_up_in_the_cli(tmp_path, capsys):
    code, out, _ = run(capsys, "plan", _hostile_csv(tmp_path), "--budget", "3000", *START_ARGS)
    assert code == 0
    lines = out.splitlines()
    rule = next(k for k, line in enumerate(lines) if set(line) <= {"-", " "} and line)
    body = lines[rule + 1: rule + 1 + len(HOSTILE)]
    assert len(body) == len(HOSTILE)
    assert len({display_width(line) for line in body}) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", ZH, "--budget", "6000", "--order", "借呗"],
        ["plan", ZH, "--budget", "6000", "--strategy", "snowball", "--order", "借呗"],
        ["plan", ZH, "--target-months", "24", "--order", "借呗"],
        ["negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--order", "借呗"],
        ["compare", ZH, "--budget", "6000", "--strategy", "snowball"],
        ["compare", ZH, "--budget", "6000", "--order", "借呗"],
        ["compare", ZH, "--budget", "6000", "--strategies", "avalanche,snowball", "--order", "借呗"],
        ["plan", ZH, "--budget", "6000", "--schedule", ""],
        ["plan", ZH, "--budget", "6000", "--target-months", "24"],
        ["plan", ZH, "--budget", "6000", "--extra", "700:20000"],
        ["plan", ZH, "--budget", "6000", "--budget-from", "50:8000", "--horizon", "40"],
        ["check", str(ROOT / "sample_data" / "debts_zh.xlsx"), "--encoding", "gbk"],
        ["report", ZH, "--budget", "6000", "--income", "15000", "--out", "never.html"],
        ["report", ZH, "--budget", "6000", "--essentials", "6000", "--out", "never.html"],
        ["apr", "--daily-rate", "0.05", "--periods", "12"],
        ["apr", "--fee-rate", "0.6", "--periods", "12", "--upfront-fee", "100"],
        ["apr", "--cash-flows=99000,-8833.3", "--principal", "100000"],
    ],
)
def test_silent_no_ops_are_refused(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2, (argv, out)
    assert bilingual(err), err
    assert not (tmp_path / "never.html").exists()


def test_an_empty_order_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["plan", ZH, "--budget", "6000", "--strategy", "custom", "--order", " , "])
    assert exc.value.code == 2
    assert bilingual(capsys.readouterr().err)


def test_batch_no_ops_are_refused(tmp_path, capsys):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    code, _, err = run(capsys, "batch", book, "--out", tmp_path / "r.csv", "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and bilingual(err)
    assert not (tmp_path / "r.csv").exists()


def test_plan_and_compare_in_chinese_name_the_strategies_in_chinese(capsys):
    english = ("avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost")
    _, out, _ = run(capsys, "plan", ZH, "--budget", "6000", "--lang", "zh", *START_ARGS)
    assert "雪崩法" in out and not any(name in out for name in english)
    _, out, _ = run(capsys, "compare", ZH, "--budget", "6000", "--lang", "zh", *START_ARGS)
    assert "雪球法" in out and not any(name in out for name in english)
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--lang", "zh", *START_ARGS)
    assert "雪崩法" in out and "avalanche" not in out


def test_check_in_chinese_names_the_kinds_in_chinese(capsys):
    _, out, _ = run(capsys, "check", ZH, "--lang", "zh")
    table = out.split("\n\n")[0]
    assert "网贷" in table and "信用卡" in table
    assert not any(k in table for k in ("online_loan", "consumer_finance", " card "))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_check_says_when_the_rate_shown_is_the_penalty_rate(lang, capsys):
    _, out, _ = run(capsys, "check", ZH, "--lang", lang)
    table = out.split("\n\n")[0]
    row = next(line for line in table.splitlines() if line.startswith("分期乐"))
    assert "53.85*" in row
    note = next(line for line in table.splitlines() if line.startswith("* 分期乐"))
    assert "35.90" in note


def test_json_money_has_two_decimals(capsys):
    _, out, _ = run(capsys, "plan", ZH, "--budget", "6000", "--format", "json", *START_ARGS)
    assert '"budget": 6000.00' in out and '"total_forgiven": 0.00' in out
    assert not re.search(r"\d\.\d(?!\d)", out)  # never one decimal
    json.loads(out)


def test_negotiate_json_baseline_has_name_and_savings(capsys):
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--format", "json", *START_ARGS)
    data = json.loads(out)
    for entry in [data["baseline"], *data["scenarios"]]:
        assert {"name", "monthly_pressure", "savings"} <= set(entry)
        assert set(entry["savings"]) == {"interest", "total_paid", "months"}
    assert data["baseline"]["savings"] == {"interest": 0, "total_paid": 0, "months": 0}


def test_schedule_says_where_it_wrote(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", "s.csv", "--format", "json", *START_ARGS)
    assert code == 0
    json.loads(out)  # stdout stays pure JSON
    assert str((tmp_path / "s.csv").resolve()) in err


def test_every_format_and_lang_option_has_help():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    seen = 0
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if {"--format", "--lang"} & set(action.option_strings):
                assert action.help and len(action.help) > 15, (name, action.option_strings)
                seen += 1
    assert seen >= 9


def test_report_takes_a_workbook_and_a_sheet(tmp_path, capsys):
    help_text = build_parser()._subparsers._group_actions[0].choices["report"].format_help()
    assert ".xlsx" in help_text and "--sheet" in help_text
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", ROOT / "sample_data" / "debts_zh.xlsx", "--sheet", "债务清单", "--budget", "6000",
                       "--out", out, *START_ARGS)
    assert code == 0, err
    assert "借呗" in out.read_text("utf-8")


def test_an_extra_payment_after_the_plan_ends_is_noted(capsys):
    code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--extra", "30:20000", "--format", "json", *START_ARGS)
    assert code == 0 and json.loads(out)["months"] == 16
    assert "month 30" in err and "第 30 个月" in err


def test_negotiate_in_chinese_describes_asks_in_chinese(capsys):
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--lang", "zh", *START_ARGS)
    steps = [line for line in out.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert steps
    for line in steps:
        assert not re.search(r"[a-z_]+=|kind:|overdue|\*", line), line

