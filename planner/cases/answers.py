"""What a case answers: the plan in force, the recorded track, the status, the progress.

Pure functions of a :class:`~planner.cases.model.CaseData` (no database here).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..debt import Debt
from ..engine import plan as engine_plan
from ..errors import InfeasibleBudgetError
from ..money import format_yuan, from_cents, to_cents
from ..negotiation import Adjustment, Scenario
from .model import Agreement, CaseData
from .months import month_index, month_name
from .clearance import open_checklists
from .track import Track, replay

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
    late_fees: Decimal = Decimal("0.00")  # charged by rule for minimums left unpaid (planner.latefees)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "planned_balance": float(self.planned_balance),
            "actual_balance": float(self.actual_balance),
            "paid_to_date": float(self.paid_to_date),
            "interest_to_date": float(self.interest_to_date),
            "unexplained_charges": float(self.unexplained_charges),
            "late_fees": float(self.late_fees),
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
    flagged_contacts: dict = field(default_factory=dict)  # lender -> {rule id: contacts flagged}
    get_in_writing: tuple = ()  # asks accepted but not yet confirmed in writing
    clearance: tuple = ()  # cleared debts with a step of their checklist still to do (planner.cases.clearance)

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
            "flagged_contacts": {k: dict(v) for k, v in self.flagged_contacts.items()},
            "get_in_writing": [
                {"id": a.id, "debt": a.adjustment.debt if isinstance(a.adjustment.debt, str) else list(a.adjustment.debt), "action": a.action, "from": a.from_month}
                for a in self.get_in_writing
            ],
            "clearance": [c.to_dict() for c in self.clearance],
            "plan": self.plan.to_dict(),
        }

    def __repr__(self) -> str:
        return f"<Status {self.name!r} as of {self.as_of or '-'}: ahead by {format_yuan(self.ahead_by)}, debt-free {self.debt_free or 'never'}>"

    def table(self, lang: str = "en") -> Shown:
        """The status for people in ``lang`` (``"zh"`` or ``"en"``): headers, statuses and
        "ahead of" / "behind" plan in that language; a notebook shows it as a table."""
        import html

        from ..i18n import t

        e = html.escape
        never = t("case_never", lang)
        head = (
            f"<p><b>{e(self.name)}</b> · {e(t('case_as_of', lang))} {e(self.as_of or '-')} · {e(ahead_text(self.ahead_by, lang))}"
            + (f" ({e(t('case_months_ahead' if self.months_ahead > 0 else 'case_months_behind', lang))}: {abs(self.months_ahead)})" if self.months_ahead else "")
            + f" · {e(t('case_debt_free', lang))} {e(self.debt_free or never)} · {e(t('case_planned_debt_free', lang))} {e(self.planned_debt_free or never)}</p>"
        )
        cols = ("debt", "case_planned", "case_actual", "case_paid_to_date", "case_late_fees", "case_unexplained", "case_status")
        header = "".join(f"<th>{e(t(c, lang))}</th>" for c in cols)
        rows = "".join(
            f"<tr><td>{e(d.name)}</td><td>{format_yuan(d.planned_balance)}</td><td>{format_yuan(d.actual_balance)}</td>"
            f"<td>{format_yuan(d.paid_to_date)}</td><td>{format_yuan(d.late_fees)}</td><td>{format_yuan(d.unexplained_charges)}</td><td>{e(t('case_status_' + d.status, lang))}</td></tr>"
            for d in self.debts
        )
        text = "\n".join(
            [f"{self.name} · {t('case_as_of', lang)} {self.as_of or '-'} · {ahead_text(self.ahead_by, lang)}"]
            + [f"{d.name}: {format_yuan(d.actual_balance)} ({t('case_status_' + d.status, lang)})" for d in self.debts]
            + [c.line(lang) for c in self.clearance]
        )
        todo = ""
        if self.clearance:  # after clearing: what is still to do, until done
            items = "".join(f"<li>{e(c.line(lang))}</li>" for c in self.clearance)
            todo = f"<p><b>{e(t('clearance_title', lang))}</b></p><ul>{items}</ul>"
        return Shown(f"{head}<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>{todo}", text)

    def _repr_html_(self) -> str:
        return self.table("en")._repr_html_()


#: How the case tables look in a notebook (cells padded, amounts to the right).
_TABLE_STYLE = (
    "<style>.planner-table{border-collapse:collapse}.planner-table th,.planner-table td{padding:3px 10px;"
    "border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}.planner-table th:first-child,"
    ".planner-table td:first-child{text-align:left}</style>"
)


class Shown:
    """A table for people, already in one language: shown as HTML in a notebook, as text elsewhere."""

    def __init__(self, html_text: str, text: str):
        self._html, self._text = _TABLE_STYLE + html_text, text

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._text


def _comma(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def ahead_text(amount: Decimal, lang: str = "en") -> str:
    """Where a client stands against the plan, in words: ahead by or behind by a positive amount.

    >>> ahead_text(Decimal("-300"), "en"), ahead_text(Decimal("-300"), "zh"), ahead_text(Decimal("12.5"), "zh")
    ('Behind plan by ¥300.00', '落后计划 ¥300.00', '领先计划 ¥12.50')
    """
    from ..i18n import t

    key = "case_behind_by" if amount < 0 else "case_ahead_by"
    return f"{t(key, lang)} {format_yuan(abs(amount))}"


def local_date(stamp: str | None, tz=None) -> str:
    """A stored UTC time stamp (``2026-12-06T02:30:11Z``) as the date where the borrower lives
    (the conduct data's time zone unless ``tz``), ``YYYY-MM-DD``; ``""`` when there is none.

    >>> local_date("2026-12-05T17:30:00Z"), local_date(None)
    ('2026-12-06', '')
    """
    if not stamp:
        return ""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ..conduct import settings

    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:10]
    if when.tzinfo is None:
        return when.date().isoformat()
    return when.astimezone(ZoneInfo(str(tz or settings()["timezone"]))).date().isoformat()


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
    flagged_contacts: int = 0  # contacts with at least one flag
    get_in_writing: int = 0  # asks accepted, not yet confirmed in writing
    flagged_by_lender: dict = field(default_factory=dict)  # lender -> contacts with at least one flag
    clearance_todo: tuple = ()  # cleared debts whose checklist after clearing is not done

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
            "flagged_contacts": self.flagged_contacts,
            "flagged_by_lender": dict(self.flagged_by_lender),
            "get_in_writing": self.get_in_writing,
            "clearance_todo": list(self.clearance_todo),
        }


class Caseload:
    """All cases of a book at a glance (a list of :class:`CaseloadRow`)."""

    def __init__(self, rows: list[CaseloadRow], broken: tuple[tuple[str, str], ...] = ()):
        self.rows = rows
        #: ``(case name, reason)`` of each case that could not be read or worked out (the others are in ``rows``).
        self.broken = tuple(broken)

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

    def table(self, lang: str = "en") -> Shown:
        """Every case at a glance in ``lang``: headers, "behind" shown as such, the last update as a local date."""
        import html

        from ..i18n import t

        e = html.escape
        cols = ("case_client", "case_owed_start", "case_owed_now", "case_paid_pct", "case_vs_plan", "case_debt_free", "case_unconfirmed",
                "case_list_get_in_writing", "case_list_clearance", "case_last_update")
        header = "".join(f"<th>{e(t(c, lang))}</th>" for c in cols)
        body = "".join(
            f"<tr><td>{e(r.client)}</td><td>{format_yuan(r.owed_at_start)}</td><td>{format_yuan(r.owed_now)}</td>"
            f"<td>{r.percent_paid}%</td><td>{e(ahead_text(r.ahead_by, lang))}</td><td>{e(r.debt_free or t('case_never', lang))}</td><td>{r.unconfirmed}</td>"
            f"<td>{r.get_in_writing}</td><td>{e(_comma(lang).join(r.clearance_todo) or '-')}</td><td>{e(local_date(r.last_update))}</td></tr>"
            for r in self.rows
        )
        if not self.rows:
            return Shown(f"<p>{e(t('case_book_empty', lang))}</p>", t("case_book_empty", lang))
        text = "\n".join(f"{r.client}: {format_yuan(r.owed_now)} · {ahead_text(r.ahead_by, lang)}" for r in self.rows)
        return Shown(f"<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>", text)

    def _repr_html_(self) -> str:
        return self.table("en")._repr_html_()


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


def flagged_by_lender(data: CaseData) -> dict[str, dict[str, int]]:
    """For each lender with a flagged contact, how many of its contacts each rule flagged."""
    from ..conduct import flag_contacts, flags_by_lender

    contacts = [c.contact for c in data.contacts]
    if not contacts:
        return {}
    found = flags_by_lender(contacts, flag_contacts(contacts))
    return {lender: dict(counts) for lender, counts in found.items() if counts}


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
    late = dict(paid)
    for r in track.rows:
        paid[r.debt] += r.payment
        interest[r.debt] += r.interest
        unexplained[r.debt] += r.unexplained
        late[r.debt] += r.late_fee
    debts = []
    total_planned = total_actual = 0
    for d in data.debts:
        actual = track.owed(d.name)
        want = planned.get(d.name, 0)
        total_planned += want
        total_actual += actual
        state = "cleared" if actual == 0 else "ahead" if actual < want else "on_track" if actual == want else "behind"
        debts.append(DebtStatus(d.name, from_cents(want), from_cents(actual), from_cents(paid[d.name]), from_cents(interest[d.name]), from_cents(unexplained[d.name]), state,
                                from_cents(late[d.name])))
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
        flagged_contacts=flagged_by_lender(data),
        get_in_writing=tuple(a for a in data.asks if a.get_in_writing),
        clearance=open_checklists(data, track),
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


__all__ = [
    "Caseload",
    "CaseloadRow",
    "DebtStatus",
    "Progress",
    "Shown",
    "Status",
    "ahead_text",
    "local_date",
    "plan_in_force",
    "progress_of",
    "replan_inputs",
    "status_of",
    "track_of",
]
