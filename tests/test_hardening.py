"""Issue 11, items 8, 12, 15, 21, 22 and 25: what a hostile file and a new user found.

Each test failed before its fix. Output paths that are not regular files (run as root,
where renaming over /dev/null really replaces the device), terminal control characters
in names, silent no-op options, half-translated Chinese output, and the JSON's money.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from planner import Debt, PlannerError, plan
from planner.cli import build_parser, main
from planner.cli.common import render_table
from planner.display import display_width, escape_controls
from planner.io.export import atomic_write_bytes, output_target

ROOT = Path(__file__).resolve().parent.parent
ZH = str(ROOT / "sample_data" / "debts_zh.csv")
EN = str(ROOT / "sample_data" / "debts_en.csv")
SCEN = str(ROOT / "sample_data" / "scenarios_zh.toml")
START = ["--start", "2026-12"]
#: Characters that must never reach a terminal raw: C0 (but newline), DEL, C1, bidi and format characters.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
        cwd=ROOT, timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, **kwargs,
    )


def bilingual(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and bool(re.search(r"[A-Za-z]{4,}", text)) and "Traceback" not in text


# ---------------------------------------------------------------------------
# 8. never rename over a device, FIFO, socket or a link to one

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="replacing a device node takes root: the bug only shows as root")


def _special_paths(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    return [Path("/dev/null"), Path("/dev/full"), fifo, link]


def _node(path: Path):
    info = os.stat(path)
    return stat.S_IFMT(info.st_mode), info.st_rdev, os.path.islink(path)


@needs_root
def test_schedule_never_replaces_a_device_or_fifo(tmp_path, capsys):
    for target in _special_paths(tmp_path):
        before = _node(target)
        code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", target, *START)
        assert code == 2, target
        assert bilingual(err) and str(target) in err
        assert _node(target) == before, f"{target} was replaced"


@needs_root
def test_report_and_library_writes_never_replace_a_device(tmp_path, capsys):
    for target in _special_paths(tmp_path):
        before = _node(target)
        code, _, err = run(capsys, "report", ZH, "--budget", "6000", "--out", f"{target}", *START)
        assert code == 2 and bilingual(err)
        with pytest.raises(PlannerError):
            atomic_write_bytes(target, b"x")
        assert _node(target) == before


@needs_root
def test_batch_out_never_replaces_a_device(tmp_path, capsys):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    before = _node(link)
    code, _, err = run(capsys, "batch", book, "--out", link)
    assert code == 2 and bilingual(err)
    assert _node(link) == before


def test_dev_stdout_is_refused_whatever_stdout_is(tmp_path):
    # stdout a pipe: /dev/stdout is a FIFO
    piped = cli("plan", ZH, "--budget", "6000", "--schedule", "/dev/stdout", *START)
    assert piped.returncode == 2 and bilingual(piped.stderr)
    # stdout a regular file: renaming over it would replace the file the table is being written to
    out = tmp_path / "out.txt"
    with open(out, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "planner", "plan", ZH, "--budget", "6000", "--schedule", "/dev/stdout"],
                              stdout=handle, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 2 and bilingual(done.stderr)
    assert os.path.islink("/dev/stdout")


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path, capsys):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", link, *START)
    assert code == 0
    assert link.is_symlink() and real.read_text("utf-8-sig").startswith("month")
    assert str(real) in err  # says where it wrote (item 25)


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_output_name_is_refused(name, capsys):
    code, _, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", name)
    assert code == 2 and bilingual(err) and "schedule.csv" in err
    with pytest.raises(PlannerError):
        output_target(name)


# ---------------------------------------------------------------------------
# 12. terminal control characters are shown escaped everywhere


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


def test_escape_controls_covers_c0_c1_and_bidi():
    for ch in [*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0)), "\u202a", "\u202e", "\u2066", "\u2069",
               "\u200e", "\u061c", "\u2028", "\u2029", "\ufeff", "\u200b"]:
        shown = escape_controls("a" + ch + "b")
        assert ch not in shown and shown.startswith("a\\u") and shown.endswith("b")
    assert escape_controls("招商银行信用卡 ¥1,000 (A)") == "招商银行信用卡 ¥1,000 (A)"
    assert escape_controls("a\nb", keep_newlines=True) == "a\nb"


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["check", "--lang", "zh"],
        ["plan", "--budget", "3000", *START],
        ["plan", "--budget", "3000", "--lang", "zh", *START],
        ["plan", "--budget", "3000", "--strategy", "custom", "--order", "Two\nLines", *START],
        ["compare", "--budget", "3000", *START],
        ["plan", "--budget", "100", *START],  # infeasible: the error message
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
    code, out, err = run(capsys, "negotiate", path, "--budget", "3000", "--scenarios", scen, *START)
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
    code, out, _ = run(capsys, "plan", _hostile_csv(tmp_path), "--budget", "3000", *START)
    assert code == 0
    lines = out.splitlines()
    rule = next(k for k, line in enumerate(lines) if set(line) <= {"-", " "} and line)
    body = lines[rule + 1: rule + 1 + len(HOSTILE)]
    assert len(body) == len(HOSTILE)
    assert len({display_width(line) for line in body}) == 1


# ---------------------------------------------------------------------------
# 15. silent no-ops are refused


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


def test_order_with_another_strategy_is_refused_in_python_too():
    debts = [Debt("A", 1000, 18, 100), Debt("B", 2000, 24, 100)]
    with pytest.raises(PlannerError, match="custom"):
        plan(debts, 500, "avalanche", order=["B"])
    assert plan(debts, 500, "custom", order=["B"]).priority[0] == "B"


# ---------------------------------------------------------------------------
# 21. Chinese mode is Chinese


def test_plan_and_compare_in_chinese_name_the_strategies_in_chinese(capsys):
    english = ("avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost")
    _, out, _ = run(capsys, "plan", ZH, "--budget", "6000", "--lang", "zh", *START)
    assert "雪崩法" in out and not any(name in out for name in english)
    _, out, _ = run(capsys, "compare", ZH, "--budget", "6000", "--lang", "zh", *START)
    assert "雪球法" in out and not any(name in out for name in english)
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--lang", "zh", *START)
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


# ---------------------------------------------------------------------------
# 22. JSON as the README documents it


def test_json_money_has_two_decimals(capsys):
    _, out, _ = run(capsys, "plan", ZH, "--budget", "6000", "--format", "json", *START)
    assert '"budget": 6000.00' in out and '"total_forgiven": 0.00' in out
    assert not re.search(r"\d\.\d(?!\d)", out)  # never one decimal
    json.loads(out)


def test_negotiate_json_baseline_has_name_and_savings(capsys):
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--format", "json", *START)
    data = json.loads(out)
    for entry in [data["baseline"], *data["scenarios"]]:
        assert {"name", "monthly_pressure", "savings"} <= set(entry)
        assert set(entry["savings"]) == {"interest", "total_paid", "months"}
    assert data["baseline"]["savings"] == {"interest": 0, "total_paid": 0, "months": 0}


# ---------------------------------------------------------------------------
# 25. --schedule says where; every --format and --lang has help text


def test_schedule_says_where_it_wrote(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", "s.csv", "--format", "json", *START)
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


# ---------------------------------------------------------------------------
# 11. --anonymise leaves no name behind: not the client's, not a lender's, not a file's


def test_anonymised_report_leaks_no_name(tmp_path, capsys):
    debts = tmp_path / "王小明_debts.csv"
    debts.write_bytes(Path(ZH).read_bytes())
    scen = tmp_path / "王小明_scenarios.toml"
    scen.write_text(Path(SCEN).read_text("utf-8").replace('name = "全部一起谈"', 'name = "王小明全部一起谈"'), encoding="utf-8")
    from planner import load_debts
    from planner.report import build_report, render_html

    lenders = [d.name for d in load_debts(ZH)]
    for budget in ("6000", "4000"):  # a plan, and a budget below the minimums (a different path)
        for lang in ("zh", "en"):
            out = tmp_path / f"r_{budget}_{lang}.html"
            code, _, err = run(capsys, "report", debts, "--budget", budget, "--scenarios", scen, "--client", "王小明",
                               "--anonymise", "--lang", lang, "--out", out, *START)
            assert code == 0, err
            page = out.read_text("utf-8")
            assert "王小明" not in page and "scenarios.toml" not in page
            assert not [name for name in lenders if name in page]
            report = build_report(str(debts), int(budget), scenarios=str(scen), client="王小明", anonymise=True, lang=lang, start="2026-12")
            dumped = json.dumps(report.to_dict(), ensure_ascii=False) + report.scenario_note + render_html(report)
            assert "王小明" not in dumped and not [name for name in lenders if name in dumped]


# ---------------------------------------------------------------------------
# 18. widgets: a refused value changes nothing and says why in the widget


def _explorer(cls, **kwargs):
    return cls(ZH, budget=6000, lang="en", start="2026-12", **kwargs)


@pytest.mark.parametrize(
    "bad",
    [
        {"strategy": "bogus"},
        {"strategy": "custom"},  # needs an order the explorer does not have
        {"budget": 10**12},
        {"budget": float("nan")},
        {"budget": float("inf")},
        {"budget": -100},
        {"budget": "abc"},
        {"budget": 6000.5},
        {"lang": "fr"},
        {"extra_amount": 10**12},
        {"extra_month": 0},
        {"budget": 7000, "strategy": "bogus"},  # nothing of a refused call is applied
    ],
)
def test_strategy_explorer_refuses_bad_values_and_keeps_its_state(bad):
    from planner.widgets import StrategyExplorer

    ex = _explorer(StrategyExplorer)
    before = dict(ex.state.trait_values())
    with pytest.raises(PlannerError):
        ex.set(**bad)
    assert dict(ex.state.trait_values()) == before
    assert ex.message.value and "D55E00" in ex.message.value
    assert ex.budget_slider.value == ex.state.budget
    ex.set(budget=6500, strategy="snowball")  # later set() calls work
    assert ex.plan.strategy == "snowball" and ex.plan.budget == 6500
    assert ex.message.value == ""


def test_the_slider_always_shows_the_budget_planned():
    from planner.widgets import CounsellorSession

    session = CounsellorSession(ZH, 6000, lang="en", start="2026-12")
    session.set(budget=50000)  # above the first slider range, below the whole debt: accepted and shown
    for part in (session.explorer, session.negotiation):
        assert part.budget_slider.value == part.state.budget == 50000
    with pytest.raises(PlannerError):
        session.set(budget=10**12)
    with pytest.raises(PlannerError):
        session.set(lang="fr")
    assert session.explorer.state.budget == 50000 and session.state.lang == "en"


def test_negotiation_explorer_refuses_bad_values():
    from planner.widgets import NegotiationExplorer

    ng = _explorer(NegotiationExplorer)
    for bad in ({"budget": float("nan")}, {"strategy": "bogus"}, {"budget": 10**12}):
        before = dict(ng.state.trait_values())
        with pytest.raises(PlannerError):
            ng.set(**bad)
        assert dict(ng.state.trait_values()) == before and ng.message.value
    for bad in ({"freeze": 999}, {"rate_cut": 2}, {"settle": float("nan")}, {"settle_month": 0}):
        with pytest.raises(PlannerError):
            ng.set_ask("借呗", **bad)
        assert ng.state.asks == {} and ng.message.value
    ng.set(budget=6500)
    assert ng.result.plan.budget == 6500


@pytest.mark.parametrize("typed", [1e30, float("inf"), float("-inf"), float("nan"), -5, 1e13])
def test_debt_table_refuses_what_cannot_be_a_balance(typed):
    from planner.widgets import DebtTable

    table = DebtTable(ZH, lang="en")
    table.set_value("借呗", "balance", typed)
    assert table.debts[0].balance == 12000
    assert table._inputs[("借呗", "balance")].value == 12000.0  # box and state agree
    assert table.error.value and "Traceback" not in table.error.value
    table.set_value("借呗", "apr", 1e30)
    assert table.debts[0].apr == Decimal("18.25")


# ---------------------------------------------------------------------------
# 23. the English dashboard is English


def test_english_session_speaks_english():
    from planner.widgets import CounsellorSession

    session = CounsellorSession(ZH, 6000, lang="zh", start="2026-12")
    assert re.search(r"[\u4e00-\u9fff]", session.report.children[0].children[0].description)
    session.set(lang="en")
    label = session.report.children[0].children[0].description
    assert not re.search(r"[\u4e00-\u9fff]", label), label
    assert "0 month" not in session.negotiation.summary.value


def test_savings_waterfall_with_no_asks_has_no_zero_ticks():
    from matplotlib.figure import Figure

    from planner.charts import money_tick, savings_waterfall

    ax = Figure().add_subplot()
    savings_waterfall([], ax, lang="en")
    ax.figure.canvas.draw() if hasattr(ax.figure.canvas, "draw") else None
    ticks = [money_tick(v, "en") for v in ax.get_yticks() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    assert len(ticks) == len(set(ticks)), ticks
    assert "-¥0" not in ticks and money_tick(-0.0001) == "¥0"


def test_months_sooner_in_words():
    from planner.widgets.explorers import sooner_text

    assert sooner_text(0, "en") == "debt-free in the same month"
    assert sooner_text(1, "en") == "debt-free 1 month sooner"
    assert "(s)" not in sooner_text(5, "en")


# ---------------------------------------------------------------------------
# 10. the report button writes outside the project


def test_report_button_writes_outside_the_project(tmp_path, monkeypatch):
    from planner.widgets import CounsellorSession, default_report_folder

    monkeypatch.delenv("PLANNER_REPORTS_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "home" / "Documents"))
    folder = default_report_folder()
    assert ROOT not in folder.resolve().parents and folder.resolve() != ROOT
    monkeypatch.chdir(ROOT / "notebooks")  # where Voila and JupyterLab run the notebook
    session = CounsellorSession(ZH, 6000, lang="en", start="2026-12")
    name_box = session.report.children[0].children[1]
    assert Path(name_box.placeholder) == folder  # each press writes a new file there
    before = set((ROOT / "notebooks").iterdir())
    name_box.value = "client.html"  # a bare name goes to the reports folder, not the notebook's
    written = session.report.click()
    assert written is not None and written.parent == folder and written.exists()
    assert set((ROOT / "notebooks").iterdir()) == before


def test_project_report_folder_falls_back_to_temp(monkeypatch):
    from planner.widgets import default_report_folder

    monkeypatch.delenv("PLANNER_REPORTS_DIR", raising=False)
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(ROOT / "notebooks"))  # documents inside the project
    monkeypatch.setenv("HOME", str(ROOT))
    folder = default_report_folder()
    assert ROOT not in folder.resolve().parents


def test_gitignore_guards_reports_in_the_work_tree():
    done = subprocess.run(["git", "check-ignore", "notebooks/report.html", "notebooks/report.pdf", "report.html"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.split() == ["notebooks/report.html", "notebooks/report.pdf", "report.html"]


# ---------------------------------------------------------------------------
# 24. every server the project starts: 127.0.0.1, a token; the dashboard self-contained and culling


def _recipe(target: str) -> str:
    done = subprocess.run(["make", "-n", "-W", "pyproject.toml", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stdout.splitlines() if ("jupyter lab" in line or "voila" in line) and "pip" not in line]
    assert lines, done.stdout + done.stderr
    return lines[-1]


@pytest.mark.slow
def test_make_lab_prints_the_address_with_its_real_token_and_binds_localhost():
    """Issue 23, item 15: ``make lab`` printed ``?token=...`` literally; the address it prints must open."""
    import signal
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    venv = Path(sys.prefix)  # the environment running the tests (.venv, or .venv-latest for make test-latest)
    proc = subprocess.Popen(
        ["make", "-s", "-o", str(venv / ".installed"), "lab", f"VENV={venv}", f"LAB_PORT={port}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        first = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]{48})\b", first)
        assert found and int(found.group(1)) == port, first
        token = found.group(2)
        status = f"http://127.0.0.1:{port}/api/status"
        deadline = time.time() + 90
        while True:
            try:
                assert urllib.request.urlopen(f"{status}?token={token}", timeout=2).status == 200  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.time() < deadline, first + proc.stdout.read()
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(status, timeout=5)  # noqa: S310 - no token: refused
        assert refused.value.code == 403
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
        assert not listening or all(" 127.0.0.1:" in line for line in listening.splitlines()), listening
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_make_dashboard_uses_the_private_self_contained_config():
    line = _recipe("dashboard")
    assert "JUPYTER_PATH=" in line and "share/jupyter" in line and "0.0.0.0" not in line
    config = json.loads((ROOT / "voila.json").read_text("utf-8"))
    assert config["Voila"]["ip"] == "127.0.0.1" and config["Voila"]["auto_token"] is True
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0
    template = ROOT / "share" / "jupyter" / "voila" / "templates" / config["VoilaConfiguration"]["template"]
    page = (template / "index.html.j2").read_text("utf-8")
    assert not re.search(r"https?://", page.split("The issue for Jinja is")[0]), "a CDN link in the dashboard template"


# ---------------------------------------------------------------------------
# 25. the test run shows no pandas deprecation warnings from Dask's Parquet reader


@pytest.mark.slow
def test_dask_parquet_path_shows_no_pandas_deprecation_warnings():
    pytest.importorskip("dask")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/batch/test_batch.py::test_dask_engine_on_a_local_cluster_equals_the_local_engine", "-p", "no:cacheprovider", "-q", "-rw",
         "-o", "addopts="],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert "1 passed" in done.stdout, done.stdout[-2000:]
    assert "is deprecated" not in done.stdout and "Pandas4Warning" not in done.stdout, done.stdout[-2000:]


# ---------------------------------------------------------------------------
# 9. a report on many debts: memory grows with the debts, not with their square


def _many_debts(n: int) -> list:
    kinds = ["card", "online_loan", "consumer_finance", "private", "small_loan"]
    return [
        Debt(f"D{k:04d}", 1000 + 37 * k % 5000, 10 + (k * 7) % 30, 100 + (k * 13) % 200, kind=kinds[k % 5],
             overdue_days=30 if k % 7 == 0 else 0, penalty_apr=(10 + (k * 7) % 30) * 3 // 2 if k % 7 == 0 else None,
             fees_owed=50 if k % 7 == 0 else 0)
        for k in range(n)
    ]


def _report_peak(n: int) -> tuple[int, object]:
    import tracemalloc

    from planner.report import build_report

    debts = _many_debts(n)
    budget = sum(d.min_payment for d in debts) * 13 // 10
    tracemalloc.start()
    try:
        report = build_report(debts, budget, lang="en", start="2026-12")
        return tracemalloc.get_traced_memory()[1], report
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_report_memory_grows_linearly_with_the_debts():
    # Before: every lender's call kept a full plan of all the debts, and the "every ask"
    # scenario kept one plan per step, so memory grew with n² (1,000 debts: 4.5 GB).
    small, _ = _report_peak(40)
    large, report = _report_peak(80)
    assert len(report.calls) > 40
    assert large < 3 * small, f"peak {small / 1e6:.1f} MB for 40 debts, {large / 1e6:.1f} MB for 80"


def test_report_charts_name_at_most_a_dozen_debts():
    from planner.report import render
    from planner.report.model import Report

    bars = [(f"{k}. D{k}", Decimal(k)) for k in range(1, 301)]
    fake = type("R", (), {"t": staticmethod(lambda key, **f: Report.t(type("X", (), {"lang": "en"})(), key, **f))})()
    bounded = render._bounded(bars, fake)
    assert len(bounded) == render.CHART_ITEMS
    assert sum(v for _, v in bounded) == sum(v for _, v in bars)
    assert bounded[-1][0] == "the other 289"


# ---------------------------------------------------------------------------
# 19 and 22: the help tells the truth


def test_the_notebook_names_no_screen_position():
    # a counsellor in Voila sees no "top right": the layout differs between JupyterLab and the dashboard
    notebook = (ROOT / "notebooks" / "04_counsellor_session.ipynb").read_text("utf-8")
    assert "右上角" not in notebook and "top right" not in notebook


def test_report_takes_a_workbook_and_a_sheet(tmp_path, capsys):
    help_text = build_parser()._subparsers._group_actions[0].choices["report"].format_help()
    assert ".xlsx" in help_text and "--sheet" in help_text
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", ROOT / "sample_data" / "debts_zh.xlsx", "--sheet", "债务清单", "--budget", "6000",
                       "--out", out, *START)
    assert code == 0, err
    assert "借呗" in out.read_text("utf-8")


@needs_root
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_schedules_never_replace_a_device(tmp_path, capsys, suffix):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    link = tmp_path / f"sched{suffix}"
    link.symlink_to("/dev/null")
    before, null = _node(link), _node(Path("/dev/null"))
    code, _, err = run(capsys, "batch", book, "--out", tmp_path / "r.csv", "--schedules", link)
    assert code == 2 and bilingual(err)
    assert _node(link) == before and _node(Path("/dev/null")) == null
    assert not list(Path("/dev").glob(".null.*"))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_schedules_part_files_never_follow_a_planted_symlink(tmp_path, capsys, suffix):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    for name in (f".sched{suffix}.0.part", f".sched{suffix}.joined.part"):  # the old fixed names
        (tmp_path / name).symlink_to(victim)
    code, _, err = run(capsys, "batch", book, "--out", tmp_path / "r.csv", "--schedules", tmp_path / f"sched{suffix}")
    assert code == 0, err
    assert victim.read_text("utf-8") == "keep me"
    assert (tmp_path / f"sched{suffix}").stat().st_size > 0


def test_an_extra_payment_after_the_plan_ends_is_noted(capsys):
    code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--extra", "30:20000", "--format", "json", *START)
    assert code == 0 and json.loads(out)["months"] == 16
    assert "month 30" in err and "第 30 个月" in err


def test_negotiation_set_asks_is_checked_and_goes_through_the_controls():
    from planner.widgets import NegotiationExplorer

    ng = _explorer(NegotiationExplorer)
    for bad in ({"bogus": {"freeze": 60}}, {"借呗": {"freeze": 999}}, {"借呗": {"x": 1}}, "abc"):
        with pytest.raises(PlannerError):
            ng.set(asks=bad)
        assert ng.state.asks == {} and ng.message.value
    ng.set(asks={"借呗": {"freeze": 60}})
    assert ng.state.asks == {"借呗": {"freeze": 60}} and ng._controls["借呗"]["freeze"].value
    ng.set(asks={})
    assert ng.state.asks == {} and not ng._controls["借呗"]["freeze"].value


def test_report_never_says_zero_or_plural_s_months():
    from planner.report import render_html
    from planner.report.model import text

    html = ""
    for budget in (150, 160, 400):
        from planner.report import build_report

        report = build_report([Debt("A", 1000, 12, 100), Debt("B", 500, 18, 50)], budget, lang="en", start="2026-12")
        html += render_html(report) + report.why
    assert "month(s)" not in html and " 0 months sooner" not in html and "debt-free 0" not in html
    assert "1 month sooner" == text("saves_months_1", "en")


def test_negotiate_in_chinese_describes_asks_in_chinese(capsys):
    _, out, _ = run(capsys, "negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--lang", "zh", *START)
    steps = [line for line in out.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert steps
    for line in steps:
        assert not re.search(r"[a-z_]+=|kind:|overdue|\*", line), line


@pytest.mark.parametrize("bad", ["nonexistent.csv", 42, [1, 2]])
def test_debt_table_set_debts_is_checked(bad):
    from planner.widgets import DebtTable

    table = DebtTable(ZH, lang="en")
    with pytest.raises(PlannerError):
        table.set(debts=bad)
    assert len(table.debts) == 8 and table.error.value
