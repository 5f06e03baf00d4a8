"""Late and overdue fees charged by rule (违约金 / 逾期费), by kind of lender.

The rules are data (``data/late_fees.toml``: a method, its figures, a source and how
sure that source is). A fee falls due in a month that leaves part of the minimum
unpaid; the overdue amount is the unpaid part of that month's minimum, for
``days`` days (one due date to the next: 30 by default):

* ``minimum_share`` (cards): ``share`` × the unpaid minimum, at least ``floor``,
  at most ``cap`` (5%, at least ¥10, is the banks' common practice);
* ``daily`` (online loans, consumer finance, small loans): ``daily`` × ``days`` ×
  the unpaid minimum, at most ``cap_share`` of it (the period's principal and
  fee) and at most ``cap``;
* ``none`` (bank loans, private lending, other): no fee by rule; a penalty rate,
  if any, is the debt's ``penalty_apr``.

A payment holiday agreed with the lender (展期 / 停息挂账, the ``defer``
adjustment) leaves no minimum due, so it is never charged. Fees earn no
interest. Money is integer cents, half-up. Pure: no files but the package's
data, no printing.

>>> late_fee("card", 1000)          # 5% of ¥1,000 unpaid
Decimal('50.00')
>>> late_fee("card", 100)           # 5% is ¥5: the ¥10 floor
Decimal('10.00')
>>> late_fee("online_loan", 1000)   # 0.05% a day for 30 days
Decimal('15.00')
>>> late_fee("bank_loan", 1000), late_fee("card", 0)
(Decimal('0.00'), Decimal('0.00'))
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from .datafiles import kinds, read_toml
from .errors import PlannerError
from .money import as_decimal, from_cents, half_up, to_cents

#: How a rule computes its fee.
METHODS = ("minimum_share", "daily", "none")
#: How sure a rule's source is (see the data file).
CERTAINTIES = ("primary", "reported", "practice")


@dataclass(frozen=True)
class LateFeeRule:
    """One kind of lender's fee rule. Money in cents; shares and rates as exact Decimals."""

    kind: str
    method: str
    share: Decimal = Decimal(0)
    daily: Decimal = Decimal(0)
    floor: int = 0
    cap: int | None = None
    cap_share: Decimal | None = None
    note_zh: str = ""
    note_en: str = ""
    source: str = ""
    certainty: str = "practice"

    def __post_init__(self):
        if self.method not in METHODS:
            raise PlannerError("latefees.unknown_method", kind=self.kind, method=self.method, methods=", ".join(METHODS))
        if self.certainty not in CERTAINTIES:
            raise PlannerError("latefees.unknown_certainty", kind=self.kind, certainty=self.certainty,
                               certainties=", ".join(CERTAINTIES))

    def fee_cents(self, unpaid: int, days: int | None = None) -> int:
        """The fee on ``unpaid`` cents of a minimum left unpaid for ``days`` days (default: a month).

        >>> rule("card").fee_cents(100000), rule("online_loan").fee_cents(100000, days=10)
        (5000, 500)
        """
        if unpaid <= 0 or self.method == "none":
            return 0
        if self.method == "minimum_share":
            num, den = self.share.as_integer_ratio()
            fee = max(half_up(unpaid * num, den), self.floor)
        else:
            days = days_per_month() if days is None else days
            num, den = self.daily.as_integer_ratio()
            fee = half_up(unpaid * num * days, den)
            if self.cap_share is not None:
                cn, cd = self.cap_share.as_integer_ratio()
                fee = min(fee, half_up(unpaid * cn, cd))
        return fee if self.cap is None else min(fee, self.cap)

    def note(self, lang: str = "en") -> str:
        """What the rule charges and how sure that is, in ``lang``."""
        return self.note_zh if lang == "zh" else self.note_en

    def source_in(self, lang: str = "en") -> str:
        """The source's name in ``lang`` (the data file writes it ``"中文 / English"``)."""
        zh, _, en = self.source.partition(" / ")
        return (zh if lang == "zh" or not en else en).strip()

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "method": self.method, "share": float(self.share), "daily": float(self.daily),
            "floor": float(from_cents(self.floor)), "cap": None if self.cap is None else float(from_cents(self.cap)),
            "cap_share": None if self.cap_share is None else float(self.cap_share),
            "source": self.source, "certainty": self.certainty,
        }


@cache
def _table() -> dict:
    return read_toml("late_fees.toml")


def days_per_month() -> int:
    """Days a minimum left unpaid stays overdue in the monthly model (the data file's setting).

    >>> days_per_month()
    30
    """
    return int(_table()["settings"]["days_per_month"])


@cache
def rules() -> dict[str, LateFeeRule]:
    """The fee rule of every debt kind, in the order of the kinds (a kind not in the file has none)."""
    out = {}
    for kind in kinds():
        r = _table()["kinds"].get(kind, {"method": "none"})
        money = {k: to_cents(as_decimal(r[k], k)) for k in ("floor", "cap") if k in r}
        out[kind] = LateFeeRule(
            kind, r["method"], as_decimal(r.get("share", "0"), "share"), as_decimal(r.get("daily", "0"), "daily"),
            money.get("floor", 0), money.get("cap"),
            as_decimal(r["cap_share"], "cap_share") if "cap_share" in r else None,
            r.get("note", {}).get("zh", ""), r.get("note", {}).get("en", ""), r.get("source", ""),
            r.get("certainty", "practice"),
        )
    return out


def rule(kind: str) -> LateFeeRule:
    """The fee rule for debts of ``kind`` (``"card"``, ``"online_loan"``, ...).

    Parameters
    ----------
    kind : str
        A debt kind (``Debt.kind``).

    Returns
    -------
    LateFeeRule
        The kind's rule in ``data/late_fees.toml`` (:func:`rules`), with its method, figures,
        certainty and source.

    Raises
    ------
    PlannerError
        For a kind the table has no rule for (the message lists the kinds).

    Examples
    --------
    >>> rule("card").method, rule("card").certainty
    ('minimum_share', 'practice')
    """
    table = rules()
    if kind not in table:
        raise PlannerError("latefees.unknown_kind", kind=kind, kinds=", ".join(table))
    return table[kind]


def late_fee(debt_kind: str, unpaid_minimum, days: int | None = None, *, rule_: LateFeeRule | None = None) -> Decimal:
    """The fee for leaving ``unpaid_minimum`` yuan of a minimum payment unpaid, by the rule of ``debt_kind``.

    Parameters
    ----------
    debt_kind : str
        A debt kind (``Debt.kind``): its rule in ``data/late_fees.toml``.
    unpaid_minimum : number
        The unpaid part of the minimum due (yuan; 0 or less: no fee).
    days : int, optional
        Days it stays overdue, for a daily rule (default: :func:`days_per_month`).
    rule_ : LateFeeRule, optional
        A rule to use instead of the kind's (a contract's own figures).

    Returns
    -------
    Decimal
        Yuan, half-up to the cent.

    Raises
    ------
    PlannerError
        For an unknown kind, an amount that is not a number, or days that are not a whole number of 0 or more.

    Examples
    --------
    >>> late_fee("card", "2400.00")                 # 5% of the unpaid minimum
    Decimal('120.00')
    >>> late_fee("online_loan", 2680, days=15)      # 2,680 × 0.05% × 15
    Decimal('20.10')
    >>> late_fee("online_loan", 2680, days=3000)    # at most the period's principal and fee
    Decimal('2680.00')
    """
    r = rule_ if rule_ is not None else rule(debt_kind)
    if days is not None:
        if isinstance(days, numbers.Integral) and not isinstance(days, bool):
            days = int(days)
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise PlannerError("latefees.days_whole_number", days=days)
    return from_cents(r.fee_cents(to_cents(as_decimal(unpaid_minimum, "unpaid_minimum")), days))


def month_late_fee(debt_kind: str, due: int, paid: int, days: int | None = None) -> int:
    """The fee in cents for a month whose minimum ``due`` (cents) was paid ``paid`` (cents):
    the rule of ``debt_kind`` on the unpaid part (nothing when the minimum was met or nothing was due).

    The month step's hook for callers that let a minimum go unpaid (the case track, offers below
    the minimum); the plan engine never does (a budget short of the minimums is refused).

    Parameters
    ----------
    debt_kind : str
        A debt kind (``Debt.kind``): its rule in ``data/late_fees.toml`` (:func:`rule`).
    due : int
        The month's minimum due, in integer cents.
    paid : int
        What was paid that month, in integer cents.
    days : int, optional
        Days the unpaid part stays overdue, for a daily rule (default: :func:`days_per_month`).

    Returns
    -------
    int
        The fee in integer cents (:meth:`LateFeeRule.fee_cents` on ``due - paid``), 0 when
        ``paid`` covers ``due``.

    Raises
    ------
    PlannerError
        For a kind without a rule, when part of the minimum is unpaid.

    Examples
    --------
    >>> month_late_fee("card", 120000, 40000), month_late_fee("card", 120000, 120000)
    (4000, 0)
    """
    return rule(debt_kind).fee_cents(due - paid, days) if due > paid else 0


__all__ = [
    "CERTAINTIES",
    "LateFeeRule",
    "METHODS",
    "days_per_month",
    "late_fee",
    "month_late_fee",
    "rule",
    "rules",
]
