"""The month loop over one chunk of portfolios, and each strategy's priority as numpy sort keys.

:func:`simulate` runs the compiled loop of :mod:`.compiled` when numba is
installed, else :func:`simulate_numpy` (one numpy step for every portfolio at
once). Both follow :func:`planner.engine._simulate` to the cent; the tests
hold all three equal.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from ..errors import PlannerError
from ..money import half_up, rate_ratio
from .book import Book

_INT64_MAX = np.iinfo(np.int64).max
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


def _field_column(book: Book, field: str, bad: np.ndarray, portfolio: np.ndarray, cache: dict):
    """One sort field (see :data:`planner.strategies.FIELDS`) for every debt of the book, as numpy.

    Equal ordering to the single engine's Python values: rates and names by rank,
    money in cents, the cash-flow index as a float checked exactly where floats tie.
    """
    n = len(portfolio)
    if field not in cache:
        if field == "rate":
            cache[field] = _rank(book.rates)[book.rate_code] if book.rates else np.zeros(n, dtype=np.int64)
        elif field == "name":
            cache[field] = _rank(book.names)[book.name_code] if book.names else np.zeros(n, dtype=np.int64)
        elif field == "owed":
            cache[field] = book.balance + book.fees
        elif field == "monthly_interest":  # Debt.monthly_interest, in cents
            num, den, ok = _ratios(book.rates)
            rn, rd = num[book.rate_code], den[book.rate_code]
            fits = ok[book.rate_code] & (book.balance <= (_SAFE // np.maximum(rn, 1)) // 2)
            cache["monthly_interest_bad"] = portfolio[~fits]
            cache[field] = half_up(book.balance * rn, rd)
        elif field == "cash_flow_index":
            owed = book.balance + book.fees
            with np.errstate(divide="ignore", invalid="ignore"):
                cache[field] = np.where(book.minimum > 0, owed / np.maximum(book.minimum, 1), np.inf)
        else:  # pragma: no cover - Key() checks the field
            raise PlannerError("batch.kernel.unknown_sort_field", field=field)
    if field == "monthly_interest":
        bad[cache["monthly_interest_bad"]] = True
    return cache[field]


def priority_order(book: Book, strategy: str, portfolio: np.ndarray, cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row order (by portfolio, then the strategy's keys) and a mask of portfolios for the single engine.

    ``cache`` keeps the key columns between strategies of one chunk.
    """
    keys = strategy_keys(strategy)
    n = len(portfolio)
    bad = np.zeros(book.size, dtype=bool)
    if not keys or n == 0:
        return np.arange(n, dtype=np.int64), bad
    cache = {} if cache is None else cache
    columns = []
    for key in keys:
        col = _field_column(book, key.field, bad, portfolio, cache)
        columns.append(-col if key.descending else col)
    order = np.lexsort((*columns[::-1], portfolio))
    for k, key in enumerate(keys):
        if key.field != "cash_flow_index":
            continue
        # Floats order distinct ratios correctly except where two round to the same
        # float: check those neighbours exactly; sort any doubtful portfolio in Python.
        owed = book.balance + book.fees
        r, p = columns[k][order], portfolio[order]
        same = (r[1:] == r[:-1]) & (p[1:] == p[:-1]) & np.isfinite(r[1:])
        doubtful = np.zeros(book.size, dtype=bool)
        for j in np.nonzero(same)[0]:
            a, b = order[j], order[j + 1]
            if int(owed[a]) * int(book.minimum[b]) != int(owed[b]) * int(book.minimum[a]):
                doubtful[p[j]] = True
        if doubtful.any():
            order = _python_order(book, order, doubtful, strategy)
    return order, bad


def _python_order(book: Book, order: np.ndarray, doubtful: np.ndarray, strategy: str) -> np.ndarray:
    """Re-sort the rows of the flagged portfolios with the strategy's own (exact) Python function."""
    from ..strategies import STRATEGIES

    order = order.copy()
    fn = STRATEGIES[strategy]
    for p in np.nonzero(doubtful)[0]:
        lo = int(book.start[p])
        debts = book.debts(int(p))
        position = {d.name: k for k, d in enumerate(debts)}
        order[lo:lo + len(debts)] = [lo + position[d.name] for d in fn(debts)]
    return order


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
# the vectorised month loop over one chunk


def rate_ratios(book: Book) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_ratios` of the book's rates, computed once per book (sub-books share the cache)."""
    key = ("ratios", len(book.rates))
    if key not in book.cache:
        book.cache[key] = _ratios(book.rates)
    return book.cache[key]


def chunk_arrays(book: Book, strategy: str, keys: dict | None = None) -> dict:
    """Padded ``portfolios × debts`` arrays, columns in priority order, and the fallback mask.

    Deferral, settlement and fee arrays are present only when some debt of the
    chunk has them, so a plain caseload runs the shortest month loop.
    """
    P = book.size
    counts = np.diff(book.start)
    portfolio = np.repeat(np.arange(P, dtype=np.int64), counts)
    order, bad = priority_order(book, strategy, portfolio, keys)
    D = int(counts.max()) if P else 0
    col = np.arange(len(order), dtype=np.int64) - book.start[portfolio]  # position within portfolio
    uniform = P > 0 and bool((counts == D).all())

    def grid(values, fill=0, dtype=np.int64):
        if uniform:  # every portfolio has D debts: a reshape, no scatter
            return np.ascontiguousarray(values[order].reshape(P, D), dtype=dtype)
        out = np.full((P, D), fill, dtype=dtype)
        out[portfolio, col] = values[order]  # rows are grouped by portfolio, so order keeps positions
        return out

    num, den, ok = rate_ratios(book)
    if len(order):
        bad |= np.bincount(portfolio[~ok[book.rate_code]], minlength=P).astype(bool)
    if book.changes:  # terms changing mid-plan: the single engine plans these exactly
        bad[list(book.changes)] = True
    rn, rd = num[book.rate_code], den[book.rate_code]
    a = {
        "bal": grid(book.balance),
        "minp": grid(book.minimum),
        "rnum": grid(rn),
        "rden": grid(rd, 1),
        # the largest balance for which 2*b*num + den stays below 2**62
        "limit": grid((_SAFE - rd) // (2 * np.maximum(rn, 1)), _INT64_MAX),
        "orig": grid(col, -1),  # original debt position of each column
        "budget": book.budget.copy(),
        "bad": bad,
    }
    if book.fees.any():
        a["fees"] = grid(book.fees)
    if (book.defer_to > book.defer_from).any():
        a["dfrom"] = grid(book.defer_from, 1)
        a["dto"] = grid(book.defer_to, 1)
        a["dint"] = grid(book.defer_interest, True, bool)
    if (book.settle_month > 0).any():
        snum, sden, sok = _fractions(book.fractions)
        sc = np.maximum(book.settle_code, 0)
        bad |= np.bincount(portfolio[(book.settle_month > 0) & ~sok[sc]], minlength=P).astype(bool)
        a["smonth"] = grid(book.settle_month)
        a["snum"] = grid(snum[sc])
        a["snum2"] = grid(2 * snum[sc])
        a["sden"] = grid(sden[sc], 1)
    return a


_WORK = ("bal", "fees", "minp", "rnum", "rden", "limit", "orig", "dfrom", "dto", "dint", "smonth", "snum", "snum2", "sden")


_SCHEDULE_KEYS = ("portfolio", "month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")
_TOTALS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "status", "infeasible_month", "shortfall", "fallback")
_LOADING = threading.Lock()
_PRELOAD: threading.Thread | None = None
_LOOP = None  # the compiled loop once loaded; False: not available or not wanted; None: not loaded yet
_LOOP_ALL = None  # book_loop_all once loaded
#: Debts in a book from which loading the compiled loop pays for itself. Importing numba and
#: loading its cached machine code costs about 1.2 s on the shared 2-core machine (3 s when it is
#: busy); the compiled loop then plans 100,000 five-debt portfolios in about half the plain-numpy
#: loop's time (0.4 s against 0.8 s of CPU, ``make bench``, kernel section), so it pays from about
#: 200,000 portfolios. ``planner batch`` loads it in the background while it reads a large table
#: (:func:`prepare`). Below this size the plain-numpy loop runs.
COMPILE_FROM = 1_000_000


def compiled_loop():
    """The numba month loop (compiled, or loaded from its cache, on first call); ``None`` without numba.

    Set the environment variable ``PLANNER_NO_NUMBA=1`` to use the plain-numpy loop.
    Once loaded, :func:`active_loop` returns it and the runs use it. Thread-safe:
    ``planner batch`` starts the load in a thread while it reads the table.
    """
    global _LOOP, _PRELOAD
    if _PRELOAD is not None and _PRELOAD is not threading.current_thread():
        _PRELOAD.join()  # the background load (see prepare) finishes first: no thread left when workers fork
        _PRELOAD = None
    with _LOADING:
        if _LOOP is None:
            if os.environ.get("PLANNER_NO_NUMBA"):
                _LOOP = False
            else:
                try:
                    from .compiled import book_loop
                except ImportError:
                    _LOOP = False
                else:
                    _warm(book_loop)
                    _LOOP = book_loop
    return _LOOP or None


def together_loop():
    """:func:`planner.batch.compiled.book_loop_all` (for strategies that :func:`shares_tracks`),
    loaded once like :func:`compiled_loop` and before any worker forks; ``None`` without numba."""
    global _LOOP_ALL
    if compiled_loop() is None:
        return None
    with _LOADING:
        if _LOOP_ALL is None:
            from .compiled import book_loop_all

            simulate_spans(_tiny_book(), ["minimum_only", "avalanche"], 0, 1, 12)  # compile or load it now
            _LOOP_ALL = book_loop_all
    return _LOOP_ALL


def worth_compiling(debts: int, schedules: bool = False) -> bool:
    """Whether a book of ``debts`` rows is large enough to load the compiled loop for
    (:data:`COMPILE_FROM`; an eighth of that with schedules, whose rows the compiled loop
    writes in order while the numpy loop gathers and sorts them)."""
    return debts >= (COMPILE_FROM // 8 if schedules else COMPILE_FROM)


def prepare(debts: int, schedules: bool = False, *, strategies: Sequence[str] = ()) -> None:
    """Start loading the compiled loop in a background thread when a book of ``debts`` rows is coming.

    ``planner batch`` calls this before it reads the table, so importing numba and
    loading its cached machine code overlap the reading (which releases the GIL).
    :func:`compiled_loop` waits for it; nothing happens for a book :func:`worth_compiling` says no to.
    With ``strategies`` that :func:`shares_tracks` (and no schedules), :func:`together_loop`
    is loaded too.
    """
    global _PRELOAD
    if worth_compiling(debts, schedules) and _LOOP is None and _PRELOAD is None:
        together = not schedules and shares_tracks(strategies)
        _PRELOAD = threading.Thread(target=_preload, args=(together,), name="planner-load-numba", daemon=True)
        _PRELOAD.start()


def _preload(together: bool = False) -> None:
    """What a large book needs, in the order it needs it: pyarrow's compute functions (0.1 s
    to import, used when the table becomes a book), then the compiled loop. Only public
    imports: no import hook keeps scipy out of numba's way and no interpreter switch is
    changed (they saved about 0.25 s of CPU a run and broke silently with new releases)."""
    try:
        import pyarrow.compute  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow comes with the batch extra
        pass
    compiled_loop()
    if together:
        together_loop()


def settle_preload() -> None:
    """Wait for a background load started by :func:`prepare`, if any (before the process exits
    on an error: no thread left half-way through importing numba at interpreter shutdown)."""
    global _PRELOAD
    thread = _PRELOAD
    if thread is not None and thread is not threading.current_thread():
        thread.join()
        _PRELOAD = None


def active_loop():
    """The compiled loop if it has been loaded (:func:`compiled_loop`), else ``None``; loads nothing."""
    return _LOOP or None


def use_compiled(flag: bool | None) -> bool:
    """Choose the month loop: ``True`` numba (loaded now, if installed), ``False`` plain numpy,
    ``None`` decide by size (:data:`COMPILE_FROM`). Returns whether the compiled loop is in use.

    For tests and benchmarks that compare the two loops in one process.
    """
    global _LOOP
    _LOOP = False if flag is False else None
    if flag:
        compiled_loop()
    return bool(_LOOP)


def _warm(loop) -> None:
    """Compile (or load) for the argument types used, before any worker forks."""
    book = _tiny_book()
    simulate_span(book, "avalanche", 0, 1, 12, True, loop=loop)


def _tiny_book() -> Book:
    one = np.ones(1, dtype=np.int64)
    zero = np.zeros(1, dtype=np.int64)
    return Book(ids=[0], start=np.array([0, 1], dtype=np.int64), names=["a"], name_code=zero.copy(), balance=one * 100,
                fees=zero.copy(), minimum=one * 10, rate_code=zero.copy(), rates=[Decimal(12)], budget=one * 50,
                defer_from=one.copy(), defer_to=one.copy(), defer_interest=np.ones(1, dtype=bool),
                settle_month=zero.copy(), settle_code=zero - 1)


def code_tables(book: Book) -> dict:
    """Per rate, name and settlement code, what the compiled loop reads; once per book (its sub-books share the codes)."""
    key = ("codes", len(book.rates), len(book.names), len(book.fractions))
    if key not in book.cache:
        num, den, ok = rate_ratios(book)
        limit = np.where(ok, (_SAFE - den) // (2 * np.maximum(num, 1)), -1)
        snum, sden, sok = _fractions(book.fractions)
        book.cache[key] = {
            "rnum": num, "rden": den, "rlimit": limit.astype(np.int64),
            "rrank": _rank(book.rates) if book.rates else np.zeros(1, dtype=np.int64),
            "nrank": _rank(book.names) if book.names else np.zeros(1, dtype=np.int64),
            "snum": snum, "sden": np.where(sok, sden, 0).astype(np.int64),
        }
    return book.cache[key]


def _loop_arrays(book: Book) -> tuple:
    """What the compiled loops read of a book, in their order: the long arrays, the code tables,
    the budgets, and which portfolios are left to the single engine (terms changing mid-plan)."""
    t = code_tables(book)
    bad = np.zeros(book.size, dtype=bool)
    if book.changes:  # terms changing mid-plan: the single engine plans these exactly
        bad[list(book.changes)] = True
    return (book.start, book.balance, book.fees, book.minimum, book.rate_code, book.name_code,
            t["rnum"], t["rden"], t["rlimit"], t["rrank"], t["nrank"],
            book.defer_from, book.defer_to, book.defer_interest, book.settle_month, book.settle_code, t["snum"], t["sden"],
            book.budget, bad)


def simulate_span(book: Book, strategy: str, lo: int, hi: int, horizon: int, want_schedule: bool, *, loop=None) -> dict:
    """Portfolios ``lo`` to ``hi`` of ``book`` through the compiled loop, straight from the long arrays.

    The same totals (and schedule, portfolio counted from ``lo``) as
    :func:`simulate` on :func:`chunk_arrays` of those portfolios.
    """
    from .compiled import FIELD_CODES

    loop = loop or compiled_loop()
    if loop is None:
        raise PlannerError("batch.kernel.needs_numba")
    keys = strategy_keys(strategy)
    keyf = np.array([FIELD_CODES[k.field] for k in keys], dtype=np.int64)
    keyd = np.array([k.descending for k in keys], dtype=np.bool_)
    totals, rows = loop(lo, hi, *_loop_arrays(book), keyf, keyd, int(horizon), bool(want_schedule))
    out = dict(zip(_TOTALS, totals))
    if want_schedule:
        out["schedule"] = dict(zip(_SCHEDULE_KEYS, rows))
    return out


def shares_tracks(strategies: Sequence[str]) -> bool:
    """Whether :func:`simulate_spans` plans ``strategies`` together from shared tracks: minimums
    only (no sort keys) is among them, whose plans are the tracks, and a strategy with keys."""
    keyed = [bool(strategy_keys(s)) for s in strategies]
    return any(keyed) and not all(keyed)


def simulate_spans(book: Book, strategies: Sequence[str], lo: int, hi: int, horizon: int) -> dict[str, dict]:
    """:func:`simulate_span` for several strategies at once (totals, no schedules), through
    :func:`planner.batch.compiled.book_loop_all`: the same totals, each debt's minimum-payment
    track worked out once for all of them."""
    from .compiled import FIELD_CODES, book_loop_all

    keys = [strategy_keys(s) for s in strategies]
    width = max(1, max(len(k) for k in keys))
    keyf = np.zeros((len(keys), width), dtype=np.int64)
    keyd = np.zeros((len(keys), width), dtype=np.bool_)
    for s, ks in enumerate(keys):
        keyf[s, :len(ks)] = [FIELD_CODES[k.field] for k in ks]
        keyd[s, :len(ks)] = [k.descending for k in ks]
    nkey = np.array([len(k) for k in keys], dtype=np.int64)
    totals = book_loop_all(lo, hi, *_loop_arrays(book), keyf, keyd, nkey, int(horizon))
    return {s: {k: v[i] for k, v in zip(_TOTALS, totals)} for i, s in enumerate(strategies)}


def simulate(a: dict, cascade: bool, horizon: int, want_schedule: bool) -> dict:
    """One chunk's month loop in plain numpy (see :func:`simulate_numpy`); :func:`simulate_span` is the compiled one."""
    return simulate_numpy(a, cascade, horizon, want_schedule)


def simulate_numpy(a: dict, cascade: bool, horizon: int, want_schedule: bool) -> dict:
    """The month loop of :func:`planner.engine._simulate`, one numpy step for every portfolio (no numba)."""
    P, D = a["bal"].shape
    out = {
        "months": np.full(P, -1, dtype=np.int64),
        "interest": np.zeros(P, dtype=np.int64),
        "paid": np.zeros(P, dtype=np.int64),
        "forgiven": np.zeros(P, dtype=np.int64),
        "remaining": np.zeros(P, dtype=np.int64),
        "unspent": np.zeros(P, dtype=np.int64),
        "status": np.zeros(P, dtype=np.int8),
        "infeasible_month": np.zeros(P, dtype=np.int64),
        "shortfall": np.zeros(P, dtype=np.int64),
        "fallback": a["bad"].copy(),
    }
    has_fees, has_defer, has_settle = "fees" in a, "dfrom" in a, "smonth" in a
    sched: list[tuple] = []
    if a["bad"].any():
        live = np.nonzero(~a["bad"])[0]  # chunk positions still being simulated
        s = {k: a[k][live] for k in _WORK if k in a}
        budget = a["budget"][live]
    else:
        live = np.arange(P)
        s = {k: a[k] for k in _WORK if k in a}
        budget = a["budget"]
    owed0 = s["bal"] + s["fees"] if has_fees else s["bal"]
    payoff = np.where(owed0 > 0, -1, 0)  # -1: not (yet) paid off
    # per-debt accumulators (summed when a portfolio leaves the working set)
    acc = {k: np.zeros_like(s["bal"]) for k in ("interest", "paid")}
    acc["forgiven"] = np.zeros_like(s["bal"]) if has_settle else None
    unspent = np.zeros(len(live), dtype=np.int64)
    m = 0

    def retire(keep: np.ndarray) -> None:
        """Write back the rows leaving the working set (``~keep``) and drop them."""
        nonlocal live, budget, payoff, s, acc, unspent
        gone = ~keep
        idx = live[gone]
        for k in ("interest", "paid", "forgiven"):
            if acc[k] is not None:
                out[k][idx] = acc[k][gone].sum(axis=1)
        out["unspent"][idx] = unspent[gone]
        end = s["bal"][gone] + s["fees"][gone] if has_fees else s["bal"][gone]
        out["remaining"][idx] = end.sum(axis=1)
        pay = payoff[gone]
        never = (pay < 0).any(axis=1)
        out["months"][idx] = np.where(never, -1, pay.max(axis=1, initial=0))
        out["status"][idx] = np.where(never & (out["status"][idx] == 0), 1, out["status"][idx])
        live, budget, payoff, unspent = live[keep], budget[keep], payoff[keep], unspent[keep]
        s = {k: v[keep] for k, v in s.items()}
        acc = {k: (v[keep] if v is not None else None) for k, v in acc.items()}

    while len(live) and m < horizon:
        bal = s["bal"]
        fees = s["fees"] if has_fees else None
        owed = bal + fees if has_fees else bal
        open_ = owed > 0
        any_open = open_.any(axis=1)
        done = len(live) - int(np.count_nonzero(any_open))
        if done and done * 2 >= len(live):  # half the working set has finished: compact it
            retire(any_open)
            continue
        m += 1
        # Closed debts (balance and fees 0) get 0 interest and 0 payments from the
        # formulas below, so masks are only needed for deferrals and settlements.
        settle = None
        if has_settle:
            settle = open_ & (s["smonth"] == m)
            if not settle.any():
                settle = None
        held = None
        if has_defer:
            held = (s["dfrom"] <= m) & (m < s["dto"]) & open_
            if not held.any():
                held = None
        over = None
        if (bal > s["limit"]).any():
            over = (bal > s["limit"]).any(axis=1)
        if settle is not None:
            big = (settle & (owed > (_SAFE // 2) // np.maximum(s["snum2"], 1))).any(axis=1)
            over = big if over is None else over | big
        if over is not None and over.any():  # int64 could overflow this month: the single engine takes over
            out["fallback"][live[over]] = True
            retire(~over)
            m -= 1
            continue
        opening = bal if want_schedule else None
        interest = half_up(bal * s["rnum"], s["rden"])
        if held is not None:
            interest[held & ~s["dint"]] = 0
        forgiven = None
        paid = None
        if settle is not None:
            interest[settle] = 0
            amount = np.where(settle, half_up(owed * s["snum"], s["sden"]), 0)
            paid = amount
            forgiven = np.where(settle, owed - amount, 0)
            bal = np.where(settle, 0, bal)
            if has_fees:
                fees = np.where(settle, 0, fees)
        bal = bal + interest
        due = bal + fees if has_fees else bal
        minimum = np.minimum(s["minp"], due)
        inactive = None
        if held is not None:
            inactive = held
        if settle is not None:
            inactive = settle if inactive is None else inactive | settle
        if inactive is not None:
            minimum[inactive] = 0
        required = minimum.sum(axis=1)
        short = required > budget
        if short.any():  # the single engine raises InfeasibleBudgetError here
            idx = live[short]
            shortfall = required[short] - budget[short]
            retire(~short)  # this month's state is discarded: only the working set shrinks
            for k in ("interest", "paid", "forgiven", "unspent", "remaining"):
                out[k][idx] = 0
            out["months"][idx] = -1
            out["status"][idx] = 2
            out["infeasible_month"][idx] = m
            out["shortfall"][idx] = shortfall
            m -= 1
            continue
        cash = budget - required
        pay = minimum
        if cascade:
            rest = due - minimum
            if inactive is not None:
                rest[inactive] = 0
            before = np.cumsum(rest, axis=1)
            before -= rest
            extra = cash[:, None] - before
            np.clip(extra, 0, rest, out=extra)
            pay = pay + extra
            cash = cash - extra.sum(axis=1)
        if has_fees:
            to_fees = np.minimum(pay, fees)
            fees = fees - to_fees
            bal = bal - (pay - to_fees)
            s["fees"] = fees
        else:
            bal = bal - pay
        if paid is not None:
            pay = pay + paid
        acc["interest"] += interest
        acc["paid"] += pay
        if forgiven is not None:
            acc["forgiven"] += forgiven
        unspent += np.where(any_open, cash, 0)
        closed = open_ & ((bal + fees == 0) if has_fees else (bal == 0))
        payoff[closed] = m
        if want_schedule:
            r, c = np.nonzero(open_)
            zeros = np.zeros(len(r), dtype=np.int64)
            sched.append(
                (
                    live[r], np.full(len(r), m, dtype=np.int64), s["orig"][r, c], opening[r, c], interest[r, c],
                    pay[r, c], bal[r, c], fees[r, c] if has_fees else zeros,
                    forgiven[r, c] if forgiven is not None else zeros,
                )
            )
        s["bal"] = bal
    retire(np.zeros(len(live), dtype=bool))
    if want_schedule:
        keys = _SCHEDULE_KEYS
        if sched:
            cols = [np.concatenate([part[k] for part in sched]) for k in range(len(keys))]
        else:
            cols = [np.zeros(0, dtype=np.int64) for _ in keys]
        order = np.lexsort((cols[2], cols[1], cols[0]))
        out["schedule"] = {k: v[order] for k, v in zip(keys, cols)}
    return out


__all__ = [
    "COMPILE_FROM",
    "batch_strategies",
    "chunk_arrays",
    "active_loop",
    "code_tables",
    "compiled_loop",
    "prepare",
    "priority_order",
    "rate_ratios",
    "settle_preload",
    "shares_tracks",
    "simulate",
    "simulate_numpy",
    "simulate_span",
    "simulate_spans",
    "strategy_keys",
    "together_loop",
    "use_compiled",
    "worth_compiling",
]
