"""Plans for many portfolios at once, exactly equal to :func:`planner.engine.plan` on each.

Imports numpy when imported: the single-plan command line never imports this package.
"""

from .engine import (
    BATCH_COLUMNS,
    BATCH_STRATEGIES,
    BatchResult,
    Book,
    adjust,
    apply_scenario,
    batch_dask,
    batch_frame,
    book_from_debts,
    book_from_frame,
    dask_inputs,
    plan_batch,
    read_table,
    run_book,
    run_books,
    schedule_frame,
    strategy_list,
)

__all__ = [
    "BATCH_COLUMNS",
    "BATCH_STRATEGIES",
    "BatchResult",
    "Book",
    "adjust",
    "apply_scenario",
    "batch_dask",
    "batch_frame",
    "book_from_debts",
    "book_from_frame",
    "dask_inputs",
    "plan_batch",
    "read_table",
    "run_book",
    "run_books",
    "schedule_frame",
    "strategy_list",
]
