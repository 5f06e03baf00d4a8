"""Golden outputs: every CLI command on the sample data, byte for byte.

The files under ``tests/golden/`` were written by this same test from the
package as it stood before the layering of issue 10 (commit 47bbedd) and are
the reference the reorganisation must keep: a refactor changes no output.
Regenerate deliberately with ``PLANNER_GOLDEN_UPDATE=1`` and review the diff.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
EN, ZH, XLSX = "sample_data/debts_en.csv", "sample_data/debts_zh.csv", "sample_data/debts_zh.xlsx"
SCEN = "sample_data/scenarios_zh.toml"
START = ["--start", "2026-12"]

COMMANDS = {
    "check_en": ["check", EN],
    "check_zh": ["check", ZH, "--lang", "zh"],
    "check_zh_json": ["check", ZH, "--format", "json"],
    "check_xlsx": ["check", XLSX],
    "plan_zh": ["plan", ZH, "--budget", "6000", *START],
    "plan_zh_lang": ["plan", ZH, "--budget", "6000", "--lang", "zh", *START],
    "plan_en_snowball_json": ["plan", EN, "--budget", "6000", "--strategy", "snowball", "--format", "json", *START],
    "plan_extra": ["plan", ZH, "--budget", "6000", "--extra", "13:20000", "--budget-from", "7:8000", *START],
    "plan_custom": ["plan", ZH, "--budget", "6000", "--strategy", "custom", "--order", "借呗,美团借钱", *START],
    "plan_target": ["plan", ZH, "--target-months", "24", *START],
    "plan_target_json": ["plan", EN, "--target-months", "18", "--format", "json", *START],
    "plan_infeasible": ["plan", ZH, "--budget", "3000", *START],
    "compare_zh": ["compare", ZH, "--budget", "6000", *START],
    "compare_en_json": ["compare", EN, "--budget", "6500", "--format", "json", *START],
    "compare_zh_lang": ["compare", ZH, "--budget", "6000", "--lang", "zh", *START],
    "negotiate": ["negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, *START],
    "negotiate_json": ["negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--format", "json", *START],
    "negotiate_zh": ["negotiate", ZH, "--budget", "6000", "--scenarios", SCEN, "--lang", "zh", *START],
    "apr_fee": ["apr", "--fee-rate", "0.6", "--periods", "12", "--principal", "10000"],
    "apr_upfront_json": ["apr", "--principal", "100000", "--upfront-fee", "1000", "--payment", "8833.3", "--periods", "12", "--format", "json"],
    "apr_daily_zh": ["apr", "--daily-rate", "0.05", "--lang", "zh"],
    "bad_file": ["check", "tests/bad_inputs/apr_text.csv"],
    "bad_file_plan": ["plan", "tests/bad_inputs/balance_text.csv", "--budget", "6000", *START],
}


def _run(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_cli_output_unchanged(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    got = _run(COMMANDS[name])
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PLANNER_GOLDEN_UPDATE"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
