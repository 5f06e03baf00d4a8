"""The exact monthly engine.

Conventions (also in the README):

* Month 1 is the first payment month. Each month, interest on every open debt
  is its opening balance × apr / 12, rounded half-up to the cent (四舍五入),
  and added before payment. An overdue debt with a ``penalty_apr`` is charged
  that rate instead. Fees owed earn no interest.
* Each month every open debt first receives ``min(min_payment, amount due)``;
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
* Money is integer cents throughout; every plan reconciles: paid = starting
  balances + fees + interest − forgiven − still owed at the end.

>>> from planner.debt import Debt
>>> p = plan([Debt("A", 1000, 12, 100)], budget=600)  # month 1: 10.00 interest, 410 left
>>> p.months, p.total_interest, p.total_paid
(2, Decimal('14.10'), Decimal('1014.10'))
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal
from math import ceil

from .debt import Debt, check_debts
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
        raise PlannerError(
            f"{what}: 应为 {{月份: 金额}}，例如 {{13: 20000}} / must map a month to an amount, e.g. {{13: 20000}} "
            f"(or (month, amount) pairs): {str(values)[:40]!r}"
        ) from None
    for month, amount in pairs:
        if isinstance(month, numbers.Integral) and not isinstance(month, bool):
            month = int(month)  # numpy integers too
        if isinstance(month, bool) or not isinstance(month, int) or month < 1:
            raise PlannerError(f"{what}: 月份必须是从 1 开始的整数 / the month must be a whole number from 1: {month!r}")
        cents = to_cents(amount)
        if cents < 0:
            raise PlannerError(f"{what}: 金额不能为负数 / the amount cannot be negative: {amount!r}")
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
) -> Plan:
    """Simulate repaying ``debts`` with ``budget`` a month under ``strategy``.

    ``extra`` maps a month to a one-off extra payment (年终奖 in month 13:
    ``{13: 20000}``); ``budget_changes`` maps a month to a new monthly budget
    from that month on. ``start`` (``"2026-12"`` or a date) names the calendar
    month of month 1. Raises :class:`~planner.errors.InfeasibleBudgetError`
    when a month's budget does not cover the minimum payments due.
    """
    debts = check_debts(debts)
    name, strategy_fn = get_strategy(strategy, order)
    if isinstance(horizon, numbers.Integral) and not isinstance(horizon, bool):
        horizon = int(horizon)
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 1200:
        raise PlannerError(f"horizon 必须在 1 到 1200 个月之间 / must be 1 to 1200 months: {horizon!r}")
    base = to_cents(budget)
    if base < 0:
        raise PlannerError(f"预算不能为负数 / the budget cannot be negative: {budget}")
    extras = _money_schedule(extra, "extra")
    changes = _money_schedule(budget_changes, "budget_changes")
    position = {id(d): i for i, d in enumerate(debts)}
    priority = [position[id(d)] if id(d) in position else debts.index(d) for d in strategy_fn(debts)]
    cols = _simulate(debts, base, priority, extras, changes, horizon)
    return Plan(
        debts=tuple(debts),
        strategy=name,
        budget=from_cents(base),
        priority=tuple(debts[i].name for i in priority),
        horizon=horizon,
        extra={m: from_cents(c) for m, c in extras.items()},
        budget_changes={m: from_cents(c) for m, c in changes.items()},
        start=start,
        columns=cols,
    )


def _simulate(debts: list[Debt], base: int, priority: list[int], extras: dict[int, int], changes: dict[int, int], horizon: int) -> _Columns:
    # Hot loop: plain lists indexed by debt, no per-month dicts (the arithmetic of
    # the conventions above, in one monthly step; see benchmarks/baseline.py).
    n = len(debts)
    bal = [to_cents(d.balance) for d in debts]
    fees = [to_cents(d.fees_owed) for d in debts]
    minp = [to_cents(d.min_payment) for d in debts]
    ratios = [rate_ratio(d.effective_apr) for d in debts]
    rnum = [r[0] for r in ratios]
    rden = [r[1] for r in ratios]
    dfrom = [d.defer_from for d in debts]
    dto = [d.defer_from + d.defer_months for d in debts]
    dint = [d.defer_interest for d in debts]
    smonth = [d.settle_month for d in debts]
    sfrac = [d.settle_fraction.as_integer_ratio() if d.settle_fraction is not None else None for d in debts]
    cols = _Columns(n)
    for i in range(n):
        cols.start_owed[i] = bal[i] + fees[i]
        if bal[i] + fees[i] == 0:
            cols.payoff[i] = 0
    open_ = [i for i in range(n) if bal[i] + fees[i] > 0]
    payoff = cols.payoff
    add_month, add_debt, add_opening = cols.month.extend, cols.debt.extend, cols.opening.extend
    add_interest, add_payment, add_closing = cols.interest.extend, cols.payment.extend, cols.closing.extend
    add_fees, add_forgiven = cols.fees.extend, cols.forgiven.extend
    opening = [0] * n
    interest = [0] * n
    paid = [0] * n
    forgiven = [0] * n
    taking = [False] * n  # open and taking payments this month
    lump = unspent = 0
    monthly = base
    m = 0
    while open_ and m < horizon:
        m += 1
        if m in changes:
            monthly = changes[m]
        cash = monthly + extras.get(m, 0)
        # 1. settlements, deferrals and interest; the minimums of the debts taking payments
        required = 0
        active = []
        dues = []
        for i in open_:
            b = bal[i]
            opening[i] = b
            paid[i] = forgiven[i] = 0
            if smonth[i] == m:  # settled: a share of what is owed is paid, the rest forgiven
                owed = b + fees[i]
                amount = half_up(owed * sfrac[i][0], sfrac[i][1])
                paid[i] = amount
                lump += amount
                forgiven[i] = owed - amount
                bal[i] = fees[i] = interest[i] = 0
                taking[i] = False
                continue
            held = dfrom[i] <= m < dto[i]
            if held and not dint[i]:
                interest[i] = 0
            else:
                x = half_up(b * rnum[i], rden[i])
                interest[i] = x
                bal[i] = b + x
            taking[i] = not held
            if not held:
                due = bal[i] + fees[i]
                pay = minp[i] if minp[i] < due else due
                active.append(i)
                dues.append(pay)
                required += pay
        if required > cash:
            raise InfeasibleBudgetError(from_cents(cash), from_cents(required), m)
        # 2. minimums, then the rest of the budget in priority order, fees first
        for i, pay in zip(active, dues):
            f = fees[i]
            if f:
                to_fees = pay if pay < f else f
                fees[i] = f - to_fees
                bal[i] -= pay - to_fees
            else:
                bal[i] -= pay
            paid[i] += pay
        cash -= required
        if cash:
            for i in priority:
                if cash <= 0:
                    break
                if taking[i]:
                    f = fees[i]
                    due = bal[i] + f
                    if due:
                        pay = cash if cash < due else due
                        to_fees = pay if pay < f else f
                        fees[i] = f - to_fees
                        bal[i] -= pay - to_fees
                        paid[i] += pay
                        cash -= pay
        # 3. the month's rows; debts cleared this month leave
        add_month([m] * len(open_))
        add_debt(open_)
        add_opening([opening[i] for i in open_])
        add_interest([interest[i] for i in open_])
        add_payment([paid[i] for i in open_])
        add_closing([bal[i] for i in open_])
        add_fees([fees[i] for i in open_])
        add_forgiven([forgiven[i] for i in open_])
        still_open = [i for i in open_ if bal[i] + fees[i]]
        if len(still_open) < len(open_):
            for i in open_:
                if bal[i] + fees[i] == 0:
                    payoff[i] = m
                    taking[i] = False
        open_ = still_open
        unspent += cash if cash > 0 else 0
    cols.lump += lump
    cols.unspent += unspent
    cols.months_run = m
    for i in range(n):
        cols.end_owed[i] = bal[i] + fees[i]
    return cols


def compare(debts, budget, strategies: Sequence[str] | None = None, **kwargs) -> Comparison:
    """Plans for several strategies (all built-in ones by default), side by side."""
    debts = check_debts(debts)
    if isinstance(strategies, str):
        strategies = [x.strip() for x in strategies.split(",") if x.strip()]
    try:
        names = list(strategies) if strategies is not None and len(strategies) else list(STRATEGIES)
    except TypeError:
        raise PlannerError(f"strategies: 应为策略名称的列表 / must be a list of strategy names: {str(strategies)[:40]!r}") from None
    return Comparison([plan(debts, budget, s, **kwargs) for s in names])


def required_budget(debts, months: int, strategy: str | Strategy = "avalanche", **kwargs) -> Decimal:
    """The smallest whole-yuan monthly budget that clears every debt by month ``months``.

    >>> from planner.debt import Debt
    >>> required_budget([Debt("A", 1200, 0, 10)], 12)
    Decimal('100')
    """
    debts = check_debts(debts)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise PlannerError(f"目标月数必须是正整数 / the target must be a whole number of months: {months!r}")
    horizon = kwargs.setdefault("horizon", max(months, 1))
    if not isinstance(horizon, bool) and isinstance(horizon, int) and horizon < months:
        # A plan cut off at the horizon could only show budgets that finish within it:
        # the answer would be for `horizon` months, not `months`.
        raise PlannerError(
            f"模拟月数 horizon（{horizon} 个月）短于目标 {months} 个月：请去掉 --horizon，或设为至少 {months} / "
            f"the horizon ({horizon} months) is shorter than the target of {months} months: "
            f"leave out --horizon (horizon=) or make it at least {months}"
        )

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
        raise PlannerError("找不到可行的预算 / no budget clears these debts in time")
    if not clears(high):
        raise PlannerError(
            f"用“{strategy}”策略，多少预算都无法在 {months} 个月内还清 / "
            f"no budget clears these debts within {months} months under {strategy!r}"
        )
    while high - low > 1:  # invariant: low fails, high clears
        mid = (low + high) // 2
        if clears(mid):
            high = mid
        else:
            low = mid
    return Decimal(high)


__all__ = [
    "DEFAULT_HORIZON",
    "compare",
    "plan",
    "required_budget",
]
