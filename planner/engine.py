"""The exact monthly engine.

Conventions (also in docs/conventions.md):

* Month 1 is the first payment month. Each month, interest on every open debt
  is its opening balance × apr / 12, rounded half-up to the cent (四舍五入),
  and added before payment. An overdue debt with a ``penalty_apr`` is charged
  that rate instead. Fees owed earn no interest.
* Each month every open debt first receives its minimum: ``min(min_payment, amount due)``,
  or for a minimum that is a share of the balance (``min_percent``, a card's 最低还款额)
  :func:`~planner.debt.minimum_due` of that month's opening balance, interest and fees
  (the share of the principal plus the month's interest and fees, at least the floor,
  at most what is owed), so it falls as the balance falls;
  what is left of the budget goes to open debts in the strategy's priority
  order, each taking up to its full amount due, cascading to the next in the
  same month. A cleared debt's minimum rolls into the budget by itself.
* A payment is applied to fees first, then to the balance, interest before
  principal (Civil Code art. 561).
* Priority is fixed at the start of the plan.
* A payment holiday (``defer_months``) pays nothing on that debt for those
  months; a settlement (``settle_month``) pays ``settle_fraction`` of what is
  owed at the start of that month, on top of the budget, and the rest is
  forgiven.
* Terms can change from a month on (``changes``: a negotiation agreed from
  month k). At the opening of month k the change sees each debt as it stands
  then (its balance and fees owed at that moment, deferral and settlement
  months counted from k) and returns it changed; what it writes off is
  forgiven in month k, and the strategy's priority is set again from the
  debts as they stand. So a change from month k plans exactly as a new plan
  from month k on the changed debts. A change from month 1 is made to the
  debts before the plan, as a scenario does.
* Money is integer cents throughout; every plan reconciles: paid = starting
  balances + fees + interest − forgiven − still owed at the end.

>>> from planner.debt import Debt
>>> p = plan([Debt("A", 1000, 12, 100)], budget=600)  # month 1: 10.00 interest, 410 left
>>> p.months, p.total_interest, p.total_paid
(2, Decimal('14.10'), Decimal('1014.10'))
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple
from decimal import Decimal
from math import ceil

from .debt import Debt, check_debts, minimum_due, share_ratio
from .errors import InfeasibleBudgetError, PlannerError
from .money import from_cents, half_up, rate_ratio, to_cents
from .result import Comparison, Plan, _Columns
from .strategies import STRATEGIES, Strategy, get_strategy

DEFAULT_HORIZON = 600


def _money_schedule(values, what: str) -> dict[int, int]:
    """``{month: amount}`` (or ``(month, amount)`` pairs) as cents by month; anything else is a PlannerError."""
    out: dict[int, int] = {}
    if values is None:
        return out
    try:
        pairs = list(values.items()) if isinstance(values, Mapping) else [tuple(pair) for pair in values]
        if isinstance(values, (str, bytes)) or any(len(pair) != 2 for pair in pairs):
            raise TypeError
    except TypeError:
        raise PlannerError("engine.schedule_not_mapping", what=what, values=str(values)[:40]) from None
    for month, amount in pairs:
        if isinstance(month, numbers.Integral) and not isinstance(month, bool):
            month = int(month)  # numpy integers too
        if isinstance(month, bool) or not isinstance(month, int) or month < 1:
            raise PlannerError("engine.month_whole_number", what=what, month=month)
        cents = to_cents(amount)
        if cents < 0:
            raise PlannerError("engine.amount_cannot_negative", what=what, amount=amount)
        out[month] = out.get(month, 0) + cents
    return out


def plan(
    debts,
    budget,
    strategy: str | Strategy = "avalanche",
    *,
    order: Sequence[str] | None = None,
    extra: Mapping[int, object] | None = None,
    budget_changes: Mapping[int, object] | None = None,
    horizon: int = DEFAULT_HORIZON,
    start=None,
    changes: Mapping[int, Callable[[list[Debt]], list[Debt]]] | None = None,
) -> Plan:
    """Simulate repaying ``debts`` with ``budget`` a month under ``strategy``.

    ``extra`` maps a month to a one-off extra payment (年终奖 in month 13:
    ``{13: 20000}``); ``budget_changes`` maps a month to a new monthly budget
    from that month on. ``start`` (``"2026-12"`` or a date) names the calendar
    month of month 1. ``changes`` maps a month to a change of terms from that
    month on: a function from the debts as they stand then (see
    :func:`debts_as_of`) to the changed debts, same names in the same order
    (a negotiation agreed from that month; see the module notes). Raises
    :class:`~planner.errors.InfeasibleBudgetError` when a month's budget does
    not cover the minimum payments due.

    Parameters
    ----------
    debts : iterable of Debt
        The debts (checked by :func:`~planner.debt.check_debts`: Debt objects, unique names).
    budget : number or str
        Yuan a month for all the debts together; converted to cents half-up.
    strategy : str or Strategy, default "avalanche"
        A name in :data:`~planner.strategies.STRATEGIES`, ``"custom"``, or a function ordering the debts.
    order : sequence of str, optional
        The debt names for ``strategy="custom"``.
    extra : mapping of int to amount, optional
        One-off extra yuan by month (or ``(month, amount)`` pairs); months from 1.
    budget_changes : mapping of int to amount, optional
        A new monthly budget from that month on.
    horizon : int, default 600
        The most months simulated, 1 to 1200; debts still open then are reported as owed.
    start : str or date, optional
        The calendar month of month 1, for dates in the results.
    changes : mapping of int to callable, optional
        A change of terms from a month on: ``f(debts) -> debts``, same names, same order.

    Returns
    -------
    Plan
        The month-by-month schedule (integer cents inside) and its summaries in Decimal yuan.

    Raises
    ------
    InfeasibleBudgetError
        When a month's budget does not cover the minimum payments due.
    InputError
        When ``debts`` are not Debt objects with unique names (every problem listed).
    PlannerError
        When the strategy, ``horizon``, ``budget`` (negative or not a number), a month or
        amount of ``extra``, ``budget_changes`` or ``changes``, or a change's result is invalid.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> ds = [Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 36, 500)]
    >>> p = plan(ds, 1500, start="2027-01")
    >>> p.months, p.debt_free, p.total_interest, p.priority
    (6, '2027-06', Decimal('628.26'), ('Loan', 'Card'))
    >>> plan(ds, 1000, extra={3: 2000}).months
    7
    >>> def freeze(ds):
    ...     return [d.with_(apr=0) for d in ds]
    >>> p = plan([Debt("A", 1000, 12, 100)], budget=100, changes={3: freeze})
    >>> [r["interest"] for r in p.month_rows(2)], [r["interest"] for r in p.month_rows(3)]
    ([Decimal('9.10')], [Decimal('0.00')])
    >>> plan(ds, 500)
    Traceback (most recent call last):
    ...
    planner.errors.InfeasibleBudgetError: ... The budget of ¥500.00 in month 1 does not cover the minimum payments of ¥800.00: it is ¥300.00 short. ...
    """
    debts = check_debts(debts)
    name, strategy_fn = get_strategy(strategy, order)
    if isinstance(horizon, numbers.Integral) and not isinstance(horizon, bool):
        horizon = int(horizon)
    later: dict[int, Callable] = {}
    for month, change in sorted((changes or {}).items()):
        if isinstance(month, bool) or not isinstance(month, int) or month < 1:
            raise PlannerError("engine.changes_month_whole_number", month=month)
        if month == 1:
            debts = _changed(debts, change(list(debts)))
        else:
            later[month] = change
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 1200:
        raise PlannerError("engine.horizon_months", horizon=horizon)
    base = to_cents(budget)
    if base < 0:
        raise PlannerError("engine.budget_negative", budget=budget)
    extras = _money_schedule(extra, "extra")
    new_budgets = _money_schedule(budget_changes, "budget_changes")
    beyond = sorted(m for m in (*extras, *new_budgets) if m > horizon)
    if beyond:  # it would silently never be used
        raise PlannerError("engine.month_beyond_plans_horizon", beyond=beyond[0], horizon=horizon, value=beyond[0])
    priority = _priority(debts, strategy_fn)
    cols = _simulate(debts, base, priority, extras, new_budgets, horizon, later, strategy_fn)
    return Plan(
        debts=tuple(debts),
        strategy=name,
        budget=from_cents(base),
        priority=tuple(debts[i].name for i in priority),
        horizon=horizon,
        extra={m: from_cents(c) for m, c in extras.items()},
        budget_changes={m: from_cents(c) for m, c in new_budgets.items()},
        start=start,
        columns=cols,
    )


def _priority(debts: Sequence[Debt], strategy_fn: Strategy) -> list[int]:
    """The strategy's order as positions in ``debts``."""
    position = {id(d): i for i, d in enumerate(debts)}
    return [position[id(d)] if id(d) in position else debts.index(d) for d in strategy_fn(debts)]


def _changed(before: Sequence[Debt], after) -> list[Debt]:
    """A change's result, checked: debts with the same names in the same order."""
    after = list(after) if after is not None else []
    if [d.name for d in after] != [d.name for d in before] or not all(isinstance(d, Debt) for d in after):
        raise PlannerError("engine.changes_same_debts")
    return after


def debts_as_of(debts: Sequence[Debt], month: int, balances: Sequence[int], fees: Sequence[int]) -> list[Debt]:
    """The debts as they stand at the opening of plan ``month``, for a change of terms.

    ``balances`` and ``fees`` are what each owes then, in cents. Deferral and
    settlement months are counted from ``month`` (it becomes month 1); a
    deferral already over and a settlement already past are dropped.

    Parameters
    ----------
    debts : sequence of Debt
        The debts as the plan started them (months counted from the plan's month 1).
    month : int
        The plan month (1 = the first) whose opening the debts are taken at.
    balances : sequence of int
        What each debt owes then, in integer cents, in the order of ``debts``.
    fees : sequence of int
        The fees each owes then, in integer cents, in the order of ``debts``.

    Returns
    -------
    list of Debt
        New debts (balance and fees in yuan) whose deferral, settlement and flat-fee periods
        count from ``month`` as month 1; :func:`renumber` is the inverse.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> d = debts_as_of([Debt("A", 1000, 12, 100, defer_months=3, defer_from=2)], 3, [95000], [0])[0]
    >>> d.balance, d.defer_from, d.defer_months
    (Decimal('950.00'), 1, 2)
    """
    shift = month - 1
    out = []
    for d, b, f in zip(debts, balances, fees):
        end = d.defer_from + d.defer_months
        defer = {"defer_months": 0, "defer_from": 1}
        if d.defer_months and end > month:
            first = max(d.defer_from, month)
            defer = {"defer_months": end - first, "defer_from": first - shift}
        settle = {}
        if d.settle_month is not None and d.settle_month < month:
            settle = {"settle_month": None, "settle_fraction": None, "settle_saving": None}
        elif d.settle_month is not None:
            settle = {"settle_month": d.settle_month - shift}
        out.append(d.with_(balance=from_cents(b), fees_owed=from_cents(f), **defer, **settle, **_flat_as_of(d, shift, b + f)))
    return out


def _flat_as_of(d: Debt, shift: int, owed: int) -> dict:
    """A flat-fee instalment's fields ``shift`` periods later: those periods paid, the same contract;
    past its last period, a debt of no interest whose minimum is everything it owes."""
    flat = d.flat_fee
    if flat is None or not shift:
        return {}
    if flat.left > shift:
        return {"term_months": flat.left - shift, "periods_paid": flat.paid + shift, "principal": flat.principal}
    return {"fee_rate": None, "term_months": None, "periods_paid": 0, "fee_timing": "monthly", "prepay_fees": "waived",
            "apr": Decimal(0), "penalty_apr": None, "min_payment": from_cents(owed)}


def renumber(debts: Sequence[Debt], month: int) -> list[Debt]:
    """The inverse of :func:`debts_as_of`'s numbering: debts whose deferral and settlement
    months count from ``month`` (as month 1), with those months counted from month 1 again.

    Parameters
    ----------
    debts : sequence of Debt
        Debts whose deferral, settlement and flat-fee periods count from ``month`` as month 1.
    month : int
        The plan month (1 = the first) they were taken at.

    Returns
    -------
    list of Debt
        The debts with those months counted from the plan's month 1 (a debt with nothing to
        shift is returned as it is).

    Raises
    ------
    PlannerError
        For a flat-fee instalment that would start after month 1 (its periods would come before
        month 1): make it a plain debt or plan it as a new plan.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> renumber([Debt("A", 1, 0, 1, settle_month=2, settle_fraction="0.5")], 4)[0].settle_month
    5
    """
    shift = month - 1
    out = []
    for d in debts:
        fields = {}
        if d.defer_months:
            fields["defer_from"] = d.defer_from + shift
        if d.settle_month is not None:
            fields["settle_month"] = d.settle_month + shift
        if d.flat_fee is not None and shift:
            if d.periods_paid < shift:  # a new contract from this month: its periods cannot count from month 1
                raise PlannerError("engine.flat_fee_new_contract", name=d.name, month=month)
            fields.update(term_months=d.term_months + shift, periods_paid=d.periods_paid - shift)
        out.append(d.with_(**fields) if fields else d)
    return out


class Terms(NamedTuple):
    """One debt's terms in integer cents, as the month step reads them (:func:`terms_of`).

    ``rate`` is the monthly rate as an exact ratio (:func:`~planner.money.rate_ratio`
    of the effective yearly rate); the payment holiday is the months
    ``hold_from <= m < hold_to`` (interest accrues in them when ``hold_interest``);
    ``settle_share`` is ``settle_fraction`` as an exact ratio, paid in ``settle_month``.

    A flat-fee instalment (:attr:`~planner.debt.Debt.flat_fee`) has ``flat_left`` periods left
    (0: not one), counted as plan months 1 to ``flat_left``: each charges ``flat_fee`` (plus
    ``flat_first`` in month 1: a fee charged up front) in place of interest, and its minimum is
    ``flat_principal`` plus that fee (:func:`_flat_minimum`); ``prepay_charged``: paying it off
    early also pays the fees of the periods not reached (:func:`prepayment_fees`).

    ``min_share`` is a share-of-balance minimum as an exact ratio (``None``: the fixed
    ``minimum``), with its floor ``min_floor`` and ``min_statement`` for the statement
    basis (:func:`_minimum_due`).
    """

    balance: int
    fees: int
    minimum: int
    rate: tuple[int, int]
    hold_from: int
    hold_to: int
    hold_interest: bool
    settle_month: int | None
    settle_share: tuple[int, int] | None
    flat_left: int = 0
    flat_fee: int = 0
    flat_first: int = 0
    flat_principal: int = 0
    prepay_charged: bool = False
    min_share: tuple[int, int] | None = None
    min_floor: int = 0
    min_statement: bool = False

    def held(self, month: int) -> bool:
        """Whether ``month`` is in the payment holiday (no payment on this debt)."""
        return self.hold_from <= month < self.hold_to

    def interest(self, balance: int, month: int) -> int:
        """The month's interest on the opening ``balance``: half-up to the cent, none in a holiday without interest.
        A flat-fee instalment's is its fee for the month instead (:func:`_flat_fee_due`)."""
        if not self.hold_interest and self.hold_from <= month < self.hold_to:
            return 0
        if self.flat_left:
            return _flat_fee_due(self, month)
        return half_up(balance * self.rate[0], self.rate[1])

    def settlement(self, owed: int) -> int:
        """What a settlement pays on ``owed`` (balance and fees): ``settle_fraction`` of it, half-up."""
        num, den = self.settle_share
        return half_up(owed * num, den)


def terms_of(debt: Debt) -> Terms:
    """A debt's :class:`Terms` in cents.

    Parameters
    ----------
    debt : Debt
        The debt (amounts in yuan, rates in percent points).

    Returns
    -------
    Terms
        Its amounts in integer cents, the monthly rate as an exact ratio, the holiday,
        settlement, flat-fee and share-of-balance minimum terms the engine steps with.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> t = terms_of(Debt("A", 1000, 12, 100))
    >>> t.balance, t.minimum, t.rate, t.interest(100000, 1)
    (100000, 10000, (1, 100), 1000)
    """
    return Terms(
        to_cents(debt.balance), to_cents(debt.fees_owed), to_cents(debt.min_payment), rate_ratio(debt.effective_apr),
        debt.defer_from, debt.defer_from + debt.defer_months, bool(debt.defer_interest), debt.settle_month,
        debt.settle_fraction.as_integer_ratio() if debt.settle_fraction is not None else None,
        *_flat_terms(debt),
        share_ratio(debt.min_percent) if debt.min_percent is not None else None, to_cents(debt.min_floor),
        debt.min_basis == "statement",
    )


def _flat_terms(debt: Debt) -> tuple[int, int, int, int, bool]:
    """A flat-fee instalment's :class:`Terms` fields (``flat_left`` to ``prepay_charged``); zeros for any other debt."""
    flat = debt.flat_fee
    if flat is None:
        return 0, 0, 0, 0, False
    upfront = flat.timing == "upfront"
    return (flat.left, 0 if upfront else to_cents(flat.fee), to_cents(flat.fees_left) if upfront else 0,
            to_cents(flat.instalment), flat.prepay == "charged")


def _flat_fee_due(terms: Terms, month: int) -> int:
    """A flat-fee instalment's fee in ``month``: the period's fee up to its last period, and an
    up-front fee in month 1; nothing after the last period.

    >>> t = terms_of(Debt("分期", 30000, 0, 2680, fee_rate="0.6", term_months=12))
    >>> _flat_fee_due(t, 1), _flat_fee_due(t, 12), _flat_fee_due(t, 13)
    (18000, 18000, 0)
    """
    return (terms.flat_fee if month <= terms.flat_left else 0) + (terms.flat_first if month == 1 else 0)


def _flat_minimum(terms: Terms, month: int, fee: int, owed: int) -> int:
    """A flat-fee instalment's payment due in ``month`` on ``owed`` (balance with the month's ``fee``,
    and fees owed): the period's principal and fee; everything owed in its last period, or when the
    period's payment would clear it (with the remaining fees, when a prepayment charges them)."""
    due = terms.flat_principal + fee
    if month < terms.flat_left and due < owed:
        return due
    return owed + _prepayment_tail(terms, month)


def _prepayment_tail(terms: Terms, month: int) -> int:
    """The fees of the periods after ``month`` that clearing a flat-fee instalment in ``month``
    also pays (``prepay_fees="charged"``); 0 for any other debt."""
    if not terms.prepay_charged or month >= terms.flat_left:
        return 0
    return terms.flat_fee * (terms.flat_left - month)


def prepayment_fees(terms: Terms, month: int, owed: int, payment: int) -> int:
    """The fees a flat-fee instalment charges when ``payment`` in ``month`` clears ``owed`` early:
    with ``prepay_fees="charged"``, what the payment holds beyond ``owed``, up to the fees of the
    periods after ``month``; 0 otherwise (the default: the remaining fees are waived).

    Parameters
    ----------
    terms : Terms
        The debt's terms in cents, from :func:`terms_of`.
    month : int
        The plan month (1 = the first) of the payment.
    owed : int
        What the debt owes in ``month`` (balance with the month's fee, and fees), in integer cents.
    payment : int
        The payment in ``month``, in integer cents.

    Returns
    -------
    int
        The prepayment fees in integer cents (0 when ``payment`` does not exceed ``owed``).

    Examples
    --------
    >>> t = terms_of(Debt("分期", 30000, 0, 2680, fee_rate="0.6", term_months=12, prepay_fees="charged"))
    >>> prepayment_fees(t, 10, 268000, 400000), prepayment_fees(t, 10, 268000, 268000)
    (36000, 0)
    """
    return min(payment - owed, _prepayment_tail(terms, month)) if payment > owed else 0


def _minimum_due(terms: Terms, opening: int, interest: int, fees: int) -> int:
    """The minimum due in a month that opened at ``opening`` (before its ``interest``) owing ``fees``:
    the fixed minimum capped at what is owed, or :func:`~planner.debt.minimum_due` for a share of the balance.

    >>> _minimum_due(terms_of(Debt("Card", 10000, 18, "10%+100")), 1000000, 15000, 0)
    115000
    """
    if terms.min_share is None:
        due = opening + interest + fees
        return terms.minimum if terms.minimum < due else due
    return minimum_due(terms.min_share, terms.min_floor, terms.min_statement, opening, interest, fees)


def open_month(terms: Terms, month: int, balance: int, fees: int) -> tuple[int, int, int, int, bool, int, int]:
    """The opening of ``month`` for one debt owing ``balance`` and ``fees``: the month step's first half.

    In its settlement month the debt pays its share of what it owes and the rest is
    forgiven; otherwise interest on the opening balance is added (:meth:`Terms.interest`)
    and, outside a payment holiday, its minimum payment falls due. Fees earn no interest.

    Returns, in cents: the interest added, the balance and fees after it (both 0 once
    settled), the minimum payment due now (:func:`_minimum_due`; 0 in a holiday
    or a settlement), whether the debt takes payments this month (not in a holiday, not
    settled), what a settlement pays (on top of the budget) and what it forgives.

    Parameters
    ----------
    terms : Terms
        The debt's terms in cents, from :func:`terms_of`.
    month : int
        The plan month (1 = the first).
    balance : int
        The balance at the month's opening, in integer cents.
    fees : int
        The fees owed at the month's opening, in integer cents.

    Returns
    -------
    tuple of (int, int, int, int, bool, int, int)
        ``(interest, balance, fees, minimum, takes_payment, settlement_paid, forgiven)``, the
        amounts in integer cents.

    Examples
    --------
    >>> t = terms_of(Debt("A", 1000, 12, 100))
    >>> open_month(t, 1, 100000, 0)
    (1000, 101000, 0, 10000, True, 0, 0)
    """
    if terms.settle_month == month:
        owed = balance + fees
        amount = terms.settlement(owed)
        return 0, 0, 0, 0, False, amount, owed - amount
    interest = terms.interest(balance, month)
    if terms.held(month):
        return interest, balance + interest, fees, 0, False, 0, 0
    if terms.flat_left:
        return interest, balance + interest, fees, _flat_minimum(terms, month, interest, balance + interest + fees), True, 0, 0
    return interest, balance + interest, fees, _minimum_due(terms, balance, interest, fees), True, 0, 0


def apply_payment(balance: int, fees: int, amount: int) -> tuple[int, int]:
    """``amount`` paid on a debt owing ``balance`` and ``fees`` (interest already in the balance):
    fees first, then the balance (Civil Code art. 561). Returns the new balance and fees.

    Paying two amounts one after the other leaves the same as paying their sum.

    Parameters
    ----------
    balance : int
        The balance owed, interest already added, in integer cents.
    fees : int
        The fees owed, in integer cents.
    amount : int
        The payment, in integer cents (at most ``balance + fees``).

    Returns
    -------
    tuple of (int, int)
        The new balance and the new fees, in integer cents.

    Examples
    --------
    >>> apply_payment(10000, 500, 700)
    (9800, 0)
    """
    to_fees = min(amount, fees)
    return balance - (amount - to_fees), fees - to_fees


def pay_month(terms: Terms, month: int, balance: int, fees: int, payment: int) -> tuple[int, int, int]:
    """One debt's month with a given ``payment`` (no settlement): the month's interest
    (:meth:`Terms.interest`), then the payment, fees first. Returns the interest, the new
    balance and the new fees. The case replay (:mod:`planner.cases.track`) records months
    this way; a plan's month is :func:`open_month`, the budget shared out, :func:`apply_payment`.

    Parameters
    ----------
    terms : Terms
        The debt's terms in cents, from :func:`terms_of`.
    month : int
        The plan month (1 = the first).
    balance : int
        The balance at the month's opening, in integer cents.
    fees : int
        The fees owed at the month's opening, in integer cents.
    payment : int
        What is paid on the debt this month, in integer cents.

    Returns
    -------
    tuple of (int, int, int)
        ``(interest, balance, fees)`` in integer cents: the month's interest (with any
        prepayment fees, :func:`prepayment_fees`), then the balance and fees after the payment.

    Examples
    --------
    >>> pay_month(terms_of(Debt("A", 1000, 12, 100)), 1, 100000, 0, 10000)
    (1000, 91000, 0)
    """
    interest = terms.interest(balance, month)
    interest += prepayment_fees(terms, month, balance + interest + fees, payment)
    balance, fees = apply_payment(balance + interest, fees, payment)
    return interest, balance, fees


def _simulate(
    debts: list[Debt], base: int, priority: list[int], extras: dict[int, int], budgets: dict[int, int], horizon: int,
    later: dict[int, Callable] | None = None, strategy_fn: Strategy | None = None,
) -> _Columns:
    """The month loop: the rules of the module notes, month by month, over the debts still open."""
    later = later or {}
    n = len(debts)
    current = list(debts)
    terms = [terms_of(d) for d in current]
    bal = [t.balance for t in terms]
    fees = [t.fees for t in terms]
    cols = _Columns(n)
    for i in range(n):
        cols.start_owed[i] = bal[i] + fees[i]
        if bal[i] + fees[i] == 0:
            cols.payoff[i] = 0
    open_ = [i for i in range(n) if bal[i] + fees[i] > 0]
    # this month's figures, by debt position (read for the open debts only)
    opening, interest, pay, settled, forgiven = [0] * n, [0] * n, [0] * n, [0] * n, [0] * n
    takes = [False] * n
    monthly = base
    m = 0
    while open_ and m < horizon:
        m += 1
        monthly = budgets.get(m, monthly)
        written_off = [0] * n
        if m in later:  # new terms from this month: the change sees the debts as they stand now
            now = debts_as_of(current, m, bal, fees)
            try:
                new = _changed(now, later[m](now))
            except PlannerError as exc:
                raise PlannerError("engine.in_month", m=m, exc=exc) from None
            current = renumber(new, m)
            terms = [terms_of(d) for d in current]
            written_off = [bal[i] + fees[i] - t.balance - t.fees for i, t in enumerate(terms)]
            bal = [t.balance for t in terms]
            fees = [t.fees for t in terms]
            priority = _priority(new, strategy_fn)
            cols.terms[m] = tuple(current)
        cash = monthly + extras.get(m, 0)
        # 1. the opening: settlements, holidays, interest; the minimums due
        required = 0
        for i in open_:
            opening[i] = bal[i]
            interest[i], bal[i], fees[i], pay[i], takes[i], settled[i], forgiven[i] = open_month(terms[i], m, bal[i], fees[i])
            required += pay[i]
        if required > cash:
            raise InfeasibleBudgetError(from_cents(cash), from_cents(required), m)
        # 2. every debt taking payments gets its minimum (in pay); the rest of the budget goes
        #    in priority order, each debt up to what it owes, cascading to the next
        cash -= required
        for i in priority:
            if cash <= 0:
                break
            if takes[i]:
                more = min(cash, bal[i] + fees[i] + _prepayment_tail(terms[i], m) - pay[i])
                pay[i] += more
                cash -= more
        # 3. the payments (fees first) and the month's rows; cleared debts leave
        for i in open_:
            charged = prepayment_fees(terms[i], m, bal[i] + fees[i], pay[i])  # a flat-fee debt cleared early
            interest[i] += charged
            bal[i], fees[i] = apply_payment(bal[i] + charged, fees[i], pay[i])
            pay[i] += settled[i]
            forgiven[i] += written_off[i]
            cols.lump += settled[i]
            if bal[i] + fees[i] == 0:
                cols.payoff[i] = m
                takes[i] = False
        cols.add_month(m, open_, opening, interest, pay, bal, fees, forgiven)
        open_ = [i for i in open_ if bal[i] + fees[i]]
        cols.unspent += max(cash, 0)
    cols.months_run = m
    cols.end_owed = [b + f for b, f in zip(bal, fees)]
    return cols


def compare(debts, budget, strategies: Sequence[str] | None = None, **kwargs) -> Comparison:
    """Plans for several strategies (all built-in ones by default), side by side.

    Parameters
    ----------
    debts : iterable of Debt
        The debts.
    budget : number or str
        Yuan a month.
    strategies : sequence of str or str, optional
        Strategy names, or one comma-separated string; default every strategy in
        :data:`~planner.strategies.STRATEGIES` (registered ones too).
    **kwargs
        Passed to :func:`plan` for every strategy (``extra``, ``budget_changes``,
        ``horizon``, ``start``, ``order``, ``changes``).

    Returns
    -------
    Comparison
        One :class:`~planner.result.Plan` per strategy, in the order given.

    Raises
    ------
    InfeasibleBudgetError
        When the budget does not cover the minimum payments.
    InputError
        When ``debts`` are not Debt objects with unique names.
    PlannerError
        When ``strategies`` is not a list of names, a name is unknown, or :func:`plan`
        refuses an argument.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> ds = [Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 36, 500)]
    >>> [(p.strategy, p.months, p.total_interest) for p in compare(ds, 1500, "avalanche, snowball").plans]
    [('avalanche', 6, Decimal('628.26')), ('snowball', 6, Decimal('744.04'))]
    >>> compare(ds, 1500, 5)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: strategies: 应为策略名称的列表：'5' / strategies: must be a list of strategy names: '5'
    """
    debts = check_debts(debts)
    if isinstance(strategies, str):
        strategies = [x.strip() for x in strategies.split(",") if x.strip()]
    try:
        names = list(strategies) if strategies is not None and len(strategies) else list(STRATEGIES)
    except TypeError:
        raise PlannerError("engine.strategies_list_strategy_names", strategies=str(strategies)[:40]) from None
    order = kwargs.pop("order", None)
    if "custom" not in names and order is not None and not (isinstance(order, (list, tuple, str)) and not order):
        raise PlannerError("engine.order_without_custom", value=order)
    return Comparison([plan(debts, budget, s, order=order if s == "custom" else None, **kwargs) for s in names])


def required_budget(debts, months: int, strategy: str | Strategy = "avalanche", **kwargs) -> Decimal:
    """The smallest whole-yuan monthly budget that clears every debt by month ``months``.

    Parameters
    ----------
    debts : iterable of Debt
        The debts.
    months : int
        The target: every debt cleared by this month (1 or more).
    strategy : str or Strategy, default "avalanche"
        How extra money is ordered, as in :func:`plan`.
    **kwargs
        Passed to :func:`plan`; ``horizon`` defaults to ``months`` and must not be shorter.

    Returns
    -------
    Decimal
        Whole yuan (no places): that budget clears in time, one yuan less does not.

    Raises
    ------
    PlannerError
        When ``months`` is not a positive whole number, ``horizon`` is shorter than ``months``,
        no budget clears the debts in time under ``strategy`` (a payment holiday longer
        than ``months``, say), or :func:`plan` refuses an argument.
    InputError
        When ``debts`` are not Debt objects with unique names.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> required_budget([Debt("A", 1200, 0, 10)], 12)
    Decimal('100')
    >>> ds = [Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 36, 500)]
    >>> budget = required_budget(ds, 6)
    >>> budget, plan(ds, budget).months, plan(ds, budget - 1).months
    (Decimal('1442'), 6, 7)
    >>> required_budget(ds, 0)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 目标月数必须是正整数：0 / the target must be a whole number of months: 0
    """
    debts = check_debts(debts)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise PlannerError("engine.target_whole_number_months", months=months)
    horizon = kwargs.setdefault("horizon", max(months, 1))
    if not isinstance(horizon, bool) and isinstance(horizon, int) and horizon < months:
        # A plan cut off at the horizon could only show budgets that finish within it:
        # the answer would be for `horizon` months, not `months`.
        raise PlannerError("engine.horizon_months_shorter_target", horizon=horizon, months=months)

    def clears(budget_yuan: int) -> bool:
        try:
            p = plan(debts, budget_yuan, strategy, **kwargs)
        except InfeasibleBudgetError:
            return False
        return p.months is not None and p.months <= months

    first = sum(min(d.min_payment, d.owed + d.monthly_interest) for d in debts)
    low = max(int(ceil(first)), 0)
    if clears(low):
        return Decimal(low)
    high = max(low + 1, int(ceil(sum(d.owed for d in debts) / months)))
    for _ in range(64):
        if clears(high):
            break
        low, high = high, high * 2
    else:  # pragma: no cover - 2**64 yuan is beyond any debt the loader accepts
        raise PlannerError("engine.no_feasible_budget")
    if not clears(high):
        raise PlannerError("engine.no_budget_clears_within", strategy=strategy, months=months)
    while high - low > 1:  # invariant: low fails, high clears
        mid = (low + high) // 2
        if clears(mid):
            high = mid
        else:
            low = mid
    return Decimal(high)


__all__ = [
    "DEFAULT_HORIZON",
    "Terms",
    "apply_payment",
    "compare",
    "debts_as_of",
    "open_month",
    "pay_month",
    "plan",
    "prepayment_fees",
    "renumber",
    "required_budget",
    "terms_of",
]
