"""``load_debts``: debts from whatever the user has (a path, bytes, text, a DataFrame,
a list of :class:`~planner.debt.Debt`), each handed to the reader made for it
(:mod:`planner.io.loader` for CSV and tables, :mod:`planner.io.excel` for workbooks).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..debt import Debt, check_debts
from ..errors import InputError, PlannerError, Problem
from .excel import load_workbook_debts
from .loader import (
    _ZIP,
    MAX_BYTES,
    MAX_DEBTS,
    _filled_positions,
    _read_bytes,
    _rows_from_frame,
    _rows_to_debts,
    _table_from_text,
    _too_large,
    blank,
    decode,
)


def load_debts(source, *, encoding: str | None = None, sheet: str | None = None) -> list[Debt]:
    """Debts from a CSV path, CSV bytes or text, a pandas DataFrame, or a list of :class:`Debt`.

    An Excel workbook (.xlsx, as a path, bytes or an open file) loads the same way,
    from its first sheet with a header row or the sheet named ``sheet``
    (see :mod:`planner.excel`).

    Parameters
    ----------
    source : path, bytes, str, DataFrame, or list of Debt
        The debts; a path may be a ``.csv`` or ``.xlsx`` file.
    encoding : str, optional
        The text encoding of a CSV (default: UTF-8, else GB18030).
    sheet : str, optional
        The workbook sheet to read.

    Returns
    -------
    list of Debt

    Raises
    ------
    InputError
        Listing every problem found, each with its row, column and value.

    Warns
    -----
    PlannerWarning
        On suspicious but valid input (every rate below 1, as if 0.18 meant 18%).

    Examples
    --------
    >>> debts = load_debts(b"name,balance,apr,min_payment\\nCard,\\"12,000\\",18%,600\\n")
    >>> debts[0].balance, debts[0].apr
    (Decimal('12000.00'), Decimal('18'))
    """
    if isinstance(source, (list, tuple)):
        return check_debts(source, "debts")
    if hasattr(source, "columns") and hasattr(source, "itertuples"):
        positions = _filled_positions(source)  # rows of empty cells do not count toward the limit
        if len(positions) > MAX_DEBTS:  # refuse before turning every row into text
            raise InputError([Problem.of("io.loader.too_many_rows", max_debts=MAX_DEBTS)], "DataFrame")
        header, rows = _rows_from_frame(source, positions)
        rows = [(n, c) for n, c in rows if not blank(c)]
        if not rows:
            raise InputError([Problem.of("io.sources.table_empty_no_debts")], "DataFrame")
        return _rows_to_debts(header, rows, "DataFrame")
    if isinstance(source, (str, PathLike)) and not (isinstance(source, str) and "\n" in source):
        path = Path(source)
        label = str(path)
        data = _read_bytes(path)
    elif isinstance(source, str):
        label = "CSV"
        if len(source) > MAX_BYTES:
            raise _too_large(None, label)
        data = source.encode("utf-8")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label = "CSV"
        if len(source) > MAX_BYTES:
            raise _too_large(None, label)
        data = bytes(source)
    elif hasattr(source, "read"):
        label = str(getattr(source, "name", "CSV"))
        data = source.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > MAX_BYTES:
            raise _too_large(None, label)
    else:
        raise PlannerError("io.sources.cannot_load_debts", type_name=type(source).__name__)
    if not data.strip():
        raise InputError([Problem.of("io.sources.file_empty_no_debts")], label)
    if data.startswith(_ZIP):
        if encoding is not None:
            raise InputError([Problem.of("io.sources.excel_workbook_no_text", encoding=encoding)], label)
        return load_workbook_debts(data, label, sheet=sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError([Problem.of("io.loader.old_excel")], label)
    if sheet is not None:
        raise InputError([Problem.of("io.sources.excel_workbook_sheets_csv")], label)
    text = decode(data, label, encoding)
    header, rows, header_row = _table_from_text(text, label)
    return _rows_to_debts(header, rows, label, header_row)


__all__ = [
    "load_debts",
]
