"""The corpus of bad inputs (tests/bad_inputs/cases.toml): every one gives a clear,
bilingual message naming the row and column, through the library and through the
command line (exit code 2, never a traceback); the sloppy-but-usable ones load.

Files too large to keep in the corpus are made here, in a temporary folder, and
their memory is measured with tracemalloc (never time: speed lives in benchmarks/).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import tracemalloc
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from planner import Debt, InputError, PlannerError, PlannerWarning, load_debts, plan
from planner.cli import main
from planner.io.loader import MAX_BYTES, MAX_DEBTS

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
ERRORS = [c for c in CASES if c["outcome"] == "error" and c.get("input", "debts") == "debts"]
LOADS = [c for c in CASES if c["outcome"] == "load"]
SCENARIOS = [c for c in CASES if c.get("input") == "scenarios"]
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "debts_en.csv"


def _cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` in a fresh interpreter, as a user runs it."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PLANNER_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def _matching(problems, case):
    """The problems that match the case's row, column and both fragments."""
    found = []
    for p in problems:
        if p.row != case.get("row"):
            continue
        if "column" in case:
            if p.column is None or case["column"] not in p.column:
                continue
        elif p.column is not None:
            continue
        if case["zh"] in p.zh and case["en"] in p.en:
            found.append(p)
    return found


def test_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.name != "cases.toml"}
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert files == set(listed), "every corpus file has exactly one entry, and every entry a file"
    classes = {c["class"] for c in CASES}
    # every failure class of the issue has at least one entry
    assert {"structure", "encoding", "empty", "header", "columns", "rows", "names"} <= classes
    assert {"balance", "apr", "min_payment", "daily_rate", "fee_rate", "term_months", "overdue_days",
            "penalty_apr", "fees_owed", "principal", "contract_date", "kind", "scenarios"} <= classes


@pytest.mark.parametrize("case", ERRORS, ids=[c["file"] for c in ERRORS])
def test_library_names_row_column_in_both_languages(case):
    path = CORPUS / case["file"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        with pytest.raises(InputError) as info:
            load_debts(path)
    error = info.value
    assert _matching(error.problems, case), f"no problem matches {case}:\n{error}"
    message = str(error)
    assert case["zh"] in message and case["en"] in message
    assert str(path) in message  # the file is named
    if "row" in case:
        assert f"第 {case['row']} 行" in message and f"row {case['row']}" in message


@pytest.mark.parametrize("case", ERRORS, ids=[c["file"] for c in ERRORS])
def test_cli_exits_2_with_bilingual_message(case):
    result = _cli("check", str(CORPUS / case["file"]))
    assert result.returncode == 2, result.stderr
    assert case["zh"] in result.stderr and case["en"] in result.stderr
    if "row" in case:
        assert f"row {case['row']}" in result.stderr
    if "column" in case:
        assert case["column"] in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""  # nothing half-printed


@pytest.mark.parametrize("case", LOADS, ids=[c["file"] for c in LOADS])
def test_sloppy_but_usable_files_load(case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        debts = load_debts(CORPUS / case["file"])
    assert len(debts) == case["debts"]
    messages = [str(w.message) for w in caught if issubclass(w.category, PlannerWarning)]
    if "warning" in case:
        assert any(case["warning"] in m for m in messages), messages
    else:
        assert messages == []
    result = _cli("check", str(CORPUS / case["file"]))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if "warning" in case:
        assert case["warning"] in result.stderr


@pytest.mark.parametrize("case", SCENARIOS, ids=[c["file"] for c in SCENARIOS])
def test_scenario_files(case):
    from planner import load_scenarios, negotiate

    path = CORPUS / case["file"]
    with pytest.raises(PlannerError) as info:
        negotiate(load_debts(SAMPLE), 8000, load_scenarios(path))
    message = str(info.value)
    assert case["zh"] in message and case["en"] in message, message
    assert case.get("where", "") in message, message
    result = _cli("negotiate", str(SAMPLE), "--budget", "8000", "--scenarios", str(path))
    assert result.returncode == 2, result.stderr
    assert case["zh"] in result.stderr and case["en"] in result.stderr and case.get("where", "") in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_loaded_details_are_right():
    # unknown columns are carried along in `extra`, blank rows and totals lines skipped
    (debt,) = load_debts(CORPUS / "unknown_columns.csv")
    assert debt.extras == {"notes": "call back", "催收电话": "138xxxx"}
    assert [d.name for d in load_debts(CORPUS / "blank_rows.csv")] == ["花呗", "借呗"]
    with pytest.warns(PlannerWarning, match="row 4"):
        debts = load_debts(CORPUS / "totals_first_column.csv")
    # the totals line (8000 = 5000 + 3000) is not a third debt
    assert sum(d.balance for d in debts) == Decimal("8000.00")
    (title,) = load_debts(CORPUS / "title_line.csv")
    assert (title.name, title.balance, title.apr, title.min_payment) == ("花呗", Decimal("5000.00"), Decimal("18"), Decimal("500.00"))
    (wide,) = load_debts(CORPUS / "utf16_bom.csv")
    assert wide.name == "花呗"
    # GBK bytes C6 BD CC A8 are also valid UTF-8 ("ƽ̨"): found by tests/test_fuzz.py
    (gbk,) = load_debts(CORPUS / "gbk_looks_like_utf8.csv")
    assert gbk.name == "平台"
    names = [d.name for d in load_debts(CORPUS / "name_formula.csv")]
    assert names[0].startswith("=HYPERLINK") and names[1].startswith("+cmd") and names[2] == "@SUM(A1)"


# ---------------------------------------------------------------------------
# inputs too large for the corpus: refused quickly, with bounded memory


def _peak_bytes(fn) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - returned for the caller to check
        return exc, tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return None, peak


def _hundred_thousand_rows(tmp_path: Path, width: int) -> Path:
    path = tmp_path / f"debts_100k_{width}.csv"
    pad = "x" * width
    with path.open("w", encoding="utf-8") as handle:
        handle.write("name,balance,apr,min_payment,notes\n")
        for k in range(100_000):
            handle.write(f"debt{k},5000,18,500,{pad}\n")
    return path


def test_100k_rows_small_file_refused_with_bounded_memory(tmp_path):
    path = _hundred_thousand_rows(tmp_path, width=1)  # ~2.6 MB: under the size limit, so it is parsed
    assert path.stat().st_size < MAX_BYTES
    error, peak = _peak_bytes(lambda: load_debts(path))
    assert isinstance(error, InputError), error
    assert f"more than {MAX_DEBTS} debts" in str(error) and "planner batch" in str(error)
    assert "行数太多" in str(error)
    # Reading stops after MAX_DEBTS rows, and lines reach the csv reader one at a time:
    # the peak is the bytes plus the decoded text (measured 5.2 MB for this 2.4 MB
    # file). Before the fix a StringIO (4 bytes a character) and a splitlines() copy
    # took it to 22 MB.
    assert peak < 3 * path.stat().st_size, peak


def test_100k_rows_large_file_refused_before_reading(tmp_path):
    path = _hundred_thousand_rows(tmp_path, width=60)  # ~8.5 MB
    assert path.stat().st_size > MAX_BYTES
    error, peak = _peak_bytes(lambda: load_debts(path))
    assert isinstance(error, InputError)
    assert "too large" in str(error) and "文件太大" in str(error)
    assert peak < 1_000_000, peak  # refused from its size alone: never read into memory
    result = _cli("check", str(path))
    assert result.returncode == 2 and "too large" in result.stderr and "Traceback" not in result.stderr


def test_100k_row_dataframe_refused_before_conversion():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"name": [f"d{k}" for k in range(100_000)], "balance": 5000, "apr": 18, "min_payment": 500})
    error, peak = _peak_bytes(lambda: load_debts(frame))
    assert isinstance(error, InputError) and f"more than {MAX_DEBTS} debts" in str(error)
    assert peak < 1_000_000, peak  # found before turning 100,000 rows into text


def test_large_bytes_and_text_refused():
    data = b"name,balance,apr,min_payment\n" + b"A,1,1,1\n" * (MAX_BYTES // 8 + 10)
    for source in (data, data.decode()):
        with pytest.raises(InputError, match="too large"):
            load_debts(source)


def test_endless_device_is_refused_not_read_forever():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    # /dev/zero reports size 0 and never ends; reading it whole would exhaust memory.
    # It is refused from its file type (a device), before a byte is read (issue 24).
    error, peak = _peak_bytes(lambda: load_debts("/dev/zero"))
    assert isinstance(error, InputError) and "not a regular file (a device)" in str(error) and "不是普通文件" in str(error)
    assert peak < MAX_BYTES, peak


def test_giant_cell_is_a_csv_error_with_row(tmp_path):
    path = tmp_path / "giant_cell.csv"
    path.write_text("name,balance,apr,min_payment\n花呗," + "9" * 200_000 + ",18,500\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_debts(path)
    assert info.value.problems[0].row == 2 and "malformed CSV" in str(info.value) and "CSV 格式错误" in str(info.value)


def test_path_with_nul_character():
    with pytest.raises(InputError, match="not valid"):
        load_debts("debts\x00.csv")


def test_many_digits_rate_refused_not_hanging():
    # before the fix "3e-9999999" loaded as a rate, and the exact monthly ratio became an
    # integer of ten million digits: one plan took minutes. Now the loader refuses it.
    with pytest.raises(InputError, match="column 'apr'"):
        load_debts(b"name,balance,apr,min_payment\nA,5000,0." + b"0" * 40 + b"1,500\n")
    with pytest.raises(PlannerError, match="too many digits"):
        Debt("A", 5000, Decimal("3e-9999999"), 500)
    with pytest.raises(PlannerError, match="too many digits"):
        Debt("A", Decimal("1e999999"), 18, 500)  # before: decimal.InvalidOperation


@pytest.mark.parametrize("budget", [Decimal("NaN"), Decimal("Infinity"), Decimal("1e999999"), float("nan"), float("inf")])
def test_absurd_budget_is_a_planner_error(budget):
    debts = [Debt("A", 5000, 18, 500)]
    with pytest.raises(PlannerError):  # before: decimal.InvalidOperation or a bare ValueError
        plan(debts, budget)


@pytest.mark.parametrize("argument", ["1e999999", "nan", "-5", "约5000"])
def test_cli_absurd_budget_argument(argument, capsys):
    # argparse turns the bad value into a usage error (exit 2), never a traceback
    with pytest.raises(SystemExit) as info:
        main(["plan", str(ROOT / "sample_data" / "debts_en.csv"), "--budget", argument])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "not an amount of money" in err or "cannot be negative" in err


def test_unpaid_debt_growing_past_28_digits_still_gives_a_plan():
    # Found by tests/test_fuzz.py: ¥2.65 at 333.74% with no minimum and no budget grows
    # by (1 + 333.74/1200) a month; after 240 months that is ~10^26 cents, past the
    # decimal context's 28 digits, and from_cents raised decimal.InvalidOperation.
    p = plan([Debt("A", Decimal("2.65"), Decimal("333.74"), 0)], 0, horizon=240)
    assert p.months is None and p.reconciles
    assert p.remaining > Decimal(10) ** 20


# -- issue 11, item 16: blank rows and rows of empty cells do not count toward the limit --------


@pytest.mark.parametrize("blank_row", ["\n", ",,,\n", " , ,\t,\n", '"","","",""\n', "\u200b,,,\n", "，，，\n"])
def test_two_debts_and_1100_empty_rows_load(tmp_path, blank_row):
    # ("，，，": full-width commas are not delimiters: one cell of text, which is not blank; see below)
    path = tmp_path / "formatted.csv"
    body = "name,balance,apr,min_payment\n花呗,5000,18,500\n" + blank_row * 1100 + "借呗,3000,18,300\n" + blank_row * 1100
    path.write_text(body, encoding="utf-8")
    if blank_row == "，，，\n":
        with pytest.raises(InputError, match="too many rows"):
            load_debts(path)
        return
    debts = load_debts(path)
    assert [d.name for d in debts] == ["花呗", "借呗"]


def test_more_than_1000_real_rows_are_still_refused_among_blank_ones(tmp_path):
    path = tmp_path / "many.csv"
    rows = "".join(f"d{k},5000,18,500\n,,,\n" for k in range(MAX_DEBTS + 20))
    path.write_text("name,balance,apr,min_payment\n" + rows, encoding="utf-8")
    with pytest.raises(InputError, match=f"more than {MAX_DEBTS} debts"):
        load_debts(path)


def test_a_frame_and_a_workbook_with_1100_empty_rows_load(tmp_path):
    import openpyxl
    import pandas as pd

    frame = pd.DataFrame({"name": ["花呗"] + [None] * 1100 + ["借呗"], "balance": [5000] + [float("nan")] * 1100 + [3000],
                          "apr": ["18"] + [" "] * 1100 + ["18"], "min_payment": [500] + [None] * 1100 + [300]})
    with pytest.raises(InputError) as info:  # row numbers count the empty rows: 借呗 is row 1103
        load_debts(frame.assign(balance=[5000] + [float("nan")] * 1100 + [-1]))
    assert info.value.problems[0].row == 1103
    assert [d.name for d in load_debts(frame)] == ["花呗", "借呗"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "balance", "apr", "min_payment"])
    sheet.append(["花呗", 5000, 18, 500])
    for r in range(3, 1103):  # formatted, empty and blank cells
        sheet.cell(row=r, column=1).number_format = "0.00"
        sheet.cell(row=r, column=2).value = " "
    sheet.append(["借呗", 3000, 18, 300])
    book.save(tmp_path / "formatted.xlsx")
    assert [d.name for d in load_debts(tmp_path / "formatted.xlsx")] == ["花呗", "借呗"]
