"""A long table (CSV or Parquet) to a :class:`~.book.Book`, in whole-column operations, with the loader's rules."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from ..debt import MAX_MONEY
from ..errors import InputError, PlannerWarning, Problem
from ..money import ParseError, fraction_warning, looks_like_fraction, to_cents
from .arrays import array_numpy, arrow_array, column_numpy
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
                items.append(Problem.of("batch.table.more_problems_not_listed", more=more, items=len(self.items)))
            raise InputError(items, self.source, total=self.total)


# ---------------------------------------------------------------------------
# columns: the table is read as pyarrow columns (Parquet comes as a pyarrow Table; a pandas
# DataFrame, such as the CSV reader's text or a Dask partition, is converted column by column)


def _column(frame, raw: str, problems: _Problems):
    """Column ``raw`` of ``frame`` (its first of that name) as a pyarrow ChunkedArray of plain values.

    An all-missing column is text; dictionary columns stay encoded (see :func:`_codes`). From pandas,
    an object column Arrow cannot type (numbers mixed with text) is read as the text
    of each cell, as the CSV reader gives it; cells holding lists, dicts or sets are
    problems (see :func:`_nested_cells`).
    """
    import pyarrow as pa

    if isinstance(frame, pa.Table):
        col = frame.column(frame.column_names.index(raw))
    else:
        series = frame.iloc[:, [str(c) for c in frame.columns].index(raw)]
        try:
            col = pa.array(series, from_pandas=True)  # pyarrow-backed columns are not copied
        except (pa.ArrowException, TypeError, ValueError):
            col = _text_column(series, raw, problems)
        if not isinstance(col, pa.ChunkedArray):
            col = pa.chunked_array([col])
    if pa.types.is_null(col.type):
        col = col.cast(pa.string())
    return col


def _text_column(series, label: str, problems: _Problems):
    """An object column of mixed cells as the text of each (missing stays missing); nested cells are problems."""
    import pandas as pd
    import pyarrow as pa

    values = series.to_numpy(dtype=object)
    nested = np.fromiter((isinstance(v, (list, tuple, dict, set, np.ndarray)) for v in values), dtype=bool, count=len(values))
    _nested_problems(np.nonzero(nested)[0], values, label, problems)
    missing = pd.isna(series).to_numpy(dtype=bool) | nested
    return pa.array([None if m else str(v) for v, m in zip(values, missing)], type=pa.string())


def _nested_problems(positions: np.ndarray, values, label: str, problems: _Problems) -> None:
    problems.add_rows(
        positions,
        lambda r: Problem.of("batch.table.cell_holds_several_values", r + 2, label, str(values[r])[:40]),
        _SHOWN_PER_VALUE,
    )


def _nested_cells(col, label: str, problems: _Problems) -> None:
    """A problem for each cell of a nested column (list, struct, map: a nested Parquet type),
    which the loader's rules cannot read: each cell must be one value."""
    import pyarrow as pa

    t = col.type
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_struct(t) or pa.types.is_map(t):
        cells = _Cells(col)
        _nested_problems(np.nonzero(~column_numpy(col.is_null()))[0], cells, label, problems)


class _Cells:
    """``cells[r]``: one cell of a column as a Python value, for messages (nothing converted ahead)."""

    def __init__(self, col):
        self.col = col

    def __getitem__(self, r):
        return self.col[int(r)].as_py()


def _decoded(values):
    """An Arrow array or column with dictionary encoding undone (plain values)."""
    import pyarrow as pa

    return values.cast(values.type.value_type) if pa.types.is_dictionary(values.type) else values


def _blank(values) -> np.ndarray:
    """Which of an Arrow array's values count as missing: null, NaN, or text of spaces only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = _decoded(values)
    blank = array_numpy(values.is_null())
    t = values.type
    if pa.types.is_floating(t):
        blank |= np.isnan(array_numpy(values))
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        trimmed = pc.utf8_trim_whitespace(values)
        blank |= array_numpy(pc.utf8_length(trimmed)) == 0  # nulls are NaN here, and blank above
    return np.asarray(blank, dtype=bool)


def _missing_at(col, positions: np.ndarray) -> np.ndarray:
    """Whether each cell at ``positions`` is missing (empty, blank or NaN)."""
    return _blank(col.take(arrow_array(positions.astype(np.int64))).combine_chunks()) if len(positions) else np.zeros(0, dtype=bool)


class _RowNumbers:
    """``rows[i]`` is ``i + 2`` (the header is row 1), for an int or an array of positions, with no
    array of millions of row numbers kept for the few that an error message needs."""

    def __getitem__(self, positions):
        return positions + 2 if isinstance(positions, (int, np.integer)) else np.asarray(positions) + 2


def _indices(chunk) -> np.ndarray:
    """A dictionary chunk's indices as numpy, -1 where null (with numpy: a Python scalar given
    to pyarrow makes it import pandas)."""
    indices = chunk.indices
    if not indices.null_count:
        return array_numpy(indices)
    return np.where(array_numpy(indices.is_null()), -1, array_numpy(indices)).astype(np.int64)


def _codes(col, *, ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a column's distinct values in order of first appearance, missing and blank
    cells (null, NaN, spaces only) as code -1, checked on the distinct values only; and the
    distinct values as an object array of Python values (sorted whole numbers, such as ids,
    as an int64 array).

    Without ``ordered``, a column read as a dictionary (:func:`read_table` reads the names
    so) keeps its dictionary's order, and nothing is hashed again: for columns whose
    distinct values no message lists in order.
    """
    import pyarrow as pa

    if pa.types.is_integer(col.type) and col.null_count == 0:
        values = column_numpy(col).astype(np.int64, copy=False)
        if len(values) and bool((values[1:] >= values[:-1]).all()):  # sorted whole numbers (ids): runs, no hashing
            change = np.empty(len(values), dtype=bool)
            change[0] = True
            np.not_equal(values[1:], values[:-1], out=change[1:])
            codes = np.cumsum(change, dtype=np.int32 if len(values) < 2**31 else np.int64)
            codes -= 1
            return codes, values[change]  # whole numbers stay an int64 array (no Python object per id)
    codes, dictionary = _encode(col, ordered)
    uniques = np.empty(len(dictionary), dtype=object)
    uniques[:] = dictionary.to_pylist()
    return codes, uniques


def _encode(col, ordered: bool = True):
    """:func:`_codes` with the distinct values left as a pyarrow Array."""
    import pyarrow as pa

    if pa.types.is_dictionary(col.type) and not ordered:
        encoded = col.unify_dictionaries()  # one dictionary for every chunk
    else:
        encoded = _decoded(col).dictionary_encode()  # one dictionary for every chunk, in order of first appearance
    if encoded.num_chunks:
        dictionary = encoded.chunk(0).dictionary
        codes = np.concatenate([_indices(c) for c in encoded.chunks])
    else:
        dictionary = pa.chunked_array([], type=_decoded(col).type).combine_chunks()
        codes = np.zeros(0, dtype=np.int32)
    codes = codes.astype(np.int32 if len(codes) < 2**31 else np.int64, copy=False)
    blank = _blank(dictionary)
    if blank.any():
        remap = np.cumsum(~blank) - 1
        remap[blank] = -1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        dictionary = dictionary.filter(arrow_array(~blank))
    return codes, dictionary


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
                lambda r, exc=exc, v=v: Problem.from_error(exc, int(rows[r]), label, str(v)),
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
    warnings.warn(fraction_warning(where_zh, where_en, text, value), PlannerWarning, stacklevel=5)  # _parse_unique, _rates or _details, book_from_frame, its caller


def _money_column(col, label: str, problems: _Problems, rows) -> tuple[np.ndarray, np.ndarray]:
    """Yuan (numbers or text such as "￥12,000") to int64 cents, exactly as the loader reads them; and which are missing.

    Fast path: a plain number whose value × 100 is not within 0.001 of a half
    cent rounds the same in float as half-up in Decimal. Everything else (text
    with currency signs, 万, values on a half cent) goes through the loader's
    parser, once per distinct value. Missing cells (empty, blank) are 0 here and
    flagged in the mask; the caller says whether they may be.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    col = _decoded(col)
    t = col.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        # Numbers (Parquet): the whole column at once; only the few values near a half
        # cent (or negative, or too large) go through the parser, once per distinct value.
        n = len(col)
        out = np.empty(n, dtype=np.int64)
        missing = np.empty(n, dtype=bool)
        fast = np.empty(n, dtype=bool)
        for lo in range(0, n, _BLOCK):  # in blocks: a few MB of temporaries, not several copies of the column
            hi = min(lo + _BLOCK, n)
            block = col.slice(lo, hi - lo)
            if not pa.types.is_float64(t):
                block = pc.cast(block, pa.float64(), safe=False)
            x = column_numpy(block)  # nulls as NaN; our own copy (a float64 column's chunks are concatenated or copied)
            if x.base is not None or not x.flags.writeable:
                x = x.copy()
            x *= 100
            missing[lo:hi] = np.isnan(x)
            cents = np.rint(x)
            # in range (NaN and infinities fail these) and not within 0.001 of a half cent
            ok = fast[lo:hi]
            np.greater_equal(x, 0, out=ok)
            ok &= x <= float(MAX_MONEY) * 100
            with np.errstate(invalid="ignore"):  # inf - inf: those cells are not ok already, the parser names them
                np.subtract(x, cents, out=x)
            np.abs(x, out=x)
            ok &= x < 0.499
            cents[~ok] = 0
            out[lo:hi] = cents
        slow = np.nonzero(~(fast | missing))[0]
        if len(slow):
            codes, uniques = _codes(col.take(arrow_array(slow.astype(np.int64))))
            values = _parse_money_values(uniques, codes, label, problems, rows[slow])
            out[slow] = values[codes]
        return out, missing
    codes, text = _encode(col)
    x = np.full(len(text), np.nan)
    if len(text) and (pa.types.is_string(t) or pa.types.is_large_string(t)):
        plain = array_numpy(pc.match_substring_regex(text, f"^{_PLAIN_NUMBER}$"))
        if plain.any():
            digits = pc.replace_substring(pc.utf8_trim_whitespace(text.filter(arrow_array(plain))), "+", "")
            x[plain] = array_numpy(pc.cast(digits, pa.float64())) * 100
    frac = x - np.floor(x)
    fast = np.isfinite(x) & (x >= 0) & (x <= float(MAX_MONEY) * 100) & (np.abs(frac - 0.5) > 1e-3)
    cents = np.zeros(len(text), dtype=np.int64)
    cents[fast] = np.rint(x[fast]).astype(np.int64)
    if (~fast).any():
        slow = np.nonzero(~fast)[0]
        uniques = np.empty(len(slow), dtype=object)
        uniques[:] = text.take(arrow_array(slow)).to_pylist()
        cents[slow] = _parse_money_values(uniques, codes, label, problems, rows, slow)
    missing = codes < 0
    out = cents[np.maximum(codes, 0)] if len(cents) else np.zeros(len(codes), dtype=np.int64)
    out[missing] = 0
    return out, missing


class _Shares:
    """Minimums written as a share of the balance (``10%+50``) in a book's ``min_payment`` column:
    per row the share's code (0: a fixed minimum) and floor in cents, and the distinct shares."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int64)  # zeros cost no memory until a share is written
        self.floor = np.zeros(n, dtype=np.int64)
        self.percents: list[Decimal] = []

    def first_minimums(self, minimum: np.ndarray, balance: np.ndarray, fees: np.ndarray, rate_code: np.ndarray, rates: list) -> None:
        """Each share row's first-month minimum into ``minimum`` (``Debt.min_payment``, which sort keys read)."""
        from ..debt import minimum_due, share_ratio
        from ..money import half_up, rate_ratio

        ratios = [share_ratio(p) for p in self.percents]
        for r in np.nonzero(self.code)[0]:
            num, den = rate_ratio(rates[rate_code[r]])
            b, f = int(balance[r]), int(fees[r])
            minimum[r] = minimum_due(ratios[self.code[r] - 1], int(self.floor[r]), False, b, half_up(b * num, den), f)


def _minimum_column(col, label: str, problems: _Problems, rows) -> tuple[np.ndarray, np.ndarray, _Shares]:
    """The ``min_payment`` column: amounts as :func:`_money_column` reads them, and text cells with a
    ``%`` as a share of the balance with a floor (the loader's parser, once per distinct value;
    their amount is the first month's minimum, filled in once the rates are read)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..io import CELL_PARSERS
    from ..money import ParseError

    col = _decoded(col)
    shares = _Shares(len(col))
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return (*_money_column(col, label, problems, rows), shares)
    marked = pc.fill_null(pc.match_substring_regex(col, "[%％]"), False)
    marked = column_numpy(marked.combine_chunks() if hasattr(marked, "combine_chunks") else marked)
    if not marked.any():
        return (*_money_column(col, label, problems, rows), shares)
    at = np.nonzero(marked)[0]
    cents, missing = _money_column(pc.if_else(arrow_array(marked), pa.scalar(None, type=col.type), col), label, problems, rows)
    missing[at] = False
    codes, uniques = _codes(col.take(arrow_array(at.astype(np.int64))))
    known: dict[Decimal, int] = {}
    for k, v in enumerate(uniques):
        here = at[np.nonzero(codes == k)[0]]
        try:
            share = CELL_PARSERS["min_payment"](str(v))
        except ParseError as exc:
            problems.add_rows(here, lambda r, exc=exc, v=v: Problem.from_error(exc, int(rows[r]), label, str(v)), _SHOWN_PER_VALUE)
            continue
        shares.code[here] = known.setdefault(share.percent, len(known) + 1)
        shares.floor[here] = to_cents(share.floor)
    shares.percents = list(known)
    return cents, missing, shares


def _parse_money_values(uniques, codes, label, problems, rows, positions=None) -> np.ndarray:
    """Cents of each distinct value through the loader's money parser; problems name the first rows."""
    from ..io import parse_money_cell

    cents = np.zeros(len(uniques), dtype=np.int64)
    for k, v in enumerate(uniques):
        try:
            cents[k] = to_cents(parse_money_cell(str(v)))
        except Exception as exc:  # the loader's ParseError carries its key and both texts
            error = exc if hasattr(exc, "zh") and hasattr(exc, "en") else ParseError("money.parse.not_number")
            code = k if positions is None else positions[k]
            problems.add_rows(  # the first rows with this value listed, all of them counted
                np.nonzero(codes == code)[0],
                lambda r, error=error, v=v: Problem.from_error(error, int(rows[r]), label, str(v)),
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

    Step by step: the columns by the loader's aliases (:func:`_batch_columns`), read as
    Arrow columns (:func:`_read_columns`), rows grouped by portfolio (:func:`_group_rows`),
    the required values (:func:`_required_values`), the budgets (:func:`_budgets`), the
    rates (:func:`_rates`), what only negotiation reads (:func:`_details`). Every problem
    is collected and raised at the end, in that order.
    """
    problems = _Problems(source)
    headers = [str(c) for c in (frame.column_names if hasattr(frame, "column_names") else frame.columns)]
    columns = _batch_columns(headers, id_column, budget_column, source)
    data = _read_columns(frame, (id_column, budget_column, *columns.values()), problems, source)
    del frame
    data, pcode, pids, rows = _group_rows(data, id_column, budget_column, columns, problems, source)
    P = len(pids)
    name_code, names, balance, minimum, shares, apr_coded = _required_values(data, columns, pcode, rows, problems)
    n = len(pcode)
    fees = _money_column(data[columns["fees_owed"]], columns["fees_owed"], problems, rows)[0] if "fees_owed" in columns else np.zeros(n, dtype=np.int64)
    start, budget = _budgets(data[budget_column], budget_column, pcode, P, rows, problems)
    rate_code, rate_values = _rates(data[columns["apr"]], columns["apr"], apr_coded, rows, problems)
    del apr_coded
    rate_code, detail = _details(data, columns, n, rate_code, rate_values, rows, problems)
    problems.raise_if_any()
    if shares.percents:
        shares.first_minimums(minimum, balance, fees, rate_code, list(rate_values))
    return Book(
        ids=pids if pids.dtype != object else list(pids),  # whole-number ids stay an int64 array
        start=start,
        names=names,
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
        min_code=shares.code,
        min_floor=shares.floor,
        shares=shares.percents,
        detail=detail,
    )


def _batch_columns(headers: list[str], id_column: str, budget_column: str, source: str) -> dict[str, str]:
    """The debt columns by canonical name (the loader's aliases), the first of each; refuse a table missing a required one."""
    from ..io import alias_index, column_label, header_key

    index = alias_index()
    columns: dict[str, str] = {}
    for raw in headers:
        if raw in (id_column, budget_column):
            continue
        canonical = index.get(header_key(raw))
        if canonical in BATCH_COLUMNS and canonical not in columns:
            columns[canonical] = raw
    missing = [c for c in (id_column, budget_column) if c not in headers]
    missing += [column_label(c) for c in ("name", "balance", "apr", "min_payment") if c not in columns]
    if missing:
        raise InputError(
            [
                Problem.of(
                    "batch.table.required_columns_missing_batch",
                    missing=', '.join(missing),
                    id_column=id_column,
                    budget_column=budget_column,
                )
            ],
            source,
        )
    return columns


def _read_columns(frame, names, problems: _Problems, source: str) -> dict:
    """The columns read, as pyarrow columns by their header; refuse an empty table or a list in a cell."""
    if len(frame) == 0:
        raise InputError([Problem.of("batch.table.table_empty_no_debts")], source)
    data = {raw: _column(frame, raw, problems) for raw in names}
    for raw, col in data.items():
        _nested_cells(col, raw, problems)
    problems.raise_if_any()  # a list in a cell cannot be encoded or parsed: stop here
    return data


def _group_rows(data: dict, id_column: str, budget_column: str, columns: dict[str, str], problems: _Problems, source: str):
    """Rows grouped by portfolio (blank rows skipped, a missing id reported): the columns in that
    order, each row's portfolio code, the portfolio ids and the rows' spreadsheet numbers."""
    n = len(data[id_column])
    pcode, pids = _codes(data[id_column])  # a blank id is missing, not a portfolio ""
    id_missing = pcode < 0
    if id_missing.any():
        # A row with nothing in any column read (",,,,", a formatted spreadsheet's empty rows) is
        # skipped, as the loader skips blank rows; its missing id is not a problem.
        at = np.nonzero(id_missing)[0]
        empty = np.ones(len(at), dtype=bool)
        for raw in (budget_column, *columns.values()):
            empty &= _missing_at(data[raw], at)
        if empty.all() and len(at) == n:
            raise InputError([Problem.of("batch.table.table_empty_no_debts")], source)
        problems.add_rows(
            at[~empty], lambda r: Problem.of("batch.table.portfolio_id_missing", r + 2, id_column, "")
        )
    if not id_missing.any() and (len(pcode) < 2 or bool((pcode[1:] >= pcode[:-1]).all())):
        # rows already grouped by portfolio (the usual export): no reordering
        rows = _RowNumbers()  # spreadsheet row numbers (header = row 1), computed when a message needs one
    else:
        order = np.argsort(pcode, kind="stable")
        order = order[pcode[order] >= 0]
        rows = order + 2
        taken = arrow_array(order.astype(np.int64))
        data = {raw: col.take(taken) for raw, col in data.items()}
        pcode = pcode[order]
    return data, pcode, pids, rows


def _required_values(data: dict, columns: dict[str, str], pcode: np.ndarray, rows, problems: _Problems):
    """Name, balance, rate and minimum: missing values reported, names normalised as the loader does and
    unique within a portfolio, then the parse problems. Each text column is factorized once; missing and
    blank cells are code -1, so the checks run on integer codes and distinct values."""
    from ..money import normalise

    later = _Problems(problems.source)  # parse problems: listed after the missing values, as before
    name_codes, name_uniques = _codes(data[columns["name"]], ordered=False)  # names are only compared, never listed
    balance, balance_missing = _money_column(data[columns["balance"]], columns["balance"], later, rows)
    minimum, minimum_missing, shares = _minimum_column(data[columns["min_payment"]], columns["min_payment"], later, rows)
    apr_coded = _codes(data[columns["apr"]])
    for canonical, miss in (("name", name_codes < 0), ("balance", balance_missing), ("apr", apr_coded[0] < 0),
                            ("min_payment", minimum_missing)):
        problems.add_rows(
            np.nonzero(miss)[0],
            lambda r, label=columns[canonical]: Problem.of(
                "batch.table.required_value_missing",
                int(rows[r]),
                label,
                "",
            ),
        )
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
        lambda r: Problem.of("batch.table.same_debt_name_appears", int(rows[r]), columns["name"], names[name_code[r]]),
    )
    del dup
    problems.extend(later)
    return name_code, names, balance, minimum, shares, apr_coded


def _budgets(col, budget_column: str, pcode: np.ndarray, portfolios: int, rows, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Each portfolio's first row offset (``start``, P + 1) and budget; a missing budget or one that differs within a portfolio reported."""
    budget_rows, bmiss = _money_column(col, budget_column, problems, rows)
    problems.add_rows(
        np.nonzero(bmiss)[0], lambda r: Problem.of("batch.table.budget_missing", int(rows[r]), budget_column, "")
    )
    start = np.zeros(portfolios + 1, dtype=np.int64)
    np.cumsum(np.bincount(pcode, minlength=portfolios), out=start[1:])
    budget = budget_rows[start[:-1]] if portfolios else np.zeros(0, dtype=np.int64)
    differs = budget_rows != np.repeat(budget, np.diff(start))
    problems.add_rows(
        np.nonzero(differs)[0],
        lambda r: Problem.of(
            "batch.table.budget_same_every_row",
            int(rows[r]),
            budget_column,
            str(_Cells(col)[r]),
        ),
    )
    return start, budget


def _rates(col, label: str, apr_coded, rows, problems: _Problems) -> tuple[np.ndarray, dict[Decimal, int]]:
    """Each row's rate code and the distinct rates (exact Decimals, through the loader's parser, once per distinct text)."""
    from ..io import CELL_PARSERS

    acode, avals, _ = _parse_unique(col, CELL_PARSERS["apr"], label, problems, rows, rate=True, coded=apr_coded)
    rate_values: dict[Decimal, int] = {}
    amap = np.array([rate_values.setdefault(v, len(rate_values)) if v is not None else -1 for v in avals] + [0], dtype=np.int64)
    return amap[acode], rate_values  # a missing rate (code -1) is reported above; its row gets code 0 meanwhile


def _details(data: dict, columns: dict[str, str], n: int, rate_code: np.ndarray, rate_values: dict, rows, problems: _Problems):
    """What only negotiation adjustments read (overdue days, penalty rate, kind, contract date), each when
    its column is there; the rate codes with the penalty rate where a debt is overdue (``Debt.effective_apr``)."""
    from ..io import CELL_PARSERS

    def col(canonical):
        return data[columns[canonical]]

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
    detail = {"apr_code": contract_rate, "penalty_code": penalty, "overdue": overdue, "kind_code": kind_code, "kinds": kinds, "contract": contract}
    return rate_code, detail


def release_memory() -> None:
    """Give the memory Arrow keeps for reuse back to the system (after a table is dropped)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is in the batch extra
        return
    pa.default_memory_pool().release_unused()


def read_table(path, *, encoding: str | None = None):
    """A long table of debts: from Parquet a pyarrow Table (no pandas on this path), from CSV a
    pandas DataFrame with every cell read as text, as the loader reads it. :func:`book_from_frame`
    takes either."""
    from pathlib import Path

    source = Path(path)
    if not source.is_file():
        raise InputError([Problem.of("batch.table.file_not_found_check")], str(path))
    suffix = source.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            # ParquetFile, not pq.read_table: that goes through pyarrow.dataset, which imports pandas.
            # The file's pages are mapped, not copied; the debt names come as the file stores
            # them, a dictionary per row group (no string per row, nothing hashed again).
            names = _name_columns(pq.read_schema(source))
            table = pq.ParquetFile(source, memory_map=True, read_dictionary=names).read()
            release_memory()  # the reader's scratch buffers, back to the system
            return table
        import pandas as pd

        for enc in (encoding,) if encoding else ("utf-8-sig", "gb18030"):
            try:
                frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding=enc)
            except UnicodeDecodeError:
                continue
            if enc == "gb18030" and not encoding:
                _check_gb18030_reading(source)
            return frame
    except (ValueError, OSError, NotImplementedError) as exc:  # pyarrow's errors derive from these
        raise InputError([Problem.of("batch.table.cannot_read_table", exc=exc)], str(path)) from None
    raise InputError(
        [Problem.of("batch.table.cannot_read_text_encoding")],
        str(path),
    )


def _name_columns(schema) -> list[str]:
    """The text columns of a Parquet schema whose header means a debt's name (any alias)."""
    import pyarrow as pa

    from ..io import alias_index, header_key

    index = alias_index()
    return [f.name for f in schema if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)) and index.get(header_key(f.name)) == "name"]


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
