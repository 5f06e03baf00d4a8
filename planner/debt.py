"""The :class:`Debt`: one debt as the planner understands it.

A ``Debt`` is frozen and checks itself when it is made, so nothing downstream
has to. Money is a :class:`~decimal.Decimal` of yuan, rounded half-up to the
cent; rates are percent points per year (``18`` means 18%).

>>> d = Debt("花呗", balance="5000", apr=18, min_payment=500)
>>> d.balance, d.apr, d.monthly_interest
(Decimal('5000.00'), Decimal('18'), Decimal('75.00'))
>>> d.with_(apr=12).apr
Decimal('12')

A credit card's minimum is often a share of the balance with a floor (最低还款额,
:func:`minimum_due`): ``min_payment`` is then the first month's minimum.

>>> card = Debt("信用卡", 10000, 18, "10%+100")
>>> card.min_percent, card.min_floor, card.min_payment   # 1,000 of principal + 150 of interest
(Decimal('10'), Decimal('100.00'), Decimal('1150.00'))
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
from .money import (
    ParseError, as_date, as_decimal, format_minimum, from_cents, half_up, is_numpy_bool, normalise, parse_minimum, rate_ratio,
    round_cents, to_cents,
)

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


#: How a minimum given as a share of the balance is taken (``Debt.min_basis``, :func:`minimum_due`).
MIN_BASES = ("principal", "statement")


def minimum_due(share: tuple[int, int], floor: int, statement: bool, opening: int, interest: int, fees: int) -> int:
    """The month's minimum, in cents, of a debt whose minimum is a share of its balance (最低还款额).

    ``opening`` is the balance at the month's opening before its interest, ``interest`` the
    month's interest, ``fees`` the fees owed, ``share`` the share as an exact ratio (10% is
    ``(1, 10)``) and ``floor`` the least minimum. The rule, in both engines:

    * ``statement`` False (``min_basis="principal"``, the default): the share of the balance
      carried into the month plus all of the month's interest and the fees owed. This is the
      formula Chinese banks publish for 最低还款额 (信用额度内消费款的 10% + 费用和利息的 100%,
      e.g. ICBC's and CMB's card terms), so paying only the minimum always pays the interest.
    * ``statement`` True (``min_basis="statement"``): the share of the whole statement balance
      (balance after the month's interest, plus fees), as some banks and most calculators state it.

    The share is rounded half-up to the cent; the minimum is at least ``floor`` and at most what
    is owed (a balance below the floor is paid in full).

    Parameters
    ----------
    share : tuple of (int, int)
        The share of the balance as ``(numerator, denominator)``, from :func:`share_ratio`.
    floor : int
        The least minimum, in integer cents.
    statement : bool
        True for ``min_basis="statement"`` (share of the whole statement balance), False for
        ``min_basis="principal"`` (share of the opening balance plus interest and fees).
    opening : int
        The balance at the month's opening before its interest, in integer cents.
    interest : int
        The month's interest, in integer cents.
    fees : int
        The fees owed, in integer cents.

    Returns
    -------
    int
        The month's minimum in integer cents: at least ``floor`` and at most
        ``opening + interest + fees``.

    Examples
    --------
    >>> minimum_due((1, 10), 10000, False, 1000000, 15000, 0)   # ¥10,000 at 18%: 1,000 + 150
    115000
    >>> minimum_due((1, 10), 10000, True, 1000000, 15000, 0)    # 10% of ¥10,150
    101500
    >>> minimum_due((1, 10), 10000, False, 5000, 75, 0)          # below the floor: all of ¥50.75
    5075
    """
    due = opening + interest + fees
    if statement:
        raw = half_up(due * share[0], share[1])
    else:
        raw = half_up(opening * share[0], share[1]) + interest + fees
    if raw < floor:
        raw = floor
    return raw if raw < due else due


def share_ratio(percent: Decimal) -> tuple[int, int]:
    """A share in percent points as an exact ratio in lowest terms: ``10`` is ``(1, 10)``.

    Parameters
    ----------
    percent : Decimal
        The share in percent points (``2.5`` is 2.5%).

    Returns
    -------
    tuple of (int, int)
        ``(numerator, denominator)`` of ``percent / 100`` in lowest terms.

    Examples
    --------
    >>> share_ratio(Decimal("10")), share_ratio(Decimal("2.5"))
    ((1, 10), (1, 40))
    """
    from fractions import Fraction

    ratio = Fraction(percent) / 100
    return ratio.numerator, ratio.denominator


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

    A minimum that is a share of the balance (a card's 最低还款额) is ``min_percent`` (percent
    points, above 0 and at most 100) with a floor ``min_floor`` (yuan) and a ``min_basis``
    (:data:`MIN_BASES`; the rule is :func:`minimum_due`); ``min_payment`` may also be written
    ``"10%"`` or ``"10%+50"`` (share plus floor). Each month's minimum then follows the
    balance, and ``min_payment`` is derived: the first month's minimum on today's balance
    (what tables, charts and the first month's feasibility read). Giving ``min_payment`` in
    :meth:`with_` makes the minimum a fixed amount again.
    """

    name: str
    balance: Decimal
    apr: Decimal
    min_payment: Decimal | str | None = None
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
    min_percent: Decimal | None = None
    min_floor: Decimal = Decimal("0.00")
    min_basis: str = "principal"
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        # The loaders' one normalisation: "a", "a" + zero-width space and BOM + "a" are one name.
        name = normalise(self.name) if isinstance(self.name, str) else ""
        if not name:
            raise PlannerError("debt.debt_needs_name_non", name=self.name)
        set_(self, "name", name)
        self._read_minimum_rule()
        for money in ("balance", "min_payment", "fees_owed", "principal", "settle_saving", "min_floor"):
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
        if self.min_percent is not None:
            set_(self, "min_payment", from_cents(self.minimum_in(to_cents(self.balance), to_cents(self.fees_owed))))

    def _read_minimum_rule(self) -> None:
        """``min_payment`` written as ``"10%+50"`` read into ``min_percent``/``min_floor``; the rule's fields checked."""
        set_ = object.__setattr__
        given = self.min_payment
        if isinstance(given, str) and "%" in given:
            if self.min_percent is not None:
                raise PlannerError("debt.minimum_given_twice", name=self.name, shown=given[:40], column="min_payment", value=given)
            try:
                _, percent, floor = parse_minimum(given)
            except ParseError as exc:
                raise PlannerError("debt.minimum_unreadable", name=self.name, reason=exc, column="min_payment", value=given) from None
            set_(self, "min_percent", percent)
            set_(self, "min_floor", floor)
        if self.min_percent is None:
            if self.min_payment is None:
                raise PlannerError("debt.minimum_missing", name=self.name, column="min_payment")
            set_(self, "min_floor", Decimal("0.00"))  # a fixed minimum has no share, floor or basis
            set_(self, "min_basis", "principal")
            return
        percent = _dec(self.min_percent, "min_percent")
        if not 0 < percent <= 100:
            raise PlannerError("debt.minimum_share_range", name=self.name, shown=percent, column="min_percent", value=percent)
        set_(self, "min_percent", percent)
        set_(self, "min_payment", Decimal("0.00"))  # derived once the balance is checked
        if self.min_floor is None:
            set_(self, "min_floor", Decimal("0.00"))
        if self.min_basis not in MIN_BASES:
            raise PlannerError("debt.minimum_basis_unknown", name=self.name, shown=str(self.min_basis)[:40],
                               v=", ".join(MIN_BASES), column="min_basis", value=self.min_basis)

    def minimum_in(self, balance: int, fees: int) -> int:
        """The minimum due, in cents, in a month that opens owing ``balance`` and ``fees`` cents
        (interest at the effective rate added, as the engine does): :func:`minimum_due` for a
        share-of-balance minimum, else ``min_payment`` capped at what is owed.

        >>> Debt("Card", 10000, 18, "10%+100").minimum_in(50000, 0)   # 50 + 7.50 is below the floor
        10000
        """
        num, den = rate_ratio(self.effective_apr)
        interest = half_up(balance * num, den)
        if self.min_percent is None:
            return min(to_cents(self.min_payment), balance + interest + fees)
        return minimum_due(share_ratio(self.min_percent), to_cents(self.min_floor), self.min_basis == "statement",
                           balance, interest, fees)

    @property
    def min_rule(self) -> str:
        """The minimum as written in a table: ``"10%+50"`` for a share of the balance, else the amount (``"500.00"``).

        >>> Debt("Card", 10000, 18, "10%+100").min_rule, Debt("Loan", 5000, 12, 500).min_rule
        ('10%+100', '500.00')
        """
        if self.min_percent is None:
            return str(self.min_payment)
        return format_minimum(self.min_percent, self.min_floor)

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
        """A copy with some fields changed (the debt is frozen).

        A new ``min_payment`` amount makes the minimum fixed (a re-amortised loan, an
        agreed instalment); a new balance re-derives a share-of-balance minimum.

        >>> Debt("Card", 10000, 18, "10%").with_(min_payment=300).min_percent is None
        True
        """
        if "min_payment" in changes and "min_percent" not in changes:
            changes["min_percent"] = None  # "5%+50" sets the rule again from the text
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
    "MIN_BASES",
    "PRIORITY_REASONS",
    "check_debts",
    "minimum_due",
    "share_ratio",
]
