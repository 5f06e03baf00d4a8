"""The case book: clients' cases followed month by month (:class:`CaseBook`, :class:`Case`).

A case holds the debts as loaded when it was opened (with the source file's
name and SHA-256), the budget and its changes, the strategy and the start
month; the agreements reached with lenders (negotiation adjustments from a
calendar month, confirmed in writing or not); what was paid to each debt in
each month; the statement balances lenders reported; and every re-plan.

>>> import tempfile, pathlib
>>> from planner import Debt
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> book = CaseBook(tmp / "book.sqlite", today="2027-06")
>>> case = book.new("Client A", [Debt("Card", 1000, 12, 100)], budget=100, start="2027-01")
>>> case = case.pay("2027-01", {"Card": 100})                 # on plan: 1,000 + 10.00 interest − 100
>>> s = case.status()
>>> s.as_of, s.ahead_by, s.debts[0].actual_balance
('2027-01', Decimal('0.00'), Decimal('910.00'))
>>> book.close()
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from ..debt import MAX_MONEY, Debt
from ..engine import plan as engine_plan
from ..errors import InfeasibleBudgetError, PlannerError
from ..money import format_yuan, from_cents, parse_money, to_cents, ParseError
from ..negotiation import ACTIONS, Adjustment, Scenario
from ..strategies import STRATEGIES
from .months import month_index, month_name, this_month
from .track import Track, replay

#: Version of the JSON that ``export`` writes (``import`` reads this version).
EXPORT_FORMAT = 1


# ---------------------------------------------------------------------------
# values at the boundary


def parse_amount(value, what: str = "amount") -> int:
    """Money a person typed (``"1,200"``, ``"￥1200.5"``, ``1200``) as cents; never negative.

    >>> parse_amount("￥1,200.50")
    120050
    """
    shown = str(value)[:40]
    try:
        if isinstance(value, bool):
            raise ParseError("不是金额", "not an amount")
        amount = parse_money(value) if isinstance(value, str) else Decimal(str(value)) if isinstance(value, (int, float, Decimal)) else None
        if amount is None:
            raise ParseError("不是金额", "not an amount")
        if not amount.is_finite():
            raise ParseError("不是有限的数字", "not a finite number")
    except (ParseError, ArithmeticError):
        raise PlannerError(
            f"{what}：“{shown}” 不是金额。请写数字，例如 1200 或 1,200.50。 / {what}: {shown!r} is not an amount of money. Write a number such as 1200 or 1,200.50."
        ) from None
    if amount < 0:
        raise PlannerError(f"{what}：金额不能为负数：“{shown}”。 / {what}: the amount cannot be negative: {shown!r}.")
    if amount > MAX_MONEY:
        raise PlannerError(f"{what}：金额大得不合理：“{shown}”。 / {what}: the amount is implausibly large: {shown!r}.")
    return to_cents(amount)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dec_text(value) -> str | None:
    return None if value is None else str(value)


def debt_to_dict(d: Debt) -> dict:
    """A debt as JSON-ready exact values: money in cents, rates as decimal text."""
    return {
        "name": d.name,
        "kind": d.kind,
        "balance": to_cents(d.balance),
        "apr": str(d.apr),
        "min_payment": to_cents(d.min_payment),
        "fees_owed": to_cents(d.fees_owed),
        **_detail(d),
    }


def _detail(d: Debt) -> dict:
    return {
        "daily_rate": _dec_text(d.daily_rate),
        "fee_rate": _dec_text(d.fee_rate),
        "term_months": d.term_months,
        "overdue_days": d.overdue_days,
        "penalty_apr": _dec_text(d.penalty_apr),
        "contract_date": d.contract_date.isoformat() if d.contract_date else None,
        "principal": None if d.principal is None else to_cents(d.principal),
        "defer_months": d.defer_months,
        "defer_from": d.defer_from,
        "defer_interest": d.defer_interest,
        "settle_month": d.settle_month,
        "settle_fraction": _dec_text(d.settle_fraction),
        "extra": [list(pair) for pair in d.extra],
    }


def debt_from_dict(x: Mapping) -> Debt:
    """The inverse of :func:`debt_to_dict`."""
    dec = lambda v: None if v is None else Decimal(v)  # noqa: E731
    return Debt(
        x["name"],
        from_cents(x["balance"]),
        Decimal(x["apr"]),
        from_cents(x["min_payment"]),
        kind=x.get("kind", "other"),
        daily_rate=dec(x.get("daily_rate")),
        fee_rate=dec(x.get("fee_rate")),
        term_months=x.get("term_months"),
        overdue_days=x.get("overdue_days", 0),
        penalty_apr=dec(x.get("penalty_apr")),
        fees_owed=from_cents(x.get("fees_owed", 0)),
        contract_date=date.fromisoformat(x["contract_date"]) if x.get("contract_date") else None,
        principal=None if x.get("principal") is None else from_cents(x["principal"]),
        defer_months=x.get("defer_months", 0),
        defer_from=x.get("defer_from", 1),
        defer_interest=x.get("defer_interest", True),
        settle_month=x.get("settle_month"),
        settle_fraction=dec(x.get("settle_fraction")),
        extra=tuple(tuple(p) for p in x.get("extra", ())),
    )


def _params_to_json(params: Mapping) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in params.items()}


def _selector_json(debt) -> object:
    return debt if isinstance(debt, str) else list(debt)


# ---------------------------------------------------------------------------
# what a case holds


@dataclass(frozen=True)
class Agreement:
    """An adjustment agreed with a lender, in force from a calendar month."""

    id: int | None
    adjustment: Adjustment
    from_month: str
    confirmed: bool
    created_at: str = ""

    @property
    def debt(self) -> str:
        sel = self.adjustment.debt
        return sel if isinstance(sel, str) else ", ".join(sel)

    @property
    def action(self) -> str:
        return self.adjustment.action

    def to_dict(self) -> dict:
        params = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in self.adjustment.params.items()}
        return {"debt": self.debt, "action": self.action, "from": self.from_month, "confirmed": self.confirmed, "params": params}


@dataclass(frozen=True)
class Replan:
    """One re-plan: when, why, from which month, and the plan's headline then."""

    id: int
    made_at: str
    reason: str
    start: str  # the new plan's first month
    budget: Decimal
    strategy: str
    debts: tuple[Debt, ...]
    agreements: tuple[int, ...]  # agreements already in these terms
    summary: dict

    def to_dict(self) -> dict:
        return {"made_at": self.made_at, "reason": self.reason, "start": self.start, "budget": float(self.budget), "strategy": self.strategy, **self.summary}


@dataclass(frozen=True)
class CaseData:
    """Everything stored for one case (a snapshot read in one transaction)."""

    name: str
    start: str
    strategy: str
    order: tuple[str, ...] | None
    source_name: str | None
    source_sha256: str | None
    created_at: str
    updated_at: str | None
    debts: tuple[Debt, ...]
    budgets: dict[str, int]  # calendar month -> cents (the first is the start)
    agreements: tuple[Agreement, ...]
    payments: dict[tuple[str, str], int]  # (month, debt) -> cents
    statements: dict[tuple[str, str], int]
    replans: tuple[Replan, ...]

    @property
    def as_of(self) -> str | None:
        """The latest month with a payment or statement recorded (None: nothing yet)."""
        months = [m for m, _ in self.payments] + [m for m, _ in self.statements]
        return max(months) if months else None

    def budget_at(self, month: str) -> int:
        amount = None
        for m in sorted(self.budgets):
            if m <= month:
                amount = self.budgets[m]
        return amount if amount is not None else self.budgets[min(self.budgets)]


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class DebtStatus:
    name: str
    planned_balance: Decimal
    actual_balance: Decimal
    paid_to_date: Decimal
    interest_to_date: Decimal
    unexplained_charges: Decimal
    status: str  # cleared | ahead | on_track | behind

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "planned_balance": float(self.planned_balance),
            "actual_balance": float(self.actual_balance),
            "paid_to_date": float(self.paid_to_date),
            "interest_to_date": float(self.interest_to_date),
            "unexplained_charges": float(self.unexplained_charges),
            "status": self.status,
        }


@dataclass(frozen=True, eq=False)
class Status:
    """Where a case stands at its latest recorded month against the plan in force."""

    name: str
    start: str
    as_of: str | None
    ahead_by: Decimal  # planned total balance − actual total balance (negative: behind)
    months_ahead: int | None
    paid_to_date: Decimal
    interest_to_date: Decimal
    saved_vs_minimums: Decimal  # interest a minimums-only plan would have charged by now, minus the actual
    debt_free: str | None  # projected now (a re-plan from the actual balances)
    planned_debt_free: str | None
    debts: tuple[DebtStatus, ...]
    agreements: tuple[Agreement, ...]
    plan: object  # planner.result.Plan: the plan in force
    projection: object  # planner.result.Plan: from the actual balances, next month on
    track: Track = field(repr=False)
    owed_at_start: Decimal = Decimal("0.00")

    @property
    def owed_now(self) -> Decimal:
        return sum((d.actual_balance for d in self.debts), Decimal("0.00"))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "start": self.start,
            "as_of": self.as_of,
            "ahead_by": float(self.ahead_by),
            "months_ahead": self.months_ahead,
            "paid_to_date": float(self.paid_to_date),
            "interest_to_date": float(self.interest_to_date),
            "saved_vs_minimums": float(self.saved_vs_minimums),
            "debt_free": self.debt_free,
            "planned_debt_free": self.planned_debt_free,
            "debts": [d.to_dict() for d in self.debts],
            "agreements": [a.to_dict() for a in self.agreements],
            "plan": self.plan.to_dict(),
        }

    def __repr__(self) -> str:
        return f"<Status {self.name!r} as of {self.as_of or '-'}: ahead by {format_yuan(self.ahead_by)}, debt-free {self.debt_free or 'never'}>"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(d.name)}</td><td>{format_yuan(d.planned_balance)}</td><td>{format_yuan(d.actual_balance)}</td>"
            f"<td>{format_yuan(d.paid_to_date)}</td><td>{format_yuan(d.unexplained_charges)}</td><td>{d.status}</td></tr>"
            for d in self.debts
        )
        head = (
            f"<p><b>{html.escape(self.name)}</b> · as of {self.as_of or '-'} · ahead by {format_yuan(self.ahead_by)}"
            f" ({self.months_ahead if self.months_ahead is not None else '-'} months) · debt-free {self.debt_free or 'never'}"
            f" (planned {self.planned_debt_free or 'never'})</p>"
        )
        return (
            head + "<table><thead><tr><th>debt</th><th>planned</th><th>actual</th><th>paid</th><th>unexplained</th><th>status</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


@dataclass(frozen=True)
class CaseloadRow:
    client: str
    owed_at_start: Decimal
    owed_now: Decimal
    percent_paid: Decimal
    ahead_by: Decimal
    debt_free: str | None
    unconfirmed: int
    last_update: str | None

    def to_dict(self) -> dict:
        return {
            "client": self.client,
            "owed_at_start": float(self.owed_at_start),
            "owed_now": float(self.owed_now),
            "percent_paid": float(self.percent_paid),
            "ahead_by": float(self.ahead_by),
            "debt_free": self.debt_free,
            "unconfirmed_agreements": self.unconfirmed,
            "last_update": self.last_update,
        }


class Caseload:
    """All cases of a book at a glance (a list of :class:`CaseloadRow`)."""

    def __init__(self, rows: list[CaseloadRow]):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_list(self) -> list[dict]:
        return [r.to_dict() for r in self.rows]

    def to_frame(self):
        import pandas as pd

        frame = pd.DataFrame(self.to_list())
        return frame.astype({"client": "string"}) if len(frame) else frame

    def __repr__(self):
        return f"<Caseload of {len(self.rows)} cases>"

    def _repr_html_(self) -> str:
        import html

        body = "".join(
            f"<tr><td>{html.escape(r.client)}</td><td>{format_yuan(r.owed_at_start)}</td><td>{format_yuan(r.owed_now)}</td>"
            f"<td>{r.percent_paid}%</td><td>{format_yuan(r.ahead_by)}</td><td>{r.debt_free or 'never'}</td><td>{r.unconfirmed}</td>"
            f"<td>{html.escape(r.last_update or '')}</td></tr>"
            for r in self.rows
        )
        return (
            "<table><thead><tr><th>client</th><th>owed at start</th><th>owed now</th><th>paid</th><th>ahead by</th>"
            f"<th>debt-free</th><th>unconfirmed</th><th>last update</th></tr></thead><tbody>{body}</tbody></table>"
        )


# ---------------------------------------------------------------------------
# plans from a case


def _adjustments_in_force(data: CaseData, base_start: int, skip: Iterable[int] = ()) -> list[Adjustment]:
    skip = set(skip)
    out = []
    for a in data.agreements:
        if a.id in skip:
            continue
        k = max(1, month_index(a.from_month) - base_start + 1)
        out.append(a.adjustment.starting(k))
    return out


def _plan_from(data: CaseData, base: Sequence[Debt], start: int, adjustments, strategy: str, budget: int | None = None):
    ds, changes = Scenario("in force", adjustments).plan_inputs(list(base))
    changes_budget = {month_index(m) - start + 1: from_cents(c) for m, c in data.budgets.items() if month_index(m) > start}
    amount = data.budget_at(month_name(start)) if budget is None else budget
    return engine_plan(
        ds,
        from_cents(amount),
        strategy,
        order=data.order,
        budget_changes=changes_budget,
        start=month_name(start),
        changes=changes,
    )


def plan_in_force(data: CaseData):
    """The plan in force: the latest re-plan (or the first plan) with every agreement
    applied from its month on."""
    if data.replans:
        r = data.replans[-1]
        start = month_index(r.start)
        return _plan_from(data, r.debts, start, _adjustments_in_force(data, start, r.agreements), r.strategy)
    start = month_index(data.start)
    return _plan_from(data, data.debts, start, _adjustments_in_force(data, start), data.strategy)


def track_of(data: CaseData, until: str | None = None) -> Track:
    start = month_index(data.start)
    end = until or data.as_of
    agreements = [(month_index(a.from_month), a.adjustment) for a in data.agreements]
    payments = {(month_index(m), d): c for (m, d), c in data.payments.items()}
    statements = {(month_index(m), d): c for (m, d), c in data.statements.items()}
    return replay(data.debts, start, None if end is None else month_index(end), agreements, payments, statements)


def replan_inputs(data: CaseData, track: Track | None = None):
    """What a re-plan from the actual balances plans: (debts, start index, adjustments still to come,
    agreement ids already in the terms)."""
    track = track or track_of(data)
    nxt = (month_index(data.as_of) if data.as_of else month_index(data.start) - 1) + 1
    base = track.debts_from_next_month()
    later = [a for a in data.agreements if month_index(a.from_month) >= nxt]
    done = tuple(a.id for a in data.agreements if month_index(a.from_month) < nxt)
    adjustments = [a.adjustment.starting(month_index(a.from_month) - nxt + 1) for a in later]
    return base, nxt, adjustments, done


def _planned_owed(plan, month: int) -> dict[str, int]:
    """Each debt's planned owed (balance + fees) at the end of plan ``month`` (0: the start)."""
    owed = {d.name: to_cents(d.balance) + to_cents(d.fees_owed) for d in plan.debts}
    if month <= 0:
        return owed
    for m, name, _o, _i, _p, closing, fees, _f in plan.ledger():
        if m > month:
            break
        owed[name] = closing + fees
    return owed


def status_of(data: CaseData) -> Status:
    track = track_of(data)
    in_force = plan_in_force(data)
    plan_start = month_index(in_force.calendar_month(1))
    as_of = data.as_of
    k = (month_index(as_of) - plan_start + 1) if as_of else 0
    planned = _planned_owed(in_force, k)
    base, nxt, adjustments, _ = replan_inputs(data, track)
    strategy = data.replans[-1].strategy if data.replans else data.strategy
    projection = _plan_from(data, base, nxt, adjustments, strategy) if base else None
    paid = {d.name: 0 for d in data.debts}
    interest = dict(paid)
    unexplained = dict(paid)
    for r in track.rows:
        paid[r.debt] += r.payment
        interest[r.debt] += r.interest
        unexplained[r.debt] += r.unexplained
    debts = []
    total_planned = total_actual = 0
    for d in data.debts:
        actual = track.owed(d.name)
        want = planned.get(d.name, 0)
        total_planned += want
        total_actual += actual
        state = "cleared" if actual == 0 else "ahead" if actual < want else "on_track" if actual == want else "behind"
        debts.append(DebtStatus(d.name, from_cents(want), from_cents(actual), from_cents(paid[d.name]), from_cents(interest[d.name]), from_cents(unexplained[d.name]), state))
    # debt-free: projected from the actual balances now, and as planned
    if projection is None:
        debt_free = as_of or month_name(month_index(data.start) - 1)
        free_index = month_index(debt_free)
    else:
        debt_free = projection.debt_free if projection.months else None
        free_index = month_index(debt_free) if debt_free else None
    planned_free = in_force.debt_free if in_force.months else (in_force.calendar_month(0) if in_force.months == 0 else None)
    months_ahead = None
    if free_index is not None and planned_free is not None:
        months_ahead = month_index(planned_free) - free_index
    # interest a minimums-only plan of the first debts would have charged by now
    saved = Decimal("0.00")
    if as_of:
        start = month_index(data.start)
        try:
            minimums = _plan_from(data, data.debts, start, _adjustments_in_force(data, start), "minimum_only")
            upto = month_index(as_of) - start + 1
            min_interest = sum(r[3] for r in minimums.ledger() if r[0] <= upto)
            saved = from_cents(min_interest - sum(interest.values()))
        except InfeasibleBudgetError:
            pass
    return Status(
        name=data.name,
        start=data.start,
        as_of=as_of,
        ahead_by=from_cents(total_planned - total_actual),
        months_ahead=months_ahead,
        paid_to_date=from_cents(sum(paid.values())),
        interest_to_date=from_cents(sum(interest.values())),
        saved_vs_minimums=saved,
        debt_free=debt_free,
        planned_debt_free=planned_free,
        debts=tuple(debts),
        agreements=data.agreements,
        plan=in_force,
        projection=projection,
        track=track,
        owed_at_start=from_cents(sum(to_cents(d.owed) for d in data.debts)),
    )


@dataclass(frozen=True)
class Progress:
    """What a progress chart draws, in calendar months and cents (no drawing here).

    ``first_plan`` and ``plan`` are the planned total owed at the end of each month
    (the first plan and the plan in force), ``actual`` the recorded total owed at
    the end of each recorded month, ``replans`` the months re-plans started (with
    their reason), ``cleared`` the months debts were cleared.
    """

    name: str
    first_plan: tuple[tuple[str, int], ...]
    plan: tuple[tuple[str, int], ...]
    actual: tuple[tuple[str, int], ...]
    replans: tuple[tuple[str, str], ...]
    cleared: tuple[tuple[str, str], ...]

    def to_frame(self):
        """Long format: month, series (first_plan, plan, actual), owed (yuan)."""
        import pandas as pd

        rows = [(m, series, c / 100) for series in ("first_plan", "plan", "actual") for m, c in getattr(self, series)]
        return pd.DataFrame(rows, columns=["month", "series", "owed"]).astype({"month": "string", "series": "string"})


def _owed_line(p) -> tuple[tuple[str, int], ...]:
    """Total owed at the end of each month of plan ``p`` (month 0: the opening)."""
    totals: dict[int, int] = {0: sum(to_cents(d.owed) for d in p.debts)}
    for m, _name, _o, _i, _p, closing, fees, _f in p.ledger():
        totals[m] = totals.get(m, 0) + closing + fees
    return tuple((p.calendar_month(m) if m else month_name(month_index(p.calendar_month(1)) - 1), c) for m, c in sorted(totals.items()))


def progress_of(data: CaseData) -> Progress:
    start = month_index(data.start)
    first = _plan_from(data, data.debts, start, _adjustments_in_force(data, start), data.strategy)
    track = track_of(data)
    totals: dict[int, int] = {}
    for r in track.rows:
        totals[r.month] = totals.get(r.month, 0) + r.closing
    actual = ((month_name(start - 1), sum(to_cents(d.owed) for d in data.debts)),) + tuple((month_name(m), c) for m, c in sorted(totals.items()))
    cleared = tuple(sorted((month_name(m), n) for n, m in track.cleared.items() if m >= start))
    return Progress(
        name=data.name,
        first_plan=_owed_line(first),
        plan=_owed_line(plan_in_force(data)),
        actual=actual,
        replans=tuple((r.start, r.reason) for r in data.replans),
        cleared=cleared,
    )


# ---------------------------------------------------------------------------
# the book


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_strategy(strategy: str, order) -> None:
    if strategy != "custom" and strategy not in STRATEGIES:
        names = ", ".join([*STRATEGIES, "custom"])
        raise PlannerError(f"未知策略 “{strategy}”；可选：{names} / unknown strategy {strategy!r}; choose one of: {names}")
    if strategy == "custom" and not order:
        raise PlannerError("自定义顺序需要给出债务名称 / the custom strategy needs an order of debt names")


class CaseBook:
    """A book of cases in SQLite (a path; default: the user's data directory) or PostgreSQL (a URL).

    ``book`` is a path or ``postgresql://user@host/db``; ``None`` uses
    ``$PLANNER_CASEBOOK``, else ``casebook.sqlite`` in the user's data
    directory. ``today`` (a date or ``"2027-06"``) is the month after which
    recorded months are "in the future" (default: the real date).
    """

    def __init__(self, book: str | os.PathLike | None = None, *, today=None):
        from .store import Store

        self._store = Store(book)
        self.location = self._store.location
        self._today = this_month() if today is None else month_index(today, "today")

    # -- reading ------------------------------------------------------
    def names(self) -> list[str]:
        from . import store as s
        import sqlalchemy as sa

        with self._store.read() as conn:
            return list(conn.execute(sa.select(s.cases.c.name).order_by(s.cases.c.name)).scalars())

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    def __len__(self) -> int:
        return len(self.names())

    def case(self, name: str) -> Case:
        """The case called ``name`` (an unknown name is a bilingual error)."""
        return Case(self, self._load(name))

    __getitem__ = case

    def _load(self, name: str, conn=None) -> CaseData:
        if conn is None:
            with self._store.read() as conn:
                return self._load(name, conn)
        return self._load_many(conn, [name])[0]

    def _load_many(self, conn, names: Sequence[str] | None = None) -> list[CaseData]:
        import sqlalchemy as sa

        from . import store as s

        query = sa.select(s.cases)
        if names is not None:
            query = query.where(s.cases.c.name.in_(list(names)))
        heads = list(conn.execute(query.order_by(s.cases.c.name)))
        if names is not None and len(heads) < len(set(names)):
            raise _unknown_case(sorted(set(names) - {h.name for h in heads})[0])
        ids = [h.id for h in heads]
        by_id: dict[int, dict] = {i: {"debts": [], "budgets": {}, "agreements": [], "payments": {}, "statements": {}, "replans": []} for i in ids}

        def rows(table, order):
            q = sa.select(table)
            if names is not None:
                q = q.where(table.c.case_id.in_(ids))
            return conn.execute(q.order_by(table.c.case_id, *order))

        for r in rows(s.debts, [s.debts.c.position]):
            detail = json.loads(r.detail)
            by_id[r.case_id]["debts"].append(debt_from_dict({"name": r.name, "kind": r.kind, "balance": r.balance, "apr": r.apr, "min_payment": r.min_payment, "fees_owed": r.fees_owed, **detail}))
        for r in rows(s.budgets, [s.budgets.c.month]):
            by_id[r.case_id]["budgets"][r.month] = r.amount
        for r in rows(s.agreements, [s.agreements.c.id]):
            sel = json.loads(r.debt)
            adjustment = Adjustment(r.action, tuple(sel) if isinstance(sel, list) else sel, json.loads(r.params))
            by_id[r.case_id]["agreements"].append(Agreement(r.id, adjustment, r.from_month, bool(r.confirmed), r.created_at))
        for r in rows(s.payments, [s.payments.c.month, s.payments.c.debt]):
            by_id[r.case_id]["payments"][(r.month, r.debt)] = r.amount
        for r in rows(s.statements, [s.statements.c.month, s.statements.c.debt]):
            by_id[r.case_id]["statements"][(r.month, r.debt)] = r.balance
        for r in rows(s.replans, [s.replans.c.id]):
            by_id[r.case_id]["replans"].append(
                Replan(r.id, r.made_at, r.reason, r.start, from_cents(r.budget), r.strategy, tuple(debt_from_dict(x) for x in json.loads(r.debts)), tuple(json.loads(r.agreements)), json.loads(r.summary))
            )
        out = []
        for h in heads:
            x = by_id[h.id]
            out.append(
                CaseData(
                    name=h.name, start=h.start, strategy=h.strategy, order=tuple(json.loads(h.custom_order)) if h.custom_order else None,
                    source_name=h.source_name, source_sha256=h.source_sha256, created_at=h.created_at, updated_at=h.updated_at,
                    debts=tuple(x["debts"]), budgets=x["budgets"], agreements=tuple(x["agreements"]), payments=x["payments"],
                    statements=x["statements"], replans=tuple(x["replans"]),
                )
            )
        return out

    def cases(self) -> list[CaseData]:
        """Every case's stored data (a few queries for the whole book)."""
        with self._store.read() as conn:
            return self._load_many(conn)

    # -- writing ------------------------------------------------------
    @contextmanager
    def _write(self, name: str | None = None):
        """A write transaction, with case ``name``'s row locked (``FOR UPDATE`` on PostgreSQL;
        SQLite's ``BEGIN IMMEDIATE`` already holds the book's write lock) and its data read."""
        import sqlalchemy as sa

        from . import store as s

        with self._store.write() as conn:
            data = None
            if name is not None:
                row = conn.execute(sa.select(s.cases.c.id).where(s.cases.c.name == name).with_for_update()).first()
                if row is None:
                    raise _unknown_case(name)
                data = _WithId(self._load(name, conn), row.id)
            yield conn, data

    def _check_month(self, data: CaseData, month: str, what: str = "month") -> str:
        index = month_index(month, what)
        if index < month_index(data.start):
            raise PlannerError(
                f"{what}：{month_name(index)} 早于本案开始的月份 {data.start}。 / {what}: {month_name(index)} is before the case's start, {data.start}."
            )
        if index > self._today:
            raise PlannerError(
                f"{what}：{month_name(index)} 还没到（本月是 {month_name(self._today)}）。 / {what}: {month_name(index)} is in the future (this month is {month_name(self._today)})."
            )
        return month_name(index)

    def _validate(self, conn, name: str) -> CaseData:
        """Re-read the case inside the transaction and check that its plan and track still work."""
        data = self._load(name, conn)
        try:
            plan_in_force(data)
        except InfeasibleBudgetError as exc:
            raise PlannerError(str(exc)) from None
        track_of(data)
        return data

    def new(self, name: str, debts, budget, strategy: str = "avalanche", *, start=None, order: Sequence[str] | None = None) -> Case:
        """Open a case: ``debts`` (a path, or anything :func:`planner.load_debts` takes) as they are now.

        The source file's name and SHA-256 are kept when ``debts`` is a path.
        """
        import sqlalchemy as sa

        from ..loader import load_debts
        from . import store as s

        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            raise PlannerError("案例需要名称（最多 200 个字）。 / a case needs a name (at most 200 characters).")
        name = name.strip()
        source_name = source_sha = None
        if isinstance(debts, (str, os.PathLike)) and not (isinstance(debts, str) and "\n" in debts):
            path = Path(debts)
            loaded = load_debts(path)
            source_name, source_sha = path.name, _sha256(path)
        else:
            loaded = load_debts(debts)
        _check_strategy(strategy, order)
        start_name = month_name(this_month() if start is None else month_index(start, "start"))
        cents = parse_amount(budget, "budget")
        engine_plan(loaded, from_cents(cents), strategy, order=order, start=start_name)  # the budget covers the minimums
        with self._write() as (conn, _):
            if conn.execute(sa.select(s.cases.c.id).where(s.cases.c.name == name)).first():
                raise PlannerError(f"案例簿中已有案例「{name}」。请换一个名称。 / the book already has a case named {name!r}. Choose another name.")
            now = _now()
            case_id = conn.execute(
                s.cases.insert().values(
                    name=name, start=start_name, strategy=strategy, custom_order=json.dumps(list(order), ensure_ascii=False) if order else None,
                    source_name=source_name, source_sha256=source_sha, created_at=now, updated_at=now,
                )
            ).inserted_primary_key[0]
            _insert_debts(conn, case_id, loaded)
            conn.execute(s.budgets.insert().values(case_id=case_id, month=start_name, amount=cents))
        return self.case(name)

    def pay(self, name: str, month, amounts: Mapping[str, object]) -> Case:
        """Record what was paid to each debt in ``month`` (replaces what was recorded for that
        month and debt). ``amounts`` maps a debt name to yuan."""
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            month = self._check_month(data, month)
            names = [d.name for d in data.debts]
            rows = []
            for debt, amount in amounts.items():
                if debt not in names:
                    raise _unknown_debt(debt, names)
                rows.append((debt, parse_amount(amount, f"{month} {debt}")))
            if not rows:
                raise PlannerError("没有要记录的还款。 / there is no payment to record.")
            for debt, cents in rows:
                conn.execute(sa.delete(s.payments).where(s.payments.c.case_id == data.id, s.payments.c.month == month, s.payments.c.debt == debt))
                conn.execute(s.payments.insert().values(case_id=data.id, month=month, debt=debt, amount=cents))
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    def pay_file(self, name: str, path) -> Case:
        """Record the payments in a CSV (``month,debt,amount``; Chinese headers such as
        月份, 平台, 金额 accepted), all in one transaction."""
        from .payments import read_payments

        by_month = read_payments(path)
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            names = [d.name for d in data.debts]
            for (month, debt, cents, row) in by_month:
                month = self._check_month(data, month, f"{Path(path).name} row {row}")
                if debt not in names:
                    raise _unknown_debt(debt, names, f"{Path(path).name} row {row}")
                conn.execute(sa.delete(s.payments).where(s.payments.c.case_id == data.id, s.payments.c.month == month, s.payments.c.debt == debt))
                conn.execute(s.payments.insert().values(case_id=data.id, month=month, debt=debt, amount=cents))
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    def balance(self, name: str, month, debt: str, balance) -> Case:
        """Record a statement balance: what the lender says ``debt`` owes at the end of ``month``."""
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            month = self._check_month(data, month)
            names = [d.name for d in data.debts]
            if debt not in names:
                raise _unknown_debt(debt, names)
            cents = parse_amount(balance, "balance")
            conn.execute(sa.delete(s.statements).where(s.statements.c.case_id == data.id, s.statements.c.month == month, s.statements.c.debt == debt))
            conn.execute(s.statements.insert().values(case_id=data.id, month=month, debt=debt, balance=cents))
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    def agree(self, name: str, debt, action: str, from_month, *, confirmed: bool = False, **params) -> Case:
        """Record an agreement: ``action`` (a negotiation action) on the debts ``debt`` selects,
        in force from the calendar month ``from_month``."""
        from . import store as s

        if action not in ACTIONS:
            raise PlannerError(f"未知的调整 “{action}”；可用：{', '.join(ACTIONS)} / unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
        adjustment = Adjustment(action, debt, {k: v for k, v in params.items() if v is not None})
        with self._write(name) as (conn, data):
            start = month_index(data.start)
            index = month_index(from_month, "from")
            if index < start:
                raise PlannerError(f"from：{month_name(index)} 早于本案开始的月份 {data.start}。 / from: {month_name(index)} is before the case's start, {data.start}.")
            adjustment.selects(list(data.debts))
            conn.execute(
                s.agreements.insert().values(
                    case_id=data.id, debt=json.dumps(_selector_json(adjustment.debt), ensure_ascii=False), action=action,
                    params=json.dumps(_params_to_json(adjustment.params), ensure_ascii=False), from_month=month_name(index),
                    confirmed=bool(confirmed), created_at=_now(),
                )
            )
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    def replan(self, name: str, *, budget=None, reason: str = "", strategy: str | None = None) -> Case:
        """Re-plan from the actual balances at the latest recorded month, with the agreements
        in force and the current (or a new) budget; kept in the case's history."""
        from . import store as s

        with self._write(name) as (conn, data):
            base, nxt, adjustments, done = replan_inputs(data)
            if not base:
                raise PlannerError(f"「{name}」的债务已全部还清，无需重新规划。 / every debt of {name!r} is cleared: there is nothing to re-plan.")
            strategy = strategy or (data.replans[-1].strategy if data.replans else data.strategy)
            _check_strategy(strategy, data.order)
            import sqlalchemy as sa

            if budget is not None:
                cents = parse_amount(budget, "budget")
                conn.execute(sa.delete(s.budgets).where(s.budgets.c.case_id == data.id, s.budgets.c.month >= month_name(nxt)))
                conn.execute(s.budgets.insert().values(case_id=data.id, month=month_name(nxt), amount=cents))
                data = _WithId(self._load(name, conn), data.id)
            try:
                p = _plan_from(data, base, nxt, adjustments, strategy)
            except InfeasibleBudgetError as exc:
                raise PlannerError(str(exc)) from None
            summary = {"months": p.months, "debt_free": p.debt_free, "total_interest": float(p.total_interest), "total_paid": float(p.total_paid)}
            conn.execute(
                s.replans.insert().values(
                    case_id=data.id, made_at=_now(), reason=str(reason or ""), start=month_name(nxt), budget=data.budget_at(month_name(nxt)),
                    strategy=strategy, debts=json.dumps([debt_to_dict(d) for d in base], ensure_ascii=False), agreements=json.dumps(list(done)),
                    summary=json.dumps(summary),
                )
            )
            self._touch(conn, data.id)
        return self.case(name)

    def delete(self, name: str) -> None:
        """Erase a case: every row, then the file is rebuilt so nothing of it is left (SQLite)."""
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            for table in s.CASE_TABLES:
                conn.execute(sa.delete(table).where(table.c.case_id == data.id))
            conn.execute(sa.delete(s.cases).where(s.cases.c.id == data.id))
        self._store.vacuum()

    def export(self, name: str, path=None) -> dict:
        """One case as JSON (exact: money in cents, rates as text); written to ``path`` when given."""
        data = self._load(name)
        out = case_to_json(data)
        if path is not None:
            target = Path(path)
            fd = os.open(target, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(out, f, ensure_ascii=False, indent=1)
        return out

    def import_(self, source) -> list[str]:
        """Cases from :meth:`export`'s JSON (a path, a dict, or a list of dicts), in one transaction."""
        if isinstance(source, (str, os.PathLike)):
            try:
                text = Path(source).read_text(encoding="utf-8")
                source = json.loads(text)
            except FileNotFoundError:
                raise PlannerError(f"找不到文件：{source} / file not found: {source}") from None
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PlannerError(f"{source}：不是 planner case export 写出的 JSON（{exc}）。 / {source}: not JSON written by planner case export ({exc}).") from None
        items = source if isinstance(source, list) else [source]
        import sqlalchemy as sa

        from . import store as s

        names = []
        with self._write() as (conn, _):
            existing = set(conn.execute(sa.select(s.cases.c.name)).scalars())
            for item in items:
                name = _import_one(conn, item, existing)
                existing.add(name)
                names.append(name)
            if len(items) <= 100:  # a bulk import (a whole book) skips re-planning every case here
                for name in names:
                    self._validate(conn, name)
        return names

    def _touch(self, conn, case_id: int) -> None:
        from . import store as s

        conn.execute(s.cases.update().where(s.cases.c.id == case_id).values(updated_at=_now()))

    # -- answers -------------------------------------------------------
    def status(self, name: str) -> Status:
        return status_of(self._load(name))

    def caseload(self, *, batch: bool | None = None) -> Caseload:
        """Every case at a glance; the projections (a re-plan of each case from its actual
        balances) run through the batch engine :func:`planner.plan_batch` when the book is large."""
        from .caseload import caseload

        return caseload(self.cases(), batch=batch)

    def close(self) -> None:
        self._store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<CaseBook {self.location}>"


class _WithId:
    """A case's data with its row id (inside a write)."""

    def __init__(self, data: CaseData, case_id: int):
        self._data, self.id = data, case_id

    def __getattr__(self, key):
        return getattr(self._data, key)


def _unknown_case(name: str) -> PlannerError:
    return PlannerError(
        f"案例簿中没有案例「{name}」。用 planner case list 查看已有案例。 / there is no case named {name!r} in the book. See planner case list."
    )


def _unknown_debt(debt: str, names: Sequence[str], where: str = "debt") -> PlannerError:
    return PlannerError(
        f"{where}：找不到债务「{debt}」；本案的债务：{'、'.join(names)} / {where}: no debt named {debt!r}; this case's debts: {', '.join(names)}"
    )


def _insert_debts(conn, case_id: int, debts: Sequence[Debt]) -> None:
    from . import store as s

    conn.execute(
        s.debts.insert(),
        [
            {
                "case_id": case_id, "position": k, "name": d.name, "kind": d.kind, "balance": to_cents(d.balance), "apr": str(d.apr),
                "min_payment": to_cents(d.min_payment), "fees_owed": to_cents(d.fees_owed), "detail": json.dumps(_detail(d), ensure_ascii=False),
            }
            for k, d in enumerate(debts)
        ],
    )


def case_to_json(data: CaseData) -> dict:
    position = {a.id: k for k, a in enumerate(data.agreements)}
    return {
        "format": EXPORT_FORMAT,
        "name": data.name,
        "start": data.start,
        "strategy": data.strategy,
        "order": list(data.order) if data.order else None,
        "source_name": data.source_name,
        "source_sha256": data.source_sha256,
        "created_at": data.created_at,
        "updated_at": data.updated_at,
        "debts": [debt_to_dict(d) for d in data.debts],
        "budgets": [{"month": m, "amount": c} for m, c in sorted(data.budgets.items())],
        "agreements": [
            {
                "debt": _selector_json(a.adjustment.debt), "action": a.action, "params": _params_to_json(a.adjustment.params),
                "from": a.from_month, "confirmed": a.confirmed, "created_at": a.created_at,
            }
            for a in data.agreements
        ],
        "payments": [{"month": m, "debt": d, "amount": c} for (m, d), c in sorted(data.payments.items())],
        "statements": [{"month": m, "debt": d, "balance": c} for (m, d), c in sorted(data.statements.items())],
        "replans": [
            {
                "made_at": r.made_at, "reason": r.reason, "start": r.start, "budget": to_cents(r.budget), "strategy": r.strategy,
                "debts": [debt_to_dict(d) for d in r.debts], "agreements": [position[i] for i in r.agreements if i in position], "summary": r.summary,
            }
            for r in data.replans
        ],
    }


def _import_one(conn, item, existing: set) -> str:
    from . import store as s

    try:
        if not isinstance(item, Mapping) or item.get("format") != EXPORT_FORMAT:
            raise PlannerError(f"不是 planner case export 写出的案例（format {EXPORT_FORMAT}）。 / not a case written by planner case export (format {EXPORT_FORMAT}).")
        name = item["name"]
        if name in existing:
            raise PlannerError(f"案例簿中已有案例「{name}」。请先删除或改名。 / the book already has a case named {name!r}. Delete or rename it first.")
        debts = [debt_from_dict(x) for x in item["debts"]]
        case_id = conn.execute(
            s.cases.insert().values(
                name=name, start=month_name(month_index(item["start"])), strategy=item["strategy"],
                custom_order=json.dumps(item["order"], ensure_ascii=False) if item.get("order") else None,
                source_name=item.get("source_name"), source_sha256=item.get("source_sha256"), created_at=item["created_at"], updated_at=item.get("updated_at"),
            )
        ).inserted_primary_key[0]
        _insert_debts(conn, case_id, debts)
        for b in item["budgets"]:
            conn.execute(s.budgets.insert().values(case_id=case_id, month=b["month"], amount=int(b["amount"])))
        ids = []  # the re-plans name agreements by their position in the export
        for a in item["agreements"]:
            Adjustment(a["action"], a["debt"] if isinstance(a["debt"], str) else tuple(a["debt"]), a["params"])  # validates
            new = conn.execute(
                s.agreements.insert().values(
                    case_id=case_id, debt=json.dumps(a["debt"], ensure_ascii=False), action=a["action"], params=json.dumps(a["params"], ensure_ascii=False),
                    from_month=a["from"], confirmed=bool(a["confirmed"]), created_at=a["created_at"],
                )
            ).inserted_primary_key[0]
            ids.append(new)
        for p in item["payments"]:
            conn.execute(s.payments.insert().values(case_id=case_id, month=p["month"], debt=p["debt"], amount=int(p["amount"])))
        for st in item["statements"]:
            conn.execute(s.statements.insert().values(case_id=case_id, month=st["month"], debt=st["debt"], balance=int(st["balance"])))
        for r in item["replans"]:
            conn.execute(
                s.replans.insert().values(
                    case_id=case_id, made_at=r["made_at"], reason=r["reason"], start=r["start"], budget=int(r["budget"]), strategy=r["strategy"],
                    debts=json.dumps(r["debts"], ensure_ascii=False), agreements=json.dumps([ids[k] for k in r["agreements"]]), summary=json.dumps(r["summary"]),
                )
            )
        return name
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PlannerError):
            raise
        raise PlannerError(f"案例 JSON 不完整或有误（{type(exc).__name__}: {exc}）。 / the case JSON is incomplete or wrong ({type(exc).__name__}: {exc}).") from None


class Case:
    """One case of a :class:`CaseBook`: its stored data, and methods that record and answer.

    Each recording method writes one transaction and returns the case as it now is.
    """

    def __init__(self, book: CaseBook, data: CaseData):
        self.book = book
        self.data = data

    @property
    def name(self) -> str:
        return self.data.name

    def pay(self, month, amounts: Mapping[str, object]) -> Case:
        return self.book.pay(self.name, month, amounts)

    def pay_file(self, path) -> Case:
        return self.book.pay_file(self.name, path)

    def balance(self, month, debt: str, balance) -> Case:
        return self.book.balance(self.name, month, debt, balance)

    def agree(self, debt, action: str, from_month, *, confirmed: bool = False, **params) -> Case:
        return self.book.agree(self.name, debt, action, from_month, confirmed=confirmed, **params)

    def replan(self, *, budget=None, reason: str = "", strategy: str | None = None) -> Case:
        return self.book.replan(self.name, budget=budget, reason=reason, strategy=strategy)

    def status(self) -> Status:
        return status_of(self.data)

    def progress(self) -> Progress:
        """The data of the progress chart (see :func:`planner.charts` ``progress_chart``)."""
        return progress_of(self.data)

    def plan(self):
        """The plan in force (a :class:`planner.result.Plan`)."""
        return plan_in_force(self.data)

    def track(self) -> Track:
        return track_of(self.data)

    def planned_payments(self, month) -> dict[str, Decimal]:
        """What the plan in force pays each debt in calendar ``month`` (pre-fills a month's form)."""
        p = self.plan()
        k = month_index(month) - month_index(p.calendar_month(1)) + 1
        return {r["debt"]: r["payment"] for r in p.month_rows(k)} if k >= 1 else {}

    def to_json(self) -> dict:
        return case_to_json(self.data)

    def __repr__(self):
        return f"<Case {self.name!r} from {self.data.start}, {len(self.data.debts)} debts>"

    def _repr_html_(self):
        return self.status()._repr_html_()
