"""Debts from an Excel workbook (.xlsx), through the same rows-to-debts path as CSV.

:func:`planner.load_debts` comes here when the bytes are a zip file. The sheet's
cells become the text a CSV export of it would hold, so header detection, column
aliases, parsing and problem reporting are the CSV path's own
(:func:`planner.loader._split_header`, :func:`planner.loader._rows_to_debts`).
Cells come typed, so each is turned into text exactly:

- numbers as written (a float through ``repr``: 12000.5 gives ``"12000.5"``);
- a percent-formatted number as percent: Excel stores 18% as 0.18 with a number
  format such as ``0.00%``, which gives ``"18%"``, not 0.18%;
- dates as ISO dates (``"2023-05-10"``);
- a formula's value as Excel last calculated it (``data_only``); a formula with
  no saved value (a workbook written by a program that does not calculate) or an
  error value such as ``#DIV/0!`` is a problem of that cell.

Rows are the spreadsheet's own row numbers, columns are named by their header,
and the source is named with its sheet. openpyxl is imported only here, and this
module only when a workbook is loaded.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..datafiles import columns_table
from ..debt import Debt
from ..errors import InputError, Message, PlannerWarning, Problem
from ..money import normalise
from .loader import MAX_BYTES, MAX_DEBTS, _rows_to_debts, _split_header, alias_index, column_label, header_key

#: A workbook whose parts unpack to more than this is refused (a zip can hide a
#: thousandfold expansion; a person's list of debts unpacks to a few hundred kB).
MAX_UNPACKED_BYTES = 10 * MAX_BYTES
#: Rows of a sheet read at most, blank ones included: a list of debts is short,
#: and a stray cell at row 1,048,576 must not make the reader walk a million rows.
#: (Formatted but empty rows are walked, not kept, and do not count as debts: a sheet
#: formatted down to row 20,000 around two debts loads.)
MAX_SHEET_ROWS = 100 * (MAX_DEBTS + 10)
#: When no sheet is named, the first of this many sheets with a header is used.
SHEETS_SEARCHED = 5
#: Rows of a sheet looked at to find its header (title rows and blank rows may stand above it).
HEADER_ROWS_SEARCHED = 30

_FIX_SAVE = ("请在 Excel 中“另存为” .xlsx 或 CSV 文件后再导入。", "Save it from Excel as .xlsx or CSV and load that.")
# Quoted text, escaped characters and [colour]/[$locale] sections of a number format
# are shown as written: a "%" there does not make the number a percentage.
_LITERAL_IN_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows a cell with this number format as a percentage (the value times 100).

    >>> is_percent_format("0.00%"), is_percent_format('0.00"%"'), is_percent_format('"¥"#,##0.00')
    (True, False, False)
    """
    return bool(number_format) and "%" in _LITERAL_IN_FORMAT.sub("", number_format)


def _plain(number: Decimal) -> str:
    """A Decimal as plain digits, never in exponent form: ``Decimal("1E+16")`` gives ``"10000000000000000"``."""
    return format(number, "f")


def cell_text(value, number_format: str | None = None) -> str:
    """The text of a typed cell, as a CSV export of the sheet would hold it.

    >>> cell_text(12000.5), cell_text(0.18, "0%"), cell_text(0.1825, "0.00%"), cell_text(600)
    ('12000.5', '18%', '18.25%', '600')
    >>> cell_text(datetime(2023, 5, 10)), cell_text(None), cell_text(" 借呗 ")
    ('2023-05-10', '', ' 借呗 ')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        # repr is the shortest text that reads back as the same float: 0.18, not 0.179999...
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if is_percent_format(number_format) and number.is_finite():
            return f"{_plain(number.scaleb(2))}%"
        return _plain(number)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _not_a_workbook(data: bytes, source: str) -> InputError | None:
    """A clear error for a zip file that is not an .xlsx workbook (None when it looks like one)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return InputError(
            [Problem.of("io.excel.excel_workbook_xlsx_damaged_2", fix=Message(*_FIX_SAVE))],
            source,
        )
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        return InputError(
            [
                Problem.of("io.excel.workbook_too_large_when", max_unpacked_bytes=MAX_UNPACKED_BYTES / 1e6)
            ],
            source,
        )
    fix = _FIX_SAVE
    if "xl/workbook.bin" in names:
        kind = ("Excel 二进制工作簿 (.xlsb)", "an Excel binary workbook (.xlsb)")
    elif "content.xml" in names and "mimetype" in names:
        kind = ("OpenDocument 表格 (.ods)", "an OpenDocument spreadsheet (.ods)")
        fix = ("请“另存为” .xlsx 或 CSV 文件后再导入。", "Save it as .xlsx or CSV and load that.")
    elif "xl/workbook.xml" not in names:
        kind = ("压缩包 (zip)", "a zip archive")
        fix = ("请先解压，再导入其中的 CSV 或 .xlsx 文件。", "Unpack it and load the CSV or .xlsx file inside.")
    else:
        return None
    return InputError([Problem.of(
        "io.excel.not_csv_file_xlsx",
        kind=Message(*kind),
        fix=Message(*fix),
    )], source)


def _damaged(source: str, exc: BaseException) -> InputError:
    return InputError(
        [
            Problem.of(
                "io.excel.excel_workbook_xlsx_damaged",
                type_name=type(exc).__name__,
                fix=Message(*_FIX_SAVE),
            )
        ],
        source,
    )


def _open(data: bytes, source: str, data_only: bool):
    try:
        import openpyxl  # noqa: PLC0415 - only when a workbook is loaded: the CLI's cold start
    except ImportError:
        raise InputError(
            [Problem.of("io.excel.reading_excel_workbook_xlsx")],
            source,
        ) from None

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    # A damaged workbook fails deep in openpyxl with KeyError, XML parse errors,
    # TypeError...: all mean the same to the person holding the file.
    except Exception as exc:  # noqa: BLE001
        raise _damaged(source, exc) from None


def sheet_source(label: str, title: str) -> str:
    """How a sheet is named in messages: the file and the sheet."""
    return f"{label} (工作表/sheet '{title}')"


def _rows(sheet, source: str, limit: int | None = None):
    """``(row number, cells)`` of a read-only sheet; cells are ``(value, number_format, data_type)``.

    Stops after ``limit`` rows; without one, refuses a sheet longer than
    :data:`MAX_SHEET_ROWS` rows or with more than :data:`MAX_DEBTS` filled rows.
    """
    filled = 0
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if limit is not None and number > limit:
                return
            cells = [(c.value, c.number_format, c.data_type) if c.value is not None or c.data_type == "f" else (None, None, "n") for c in row]
            row_number = next((c.row for c in row if getattr(c, "row", None)), number)
            if any(value is not None and (not isinstance(value, str) or normalise(value)) for value, _, _ in cells):
                filled += 1  # a row of empty (formatted), blank or invisible cells does not count
            if limit is None and filled > MAX_DEBTS + 10:
                raise InputError([Problem.of("io.loader.too_many_rows", max_debts=MAX_DEBTS)], source)
            if limit is None and number > MAX_SHEET_ROWS:
                raise InputError(
                    [
                        Problem.of("io.excel.sheet_goes_past_row", max_sheet_rows=MAX_SHEET_ROWS)
                    ],
                    source,
                )
            if limit is None and all(value is None and data_type != "f" for value, _, data_type in cells):
                continue  # an empty row (perhaps formatted): nothing to keep
            yield row_number, cells
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet, as in _open
        raise _damaged(source, exc) from None


def _text_rows(rows):
    return [(number, [cell_text(value, fmt) for value, fmt, _ in cells]) for number, cells in rows]


def _choose_sheet(book, label: str, sheet: str | None):
    sheets = book.worksheets
    if sheet is not None:
        chosen = next((s for s in sheets if s.title == sheet), None)
        chosen = chosen or next((s for s in sheets if s.title.strip().casefold() == str(sheet).strip().casefold()), None)
        if chosen is None:
            names = "、".join(f"“{s.title}”" for s in sheets)
            names_en = ", ".join(repr(s.title) for s in sheets)
            raise InputError(
                [Problem.of(
                    "io.excel.workbook_no_sheet_named",
                    None,
                    None,
                    str(sheet),
                    sheet=sheet,
                    names=Message(names, names_en),
                )],
                label,
            )
        return chosen
    candidates = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"][:SHEETS_SEARCHED] or sheets[:1]
    if not candidates:
        raise InputError([Problem.of("io.excel.workbook_no_sheets")], label)
    first_error = None
    for candidate in candidates:
        candidate.reset_dimensions()  # the stored size may be wrong; read what is there
        try:
            _split_header(_text_rows(_rows(candidate, label, HEADER_ROWS_SEARCHED)), label)
            return candidate
        except InputError as exc:
            first_error = first_error or (candidate, exc)
    if len(candidates) == 1:
        candidate, exc = first_error
        raise InputError(exc.problems, sheet_source(label, candidate.title))
    expected = ", ".join(column_label(c) for c in ("name", "balance", "apr", "min_payment"))
    names = "、".join(f"“{s.title}”" for s in candidates)
    names_en = ", ".join(repr(s.title) for s in candidates)
    raise InputError(
        [
            Problem.of("io.excel.no_header_row_found", names=Message(names, names_en), expected=expected)
        ],
        label,
    )


def _totals_row(cells: list[str], name_position: int | None) -> bool:
    """Whether the loader skips this row as a totals line (the same rule as :func:`_rows_to_debts`)."""
    totals = {header_key(n) for n in columns_table()["totals"]["names"]}
    name = normalise(cells[name_position]) if name_position is not None and name_position < len(cells) else ""
    if not name:
        name = next((normalise(c) for c in cells if header_key(normalise(c)) in totals), "")
    return header_key(name) in totals


def _cell_problems(header: list[str], header_row: int, rows, formulas) -> list[Problem]:
    """Formulas without a saved value and error values, in the columns the loader reads.

    ``rows``: the value cells by row number; ``formulas``: the row numbers and
    positions of formula cells (from the workbook read without ``data_only``).
    Each such cell is blanked in ``rows`` so the loader does not also call it missing.
    """
    index = alias_index()
    known = {position for position, raw in enumerate(header) if header_key(raw) in index}
    name_position = next((p for p in known if index[header_key(header[p])] == "name"), None)
    problems = []
    for number, cells in rows:
        if number <= header_row or _totals_row([cell_text(v, f) for v, f, _ in cells], name_position):
            continue
        for position, (value, _, data_type) in enumerate(cells):
            if position not in known:
                continue
            formula = formulas.get((number, position))
            if value is None and formula is not None:
                problems.append(
                    Problem.of("io.excel.formula_no_saved_result", number, header[position], str(formula)[:60])
                )
            elif data_type == "e":
                problems.append(
                    Problem.of("io.excel.cell_shows_excel_error", number, header[position], str(value), shown=value)
                )
            else:
                continue
            cells[position] = (None, None, "n")
    return problems


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_member(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip member holding the sheet named ``title`` (workbook.xml and its relationships)."""
    from defusedxml import ElementTree  # noqa: PLC0415 - with openpyxl's own defences against hostile XML

    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((s.get(f"{_REL_NS}id") for s in book.iter(f"{_MAIN_NS}sheet") if s.get("name") == title), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(f"{_PKG_REL_NS}Relationship") if r.get("Id") == rel_id), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def hidden_rows_and_columns(data: bytes, title: str) -> tuple[set[int], set[int]]:
    """Row numbers and 0-based column positions hidden in the sheet ``title``: hidden by hand, by a
    filter or in a collapsed group (``hidden``), or shrunk to zero height or width.

    Read from the sheet's XML (openpyxl's read-only sheets do not keep row attributes) with
    a streaming expat parser that only looks at ``row``, ``col`` and ``sheetFormatPr``
    tags, and refuses a DTD (no entity expansion from a hostile file, as with defusedxml).
    A part that cannot be read hides nothing (the values themselves were read already).
    """
    from xml.parsers import expat  # noqa: PLC0415

    rows: set[int] = set()
    columns: set[int] = set()
    zero_height = [False]  # <sheetFormatPr zeroHeight="1">: rows are hidden unless given a height
    main = _MAIN_NS.strip("{}")

    def start(name: str, attrs: dict) -> None:
        if not name.startswith(main):
            return
        tag = name[len(main) + 1 :]
        if tag == "row":
            height = attrs.get("ht")
            shrunk = height is not None and float(height) == 0
            if _true(attrs.get("hidden")) or shrunk or (zero_height[0] and not (height and _true(attrs.get("customHeight")))):
                rows.add(int(attrs.get("r", "0")))
        elif tag == "col":
            width = attrs.get("width")
            if _true(attrs.get("hidden")) or (width is not None and float(width) == 0):
                columns.update(range(int(attrs.get("min", "1")) - 1, int(attrs.get("max", "1"))))
        elif tag == "sheetFormatPr":
            zero_height[0] = _true(attrs.get("zeroHeight"))

    def refuse(*_):
        raise ValueError("a DTD in a worksheet")

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _sheet_member(archive, title)
            if member is None:
                return rows, columns
            parser = expat.ParserCreate(namespace_separator="}")
            parser.StartElementHandler = start
            parser.StartDoctypeDeclHandler = refuse
            parser.EntityDeclHandler = refuse
            with archive.open(member) as xml:
                parser.ParseFile(xml)
    except Exception:  # noqa: BLE001 - a damaged part: the loader has read the values already
        return set(), set()
    return rows, columns


def _warn_hidden(source: str, header: list[str], body, debts: list[Debt], hidden_rows: set[int], hidden_columns: set[int]) -> None:
    """Warn, by row and name, about debts on rows hidden in Excel, and about hidden columns that are read."""
    index = alias_index()
    name_position = next((p for p, raw in enumerate(header) if index.get(header_key(raw)) == "name"), None)
    loaded = {d.name for d in debts}
    for number, cells in body:
        if number not in hidden_rows or not any(c.strip() for c in cells):
            continue
        name = normalise(cells[name_position]) if name_position is not None and name_position < len(cells) else ""
        if name not in loaded:
            continue  # a totals line or a row that is not a debt
        warnings.warn(
            f"{source}：第 {number} 行「{name}」在 Excel 中是隐藏的，但仍会计入还款计划。如果这笔债务已经还清，请删除这一行；否则请取消隐藏，核对后再导入。"
            f" / {source}: row {number} ({name}) is hidden in Excel but is planned like the others. "
            "If that debt is paid off, delete the row; otherwise unhide it and check it.",
            PlannerWarning,
            stacklevel=4,
        )
    for position in sorted(hidden_columns):
        if position < len(header) and header_key(header[position]) in index:
            warnings.warn(
                f"{source}：列「{header[position]}」在 Excel 中是隐藏的，但仍会读取。请取消隐藏并核对这一列。"
                f" / {source}: column '{header[position]}' is hidden in Excel but is read. Unhide it and check it.",
                PlannerWarning,
                stacklevel=4,
            )


def load_workbook_debts(data: bytes, label: str, *, sheet: str | None = None) -> list[Debt]:
    """Debts from the bytes of an .xlsx workbook: its first sheet with a header, or ``sheet`` by name.

    Raises :class:`~planner.errors.InputError` naming the file, sheet, row and
    column of every problem, as for CSV.
    """
    label = "Excel" if label == "CSV" else label  # bytes given without a file name
    refused = _not_a_workbook(data, label)
    if refused is not None:
        raise refused
    book = _open(data, label, data_only=True)
    try:
        chosen = _choose_sheet(book, label, sheet)
        source = sheet_source(label, chosen.title)
        chosen.reset_dimensions()
        rows = list(_rows(chosen, source))
    finally:
        book.close()
    header, _, header_row = _split_header(_text_rows(rows), source)
    formulas: dict[tuple[int, int], object] = {}
    if any(value is None for number, cells in rows if number > header_row for value, _, _ in cells):
        # A blank cell may be a formula Excel never calculated: read the formulas too.
        book = _open(data, label, data_only=False)
        try:
            formula_sheet = book[chosen.title]
            formula_sheet.reset_dimensions()
            for number, cells in _rows(formula_sheet, source):
                for position, (value, _, data_type) in enumerate(cells):
                    if data_type == "f":
                        formulas[number, position] = value
        finally:
            book.close()
    cell_problems = _cell_problems(header, header_row, rows, formulas)
    header, body, header_row = _split_header(_text_rows(rows), source)
    try:
        debts = _rows_to_debts(header, body, source, header_row)
    except InputError as exc:
        if not cell_problems:
            raise
        # A blanked cell may also be reported missing: the cell's own problem says why.
        where = {(p.row, p.column) for p in cell_problems}
        rest = [p for p in exc.problems if (p.row, p.column) not in where]
        raise InputError(sorted(cell_problems + rest, key=lambda p: p.row or 0), source) from None
    if cell_problems:
        raise InputError(cell_problems, source)
    hidden_rows, hidden_columns = hidden_rows_and_columns(data, chosen.title)
    if hidden_rows or hidden_columns:
        _warn_hidden(source, header, body, debts, hidden_rows, hidden_columns)
    return debts


__all__ = [
    "HEADER_ROWS_SEARCHED",
    "MAX_SHEET_ROWS",
    "MAX_UNPACKED_BYTES",
    "SHEETS_SEARCHED",
    "cell_text",
    "is_percent_format",
    "load_workbook_debts",
    "sheet_source",
]
