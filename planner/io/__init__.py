"""Input and output: debts and scenarios from files, safe CSV and file writing.

* :func:`load_debts` (:mod:`.sources`) picks the reader for what it is given:
  CSV text or file (:mod:`.loader`), an Excel workbook (:mod:`.excel`), a
  pandas DataFrame, or a list of :class:`~planner.debt.Debt`.
* :func:`load_scenarios` (:mod:`.scenarios`) reads negotiation scenario TOML.
* :func:`load_statement` (:mod:`.statement`) reads a budget statement (收支表).
* :func:`read_input` (:mod:`.inputs`) reads a file the user names: a regular file of
  bounded size, or a message (a FIFO, a device or a folder is refused at once).
* :mod:`.export` writes files atomically, never over an input, with
  spreadsheet-formula cells neutralised.
"""

from .export import AtomicFile, atomic_write_bytes, excel_safe, output_target, refuse_inputs, write_csv
from .loader import (
    CELL_PARSERS,
    MAX_BYTES,
    MAX_DEBTS,
    alias_index,
    column_label,
    column_letter,
    decode,
    header_key,
    parse_money_cell,
    suspect_encoding,
    wrong_encoding_problem,
)
from .inputs import read_input
from .scenarios import load_scenarios
from .sources import load_debts
from .statement import load_statement

__all__ = [
    "AtomicFile",
    "CELL_PARSERS",
    "MAX_BYTES",
    "MAX_DEBTS",
    "alias_index",
    "atomic_write_bytes",
    "output_target",
    "column_label",
    "column_letter",
    "decode",
    "excel_safe",
    "header_key",
    "load_debts",
    "load_scenarios",
    "load_statement",
    "parse_money_cell",
    "read_input",
    "refuse_inputs",
    "suspect_encoding",
    "write_csv",
    "wrong_encoding_problem",
]
