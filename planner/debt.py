"""The :class:`Debt`: one debt as the planner understands it.

A ``Debt`` is frozen and checks itself when it is made, so nothing downstream
has to. Money is a :class:`~decimal.Decimal` of yuan, rounded half-up to the
cent; rates are percent points per year (``18`` means 18%).

>>> d = Debt("花呗", balance="5000", apr=18, min_payment=500)
>>> d.balance, d.apr, d.monthly_interest
(Decimal('5000.00'), Decimal('18'), Decimal('75.00'))
>>> d.with_(apr=12).apr
Decimal('12')
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .datafiles import kinds
from .errors import InputError, PlannerError, Problem
from .money import as_date, as_decimal, is_numpy_bool, normalise, round_cents

#: Largest amount of money the planner accepts for one debt (¥10 billion).
MAX_MONEY = Decimal("10000000000")
#: Why a debt comes first in a fair-share offer (labels ``priority_reason_<code>`` in the catalogue).
PRIORITY_REASONS = ("secured", "court", "guarantee")
#: Largest yearly rate in percent it accepts (1000%: anything above is a typo).
MAX_APR = Decimal("1000")
#: When a flat-fee debt's fee is charged: each period (分期收取, the default) or all with the first payment (一次性收取).
FEE_TIMINGS = ("monthly", "upfront")
#: What paying a flat-fee debt off early costs besides its principal: the remaining fees waived (the default) or charged.
PREPAY_FEES = ("waived", "charged")


class FlatFee(NamedTuple):
    """A flat-fee instalment's contract (分期手续费): ``periods`` payments of ``instalment`` principal
    (the last period takes the rounding) and a fee of ``fee`` (``principal`` × the monthly fee rate,
    half-up to the cent) each period, or the whole fee with the first payment (``timing`` "upfront").

    >>> f = Debt("分期", 4000, 0, 0, fee_rate="0.66", term_months=12, fee_timing="upfront").flat_fee
    >>> f.instalment, f.fee, f.total_fees, f.first_payment
    (Decimal('333.33'), Decimal('26.40'), Decimal('316.80'), Decimal('650.13'))
    """

    principal: Decimal  # P: the original principal (``principal``, else the balance)
    fee_rate: Decimal  # percent a month of P
    periods: int  # n: the contract's periods, ``periods_paid + term_months``
    paid: int  # periods already paid before the plan
    timing: str  # FEE_TIMINGS
    prepay: str  # PREPAY_FEES

    @property
    def left(self) -> int:
        """Periods still to pay (``term_months``)."""
        return self.periods - self.paid

    @property
    def fee(self) -> Decimal:
        """The fee of one period, P·f half-up to the cent."""
        return round_cents(self.principal * self.fee_rate / 100)

    @property
    def instalment(self) -> Decimal:
        """The principal of one period, P/n half-up to the cent (the last period takes the rounding)."""
        return round_cents(self.principal / self.periods)

    @property
    def total_fees(self) -> Decimal:
        """The contract's fees: n × the period's fee, or n·P·f half-up when charged up front."""
        if self.timing == "upfront":
            return round_cents(self.principal * self.fee_rate * self.periods / 100)
        return self.fee * self.periods

    @property
    def fees_left(self) -> Decimal:
        """The fees still to be charged from the plan's first month on (none of an up-front fee once a period is paid)."""
        if self.timing == "upfront":
            return self.total_fees if self.paid == 0 else Decimal("0.00")
        return self.fee * self.left

    @property
    def first_payment(self) -> Decimal:
        """The next period's payment by contract (the first period's carries an up-front fee)."""
        if self.timing == "upfront":
            return self.instalment + self.fees_left
        return self.instalment + self.fee


def _dec(value, field_name: str) -> Decimal:
    return as_decimal(value, field_name)


def _whole(value, field_name: str, name: str) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and not is_numpy_bool(value):
        return int(value)
    raise PlannerError("debt.whole_number", name=name, field_name=field_name, shown=str(value)[:40])


@dataclass(frozen=True, slots=True)
class Debt:
    """One debt.

    Required: ``name``, ``balance`` (owed now, yuan), ``apr`` (percent per
    year) and ``min_payment`` (monthly, yuan). The rest is optional detail
    used by the negotiation features; ``extra`` carries unknown CSV columns.

    Numbers may be Decimal, int, float or numpy scalars (read exactly, through
    their shortest repr); ``contract_date`` a date, a datetime or text such as
    ``"2023-05-10"`` (kept as a date); ``name`` is normalised as the loaders
    normalise cells (invisible characters removed). Anything else is a
    :class:`~planner.errors.PlannerError` here, not an error later.

    The ``defer_*`` and ``settle_*`` fields are set by negotiation
    adjustments, not by a CSV: a payment holiday of ``defer_months`` months
    from month ``defer_from`` (interest accruing when ``defer_interest``), and
    a settlement in month ``settle_month`` paying ``settle_fraction`` of what
    is owed then, the rest forgiven; ``settle_saving``, for a settlement saved
    up for (:func:`planner.negotiation.save_to_settle`), the monthly amount put
    aside toward it until ``settle_month`` (the engine does not read it: a
    scenario's plan takes it out of the budget, see :func:`planner.negotiation.negotiate`).

    ``due_day`` (还款日) is the day of the month a payment is due, 1 to 31; in a month
    shorter than that it falls on the month's last day (31 in February: the 28th or 29th).
    Only the payment calendar (:mod:`planner.calendar`) reads it.
    ``priority`` marks a priority debt for fair shares (:mod:`planner.offers`: paid its minimum
    before the others share what is left), with ``priority_reason`` one of
    :data:`PRIORITY_REASONS` (a secured loan, a court order or enforcement, a guarantee) when known.

    A debt with ``fee_rate`` (a flat monthly fee, percent of the original principal) and
    ``term_months`` (the periods left) is a flat-fee instalment (:attr:`flat_fee`): the engine
    plans it as its contract says, not at ``apr`` (which stays its true rate, for the reference
    lines). ``principal`` is the original principal (default: ``balance``); ``periods_paid``
    (已还期数) the periods already paid, so the contract has ``periods_paid + term_months``;
    ``fee_timing`` one of :data:`FEE_TIMINGS` and ``prepay_fees`` one of :data:`PREPAY_FEES`
    (docs/conventions.md, "Flat-fee instalments").
    """

    name: str
    balance: Decimal
    apr: Decimal
    min_payment: Decimal
    kind: str = "other"
    daily_rate: Decimal | None = None
    fee_rate: Decimal | None = None
    term_months: int | None = None
    overdue_days: int = 0
    penalty_apr: Decimal | None = None
    fees_owed: Decimal = Decimal("0.00")
    contract_date: date | None = None
    principal: Decimal | None = None
    defer_months: int = 0
    defer_from: int = 1
    defer_interest: bool = True
    settle_month: int | None = None
    settle_fraction: Decimal | None = None
    settle_saving: Decimal | None = None
    due_day: int | None = None
    priority: bool = False
    priority_reason: str | None = None
    fee_timing: str = "monthly"
    periods_paid: int = 0
    prepay_fees: str = "waived"
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        # The loaders' one normalisation: "a", "a" + zero-width space and BOM + "a" are one name.
        name = normalise(self.name) if isinstance(self.name, str) else ""
        if not name:
            raise PlannerError("debt.debt_needs_name_non", name=self.name)
        set_(self, "name", name)
        for money in ("balance", "min_payment", "fees_owed", "principal", "settle_saving"):
            value = getattr(self, money)
            if value is None:
                continue
            value = round_cents(_dec(value, money))
            if value < 0:
                raise PlannerError(
                    "debt.cannot_negative",
                    name=self.name,
                    money=money,
                    shown=value,
                    column=money,
                    value=value,
                )
            if value > MAX_MONEY:
                raise PlannerError(
                    "debt.implausibly_large_max",
                    name=self.name,
                    money=money,
                    shown=value,
                    max_money=MAX_MONEY,
                    column=money,
                    value=value,
                )
            set_(self, money, value)
        for rate in ("apr", "penalty_apr", "daily_rate", "fee_rate", "settle_fraction"):
            value = getattr(self, rate)
            if value is None:
                continue
            value = _dec(value, rate)
            if value < 0:
                raise PlannerError(
                    "debt.cannot_negative_2",
                    name=self.name,
                    rate=rate,
                    shown=value,
                    column=rate,
                    value=value,
                )
            set_(self, rate, value)
        for rate in ("apr", "penalty_apr"):
            value = getattr(self, rate)
            if value is not None and value > MAX_APR:
                raise PlannerError(
                    "debt.implausibly_high_max",
                    name=self.name,
                    rate=rate,
                    shown=value,
                    max_apr=MAX_APR,
                    column=rate,
                    value=value,
                )
        if self.settle_fraction is not None and self.settle_fraction > 1:
            raise PlannerError("debt.settle_fraction_between", name=self.name)
        if not isinstance(self.kind, str) or self.kind not in kinds():
            raise PlannerError("debt.unknown_kind", name=self.name, kind=self.kind, v=', '.join(kinds()))
        for count in ("term_months", "overdue_days", "defer_months", "defer_from", "settle_month", "periods_paid"):
            value = getattr(self, count)
            if value is None:
                continue
            value = _whole(value, count, self.name)
            low = 1 if count in ("term_months", "defer_from", "settle_month") else 0
            if value < low:
                raise PlannerError("debt.least", name=self.name, count=count, low=low)
            set_(self, count, value)
        if self.due_day is not None:
            day = self.due_day
            if isinstance(day, bool) or is_numpy_bool(day) or not isinstance(day, numbers.Integral) or not 1 <= int(day) <= 31:
                raise PlannerError("debt.due_day_range", name=self.name, shown=str(day)[:40], column="due_day", value=day)
            set_(self, "due_day", int(day))
        if not isinstance(self.defer_interest, bool):
            if not is_numpy_bool(self.defer_interest):  # numpy's bool is accepted as a bool
                raise PlannerError(
                    "debt.defer_interest_true_false",
                    name=self.name,
                    defer_interest=str(self.defer_interest)[:40],
                )
            set_(self, "defer_interest", bool(self.defer_interest))
        if isinstance(self.priority, str) and self.priority in PRIORITY_REASONS:  # Debt(..., priority="secured")
            set_(self, "priority_reason", self.priority if self.priority_reason is None else self.priority_reason)
            set_(self, "priority", True)
        if not isinstance(self.priority, bool):
            if not is_numpy_bool(self.priority):
                raise PlannerError("debt.priority_true_false", name=self.name, shown=str(self.priority)[:40], column="priority", value=self.priority)
            set_(self, "priority", bool(self.priority))
        if self.priority_reason is not None:
            if self.priority_reason not in PRIORITY_REASONS:
                raise PlannerError("debt.priority_reason_one_of", name=self.name, choices=", ".join(PRIORITY_REASONS),
                                   shown=str(self.priority_reason)[:40], column="priority_reason", value=self.priority_reason)
            set_(self, "priority", True)  # a reason makes it a priority debt
        self._check_flat_fee()
        if self.contract_date is not None:
            # A date, a datetime (its day), a pandas Timestamp or text such as "2023-05-10": checked here,
            # not later in assess().
            set_(self, "contract_date", as_date(self.contract_date, f"{self.name}: contract_date"))
        if (self.settle_month is None) != (self.settle_fraction is None):
            raise PlannerError("debt.settle_month_need_both", name=self.name)
        if self.settle_saving is not None and (self.settle_month is None or self.settle_saving <= 0):
            raise PlannerError("debt.settle_saving_needs_settlement", name=self.name, shown=self.settle_saving)
        extra = self.extra
        try:
            pairs = extra.items() if isinstance(extra, Mapping) else [tuple(pair) for pair in extra]
            if isinstance(extra, (str, bytes)) or any(len(pair) != 2 for pair in pairs):
                raise TypeError
        except TypeError:
            raise PlannerError("debt.extra_extra_mapping_column", name=self.name, extra=str(extra)[:40]) from None
        set_(self, "extra", tuple((str(k), str(v)) for k, v in dict(pairs).items()))

    def _check_flat_fee(self) -> None:
        """The flat-fee settings: known values, only on a flat-fee debt, a principal when periods are already paid."""
        for what, allowed in (("fee_timing", FEE_TIMINGS), ("prepay_fees", PREPAY_FEES)):
            value = getattr(self, what)
            if not isinstance(value, str) or value not in allowed:
                raise PlannerError("debt.flat_fee_setting_unknown", name=self.name, what=what, shown=str(value)[:40],
                                   allowed=", ".join(allowed), column=what, value=value)
        flat = self.fee_rate is not None and self.term_months is not None
        if not flat and (self.fee_timing != "monthly" or self.periods_paid or self.prepay_fees != "waived"):
            raise PlannerError("debt.flat_fee_setting_without_fee", name=self.name)
        if flat and self.periods_paid and self.principal is None:
            raise PlannerError("debt.periods_paid_needs_principal", name=self.name, paid=self.periods_paid,
                               column="periods_paid", value=self.periods_paid)

    @property
    def flat_fee(self) -> FlatFee | None:
        """The flat-fee contract (``fee_rate`` and ``term_months`` both set), or None."""
        if self.fee_rate is None or self.term_months is None:
            return None
        return FlatFee(self.principal if self.principal is not None else self.balance, self.fee_rate,
                       self.periods_paid + self.term_months, self.periods_paid, self.fee_timing, self.prepay_fees)

    @property
    def is_overdue(self) -> bool:
        """Whether the debt is overdue now (``overdue_days`` above zero)."""
        return self.overdue_days > 0

    @property
    def effective_apr(self) -> Decimal:
        """The yearly rate actually charged: ``penalty_apr`` while overdue, else ``apr``."""
        if self.is_overdue and self.penalty_apr is not None:
            return self.penalty_apr
        return self.apr

    @property
    def monthly_interest(self) -> Decimal:
        """Interest of the first month on today's balance, at the effective rate."""
        return round_cents(self.balance * self.effective_apr / 1200)

    @property
    def owed(self) -> Decimal:
        """Everything owed now: balance plus fees."""
        return self.balance + self.fees_owed

    @property
    def extras(self) -> dict[str, str]:
        """Unknown CSV columns carried along, as a dict."""
        return dict(self.extra)

    def with_(self, **changes) -> Debt:
        """A copy with some fields changed (the debt is frozen)."""
        return dataclasses.replace(self, **changes)


def check_debts(debts, source: str = "debts") -> list[Debt]:
    """``debts`` as a list, after checking each is a :class:`Debt` and the names are unique.

    Parameters
    ----------
    debts : iterable of Debt
    source : str, default "debts"
        How the problems name where the debts came from.

    Returns
    -------
    list of Debt

    Raises
    ------
    InputError
        Listing every problem (not a Debt, a repeated name, no debts at all).

    Examples
    --------
    >>> [d.name for d in check_debts((Debt("A", 100, 12, 10), Debt("B", 50, 0, 5)))]
    ['A', 'B']
    """
    if isinstance(debts, (str, bytes, Mapping)) or not hasattr(debts, "__iter__"):
        raise InputError([Problem.of("debt.expected_list_debt_objects", type_name=type(debts).__name__)], source)
    debts = list(debts)
    problems = []
    seen: dict[str, int] = {}
    for position, debt in enumerate(debts, start=1):
        if not isinstance(debt, Debt):
            problems.append(Problem.of("debt.item_not_debt", position=position, type_name=type(debt).__name__))
        elif debt.name in seen:
            problems.append(Problem.of(
                "debt.name_appears_twice_items",
                name=debt.name,
                seen=seen[debt.name],
                position=position,
            ))
        else:
            seen[debt.name] = position
    if not debts:
        problems.append(Problem.of("debt.no_debts"))
    if problems:
        raise InputError(problems, source)
    return list(debts)


__all__ = [
    "FEE_TIMINGS",
    "FlatFee",
    "PREPAY_FEES",
    "Debt",
    "MAX_APR",
    "MAX_MONEY",
    "PRIORITY_REASONS",
    "check_debts",
]
