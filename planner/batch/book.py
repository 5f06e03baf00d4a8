"""The book: every debt of every portfolio as long arrays of exact integers, and the results.

Also the negotiation scenarios over a whole book (:func:`adjust`, :func:`apply_scenario`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ..debt import Debt
from ..errors import PlannerError
from ..money import to_cents

STATUS = ("ok", "never_paid", "infeasible")




@dataclass
class Book:
    """Portfolios as long arrays: debts sorted by portfolio, their own order kept.

    Money in integer cents; rates as codes into :attr:`rates` (exact Decimals,
    the *effective* yearly rate: ``penalty_apr`` while overdue); settlement
    fractions as codes into :attr:`fractions`, read only where ``settle_month``
    is above 0. A payment holiday runs from ``defer_from`` up to ``defer_to``
    (equal: none; ``defer_interest`` is then not read).

    ``minimum`` is each debt's first-month minimum (``Debt.min_payment``: what sort keys
    read, and the fixed minimum). A minimum that is a share of the balance
    (:func:`planner.debt.minimum_due`) has ``min_code`` ``k`` above 0, its share
    ``shares[k - 1]`` in percent points, its floor ``min_floor`` (cents) and
    ``min_statement`` for the statement basis; ``min_code`` 0 is a fixed minimum. Left out,
    the three arrays are zeros (every minimum fixed), which cost no memory.
    """

    ids: list | np.ndarray  # portfolio ids, in order (an int64 array for whole-number ids read from a table)
    start: np.ndarray  # (P+1,) offsets of each portfolio's debts
    names: list[str]  # unique names
    name_code: np.ndarray
    balance: np.ndarray
    fees: np.ndarray
    minimum: np.ndarray
    rate_code: np.ndarray
    rates: list[Decimal]
    budget: np.ndarray  # (P,) cents
    defer_from: np.ndarray
    defer_to: np.ndarray
    defer_interest: np.ndarray
    settle_month: np.ndarray  # 0: none
    settle_code: np.ndarray
    fractions: list[Decimal] = field(default_factory=list)
    min_code: np.ndarray | None = None
    min_floor: np.ndarray | None = None
    min_statement: np.ndarray | None = None
    shares: list[Decimal] = field(default_factory=list)
    #: What only negotiation adjustments need (kind, contract rate, overdue, dates):
    #: long arrays ``apr_code``, ``penalty_code``, ``overdue``, ``kind_code``, ``contract``
    #: (``penalty_code`` and ``contract`` ``None`` when the table has no such column)
    #: and the list ``kinds``; ``None`` for a book built from Debt objects or arrays.
    detail: dict | None = None
    #: Portfolios planned by the single engine, exactly: those whose terms change from a later
    #: month (an adjustment with ``from_month`` above 1) and those holding a flat-fee instalment
    #: (:attr:`planner.debt.Debt.flat_fee`: its contract schedule is not in the compiled loop):
    #: position -> (their debts with every field, ``changes`` for :func:`planner.engine.plan`,
    #: empty for a flat-fee portfolio without later changes).
    changes: dict | None = None
    #: Work done once per book and shared by its sub-books (rate ratios).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.balance)
        if self.min_code is None:
            self.min_code = np.zeros(n, dtype=np.int64)
        if self.min_floor is None:
            self.min_floor = np.zeros(n, dtype=np.int64)
        if self.min_statement is None:
            self.min_statement = np.zeros(n, dtype=bool)

    @property
    def size(self) -> int:
        return len(self.ids)

    def _minimum_fields(self, r: int) -> dict:
        """The minimum of book row ``r`` as :class:`Debt` fields: a share of the balance, or none (fixed)."""
        code = int(self.min_code[r])
        if code <= 0:
            return {}
        return {"min_percent": self.shares[code - 1], "min_floor": Decimal(int(self.min_floor[r])) / 100,
                "min_basis": "statement" if self.min_statement[r] else "principal"}

    def debts(self, p: int) -> list[Debt]:
        """Portfolio ``p`` as :class:`Debt` objects the single engine plans identically."""
        out = []
        for r in range(self.start[p], self.start[p + 1]):
            settle = int(self.settle_month[r])
            out.append(
                Debt(
                    self.names[self.name_code[r]],
                    Decimal(int(self.balance[r])) / 100,
                    self.rates[self.rate_code[r]],
                    Decimal(int(self.minimum[r])) / 100,
                    fees_owed=Decimal(int(self.fees[r])) / 100,
                    defer_from=max(int(self.defer_from[r]), 1),
                    defer_months=int(self.defer_to[r] - self.defer_from[r]),
                    defer_interest=bool(self.defer_interest[r]),
                    settle_month=settle or None,
                    settle_fraction=self.fractions[self.settle_code[r]] if settle else None,
                    **self._minimum_fields(r),
                )
            )
        return out

    def full_debts(self, p: int) -> list[Debt]:
        """Portfolio ``p`` with every field a negotiation adjustment reads (kind, overdue, dates;
        a flat-fee instalment's contract)."""
        if self.changes and p in self.changes and not self.changes[p][1]:
            return list(self.changes[p][0])  # held whole: a flat-fee portfolio
        d = self.detail
        if d is None:
            return self.debts(p)
        out = []
        for r in range(self.start[p], self.start[p + 1]):
            out.append(
                Debt(
                    self.names[self.name_code[r]],
                    Decimal(int(self.balance[r])) / 100,
                    self.rates[d["apr_code"][r]],
                    Decimal(int(self.minimum[r])) / 100,
                    kind=d["kinds"][d["kind_code"][r]],
                    overdue_days=int(d["overdue"][r]),
                    penalty_apr=self.rates[d["penalty_code"][r]] if d["penalty_code"] is not None and d["penalty_code"][r] >= 0 else None,
                    fees_owed=Decimal(int(self.fees[r])) / 100,
                    contract_date=d["contract"][r] if d["contract"] is not None else None,
                    **self._minimum_fields(r),
                )
            )
        return out

    def take(self, portfolios: np.ndarray) -> Book:
        """The sub-book of some portfolios (indices, in the order given)."""
        counts = np.diff(self.start)[portfolios]
        start = np.zeros(len(portfolios) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        rows = _ranges(self.start[portfolios], counts)
        detail = None if self.detail is None else {
            k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in self.detail.items()
        }
        changes = None
        if self.changes:
            changes = {k: self.changes[int(p)] for k, p in enumerate(portfolios) if int(p) in self.changes} or None
        return dataclasses.replace(
            self,
            ids=self.ids[portfolios] if isinstance(self.ids, np.ndarray) else [self.ids[p] for p in portfolios],
            start=start,
            budget=self.budget[portfolios],
            detail=detail,
            changes=changes,
            **{name: getattr(self, name)[rows] for name in _PER_DEBT},
        )


#: The :class:`Book` arrays with one entry per debt (the rest are per portfolio or shared).
_PER_DEBT = ("name_code", "balance", "fees", "minimum", "rate_code", "defer_from", "defer_to",
             "defer_interest", "settle_month", "settle_code", "min_code", "min_floor", "min_statement")


def _labels(labels, codes: np.ndarray):
    """A pandas ``string`` array of ``labels[code]`` for each code, built in Arrow (no Python string per row)."""
    import pandas as pd

    try:
        import pyarrow as pa
    except ImportError:  # pyarrow comes with the batch extra; without it, the slower way
        return pd.array(np.asarray(list(labels), dtype=object)[codes], dtype="string")
    return pd.array(pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(labels), type=pa.string())).cast(pa.string()),
                    dtype="string")


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + c)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + np.arange(total, dtype=np.int64) - offsets


def book_from_debts(portfolios: Sequence[Sequence[Debt]], budgets: Sequence, ids: Sequence | None = None) -> Book:
    """A :class:`Book` from lists of :class:`Debt` (one list per portfolio) and budgets in yuan."""
    try:
        portfolios = [list(debts) for debts in portfolios]
        budgets = list(budgets)
    except TypeError:
        raise PlannerError("batch.book.portfolios_list_lists_debt") from None
    if len(portfolios) != len(budgets):
        raise PlannerError("batch.book.budgets_portfolios", budgets=len(budgets), portfolios=len(portfolios))
    names: dict[str, int] = {}
    rates: dict[Decimal, int] = {}
    fractions: dict[Decimal, int] = {}
    shares: dict[Decimal, int] = {}
    cols: dict[str, list] = {k: [] for k in ("name", "bal", "fees", "min", "rate", "dfrom", "dto", "dint", "sm", "sc",
                                             "mc", "mf", "ms")}
    start = [0]
    for debts in portfolios:
        seen = set()
        for d in debts:
            if not isinstance(d, Debt):
                raise PlannerError("batch.book.not_debt", d=d)
            if d.name in seen:
                raise PlannerError("batch.book.name_appears_twice_portfolio", name=d.name)
            seen.add(d.name)
            cols["name"].append(names.setdefault(d.name, len(names)))
            cols["bal"].append(to_cents(d.balance))
            cols["fees"].append(to_cents(d.fees_owed))
            cols["min"].append(to_cents(d.min_payment))
            cols["rate"].append(rates.setdefault(d.effective_apr, len(rates)))
            cols["dfrom"].append(d.defer_from)
            cols["dto"].append(d.defer_from + d.defer_months)
            cols["dint"].append(d.defer_interest)
            cols["sm"].append(d.settle_month or 0)
            cols["sc"].append(fractions.setdefault(d.settle_fraction, len(fractions)) if d.settle_month else -1)
            cols["mc"].append(shares.setdefault(d.min_percent, len(shares) + 1) if d.min_percent is not None else 0)
            cols["mf"].append(to_cents(d.min_floor))
            cols["ms"].append(d.min_basis == "statement")
        start.append(start[-1] + len(debts))
    # as plan() reads its budget; numpy scalars as the Python numbers they hold
    budget = [to_cents(b.item() if hasattr(b, "item") and not isinstance(b, Decimal) else b) for b in budgets]
    if any(b < 0 for b in budget):
        raise PlannerError("batch.book.budget_cannot_negative")
    # a flat-fee instalment follows its contract's schedule, which the compiled loop does not carry:
    # its portfolio goes to the single engine whole (see Book.changes)
    exact = {p: (debts, {}) for p, debts in enumerate(portfolios) if any(d.flat_fee is not None for d in debts)}
    i64 = lambda k: np.array(cols[k], dtype=np.int64)  # noqa: E731
    return Book(
        ids=list(ids) if ids is not None else list(range(len(portfolios))),
        start=np.array(start, dtype=np.int64),
        names=list(names),
        name_code=i64("name"),
        balance=i64("bal"),
        fees=i64("fees"),
        minimum=i64("min"),
        rate_code=i64("rate"),
        rates=list(rates),
        budget=np.array(budget, dtype=np.int64),
        defer_from=i64("dfrom"),
        defer_to=i64("dto"),
        defer_interest=np.array(cols["dint"], dtype=bool),
        settle_month=i64("sm"),
        settle_code=i64("sc"),
        fractions=list(fractions),
        min_code=i64("mc"),
        min_floor=i64("mf"),
        min_statement=np.array(cols["ms"], dtype=bool),
        shares=list(shares),
        changes=exact or None,
    )


# ---------------------------------------------------------------------------
# results


#: How :meth:`BatchResult.to_frame` stores each column in pandas' Parquet metadata
#: (pandas_type, numpy_type), for whole-number ids; ``to_arrow`` writes it without importing pandas.
_PANDAS_TYPES = {
    "portfolio_id": ("int64", "int64"), "strategy": ("object", "string"), "status": ("object", "string"),
    "months": ("int64", "Int64"), "infeasible_month": ("int64", "Int64"),
}


@functools.lru_cache(maxsize=1)
def _pandas_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pandas")
    except PackageNotFoundError:  # pragma: no cover - pandas comes with the batch extra
        return "0"


def _pandas_metadata(schema) -> bytes:
    """The ``pandas`` schema metadata of a results table, as ``pa.Schema.from_pandas`` writes it
    for :meth:`BatchResult.to_frame` with whole-number ids (the format: pandas' developer guide,
    "Storing pandas DataFrame objects in Apache Parquet format"); tested equal to pandas' own."""
    import json

    import pyarrow as pa

    pandas_version = _pandas_version()
    columns = [
        {"name": f.name, "field_name": f.name, "pandas_type": _PANDAS_TYPES.get(f.name, ("float64", "float64"))[0],
         "numpy_type": _PANDAS_TYPES.get(f.name, ("float64", "float64"))[1], "metadata": None}
        for f in schema
    ]
    meta = {"index_columns": [], "column_indexes": [], "columns": columns, "attributes": {},
            "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": pandas_version}
    return json.dumps(meta).encode()


_RESULT_ARRAYS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "status_code", "infeasible_month", "shortfall")


@dataclass
class BatchResult:
    """One row per portfolio, money in integer cents (numpy int64 arrays).

    ``months`` is -1 where the plan has no end (a debt never paid off within the
    horizon, or an infeasible budget); ``status`` says which. For ``infeasible``
    rows, ``infeasible_month`` and ``shortfall`` say when and by how much the
    budget falls short, and the money columns are 0.
    """

    ids: list
    strategy: str
    months: np.ndarray
    interest: np.ndarray
    paid: np.ndarray
    forgiven: np.ndarray
    remaining: np.ndarray
    unspent: np.ndarray
    status_code: np.ndarray
    infeasible_month: np.ndarray
    shortfall: np.ndarray
    fallback: int = 0
    schedule: dict | None = None  # long arrays: portfolio (position), month, debt (position), amounts

    @property
    def status(self) -> list[str]:
        return np.array(STATUS, dtype=object)[self.status_code.astype(np.int64)].tolist()

    def to_frame(self):
        """A pandas DataFrame: money as float yuan with two decimals, ``months`` nullable."""
        import pandas as pd

        ok = self.status_code == 0
        months = pd.array(np.where(ok, self.months, 0).astype(np.int64), dtype="Int64")
        months[~ok] = pd.NA
        late = pd.array(self.infeasible_month.astype(np.int64), dtype="Int64")
        late[self.status_code != 2] = pd.NA

        def yuan(cents):
            return np.asarray(cents / 100, dtype=np.float64)

        frame = pd.DataFrame(
            {
                "portfolio_id": self.ids,
                "strategy": _labels([self.strategy], np.zeros(len(self.ids), dtype=np.int8)),
                "status": _labels(STATUS, self.status_code),
                "months": months,
                "total_interest": yuan(self.interest),
                "total_paid": yuan(self.paid),
                "total_forgiven": yuan(self.forgiven),
                "remaining": yuan(self.remaining),
                "unspent": yuan(self.unspent),
                "infeasible_month": late,
                "shortfall": yuan(self.shortfall),
            }
        )
        return frame

    def to_arrow(self):
        """:meth:`to_frame` as a pyarrow Table, built from the integer arrays without pandas (for
        writing millions of rows). Carries pandas' metadata, so ``pd.read_parquet`` of a file
        written from it gives :meth:`to_frame`'s dtypes back."""
        import pyarrow as pa

        from .arrays import arrow_array, arrow_strings

        n = len(self.status_code)
        ok = self.status_code == 0
        code = np.asarray(self.status_code, dtype=np.int8)

        def labels(values, codes):
            encoded = pa.DictionaryArray.from_arrays(arrow_array(codes), arrow_strings(values).cast(pa.large_string()))
            return encoded.cast(pa.large_string())

        def yuan(cents):
            return arrow_array(np.asarray(cents / 100, dtype=np.float64))

        if isinstance(self.ids, np.ndarray) and self.ids.dtype == np.int64:
            ids = arrow_array(self.ids)
        else:
            ids = pa.array(self.ids) if n else pa.array([], type=pa.int64())
        columns = {
            "portfolio_id": ids,
            "strategy": labels([self.strategy], np.zeros(n, dtype=np.int8)),
            "status": labels(STATUS, code),
            "months": arrow_array(np.where(ok, self.months, 0).astype(np.int64), valid=ok),
            "total_interest": yuan(self.interest),
            "total_paid": yuan(self.paid),
            "total_forgiven": yuan(self.forgiven),
            "remaining": yuan(self.remaining),
            "unspent": yuan(self.unspent),
            "infeasible_month": arrow_array(np.asarray(self.infeasible_month, dtype=np.int64), valid=code == 2),
            "shortfall": yuan(self.shortfall),
        }
        table = pa.table(columns)
        if not n:
            return table
        # pandas' metadata, so ``pd.read_parquet`` gives to_frame's dtypes back (Int64 stays Int64)
        if isinstance(self.ids, np.ndarray) and self.ids.dtype == np.int64:
            return table.replace_schema_metadata({"pandas": _pandas_metadata(table.schema)})
        # other ids (text, mixed): pandas says how it stores them, from the same columns of one row
        first = self.rows(0, 1)
        return table.cast(pa.Schema.from_pandas(first.to_frame(), preserve_index=False))

    def rows(self, lo: int, hi: int) -> BatchResult:
        """Portfolios ``lo`` to ``hi`` of this result, without its schedule (``fallback`` stays the
        whole result's count: which portfolios fell back is not kept)."""
        return dataclasses.replace(self, ids=self.ids[lo:hi], **{k: getattr(self, k)[lo:hi] for k in _RESULT_ARRAYS},
                                   schedule=None)

    def __repr__(self) -> str:
        counts = {s: int((self.status_code == k).sum()) for k, s in enumerate(STATUS)}
        return f"<BatchResult {self.strategy}: {len(self.ids)} portfolios, " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ">"

    def _repr_html_(self) -> str:
        """A notebook's view: the counts by status, then the first rows of :meth:`to_frame`."""
        import html

        counts = "".join(f"<td>{int((self.status_code == k).sum())}</td>" for k in range(len(STATUS)))
        head = "".join(f"<th>{html.escape(s)}</th>" for s in STATUS)
        return (f"<p><b>{html.escape(self.strategy)}</b>: {len(self.ids)} portfolios</p>"
                f"<table><tr>{head}</tr><tr>{counts}</tr></table>" + self.to_frame().head(10).to_html(index=False))


# ---------------------------------------------------------------------------
# negotiation scenarios over a whole book


def _skipping(adjustments, debts: Sequence[Debt]) -> list[Debt]:
    out = list(debts)
    for adjustment in adjustments:
        try:
            adjustment.selects(out)
        except PlannerError:
            continue
        out = adjustment.apply(out)
    return out


def adjust(scenario, debts: Sequence[Debt]) -> list[Debt]:
    """One portfolio with ``scenario``'s month-1 adjustments made, in order.

    As :meth:`planner.negotiation.Scenario.apply`, except that an adjustment
    whose selector matches no debt of this portfolio (``kind:card`` where there
    is no card, a name it does not have, ``overdue`` where nothing is) is
    skipped: one scenario is meant for every portfolio of a book. Adjustments
    from a later month (``from_month`` above 1) are :func:`later_changes`.
    """
    return _skipping([a for a in scenario.adjustments if a.from_month == 1], debts)


def later_changes(scenario, debts: Sequence[Debt]) -> dict:
    """``changes`` for :func:`planner.engine.plan` from ``scenario``'s adjustments of later months
    that apply to this portfolio (``debts`` as :func:`adjust` returned them); empty when none does.

    Each month's change skips an adjustment that selects nothing then, as :func:`adjust` does.
    """
    later = [a for a in scenario.adjustments if a.from_month > 1]

    def matters(a) -> bool:
        # A rate condition such as apr<10 may match after an earlier cut: keep it to be exact.
        sel = a.debt
        if isinstance(sel, str) and "apr<" in sel.replace(" ", ""):
            return True
        try:
            return bool(a.selects(debts))
        except PlannerError:
            return False

    if not any(matters(a) for a in later):
        return {}
    out = {}
    for month in sorted({a.from_month for a in later}):
        todo = [a for a in later if a.from_month == month]
        out[month] = lambda ds, todo=todo: _skipping(todo, ds)
    return out


def with_changes(book: Book, portfolios: Sequence[Sequence[Debt]], scenario) -> Book:
    """``book`` (built from ``portfolios``) with the later changes of ``scenario`` attached."""
    if any(a.from_month > 1 for a in scenario.adjustments):
        changes = dict(book.changes or {})  # flat-fee portfolios stay with the single engine
        for p, debts in enumerate(portfolios):
            later = later_changes(scenario, debts)
            if later:
                changes[p] = (list(debts), later)
        book.changes = changes or None
    return book


def apply_scenario(book: Book, scenario, *, progress: Callable[[int], None] | None = None) -> Book:
    """``book`` with ``scenario`` applied to every portfolio (see :func:`adjust`).

    Adjustments are functions of :class:`Debt` objects, so this step runs in
    Python, one portfolio at a time (tens of microseconds a debt); the plans
    that follow are vectorised as usual, except those of portfolios whose
    terms change from a later month, which the single engine plans exactly.
    """
    portfolios = []
    for p in range(book.size):
        portfolios.append(adjust(scenario, book.full_debts(p)))
        if progress and (p + 1) % 10_000 == 0:
            progress(10_000)
    budgets = [Decimal(int(c)) / 100 for c in book.budget]
    return with_changes(book_from_debts(portfolios, budgets, book.ids), portfolios, scenario)


__all__ = [
    "STATUS",
    "BatchResult",
    "Book",
    "adjust",
    "apply_scenario",
    "book_from_debts",
]
