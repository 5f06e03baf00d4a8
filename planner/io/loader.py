"""Loading debts from a CSV file, a DataFrame or a list of :class:`Debt`.

The loader is the boundary where spreadsheets meet the engine. It accepts what
people really export (UTF-8 with or without BOM, GBK/GB18030 from Excel in
China, Chinese headers, "￥12,000", "18%", "0.05%/日") and reports every problem
in the file at once, each with the row as the spreadsheet shows it, the
column, the value and how to fix it, in Chinese and English.

Column names and their aliases are data: ``planner/data/columns.toml``.
"""

from __future__ import annotations

import csv
import os
import re
import warnings
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..datafiles import columns_table, kinds
from ..debt import MAX_APR, MAX_MONEY, Debt
from ..errors import InputError, Message, PlannerError, PlannerWarning, Problem, message
from ..money import (
    ParseError,
    SeparatorError,
    fraction_warning,
    looks_like_fraction,
    normalise,
    parse_date,
    parse_minimum,
    parse_money,
    parse_number,
    parse_rate,
    round_cents,
)

#: Files larger than this are refused: a person's list of debts is small.
MAX_BYTES = 5 * 1024 * 1024
#: More debts than this in one file are refused (use ``planner batch``).
MAX_DEBTS = 1000

ENCODINGS = ("utf-8-sig", "gb18030")

_BRACKETED_UNIT = re.compile(r"[(\[（【].*?[)\]）】]$")
_SIGNATURES = {
    b"PK\x03\x04": ("Excel 工作簿 (.xlsx) 或压缩包", "an Excel workbook (.xlsx) or a zip archive"),
    b"\xd0\xcf\x11\xe0": ("旧版 Excel 工作簿 (.xls)", "an old Excel workbook (.xls)"),
    b"%PDF": ("PDF 文件", "a PDF file"),
    b"\x89PNG": ("PNG 图片", "a PNG image"),
    b"\xff\xd8\xff": ("JPEG 图片", "a JPEG image"),
}
_FIX_EXPORT = ("请在 Excel 中“另存为” CSV 文件后再导入。", "Save it as CSV from Excel and load that.")
_ZIP = b"PK\x03\x04"  # an .xlsx workbook is a zip file: read by planner.excel


def header_key(text: str) -> str:
    """How a header is compared with the aliases: normalised, lower case, no spaces or units."""
    key = normalise(str(text)).lower().replace(" ", "").replace("-", "_")
    return _BRACKETED_UNIT.sub("", key) or key


def alias_index() -> dict[str, str]:
    index = {}
    for canonical, spec in columns_table().items():
        if isinstance(spec, dict) and "aliases" in spec:
            for alias in [canonical, *spec["aliases"]]:
                index[header_key(alias)] = canonical
    return index


def _kind_index() -> dict[str, str]:
    return {header_key(word): kind for kind, words in columns_table()["kinds"].items() for word in words}


def column_label(canonical: str) -> str:
    """``"balance (剩余本金)"``: how a column is named to a person."""
    spec = columns_table().get(canonical, {})
    return f"{canonical} ({spec['zh']})" if "zh" in spec else canonical


# ---------------------------------------------------------------------------
# value parsers: raw text -> value, or ParseError(key) with the fix


def parse_money_cell(text: str) -> Decimal:
    try:
        value = parse_money(text)
    except SeparatorError:
        raise
    except ParseError:
        raise ParseError("io.loader.money_not_amount") from None
    if value < 0:
        raise ParseError("io.loader.money_negative")
    if value > MAX_MONEY:
        raise ParseError("io.loader.money_too_large", limit=MAX_MONEY)
    return value


def _annual_rate(text: str) -> Decimal:
    try:
        value, period = parse_rate(text)
    except SeparatorError:
        raise
    except ParseError:
        raise ParseError("io.loader.not_rate") from None
    value = value * {"day": 365, "month": 12}.get(period, 1)
    return _check_rate(value)


def _daily_rate(text: str) -> Decimal:
    try:
        value, period = parse_rate(text)
    except SeparatorError:
        raise
    except ParseError:
        raise ParseError("io.loader.not_daily_rate") from None
    if period not in (None, "day"):
        raise ParseError("io.loader.daily_rate_period")
    if value < 0 or value * 365 > MAX_APR:
        raise ParseError("io.loader.daily_rate_range", most=MAX_APR / 365)
    return value


def _fee_rate(text: str) -> Decimal:
    try:
        value, period = parse_rate(text)
    except SeparatorError:
        raise
    except ParseError:
        raise ParseError("io.loader.not_fee_rate") from None
    if period not in (None, "month"):
        raise ParseError("io.loader.fee_rate_period")
    if value < 0 or value * 12 > MAX_APR:
        raise ParseError("io.loader.fee_rate_range", most=MAX_APR / 12)
    return value


def _check_rate(value: Decimal) -> Decimal:
    if value < 0:
        raise ParseError("io.loader.rate_negative")
    if value > MAX_APR:
        raise ParseError("io.loader.rate_too_high", most=MAX_APR)
    return value


def _count(unit_zh: str, unit_en: str, minimum: int, maximum: int = 100_000):
    def parse(text: str) -> int:
        s = normalise(text).replace(" ", "")
        for suffix in ("期", "个月", "月", "天", "日", "days", "day", "months", "month"):
            if s.lower().endswith(suffix):
                s = s[: -len(suffix)]
                break
        try:
            value = parse_number(s)
        except SeparatorError:
            raise
        except ParseError:
            raise ParseError("io.loader.count_not_number", unit=Message(unit_zh, unit_en)) from None
        if value != value.to_integral_value() or value < minimum or value > maximum:
            raise ParseError("io.loader.count_range", unit=Message(unit_zh, unit_en), minimum=minimum, maximum=maximum)
        return int(value)

    return parse


def _kind(text: str) -> str:
    kind = _kind_index().get(header_key(text))
    if kind is None:
        raise ParseError("io.loader.unknown_kind", kinds=", ".join(kinds()))
    return kind


def _date(text: str) -> date:
    return parse_date(text)


def _due_day(text: str) -> int:
    """The day of the month a payment is due (还款日): ``15``, ``15日``, ``每月15号``, or a date
    such as ``2027-05-15`` (its day). 1 to 31; a day beyond a month's length falls on that
    month's last day (the calendar's rule, :mod:`planner.calendar`)."""

    s = normalise(text).replace(" ", "")
    if any(mark in s for mark in ("-", "/", "年")) or (len(s) == 8 and s.isdigit()):
        try:
            return parse_date(s).day
        except ParseError:
            pass
    else:
        s = s.removeprefix("每月").removesuffix("日").removesuffix("号")
        try:
            value = parse_number(s)
        except (ParseError, ArithmeticError):
            value = None
        if value is not None and value == value.to_integral_value() and 1 <= value <= 31:
            return int(value)
    raise ParseError("io.loader.not_due_day")
def _priority(text: str) -> bool | str:
    """A ``priority`` cell: True or False, or the reason a debt comes first (``"secured"``), which :class:`Debt` reads as yes."""
    values = columns_table()["priority_values"]
    word = header_key(text)
    for value, words in values.items():
        if word in {header_key(w) for w in [value, *words]}:
            return {"yes": True, "no": False}.get(value, value)

    raise ParseError("io.loader.not_priority")


def _choice(table: str, key: str):
    """A parser for a column of a few values (``[<table>]`` of columns.toml: each value and its words);
    ``key`` the error's key when the cell is none of them."""

    def parse(text: str) -> str:
        word = header_key(text)
        for value, words in columns_table()[table].items():
            if word in {header_key(w) for w in [value, *words]}:
                return value
        raise ParseError(key)

    return parse


class MinimumShare(NamedTuple):
    """A ``min_payment`` cell written as a share of the balance (``10%``, ``10%+50``): percent points and floor (yuan)."""

    percent: Decimal
    floor: Decimal


def _minimum(text: str) -> Decimal | MinimumShare:
    """A ``min_payment`` cell: an amount (as :func:`parse_money_cell`), or a share of the balance with
    an optional floor (``10%``, ``10%+50``, ``最低10%``: :func:`~planner.money.parse_minimum`)."""
    if "%" not in normalise(text):
        return parse_money_cell(text)
    _, percent, floor = parse_minimum(text)
    if floor > MAX_MONEY:
        raise ParseError(*message("io.loader.minimum_floor_large", max_money=f"{MAX_MONEY:,.0f}"))
    return MinimumShare(percent, floor)


def _min_percent(text: str) -> Decimal:
    """A ``min_percent`` cell (最低还款比例): percent of the balance, ``10`` or ``10%``, above 0 and at most 100."""
    try:
        value, period = parse_rate(text)
    except SeparatorError:
        raise
    except ParseError:
        raise ParseError(*message("io.loader.minimum_percent_not_number")) from None
    if period is not None or not 0 < value <= 100:
        raise ParseError(*message("io.loader.minimum_percent_range"))
    return value


def _min_basis(text: str) -> str:
    """A ``min_basis`` cell: ``principal`` (本金+利息, the default) or ``statement`` (账单余额); words in columns.toml."""
    word = header_key(text)
    for value, words in columns_table()["min_bases"].items():
        if word in {header_key(w) for w in [value, *words]}:
            return value
    raise ParseError(*message("io.loader.minimum_basis_unknown"))


CELL_PARSERS = {
    "balance": parse_money_cell,
    "min_payment": _minimum,
    "min_percent": _min_percent,
    "min_floor": parse_money_cell,
    "min_basis": _min_basis,
    "fees_owed": parse_money_cell,
    "principal": parse_money_cell,
    "apr": _annual_rate,
    "penalty_apr": _annual_rate,
    "daily_rate": _daily_rate,
    "fee_rate": _fee_rate,
    "term_months": _count("期", "months", 1, 1200),  # 100 years, as the rate functions accept
    "overdue_days": _count("天", "days", 0),
    "kind": _kind,
    "contract_date": _date,
    "due_day": _due_day,
    "priority": _priority,
    "periods_paid": _count("期", "periods", 0, 1199),
    "fee_timing": _choice("fee_timing_values", "io.loader.fee_timing"),
    "prepay_fees": _choice("prepay_fees_values", "io.loader.prepay_fees"),
}


# ---------------------------------------------------------------------------
# reading raw input into rows


def _too_large(size: int | None, label: str) -> InputError:
    shown_zh = f"{size / 1e6:.1f} MB，" if size else ""
    shown_en = f"{size / 1e6:.1f} MB, " if size else ""
    return InputError(
        [
            Problem.of(
                "io.loader.file_too_large_limit",
                shown=Message(shown_zh, shown_en),
                max_bytes=MAX_BYTES / 1e6,
            )
        ],
        label,
    )


def _read_bytes(path: Path) -> bytes:
    # A regular file of at most MAX_BYTES: a FIFO, /dev/zero or a folder is refused at once.
    from .inputs import read_input

    label = str(path).replace("\x00", "")
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        size = None
    return read_input(path, limit=MAX_BYTES, label=label, too_large=_too_large(size if size and size > MAX_BYTES else None, label))


def _gbk_read_as_utf8(text: str, data: bytes) -> bool:
    """Whether GBK bytes happened to be valid UTF-8: "平台" in GBK (C6 BD CC A8) reads as UTF-8 "ƽ̨".

    Chinese in UTF-8 is three bytes a character (U+0800 and up). Text whose only
    non-ASCII characters are two-byte ones, some outside Latin-1 (which holds ¥, é,
    ü: a real UTF-8 file), and whose bytes read as GB18030 give Chinese, was GBK.

    >>> _gbk_read_as_utf8("ƽ̨", "平台".encode("gbk")), _gbk_read_as_utf8("Café ¥5", "Café ¥5".encode())
    (True, False)
    """
    wide = [ord(c) for c in text if ord(c) > 0x7F]
    if not wide or max(wide) >= 0x800:
        return False
    if all(0xA0 <= c <= 0xFF for c in wide):
        return False
    try:
        gb = [c for c in data.decode("gb18030") if ord(c) > 0x7F]
    except UnicodeDecodeError:
        return False
    if not any("\u4e00" <= c <= "\u9fff" for c in gb):
        return False
    # ... and mostly characters of GB2312, where mainland Chinese lives: UTF-8 Arabic, Latin
    # Extended or a soft hyphen read as GB18030 gives rare characters instead (found by a property test).
    common = sum(1 for c in gb if _in_gb2312(c))
    return common * 5 >= len(gb) * 4


def _in_gb2312(c: str) -> bool:
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


#: Encodings of the same family as GBK: a detector naming one of them agrees with GB18030.
_GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "utf_8", "ascii"}
_ENCODING_NAMES = {  # for people: the detector's codec name -> what they know it as
    "big5": ("Big5（繁体中文）", "Big5 (Traditional Chinese)"),
    "big5hkscs": ("Big5-HKSCS（香港繁体中文）", "Big5-HKSCS (Hong Kong Traditional Chinese)"),
    "cp950": ("Big5（繁体中文）", "Big5 (Traditional Chinese)"),
    "cp932": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "shift_jis": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "shift_jis_2004": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "shift_jisx0213": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "euc_jp": ("EUC-JP（日文）", "EUC-JP (Japanese)"),
    "euc_jis_2004": ("EUC-JP（日文）", "EUC-JP (Japanese)"),
    "cp949": ("EUC-KR（韩文）", "EUC-KR (Korean)"),
    "euc_kr": ("EUC-KR（韩文）", "EUC-KR (Korean)"),
    "cp1252": ("Windows-1252（西欧文字）", "Windows-1252 (Western European)"),
}


#: The encodings a spreadsheet that is not UTF-8 or GBK most likely comes in, each with the
#: byte ranges (as written in that encoding) of the characters its everyday text is made of:
#: Big5's frequent hanzi and symbols, Shift-JIS's kana, symbols and JIS level-1 kanji,
#: KS X 1001's symbols and hangul. A reading is plausible when nearly all its characters
#: fall in these ranges; a garbled one scatters over the rare ones.
_CANDIDATES: dict[str, tuple[tuple[int, int], ...]] = {
    "cp950": ((0xA140, 0xA3BF), (0xA440, 0xC67E)),
    "big5hkscs": ((0xA140, 0xA3BF), (0xA440, 0xC67E)),
    "cp932": ((0x8140, 0x84BE), (0x889F, 0x9872), (0xA1, 0xDF)),
    "euc_jp": ((0xA1A1, 0xA8FE), (0xB0A1, 0xCFD3), (0x8EA1, 0x8EDF)),
    "cp949": ((0xA1A1, 0xACFE), (0xB0A1, 0xC8FE)),
}
_PLAUSIBLE = 0.9  # share of a reading's characters in its everyday ranges


def _everyday_share(text: str, encoding: str) -> float:
    """The share of ``text``'s non-ASCII characters that are everyday characters of ``encoding``."""
    ranges = _CANDIDATES[encoding]
    wide = [c for c in text if ord(c) > 0x7F]
    hits = 0
    for c in wide:
        try:
            code = int.from_bytes(c.encode(encoding), "big")
        except UnicodeEncodeError:  # a character that does not round-trip is no everyday one
            continue
        hits += any(lo <= code <= hi for lo, hi in ranges)
    return hits / len(wide)


def _western_share(text: str) -> float:
    """The share of ``text``'s non-ASCII characters that are accented Latin letters standing in a word."""
    wide = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    hits = sum(
        1 for i in wide
        if "\u00c0" <= text[i] <= "\u017f" and text[i].isalpha()
        and any(j in range(len(text)) and text[j].isascii() and text[j].isalpha() for j in (i - 1, i + 1))
    )
    return hits / len(wide)


def suspect_encoding(data: bytes, text: str) -> str | None:
    """The encoding ``data`` is more likely in, when its GB18030 reading ``text`` looks garbled; else None.

    GB18030 decodes almost any bytes, so a Big5 or Shift-JIS file reads as GB18030
    without error, as nonsense. The GB18030 reading is called garbled when a fifth or
    more of its characters lie outside GB2312 (where mainland simplified Chinese lives;
    garbled Big5 and Shift-JIS land in GBK's rare extension areas). Then each likely
    encoding (Big5, Shift-JIS, EUC-JP, EUC-KR, then Windows-1252) reads the bytes, and
    the first whose reading is made of that language's everyday characters is named.
    This is decided here, not by a detector's guess, which changes between releases;
    the detector (charset-normalizer) is asked only when none of these fits, for a
    name to give (Cyrillic, Greek, ...). A GBK file of ordinary names is never called
    garbled: ``tests/io/test_loader.py`` checks generated ones. Plain EUC-JP and EUC-KR
    text is not caught: it shares GB2312's byte layout, so its GB18030 reading is made of
    GB2312 characters (nonsense, but not garbled by this measure).

    >>> data = "name,balance\\n國泰世華銀行,1000\\n".encode("big5")
    >>> suspect_encoding(data, data.decode("gb18030"))
    'cp950'
    >>> suspect_encoding("花呗,1000".encode("gbk"), "花呗,1000") is None
    True
    """
    from collections import Counter

    wide = Counter(c for c in text if ord(c) > 0x7F)  # each distinct character is checked once
    total = sum(wide.values())
    if not total:
        return None
    inside = sum(count for c, count in wide.items() if _in_gb2312(c))
    if inside * 5 >= total * 4:
        return None
    gb_share = inside / total
    for encoding in _CANDIDATES:
        try:
            reading = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _everyday_share(reading, encoding)
        if share >= _PLAUSIBLE and share > gb_share:
            return encoding
    try:
        reading = data.decode("cp1252")
    except UnicodeDecodeError:
        reading = None
    if reading is not None and _western_share(reading) >= _PLAUSIBLE:
        return "cp1252"
    return _detector_guess(data, total - inside, total)


def _detector_guess(data: bytes, outside: int, total: int) -> str | None:
    """charset-normalizer's name for ``data`` when it finds a cleaner reading than GB18030's; else None."""
    try:
        from charset_normalizer import from_bytes  # noqa: PLC0415 - only for a file that is not UTF-8

        matches = list(from_bytes(data))
    except Exception:  # noqa: BLE001 - no verdict from the detector is no evidence
        return None
    if not matches or matches[0].encoding in _GB_FAMILY:
        return None
    best = matches[0]
    gb = next((m for m in matches if m.encoding in _GB_FAMILY), None)
    if gb is None or (outside * 3 >= total and best.chaos < gb.chaos):
        return best.encoding
    return None


def wrong_encoding_problem(encoding: str, text: str) -> Problem:
    """The bilingual problem for a file that :func:`suspect_encoding` finds in ``encoding``."""
    zh_name, en_name = _ENCODING_NAMES.get(
        encoding, (f"{encoding}（检测器的最佳猜测，西文多为 cp1252）", f"{encoding} (the detector's best guess; Western European text is usually cp1252)")
    )
    sample = next((line.strip() for line in text.splitlines() if any(ord(c) > 0x7F for c in line)), "")[:40]
    return Problem.of(
        "io.loader.file_looks_like_not",
        name=Message(zh_name, en_name),
        sample=sample,
        encoding=encoding,
    )


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    """Bytes to text: the given encoding, else UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    for signature, (zh, en) in _SIGNATURES.items():
        if data.startswith(signature):
            raise InputError([Problem.of(
                "io.loader.not_csv_file_but_2",
                kind=Message(zh, en),
                fix=Message(*_FIX_EXPORT),
            )], source)
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise InputError(
            [Problem.of("io.loader.not_csv_file_but", fix=Message(*_FIX_EXPORT))],
            source,
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = (encoding,) if encoding else ENCODINGS
    for enc in encodings:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:
            break
        if enc == "utf-8-sig" and not encoding and _gbk_read_as_utf8(text, data):
            return data.decode("gb18030")
        if enc == "gb18030" and not encoding:
            likely = suspect_encoding(data, text)
            if likely is not None:
                raise InputError([wrong_encoding_problem(likely, text)], source)
        return text
    tried = ", ".join(encodings)
    raise InputError(
        [
            Problem.of("io.loader.cannot_read_text_tried", tried=tried)
        ],
        source,
    )


def _lines(text: str):
    """The lines of ``text`` (newline kept, as csv.reader wants), lazily, without copying it whole."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in _lines(text) if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","



def _table_from_text(text: str, source: str) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """Header, data rows (with their spreadsheet row numbers) and the header's row number, from CSV text."""
    # Normalise cell by cell after parsing, not the whole text: NFKC would turn the
    # full-width comma "，" of a Chinese note into a delimiter.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Lines are handed to the reader one at a time: a StringIO or splitlines() copy of a
    # 100,000-row file would cost several times its size before the row limit is reached.
    reader = csv.reader(_lines(text), delimiter=_sniff_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        line_before = 0
        for cells in reader:
            # Blank rows and rows of empty cells (",,,", a formatted Excel sheet) are skipped
            # here, so they neither count toward the limit nor take memory.
            if not blank(cells):
                rows.append((line_before + 1, cells))
            line_before = reader.line_num
            if len(rows) > MAX_DEBTS + 10:
                raise InputError([Problem.of("io.loader.too_many_rows", max_debts=MAX_DEBTS)], source)
    except csv.Error as exc:
        raise InputError(
            [Problem.of("io.loader.malformed_csv_check_quotes", reader.line_num, exc=exc)],
            source,
        ) from None
    return _split_header(rows, source)


def blank(cells) -> bool:
    """Whether a row holds nothing: no cells, or only empty, blank or invisible ones (",,,", " , ")."""
    return not any(c.strip() and normalise(c) for c in cells)


def _split_header(rows, source):
    rows = [(n, [c.strip() for c in cells]) for n, cells in rows if not blank(cells)]
    if not rows:
        raise InputError([Problem.of("io.loader.file_empty_no_debts")], source)
    index = alias_index()
    # The header is the first of the first few rows naming at least two known columns
    # (a title line such as "我的债务" may stand above it).
    for position, (number, cells) in enumerate(rows[:5]):
        if sum(header_key(c) in index for c in cells) >= 2:
            return cells, rows[position + 1 :], number
    expected = ", ".join(column_label(c) for c in ("name", "balance", "apr", "min_payment"))
    raise InputError(
        [
            Problem.of(
                "io.loader.no_header_row_found",
                rows[0][0],
                None,
                ",".join(rows[0][1])[:60],
                expected=expected,
            )
        ],
        source,
    )


def _filled_positions(frame):
    """Positions of the rows of ``frame`` with at least one value (not NA, not blank text): rows of
    empty cells do not count toward the limit. Read in blocks, stopping once past
    :data:`MAX_DEBTS` filled rows, so a huge frame is refused without being copied."""
    import numpy as np
    import pandas as pd

    found, count, block = [], 0, 4096
    for start in range(0, len(frame), block):
        part = frame.iloc[start : start + block]
        filled = np.zeros(len(part), dtype=bool)
        for _, column in part.items():
            present = ~pd.isna(column).to_numpy(dtype=bool)
            if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)):
                present &= (column.astype("string").str.strip() != "").fillna(False).to_numpy(dtype=bool)
            filled |= present
        found.append(np.nonzero(filled)[0] + start)
        count += len(found[-1])
        if count > MAX_DEBTS:
            break
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _rows_from_frame(frame, positions=None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows as text; ``positions`` (of the rows to keep) keeps row numbers as in the whole frame."""
    header = [str(c) for c in frame.columns]
    rows = []
    if positions is not None:
        frame = frame.iloc[positions]
    numbers = positions if positions is not None else range(len(frame))
    for position, values in zip(numbers, frame.itertuples(index=False, name=None)):
        cells = []
        for v in values:
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            elif type(v).__name__ in ("NAType", "NaTType"):
                cells.append("")
            else:
                cells.append(str(v))
        rows.append((int(position) + 2, cells))
    return header, rows


# ---------------------------------------------------------------------------
# rows to debts


def _map_header(header: list[str], source: str, header_row: int = 1) -> tuple[dict[int, str], dict[int, str]]:
    index = alias_index()
    known: dict[int, str] = {}
    unknown: dict[int, str] = {}
    problems = []
    seen: dict[str, str] = {}
    for position, raw in enumerate(header):
        canonical = index.get(header_key(raw))
        if canonical is None:
            unknown[position] = raw if raw else f"column_{position + 1}"
        elif canonical in seen:
            problems.append(
                Problem.of(
                    "io.loader.columns_both_mean_remove",
                    header_row,
                    raw,
                    seen=seen[canonical],
                    raw=raw,
                    canonical=column_label(canonical),
                )
            )
        else:
            seen[canonical] = raw
            known[position] = canonical
    present = set(known.values())
    missing = [c for c in ("name", "balance", "min_payment") if c not in present]
    if "min_percent" in present and "min_payment" in missing:
        missing.remove("min_payment")  # the minimum as a share of the balance, in its own column
    has_rate = "apr" in present or "daily_rate" in present or {"fee_rate", "term_months"} <= present
    if not has_rate:
        missing.insert(2 if "min_payment" in missing else len(missing), "apr")
    if "min_payment" in missing and {"fee_rate", "term_months"} <= present:
        missing.remove("min_payment")
    for column in missing:
        aliases = "、".join(columns_table()[column]["aliases"][:6])
        problems.append(
            Problem.of(
                "io.loader.required_column_missing_add",
                header_row,
                column_label(column),
                col=column_label(column),
                aliases=aliases,
            )
        )
    if problems:
        raise InputError(problems, source)
    return known, unknown


@dataclass(frozen=True)
class _Columns:
    """A table's header read once: the columns the loader knows and the extra ones, their labels."""

    source: str
    known: dict[int, str]  # position -> canonical column
    unknown: dict[int, str]  # position -> the header of a column kept as ``extra``
    labels: dict[int, str]  # position -> the label shown in messages
    totals: frozenset[str]  # header keys of the words a totals line is named by
    width: int

    def label_of(self, canonical: str) -> str:
        """The label of a known column as written in the file (its canonical label when absent)."""
        return self.labels.get(_position(self.known, canonical)) or column_label(canonical)


def _rows_to_debts(header, rows, source: str, header_row: int = 1) -> list[Debt]:
    """The debts of a table's rows, every problem of every row collected into one :class:`InputError`.

    Step by step, per row: too many cells (:func:`_spilled_cells`), the name or a totals line
    (:func:`_row_name`), each cell through its column's parser (:func:`_parse_cells`), rates
    that look like fractions (:func:`_warn_fraction_rates`), the columns derived from others
    (:func:`_derive_rate`, :func:`_derive_minimum`), a repeated name (:func:`_repeated_name`),
    and the :class:`Debt` itself (:func:`_make_debt`). A new column needs a parser in
    ``CELL_PARSERS`` and, if it is derived or required, a line in those steps.
    """
    columns = _read_columns(header, source, header_row)
    problems: list[Problem] = []
    debts: list[Debt] = []
    first_row_of: dict[str, int] = {}

    for number, cells in rows:
        if len(rows) > MAX_DEBTS:
            problems.append(Problem.of("io.loader.more_debts", max_debts=MAX_DEBTS))
            break
        spilled = _spilled_cells(columns, number, cells)
        if spilled is not None:
            problems.append(spilled)
            continue
        raw = {columns.known[p]: cells[p] if p < len(cells) else "" for p in columns.known}
        extra = {columns.unknown[p]: cells[p] for p in columns.unknown if p < len(cells) and cells[p]}
        name = _row_name(columns, number, raw, cells)
        if name is None:
            continue  # a totals line, skipped with a warning
        values, row_problems = _parse_cells(columns, number, raw)
        if not name:
            row_problems.append(Problem.of("io.loader.name_missing_write_lenders", number, columns.label_of("name"), ""))
        _need(columns, number, raw, values, row_problems, "balance", "io.loader.balance_missing")
        _warn_fraction_rates(columns, number, name, raw, values)
        _derive_rate(columns, number, raw, values, row_problems)
        _derive_minimum(columns, number, raw, values, row_problems)
        repeated = _repeated_name(columns, number, raw, name, first_row_of)
        if repeated is not None:
            row_problems.append(repeated)
        if name:
            first_row_of.setdefault(name, number)
        if row_problems:
            problems.extend(row_problems)
            continue
        debt = _make_debt(columns, number, name, values, extra, problems)
        if debt is not None:
            debts.append(debt)

    if problems:
        raise InputError(problems, source)
    if not debts:
        raise InputError([Problem.of("io.loader.no_debt_rows_file")], source)
    return debts


def _read_columns(header, source: str, header_row: int) -> _Columns:
    """The header mapped to the loader's columns (:func:`_map_header`), with the labels messages use."""
    known, unknown = _map_header(header, source, header_row)
    labels = {position: header[position] or column_label(canonical) for position, canonical in known.items()}
    totals = frozenset(header_key(n) for n in columns_table()["totals"]["names"])
    return _Columns(source, known, unknown, labels, totals, len(header))


def _spilled_cells(columns: _Columns, number: int, cells) -> Problem | None:
    """A row with more filled cells than the header (a stray comma or an unquoted thousands separator)."""
    width = columns.width
    if len(cells) > width and any(c for c in cells[width:]):
        return Problem.of(
            "io.loader.row_more_cells_header",
            number,
            column_letter(width + next(k for k, c in enumerate(cells[width:]) if c)),
            ",".join(cells)[:60],
        )
    return None


def _row_name(columns: _Columns, number: int, raw: dict[str, str], cells) -> str | None:
    """The debt's name (normalised; empty when missing), or ``None`` for a totals line (warned and skipped)."""
    name = normalise(raw.get("name", ""))
    if not name:  # a totals line often says 合计 in its first column, not under the name
        name = next((normalise(c) for c in cells if header_key(normalise(c)) in columns.totals), "")
    if header_key(name) in columns.totals:
        warnings.warn(
            f"{columns.source}: 第 {number} 行是合计行，已跳过。/ row {number} is a totals line ({name!r}); skipped.",
            PlannerWarning,
            stacklevel=4,
        )
        return None
    return name


def _parse_cells(columns: _Columns, number: int, raw: dict[str, str]) -> tuple[dict[str, object], list[Problem]]:
    """Each filled cell but the name through its column's parser (``CELL_PARSERS``); the values and the cells' problems."""
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for canonical, text in raw.items():
        if canonical == "name" or not text:
            continue
        if "\n" in text:
            problems.append(
                Problem.of(
                    "io.loader.cell_spans_several_lines",
                    number,
                    columns.labels[_position(columns.known, canonical)],
                    text.replace("\n", " "),
                )
            )
            continue
        if canonical in _SHIFT_PRONE and _THOUSANDS_TAIL.match(normalise(text)):
            problems.append(
                Problem.of(
                    "io.loader.looks_like_tail_unquoted",
                    number,
                    columns.labels[_position(columns.known, canonical)],
                    text,
                )
            )
            continue
        try:
            values[canonical] = CELL_PARSERS[canonical](text)
        except ParseError as exc:
            column = columns.labels[next(p for p, c in columns.known.items() if c == canonical)]
            problems.append(Problem.from_error(exc, number, column, text))
    return values, problems


def _need(columns: _Columns, number: int, raw: dict[str, str], values: dict, problems: list[Problem], canonical: str, key: str) -> None:
    """Report a required column left empty, as the error ``key`` (a value that failed to parse is reported already)."""
    if raw.get(canonical):  # a value that failed to parse is reported already
        return
    if canonical in ("apr", "min_payment") and any(raw.get(c) and c not in values for c in _RATE_SOURCES):
        return  # it would come from a daily rate or fee rate whose problem is reported already
    problems.append(Problem.of(key, number, columns.label_of(canonical), ""))


def _warn_fraction_rates(columns: _Columns, number: int, name: str, raw: dict[str, str], values: dict) -> None:
    """Warn, by row, about each rate that looks like 0.18 meant as 18%."""
    for rate in ("apr", "penalty_apr"):
        if rate in values and looks_like_fraction(raw[rate], values[rate]):
            who_zh, who_en = (f"「{name}」", f" ({name})") if name else ("", "")
            warnings.warn(
                fraction_warning(
                    f"{columns.source}：第 {number} 行{who_zh}（列「{columns.label_of(rate)}」）",
                    f"{columns.source}: row {number}{who_en}, column '{columns.label_of(rate)}'",
                    raw[rate],
                    values[rate],
                ),
                PlannerWarning,
                stacklevel=4,
            )


def _derive_rate(columns: _Columns, number: int, raw: dict[str, str], values: dict, problems: list[Problem]) -> None:
    """The yearly rate: given, or from a daily rate, or from a monthly fee rate and a term; else missing."""
    if "apr" in values:
        pass  # given: nothing to derive
    elif "daily_rate" in values:
        values["apr"] = values["daily_rate"] * 365
    elif "fee_rate" in values and "term_months" in values:
        from ..rates import flat_fee_apr

        periods = values["term_months"] + values.get("periods_paid", 0)  # the contract's rate: all its periods
        values["apr"] = flat_fee_apr(values["fee_rate"], min(periods, 1200), values.get("fee_timing", "monthly"))
        if values["apr"] > MAX_APR:
            problems.append(
                Problem.of(
                    "io.loader.term_monthly_fee_rate",
                    number,
                    columns.label_of("fee_rate"),
                    raw["fee_rate"],
                    values=values['apr'],
                    max_apr=MAX_APR,
                )
            )
    else:
        _need(columns, number, raw, values, problems, "apr", "io.loader.rate_missing")


def _derive_minimum(columns: _Columns, number: int, raw: dict[str, str], values: dict, problems: list[Problem]) -> None:
    """The minimum payment: given (an amount, or a share of the balance with a floor: :func:`_minimum_share`),
    or an installment loan's from its fee rate and term; else missing."""
    if _minimum_share(columns, number, raw, values, problems):
        return
    if "min_payment" not in values:
        if "fee_rate" in values and "term_months" in values and "balance" in values:
            # the contract's regular instalment, P/n + P·f (P/n alone when the fee is charged up front);
            # the engine follows the contract's schedule month by month (Debt.flat_fee)
            principal = values.get("principal", values["balance"])
            periods = values["term_months"] + values.get("periods_paid", 0)
            fee = round_cents(principal * values["fee_rate"] / 100) if values.get("fee_timing", "monthly") == "monthly" else 0
            values["min_payment"] = round_cents(principal / periods) + fee
        else:
            _need(columns, number, raw, values, problems, "min_payment", "io.loader.minimum_missing")


def _minimum_share(columns: _Columns, number: int, raw: dict[str, str], values: dict, problems: list[Problem]) -> bool:
    """A minimum that is a share of the balance, from a ``10%+50`` cell or the ``min_percent``/``min_floor``
    columns, as the Debt's ``min_percent``/``min_floor`` (the share decides: an amount beside it is not read).
    Returns whether the row has one (or a problem with one). A floor or basis without a share is not read."""
    cell = values.pop("min_payment", None)
    floor = values.pop("min_floor", None)
    basis = values.pop("min_basis", None)
    share = cell if isinstance(cell, MinimumShare) else None
    percent = values.pop("min_percent", None)
    if share is None and percent is None:
        if cell is not None:
            values["min_payment"] = cell
        return bool(raw.get("min_percent"))  # a min_percent cell that failed to parse is reported already
    if share is not None and percent is not None and share.percent != percent:
        problems.append(Problem.of("io.loader.minimum_share_twice", number, columns.label_of("min_percent"), raw["min_percent"],
                                   cell=raw["min_payment"]))
        return True
    if share is not None and share.floor and floor is not None and share.floor != floor:
        problems.append(Problem.of("io.loader.minimum_floor_twice", number, columns.label_of("min_floor"), raw["min_floor"],
                                   cell=raw["min_payment"]))
        return True
    values["min_percent"] = percent if share is None else share.percent
    values["min_floor"] = share.floor if share is not None and share.floor else (floor or Decimal("0.00"))
    if basis is not None:
        values["min_basis"] = basis
    return True


def _repeated_name(columns: _Columns, number: int, raw: dict[str, str], name: str, first_row_of: dict[str, int]) -> Problem | None:
    """A name an earlier row already used (also when written differently: invisible or full-width characters)."""
    if name and name in first_row_of:
        hidden = raw.get("name", "").strip() != name  # written differently: invisible or full-width characters
        return Problem.of(
            "io.loader.name_repeated",
            number,
            columns.label_of("name"),
            name,
            first=first_row_of[name],
            hidden=message("io.loader.name_repeated_hidden") if hidden else "",
            name=name,
        )
    return None


def _make_debt(columns: _Columns, number: int, name: str, values: dict, extra: dict, problems: list[Problem]) -> Debt | None:
    """The row's :class:`Debt` (its own checks reported as the row's problem), warning when the minimum never clears it."""
    try:
        debt = Debt(name=name, extra=tuple(extra.items()), **values)
    except PlannerError as exc:
        problems.append(Problem.from_error(exc, number))
        return None
    if debt.min_percent is not None and not debt.min_floor and debt.balance > 0:
        warnings.warn(str(message("io.loader.minimum_share_without_floor", source=columns.source, number=number, name=name)),
                      PlannerWarning, stacklevel=4)
    elif debt.balance > 0 and debt.min_payment <= debt.monthly_interest and debt.min_payment > 0:
        warnings.warn(
            f"{columns.source}: 第 {number} 行「{name}」的最低还款 ¥{debt.min_payment} 不够支付每月利息 ¥{debt.monthly_interest}，只还最低额永远还不完。"
            f" / row {number} ({name}): the minimum ¥{debt.min_payment} does not cover the monthly interest "
            f"¥{debt.monthly_interest}; paying only the minimum never clears it.",
            PlannerWarning,
            stacklevel=4,
        )
    return debt


#: A money or rate cell of three digits starting with 0 ("000", "050") is the tail of an
#: unquoted "12,000" whose comma split the amount, when spare columns hid the extra cell.
_THOUSANDS_TAIL = re.compile(r"^0\d{2}$")
_RATE_SOURCES = ("daily_rate", "fee_rate", "term_months")
_SHIFT_PRONE = {"balance", "min_payment", "fees_owed", "principal", "apr", "penalty_apr", "min_floor"}


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA.

    >>> column_letter(0), column_letter(4), column_letter(27)
    ('A', 'E', 'AB')
    """
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _position(known: dict[int, str], canonical: str) -> int | None:
    return next((p for p, c in known.items() if c == canonical), None)


__all__ = [
    "CELL_PARSERS",
    "ENCODINGS",
    "MAX_BYTES",
    "MAX_DEBTS",
    "alias_index",
    "column_label",
    "column_letter",
    "decode",
    "header_key",
    "parse_money_cell",
]
