"""Fair shares (按比例分配的协商方案): what to offer each lender when the money does not reach the minimums.

When what is left for the debts (``available``, e.g. a :class:`~planner.budget.Statement`'s
``left_for_debts``) covers the minimum payments due, nothing needs sharing: each debt's offer
is its minimum. When it does not, the way debt-management plans do it:

1. **Priority debts first** (``Debt.priority``: a secured loan, a court order or enforcement,
   a guarantee): each gets its minimum due. If even those do not fit, the money is split among
   them pro rata to their minimums and the other lenders get nothing.
2. **The rest pro rata to what each lender is owed** (balance + fees): every lender is offered
   the same share of its debt. Shares are rounded down to the yuan and the remainder (the odd
   yuan and cents) goes to the lender owed most, so the shares add up exactly to what is left.
3. **Never more than a debt's own minimum** (the excess is shared among the others), and **a
   floor** (``floor``, default ¥50, a setting): a lender whose share would be below the floor
   is offered the floor (capped at its minimum), taken from the others' shares. A floor a
   lender will bother with is worth more than a token that is refused; if the floors of all
   the small lenders do not fit in what is left, there is no floor (:attr:`FairShare.floor_met`
   is false) and the shares stay strictly pro rata.

Each offer is priced on the engine, on that debt alone at the offer: at the current rate
(``planner.plan`` of the debt with the offer as its monthly payment) and with interest frozen
(the debt after :func:`~planner.negotiation.freeze_interest`, paying the offer each month).
"At the current rate" assumes the lender accepts the offer as the new minimum and so waives
the late fees; :attr:`Offer.late` prices the other case, where the lender keeps the contract's
minimum and charges the late fee of the debt's kind by rule (:mod:`planner.latefees`) on the
unpaid part of it every month (the engine's month step, :func:`planner.engine.open_month`, then
the fee added to the fees). Both are shown.
The lender's side: what it recovers under the offer, against nothing paid if the client stops.

>>> from planner.debt import Debt
>>> debts = [Debt("Card", 12000, 18, 1200), Debt("Loan", 6000, 24, 600), Debt("Car", 20000, 6, 900, priority=True)]
>>> fs = fair_shares(debts, 1500)
>>> [(o.debt, o.monthly, o.basis) for o in fs.offers]
[('Card', Decimal('400.00'), 'pro_rata'), ('Loan', Decimal('200.00'), 'pro_rata'), ('Car', Decimal('900.00'), 'priority')]
>>> fs.offers[0].frozen.months, fs.offers[0].at_rate.months
(30, 41)
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .debt import Debt, check_debts
from .errors import PlannerError
from .i18n import t
from .money import format_yuan, from_cents, to_cents

#: The default floor: a monthly offer below this is raised to it (yuan; a setting, not a fact).
DEFAULT_FLOOR = Decimal("50")
#: Months the engine prices an offer over at most (a small share can take decades).
PRICING_HORIZON = 1200
#: How an offer was set.
BASES = ("minimum", "priority", "pro_rata", "floor", "capped")


@dataclass(frozen=True)
class Pricing:
    """One offer on the engine: the plan of that debt alone paying the offer each month."""

    months: int | None  # None: not cleared within the pricing horizon
    paid: Decimal  # what the client pays (= what the lender recovers) over the plan
    interest: Decimal
    remaining: Decimal  # still owed at the horizon (zero when cleared)
    plan: object = field(repr=False, compare=False)  # the planner.result.Plan (None when priced with late fees)
    late_fees: Decimal = Decimal("0.00")  # charged by rule for the minimum left unpaid

    def to_dict(self) -> dict:
        return {"months": self.months, "paid": float(self.paid), "interest": float(self.interest), "remaining": float(self.remaining),
                "late_fees": float(self.late_fees)}


@dataclass(frozen=True)
class Offer:
    """What one lender is offered each month, why, and what it costs and recovers."""

    debt: str
    priority: bool
    reason: str | None  # the priority reason (a catalogue code: secured, court, guarantee), when known
    owed: Decimal
    minimum: Decimal  # the minimum due in month 1
    monthly: Decimal  # the offer
    basis: str  # one of BASES
    at_rate: Pricing
    frozen: Pricing
    late: Pricing | None = None  # at the rate with late fees charged by rule (None: not priced)

    @property
    def share(self) -> Decimal | None:
        """The offer as a share of what is owed (0.0246 is 2.46% a month), or None when nothing is owed."""
        return (self.monthly / self.owed).quantize(Decimal("0.0001")) if self.owed else None

    def adjustment(self, frozen: bool = True):
        """The negotiation adjustment an accepted offer becomes (for :meth:`planner.cases.CaseBook.accept_offer`):
        with interest frozen, :func:`~planner.negotiation.freeze_interest` over the offer's months (at most 60);
        at the rate, :func:`~planner.negotiation.extend_term` over them.

        >>> o = fair_shares([Debt("A", 6000, 18, 600), Debt("B", 3000, 18, 300)], 600).offers[0]
        >>> o.monthly, o.adjustment().params
        (Decimal('400.00'), {'months': 15, 'include_accrued': True})
        """
        from .negotiation import MAX_FREEZE_MONTHS, extend_term, freeze_interest

        months = (self.frozen if frozen else self.at_rate).months
        if months is None or (frozen and months > MAX_FREEZE_MONTHS):
            shown = "∞" if months is None else str(months)
            if frozen:
                raise PlannerError("offers.not_agreement_frozen", debt=self.debt, months=shown, most=MAX_FREEZE_MONTHS, value=months)
            raise PlannerError("offers.not_agreement_rate", debt=self.debt, months=shown, most=MAX_FREEZE_MONTHS, value=months)
        return freeze_interest(self.debt, months=months) if frozen else extend_term(self.debt, months=months)

    def to_dict(self) -> dict:
        """The issue's JSON contract for one offer, then the detail (money as numbers in yuan)."""
        return {
            "debt": self.debt, "priority": self.priority, "monthly": float(self.monthly),
            "months_frozen": self.frozen.months, "months_at_rate": self.at_rate.months,
            "reason": self.reason, "basis": self.basis, "owed": float(self.owed), "minimum": float(self.minimum),
            "share": None if self.share is None else float(self.share),
            "frozen": self.frozen.to_dict(), "at_rate": self.at_rate.to_dict(),
            "at_rate_late_fees": None if self.late is None else self.late.to_dict(),
        }


@dataclass(frozen=True)
class FairShare:
    """The offers to every lender, for ``available`` a month."""

    available: Decimal
    minimums: Decimal  # the minimum payments due in month 1, summed
    covered: bool  # available covers the minimums: each offer is its minimum
    floor: Decimal
    floor_met: bool  # False when the floors did not fit and the shares stayed strictly pro rata
    offers: tuple[Offer, ...]

    @property
    def shortfall(self) -> Decimal:
        """How far ``available`` is below the minimums (zero when covered)."""
        return max(self.minimums - self.available, Decimal("0.00"))

    @property
    def common_share(self) -> Decimal | None:
        """The share of what is owed offered to the lenders shared pro rata (the same for each, before rounding)."""
        shared = [o for o in self.offers if o.basis == "pro_rata"]
        owed = sum((o.owed for o in shared), Decimal(0))
        return (sum((o.monthly for o in shared), Decimal(0)) / owed).quantize(Decimal("0.0001")) if owed else None

    def __getitem__(self, debt: str) -> Offer:
        for o in self.offers:
            if o.debt == debt:
                return o
        from .errors import unknown_debt

        raise unknown_debt(debt, [o.debt for o in self.offers])

    def __iter__(self):
        return iter(self.offers)

    def __len__(self):
        return len(self.offers)

    def to_dict(self) -> dict:
        """``{"available", "minimums", "covered", "offers": [...]}`` in yuan (the ``planner offer --format json`` contract)."""
        return {
            "available": float(self.available), "minimums": float(self.minimums), "covered": self.covered,
            "shortfall": float(self.shortfall), "floor": float(self.floor), "floor_met": self.floor_met,
            "common_share": None if self.common_share is None else float(self.common_share),
            "offers": [o.to_dict() for o in self.offers],
        }

    def headline(self, lang: str = "en") -> str:
        """One sentence: covered, or short by how much and the common share.

        >>> fair_shares([Debt("A", 6000, 18, 600)], 700).headline()
        'The ¥700.00 a month left for the debts covers the minimum payments of ¥600.00: offer each lender its minimum.'
        """
        if self.covered:
            return t("offer_covered", lang, available=format_yuan(self.available), minimums=format_yuan(self.minimums))
        share = self.common_share
        first = (" " if lang == "en" else "") + t("offer_priority_first", lang) if any(o.priority for o in self.offers) else ""
        return t("offer_short", lang, available=format_yuan(self.available), minimums=format_yuan(self.minimums),
                 shortfall=format_yuan(self.shortfall), share=f"{share * 100:.2f}%" if share is not None else "—") + first

    def rows(self, lang: str = "en") -> list[list[str]]:
        """One row per offer, as people read it (see :meth:`headers`)."""
        def months(p: Pricing) -> str:
            return t("never", lang) if p.months is None else str(p.months)

        return [
            [o.debt, offer_basis(o, lang), format_yuan(o.owed), format_yuan(o.minimum), format_yuan(o.monthly),
             "" if o.share is None else f"{o.share * 100:.2f}%", months(o.frozen), months(o.at_rate),
             months(o.late or o.at_rate), format_yuan(o.frozen.paid)]
            for o in self.offers
        ]

    @staticmethod
    def headers(lang: str = "en") -> list[str]:
        return [t(k, lang) for k in ("debt", "offer_basis", "offer_owed", "min_payment", "offer_monthly", "offer_share",
                                      "offer_months_frozen", "offer_months_at_rate", "offer_months_late_fees", "offer_recovered")]

    def html(self, lang: str = "en") -> str:
        esc = html.escape
        def align(k):
            return " style='text-align:right;padding:0 6px'" if k >= 2 else " style='text-align:left;padding:0 6px'"

        head = "".join(f"<th{align(k)}>{esc(h)}</th>" for k, h in enumerate(self.headers(lang)))
        body = "".join("<tr>" + "".join(f"<td{align(k)}>{esc(c)}</td>" for k, c in enumerate(row)) + "</tr>" for row in self.rows(lang))
        return f"<p>{esc(self.headline(lang))}</p><table class='planner-offers'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _repr_html_(self) -> str:
        return self.html("en")

    def __repr__(self) -> str:
        return f"<FairShare {format_yuan(self.available)} a month for {len(self.offers)} lenders, {'covered' if self.covered else 'short ' + format_yuan(self.shortfall)}>"


def offer_basis(offer: Offer, lang: str = "en") -> str:
    """Why the offer is what it is, in words: the basis, and the priority reason when there is one.

    Parameters
    ----------
    offer : Offer
        An offer of :func:`fair_shares`.
    lang : {"en", "zh"}, default "en"
        The language of the words.

    Returns
    -------
    str
        The label of the offer's basis (one of :data:`BASES`), followed by the priority reason
        in brackets for a priority offer that has one.

    Examples
    --------
    >>> o = fair_shares([Debt("A", 6000, 18, 600), Debt("B", 3000, 18, 300)], 600).offers[0]
    >>> offer_basis(o), offer_basis(o, "zh")
    ('fair share', '按比例')
    """
    text = t(f"offer_basis_{offer.basis}", lang)
    if offer.priority and offer.reason:
        text += f" ({t(f'priority_reason_{offer.reason}', lang)})" if lang == "en" else f"（{t(f'priority_reason_{offer.reason}', lang)}）"
    return text


# ---------------------------------------------------------------------------
# the split


def _minimum_due(debt: Debt) -> int:
    """The minimum due in month 1, in cents: min(minimum payment, everything due then)."""
    from .negotiation import monthly_pressure

    return to_cents(monthly_pressure([debt]))


def _split(total: int, weights: list[int], caps: list[int], floor: int) -> tuple[list[int], list[str], bool]:
    """``total`` cents split pro rata to ``weights``, each at most its cap, and at least ``floor``
    (capped) where the floors fit; rounded down to the yuan, the remainder to the largest weight.

    Returns the shares, each one's basis (``pro_rata``, ``capped``, ``floor``) and whether the floors fit.
    Requires ``total <= sum(caps)``.

    >>> _split(100000, [600000, 300000, 100000], [50000, 30000, 30000], 0)
    ([50000, 30000, 20000], ['capped', 'capped', 'pro_rata'], True)
    >>> _split(50050, [600000, 300000, 100000], [60000, 30000, 10000], 0)
    ([30050, 15000, 5000], ['pro_rata', 'pro_rata', 'pro_rata'], True)
    """
    n = len(weights)
    for use_floor in (True, False):
        fixed: dict[int, tuple[int, str]] = {}
        while True:
            free = [i for i in range(n) if i not in fixed]
            left = total - sum(c for c, _ in fixed.values())
            wsum = sum(weights[i] for i in free)
            if left < 0:
                break
            if not free or wsum == 0:
                if free and left:  # nothing owed by the rest: the remainder to the first with room
                    fixed[free[0]] = (left, "pro_rata")
                    left = 0
                return (*_result(n, fixed, {}), use_floor)
            exact = {i: Fraction(left * weights[i], wsum) for i in free}
            over = [i for i in free if exact[i] > caps[i]]
            if over:
                fixed.update({i: (caps[i], "capped") for i in over})
                continue
            low = [i for i in free if use_floor and exact[i] < min(floor, caps[i])]
            if low:
                fixed.update({i: (min(floor, caps[i]), "floor") for i in low})
                continue
            largest = max(free, key=lambda i: (weights[i], -i))
            shares = {i: int(exact[i] // 100) * 100 for i in free if i != largest}
            shares[largest] = left - sum(shares.values())
            if shares[largest] > caps[largest]:
                fixed[largest] = (caps[largest], "capped")
                continue
            return (*_result(n, fixed, shares), use_floor)
    raise PlannerError("offers.no_split")  # unreachable: without floors the split always fits


def _result(n, fixed, shares):
    out = [0] * n
    basis = ["pro_rata"] * n
    for i, (c, b) in fixed.items():
        out[i], basis[i] = c, b
    for i, c in shares.items():
        out[i] = c
    return out, basis


def price(debt: Debt, monthly, *, horizon: int = PRICING_HORIZON) -> tuple[Pricing, Pricing]:
    """The offer ``monthly`` on the engine, on ``debt`` alone: (at the current rate, with interest frozen).

    At the rate: the debt with ``monthly`` as its payment, planned with ``monthly`` a month. Frozen: the
    debt after :func:`~planner.negotiation.freeze_interest` (rate 0, fees and accrued interest folded
    in), paying ``monthly`` a month. A zero offer is never cleared.

    Parameters
    ----------
    debt : Debt
        The debt alone (amounts in yuan, rate in percent points).
    monthly : number
        The offer: yuan paid each month (rounded to the cent).
    horizon : int, default :data:`PRICING_HORIZON`
        The most months priced; a debt not cleared by then has ``months`` None.

    Returns
    -------
    tuple of (Pricing, Pricing)
        At the current rate and with interest frozen: months to clear (None if not within
        ``horizon``), paid, interest and remaining in yuan Decimal, and the plan.

    Examples
    --------
    >>> at_rate, frozen = price(Debt("A", 1000, 12, 100), 100)
    >>> at_rate.months, at_rate.interest, frozen.months, frozen.paid
    (11, Decimal('58.98'), 10, Decimal('1000.00'))
    """
    from .engine import plan
    from .negotiation import MAX_FREEZE_MONTHS, Scenario, freeze_interest

    monthly = from_cents(to_cents(monthly))
    frozen_debt = Scenario("frozen", (freeze_interest(debt.name, months=MAX_FREEZE_MONTHS),)).apply([debt])[0]
    out = []
    for d in (debt, frozen_debt):
        p = plan([d.with_(min_payment=monthly)], monthly, horizon=horizon)
        out.append(Pricing(p.months, p.total_paid, p.total_interest, p.remaining, p))
    return out[0], out[1]


def price_with_late_fees(debt: Debt, monthly, *, horizon: int = PRICING_HORIZON) -> Pricing:
    """The offer ``monthly`` on ``debt`` alone at the current rate, the lender keeping the contract's
    minimum: each month the engine's opening (:func:`planner.engine.open_month`: interest, the minimum
    due), the offer paid (fees first), and the late fee of the debt's kind by rule on the unpaid part of
    the minimum (:func:`planner.latefees.month_late_fee`) added to the fees. An offer at or above the
    minimum is charged nothing and prices as :func:`price` at the rate.

    Parameters
    ----------
    debt : Debt
        The debt alone (amounts in yuan, rate in percent points).
    monthly : number
        The offer: yuan paid each month (rounded to the cent).
    horizon : int, default :data:`PRICING_HORIZON`
        The most months priced; a debt not cleared by then has ``months`` None.

    Returns
    -------
    Pricing
        Months to clear (None if not within ``horizon``), paid, interest, remaining and
        ``late_fees`` in yuan Decimal; its ``plan`` is None.

    Examples
    --------
    >>> p = price_with_late_fees(Debt("Card", 12000, 18, 1200, kind="card"), 400)
    >>> p.late_fees > 0, price(Debt("Card", 12000, 18, 1200, kind="card"), 400)[0].months < p.months
    (True, True)
    >>> price_with_late_fees(Debt("A", 1000, 12, 100), 100).late_fees
    Decimal('0.00')
    """
    from .engine import apply_payment, open_month, terms_of
    from .latefees import month_late_fee

    pay = to_cents(monthly)
    terms = terms_of(debt)
    bal, fees = terms.balance, terms.fees
    paid = interest = late = 0
    months = 0 if bal + fees == 0 else None
    for m in range(1, horizon + 1):
        if bal + fees == 0:
            break
        added, bal, fees, due, takes, settled, _forgiven = open_month(terms, m, bal, fees)
        interest += added
        if settled or not takes:  # a settlement or a payment holiday: nothing due, no fee
            paid += settled
            bal, fees = (0, 0) if settled else (bal, fees)
        else:
            now = min(pay, bal + fees)
            bal, fees = apply_payment(bal, fees, now)
            paid += now
            fee = month_late_fee(debt.kind, due, now) if bal + fees else 0
            fees += fee
            late += fee
        if bal + fees == 0:
            months = m
    return Pricing(months, from_cents(paid), from_cents(interest), from_cents(bal + fees), None, from_cents(late))


def fair_shares(debts: Sequence[Debt], available, *, floor=DEFAULT_FLOOR, horizon: int = PRICING_HORIZON) -> FairShare:
    """Fair-share offers to every lender for ``available`` yuan a month (see the module notes).

    Parameters
    ----------
    debts : sequence of Debt
        ``Debt.priority`` marks priority debts (with ``priority_reason``).
    available : number, str or Statement
        Yuan a month for all the debts; a :class:`~planner.budget.Statement` gives its ``left_for_debts``.
    floor : number, default 50
        The smallest monthly offer a lender is given (0: no floor).
    horizon : int, default 1200
        Months each offer is priced over at most.

    Returns
    -------
    FairShare
        ``offers`` in the order of ``debts``; their ``monthly`` amounts add up to ``available``
        exactly when it is short of the minimums, else each is the minimum due.

    Raises
    ------
    PlannerError
        For a negative or non-numeric amount, or debts that are not Debt objects with unique names.

    Examples
    --------
    >>> fs = fair_shares([Debt("A", 6000, 18, 600), Debt("B", 3000, 18, 300)], 600)
    >>> [o.monthly for o in fs], fs.covered, fs.common_share
    ([Decimal('400.00'), Decimal('200.00')], False, Decimal('0.0667'))
    """
    from .budget import Statement

    debts = check_debts(debts)
    if isinstance(available, Statement):
        available = available.left_for_debts
    cents = _money("available", available)
    floor_cents = _money("floor", floor)
    mins = [_minimum_due(d) for d in debts]
    total_min = sum(mins)
    shares = [0] * len(debts)
    basis = ["minimum"] * len(debts)
    floor_met = True
    if cents >= total_min:
        shares = list(mins)
    else:
        prio = [i for i, d in enumerate(debts) if d.priority]
        rest = [i for i, d in enumerate(debts) if not d.priority]
        prio_min = sum(mins[i] for i in prio)
        if cents >= prio_min:
            for i in prio:
                shares[i], basis[i] = mins[i], "priority"
            left = cents - prio_min
        else:
            split, _, _ = _split(cents, [mins[i] for i in prio], [mins[i] for i in prio], 0)
            for i, s in zip(prio, split):
                shares[i], basis[i] = s, "priority"
            left = 0
        split, how, floor_met = _split(left, [to_cents(debts[i].owed) for i in rest], [mins[i] for i in rest], floor_cents)
        for i, s, b in zip(rest, split, how):
            shares[i], basis[i] = s, b
    offers = []
    for d, m, s, b in zip(debts, mins, shares, basis):
        at_rate, frozen = price(d, from_cents(s), horizon=horizon)
        late = price_with_late_fees(d, from_cents(s), horizon=horizon) if s < m else at_rate
        offers.append(Offer(d.name, d.priority, d.priority_reason, d.owed, from_cents(m), from_cents(s), b, at_rate, frozen, late))
    return FairShare(from_cents(cents), from_cents(total_min), cents >= total_min, from_cents(floor_cents), floor_met, tuple(offers))


def _money(what: str, value) -> int:
    from .money import ParseError, as_decimal, parse_money

    try:
        amount = parse_money(value) if isinstance(value, str) else as_decimal(value, what)
    except (ParseError, PlannerError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise PlannerError("offers.not_amount", what=what, shown=str(value)[:40], column=what, value=value)
    return to_cents(amount)


__all__ = [
    "BASES",
    "DEFAULT_FLOOR",
    "FairShare",
    "Offer",
    "Pricing",
    "fair_shares",
    "offer_basis",
    "price",
    "price_with_late_fees",
]
