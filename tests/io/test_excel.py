"""Debts from Excel workbooks (.xlsx): typed cells become the same text a CSV export
holds, and then the CSV path's header detection, parsing and problem reporting apply.

Every workbook is built here with openpyxl, in a temporary folder, so what each
cell holds (a float, a percent format, a date, a formula) is visible in the test.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

openpyxl = pytest.importorskip("openpyxl")

from planner import InputError, PlannerWarning, load_debts  # noqa: E402
from planner.io.excel import MAX_SHEET_ROWS, cell_text, is_percent_format  # noqa: E402
from planner.io.loader import MAX_DEBTS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"
D = Decimal
HEADER = ["平台", "剩余本金", "年化利率", "最低还款"]


def _workbook(path: Path, rows, *, title: str = "债务", formats: dict[str, str] | None = None, extra_sheets=()) -> Path:
    """A workbook whose first sheet holds ``rows``; ``formats`` maps a cell ("C2") to its number format."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    for name, sheet_rows in extra_sheets:
        other = book.create_sheet(name)
        for row in sheet_rows:
            other.append(row)
    book.save(path)
    return path


def _rewrite_sheet(path: Path, old: str, new: str, member: str = "xl/worksheets/sheet1.xml") -> None:
    """Replace text in a sheet's XML: what Excel would have written that openpyxl does not."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts[member].decode("utf-8")
    assert old in xml, xml
    parts[member] = xml.replace(old, new).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _load_quietly(source, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)  # none of these workbooks is suspicious
        return load_debts(source, **kwargs)


# ---------------------------------------------------------------------------
# typed cells


def test_plain_numbers_load_exactly(tmp_path):
    path = _workbook(tmp_path / "plain.xlsx", [HEADER, ["花呗", 5000, 18, 500], ["借呗", 12000.5, 18.25, 600.54]])
    huabei, jiebei = _load_quietly(path)
    assert (huabei.name, huabei.balance, huabei.apr, huabei.min_payment) == ("花呗", D("5000.00"), D(18), D("500.00"))
    # the floats 12000.5, 18.25 and 600.54 read through repr: exactly what the cell shows
    assert (jiebei.balance, jiebei.apr, jiebei.min_payment) == (D("12000.50"), D("18.25"), D("600.54"))


def test_percent_formatted_rates_are_percent(tmp_path):
    # Excel stores 18% as 0.18 in a cell formatted "0%"; the loader must read 18, not 0.18%.
    path = _workbook(
        tmp_path / "percent.xlsx",
        [HEADER + ["日利率"], ["花呗", 5000, 0.18, 500, None], ["借呗", 12000, 0.1825, 600, None], ["美团", 6000, None, 400, 0.0005]],
        formats={"C2": "0%", "C3": "0.00%", "E4": "0.00%"},
    )
    huabei, jiebei, meituan = _load_quietly(path)  # no "every rate below 1" warning either
    assert huabei.apr == D(18)  # 0.18 x 100
    assert jiebei.apr == D("18.25")  # 0.1825 x 100
    assert meituan.daily_rate == D("0.05") and meituan.apr == D("18.25")  # 0.0005 shown as 0.05% a day; x 365


def test_rate_without_percent_format_is_read_as_written(tmp_path):
    # the same 0.18 in a General cell means 0.18%, and the loader's warning says so
    path = _workbook(tmp_path / "general.xlsx", [HEADER, ["花呗", 5000, 0.18, 500]])
    with pytest.warns(PlannerWarning, match="0.18 means 0.18%"):
        (debt,) = load_debts(path)
    assert debt.apr == D("0.18")


def test_literal_percent_sign_in_a_format_does_not_scale(tmp_path):
    # '0.00"%"' shows 18 as "18.00%" without multiplying: the value is already percent
    path = _workbook(tmp_path / "literal.xlsx", [HEADER, ["花呗", 5000, 18, 500]], formats={"C2": '0.00"%"'})
    (debt,) = _load_quietly(path)
    assert debt.apr == D(18)


def test_yuan_formatted_amounts_and_date_cells(tmp_path):
    path = _workbook(
        tmp_path / "dates.xlsx",
        [HEADER + ["合同日期"], ["花呗", 8500.5, 18, 495.12, datetime(2023, 9, 21)]],
        formats={"B2": '"¥"#,##0.00', "D2": '"¥"#,##0.00', "E2": "yyyy-mm-dd"},
    )
    (debt,) = _load_quietly(path)
    assert debt.balance == D("8500.50") and debt.min_payment == D("495.12")
    assert debt.contract_date == date(2023, 9, 21)


def test_title_row_blank_rows_totals_and_row_numbers(tmp_path):
    rows = [
        ["我的债务清单（2026 年 11 月）"],
        [],
        HEADER,
        ["花呗", 5000, 18, 500],
        [],
        ["借呗", 3000, 18, 300],
        ["合计", 8000, None, 800],
    ]
    path = tmp_path / "title.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "债务"
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:D1")  # a merged title above the header, as people make them
    book.save(path)
    with pytest.warns(PlannerWarning, match="row 7 is a totals line"):  # the sheet's own row 7
        debts = load_debts(path)
    # the totals line (8000 = 5000 + 3000) is not a third debt; the blank rows are skipped
    assert [d.name for d in debts] == ["花呗", "借呗"]


def test_errors_name_file_sheet_row_and_column(tmp_path):
    path = _workbook(
        tmp_path / "bad.xlsx",
        [["我的债务"], HEADER, ["花呗", "约五千", 18, 500], ["借呗", 3000, 90000, 300]],
        title="2026年11月",
    )
    with pytest.raises(InputError) as info:
        load_debts(path)
    problems = {(p.row, p.column) for p in info.value.problems}
    # row 3 of the sheet (the header is row 2, under the title), column named by its header
    assert problems == {(3, "剩余本金"), (4, "年化利率")}
    message = str(info.value)
    assert str(path) in message and "sheet '2026年11月'" in message
    assert "第 3 行，列「剩余本金」，值 “约五千”" in message and "row 4, column '年化利率', value '90000'" in message


# ---------------------------------------------------------------------------
# formulas


def test_formula_without_cached_value_is_a_cell_problem(tmp_path):
    # openpyxl writes formulas without a calculated value: the file was never saved in Excel
    path = _workbook(tmp_path / "formula.xlsx", [HEADER, ["花呗", "=4000+1000", 18, 500], ["借呗", 3000, "=B3*0.006", 300]])
    with pytest.raises(InputError) as info:
        load_debts(path)
    problems = info.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "剩余本金", "=4000+1000"), (3, "年化利率", "=B3*0.006")]
    assert all("formula has no saved result" in p.en and "公式没有保存计算结果" in p.zh for p in problems)
    # the blanked cell is not also reported as a missing balance
    assert "balance is missing" not in str(info.value)


def test_formula_with_cached_value_loads_the_value(tmp_path):
    path = _workbook(tmp_path / "cached.xlsx", [HEADER, ["花呗", "=4000+1000", 18, 500]])
    _rewrite_sheet(path, "<f>4000+1000</f><v />", "<f>4000+1000</f><v>5000</v>")  # as Excel saves it
    (debt,) = _load_quietly(path)
    assert debt.balance == D("5000.00")


def test_uncalculated_totals_formula_is_skipped_with_its_row(tmp_path):
    path = _workbook(tmp_path / "totals.xlsx", [HEADER, ["花呗", 5000, 18, 500], ["借呗", 3000, 18, 300], ["合计", "=SUM(B2:B3)", None, "=SUM(D2:D3)"]])
    with pytest.warns(PlannerWarning, match="totals line"):
        debts = load_debts(path)
    assert len(debts) == 2


def test_excel_error_value_is_a_cell_problem(tmp_path):
    path = _workbook(tmp_path / "error.xlsx", [HEADER, ["花呗", 5000, "#DIV/0!", 500]])
    with pytest.raises(InputError) as info:
        load_debts(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "年化利率", "#DIV/0!")
    assert "Excel error #DIV/0!" in problem.en and "错误值" in problem.zh


# ---------------------------------------------------------------------------
# sheets


def test_first_sheet_with_a_header_is_used(tmp_path):
    path = tmp_path / "sheets.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["请在下一个工作表填写债务"])
    data = book.create_sheet("债务")
    for row in (HEADER, ["花呗", 5000, 18, 500]):
        data.append(row)
    other = book.create_sheet("旧清单")
    for row in (HEADER, ["借呗", 3000, 18, 300]):
        other.append(row)
    book.save(path)
    assert [d.name for d in _load_quietly(path)] == ["花呗"]
    assert [d.name for d in _load_quietly(path, sheet="旧清单")] == ["借呗"]
    with pytest.raises(InputError) as info:
        load_debts(path, sheet="Sheet9")
    assert "no sheet named 'Sheet9'" in str(info.value) and "'旧清单'" in str(info.value)


def test_no_sheet_with_a_header(tmp_path):
    path = _workbook(tmp_path / "none.xlsx", [["随便写写"], ["a", "b"]], extra_sheets=[("第二页", [["x", "y"]])])
    with pytest.raises(InputError) as info:
        load_debts(path)
    message = str(info.value)
    assert "no header row found in the sheets '债务', '第二页'" in message and "--sheet" in message


def test_empty_workbook(tmp_path):
    path = _workbook(tmp_path / "empty.xlsx", [])
    with pytest.raises(InputError, match="the file is empty"):
        load_debts(path)


def test_sheet_for_a_csv_file_is_refused():
    with pytest.raises(InputError, match="only an Excel workbook has sheets"):
        load_debts(SAMPLES / "debts_en.csv", sheet="Sheet1")


def test_wrong_stored_dimension_is_ignored(tmp_path):
    # some programs write a <dimension> smaller than the data; read-only openpyxl would cut the rows
    path = _workbook(tmp_path / "dimension.xlsx", [HEADER, ["花呗", 5000, 18, 500], ["借呗", 3000, 18, 300]])
    _rewrite_sheet(path, '<dimension ref="A1:D3" />', '<dimension ref="A1:B2" />')
    assert [d.name for d in _load_quietly(path)] == ["花呗", "借呗"]


def test_workbook_as_bytes_and_open_file(tmp_path):
    path = _workbook(tmp_path / "bytes.xlsx", [HEADER, ["花呗", 5000, 18, 500]])
    assert _load_quietly(path.read_bytes())[0].balance == D("5000.00")
    with path.open("rb") as handle:
        assert _load_quietly(handle)[0].name == "花呗"
    with pytest.raises(InputError) as info:
        load_debts(_workbook(tmp_path / "bad.xlsx", [HEADER, ["花呗", "x", 18, 500]]).read_bytes())
    assert str(info.value).startswith("Excel (工作表/sheet '债务')")  # bytes have no file name


# ---------------------------------------------------------------------------
# size bounds


def test_too_many_rows(tmp_path):
    rows = [HEADER] + [[f"d{k}", 5000, 18, 500] for k in range(MAX_DEBTS + 20)]
    with pytest.raises(InputError) as info:
        load_debts(_workbook(tmp_path / "many.xlsx", rows))
    assert f"more than {MAX_DEBTS} debts" in str(info.value) and "行数太多" in str(info.value)


def test_stray_cell_far_below_the_list(tmp_path):
    path = tmp_path / "stray.xlsx"
    book = openpyxl.Workbook()
    for row in (HEADER, ["花呗", 5000, 18, 500]):
        book.active.append(row)
    book.active.cell(row=1_048_576, column=1, value="x")  # Excel's last row
    book.save(path)
    with pytest.raises(InputError) as info:
        load_debts(path)
    assert f"past row {MAX_SHEET_ROWS}" in str(info.value)


def test_workbook_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    import planner.io.excel

    path = _workbook(tmp_path / "big.xlsx", [HEADER, ["花呗", 5000, 18, 500]])
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(planner.io.excel, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(InputError, match="too large when unpacked"):
        load_debts(path)


# ---------------------------------------------------------------------------
# the sample workbook and the command line


def test_sample_workbook_gives_the_csv_samples_debts():
    # sample_data/debts_zh.xlsx holds the same debts as the GBK CSV, with a title row,
    # ¥ formats, a percent-formatted rate column and date cells
    assert _load_quietly(SAMPLES / "debts_zh.xlsx") == _load_quietly(SAMPLES / "debts_zh.csv")
    book = openpyxl.load_workbook(SAMPLES / "debts_zh.xlsx")
    sheet = book.worksheets[0]
    assert sheet["D3"].value == 0.1825 and is_percent_format(sheet["D3"].number_format)  # 借呗 18.25%
    assert isinstance(sheet["J3"].value, datetime) and "¥" in sheet["C3"].number_format


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=120)


def test_cli_checks_the_sample_workbook():
    result = _cli("check", "sample_data/debts_zh.xlsx")
    assert result.returncode == 0, result.stderr
    assert "8 debts understood" in result.stdout and "¥80,800.50" in result.stdout  # the CSV sample's total
    assert "Traceback" not in result.stderr


def test_cli_sheet_option(tmp_path):
    path = _workbook(tmp_path / "two.xlsx", [HEADER, ["花呗", 5000, 18, 500]], extra_sheets=[("旧", [HEADER, ["借呗", 3000, 18, 300]])])
    result = _cli("plan", str(path), "--sheet", "旧", "--budget", "1000", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "借呗" in result.stdout and "花呗" not in result.stdout
    result = _cli("check", str(path), "--sheet", "没有")
    assert result.returncode == 2 and "no sheet named '没有'" in result.stderr and "Traceback" not in result.stderr


def test_csv_path_does_not_import_openpyxl():
    code = "import sys; from planner.cli import main; main(['check', 'sample_data/debts_en.csv']); print('openpyxl' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")


# ---------------------------------------------------------------------------
# cell text, property-based


@settings(max_examples=200)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_cell_text_is_the_floats_exact_repr(value):
    text = cell_text(value)
    assert "e" not in text.lower()  # plain digits, never 1e+16
    assert D(text) == D(repr(value))
    assert D(cell_text(value, "0.00%").removesuffix("%")) == D(repr(value)) * 100  # exactly 100 times, no float error


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_cell_text_of_integers(value):
    assert cell_text(value) == str(value)


def test_workbook_written_to_memory_loads():
    # the same bytes whether they come from a file or a buffer (e.g. a notebook upload)
    book = openpyxl.Workbook()
    for row in (HEADER, ["花呗", 5000, 18, 500]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (debt,) = _load_quietly(buffer.getvalue())
    assert debt.name == "花呗"


def test_hidden_sheet_is_not_chosen_by_itself(tmp_path):
    path = tmp_path / "hidden.xlsx"
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "旧数据"
    for row in (HEADER, ["借呗", 3000, 18, 300]):
        hidden.append(row)
    hidden.sheet_state = "hidden"  # a counsellor does not see it in Excel
    shown = book.create_sheet("债务")
    for row in (HEADER, ["花呗", 5000, 18, 500]):
        shown.append(row)
    book.save(path)
    assert [d.name for d in _load_quietly(path)] == ["花呗"]
    assert [d.name for d in _load_quietly(path, sheet="旧数据")] == ["借呗"]  # unless named


# -- issue 11, item 6: a row hidden in Excel (often a paid-off debt) is warned about, by name ----

ROWS = [HEADER, ["花呗", 5000, 18, 500], ["借呗", 3000, 18, 300], ["白条", 2000, 18, 200]]


def _hidden_warnings(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        debts = load_debts(path)
    assert len(debts) == 3  # still planned: a warning, not a refusal
    return [str(w.message) for w in caught if issubclass(w.category, PlannerWarning)]


@pytest.mark.parametrize(
    "how, old, new",
    [
        ("hidden by hand", '<row r="3">', '<row r="3" hidden="1">'),
        ("hidden by a filter", '<row r="3">', '<row r="3" hidden="true">'),
        ("in a collapsed group", '<row r="3">', '<row r="3" outlineLevel="1" hidden="1">'),
        ("shrunk to zero height", '<row r="3">', '<row r="3" ht="0" customHeight="1">'),
    ],
)
def test_a_hidden_row_warns_naming_row_and_debt(tmp_path, how, old, new):
    path = _workbook(tmp_path / "hidden.xlsx", ROWS)
    _rewrite_sheet(path, old, new)
    messages = _hidden_warnings(path)
    assert len(messages) == 1, (how, messages)
    assert "row 3 (借呗) is hidden in Excel" in messages[0] and "第 3 行「借呗」在 Excel 中是隐藏的" in messages[0]
    assert "sheet '债务'" in messages[0] and "paid off, delete the row" in messages[0]


def test_a_sheet_whose_rows_are_hidden_by_default_warns_for_rows_without_a_height(tmp_path):
    path = _workbook(tmp_path / "zero.xlsx", ROWS)
    _rewrite_sheet(path, "<sheetData>", '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" zeroHeight="1"/><sheetData>')
    _rewrite_sheet(path, '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" />', "")
    for r in (1, 2, 4):
        _rewrite_sheet(path, f'<row r="{r}">', f'<row r="{r}" ht="15" customHeight="1">')
    (message,) = _hidden_warnings(path)
    assert "row 3 (借呗)" in message


def test_a_hidden_column_that_is_read_warns(tmp_path):
    import openpyxl

    path = _workbook(tmp_path / "hidden_column.xlsx", ROWS)
    book = openpyxl.load_workbook(path)
    book.active.column_dimensions["D"].hidden = True
    book.save(path)
    (message,) = _hidden_warnings(path)
    assert "column '最低还款' is hidden in Excel but is read" in message and "列「最低还款」在 Excel 中是隐藏的" in message


def test_the_cli_shows_the_hidden_row_warning(tmp_path, capsys):
    from planner.cli import main

    path = _workbook(tmp_path / "hidden.xlsx", ROWS)
    _rewrite_sheet(path, '<row r="4">', '<row r="4" hidden="1">')
    assert main(["check", str(path)]) == 0
    assert "row 4 (白条) is hidden in Excel" in capsys.readouterr().err


def test_visible_workbooks_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)
        assert len(load_debts(SAMPLES / "debts_zh.xlsx")) == 8


def test_two_debts_in_a_sheet_formatted_far_below_load(tmp_path):
    # issue 11, item 16: formatted empty rows (a fill on A4:D12000) are neither debts nor a refusal
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (HEADER, ["花呗", 5000, 18, 500], ["借呗", 3000, 18, 300]):
        sheet.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(4, 12_001):
        for c in range(1, 5):
            sheet.cell(row=r, column=c).fill = fill
    book.save(tmp_path / "formatted.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)
        assert [d.name for d in load_debts(tmp_path / "formatted.xlsx")] == ["花呗", "借呗"]
