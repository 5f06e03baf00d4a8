"""The report's what-if plans: the same debts with a few of them changed, many at once.

A report asks "what if this lender agreed?" once per lender, and "what does each
ask add?" once per ask: each question is a full plan of every debt, so one
plan at a time grows with the square of the number of debts. Here those plans
go through the batch engine (:mod:`planner.batch`, equal to
:func:`planner.engine.plan` on each portfolio, money in integer cents):

- every what-if is described by which *row* stands for each debt: a pool holds
  the debts as they are and, after them, each changed debt (a debt in, a debt
  out, as every negotiation adjustment is), so a what-if is an array of row
  numbers and no Debt object is copied per what-if;
- a few dozen what-ifs are planned at a time (:data:`WHAT_IFS_PER_RUN`), so
  memory grows with the number of debts, not with its square.

>>> from planner import Debt
>>> from planner.negotiation import cap_rate
>>> debts = [Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 36, 500)]
>>> changed = cap_rate("Loan", line="24").apply([debts[1]])
>>> [t.months for t in what_if_totals(debts, changed, [[0, 2]], 1500, "avalanche")]
[6]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

#: What-ifs planned in one run of the batch engine: memory holds this many copies of the debts.
WHAT_IFS_PER_RUN = 32


@dataclass(frozen=True)
class Totals:
    """One what-if plan's summary, as :class:`planner.result.Plan` gives it.

    ``months`` is None when some debt is never paid off within the horizon;
    ``infeasible`` is True when the budget does not cover the minimums in
    some month (the money fields are then 0).
    """

    months: int | None
    total_interest: Decimal
    total_paid: Decimal
    infeasible: bool = False


def what_if_totals(
    debts: Sequence,
    changed: Sequence,
    what_ifs: Iterable[Sequence[int]],
    budget,
    strategy: str,
    *,
    horizon: int = 600,
) -> list[Totals]:
    """Plan many variants of ``debts`` through the batch engine.

    Parameters
    ----------
    debts : sequence of Debt
        The debts as they are (rows ``0`` to ``len(debts) - 1`` of the pool).
    changed : sequence of Debt
        Changed debts (rows ``len(debts)`` onwards, in order). Each keeps the
        name of the debt it stands for.
    what_ifs : iterable of sequences of int
        One per plan: for each position in ``debts``, the pool row that stands
        there. May be a generator: it is read a run at a time.
    budget : number or str
        Yuan a month, the same for every plan.
    strategy : str
        A strategy the batch engine runs (:func:`planner.batch.batch_strategies`).
    horizon : int, default 600

    Returns
    -------
    list of Totals
        One per what-if, in order: equal to planning that variant with
        :func:`planner.engine.plan`.

    Raises
    ------
    PlannerError
        For a strategy the batch engine does not run.

    Examples
    --------
    >>> from planner import Debt, plan
    >>> debts = [Debt("A", 1000, 12, 100), Debt("B", 500, 0, 50)]
    >>> changed = [Debt("A", 1000, 0, 100)]  # row 2: A at 0%
    >>> as_is, free = what_if_totals(debts, changed, [[0, 1], [2, 1]], 300, "avalanche")
    >>> as_is.total_interest == plan(debts, 300).total_interest, free.total_interest
    (True, Decimal('0.00'))
    """
    import numpy as np

    from ..batch import book_from_debts, run_book
    from ..money import from_cents

    n = len(debts)
    rows = [*debts, *changed]
    # One single-debt portfolio per row: taking rows is then taking portfolios (Book.take).
    pool = book_from_debts([[d] for d in rows], [budget] * len(rows)) if rows else None
    out: list[Totals] = []
    batch: list[Sequence[int]] = []

    def run() -> None:
        k = len(batch)
        picked = pool.take(np.asarray(batch, dtype=np.int64).reshape(-1))
        book = dataclasses.replace(
            picked, ids=list(range(k)), start=np.arange(0, k * n + 1, n, dtype=np.int64),
            budget=np.full(k, pool.budget[0], dtype=np.int64),
        )
        result = run_book(book, strategy, horizon=horizon, workers=1, chunk_size=k)
        for p in range(k):
            status = int(result.status_code[p])
            out.append(Totals(
                months=int(result.months[p]) if status == 0 else None,
                total_interest=from_cents(int(result.interest[p])),
                total_paid=from_cents(int(result.paid[p])),
                infeasible=status == 2,
            ))
        batch.clear()

    for what_if in what_ifs:
        if n == 0:
            out.append(Totals(0, Decimal("0.00"), Decimal("0.00")))
            continue
        batch.append(what_if)
        if len(batch) == WHAT_IFS_PER_RUN:
            run()
    if batch:
        run()
    return out


__all__ = ["WHAT_IFS_PER_RUN", "Totals", "what_if_totals"]
