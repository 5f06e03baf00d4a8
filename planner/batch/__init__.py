"""Plans for many portfolios at once, exactly equal to :func:`planner.engine.plan` on each.

Imports numpy when imported: the single-plan command line never imports this package.
Rooms: :mod:`.book` (portfolios as long integer arrays, scenarios), :mod:`.table`
(a long CSV/Parquet table to a book), :mod:`.kernel` (sort keys, loading and feeding the
month loop), :mod:`.compiled` (the month loop, compiled with numba: the batch extra), :mod:`.run` (chunks,
workers, the exact fallback, result tables), :mod:`.dask` (partitioned tables).

Every strategy in :data:`planner.strategies.STRATEGIES` defined by sort keys runs
here (``BATCH_STRATEGIES`` is read from that registry each time).

>>> from planner.debt import Debt
>>> r = plan_batch([[Debt("A", 1000, 12, 100)], [Debt("A", 500, 0, 50), Debt("B", 10, 0, 1)]], [600, 100])
>>> r.months.tolist(), r.interest.tolist(), r.status
([2, 6], [1410, 0], ['ok', 'ok'])
"""

from .book import BatchResult, Book, adjust, apply_scenario, book_from_debts, later_changes
from .dask import batch_dask, dask_inputs
from .kernel import available, batch_strategies, prepare, require_numba, settle_preload
from .run import (
    RESULTS_PARQUET_OPTIONS, ResultsParquet, ScheduleWriter, batch_book, batch_frame, batch_results, plan_batch, results_arrow, results_frame, run_book, run_books,
    schedule_frame, strategy_list,
)
from .table import BATCH_COLUMNS, book_from_frame, read_table, release_memory


def __getattr__(name: str):
    if name == "BATCH_STRATEGIES":  # derived from the strategy registry, never a second list
        return batch_strategies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RESULTS_PARQUET_OPTIONS",
    "ResultsParquet",
    "BATCH_COLUMNS",
    "BATCH_STRATEGIES",
    "BatchResult",
    "ScheduleWriter",
    "Book",
    "adjust",
    "apply_scenario",
    "available",
    "batch_book",
    "batch_dask",
    "batch_frame",
    "batch_results",
    "batch_strategies",
    "book_from_debts",
    "book_from_frame",
    "dask_inputs",
    "later_changes",
    "plan_batch",
    "prepare",
    "read_table",
    "release_memory",
    "require_numba",
    "results_arrow",
    "results_frame",
    "run_book",
    "run_books",
    "schedule_frame",
    "settle_preload",
    "strategy_list",
]
