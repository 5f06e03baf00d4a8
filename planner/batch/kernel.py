"""The batch engine's month loop over a span of portfolios: loading it and feeding it a book.

The loop is :func:`planner.batch.compiled.plan_span` (numba, the batch extra:
``pip install 'debt-planner[batch]'``); it follows :func:`planner.engine._simulate`
to the cent and the tests hold the two equal. Without numba the batch engine
refuses with a message that says what to install (:func:`compiled_loop`).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from ..errors import PlannerError
from ..money import rate_ratio
from .book import Book

_SAFE = 1 << 62  # headroom below 2**63 for sums of two amounts


# ---------------------------------------------------------------------------
# priority: each strategy's ordering as sort keys over the long arrays


def _rank(values: list) -> np.ndarray:
    """Rank of each value among the distinct values (ties share a rank)."""
    order = sorted(set(values))
    index = {v: k for k, v in enumerate(order)}
    return np.array([index[v] for v in values], dtype=np.int64)


def batch_strategies() -> tuple[str, ...]:
    """The strategies the batch engine runs: every registered one defined by sort keys (not ``custom``)."""
    from ..strategies import STRATEGIES

    return tuple(name for name, fn in STRATEGIES.items() if getattr(fn, "keys", None) is not None)


def strategy_keys(strategy: str):
    """A strategy's sort keys (:class:`planner.strategies.Key`); raises for one the batch cannot run."""
    from ..strategies import STRATEGIES

    keys = getattr(STRATEGIES.get(strategy), "keys", None)
    if keys is None:
        raise PlannerError(
            "batch.kernel.batch_engine_not_support",
            v=', '.join(batch_strategies()),
            strategy=strategy,
        )
    return keys


def _ratios(values: list[Decimal]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact monthly ratios of yearly rates as int64 arrays, and whether each fits."""
    num, den, ok = [], [], []
    for v in values:
        a, b = rate_ratio(v)
        fits = b <= _SAFE // 4 and a <= _SAFE // 4
        num.append(a if fits else 1)
        den.append(b if fits else 1)
        ok.append(fits)
    return np.array(num, dtype=np.int64), np.array(den, dtype=np.int64), np.array(ok, dtype=bool)


def _fractions(values: list[Decimal]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    num, den, ok = [], [], []
    for v in values:
        a, b = v.as_integer_ratio()
        fits = b <= _SAFE // 4 and a <= b
        num.append(a if fits else 0)
        den.append(b if fits else 1)
        ok.append(fits)
    if not values:
        return np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64), np.ones(1, dtype=bool)
    return np.array(num, dtype=np.int64), np.array(den, dtype=np.int64), np.array(ok, dtype=bool)


# ---------------------------------------------------------------------------
# the compiled month loop over a span of portfolios


def rate_ratios(book: Book) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_ratios` of the book's rates, computed once per book (sub-books share the cache)."""
    key = ("ratios", len(book.rates))
    if key not in book.cache:
        book.cache[key] = _ratios(book.rates)
    return book.cache[key]


_SCHEDULE_KEYS = ("portfolio", "month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")
_TOTALS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "status", "infeasible_month", "shortfall", "fallback")
_LOADING = threading.Lock()
_PRELOAD: threading.Thread | None = None
_LOOP = None  # the compiled loop once loaded


def available() -> bool:
    """Whether the batch engine can run here: numba (the batch extra) is installed."""
    return importlib.util.find_spec("numba") is not None


def require_numba() -> None:
    """Raise :class:`~planner.errors.PlannerError` (bilingual, naming the batch extra) when numba is not installed."""
    if not available():
        raise _missing()


def _missing() -> PlannerError:
    return PlannerError("batch.kernel.needs_numba")


def compiled_loop():
    """The numba month loop (:func:`planner.batch.compiled.plan_span`), compiled or loaded from
    its cache on first call. Raises :class:`~planner.errors.PlannerError` (bilingual, naming the
    batch extra) when numba is not installed.

    Thread-safe: ``planner batch`` starts the load in a thread while it reads the table
    (:func:`prepare`); the workers fork after it.
    """
    global _LOOP, _PRELOAD
    if _PRELOAD is not None and _PRELOAD is not threading.current_thread():
        _PRELOAD.join()  # the background load (see prepare) finishes first: no thread left when workers fork
        _PRELOAD = None
    with _LOADING:
        if _LOOP is None:
            try:
                from .compiled import plan_span
            except ImportError:
                raise _missing() from None
            simulate_span(_tiny_book(), "avalanche", 0, 1, 12, True, loop=plan_span)  # compile or load it now
            _LOOP = plan_span
    return _LOOP


def prepare(debts: int, schedules: bool = False, *, strategies: Sequence[str] = ()) -> None:
    """Start loading the compiled loop in a background thread (``debts``, ``schedules`` and
    ``strategies`` describe the coming book; any book needs the loop).

    ``planner batch`` calls this before it reads the table, so importing numba and
    loading its cached machine code overlap the reading (which releases the GIL).
    :func:`compiled_loop` waits for it. Nothing happens without numba (the run then says so).
    """
    global _PRELOAD
    if _LOOP is None and _PRELOAD is None and available():
        _PRELOAD = threading.Thread(target=_preload, name="planner-load-numba", daemon=True)
        _PRELOAD.start()


def _preload() -> None:
    """What a large book needs, in the order it needs it: pyarrow's compute functions (0.1 s
    to import, used when the table becomes a book), then the compiled loop. Only public
    imports."""
    try:
        import pyarrow.compute  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow comes with the batch extra
        pass
    try:
        compiled_loop()
    except PlannerError:  # pragma: no cover - the run itself reports it
        pass


def settle_preload() -> None:
    """Wait for a background load started by :func:`prepare`, if any (before the process exits
    on an error: no thread left half-way through importing numba at interpreter shutdown)."""
    global _PRELOAD
    thread = _PRELOAD
    if thread is not None and thread is not threading.current_thread():
        thread.join()
        _PRELOAD = None


def _tiny_book() -> Book:
    one = np.ones(1, dtype=np.int64)
    zero = np.zeros(1, dtype=np.int64)
    return Book(ids=[0], start=np.array([0, 1], dtype=np.int64), names=["a"], name_code=zero.copy(), balance=one * 100,
                fees=zero.copy(), minimum=one * 10, rate_code=zero.copy(), rates=[Decimal(12)], budget=one * 50,
                defer_from=one.copy(), defer_to=one.copy(), defer_interest=np.ones(1, dtype=bool),
                settle_month=zero.copy(), settle_code=zero - 1)


def code_tables(book: Book) -> dict:
    """Per rate, name and settlement code, what the compiled loop reads; once per book (its sub-books share the codes)."""
    key = ("codes", len(book.rates), len(book.names), len(book.fractions), len(book.shares))
    if key not in book.cache:
        num, den, ok = rate_ratios(book)
        limit = np.where(ok, (_SAFE - den) // (2 * np.maximum(num, 1)), -1)
        snum, sden, sok = _fractions(book.fractions)
        mnum, mden, mlimit = _shares(book.shares)
        book.cache[key] = {
            "rnum": num, "rden": den, "rlimit": limit.astype(np.int64),
            "rrank": _rank(book.rates) if book.rates else np.zeros(1, dtype=np.int64),
            "nrank": _rank(book.names) if book.names else np.zeros(1, dtype=np.int64),
            "snum": snum, "sden": np.where(sok, sden, 0).astype(np.int64),
            "mnum": mnum, "mden": mden, "mlimit": mlimit,
        }
    return book.cache[key]


def _shares(shares: list[Decimal]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per minimum code (0: a fixed minimum, ``k``: ``shares[k - 1]``) the share as an exact
    ratio and the largest amount whose share stays in int64 (-1: the ratio itself does not fit)."""
    from ..debt import share_ratio

    num, den, limit = [0], [1], [-1]
    for percent in shares:
        a, b = share_ratio(percent)
        fits = a <= _SAFE // 4 and b <= _SAFE // 4
        num.append(a if fits else 0)
        den.append(b if fits else 1)
        limit.append((_SAFE - b) // (2 * max(a, 1)) if fits else -1)
    return np.array(num, dtype=np.int64), np.array(den, dtype=np.int64), np.array(limit, dtype=np.int64)


def _loop_arrays(book: Book) -> tuple:
    """What the compiled loop reads of a book: the debts' long arrays and the code tables (one
    tuple each, :data:`~planner.batch.compiled.DEBT_ARRAYS` and ``CODE_ARRAYS``), and which
    portfolios are left to the reference engine (terms changing mid-plan, flat-fee instalments)."""
    t = code_tables(book)
    bad = np.zeros(book.size, dtype=bool)
    if book.changes:  # terms changing mid-plan, flat-fee instalments: the reference engine plans these exactly
        bad[list(book.changes)] = True
    debts = (book.balance, book.fees, book.minimum, book.rate_code, book.name_code,
             book.defer_from, book.defer_to, book.defer_interest, book.settle_month, book.settle_code,
             book.min_code, book.min_floor, book.min_statement)
    codes = (t["rnum"], t["rden"], t["rlimit"], t["rrank"], t["nrank"], t["snum"], t["sden"],
             t["mnum"], t["mden"], t["mlimit"])
    return debts, codes, bad


def simulate_span(book: Book, strategy: str, lo: int, hi: int, horizon: int, want_schedule: bool, *, loop=None) -> dict:
    """Portfolios ``lo`` to ``hi`` of ``book`` under ``strategy`` through the compiled loop:
    the totals (:data:`_TOTALS`, one entry a portfolio) and, with ``want_schedule``, the
    schedule (portfolio counted from ``lo``). Portfolios flagged ``fallback`` are left to the
    reference engine (:mod:`.run` plans them)."""
    from .compiled import FIELD_CODES

    loop = loop or compiled_loop()
    keys = strategy_keys(strategy)
    keyf = np.array([FIELD_CODES[k.field] for k in keys], dtype=np.int64)
    keyd = np.array([k.descending for k in keys], dtype=np.bool_)
    debts, codes, bad = _loop_arrays(book)
    totals, rows = loop(lo, hi, book.start, debts, codes, book.budget, bad, keyf, keyd, int(horizon),
                        bool(want_schedule))
    out = dict(zip(_TOTALS, totals))
    if want_schedule:
        out["schedule"] = dict(zip(_SCHEDULE_KEYS, rows))
    return out


__all__ = [
    "available",
    "batch_strategies",
    "code_tables",
    "compiled_loop",
    "prepare",
    "rate_ratios",
    "require_numba",
    "settle_preload",
    "simulate_span",
    "strategy_keys",
]
