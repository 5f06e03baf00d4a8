"""All cases of a book at a glance, with each case re-planned from its actual balances.

For a large book the plans run through the batch engine (:func:`planner.plan_batch`,
equal to :func:`planner.plan` to the cent): one call per strategy for the plans
in force (with their schedules, to read the planned balance at each case's
latest month) and one for the projections. A case the batch engine cannot
express (a custom order, a budget change or an agreement still to come) is
planned by the single engine instead; the answers are the same.
"""

from __future__ import annotations

from ..conduct import flag_contacts

from collections.abc import Sequence
from decimal import Decimal

from ..errors import InfeasibleBudgetError, PlannerError, message
from ..money import from_cents, to_cents
from ..negotiation import Scenario
from .answers import Caseload, CaseloadRow, _adjustments_in_force, _plan_from, _planned_owed, replan_inputs, track_of
from .clearance import open_checklists
from .model import CaseData
from .months import month_index, month_name

#: From this many cases on, :func:`caseload` uses the batch engine by default.
BATCH_FROM = 200


class _Job:
    """One plan to make: its inputs, and the plan month whose owed total is wanted."""

    def __init__(self, data: CaseData, base, start: int, adjustments, strategy: str, upto: int | None):
        self.data, self.base, self.start, self.adjustments, self.strategy, self.upto = data, list(base), start, list(adjustments), strategy, upto
        self.months: int | None = None  # None: never / infeasible
        self.owed_at: int | None = None
        self.error: Exception | None = None

    @property
    def batchable(self) -> bool:
        later_budget = any(month_index(m) > self.start for m in self.data.budgets)
        return self.strategy != "custom" and not later_budget and all(a.from_month == 1 for a in self.adjustments)

    def budget(self) -> int:
        return self.data.budget_at(month_name(self.start))

    def run_single(self) -> None:
        try:
            p = _plan_from(self.data, self.base, self.start, self.adjustments, self.strategy)
            self.months = p.months
            if self.upto is not None:
                self.owed_at = sum(_planned_owed(p, self.upto).values())
        except InfeasibleBudgetError:
            return
        except _BROKEN as exc:  # a damaged case: named in the list, the others still shown
            self.error = exc


def _run(jobs: Sequence[_Job], batch: bool) -> None:
    groups: dict[str, list[_Job]] = {}
    for job in jobs:
        if not job.base:
            job.months, job.owed_at = 0, 0
        elif batch and job.batchable:
            groups.setdefault(job.strategy, []).append(job)
        else:
            job.run_single()
    for strategy, group in groups.items():
        try:
            _run_batch(strategy, group)
        except _BROKEN:  # one damaged case in the group: plan each alone, so the others still show
            for job in group:
                job.run_single()


def _run_batch(strategy: str, group: list[_Job]) -> None:
    import numpy as np

    from ..batch import plan_batch

    portfolios = [Scenario("in force", j.adjustments).plan_inputs(j.base)[0] for j in group]
    want = any(j.upto is not None for j in group)
    r = plan_batch(portfolios, [from_cents(j.budget()) for j in group], strategy, schedules=want)
    for k, j in enumerate(group):
        j.months = int(r.months[k]) if r.status_code[k] == 0 else None
    if want:
        s = r.schedule
        upto = np.array([j.upto if j.upto is not None else -1 for j in group], dtype=np.int64)
        start_owed = np.array([sum(to_cents(d.owed) for d in p) for p in portfolios], dtype=object)
        pos, month = s["portfolio"].astype(np.int64), s["month"].astype(np.int64)
        at = month == upto[pos]
        owed = np.zeros(len(group), dtype=object)
        np.add.at(owed, pos[at], (s["closing"][at] + s["fees"][at]).astype(object))
        for k, j in enumerate(group):
            if j.upto is None:
                continue
            if r.status_code[k] == 2:
                j.owed_at = None
            elif j.upto <= 0:
                j.owed_at = int(start_owed[k])
            elif j.months is not None and j.upto >= j.months:
                j.owed_at = 0
            else:
                j.owed_at = int(owed[k])


def caseload(datas: Sequence[CaseData], *, batch: bool | None = None, broken: Sequence[tuple[str, str]] = ()) -> Caseload:
    """One :class:`~planner.cases.book.CaseloadRow` per case (see the module notes).

    A case that cannot be worked out (a damaged row, a start month no command accepts today)
    does not stop the others: it is left out of the rows and named in ``Caseload.broken``
    with the reason, as are the ``broken`` cases the book could not read."""
    batch = len(datas) >= BATCH_FROM if batch is None else batch
    planned: list[_Job] = []
    projected: list[_Job] = []
    tracks = []
    failed: dict[str, str] = dict(broken)
    kept = []
    for data in datas:
        try:
            track = track_of(data)
            if data.replans:
                r = data.replans[-1]
                start, base, strategy = month_index(r.start), r.debts, r.strategy
                adjustments = _adjustments_in_force(data, start, r.agreements)
            else:
                start, base, strategy = month_index(data.start), data.debts, data.strategy
                adjustments = _adjustments_in_force(data, start)
            upto = month_index(data.as_of) - start + 1 if data.as_of else 0
            base2, nxt, adjustments2, _ = replan_inputs(data, track)
        except _BROKEN as exc:
            failed[data.name] = _reason(exc)
            continue
        kept.append(data)
        tracks.append(track)
        planned.append(_Job(data, base, start, adjustments, strategy, upto))
        projected.append(_Job(data, base2, nxt, adjustments2, strategy, None))
    _run(planned, batch)
    _run(projected, batch)
    rows = []
    for data, track, plan_job, now_job in zip(kept, tracks, planned, projected):
        if plan_job.error or now_job.error:
            failed[data.name] = _reason(plan_job.error or now_job.error)
            continue
        at_start = sum(to_cents(d.owed) for d in data.debts)
        now = sum(track.owed(d.name) for d in data.debts)
        # Paid: the share of the starting debt paid off; 0 for a client owing more than at the start (issue 24, item 13).
        percent = Decimal(0) if at_start == 0 or now >= at_start else (Decimal(at_start - now) * 100 / at_start).quantize(Decimal("0.1"))
        ahead = 0 if plan_job.owed_at is None else plan_job.owed_at - now
        if not now_job.base:
            free = data.as_of
        elif now_job.months is None:
            free = None
        else:
            free = month_name(now_job.start + now_job.months - 1) if now_job.months else data.as_of
        contacts = [c.contact for c in data.contacts]
        flagged: dict[str, int] = {}
        for contact, found in zip(contacts, flag_contacts(contacts) if contacts else ()):
            if found:
                flagged[contact.debt] = flagged.get(contact.debt, 0) + 1
        rows.append(
            CaseloadRow(
                client=data.name,
                owed_at_start=from_cents(at_start),
                owed_now=from_cents(now),
                percent_paid=percent,
                ahead_by=from_cents(ahead),
                debt_free=free,
                unconfirmed=sum(1 for a in data.agreements if not a.confirmed),
                last_update=data.updated_at,
                flagged_contacts=sum(flagged.values()),
                flagged_by_lender=flagged,
                get_in_writing=sum(1 for a in data.asks if a.get_in_writing),
                clearance_todo=tuple(c.debt for c in open_checklists(data, track)),
            )
        )
    return Caseload(rows, broken=tuple(sorted(failed.items())))


#: What a damaged case raises while it is worked out (stored values no command would write).
_BROKEN = (PlannerError, ArithmeticError, ValueError, KeyError, TypeError, OverflowError, IndexError)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PlannerError):
        return str(exc)
    return str(message("cases.caseload.damaged", kind=type(exc).__name__))


__all__ = [
    "BATCH_FROM",
    "caseload",
]
