"""Checking what a lender claims (核对欠款金额): its statement against the contract and the reference lines.

A lender's statement says what is owed on a day: principal, interest, fees (罚息, 违约金,
服务费 ...) and a total. :func:`check_claim` replays the debt from its start with the
payments made, twice or more over the same payments:

* under the contract: interest at the contract rate (``daily_rate`` per day, else ``apr``
  per year over 365 days) on the principal outstanding, simple interest, never on fees;
  a flat-fee debt (``fee_rate`` and ``term_months``) charges ``fee_rate`` % of the original
  principal on each monthly anniversary of the contract, for ``term_months`` months;
* at each reference line that applies to this kind of lender (:mod:`planner.references`):
  interest, penalties and fees *together* at the line's yearly rate on the principal
  outstanding (the 4 × LPR line by period for an older contract);

each payment applied in the legal order of Civil Code art. 561 (《民法典》第五百六十一条):
costs and fees first, then interest, then principal. Interest accrues day by day exactly
and is rounded half-up to the cent (:func:`planner.money.half_up`, the one rule) when a
payment or the statement date closes the period. The result, :class:`ClaimCheck`, shows
the difference line by line; nothing here is legal advice.

>>> from planner import Debt
>>> d = Debt("某网贷", 10000, 36, 0, kind="online_loan", contract_date="2024-01-01")
>>> c = check_claim(d, Claim("2024-07-01", principal=8000, interest=1500, fees=600,
...                          payments=[Payment("2024-04-01", 3000)]))
>>> c.contract.principal, c.contract.interest     # 91 days at 36%, 3,000 paid, 91 days more
(Decimal('7897.53'), Decimal('708.83'))
>>> c.row("total").difference
Decimal('1493.64')
>>> [(x.key, x.above) for x in c.lines]
[('24', Decimal('2046.99')), ('36', Decimal('1493.64'))]
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .debt import Debt
from .errors import PlannerError
from .money import as_date, as_decimal, from_cents, half_up, round_cents, to_cents

#: The order of Civil Code art. 561: costs and fees, then interest, then principal.
LEGAL_ORDER = ("fees", "interest", "principal")
#: The rows of a check, in the order shown.
ROWS = ("principal", "interest", "fees", "cost", "total")


def _money(value, what: str) -> Decimal:
    amount = round_cents(as_decimal(value, what))
    if amount < 0:
        raise PlannerError("claims.negative", what=what, value=amount)
    return amount


@dataclass(frozen=True)
class Payment:
    """A payment made on ``on`` (a date) of ``amount`` yuan."""

    on: date
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "on", as_date(self.on, "payment date"))
        object.__setattr__(self, "amount", _money(self.amount, "payment"))


@dataclass(frozen=True)
class Claim:
    """What a lender's statement says is owed on ``as_of``, and the payments it counts.

    ``fees`` is one amount or itemised, ``{"罚息": 300, "服务费": 300}`` (kept in that order,
    so the letter can name each); ``total`` is the statement's total when it gives one
    (a total that is not the sum of its lines is itself a finding).
    """

    as_of: date
    principal: Decimal
    interest: Decimal = Decimal("0.00")
    fees: tuple[tuple[str, Decimal], ...] = ()
    total: Decimal | None = None
    payments: tuple[Payment, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "as_of", as_date(self.as_of, "as_of"))
        set_(self, "principal", _money(self.principal, "principal"))
        set_(self, "interest", _money(self.interest, "interest"))
        fees = self.fees
        if isinstance(fees, Mapping):
            items = list(fees.items())
        elif fees is None or isinstance(fees, (int, float, Decimal, str)):
            items = [("", fees)] if fees not in (None, "") else []
        else:
            items = [tuple(x) for x in fees]
        set_(self, "fees", tuple((str(k), _money(v, f"fees {k}".strip())) for k, v in items))
        if self.total is not None:
            set_(self, "total", _money(self.total, "total"))
        payments = tuple(p if isinstance(p, Payment) else Payment(*p) for p in (self.payments or ()))
        late = [p for p in payments if p.on > self.as_of]
        if late:
            raise PlannerError("claims.payment_after_statement", on=late[0].on, as_of=self.as_of)
        set_(self, "payments", tuple(sorted(payments, key=lambda p: p.on)))

    @property
    def fees_total(self) -> Decimal:
        return sum((v for _, v in self.fees), Decimal("0.00"))

    @property
    def lines_total(self) -> Decimal:
        """Principal + interest + fees as the statement itemises them."""
        return self.principal + self.interest + self.fees_total

    @property
    def stated_total(self) -> Decimal:
        """The statement's total, or the sum of its lines when it gives none."""
        return self.total if self.total is not None else self.lines_total


@dataclass(frozen=True)
class Applied:
    """How one payment is applied in the legal order: to fees, interest, principal (yuan)."""

    on: date
    amount: Decimal
    fees: Decimal
    interest: Decimal
    principal: Decimal


@dataclass(frozen=True)
class Ledger:
    """What is owed on the statement date under one set of rules, after the payments."""

    principal: Decimal
    interest: Decimal
    fees: Decimal
    interest_charged: Decimal  # over the whole period
    fees_charged: Decimal
    overpaid: Decimal  # paid beyond everything owed
    applied: tuple[Applied, ...]

    @property
    def cost(self) -> Decimal:
        return self.interest + self.fees

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _ratio(value: Decimal) -> Fraction:
    n, d = value.as_integer_ratio()
    return Fraction(n, d)


def _replay(opening: int, fees0: int, since: date, as_of: date, payments: Iterable[Payment],
            rates: list[tuple[date | None, Fraction]], fee_posts: list[tuple[date, int]]) -> Ledger:
    """Replay from ``since`` to ``as_of``: ``rates`` are ``(from, per-day fraction)`` in date order
    (``None``: from the start), ``fee_posts`` fees charged on a day. Cents inside."""
    principal, fees, interest = opening, fees0, 0
    charged_i, charged_f, overpaid = 0, 0, 0
    applied = []
    events = sorted([(d, 0, c) for d, c in fee_posts if since < d <= as_of]
                    + [(p.on, 1, to_cents(p.amount)) for p in payments], key=lambda e: (e[0], e[1]))
    last = since

    def accrue(until: date) -> int:
        exact = Fraction(0)
        for k, (start, rate) in enumerate(rates):
            lo = max(last, start or last)
            end = rates[k + 1][0] if k + 1 < len(rates) else None
            hi = min(until, end) if end is not None else until
            if hi > lo:
                exact += rate * (hi - lo).days
        exact *= principal
        return half_up(exact.numerator, exact.denominator)

    for day, what, cents in events:
        new = accrue(day)
        interest, charged_i, last = interest + new, charged_i + new, day
        if what == 0:
            fees, charged_f = fees + cents, charged_f + cents
            continue
        left = cents
        parts = {}
        for name in LEGAL_ORDER:
            owed = {"fees": fees, "interest": interest, "principal": principal}[name]
            take = min(owed, left)
            parts[name], left = take, left - take
        fees -= parts["fees"]
        interest -= parts["interest"]
        principal -= parts["principal"]
        overpaid += left
        applied.append(Applied(day, from_cents(cents), *(from_cents(parts[n]) for n in LEGAL_ORDER)))
    new = accrue(as_of)
    interest, charged_i = interest + new, charged_i + new
    return Ledger(from_cents(principal), from_cents(interest), from_cents(fees), from_cents(charged_i),
                  from_cents(charged_f), from_cents(overpaid), tuple(applied))


def contract_rates(debt: Debt) -> list[tuple[date | None, Fraction]]:
    """The contract's interest per day as an exact fraction: ``daily_rate`` %, else ``apr`` % / 365;
    none for a flat-fee debt (its cost is the fee).

    Parameters
    ----------
    debt : Debt
        The contract: ``daily_rate`` (percent points per day) or ``apr`` (percent points per
        year), or ``fee_rate`` with ``term_months`` for a flat-fee debt.

    Returns
    -------
    list of (date or None, Fraction)
        ``(from, rate per day)`` periods as :func:`check_claim` replays them; a contract has one,
        from the start (``None``), its rate a fraction of the principal (0 for a flat-fee debt).

    Examples
    --------
    >>> from planner import Debt
    >>> contract_rates(Debt("A", 1000, "36.5", 0)), contract_rates(Debt("B", 1000, 0, 0, daily_rate="0.05"))
    ([(None, Fraction(1, 1000))], [(None, Fraction(1, 2000))])
    """
    if debt.fee_rate is not None and debt.term_months is not None:
        return [(None, Fraction(0))]
    if debt.daily_rate is not None:
        return [(None, _ratio(debt.daily_rate) / 100)]
    return [(None, _ratio(debt.apr) / 36500)]


def fee_schedule(debt: Debt, lent: Decimal) -> list[tuple[date, int]]:
    """A flat-fee debt's fees: ``fee_rate`` % of the original principal on each monthly
    anniversary of the contract date, ``term_months`` times (empty for other debts).

    Parameters
    ----------
    debt : Debt
        The contract: ``fee_rate`` (percent points of the principal a month), ``term_months``
        and ``contract_date``; without all three there are no fees.
    lent : Decimal
        The original principal, in yuan.

    Returns
    -------
    list of (date, int)
        ``(day, fee)`` for each period, the fee in integer cents (rounded half-up to the cent);
        an anniversary beyond a month's length falls on its last day.

    Examples
    --------
    >>> from planner import Debt
    >>> d = Debt("分期", 3000, 0, 280, fee_rate="0.6", term_months=3, contract_date="2024-01-31")
    >>> fee_schedule(d, Decimal("3000"))
    [(datetime.date(2024, 2, 29), 1800), (datetime.date(2024, 3, 31), 1800), (datetime.date(2024, 4, 30), 1800)]
    """
    if debt.fee_rate is None or debt.term_months is None or debt.contract_date is None:
        return []
    fee = to_cents(round_cents(lent * debt.fee_rate / 100))
    return [(_add_months(debt.contract_date, k), fee) for k in range(1, debt.term_months + 1)]


@dataclass(frozen=True)
class Row:
    """One line of the comparison (yuan): what the lender claims and what the contract allows."""

    key: str  # one of ROWS
    claimed: Decimal
    contract: Decimal

    @property
    def difference(self) -> Decimal:
        return self.claimed - self.contract


@dataclass(frozen=True)
class LineCheck:
    """The claim against one reference line that applies: interest, penalties and fees together
    at the line's rate, payments applied in the legal order."""

    key: str
    rate: Decimal  # the line's rate for interest from now on (percent a year)
    line: object  # planner.references.ReferenceLine
    ledger: Ledger
    claimed_cost: Decimal
    claimed_total: Decimal

    @property
    def above(self) -> Decimal:
        """How much of the claimed total is above what the line allows (0 when not above)."""
        return max(Decimal("0.00"), self.claimed_total - self.ledger.total)

    @property
    def crossed(self) -> bool:
        return self.above > 0


@dataclass(frozen=True)
class ClaimCheck:
    """A lender's claim for one debt, against the contract and the reference lines."""

    debt: Debt
    claim: Claim
    since: date
    opening: Decimal
    contract: Ledger
    lines: tuple[LineCheck, ...]
    allowed_fees: Decimal = Decimal("0.00")
    findings: tuple[tuple[str, dict], ...] = field(default=(), compare=False)

    @property
    def rows(self) -> tuple[Row, ...]:
        c, k = self.claim, self.contract
        return (Row("principal", c.principal, k.principal), Row("interest", c.interest, k.interest),
                Row("fees", c.fees_total, k.fees), Row("cost", c.interest + c.fees_total, k.cost),
                Row("total", c.stated_total, k.total))

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    @property
    def strictest(self) -> LineCheck | None:
        """The lowest line that applies (the one the table shows), or None."""
        return min(self.lines, key=lambda x: x.ledger.total) if self.lines else None

    @property
    def crossed(self) -> tuple[LineCheck, ...]:
        return tuple(x for x in self.lines if x.crossed)

    @property
    def disputed(self) -> Decimal:
        """The claimed total above what the contract allows (0 when not above)."""
        return max(Decimal("0.00"), self.row("total").difference)

    def table(self, lang: str = "en") -> list[list[str]]:
        """The comparison as rows of text, a header first (the CLI, the letter)."""
        from .i18n import t
        from .money import format_yuan

        strict = self.strictest
        head = [t("claim_item", lang), t("claim_claimed", lang), t("claim_contract", lang), t("claim_difference", lang)]
        if strict is not None:
            head += [t("claim_at_line", lang, line=strict.line.label_with_rate(lang)), t("claim_above_line", lang)]
        out = [head]
        for r in self.rows:
            cells = [t(f"claim_row_{r.key}", lang), format_yuan(r.claimed, lang=lang), format_yuan(r.contract, lang=lang),
                     _signed(r.difference, lang)]
            if strict is not None:
                allowed = {"principal": strict.ledger.principal, "cost": strict.ledger.cost, "total": strict.ledger.total}.get(r.key)
                if allowed is None:
                    cells += ["—", "—"]
                else:
                    cells += [format_yuan(allowed, lang=lang), _signed(r.claimed - allowed, lang)]
            out.append(cells)
        return out

    def payments_table(self, lang: str = "en") -> list[list[str]]:
        """Each payment and how the legal order applies it under the contract, a header first."""
        from .i18n import t
        from .money import format_yuan

        out = [[t("claim_paid_on", lang), t("claim_paid", lang), t("claim_to_fees", lang), t("claim_to_interest", lang),
                t("claim_to_principal", lang)]]
        for a in self.contract.applied:
            out.append([a.on.isoformat(), *(format_yuan(v, lang=lang) for v in (a.amount, a.fees, a.interest, a.principal))])
        return out

    def explain(self, lang: str = "en") -> list[str]:
        """The findings in words, one sentence each."""
        from .i18n import t

        return [t(key, lang, **{k: _show(v, lang) for k, v in fields.items()}) for key, fields in self.findings]

    def to_dict(self) -> dict:
        def ledger(x: Ledger) -> dict:
            return {"principal": x.principal, "interest": x.interest, "fees": x.fees, "total": x.total,
                    "interest_charged": x.interest_charged, "fees_charged": x.fees_charged, "overpaid": x.overpaid}

        return _floats({
            "debt": self.debt.name,
            "as_of": self.claim.as_of.isoformat(),
            "since": self.since.isoformat(),
            "opening": self.opening,
            "claimed": {"principal": self.claim.principal, "interest": self.claim.interest,
                        "fees": {k or "fees": v for k, v in self.claim.fees}, "total": self.claim.stated_total,
                        "lines_total": self.claim.lines_total},
            "contract": ledger(self.contract),
            "payments": [{"date": a.on.isoformat(), "amount": a.amount, "fees": a.fees, "interest": a.interest,
                          "principal": a.principal} for a in self.contract.applied],
            "lines": {x.key: {"rate": x.rate, **ledger(x.ledger), "above": x.above, "crossed": x.crossed} for x in self.lines},
            "findings": [key for key, _ in self.findings],
        })

    def _repr_html_(self) -> str:
        import html

        rows = self.table("en")
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
        notes = "".join(f"<li>{html.escape(s)}</li>" for s in self.explain("en"))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><ul>{notes}</ul>"


def _floats(value):
    """Money as numbers in yuan (JSON), as the other results' ``to_dict`` give it."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def _signed(amount: Decimal, lang: str) -> str:
    from .money import format_yuan

    if amount == 0:
        return format_yuan(amount, lang=lang)
    return ("+" if amount > 0 else "−") + format_yuan(abs(amount), lang=lang)


def _show(value, lang: str) -> str:
    from .money import format_yuan

    if isinstance(value, Decimal):
        return format_yuan(value, lang=lang)
    if isinstance(value, tuple) and len(value) == 2:  # (zh, en)
        return value[0] if lang == "zh" else value[1]
    return str(value)


def check_claim(debt: Debt, claim: Claim, *, since: date | None = None, opening=None, opening_fees=0,
                allowed_fees=0, filing_date: date | None = None) -> ClaimCheck:
    """Check ``claim`` against ``debt``'s contract and the reference lines that apply to its kind.

    Parameters
    ----------
    debt : Debt
        The contract: ``apr`` (or ``daily_rate``, or ``fee_rate`` with ``term_months``),
        ``contract_date``, ``principal`` (the amount lent), ``kind`` (which lines apply).
    claim : Claim
        The lender's statement and the payments made.
    since : date, optional
        Where the replay starts; default the contract date.
    opening : money, optional
        The principal outstanding at ``since``; default the debt's ``principal`` (the amount
        actually received: Civil Code art. 670), else its ``balance``.
    opening_fees : money, default 0
        Fees already owed at ``since`` and not disputed (a case's recorded fees).
    allowed_fees : money, default 0
        Fees the contract states (a 违约金 clause the client accepts), added on the statement date.
    filing_date : date, optional
        For the 4 × LPR line of an older contract: the LPR at filing; default the statement date.

    Returns
    -------
    ClaimCheck

    Raises
    ------
    PlannerError
        No start date (neither ``since`` nor a contract date), a payment before the start,
        or a statement date before the start; also a ``debt`` that is not a :class:`Debt`, a
        ``claim`` that is not a :class:`Claim`, or an amount that is not money.

    Examples
    --------
    >>> from planner import Debt
    >>> c = check_claim(Debt("A", 10000, 18, 0, contract_date="2024-01-01"),
    ...                 Claim("2024-12-31", principal=10000, interest=1800))
    >>> c.contract.interest, c.row("interest").difference     # 365 days at 18%: as claimed
    (Decimal('1800.00'), Decimal('0.00'))
    >>> [(x.key, x.above) for x in c.lines]
    [('4xLPR', Decimal('420.00')), ('24', Decimal('0.00')), ('36', Decimal('0.00'))]
    """
    from .references import lpr_line_periods, reference_lines

    if not isinstance(debt, Debt):
        raise PlannerError("claims.not_debt", debt=str(debt)[:40])
    if not isinstance(claim, Claim):
        raise PlannerError("claims.not_claim", claim=str(claim)[:40])
    start = as_date(since, "since") if since is not None else debt.contract_date
    if start is None:
        raise PlannerError("claims.needs_start", name=debt.name)
    if claim.as_of < start:
        raise PlannerError("claims.statement_before_start", name=debt.name, as_of=claim.as_of, start=start)
    early = [p for p in claim.payments if p.on < start]
    if early:
        raise PlannerError("claims.payment_before_start", name=debt.name, on=early[0].on, start=start)
    if opening is None:
        opening = debt.principal if debt.principal is not None else debt.balance
    lent = _money(opening, "opening")
    fees0 = to_cents(_money(opening_fees, "opening_fees"))
    extra = _money(allowed_fees, "allowed_fees")
    contract = _replay(to_cents(lent), fees0, start, claim.as_of, claim.payments, contract_rates(debt),
                       fee_schedule(debt, debt.principal or lent))
    if extra:
        contract = Ledger(contract.principal, contract.interest, contract.fees + extra, contract.interest_charged,
                          contract.fees_charged + extra, contract.overpaid, contract.applied)
    filing = filing_date or claim.as_of
    if debt.contract_date is not None and debt.contract_date > filing:
        filing = debt.contract_date
    checks = []
    for line in reference_lines(debt.kind, debt.contract_date, filing_date=filing):
        if not line.applies:
            continue
        if line.periods:
            periods = lpr_line_periods(debt.contract_date, filing)
            rates = [(p.start if k else None, _ratio(p.rate) / 36500) for k, p in enumerate(periods)]
        else:
            rates = [(None, _ratio(line.rate) / 36500)]
        ledger = _replay(to_cents(lent), fees0, start, claim.as_of, claim.payments, rates, [])
        checks.append(LineCheck(line.key, line.rate, line, ledger, claim.interest + claim.fees_total, claim.stated_total))
    result = ClaimCheck(debt, claim, start, lent, contract, tuple(checks), extra)
    return ClaimCheck(debt, claim, start, lent, contract, tuple(checks), extra, _findings(result))


def _findings(c: ClaimCheck) -> tuple[tuple[str, dict], ...]:
    out = []
    claim = c.claim
    if claim.total is not None and claim.total != claim.lines_total:
        out.append(("claim_found_total_mismatch", {"total": claim.total, "lines": claim.lines_total}))
    for key in ("principal", "interest", "fees"):
        r = c.row(key)
        if r.difference > 0:
            out.append((f"claim_found_{key}", {"claimed": r.claimed, "contract": r.contract, "difference": r.difference}))
    if c.contract.overpaid > 0:
        out.append(("claim_found_overpaid", {"overpaid": c.contract.overpaid}))
    for x in c.crossed:
        out.append(("claim_found_line", {"line": (x.line.label_with_rate("zh"), x.line.label_with_rate("en")),
                                         "claimed": x.claimed_total, "allowed": x.ledger.total, "above": x.above}))
    if not out:
        out.append(("claim_found_none", {}))
    return tuple(out)


def payment_day(month: str, day: int) -> date:
    """The day a payment recorded for ``month`` (``"2025-03"``) is taken to be made: ``day`` of
    that month, or its last day when the month is shorter.

    Parameters
    ----------
    month : str
        The month recorded, ``YYYY-MM`` (anything after a second ``-`` is ignored).
    day : int
        The day of the month payments are made, 1 to 31.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> payment_day("2025-02", 31)
    datetime.date(2025, 2, 28)
    """
    year, mon = (int(x) for x in str(month).split("-")[:2])
    return date(year, mon, min(day, calendar.monthrange(year, mon)[1]))


__all__ = [
    "LEGAL_ORDER",
    "Applied",
    "Claim",
    "ClaimCheck",
    "Ledger",
    "LineCheck",
    "Payment",
    "Row",
    "check_claim",
    "contract_rates",
    "fee_schedule",
    "payment_day",
]
