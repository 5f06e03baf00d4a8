"""What a case holds (:class:`CaseData`, :class:`Agreement`, :class:`Replan`) and the exact
JSON form of debts; money typed by a person (:func:`parse_amount`).

>>> parse_amount("￥1,200.50")
120050
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from ..debt import MAX_MONEY, Debt
from ..errors import PlannerError
from ..money import ParseError, SubCentError, from_cents, parse_money, to_cents
from ..negotiation import Adjustment

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
            raise ParseError("cases.model.not_amount")
        amount = parse_money(value, exact=True) if isinstance(value, str) else Decimal(str(value)) if isinstance(value, (int, float, Decimal)) else None
        if amount is None:
            raise ParseError("cases.model.not_amount")
        if not amount.is_finite():
            raise ParseError("money.parse.not_finite_number")
    except SubCentError:
        amount = None
    except (ParseError, ArithmeticError):
        raise PlannerError("cases.model.not_amount_money_write", what=what, shown=shown) from None
    sub_cent = PlannerError("cases.model.amount_fraction_cent_write", what=what, shown=shown)
    if amount is None:
        raise sub_cent
    if amount < 0:
        raise PlannerError("cases.model.amount_cannot_negative", what=what, shown=shown)
    if amount > MAX_MONEY:
        raise PlannerError("cases.model.amount_implausibly_large", what=what, shown=shown)
    if amount != amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):  # issue 24, item 13: never rounded silently
        raise sub_cent
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
        "due_day": d.due_day,
        **({"priority": True, "priority_reason": d.priority_reason} if d.priority else {}),
        **_flat_detail(d),
        **_minimum_rule(d),
        "extra": [list(pair) for pair in d.extra],
    }


def _flat_detail(d: Debt) -> dict:
    """A flat-fee instalment's settings, only where they differ from the defaults (a stored debt
    without them reads as before)."""
    out = {}
    if d.fee_timing != "monthly":
        out["fee_timing"] = d.fee_timing
    if d.periods_paid:
        out["periods_paid"] = d.periods_paid
    if d.prepay_fees != "waived":
        out["prepay_fees"] = d.prepay_fees
    return out
def _minimum_rule(d: Debt) -> dict:
    """A minimum that is a share of the balance, for the JSON detail (nothing for a fixed minimum, so
    stored fixed-minimum debts read as before): ``min_percent`` as decimal text, ``min_floor`` in
    cents, ``min_basis``. ``min_payment`` beside it is the first month's minimum, derived again on reading."""
    if d.min_percent is None:
        return {}
    return {"min_percent": str(d.min_percent), "min_floor": to_cents(d.min_floor), "min_basis": d.min_basis}


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
        due_day=x.get("due_day"),
        priority=bool(x.get("priority", False)),
        priority_reason=x.get("priority_reason"),
        fee_timing=x.get("fee_timing", "monthly"),
        periods_paid=x.get("periods_paid", 0),
        prepay_fees=x.get("prepay_fees", "waived"),
        min_percent=dec(x.get("min_percent")),
        min_floor=from_cents(x.get("min_floor") or 0),
        min_basis=x.get("min_basis") or "principal",
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


#: The answers a lender can give to an ask.
ANSWERS = ("accepted", "refused", "counter", "pending")


@dataclass(frozen=True)
class ContactRecord:
    """A contact kept in the book: the :class:`planner.conduct.Contact` (its time in the
    original offset), the zone name given at entry (None: an offset only) and its row id."""

    id: int
    contact: object  # planner.conduct.Contact
    zone: str | None
    created_at: str


@dataclass(frozen=True)
class Ask:
    """What was asked of a lender (a negotiation adjustment from a calendar month) and its answer."""

    id: int
    adjustment: Adjustment
    from_month: str
    answer: str  # one of ANSWERS
    counter: str
    confirmed: bool
    agreement_id: int | None
    created_at: str

    @property
    def action(self) -> str:
        return self.adjustment.action

    @property
    def get_in_writing(self) -> bool:
        """Accepted but not yet confirmed in writing (白纸黑字)."""
        return self.answer == "accepted" and not self.confirmed


@dataclass(frozen=True)
class BudgetStatement:
    """One version of a case's budget statement (收支表): from a calendar month, as entered then."""

    version: int
    month: str
    statement: object  # planner.budget.Statement
    created_at: str

    def to_dict(self) -> dict:
        return {"version": self.version, "month": self.month, "created_at": self.created_at, **self.statement.to_dict()}


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
    contacts: tuple[ContactRecord, ...] = ()  # schema 3, in time order
    asks: tuple[Ask, ...] = ()
    #: After a debt is cleared: debt -> {step: "YYYY-MM-DD"} (see :mod:`planner.cases.clearance`);
    #: kept in the debt's ``detail`` JSON in the book, no table of its own.
    clearance: dict[str, dict[str, str]] = field(default_factory=dict)
    budget_statements: tuple[BudgetStatement, ...] = ()  # schema 4, oldest first

    @property
    def budget_statement(self):
        """The latest budget statement (a :class:`planner.budget.Statement`), or None."""
        return self.budget_statements[-1].statement if self.budget_statements else None

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


__all__ = [
    "ANSWERS",
    "EXPORT_FORMAT",
    "Agreement",
    "Ask",
    "BudgetStatement",
    "ContactRecord",
    "CaseData",
    "Replan",
    "debt_from_dict",
    "debt_to_dict",
    "parse_amount",
]
