"""Rates and repayment schedules (pure functions).

True annual rate (APR) from how a loan is quoted, always IRR based as the PBoC
requires (announcement 〔2021〕No. 3): the monthly rate ``r`` at which what was
actually received equals the present value of every payment. Both annual forms
are given: the nominal ``12·r`` (what lenders must display) and the effective
``(1+r)^12 − 1``.

>>> rate = upfront_fee_apr(100000, 1000, Decimal("8833.3"), 12)   # the PBoC's own example
>>> rate.nominal, rate.effective
(Decimal('12.80'), Decimal('13.58'))
>>> flat_fee_rate(Decimal("0.6"), 12).nominal     # ICBC: 12 periods at 0.6% a month
Decimal('13.03')
>>> annuity_payment(1000000, Decimal("4.9"), 360)   # 等额本息, published: 5,307.27
Decimal('5307.27')

Schedules (等额本息, 等额本金, 先息后本) are exact to the cent: each month's
interest is rounded half-up (the one rule in :mod:`planner.money`), and the
last payment clears what is left.

The root finder is :func:`scipy.optimize.brentq`, imported only when an IRR is
solved, so the command line stays quick when no IRR is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .errors import PlannerError
from .money import from_cents, half_up, round_cents, to_cents

#: Decimal places of the percent figures returned (12.80 means 12.80%).
PLACES = Decimal("0.01")
_FINE = Decimal("0.000001")
#: The highest yearly rate (percent) a rate function accepts or shows: far above any loan
#: (a debt's rate is capped at 1000%), low enough that (1 + r)^12 stays a printable number.
MAX_RATE = Decimal(1_000_000)


def _num(value, what: str) -> Decimal:
    from .money import as_decimal

    return as_decimal(value, what)


def _periods(value, what: str = "periods", maximum: int = 1200) -> int:
    import numbers

    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)  # numpy integers too
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise PlannerError("rates.whole_number", what=what, maximum=maximum, shown=value, column=what, value=value)
    return value


@dataclass(frozen=True)
class TrueRate:
    """A true rate: the monthly IRR and its two annual forms, in percent.

    ``nominal`` is 12·r and ``effective`` is (1+r)^12 − 1, both rounded to
    two places for display; ``monthly`` keeps six. ``basis`` says how it was
    computed (``"cash_flows"``, ``"flat_fee"``, ``"daily_rate"``, ``"apr"``).
    """

    monthly: Decimal
    nominal: Decimal
    effective: Decimal
    basis: str = "cash_flows"

    @classmethod
    def from_monthly(cls, r: float | Decimal, basis: str = "cash_flows") -> TrueRate:
        r = float(r)
        if not -1 < r <= _MAX_MONTHLY:  # (1+r)^12 past any Decimal we would show: a typing error, not a loan
            raise PlannerError("rates.payments_imply_implausibly_high", r=r * 100, _max_monthly=_MAX_MONTHLY * 100)
        return cls(
            monthly=Decimal(repr(r * 100)).quantize(_FINE),
            nominal=round_cents(Decimal(repr(12 * r * 100))),
            effective=round_cents(Decimal(repr(((1 + r) ** 12 - 1) * 100))),
            basis=basis,
        )

    def to_dict(self) -> dict:
        return {"monthly": float(self.monthly), "nominal": float(self.nominal), "effective": float(self.effective), "basis": self.basis}

    def __str__(self) -> str:
        return f"{self.nominal}% (12·r), {self.effective}% ((1+r)^12−1)"


#: The largest monthly IRR shown: 5,000% a month. Abusive short loans (砍头息 on a one-month loan)
#: reach a few hundred percent a month; far beyond this the figures were mistyped, and
#: (1+r)^12 would no longer fit the two-decimal display.
_MAX_MONTHLY = 50.0


# ---------------------------------------------------------------------------
# IRR


def npv(rate: float, cash_flows: Sequence[float]) -> float:
    """Net present value at a periodic ``rate`` of flows at periods 0, 1, 2, ...

    Parameters
    ----------
    rate : float
        The periodic discount rate (0.01 is 1%).
    cash_flows : sequence of float

    Returns
    -------
    float

    Examples
    --------
    >>> npv(0.1, [-100, 110])
    0.0
    """
    v = 1.0 / (1.0 + rate)
    total, factor = 0.0, 1.0
    for flow in cash_flows:
        total += flow * factor
        factor *= v
    return total


def irr(cash_flows: Sequence) -> float:
    """The periodic rate r at which the flows' NPV is zero.

    Flows are seen from one side, e.g. the borrower's: ``+received`` at
    period 0, ``−payment`` afterwards. The flows must change sign. For a loan
    (one sign first, then the other) the NPV is monotone in r and the root is
    unique; it is found by Brent's method within r ∈ (−99%, 10⁶%).

    Parameters
    ----------
    cash_flows : sequence of numbers
        One flow per period, period 0 first.

    Returns
    -------
    float
        The periodic rate (0.01 is 1% a period).

    Raises
    ------
    PlannerError
        When the flows do not change sign, or no root lies in range.

    Examples
    --------
    >>> round(irr([-100, 110]), 10)
    0.1
    """
    if isinstance(cash_flows, (str, bytes)) or not hasattr(cash_flows, "__iter__"):
        raise PlannerError("rates.cash_flows_list_numbers", cash_flows=str(cash_flows)[:40])
    flows = [float(_num(f, "cash flow")) for f in cash_flows]
    if len(flows) < 2 or not any(f > 0 for f in flows) or not any(f < 0 for f in flows):
        raise PlannerError("rates.cash_flows_need_both")
    low, high = -0.99, 1.0

    def f(r: float) -> float:
        return npv(r, flows)

    f_low = f(low)
    while f_low * f(high) > 0 and high < 1e4:
        high *= 4
    if f_low * f(high) > 0:
        raise PlannerError("rates.these_cash_flows_no")
    from scipy.optimize import brentq

    return float(brentq(f, low, high, xtol=1e-15, rtol=1e-15, maxiter=500))


def true_apr(cash_flows: Sequence, *, basis: str = "cash_flows") -> TrueRate:
    """The true rate of an explicit list of monthly cash flows (period 0 first).

    Parameters
    ----------
    cash_flows : sequence of numbers
        Yuan, period 0 first: money received positive, payments negative (or the reverse).
    basis : str, default "cash_flows"
        Recorded in the result to say how it was computed.

    Returns
    -------
    TrueRate
        ``monthly`` (six places), ``nominal`` 12·r and ``effective`` (1+r)^12 − 1 (percent, two places).

    Raises
    ------
    PlannerError
        When the flows do not have both signs, or no rate in range solves them.

    Examples
    --------
    >>> true_apr([99000] + [Decimal("-8833.3")] * 12).nominal    # PBoC example
    Decimal('12.80')
    """
    return TrueRate.from_monthly(irr(cash_flows), basis)


def upfront_fee_apr(principal, upfront_fee, payment, periods: int) -> TrueRate:
    """A loan whose fee (or interest, 砍头息) is taken out of the principal up front.

    By Civil Code art. 670 the principal is what was actually received:
    ``principal − upfront_fee``; the ``periods`` payments of ``payment`` are
    then discounted against that.

    Parameters
    ----------
    principal : number or str
        Yuan on the contract.
    upfront_fee : number or str
        Yuan withheld at the start (0 for none).
    payment : number or str
        Yuan paid each month.
    periods : int
        Number of monthly payments, 1 to 1200.

    Returns
    -------
    TrueRate
        The IRR of receiving ``principal − upfront_fee`` and paying ``payment`` ``periods`` times.

    Raises
    ------
    PlannerError
        When an amount is not a number, ``principal`` or ``payment`` is not positive,
        ``upfront_fee`` is negative or not below ``principal``, or ``periods`` is not a whole
        number from 1 to 1200.

    Examples
    --------
    >>> rate = upfront_fee_apr(100000, 1000, Decimal("8833.3"), 12)   # the PBoC's own example
    >>> rate.nominal, rate.effective
    (Decimal('12.80'), Decimal('13.58'))
    >>> upfront_fee_apr(100, 100, 10, 12)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 本金、月供须为正数，手续费须小于本金 / principal and payment must be positive, the fee below the principal
    """
    p, fee, a = _num(principal, "principal"), _num(upfront_fee, "upfront_fee"), _num(payment, "payment")
    n = _periods(periods)
    if p <= 0 or a <= 0 or fee < 0 or fee >= p:
        raise PlannerError("rates.principal_payment_positive_fee")
    return true_apr([p - fee] + [-a] * n, basis="cash_flows")


def annuity_apr(principal, payment, periods: int) -> TrueRate:
    """The true rate of ``periods`` equal payments on ``principal`` received.

    Parameters
    ----------
    principal : number or str
        Yuan received.
    payment : number or str
        Yuan paid each month.
    periods : int
        Number of monthly payments, 1 to 1200.

    Returns
    -------
    TrueRate
        The monthly IRR and its nominal and effective yearly forms (basis ``"cash_flows"``).

    Raises
    ------
    PlannerError
        When an amount is not a number, ``principal`` or ``payment`` is not positive, or
        ``periods`` is not a whole number from 1 to 1200.

    Examples
    --------
    >>> rate = annuity_apr(12000, Decimal("1072"), 12)
    >>> rate.nominal, rate.effective, rate.basis
    (Decimal('13.03'), Decimal('13.84'), 'cash_flows')
    """
    return upfront_fee_apr(principal, 0, payment, periods)


def flat_fee_payment(principal, fee_rate, periods: int) -> Decimal:
    """A = P/n + P·f: the payment of a flat monthly fee ``fee_rate`` (percent) on the ORIGINAL principal.

    Parameters
    ----------
    principal : number or str
        Yuan borrowed.
    fee_rate : number or str
        The monthly fee in percent of ``principal``.
    periods : int
        Number of monthly payments, 1 to 1200.

    Returns
    -------
    Decimal
        Yuan a month, rounded half-up to the cent.

    Raises
    ------
    PlannerError
        When an amount is not a number or ``periods`` is not a whole number from 1 to 1200.

    Examples
    --------
    >>> flat_fee_payment(12000, Decimal("0.6"), 12)
    Decimal('1072.00')
    >>> flat_fee_payment(100, 1, 0)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: periods: 期数必须是 1 到 1200 的整数：0 / periods: must be a whole number from 1 to 1200: 0
    """
    p, f = _num(principal, "principal"), _num(fee_rate, "fee_rate")
    n = _periods(periods)
    return round_cents(p / n + p * f / 100)


def _flat_flows(f, n: int, timing: str) -> list[float]:
    """The cash flows of a flat fee on a principal of 1: received, then the n payments (the
    whole fee n·f with the first one when ``timing`` is "upfront", 一次性收取)."""
    if timing not in ("monthly", "upfront"):
        raise PlannerError("rates.fee_timing_unknown", timing=str(timing)[:40], column="fee_timing", value=timing)
    if timing == "upfront":
        return [1.0, -(1.0 / n + n * float(f) / 100)] + [-1.0 / n] * (n - 1)
    return [1.0] + [-(1.0 / n + float(f) / 100)] * n


def flat_fee_rate(fee_rate, periods: int, timing: str = "monthly") -> TrueRate:
    """The true rate of a flat monthly fee (percent) on the original principal over ``periods``.

    The principal is 1 (the rate does not depend on it): r solves
    1 = Σ (1/n + f)/(1+r)^k. The nominal 12·r is far above 12·f. With ``timing="upfront"``
    the whole fee n·f is paid with the first payment (一次性收取), which costs more still.

    Parameters
    ----------
    fee_rate : number or str
        The monthly fee in percent of the original principal.
    periods : int
        Number of monthly payments, 1 to 1200.
    timing : {"monthly", "upfront"}, default "monthly"
        When the fee is paid: each period, or all with the first payment.

    Returns
    -------
    TrueRate
        Basis ``"flat_fee"``; all zero for no fee.

    Raises
    ------
    PlannerError
        When ``fee_rate`` is not a number or is negative, or ``periods`` is not a whole
        number from 1 to 1200.

    Examples
    --------
    >>> rate = flat_fee_rate(Decimal("0.6"), 12)   # 12 × 0.6 = 7.2, but the true rate is higher
    >>> rate.nominal, rate.effective
    (Decimal('13.03'), Decimal('13.84'))
    >>> flat_fee_rate(Decimal("0.66"), 12, "upfront").nominal  # the fee all with the first payment
    Decimal('15.31')
    >>> flat_fee_rate(-1, 12)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: fee_rate: 不能为负数：-1 / fee_rate: cannot be negative: -1
    """
    f = _num(fee_rate, "fee_rate")
    n = _periods(periods)
    if f < 0:
        raise PlannerError("rates.cannot_negative", fee_rate=fee_rate, column="fee_rate", value=fee_rate)
    if f == 0:
        return TrueRate.from_monthly(0.0, "flat_fee")
    return TrueRate.from_monthly(irr(_flat_flows(f, n, timing)), "flat_fee")


def flat_fee_apr(fee_rate, periods: int, timing: str = "monthly") -> Decimal:
    """Nominal APR (12·r, percent, four places) of a flat monthly fee: what the loader stores as ``apr``.

    Parameters
    ----------
    fee_rate : number or str
        The monthly fee in percent of the original principal.
    periods : int
        Number of monthly payments, 1 to 1200.
    timing : {"monthly", "upfront"}, default "monthly"
        When the fee is paid (see :func:`flat_fee_rate`).

    Returns
    -------
    Decimal
        12 × the monthly IRR, in percent with four places (``0.0000`` for no fee).

    Raises
    ------
    PlannerError
        When ``fee_rate`` is not a number, ``periods`` is not a whole number from 1 to 1200,
        or the payments have no IRR (a fee so negative that no payment is left). A negative
        fee is not refused here, unlike :func:`flat_fee_rate`.

    Examples
    --------
    >>> flat_fee_apr(Decimal("0.6"), 12)
    Decimal('13.0342')
    >>> flat_fee_apr(0, 12)
    Decimal('0.0000')
    """
    f = _num(fee_rate, "fee_rate")
    n = _periods(periods)
    if f == 0:
        return Decimal("0.0000")
    r = irr(_flat_flows(f, n, timing))
    return Decimal(repr(12 * r * 100)).quantize(Decimal("0.0001"))


def daily_rate_apr(daily_rate) -> TrueRate:
    """A daily rate (percent a day, 日利率) as a true rate.

    Simple interest on the balance: 365 × the daily rate a year (0.05% a day,
    万5, is 18.25%); the monthly rate is a twelfth of that and the effective
    form compounds it monthly, as the loan is repaid monthly.

    Parameters
    ----------
    daily_rate : number or str
        Percent a day (0.05 for 0.05%).

    Returns
    -------
    TrueRate
        Nominal 365 × ``daily_rate``, basis ``"daily_rate"``.

    Raises
    ------
    PlannerError
        When ``daily_rate`` is not a number, is negative, or gives a yearly rate above
        :data:`MAX_RATE`.

    Examples
    --------
    >>> daily_rate_apr(Decimal("0.05")).nominal
    Decimal('18.25')
    >>> daily_rate_apr(Decimal("0.05")).effective
    Decimal('19.86')
    >>> daily_rate_apr(-1)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: daily_rate: 不能为负数：-1 / daily_rate: cannot be negative: -1
    """
    d = _num(daily_rate, "daily_rate")
    if d < 0:
        raise PlannerError("rates.cannot_negative_2", daily_rate=daily_rate, column="daily_rate", value=daily_rate)
    return nominal_apr(d * 365, basis="daily_rate")


def nominal_apr(apr, *, basis: str = "apr") -> TrueRate:
    """A nominal yearly rate (percent, interest monthly on the balance) in both forms.

    Parameters
    ----------
    apr : number or str
        Percent a year.
    basis : str, default "apr"
        How the rate was computed, kept in the result and named in an error.

    Returns
    -------
    TrueRate
        ``monthly`` is apr / 12; ``effective`` compounds it monthly.

    Raises
    ------
    PlannerError
        When ``apr`` is not a number or its size is above :data:`MAX_RATE`.

    Examples
    --------
    >>> nominal_apr(18).effective
    Decimal('19.56')
    """
    a = _num(apr, "apr")
    if abs(a) > MAX_RATE:
        raise PlannerError("rates.yearly_rate_implausibly_high", basis=basis, a=a, max_rate=MAX_RATE)
    return TrueRate(
        monthly=(a / 12).quantize(_FINE),
        nominal=round_cents(a),
        effective=round_cents(((1 + a / 1200) ** 12 - 1) * 100),
        basis=basis,
    )


def debt_true_rate(debt) -> TrueRate:
    """A debt's true rate from how it is quoted: flat fee (with a term), daily rate, else its apr.

    The contract rate, not the penalty rate; see :func:`planner.references.assess`
    for what an overdue debt is charged.

    Parameters
    ----------
    debt : Debt
        Its ``fee_rate`` and ``term_months`` (both set) win, then ``daily_rate``, then ``apr``.

    Returns
    -------
    TrueRate
        From :func:`flat_fee_rate`, :func:`daily_rate_apr` or :func:`nominal_apr`.

    Raises
    ------
    PlannerError
        When the quoted rate is refused by the function it goes to (a negative fee or
        daily rate, a rate above :data:`MAX_RATE`).

    Examples
    --------
    >>> from planner import Debt
    >>> debt_true_rate(Debt("Card", 3000, 18, 300)).effective
    Decimal('19.56')
    >>> flat = Debt("Loan", 12000, 0, 1072, fee_rate=Decimal("0.6"), term_months=12)
    >>> debt_true_rate(flat).nominal, debt_true_rate(flat).basis
    (Decimal('13.03'), 'flat_fee')
    """
    flat = debt.flat_fee
    if flat is not None:  # the contract's rate: all its periods, its fee timing
        return flat_fee_rate(flat.fee_rate, flat.periods, flat.timing)
    if debt.daily_rate is not None:
        return daily_rate_apr(debt.daily_rate)
    return nominal_apr(debt.apr)


# ---------------------------------------------------------------------------
# schedules


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def annuity_payment_exact(principal, apr, months: int) -> Decimal:
    """The unrounded 等额本息 payment A = P·i(1+i)^n / ((1+i)^n − 1), i = apr/1200."""
    p, a = _num(principal, "principal"), _num(apr, "apr")
    n = _periods(months)
    i = a / 1200
    if i == 0:
        return p / n
    growth = (1 + i) ** n
    return p * i * growth / (growth - 1)


def annuity_payment(principal, apr, months: int) -> Decimal:
    """The 等额本息 monthly payment, rounded half-up to the cent (as bank calculators show it).

    Parameters
    ----------
    principal : number or str
        Yuan borrowed.
    apr : number or str
        Yearly rate in percent.
    months : int
        Number of payments, 1 to 1200.

    Returns
    -------
    Decimal
        Yuan, two places.

    Raises
    ------
    PlannerError
        For a value that is not a number, or a bad number of months.

    Examples
    --------
    >>> annuity_payment(1000000, Decimal("4.9"), 360)   # published: 5,307.27
    Decimal('5307.27')
    """
    return round_cents(annuity_payment_exact(principal, apr, months))


def annuity_total_interest(principal, apr, months: int) -> Decimal:
    """n·A − P with the unrounded payment: the total interest bank calculators publish.

    Parameters
    ----------
    principal, apr, months
        As for :func:`annuity_payment`.

    Returns
    -------
    Decimal
        Yuan, two places.

    Examples
    --------
    >>> annuity_total_interest(1000000, Decimal("4.9"), 360)
    Decimal('910616.19')
    """
    n = _periods(months)
    return round_cents(annuity_payment_exact(principal, apr, n) * n - _num(principal, "principal"))


def installment(amount_cents: int, months: int) -> int:
    """Equal installments with no interest, rounded UP to the cent so ``months`` of them clear
    ``amount_cents`` (the last one smaller). Rounding up is deliberate: it is a
    payment plan, not a rounded amount.

    Parameters
    ----------
    amount_cents : int
    months : int
        1 to 1200.

    Returns
    -------
    int
        Cents a month.

    Raises
    ------
    PlannerError
        For a bad number of months.

    Examples
    --------
    >>> installment(100000, 3)   # ¥1,000 in 3: 333.34, 333.34, 333.32
    33334
    """
    n = _periods(months)
    return _ceil_div(amount_cents, n) if amount_cents > 0 else 0


def level_payment(amount_cents: int, apr, months: int) -> int:
    """A level monthly payment in cents, rounded UP, that clears ``amount_cents`` at ``apr`` in
    at most ``months`` months when interest is rounded half-up each month.

    Parameters
    ----------
    amount_cents : int
    apr : number or str
        Yearly rate in percent.
    months : int
        1 to 1200.

    Returns
    -------
    int
        Cents a month (0 when nothing is owed).

    Raises
    ------
    PlannerError
        For a rate that is not a number, or a bad number of months.

    Examples
    --------
    >>> level_payment(100000, 0, 3), level_payment(100000, 12, 12)
    (33334, 8885)
    """
    n = _periods(months)
    if amount_cents <= 0:
        return 0
    exact = annuity_payment_exact(Decimal(amount_cents), apr, n)
    pay = int(exact.to_integral_value(rounding="ROUND_CEILING"))
    num, den = Decimal(_num(apr, "apr")).as_integer_ratio()
    den *= 1200
    # Guard against a half-cent of rounding leaving a remainder in month n + 1.
    while True:
        bal = amount_cents
        for _ in range(n):
            bal += half_up(bal * num, den)
            bal -= min(pay, bal)
            if bal == 0:
                break
        if bal == 0:
            return pay
        pay += 1


@dataclass(frozen=True)
class Installment:
    """One month of a schedule, in yuan."""

    period: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Schedule:
    """A loan's month-by-month schedule: ``rows`` and totals."""

    method: str
    principal: Decimal
    apr: Decimal
    rows: tuple[Installment, ...]

    @property
    def payments(self) -> list[Decimal]:
        return [r.payment for r in self.rows]

    @property
    def total_interest(self) -> Decimal:
        return sum((r.interest for r in self.rows), Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((r.payment for r in self.rows), Decimal("0.00"))

    def to_frame(self):
        """The rows as a pandas DataFrame (floats of yuan)."""
        import pandas as pd

        return pd.DataFrame(
            [{"period": r.period, "payment": float(r.payment), "interest": float(r.interest), "principal": float(r.principal), "balance": float(r.balance)} for r in self.rows]
        )


METHODS = ("annuity", "equal_principal", "interest_only")


def schedule(principal, apr, months: int, method: str = "annuity") -> Schedule:
    """The schedule of a loan: ``"annuity"`` (等额本息), ``"equal_principal"`` (等额本金) or
    ``"interest_only"`` (先息后本).

    Interest each month is the balance × apr/12 rounded half-up; the last
    payment clears the balance exactly.

    Parameters
    ----------
    principal : number or str
        Yuan borrowed.
    apr : number or str
        Yearly rate in percent (interest monthly on the balance).
    months : int
        Number of payments, 1 to 1200.
    method : {"annuity", "equal_principal", "interest_only"}

    Returns
    -------
    Schedule
        ``rows`` of :class:`Installment` (Decimal yuan) and totals.

    Raises
    ------
    PlannerError
        For an unknown method, a negative principal or rate, or a bad number of months.

    Examples
    --------
    >>> s = schedule(1000000, Decimal("4.9"), 360, "equal_principal")
    >>> s.rows[0].payment, s.rows[0].payment - s.rows[1].payment   # published: 6,861.11, falling 11.34
    (Decimal('6861.11'), Decimal('11.34'))
    """
    if not isinstance(method, str) or method not in METHODS:
        raise PlannerError("rates.unknown_method", method=method, methods=', '.join(METHODS))
    p, a = _num(principal, "principal"), _num(apr, "apr")
    n = _periods(months)
    if p < 0 or a < 0:
        raise PlannerError("rates.principal_rate_cannot_negative")
    num, den = a.as_integer_ratio()
    den *= 1200
    bal = to_cents(p)
    start = bal
    pay_a = to_cents(annuity_payment(p, a, n)) if method == "annuity" else 0
    rows = []
    for k in range(1, n + 1):
        interest = half_up(bal * num, den)
        if k == n:
            principal_part = bal
        elif method == "annuity":
            principal_part = min(bal, max(pay_a - interest, 0))
        elif method == "equal_principal":
            # principal due by month k is round(P·k/n); each month pays the step
            principal_part = min(bal, half_up(start * k, n) - (start - bal))
        else:
            principal_part = 0
        bal -= principal_part
        rows.append(Installment(k, from_cents(interest + principal_part), from_cents(interest), from_cents(principal_part), from_cents(bal)))
    return Schedule(method, round_cents(p), a, tuple(rows))


def months_to_clear(balance_cents: int, apr, payment_cents: int) -> int | None:
    """Months a level payment takes to clear a balance (None if it never does).

    Parameters
    ----------
    balance_cents : int
    apr : number or str
        Yearly rate in percent.
    payment_cents : int
        The level monthly payment.

    Returns
    -------
    int or None
        None when the payment does not beat the interest (or takes over 100,000 months).

    Examples
    --------
    >>> months_to_clear(100000, 12, 8885), months_to_clear(100000, 12, 1000)
    (12, None)
    """
    if balance_cents <= 0:
        return 0
    num, den = Decimal(_num(apr, "apr")).as_integer_ratio()
    den *= 1200
    first_interest = half_up(balance_cents * num, den)
    if payment_cents <= first_interest:
        return None
    bal, k = balance_cents, 0
    while bal > 0 and k < 100000:
        k += 1
        bal += half_up(bal * num, den)
        bal -= min(bal, payment_cents)
    return k if bal == 0 else None


__all__ = [
    "METHODS",
    "Installment",
    "Schedule",
    "TrueRate",
    "annuity_apr",
    "annuity_payment",
    "annuity_total_interest",
    "daily_rate_apr",
    "debt_true_rate",
    "flat_fee_apr",
    "flat_fee_payment",
    "flat_fee_rate",
    "installment",
    "irr",
    "level_payment",
    "months_to_clear",
    "nominal_apr",
    "npv",
    "schedule",
    "true_apr",
    "upfront_fee_apr",
]

