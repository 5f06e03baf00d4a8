"""Loading a budget statement (收支表) from a CSV file or an Excel workbook.

The same conventions as the debt file (:mod:`.loader`): UTF-8 or GBK/GB18030, Chinese or
English headers, money as people write it ("￥1,200", "1.2万"), and every problem in the
file reported at once with its row, column, value and fix, in Chinese and English.

Columns (aliases in ``planner/data/budget.toml``): ``kind`` (income/spending, 收入/支出; also
类型), ``category`` (a standard category or its Chinese words; also 类别 or 项目), ``amount``
(monthly yuan; also 金额) and an optional ``note`` (备注).

>>> s = load_statement("类型,项目,金额\\n收入,工资,\\"4,500\\"\\n支出,房租,1200\\n")
>>> s.income, s.spending, s.left_for_debts
(Decimal('4500.00'), Decimal('1200.00'), Decimal('3300.00'))
"""

from __future__ import annotations

import csv
from functools import cache
from os import PathLike
from pathlib import Path

from ..budget import KINDS, Line, Statement, categories, category_of, kind_of
from ..datafiles import read_toml
from ..errors import InputError, Message, PlannerError, Problem
from ..i18n import t
from ..money import ParseError, normalise, parse_money
from .inputs import read_input
from .loader import MAX_BYTES, blank, decode, header_key

#: More lines than this is not a household's statement.
MAX_LINES = 200
REQUIRED = ("kind", "category", "amount")


@cache
def _columns() -> dict[str, str]:
    table = read_toml("budget.toml")["columns"]
    return {header_key(alias): column for column, spec in table.items() for alias in [column, *spec["aliases"]]}


def _rows_from_bytes(data: bytes, label: str, encoding: str | None, sheet: str | None) -> list[tuple[int, list[str]]]:
    if data.startswith(b"PK\x03\x04"):
        from .excel import _open, _rows, _text_rows

        book = _open(data, label, data_only=True)
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise InputError([Problem.of("io.excel.workbook_no_sheet_named", sheet=sheet, names=", ".join(book.sheetnames))], label)
            ws = book[sheet] if sheet is not None else book.worksheets[0]
            return _text_rows(_rows(ws, label))
        finally:
            book.close()
    text = decode(data, label, encoding).replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count) if any(d in first for d in ",\t;") else ","
    reader = csv.reader(text.split("\n"), delimiter=delimiter)
    try:
        return [(n, cells) for n, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise InputError([Problem.of("io.loader.malformed_csv_check_quotes", exc=exc)], label) from None


def _read(source, encoding, sheet) -> tuple[str, list[tuple[int, list[str]]]]:
    if hasattr(source, "columns") and hasattr(source, "itertuples"):  # a DataFrame
        rows = [(1, [str(c) for c in source.columns])]
        for k, values in enumerate(source.itertuples(index=False, name=None), start=2):
            rows.append((k, ["" if v is None or v != v else str(v) for v in values]))
        return "DataFrame", rows
    if isinstance(source, (str, PathLike)) and not (isinstance(source, str) and "\n" in source):
        label = str(source)
        data = read_input(Path(source), limit=MAX_BYTES, label=label)
    elif isinstance(source, str):
        label, data = "CSV", source.encode("utf-8")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label, data = "CSV", bytes(source)
    else:
        raise PlannerError("io.statement.cannot_load", kind=type(source).__name__)
    if len(data) > MAX_BYTES:
        raise InputError([Problem.of("io.statement.too_many", most=MAX_LINES)], label)
    if not data.strip():
        raise InputError([Problem.of("io.statement.empty")], label)
    return label, _rows_from_bytes(data, label, encoding, sheet)


def load_statement(source, *, encoding: str | None = None, sheet: str | None = None, people: int = 1) -> Statement:
    """A :class:`~planner.budget.Statement` from a CSV or .xlsx path, CSV bytes or text, a DataFrame,
    a list of :class:`~planner.budget.Line`, or a Statement (returned as it is).

    Parameters
    ----------
    source : path, bytes, str, DataFrame, list of Line or Statement
    encoding : str, optional
        The text encoding of a CSV (default: UTF-8, else GB18030).
    sheet : str, optional
        The workbook sheet to read (default: the first).
    people : int, default 1
        How many people the spending feeds.

    Returns
    -------
    Statement

    Raises
    ------
    InputError
        Listing every problem found, each with its row, column and value.

    Examples
    --------
    >>> load_statement(b"kind,category,amount\\nincome,wages,abc\\nspending,rent,\\n")
    Traceback (most recent call last):
    ...
    planner.errors.InputError: CSV：发现 2 个问题，请修改后重试。
    CSV: 2 problems found; please fix and try again.
      - 第 2 行，列「amount」，值 “abc”：不是每月金额：请写元数，例如 1200、￥1,200 或 1.2万（不能为负数）。
        row 2, column 'amount', value 'abc': not a monthly amount: write a number of yuan such as 1200, ￥1,200 or 1.2万 (not negative).
      - 第 3 行，列「amount」，值 “”：这一格是空的：请填写，或删除这一行。
        row 3, column 'amount', value '': this cell is empty: fill it in, or delete the row.
    """
    if isinstance(source, Statement):
        return source
    if isinstance(source, (list, tuple)):
        return Statement(tuple(source), people)
    label, rows = _read(source, encoding, sheet)
    rows = [(n, [c.strip() for c in cells]) for n, cells in rows if not blank(cells)]
    if not rows:
        raise InputError([Problem.of("io.statement.empty")], label)
    index = _columns()
    header_at = next((k for k, (_, cells) in enumerate(rows[:5]) if sum(header_key(c) in index for c in cells) >= 2), None)
    if header_at is None:
        raise InputError([Problem.of("io.statement.header", rows[0][0], None, ",".join(rows[0][1])[:60])], label)
    header_row, header = rows[header_at]
    known = {}
    for position, raw in enumerate(header):
        column = index.get(header_key(raw))
        if column is not None and column not in known.values():
            known[position] = column
    where = {column: (header[p] or column) for p, column in known.items()}
    problems = []
    for column in REQUIRED:
        if column not in known.values():
            aliases = "、".join(read_toml("budget.toml")["columns"][column]["aliases"][:5])
            problems.append(Problem.of("io.statement.missing_column", header_row, column, column=column, aliases=aliases))
    if problems:
        raise InputError(problems, label)
    body = rows[header_at + 1:]
    if len(body) > MAX_LINES:
        raise InputError([Problem.of("io.statement.too_many", most=MAX_LINES)], label)
    lines = []
    for number, cells in body:
        cell = {column: normalise(cells[p]) if p < len(cells) else "" for p, column in known.items()}
        row_problems = []
        for column in REQUIRED:
            if not cell[column]:
                row_problems.append(Problem.of("io.statement.missing", number, where[column], ""))
        kind = kind_of(cell["kind"]) if cell["kind"] else None
        if cell["kind"] and kind is None:
            row_problems.append(Problem.of("io.statement.kind", number, where["kind"], cell["kind"]))
        if kind is not None and cell["category"] and category_of(kind, cell["category"]) is None:
            choices = ", ".join(categories()[kind])
            row_problems.append(Problem.of("io.statement.category", number, where["category"], cell["category"],
                                           kind=Message(t(f"budget_kind_{kind}", "zh"), kind), choices=choices))
        amount = None
        if cell["amount"]:
            try:
                amount = parse_money(cell["amount"])
                if amount < 0:
                    raise ParseError("io.statement.amount")
            except ParseError:
                row_problems.append(Problem.of("io.statement.amount", number, where["amount"], cell["amount"]))
        if row_problems:
            problems.extend(row_problems)
            continue
        try:
            lines.append(Line(kind, cell["category"], amount, cell.get("note", "")))
        except PlannerError as exc:
            problems.append(Problem.from_error(exc, number, where.get(exc.column or "", exc.column), cell.get(exc.column or "", None)))
    if problems:
        raise InputError(problems, label)
    if not lines:
        raise InputError([Problem.of("io.statement.empty")], label)
    return Statement(tuple(lines), people)


__all__ = ["KINDS", "MAX_LINES", "load_statement"]
