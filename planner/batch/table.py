"""A long table (CSV or Parquet) to a :class:`~.book.Book`, in whole-column operations, with the loader's rules."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from ..debt import MAX_MONEY
from ..errors import InputError, PlannerWarning, Problem
from ..money import fraction_warning, looks_like_fraction, to_cents
from .book import Book

#: Debt columns ``planner batch`` reads (aliases as in ``data/columns.toml``); others are ignored.
BATCH_COLUMNS = ("name", "balance", "apr", "min_payment", "kind", "fees_owed", "overdue_days", "penalty_apr", "contract_date")
_MAX_LISTED = 20
#: Rows listed for one bad value (the rest with that value are counted).
_SHOWN_PER_VALUE = 3
#: Rows converted at a time in whole-column work (bounds the temporaries of a book of millions).
_BLOCK = 1 << 20
_PLAIN_NUMBER = r"\s*\+?(?:\d+\.?\d*|\.\d+)\s*"


class _Problems:
    """Collects problems for an InputError: counts every one, lists the first :data:`_MAX_LISTED`.

    A bad value repeated on many rows lists its first :data:`_SHOWN_PER_VALUE` rows
    and counts the rest, so 1,000 rows with the same typo say "1000 problems".
    """

    def __init__(self, source: str):
        self.source = source
        self.items: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < _MAX_LISTED:
            self.items.append(problem)

    def add_rows(self, positions: np.ndarray, make: Callable[[int], Problem], shown: int = _MAX_LISTED) -> None:
        """One problem per position (``make(position)``); the first ``shown`` listed, the rest counted."""
        for r in positions[:shown]:
            self.add(make(int(r)))
        self.total += max(len(positions) - shown, 0)

    def extend(self, other: "_Problems") -> None:
        """Add another collection's problems after these (its listed ones, then its count)."""
        for item in other.items:
            self.add(item)
        self.total += other.total - len(other.items)

    def raise_if_any(self) -> None:
        if self.total:
            items = list(self.items)
            more = self.total - len(items)
            if more:
                items.append(Problem(f"另有 {more} 个问题未列出（只列出前 {len(self.items)} 个）。", f"{more} more problems not listed (the first {len(self.items)} are shown)."))
            raise InputError(items, self.source, total=self.total)


def _missing(values) -> np.ndarray:
    import pandas as pd

    miss = pd.isna(values)
    if values.dtype == object or str(values.dtype).startswith(("string", "str")):
        text = pd.Series(values, dtype="string").str.strip()
        miss = miss | (text == "").fillna(True).to_numpy(dtype=bool)
    return np.asarray(miss, dtype=bool)


#: What pandas infers for a column of plain values (no lists, arrays, dicts or objects).
_SCALAR_KINDS = {"string", "bytes", "integer", "floating", "decimal", "boolean", "date", "datetime", "datetime64",
                 "empty", "mixed-integer-float", "integer-na", "categorical", "period", "time", "timedelta", "timedelta64"}


def _nested_cells(series, label: str, problems: _Problems) -> None:
    """A problem for each cell holding a list, array, dict or set (a nested Parquet type), which the
    loader's rules cannot read: each cell must be one value."""
    import pandas as pd

    if not (series.dtype == object or isinstance(series.dtype, pd.ArrowDtype)):
        return
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        arrow = series.dtype.pyarrow_dtype
        if not (pa.types.is_list(arrow) or pa.types.is_large_list(arrow) or pa.types.is_struct(arrow) or pa.types.is_map(arrow)):
            return
        nested = ~series.isna().to_numpy(dtype=bool)
    else:
        if pd.api.types.infer_dtype(series, skipna=True) in _SCALAR_KINDS:
            return
        nested = series.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray))).to_numpy(dtype=bool)
    problems.add_rows(
        np.nonzero(nested)[0],
        lambda r: Problem(
            "单元格里是一组值（列表或结构，Parquet 的嵌套类型），不是一个值。请把这一列存成普通的数字或文字。",
            "the cell holds several values (a list or struct: a nested Parquet type), not one value. "
            "Store this column as plain numbers or text.",
            row=r + 2,
            column=label,
            value=str(series.iloc[r])[:40],
        ),
        _SHOWN_PER_VALUE,
    )


def _blank_to_na(series):
    """Empty or blank cells count as missing, as in the loader (an optional value left out)."""
    import pandas as pd

    miss = _missing(series.to_numpy())
    return series.mask(pd.Series(miss, index=series.index)) if miss.any() else series


class _RowNumbers:
    """``rows[i]`` is ``i + 2`` (the header is row 1), for an int or an array of positions, with no
    array of millions of row numbers kept for the few that an error message needs."""

    def __getitem__(self, positions):
        return positions + 2 if isinstance(positions, (int, np.integer)) else np.asarray(positions) + 2


def _codes(series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` with missing and blank text (spaces only) as code -1: checked on the distinct values only.

    Codes count distinct values in order of first appearance, as ``pd.factorize``'s;
    the distinct values come back as an object array of Python values (sorted whole
    numbers, such as ids, as an int64 array).
    """
    import pandas as pd

    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        values = series.to_numpy(dtype=np.int64)
        if len(values) and bool((values[1:] >= values[:-1]).all()):  # sorted whole numbers (ids): runs, no hashing
            change = np.empty(len(values), dtype=bool)
            change[0] = True
            np.not_equal(values[1:], values[:-1], out=change[1:])
            codes = np.cumsum(change, dtype=np.int32 if len(values) < 2**31 else np.int64)
            codes -= 1
            return codes, values[change]  # whole numbers stay an int64 array (no Python object per id)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
    uniques = np.asarray(uniques, dtype=object)
    if text and len(uniques):
        if series.dtype == object:
            blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool, count=len(uniques))
        else:
            blank = (pd.Series(uniques, dtype="string").str.strip() == "").to_numpy(dtype=bool, na_value=True)
        if blank.any():
            remap = np.cumsum(~blank) - 1
            remap[blank] = -1
            codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            uniques = uniques[~blank]
    return codes, uniques


def _parse_unique(series, parser, label: str, problems: _Problems, rows: np.ndarray, *, rate: bool = False, coded=None):
    """Apply ``parser`` (the loader's, on ``str(value)``) to each distinct value; codes and values.

    With ``rate``, a value that looks like 0.18 meant as 18% warns as the loader does
    (one warning per distinct value, naming its first rows and how many there are).
    """
    codes, uniques = coded if coded is not None else _codes(series)
    values = []
    failed = np.zeros(len(uniques), dtype=bool)
    from ..money import ParseError

    for k, v in enumerate(uniques):
        try:
            values.append(parser(str(v)))
        except ParseError as exc:
            failed[k] = True
            values.append(None)
            problems.add_rows(
                np.nonzero(codes == k)[0],
                lambda r, exc=exc, v=v: Problem(exc.zh, exc.en, row=int(rows[r]), column=label, value=str(v)),
                _SHOWN_PER_VALUE,
            )
            continue
        if rate and looks_like_fraction(str(v), values[-1]):
            _warn_fraction(problems.source, label, str(v), values[-1], rows[np.nonzero(codes == k)[0]])
    return codes, values, failed


def _warn_fraction(source: str, label: str, text: str, value: Decimal, rows: np.ndarray) -> None:
    shown = [str(int(r)) for r in np.sort(rows)[:_SHOWN_PER_VALUE]]
    more = len(rows) - len(shown)
    where_zh = f"{source}：第 {'、'.join(shown)} 行" + (f"等共 {len(rows)} 行" if more else "") + f"（列「{label}」）"
    where_en = f"{source}: row{'s' if len(rows) > 1 else ''} {', '.join(shown)}" + (f" and {more} more" if more else "") + f", column '{label}'"
    warnings.warn(fraction_warning(where_zh, where_en, text, value), PlannerWarning, stacklevel=4)


def _money_column(series, label: str, problems: _Problems, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yuan (numbers or text such as "￥12,000") to int64 cents, exactly as the loader reads them; and which are missing.

    Fast path: a plain number whose value × 100 is not within 0.001 of a half
    cent rounds the same in float as half-up in Decimal. Everything else (text
    with currency signs, 万, values on a half cent) goes through the loader's
    parser, once per distinct value. Missing cells (empty, blank) are 0 here and
    flagged in the mask; the caller says whether they may be.
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        # Numbers (Parquet): the whole column at once; only the few values near a half
        # cent (or negative, or too large) go through the parser, once per distinct value.
        n = len(series)
        out = np.empty(n, dtype=np.int64)
        missing = np.empty(n, dtype=bool)
        fast = np.empty(n, dtype=bool)
        for lo in range(0, n, _BLOCK):  # in blocks: a few MB of temporaries, not several copies of the column
            hi = min(lo + _BLOCK, n)
            x = series.iloc[lo:hi].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)  # our own copy
            x *= 100
            missing[lo:hi] = np.isnan(x)
            cents = np.rint(x)
            # in range (NaN and infinities fail these) and not within 0.001 of a half cent
            ok = fast[lo:hi]
            np.greater_equal(x, 0, out=ok)
            ok &= x <= float(MAX_MONEY) * 100
            np.subtract(x, cents, out=x)
            np.abs(x, out=x)
            ok &= x < 0.499
            cents[~ok] = 0
            out[lo:hi] = cents
        slow = np.nonzero(~(fast | missing))[0]
        if len(slow):
            codes, uniques = pd.factorize(series.iloc[slow], use_na_sentinel=True)
            values = _parse_money_values(uniques, codes, label, problems, rows[slow])
            out[slow] = values[codes]
        return out, missing
    codes, uniques = _codes(series)
    u = pd.Series(uniques, dtype=object)
    text = u.astype("string")
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
    x = np.full(len(u), np.nan)
    if plain.any():
        x[plain] = pd.to_numeric(text[plain].str.strip(), errors="coerce").to_numpy(dtype=np.float64) * 100
    frac = x - np.floor(x)
    fast = np.isfinite(x) & (x >= 0) & (x <= float(MAX_MONEY) * 100) & (np.abs(frac - 0.5) > 1e-3)
    cents = np.zeros(len(u), dtype=np.int64)
    cents[fast] = np.rint(x[fast]).astype(np.int64)
    if (~fast).any():
        slow = np.nonzero(~fast)[0]
        cents[slow] = _parse_money_values(uniques[slow], codes, label, problems, rows, slow)
    missing = codes < 0
    out = cents[np.maximum(codes, 0)] if len(cents) else np.zeros(len(codes), dtype=np.int64)
    out[missing] = 0
    return out, missing


def _parse_money_values(uniques, codes, label, problems, rows, positions=None) -> np.ndarray:
    """Cents of each distinct value through the loader's money parser; problems name the first rows."""
    from ..io import parse_money_cell

    cents = np.zeros(len(uniques), dtype=np.int64)
    for k, v in enumerate(uniques):
        try:
            cents[k] = to_cents(parse_money_cell(str(v)))
        except Exception as exc:  # the loader's ParseError carries zh/en
            zh, en = getattr(exc, "zh", str(exc)), getattr(exc, "en", str(exc))
            code = k if positions is None else positions[k]
            problems.add_rows(  # the first rows with this value listed, all of them counted
                np.nonzero(codes == code)[0],
                lambda r, zh=zh, en=en, v=v: Problem(zh, en, row=int(rows[r]), column=label, value=str(v)),
                _SHOWN_PER_VALUE,
            )
    return cents


def _repeated_within(group: np.ndarray, code: np.ndarray, codes: int) -> np.ndarray:
    """Rows whose ``code`` (0 or more) appeared earlier in the same ``group``; rows come grouped.

    Small groups (the usual few debts a portfolio): compare each row with the few rows
    before it, in whole-column passes and little memory. Larger ones: a stable sort of
    group × code.
    """
    n = len(code)
    longest = int(np.bincount(group).max()) if n else 0
    if longest <= 16:
        dup = np.zeros(n, dtype=bool)
        for k in range(1, longest):
            same = code[k:] == code[:-k]
            same &= group[k:] == group[:-k]
            dup[k:] |= same
    else:
        pair = group.astype(np.int64) * (codes + 1) + code
        by_pair = np.argsort(pair, kind="stable")
        dup = np.zeros(n, dtype=bool)
        dup[by_pair[1:]] = pair[by_pair[1:]] == pair[by_pair[:-1]]
    dup &= code >= 0
    return dup


def book_from_frame(frame, budget_column: str = "budget", *, source: str = "table", id_column: str = "portfolio_id") -> Book:
    """A :class:`Book` from one long table: a ``portfolio_id`` column, the debt columns, a budget column.

    Debt columns are read with the loader's rules and aliases (Chinese headers,
    "￥12,000", "18%"): ``name``, ``balance``, ``apr``, ``min_payment``, and
    optionally ``kind``, ``fees_owed``, ``overdue_days``, ``penalty_apr``. The
    budget must be the same on every row of a portfolio. Rows keep their order
    within a portfolio; portfolios are in order of first appearance. Row numbers
    in messages count the header as row 1.
    """
    import pandas as pd

    from ..io import CELL_PARSERS, alias_index, column_label, header_key
    from ..money import normalise

    problems = _Problems(source)
    index = alias_index()
    columns: dict[str, str] = {}
    for raw in frame.columns:
        raw = str(raw)
        if raw in (id_column, budget_column):
            continue
        canonical = index.get(header_key(raw))
        if canonical in BATCH_COLUMNS and canonical not in columns:
            columns[canonical] = raw
    missing = [c for c in (id_column, budget_column) if c not in frame.columns]
    missing += [column_label(c) for c in ("name", "balance", "apr", "min_payment") if c not in columns]
    if missing:
        raise InputError(
            [
                Problem(
                    f"缺少必需的列：{', '.join(missing)}。批量表格需要 {id_column}、{budget_column}、name、balance、apr、min_payment。",
                    f"required columns are missing: {', '.join(missing)}. A batch table needs {id_column}, "
                    f"{budget_column}, name, balance, apr and min_payment (use --budget-column to name the budget).",
                )
            ],
            source,
        )
    n = len(frame)
    if n == 0:
        raise InputError([Problem("表格是空的。", "the table is empty: there are no debts in it.")], source)
    for raw in (id_column, budget_column, *columns.values()):
        _nested_cells(frame[raw], raw, problems)
    problems.raise_if_any()  # a list in a cell cannot be factorized or parsed: stop here
    ids = frame[id_column]
    pcode, pids = _codes(ids)  # a blank id is missing, not a portfolio ""
    id_missing = pcode < 0
    if id_missing.any():
        # A row with nothing in any column read (",,,,", a formatted spreadsheet's empty rows) is
        # skipped, as the loader skips blank rows; its missing id is not a problem.
        at = np.nonzero(id_missing)[0]
        empty = np.ones(len(at), dtype=bool)
        for raw in (budget_column, *columns.values()):
            empty &= _missing(frame[raw].iloc[at].to_numpy())
        if empty.all() and len(at) == n:
            raise InputError([Problem("表格是空的。", "the table is empty: there are no debts in it.")], source)
        problems.add_rows(
            at[~empty], lambda r: Problem("缺少组合编号。", "the portfolio id is missing.", row=r + 2, column=id_column, value="")
        )
    if not id_missing.any() and (len(pcode) < 2 or bool((pcode[1:] >= pcode[:-1]).all())):
        # rows already grouped by portfolio (the usual export): no reordering
        sub = frame
        rows = _RowNumbers()  # spreadsheet row numbers (header = row 1), computed when a message needs one
    else:
        order = np.argsort(pcode, kind="stable")
        order = order[pcode[order] >= 0]
        rows = order + 2
        sub = frame.iloc[order]
        pcode = pcode[order]
    P = len(pids)

    def col(canonical):
        return sub[columns[canonical]] if canonical in columns else None

    # Each text column is factorized once; missing and blank cells are code -1. The checks
    # (missing, duplicate names, parsing) then run on integer codes and distinct values.
    later = _Problems(source)  # parse problems: listed after the missing values, as before
    name_codes, name_uniques = _codes(col("name"))
    balance, balance_missing = _money_column(col("balance"), columns["balance"], later, rows)
    minimum, minimum_missing = _money_column(col("min_payment"), columns["min_payment"], later, rows)
    apr_coded = _codes(col("apr"))
    for canonical, miss in (("name", name_codes < 0), ("balance", balance_missing), ("apr", apr_coded[0] < 0),
                            ("min_payment", minimum_missing)):
        problems.add_rows(
            np.nonzero(miss)[0],
            lambda r, label=columns[canonical]: Problem("缺少必填的值。", "a required value is missing.", row=int(rows[r]), column=label, value=""),
        )
    # names: normalised as the loader does; unique within a portfolio
    names_norm = [normalise(str(v)) for v in name_uniques]
    remap: dict[str, int] = {}
    # one lookup, code -1 (missing) landing on the -1 appended at the end
    nmap = np.array([remap.setdefault(v, len(remap)) for v in names_norm] + [-1], dtype=np.int64)
    name_code = nmap[name_codes]
    del name_codes  # a book of millions of rows: drop each temporary as soon as it is done
    names = list(remap)
    dup = _repeated_within(pcode, name_code, len(remap))
    problems.add_rows(
        np.nonzero(dup)[0],
        lambda r: Problem(
            "同一组合中名称重复。每笔债务的名称必须不同。", "the same debt name appears twice in one portfolio.",
            row=int(rows[r]), column=columns["name"], value=names[name_code[r]],
        ),
    )
    del dup
    problems.extend(later)
    fees = _money_column(col("fees_owed"), columns["fees_owed"], problems, rows)[0] if "fees_owed" in columns else np.zeros(len(sub), dtype=np.int64)
    budget_rows, bmiss = _money_column(sub[budget_column], budget_column, problems, rows)
    problems.add_rows(
        np.nonzero(bmiss)[0], lambda r: Problem("缺少预算。", "the budget is missing.", row=int(rows[r]), column=budget_column, value="")
    )
    start = np.zeros(P + 1, dtype=np.int64)
    np.cumsum(np.bincount(pcode, minlength=P), out=start[1:])
    budget = budget_rows[start[:-1]] if P else np.zeros(0, dtype=np.int64)
    differs = budget_rows != np.repeat(budget, np.diff(start))
    problems.add_rows(
        np.nonzero(differs)[0],
        lambda r: Problem(
            "同一组合的预算必须每行相同。", "the budget must be the same on every row of a portfolio.",
            row=int(rows[r]), column=budget_column, value=str(sub[budget_column].iloc[r]),
        ),
    )
    del budget_rows, bmiss, differs
    # rates: distinct values through the loader's parser, then exact Decimals
    acode, avals, _ = _parse_unique(col("apr"), CELL_PARSERS["apr"], columns["apr"], problems, rows, rate=True, coded=apr_coded)
    rate_values: dict[Decimal, int] = {}
    amap = np.array([rate_values.setdefault(v, len(rate_values)) if v is not None else -1 for v in avals] + [0], dtype=np.int64)
    rate_code = amap[acode]  # a missing rate (code -1) is reported above; its row gets code 0 meanwhile
    del acode, apr_coded
    n = len(sub)
    overdue = np.zeros(n, dtype=np.int64)
    penalty = None  # no penalty column: no array (a book of millions of debts carries only what it has)
    contract_rate = rate_code
    if "overdue_days" in columns:
        ocode, ovals, _ = _parse_unique(col("overdue_days"), CELL_PARSERS["overdue_days"], columns["overdue_days"], problems, rows)
        omap = np.array([v if v is not None else 0 for v in ovals] or [0], dtype=np.int64)
        overdue = np.where(ocode >= 0, omap[np.maximum(ocode, 0)], 0)
    if "penalty_apr" in columns:
        pcode_r, pvals, _ = _parse_unique(col("penalty_apr"), CELL_PARSERS["penalty_apr"], columns["penalty_apr"], problems, rows, rate=True)
        pmap = np.array([rate_values.setdefault(v, len(rate_values)) if v is not None else -1 for v in pvals] or [0], dtype=np.int64)
        penalty = np.where(pcode_r >= 0, pmap[np.maximum(pcode_r, 0)], -1)
        rate_code = np.where((overdue > 0) & (penalty >= 0), penalty, rate_code)  # Debt.effective_apr
    kinds = ["other"]
    kind_code = np.zeros(n, dtype=np.int64)
    if "kind" in columns:
        kcode, kvals, _ = _parse_unique(col("kind"), CELL_PARSERS["kind"], columns["kind"], problems, rows)
        kinds = list(dict.fromkeys(["other", *[v for v in kvals if v is not None]]))
        kmap = np.array([kinds.index(v) if v is not None else 0 for v in kvals] or [0], dtype=np.int64)
        kind_code = np.where(kcode >= 0, kmap[np.maximum(kcode, 0)], 0)
    contract = None
    if "contract_date" in columns:
        ccode, cvals, _ = _parse_unique(col("contract_date"), CELL_PARSERS["contract_date"], columns["contract_date"], problems, rows)
        cmap = np.array([*cvals, None], dtype=object)
        contract = cmap[np.where(ccode >= 0, ccode, len(cvals))]
    problems.raise_if_any()
    return Book(
        ids=pids if pids.dtype != object else list(pids),  # whole-number ids stay an int64 array
        start=start,
        names=list(remap),
        name_code=name_code,
        balance=balance,
        fees=fees,
        minimum=minimum,
        rate_code=rate_code,
        rates=list(rate_values),
        budget=budget,
        # No deferral (from == to) and no settlement (month 0, code unread) as zeros: pages the
        # kernel only reads stay unallocated, so a book of millions of debts costs no memory for them.
        defer_from=np.zeros(n, dtype=np.int64),
        defer_to=np.zeros(n, dtype=np.int64),
        defer_interest=np.zeros(n, dtype=bool),
        settle_month=np.zeros(n, dtype=np.int64),
        settle_code=np.zeros(n, dtype=np.int64),
        detail={"apr_code": contract_rate, "penalty_code": penalty, "overdue": overdue, "kind_code": kind_code, "kinds": kinds, "contract": contract},
    )




def release_memory() -> None:
    """Give the memory Arrow keeps for reuse back to the system (after a table is dropped)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is in the batch extra
        return
    pa.default_memory_pool().release_unused()


def read_table(path, *, encoding: str | None = None):
    """A long table of debts from CSV (every cell read as text, as the loader does) or Parquet."""
    import pandas as pd

    from pathlib import Path

    source = Path(path)
    if not source.is_file():
        raise InputError([Problem("找不到文件。请检查路径。", "file not found. Check the path.")], str(path))
    suffix = source.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            # Arrow-backed columns: no copy of every column into numpy while the Arrow table is alive
            frame = pd.read_parquet(source, dtype_backend="pyarrow")
            release_memory()  # the reader's scratch buffers, back to the system
            return frame
        for enc in (encoding,) if encoding else ("utf-8-sig", "gb18030"):
            try:
                frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding=enc)
            except UnicodeDecodeError:
                continue
            if enc == "gb18030" and not encoding:
                _check_gb18030_reading(source)
            return frame
    except (ValueError, OSError) as exc:
        raise InputError([Problem(f"无法读取表格：{exc}", f"cannot read the table: {exc}")], str(path)) from None
    raise InputError(
        [Problem("无法识别文件编码。请另存为 UTF-8 CSV 或 Parquet。", "cannot read the text encoding. Save it as UTF-8 CSV or Parquet.")],
        str(path),
    )


#: Bytes of a CSV that the encoding check looks at (enough for the detector; a book may be large).
_ENCODING_SAMPLE = 1 << 20


def _check_gb18030_reading(source) -> None:
    """Refuse a CSV whose GB18030 reading looks garbled (Big5, Shift-JIS), as the loader does."""
    from ..io import suspect_encoding, wrong_encoding_problem

    with open(source, "rb") as handle:
        data = handle.read(_ENCODING_SAMPLE)
    cut = data.rfind(b"\n") + 1 if len(data) == _ENCODING_SAMPLE else len(data)  # whole lines only
    data = data[: cut or len(data)]
    text = data.decode("gb18030", errors="replace")
    likely = suspect_encoding(data, text)
    if likely is not None:
        raise InputError([wrong_encoding_problem(likely, text)], str(source))
__all__ = [
    "BATCH_COLUMNS",
    "book_from_frame",
    "read_table",
    "release_memory",
]
