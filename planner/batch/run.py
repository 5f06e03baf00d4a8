"""Running a whole book: chunks, worker processes, the exact single-engine fallback, tables."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from itertools import islice
from decimal import Decimal

import numpy as np

from ..debt import Debt
from ..errors import InfeasibleBudgetError, PlannerError
from ..money import to_cents
from .book import _RESULT_ARRAYS, Book, BatchResult, adjust, apply_scenario, book_from_debts, with_changes
from .kernel import _SCHEDULE_KEYS, batch_strategies, code_tables, compiled_loop, rate_ratios, simulate_span, strategy_keys
from .table import book_from_frame, read_table  # noqa: F401  (read_table: the CLI's and Dask's entry)

#: Portfolios per chunk: bounds memory (about 1 KB per debt while a chunk runs).
DEFAULT_CHUNK = 20_000
#: Portfolios per chunk when schedules are kept: a chunk's schedule rows (about 40 a debt,
#: 72 bytes each, for every strategy) are held until it is handed to the writer.
SCHEDULE_CHUNK = 2_000
_INT64_MAX = np.iinfo(np.int64).max


def _run_chunk(args) -> dict[str, dict]:
    """Portfolios ``lo`` to ``hi`` of a book under each strategy; a top-level function so worker processes can run it.

    The compiled loop reads the book's own arrays; a scenario works on the chunk's sub-book. The scenario (if any) is applied here,
    once for all strategies, and portfolios that left the fast path (int64
    overflow) are planned by the single engine here too, so both run in the workers.
    """
    book, lo, hi, strategies, horizon, want_schedule, scenario = args
    if scenario is not None:
        book = apply_scenario(book.take(np.arange(lo, hi)), scenario)
        lo, hi = 0, book.size
    out = {}
    for strategy in strategies:
        part = simulate_span(book, strategy, lo, hi, horizon, want_schedule)
        _finish_fallback(book, lo, part, strategy, horizon, want_schedule)
        out[strategy] = part
    return out


def _finish_fallback(book: Book, lo: int, part: dict, strategy: str, horizon: int, want_schedule: bool) -> None:
    """Plan the flagged portfolios of a chunk (book positions from ``lo``) with the single engine and put them in ``part``."""
    rows = np.nonzero(part["fallback"])[0]
    if not len(rows):
        return
    extra = []
    for p in rows:
        row = _fallback(book, lo + int(p), strategy, horizon, want_schedule)
        part["status"][p] = row["status"]
        for k in _MONEY_FIELDS:
            if part[k].dtype != object and abs(row[k]) > _INT64_MAX:
                part[k] = part[k].astype(object)  # beyond int64: keep Python integers
            part[k][p] = row[k]
        if want_schedule and row["schedule"] is not None:
            extra.append((int(p), row["schedule"]))
    if want_schedule:
        sch = part["schedule"]
        keep = ~np.isin(sch["portfolio"], rows)
        pieces = {k: [sch[k][keep]] for k in _SCHEDULE_KEYS}
        for p, cols in extra:
            pieces["portfolio"].append(np.full(len(cols[0]), p, dtype=np.int64))
            for k, values in zip(_SCHEDULE_KEYS[1:], cols):
                big = any(abs(v) > _INT64_MAX for v in values)
                pieces[k].append(np.array(values, dtype=object if big else np.int64))
        merged = {k: np.concatenate(v) for k, v in pieces.items()}
        order = np.lexsort((merged["debt"].astype(np.int64), merged["month"].astype(np.int64), merged["portfolio"].astype(np.int64)))
        part["schedule"] = {k: v[order] for k, v in merged.items()}


# ---------------------------------------------------------------------------
# running a whole book: chunks, worker processes, the exact fallback


def _fallback(book: Book, p: int, strategy: str, horizon: int, want_schedule: bool) -> dict:
    """One portfolio through the single engine (Python integers): the overflow path."""
    from ..engine import plan

    debts, changes = (book.changes or {}).get(p, (book.debts(p), None))
    budget = Decimal(int(book.budget[p])) / 100
    try:
        result = plan(debts, budget, strategy, horizon=horizon, changes=changes)
    except InfeasibleBudgetError as exc:
        return {
            "status": 2, "months": -1, "interest": 0, "paid": 0, "forgiven": 0, "remaining": 0, "unspent": 0,
            "infeasible_month": exc.month, "shortfall": to_cents(exc.required) - to_cents(exc.budget), "schedule": None,
        }
    c = result.cents()  # integer cents: no Decimal conversion of huge amounts
    months = None if any(x is None for x in c["payoff"]) else max(c["payoff"], default=0)
    return {
        "status": 0 if months is not None else 1,
        "months": months if months is not None else -1,
        "interest": sum(c["interest"]), "paid": sum(c["payment"]), "forgiven": sum(c["forgiven"]),
        "remaining": sum(c["end_owed"]), "unspent": c["unspent"], "infeasible_month": 0, "shortfall": 0,
        "schedule": tuple(c[k] for k in _SCHEDULE_KEYS[1:]) if want_schedule else None,
    }


_MONEY_FIELDS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "infeasible_month", "shortfall")


def run_book(
    book: Book,
    strategy: str = "avalanche",
    *,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    scenario=None,
) -> BatchResult:
    """Plan every portfolio of ``book`` under ``strategy``; see :func:`plan_batch`.

    ``progress`` is called with the number of portfolios each finished chunk held.
    ``scenario`` is applied to every portfolio first (see :func:`adjust`).
    """
    return run_books(book, [strategy], horizon=horizon, schedules=schedules, workers=workers,
                     chunk_size=chunk_size, progress=progress, scenario=scenario)[strategy]


def run_books(
    book: Book,
    strategies: Sequence[str],
    *,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    scenario=None,
    on_schedule: Callable[[str, dict], None] | None = None,
    on_result: Callable[[str, BatchResult], None] | None = None,
    on_rows: Callable[[str, BatchResult], None] | None = None,
    start_method: str | None = None,
) -> dict[str, BatchResult]:
    """:func:`run_book` for several strategies in one pass over the chunks (scenario applied once).

    The strategies share each chunk's table, scenario and sort-key columns. With
    ``schedules`` and ``on_schedule``, each chunk's schedule is handed to
    ``on_schedule(strategy, schedule)`` (long arrays, ``portfolio`` as a position in
    the book) as the chunk finishes and is not kept: memory stays bounded by the chunk.

    With ``on_result``, each strategy's result goes to ``on_result(strategy, result)``,
    in the order of ``strategies``, as soon as it is complete, and is not kept (the
    dict returned is then empty). Where the chunks share nothing between strategies
    (no scenario, no schedules), the workers plan one strategy after
    another, so the caller writes one strategy's results while the next is planned. Where
    they plan every strategy of a chunk together, the first strategy's rows also go to
    ``on_rows(strategy, part)`` chunk by chunk, in order, as they finish (``part`` a
    :class:`BatchResult` of those portfolios), before its whole result goes to ``on_result``.

    ``workers`` (default: the usable cores for a book of 20,000 portfolios or more, see
    :func:`usable_cores`) plan chunks at once. Without a scenario they are threads of this
    process: the compiled loop releases the GIL, and the threads read the book where it is (no
    copy, no new process; on 10^6 × 5 about 0.4 s faster than processes, whose first touch of
    the shared book costs page faults: docs/performance.md). With a scenario, or a
    ``start_method`` given, they are processes, because applying a scenario is Python: they read
    the book from shared memory (:mod:`planner.batch.shared`) and write their totals there;
    ``start_method`` is the :mod:`multiprocessing` start method (default ``fork`` where there is
    one, else the platform's; ``spawn`` gives the same results).
    """
    _check_run(strategies, horizon, chunk_size)
    strategies = list(strategies)
    workers = _workers(workers, book.size)
    bounds = _chunk_bounds(book.size, chunk_size, schedules, workers)
    spans = list(zip(bounds[:-1], bounds[1:]))
    _prepare_loops(book)
    tasks = _tasks(strategies, spans, on_result is not None and scenario is None and not schedules)
    gather = _Gather(book, strategies, bounds, schedules and on_schedule is None, progress, on_schedule, on_result, on_rows)
    job = (horizon, schedules, scenario)
    if workers > 1 and scenario is None and start_method is None:
        _run_in_threads(book, tasks, job, workers, gather)
    elif workers > 1:
        _run_in_workers(book, tasks, job, workers, start_method, gather)
    else:
        for task in tasks:
            names, lo, hi = task
            gather.add(task, _run_chunk((book, lo, hi, list(names), *job)))
    return gather.finish()


def _check_run(strategies: Sequence[str], horizon, chunk_size) -> None:
    """Refuse a strategy the batch engine cannot run, a horizon outside 1..1200 months, a chunk size below 1."""
    for strategy in strategies:
        strategy_keys(strategy)  # raises for a strategy the batch engine cannot run
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 1200:
        raise PlannerError("batch.run.horizon_months", horizon=horizon)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise PlannerError("batch.run.chunk_size_positive_whole", chunk_size=chunk_size)


def _chunk_bounds(portfolios: int, chunk_size: int, schedules: bool, workers: int) -> list[int]:
    """Where the chunks start (and the end): smaller chunks when schedules are kept, a multiple of ``workers`` chunks."""
    if schedules:
        chunk_size = min(chunk_size, SCHEDULE_CHUNK)
    chunks = -(-portfolios // chunk_size)
    if workers > 1:  # an equal share for each worker: a multiple of ``workers`` chunks
        chunks = -(-chunks // workers) * workers
        chunk_size = max(1, -(-portfolios // chunks))
    return list(range(0, portfolios, chunk_size)) + [portfolios]


def _prepare_loops(book: Book) -> None:
    """Load (or compile) the month loop and the book's code tables once, before any worker starts."""
    compiled_loop()
    rate_ratios(book)  # once per book; the chunks share it
    code_tables(book)


def _tasks(strategies: list[str], spans: list[tuple[int, int]], one_by_one: bool) -> list[tuple]:
    """The tasks ``(strategies, lo, hi)``: strategy by strategy when the caller takes each result as it is
    complete and the chunks share nothing between strategies, else every strategy of a chunk together."""
    if one_by_one:
        return [((s,), lo, hi) for s in strategies for lo, hi in spans]
    return [(tuple(strategies), lo, hi) for lo, hi in spans]


class _Gather:
    """The finished chunks of a run, in order: schedules handed over, each strategy merged when complete."""

    def __init__(self, book: Book, strategies: list[str], bounds: list[int], keep: bool, progress, on_schedule, on_result, on_rows):
        self.book, self.strategies, self.bounds, self.keep = book, strategies, bounds, keep
        self.progress, self.on_schedule, self.on_result, self.on_rows = progress, on_schedule, on_result, on_rows
        self.chunks = len(bounds) - 1
        self.pieces: dict[str, list] = {s: [] for s in strategies}
        self.results: dict[str, BatchResult] = {}
        #: Per strategy, the totals the workers wrote into shared memory (views, while the run lasts),
        #: their segments' specs, and how to release one (set by :func:`_run_in_workers`).
        self.shared: dict = {}
        self.segments: dict = {}
        self.release = None

    def add(self, task: tuple, part: dict) -> None:
        """Take one finished chunk: hand over its schedules and first strategy's rows, merge what is complete."""
        names, lo, hi = task
        _hand_over(part, lo, self.on_schedule)
        first = self.strategies[0]
        if self.on_rows is not None and len(names) > 1 and names[0] == first:
            self.on_rows(first, _part(self.book, first, part[first], lo, hi, self.shared.get(first)))
        for name in names:
            self.pieces[name].append(part[name])
            if len(self.pieces[name]) == self.chunks:  # the strategy is complete
                self._done(name)
        if self.progress:
            self.progress((hi - lo) * len(names))

    def _done(self, name: str) -> None:
        result = _merge(self.book, name, self.pieces.pop(name), self.bounds, self.keep, self.shared.pop(name, None))
        if name in self.segments:  # copied out: its shared totals go now, not at the end of the run
            self.release(self.segments.pop(name))
        if self.on_result is not None:
            self.on_result(name, result)
        else:
            self.results[name] = result

    def finish(self) -> dict[str, BatchResult]:
        """The results (empty when they went to ``on_result``); an empty book's strategies get empty results."""
        for name in list(self.pieces):  # an empty book has no chunks: each strategy's empty result
            self._done(name)
        return self.results


def _run_in_threads(book: Book, tasks: list, job: tuple, workers: int, gather: _Gather) -> None:
    """Run ``tasks`` in ``workers`` threads of this process, handing each finished chunk to ``gather`` in order.

    The compiled loop runs without the GIL (``nogil``), so the threads plan at once on the book as
    it is; the book's caches (code tables, rate ratios) are made before they start. At most two
    chunks per thread are in flight, so memory stays bounded as with processes.
    """
    from concurrent.futures import ThreadPoolExecutor

    def submit(pool, task):
        names, lo, hi = task
        return pool.submit(_run_chunk, (book, lo, hi, list(names), *job))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planner-batch") as pool:
        waiting: deque = deque()
        todo = iter(tasks)
        for task in islice(todo, 2 * workers):
            waiting.append((task, submit(pool, task)))
        while waiting:
            task, future = waiting.popleft()
            part = future.result()
            for more in islice(todo, 1):
                waiting.append((more, submit(pool, more)))
            gather.add(task, part)


def _run_in_workers(book: Book, tasks: list, job: tuple, workers: int, start_method: str | None, gather: _Gather) -> None:
    """Run ``tasks`` in worker processes reading the book from shared memory, handing each finished chunk to ``gather`` in order.

    Only chunk bounds go out, and only schedules and the rare amounts beyond int64 come back
    through the pipes: the totals go into shared memory. The segments are this process's,
    unlinked when the run ends, however it ends.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .shared import Segments, share_book

    segments = Segments()
    try:
        specs = {}
        for name in gather.strategies:
            specs[name], gather.shared[name] = segments.empty(_total_shapes(book.size))
        gather.segments, gather.release = dict(specs), segments.release
        start = (share_book(book, segments), job, specs)
        context = multiprocessing.get_context(start_method or _start_method())
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker, initargs=start) as pool:
            # At most two chunks per worker in flight: finished chunks (with their schedules)
            # wait here only while the one before them is handed over, so memory stays bounded
            # however slowly the schedules are written.
            waiting: deque = deque()
            todo = iter(tasks)
            for task in islice(todo, 2 * workers):
                waiting.append((task, pool.submit(_run_shared, task)))
            while waiting:
                task, future = waiting.popleft()
                part = future.result()
                for more in islice(todo, 1):
                    waiting.append((more, pool.submit(_run_shared, more)))
                gather.add(task, part)
    finally:
        gather.shared.clear()  # the views go before their segments
        segments.close()


def _part(book: Book, strategy: str, part: dict, lo: int, hi: int, shared: dict | None) -> BatchResult:
    """One chunk's result (portfolios ``lo`` to ``hi``) as a :class:`BatchResult`; totals from the
    shared arrays where the worker wrote them there."""

    def get(k):  # a copy of the shared rows: the segment is unlinked when the run ends
        return shared[k][lo:hi].copy() if shared is not None and part[k] is None else part[k]

    return BatchResult(
        ids=book.ids[lo:hi], strategy=strategy, months=get("months"), interest=get("interest"), paid=get("paid"),
        forgiven=get("forgiven"), remaining=get("remaining"), unspent=get("unspent"),
        status_code=np.asarray(get("status"), dtype=np.int8), infeasible_month=get("infeasible_month"),
        shortfall=get("shortfall"), fallback=int(np.count_nonzero(get("fallback"))),
    )


def _hand_over(part: dict, lo: int, on_schedule) -> dict:
    """Give a finished chunk's schedules to ``on_schedule`` (positions made book-wide) and drop them."""
    if on_schedule is not None:
        for strategy, result in part.items():
            sch = result.pop("schedule", None)
            if sch is not None:
                sch["portfolio"] = sch["portfolio"] + lo
                on_schedule(strategy, sch)
    return part


def _merge(book: Book, strategy: str, parts: list[dict], bounds: list[int], schedules: bool, shared: dict | None = None) -> BatchResult:
    """One strategy's result from its chunks' parts (in order); with ``shared``, the totals the
    workers wrote into shared memory, and the parts carry only what did not fit there."""

    def cat(k, dtype=np.int64):
        if shared is not None:
            whole = shared[k]
            if all(part[k] is None for part in parts):
                return whole.copy()  # out of the segment, which is unlinked when the run ends
            whole = whole.astype(object)  # amounts beyond int64 came back as Python integers
            for lo, hi, part in zip(bounds, bounds[1:], parts):
                if part[k] is not None:
                    whole[lo:hi] = part[k]
            return whole
        arrays = [part[k] for part in parts]
        if not arrays:
            return np.zeros(0, dtype=dtype)
        if any(a.dtype == object for a in arrays):
            return np.concatenate([a.astype(object) for a in arrays])
        return np.concatenate(arrays)

    schedule = None
    if schedules:
        schedule = {}
        for k in _SCHEDULE_KEYS:
            pieces = [part["schedule"][k] + (lo if k == "portfolio" else 0) for lo, part in zip(bounds, parts)]
            if any(p.dtype == object for p in pieces):
                pieces = [p.astype(object) for p in pieces]
            schedule[k] = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    fallback = cat("fallback", bool)
    return BatchResult(
        ids=book.ids if isinstance(book.ids, np.ndarray) else list(book.ids),
        strategy=strategy,
        months=cat("months"),
        interest=cat("interest"),
        paid=cat("paid"),
        forgiven=cat("forgiven"),
        remaining=cat("remaining"),
        unspent=cat("unspent"),
        status_code=cat("status", np.int8).astype(np.int8),
        infeasible_month=cat("infeasible_month"),
        shortfall=cat("shortfall"),
        fallback=int(np.count_nonzero(fallback)),
        schedule=schedule,
    )


#: In a worker process: its book, job and the shared totals (set by :func:`_start_worker`).
_WORKER: tuple | None = None


def _start_worker(book, job, specs: dict) -> None:
    """A worker's start (any start method): attach to the shared book and totals, load the month loop."""
    global _WORKER
    from .shared import attach_arrays, attach_book

    compiled_loop()
    _WORKER = (attach_book(book), job, {name: attach_arrays(spec) for name, spec in specs.items()})


def _run_shared(task: tuple) -> dict:
    """A worker's task: plan the chunk, put its totals into the shared arrays, return the rest."""
    book, job, shared = _WORKER
    names, lo, hi = task
    part = _run_chunk((book, lo, hi, list(names), *job))
    for name, result in part.items():
        for k, whole in shared[name].items():
            if result[k].dtype != object:  # Python integers (beyond int64) go back through the pipe
                whole[lo:hi] = result[k]
                result[k] = None
    return part


#: The totals of one portfolio under one strategy, as the loops return them.
_TOTAL_TYPES = {"status": np.int8, "fallback": np.bool_}


def _total_shapes(portfolios: int) -> dict[str, tuple[np.dtype, int]]:
    """One strategy's totals arrays (dtype, length), for the workers to fill in shared memory."""
    from .kernel import _TOTALS

    return {k: (np.dtype(_TOTAL_TYPES.get(k, np.int64)), portfolios) for k in _TOTALS}


def usable_cores() -> int:
    """The cores this process may run on: ``os.process_cpu_count()`` (Python 3.13+), else the
    CPU affinity mask where there is one, else ``os.cpu_count()``."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _start_method() -> str | None:
    """``fork`` where the platform has it (the workers start in milliseconds, the compiled loop
    already loaded), else the platform's default; the workers need nothing inherited either way."""
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else None


def _workers(workers: int | None, portfolios: int) -> int:
    """How many worker processes: as asked, else the usable cores for a large book, one for a small one."""
    if workers is None:
        # Starting processes costs ~0.1 s: only worth it for a large book.
        workers = usable_cores() if portfolios >= 20_000 else 1
    return max(1, min(int(workers), portfolios))  # chunks are then split to give each worker a share


def plan_batch(
    portfolios: Sequence[Sequence[Debt]],
    budgets: Sequence,
    strategy: str = "avalanche",
    *,
    ids: Sequence | None = None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    scenario=None,
) -> BatchResult:
    """Plans for many portfolios (lists of :class:`Debt`) at once, equal to :func:`planner.engine.plan` on each.

    ``budgets`` are monthly budgets in yuan, one per portfolio. ``scenario`` (a
    :class:`planner.negotiation.Scenario`) is applied to every portfolio first
    (see :func:`adjust`). Returns a :class:`BatchResult` (money in integer
    cents); ``.to_frame()`` gives a table.
    """
    if not isinstance(strategy, str) or strategy not in batch_strategies():
        raise PlannerError(
            "batch.run.batch_engine_not_support",
            v=', '.join(batch_strategies()),
            strategy=str(strategy)[:40],
        )
    book = None
    if scenario is not None:
        portfolios = [adjust(scenario, debts) for debts in portfolios]
        book = with_changes(book_from_debts(portfolios, budgets, ids), portfolios, scenario)
    return run_book(
        book if book is not None else book_from_debts(portfolios, budgets, ids),
        strategy,
        horizon=horizon,
        schedules=schedules,
        workers=workers,
        chunk_size=chunk_size,
    )


# ---------------------------------------------------------------------------
# files and tables: what ``planner batch`` and the Dask engine call


def strategy_list(strategies) -> list[str]:
    names = [strategies] if isinstance(strategies, str) else list(strategies)
    out: list[str] = []
    for name in names:
        for part in str(name).split(","):
            part = part.strip()
            if part == "all":
                out.extend(batch_strategies())
            elif part:
                out.append(part)
    out = list(dict.fromkeys(out))
    for name in out:
        if name not in batch_strategies():
            raise PlannerError("batch.run.batch_engine_not_support_2", name=name, v=', '.join(batch_strategies()))
    return out or ["avalanche"]


def batch_frame(
    frame,
    budget_column: str = "budget",
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    source: str = "table",
    id_column: str = "portfolio_id",
    progress: Callable[[int], None] | None = None,
    schedule_writer=None,
):
    """Results for a long table: one row per portfolio and strategy (and the schedules when asked).

    Returns ``(results, schedules)``; ``schedules`` is ``None`` unless asked for:
    a long frame of portfolio_id, strategy, month, debt and the amounts in yuan.
    With a ``schedule_writer`` (a :class:`ScheduleWriter`) the schedules go to it
    chunk by chunk instead, never whole in memory, and ``schedules`` is ``None``.
    The table is read into a :class:`Book` by :func:`book_from_frame`; then
    :func:`batch_book` runs it.
    """
    names = strategy_list(strategies)
    book = book_from_frame(frame, budget_column, source=source, id_column=id_column)
    return batch_book(book, names, scenario=scenario, horizon=horizon, schedules=schedules, workers=workers,
                      chunk_size=chunk_size, progress=progress, schedule_writer=schedule_writer)


def batch_book(
    book: Book,
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    schedule_writer=None,
):
    """:func:`batch_frame` for a book already read (the caller can drop the table first)."""
    import pandas as pd

    names = strategy_list(strategies)
    runs = batch_results(book, names, scenario=scenario, horizon=horizon, schedules=schedules, workers=workers,
                         chunk_size=chunk_size, progress=progress, schedule_writer=schedule_writer)
    if schedule_writer is not None:
        schedules = False
    schedule_frames = [schedule_frame(book, runs[name]) for name in names] if schedules else []
    return results_frame(runs, names, scenario), (pd.concat(schedule_frames, ignore_index=True) if schedules else None)


def batch_results(
    book: Book,
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    schedule_writer=None,
    on_result: Callable[[str, BatchResult], None] | None = None,
    on_rows: Callable[[str, BatchResult], None] | None = None,
) -> dict[str, BatchResult]:
    """:func:`batch_book`'s plans as one :class:`BatchResult` per strategy (integer cents), before
    any table is made; with a ``schedule_writer`` the schedules go to it chunk by chunk; with
    ``on_result`` each strategy's result goes to it when complete, and with ``on_rows`` the
    first strategy's rows chunk by chunk where the strategies are planned together (see
    :func:`run_books`)."""
    names = strategy_list(strategies)
    sink = None
    if schedules and schedule_writer is not None:
        def sink(strategy, sch):
            table = _schedule_table(book, strategy, sch)
            schedule_writer.add(strategy, table if table is not None else _schedule_frame(book, strategy, sch))
    return run_books(book, names, horizon=horizon, schedules=schedules, workers=workers, chunk_size=chunk_size,
                     progress=progress, scenario=scenario, on_schedule=sink, on_result=on_result, on_rows=on_rows)


def results_frame(runs: dict[str, BatchResult], strategies: Sequence[str], scenario=None):
    """The results table of :func:`batch_book`: the strategies' rows one after the other (pandas)."""
    import pandas as pd

    results = [runs[name].to_frame() for name in strategies]
    table = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    if scenario is not None:
        table.insert(2, "scenario", pd.array([scenario.name] * len(table), dtype="string"))
    return table


def results_arrow(runs: dict[str, BatchResult], strategies: Sequence[str]):
    """:func:`results_frame` (without a scenario) as one pyarrow Table, built without pandas:
    what ``planner batch`` writes to Parquet for millions of rows."""
    import pyarrow as pa

    return pa.concat_tables([runs[name].to_arrow() for name in strategies])


class ResultsParquet:
    """Results to Parquet strategy by strategy, each encoded in a background thread as it arrives
    (``add``, e.g. as :func:`batch_results`'s ``on_result``) while the workers plan the next.
    Rows in the order added, as :func:`results_arrow` gives them. A strategy's rows may come in
    pieces first (:meth:`add_rows`, as ``on_rows``); its whole result is then not written again.

    With ``path``, the file is written as it goes into a temporary file beside it, flushed to
    disk strategy by strategy, and :meth:`finish` renames it into place (refusing to write over
    any of ``inputs``); without, :meth:`finish` returns the file's bytes.

    One thread builds each result's Arrow table while another writes the one before. The
    threads start at the first ``add``: make it before the workers fork if you like, but add
    only after they have (the pool forks them at its first tasks), so that no thread of ours
    is running when a process forks.
    """

    def __init__(self, path=None, *, inputs: Sequence = ()):
        import io
        from concurrent.futures import ThreadPoolExecutor

        from ..io import AtomicFile

        self.file = AtomicFile(path, inputs=inputs) if path is not None else None
        self.sink = str(self.file.temp) if self.file is not None else io.BytesIO()
        self.writer = None
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-write-results")
        self.tables = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-arrow-results")
        self.pending: list = []
        self.in_pieces: set[str] = set()
        self.held: list[BatchResult] = []  # pieces waiting to make a row group of ROW_GROUP rows
        self.syncs: list = []  # flushes to disk, beside the writing

    #: Rows a piece-by-piece strategy's row groups gather before they are written: a row group
    #: (and its Arrow table) a chunk of 20,000 rows costs about twice the CPU of large ones.
    ROW_GROUP = 200_000

    def add(self, result: BatchResult) -> None:
        self._release()
        if result.strategy not in self.in_pieces:
            self.pending.append(self.thread.submit(self._write, self.tables.submit(_encoded_table, result), True))

    def add_rows(self, part: BatchResult) -> None:
        """Some of a strategy's rows, in order; the rest follow the same way."""
        if self.held and self.held[0].strategy != part.strategy:
            self._release()
        self.in_pieces.add(part.strategy)
        self.held.append(part)
        if sum(len(p.status_code) for p in self.held) >= self.ROW_GROUP:
            self._release()

    def _release(self) -> None:
        if self.held:
            pieces, self.held = self.held, []
            self.pending.append(self.thread.submit(self._write, self.tables.submit(_encoded_pieces, pieces), False))

    def _write(self, table, whole: bool) -> None:
        import pyarrow.parquet as pq

        table = table.result()
        if self.writer is None:
            # The table's own schema (text labels, pandas' metadata) is what pyarrow stores in
            # the file (``store_schema``), so it reads back as the plain table does.
            self.writer = pq.ParquetWriter(self.sink, table.schema, **results_parquet_options(table.schema))
        self.writer.write_table(table)
        if whole and self.file is not None:  # to disk while the next is encoded, not all at the end
            self.syncs.append(self.tables.submit(self.file.sync))

    def finish(self):
        """Wait for every result added to be written (an error in writing is raised here); the
        file's path (renamed into place) or, without a path, its bytes."""
        try:
            try:
                self._release()
                for future in self.pending:
                    future.result()
                for future in self.syncs:
                    future.result()
            finally:
                self.thread.shutdown(wait=True)
                self.tables.shutdown(wait=True)
            if self.writer is None:
                raise PlannerError("batch.run.no_results")
            self.writer.close()
        except BaseException:
            self.abandon()
            raise
        if self.file is None:
            return self.sink.getvalue()
        return self.file.commit()

    def abandon(self) -> None:
        """Stop without a file (the run failed): results not yet written are dropped, and the
        temporary file is removed."""
        self.thread.shutdown(wait=True, cancel_futures=True)
        self.tables.shutdown(wait=True, cancel_futures=True)
        if self.file is not None:
            if self.writer is not None:
                try:
                    self.writer.close()
                except Exception:  # noqa: BLE001 - half-written: it is removed anyway
                    pass
            self.file.discard()


def schedule_frame(book: Book, result: BatchResult):
    """The schedules of a :class:`BatchResult` as a long DataFrame (yuan as floats)."""
    return _schedule_frame(book, result.strategy, result.schedule)


_MONEY_COLUMNS = (("opening", "opening_balance"), ("interest", "interest"), ("payment", "payment"),
                  ("closing", "closing_balance"), ("fees", "fees_owed"), ("forgiven", "forgiven"))


def _schedule_frame(book: Book, strategy: str, sch: dict):
    import pandas as pd

    p = sch["portfolio"].astype(np.int64)
    rows = book.start[p] + sch["debt"].astype(np.int64)
    ids = book.ids if isinstance(book.ids, np.ndarray) else np.asarray(book.ids, dtype=object)
    names = np.asarray(book.names, dtype=object)
    frame = pd.DataFrame(
        {
            "portfolio_id": ids[p] if len(p) else np.zeros(0, dtype=object),
            "strategy": pd.array([strategy] * len(p), dtype="string"),
            "month": sch["month"].astype(np.int64),
            "debt": pd.array(names[book.name_code[rows]] if len(p) else [], dtype="string"),
        }
    )
    for key, column in _MONEY_COLUMNS:
        frame[column] = np.asarray(sch[key] / 100, dtype=np.float64)
    return frame


def _schedule_table(book: Book, strategy: str, sch: dict):
    """A chunk's schedule as a pyarrow Table with the columns of :func:`schedule_frame`, built in
    Arrow (ids and names taken by index, no Python string per row); ``None`` where the ids do not
    make one Arrow column (mixed types), for the pandas path."""
    import pyarrow as pa

    key = ("arrow ids", len(book.ids))
    if key not in book.cache:
        try:
            book.cache[key] = (pa.array(book.ids), pa.array(book.names, type=pa.string()))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            book.cache[key] = None
    if book.cache[key] is None:
        return None
    ids, names = book.cache[key]
    p = sch["portfolio"].astype(np.int64)
    rows = book.start[p] + sch["debt"].astype(np.int64)
    columns = {
        "portfolio_id": ids.take(pa.array(p)),
        "strategy": pa.array([strategy], type=pa.string()).take(pa.array(np.zeros(len(p), dtype=np.int32))),
        "month": pa.array(sch["month"].astype(np.int64)),
        "debt": names.take(pa.array(book.name_code[rows])),
    }
    for k, column in _MONEY_COLUMNS:
        columns[column] = pa.array(np.asarray(sch[k] / 100, dtype=np.float64))
    return pa.table(columns)


class ScheduleWriter:
    """Schedules written as chunks finish: Parquet row groups or CSV lines, never the whole table in memory.

    The rows go in strategy order, as writing the whole frame at once would put
    them. Parquet: the first strategy's rows are encoded straight into the output
    (a temporary file in the target's folder); the other strategies' rows wait in
    compressed Arrow files beside it and are encoded after them at :meth:`close`,
    so each row is encoded to Parquet once. CSV: one temporary file per strategy,
    joined line block by line block. :meth:`close` renames the result into place.
    Refuses to write over an input. Use as a context manager.
    """

    def __init__(self, path, strategies: Sequence[str], *, inputs: Sequence = ()):
        from pathlib import Path

        import tempfile

        from ..io import output_target, refuse_inputs

        # Not a device, FIFO, socket or folder (renaming over /dev/null would replace it);
        # a symlink is written through to the file it names.
        self.path = output_target(path)
        refuse_inputs(self.path, inputs)
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if self.path.is_dir() or not folder.is_dir():
            raise PlannerError("batch.run.cannot_write", path=self.path)
        self.parquet = self.path.suffix.lower() in (".parquet", ".pq")
        self.strategies = list(strategies)
        self.folder = folder
        self.temps = {}
        try:
            # Fresh files of our own (O_EXCL): never a fixed name that could already be a symlink.
            for k, s in enumerate(self.strategies):
                fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.{k}.", suffix=".part", dir=folder)
                os.close(fd)
                self.temps[s] = Path(name)
        except OSError as exc:
            self._remove()
            raise PlannerError("batch.run.cannot_write_2", path=self.path, strerror=exc.strerror) from None
        self.writers: dict = {}
        self.empty = None  # an empty frame with the columns, for a book without rows

    def add(self, strategy: str, frame) -> None:
        """Append a chunk's rows for ``strategy``: a DataFrame or a pyarrow Table with the same columns."""
        import pandas as pd

        if self.empty is None:
            self.empty = frame.iloc[:0] if isinstance(frame, pd.DataFrame) else frame.slice(0, 0).to_pandas()
        if not len(frame):
            return
        if self.parquet:
            import pyarrow as pa

            table = pa.Table.from_pandas(frame, preserve_index=False) if isinstance(frame, pd.DataFrame) else frame
            if strategy not in self.writers:
                self.writers[strategy] = self._open(strategy, table.schema)
            self.writers[strategy].write_table(table)
        else:
            from ..io import excel_safe

            safe = frame.copy() if isinstance(frame, pd.DataFrame) else frame.to_pandas()
            for column in safe.columns:
                if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
                    safe[column] = safe[column].map(excel_safe, na_action="ignore")
            if strategy not in self.writers:
                self.writers[strategy] = open(self.temps[strategy], "w", encoding="utf-8", newline="")
            self.writers[strategy].write(safe.to_csv(index=False, header=False, lineterminator="\r\n"))

    def _open(self, strategy: str, schema):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if strategy == self.strategies[0]:
            return pq.ParquetWriter(self.temps[strategy], schema, **_PARQUET_OPTIONS)
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        return pa.ipc.new_file(str(self.temps[strategy]), schema, options=options)

    def close(self) -> None:
        """Finish the file (the waiting strategies' rows after the first's) and rename it into place."""
        import shutil

        import tempfile
        from pathlib import Path

        final = None
        try:
            if self.parquet:
                import pyarrow as pa
                import pyarrow.parquet as pq

                first = self.strategies[0]
                writer = self.writers.pop(first, None)
                for s in self.strategies[1:]:
                    spool = self.writers.pop(s, None)
                    if spool is None:
                        continue
                    spool.close()
                    with pa.memory_map(str(self.temps[s])) as source:
                        reader = pa.ipc.open_file(source)
                        for k in range(reader.num_record_batches):
                            batch = reader.get_batch(k)
                            if writer is None:
                                writer = pq.ParquetWriter(self.temps[first], batch.schema, **_PARQUET_OPTIONS)
                            writer.write_batch(batch)
                if writer is None:
                    empty = self.empty if self.empty is not None else _empty_schedule()
                    pq.write_table(pa.Table.from_pandas(empty, preserve_index=False), self.temps[first])
                else:
                    writer.close()
                final = self.temps.pop(first)
            else:
                for w in self.writers.values():
                    w.close()
                self.writers = {}
                fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.joined.", suffix=".part", dir=self.folder)
                os.close(fd)
                final = Path(name)
                columns = list((self.empty if self.empty is not None else _empty_schedule()).columns)
                with open(final, "w", encoding="utf-8", newline="") as out:
                    out.write("\ufeff" + ",".join(columns) + "\r\n")
                    for s in self.strategies:
                        with open(self.temps[s], encoding="utf-8", newline="") as part:
                            shutil.copyfileobj(part, out, 1 << 20)
            os.replace(final, self.path)
            final = None
        finally:
            for w in self.writers.values():
                w.close()
            self.writers = {}
            self._remove(*([final] if final is not None else []))

    def _remove(self, *extra) -> None:
        for f in (*self.temps.values(), *extra):
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.close()
        else:
            for w in self.writers.values():
                w.close()
            self.writers = {}
            self._remove()
        return False


#: Parquet for schedules: dictionary pages for the text columns only (ids, strategy, debt names
#: repeat; amounts rarely do), Snappy as pyarrow's default (read everywhere).
_PARQUET_OPTIONS = {"use_dictionary": ["portfolio_id", "strategy", "debt"]}
#: Parquet for results: the same, for their text and month columns (unique amounts in a
#: dictionary cost a third of the write time, then are dropped for plain pages anyway).
RESULTS_PARQUET_OPTIONS = {"use_dictionary": ["strategy", "scenario", "status", "months", "infeasible_month"]}


#: Result columns whose amounts hardly ever repeat from one portfolio to the next: written
#: uncompressed. Snappy saves 29% of their bytes for 40% of a results file's encoding
#: time (10^6 rows: 0.134 s and 18.8 MB with, 0.082 s and 25.8 MB without).
_UNIQUE_AMOUNTS = ("total_interest", "total_paid", "unspent")


def results_parquet_options(schema) -> dict:
    """:data:`RESULTS_PARQUET_OPTIONS` for a results table of ``schema``: whole-number portfolio
    ids delta-encoded (a book's ids mostly count up: 0.1 bytes a row and half the time of plain
    pages compressed, for 8 bytes a row); :data:`_UNIQUE_AMOUNTS` uncompressed, the rest Snappy."""
    import pyarrow as pa

    options = dict(RESULTS_PARQUET_OPTIONS)
    options["compression"] = {name: "none" if name in _UNIQUE_AMOUNTS else "snappy" for name in schema.names}
    if "portfolio_id" in schema.names and pa.types.is_integer(schema.field("portfolio_id").type):
        options["column_encoding"] = {"portfolio_id": "DELTA_BINARY_PACKED"}
    return options


def _encoded_table(result: BatchResult):
    return result.to_arrow()


def _encoded_pieces(pieces: list[BatchResult]):
    """One table of a strategy's consecutive pieces (:func:`_encoded_table` of them joined)."""
    if len(pieces) == 1:
        return _encoded_table(pieces[0])
    first = pieces[0]

    def join(values):
        return np.concatenate([np.asarray(v, dtype=object) for v in values]) if any(
            np.asarray(v).dtype == object for v in values) else np.concatenate(values)

    ids = join([p.ids for p in pieces]) if isinstance(first.ids, np.ndarray) else [i for p in pieces for i in p.ids]
    fields = {k: join([getattr(p, k) for p in pieces]) for k in _RESULT_ARRAYS}
    return _encoded_table(BatchResult(ids=ids, strategy=first.strategy, **fields,
                                      fallback=sum(p.fallback for p in pieces)))



def _empty_schedule():
    import pandas as pd

    columns = ["portfolio_id", "strategy", "month", "debt", "opening_balance", "interest", "payment",
               "closing_balance", "fees_owed", "forgiven"]
    return pd.DataFrame({c: [] for c in columns})


__all__ = [
    "DEFAULT_CHUNK",
    "SCHEDULE_CHUNK",
    "ScheduleWriter",
    "batch_book",
    "RESULTS_PARQUET_OPTIONS",
    "ResultsParquet",
    "batch_frame",
    "batch_results",
    "plan_batch",
    "results_arrow",
    "results_frame",
    "run_book",
    "run_books",
    "schedule_frame",
    "strategy_list",
]
