"""Negotiation scenarios (协商还款): what each ask is worth, on the same engine.

An :class:`Adjustment` is a pure change to the inputs: a debt in, a debt out
(or the plan-level fields the engine already knows: ``defer_*``,
``settle_*``). A :class:`Scenario` is a named list of adjustments. So every
scenario runs through :func:`planner.engine.plan`, and every plan reconciles.

>>> from planner.debt import Debt
>>> debts = [Debt("Card", 12000, 18, 1200, kind="card"), Debt("Loan", 6000, 36, 600, kind="online_loan")]
>>> s = Scenario("ask", [freeze_interest("Card", months=60), cap_rate("Loan", line="24")])
>>> [(d.name, d.apr, d.min_payment) for d in s.apply(debts)]
[('Card', Decimal('0'), Decimal('200.00')), ('Loan', Decimal('24'), Decimal('600.00'))]
>>> result = negotiate(debts, 2000, [s])
>>> result["ask"].savings.interest > 0, result["ask"].plan.reconciles
(True, True)

Actions (parameters in brackets), each applied to the debts its selector
names (one name, a list, ``"*"``, ``"kind:card"``, ``"overdue"``, ``"apr>24"``,
or conditions joined by ``&`` such as ``"kind:online_loan & apr>24"``):

* ``freeze_interest`` (``months`` ≤ 60, ``include_accrued`` = true):
  停息挂账 / 个性化分期. The rate becomes 0 (penalty too) and the minimum
  becomes one installment, rounded up to the cent so ``months`` of them clear
  it (the last smaller). ``include_accrued``: the fees and accrued interest
  owed (``fees_owed``: the CSV has no separate accrued-interest column) are
  folded into what is split; when false they are written off in the deal.
* ``extend_term`` (``months``): 展期, re-amortised 等额本息 over ``months`` at
  the rate charged; the minimum becomes that installment (rounded up so it
  clears in ``months``).
* ``reduce_rate`` (``apr`` or ``fraction``): to ``apr`` percent (never above
  the current rate), or cut by ``fraction`` of it (0.3 cuts 30%). The penalty
  rate is cut the same way. The minimum payment is unchanged.
* ``cap_rate`` (``line``: ``"4xLPR"``, ``"24"``, ``"36"`` or a number): the
  rate and penalty rate capped at that line. 4 × LPR is the line for interest
  from now on: the LPR at the debt's contract date for a contract from
  2020-08-20 on; for an older contract, or one with no date, the LPR when the
  case is filed (``filing_date``, default today).
* ``waive_fees``: fees owed cleared and the penalty rate back to the contract rate.
* ``settle`` (``fraction``, ``month``): 一次性结清. In ``month``, ``fraction``
  of what is owed then is paid from a lump, on top of the budget, and the
  rest is forgiven.
* ``defer`` (``months``, ``accrue`` = true, ``start`` = 1): no payment for
  ``months`` months from ``start``; interest keeps accruing or not, as stated.
* ``save_to_settle`` (``saving``, ``fraction`` or ``amount``, ``accrue`` =
  true): a settlement saved up for (本金结清 with no lump today). The client
  puts ``saving`` a month aside, out of the budget, and pays the lender
  nothing meanwhile (as agreed: no late fees); the debt accrues interest or
  not, as the agreement says. The settlement is ``fraction`` of what is owed
  when it is paid, or the agreed sum ``amount``; it is paid in the first
  month the savings reach it (that month puts aside only what is missing),
  and the rest is forgiven. :attr:`ScenarioResult.savings_tracks` shows the
  savings month by month; what was put aside equals the lump paid.

Every adjustment also has ``from_month`` (default 1): the plan month it takes
effect. From month k it is made to the debts as they stand at the opening of
month k (what is owed then, so a freeze splits that), its own month parameters
(``settle``'s ``month``, ``defer``'s ``start``) count from k, and the plan
goes on from there as a new plan on the changed debts would (see
:func:`planner.engine.plan`'s ``changes``).

>>> late = Scenario("late", [freeze_interest("Card", months=60, from_month=4)])
>>> r = negotiate(debts, 2000, [late])["late"]
>>> [row["interest"] for row in r.plan.month_rows(4) if row["debt"] == "Card"]
[Decimal('0.00')]
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from .debt import Debt, check_debts
from .errors import InfeasibleBudgetError, InputError, Message, PlannerError, Problem, message
from .i18n import t, t_or
from .money import format_yuan, from_cents, half_up, normalise, rate_ratio, to_cents

#: The longest 停息挂账 / 个性化分期 in practice (DOMAIN.md: up to 60 months).
MAX_FREEZE_MONTHS = 60
#: Bound for an amount that may be negative (a saving can be a loss).
MAX_AMOUNT = Decimal("1e20")


# ---------------------------------------------------------------------------
# parameters


def _param_error(action: str, key: str, value, text_key: str, /, **fields) -> PlannerError:
    """Parameter ``key`` = ``value`` of ``action`` refused: catalogue text ``text_key`` with ``fields``."""
    return PlannerError(
        "negotiation.param",
        action=action,
        name_key=key,
        shown=value,
        text=message(text_key, **fields),
        column=key,
        value=value,
    )


def _int_param(action, key, value, low, high=None) -> int:
    import numbers

    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)  # numpy integers too
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        if high is not None:
            raise _param_error(action, key, value, "negotiation.param_whole_range", low=low, high=high)
        raise _param_error(action, key, value, "negotiation.param_whole_min", low=low)
    return value


def _dec_param(action, key, value, low=Decimal(0), high=None, *, low_open=False) -> Decimal:
    from .money import as_decimal

    try:
        d = as_decimal(value.strip().rstrip("%") if isinstance(value, str) else value, key)
    except PlannerError:
        raise _param_error(action, key, value, "negotiation.param_not_number") from None
    if not d.is_finite() or d < low or (low_open and d == low) or (high is not None and d > high):
        span = f"{'(' if low_open else '['}{low}, {high if high is not None else '∞'}]"
        raise _param_error(action, key, value, "negotiation.param_within", span=span)
    return d


def _bool_param(action, key, value) -> bool:
    from .money import is_numpy_bool

    if is_numpy_bool(value):
        value = bool(value)
    if not isinstance(value, bool):
        raise _param_error(action, key, value, "negotiation.param_true_false")
    return value


# ---------------------------------------------------------------------------
# actions: each a pure function (debt, **params) -> debt


def _plain(debt: Debt) -> Debt:
    """A flat-fee instalment as a plain debt at its true rate ``apr`` (the agreement replaces its
    contract: a frozen, extended or re-rated debt is planned by the interest rule); any other debt as it is."""
    if debt.flat_fee is None:
        return debt
    return debt.with_(fee_rate=None, periods_paid=0, fee_timing="monthly", prepay_fees="waived")


def _freeze(debt: Debt, months: int, include_accrued: bool = True) -> Debt:
    from .rates import installment

    debt = _plain(debt)
    owed = debt.balance + debt.fees_owed if include_accrued else debt.balance
    pay = installment(to_cents(owed), months)
    return debt.with_(
        balance=owed, fees_owed=Decimal("0.00"), apr=Decimal(0), penalty_apr=None, min_payment=from_cents(pay), term_months=months
    )


def _extend(debt: Debt, months: int) -> Debt:
    from .rates import level_payment

    # Fees earn no interest but are paid first; amortising them with the balance
    # at the rate charged slightly over-covers them, so the debt clears in time.
    debt = _plain(debt)
    pay = level_payment(to_cents(debt.balance + debt.fees_owed), debt.effective_apr, months)
    return debt.with_(min_payment=from_cents(pay), term_months=months)


def _reduce(debt: Debt, apr: Decimal | None = None, fraction: Decimal | None = None) -> Debt:
    def cut(rate: Decimal | None) -> Decimal | None:
        if rate is None:
            return None
        if apr is not None:
            return min(rate, apr)
        return rate * (1 - fraction)

    apr, penalty = cut(debt.apr), cut(debt.penalty_apr)
    if (apr, penalty) == (debt.apr, debt.penalty_apr):
        return debt  # a cap above the rate changes nothing (a flat-fee debt keeps its contract)
    return _plain(debt).with_(apr=apr, penalty_apr=penalty)


def _cap(debt: Debt, line, filing_date=None) -> Debt:
    from .references import line_rate

    return _reduce(debt, apr=line_rate(line, debt.contract_date, filing_date=filing_date))


def _waive(debt: Debt) -> Debt:
    return debt.with_(fees_owed=Decimal("0.00"), penalty_apr=None)


def _settle(debt: Debt, fraction: Decimal, month: int) -> Debt:
    return debt.with_(settle_fraction=fraction, settle_month=month)


def _defer(debt: Debt, months: int, accrue: bool = True, start: int = 1) -> Debt:
    return debt.with_(defer_months=months, defer_interest=accrue, defer_from=start)


#: The longest a settlement may be saved up for (months).
MAX_SAVE_MONTHS = 120


def _save(debt: Debt, saving: Decimal, fraction: Decimal | None = None, amount: Decimal | None = None,
          accrue: bool = True) -> Debt:
    """The debt held (no payment) while ``saving`` a month is put aside, then settled in the first month
    the savings reach the settlement: ``fraction`` of what is owed then, or the sum ``amount``."""
    from .engine import terms_of

    per = to_cents(saving)
    held = debt.with_(defer_months=0, defer_from=1, defer_interest=accrue, settle_month=None, settle_fraction=None,
                      settle_saving=None)
    bal, fees = to_cents(debt.balance), to_cents(debt.fees_owed)
    for k in range(1, MAX_SAVE_MONTHS + 1):
        # owed at the opening of month k, after k-1 months held (interest as agreed, nothing paid)
        if fraction is not None:
            num, den = fraction.as_integer_ratio()
            target = half_up((bal + fees) * num, den)
        else:
            target = min(to_cents(amount), bal + fees)
        if per * k >= target:
            break
        terms = terms_of(held.with_(defer_months=k, defer_from=1))
        bal += terms.interest(bal, k)
    else:
        raise PlannerError("negotiation.saving_too_slow", name=debt.name, saving=format_yuan(saving), most=MAX_SAVE_MONTHS)
    if fraction is not None:
        share = fraction
    else:  # the agreed sum as a share of what is owed then: exact to the cent (checked)
        owed = bal + fees
        share = Decimal(target) / Decimal(owed) if owed else Decimal(0)
        if owed and half_up(owed * share.as_integer_ratio()[0], share.as_integer_ratio()[1]) != target:  # pragma: no cover
            share = Decimal(target) / Decimal(owed)
    return held.with_(defer_months=k - 1, defer_from=1, settle_month=k, settle_fraction=min(share, Decimal(1)),
                      settle_saving=from_cents(per))


def _check_save(p):
    if ("fraction" in p) == ("amount" in p):
        raise PlannerError("negotiation.save_fraction_or_amount")
    out = {"saving": _dec_param("save_to_settle", "saving", p.get("saving"), Decimal(0), low_open=True)}
    if "fraction" in p:
        out["fraction"] = _dec_param("save_to_settle", "fraction", p["fraction"], Decimal(0), Decimal(1))
    else:
        out["amount"] = _dec_param("save_to_settle", "amount", p["amount"])
    if "accrue" in p:
        out["accrue"] = _bool_param("save_to_settle", "accrue", p["accrue"])
    return out


def _check_freeze(p):
    out = {"months": _int_param("freeze_interest", "months", p.get("months"), 1, MAX_FREEZE_MONTHS)}
    if "include_accrued" in p:
        out["include_accrued"] = _bool_param("freeze_interest", "include_accrued", p["include_accrued"])
    return out


def _check_extend(p):
    return {"months": _int_param("extend_term", "months", p.get("months"), 1, 600)}


def _check_reduce(p):
    if ("apr" in p) == ("fraction" in p):
        raise PlannerError("negotiation.exactly_apr_new_rate")
    if "apr" in p:
        return {"apr": _dec_param("reduce_rate", "apr", p["apr"], Decimal(0), Decimal(1000))}
    return {"fraction": _dec_param("reduce_rate", "fraction", p["fraction"], Decimal(0), Decimal(1))}


def _check_cap(p):
    from .references import _normalise_line

    if "line" not in p:
        raise PlannerError("negotiation.cap_rate_missing_line")
    _normalise_line(p["line"])
    out = {"line": p["line"]}
    if p.get("filing_date") is not None:
        from .money import as_date

        out["filing_date"] = as_date(p["filing_date"], "cap_rate: filing_date")
    return out


def _check_settle(p):
    return {
        "fraction": _dec_param("settle", "fraction", p.get("fraction"), Decimal(0), Decimal(1)),
        "month": _int_param("settle", "month", p.get("month", 1), 1, 1200),
    }


def _check_defer(p):
    out = {"months": _int_param("defer", "months", p.get("months"), 1, 120)}
    if "accrue" in p:
        out["accrue"] = _bool_param("defer", "accrue", p["accrue"])
    if "start" in p:
        out["start"] = _int_param("defer", "start", p["start"], 1, 1200)
    return out


@dataclass(frozen=True)
class _Action:
    apply: Callable[..., Debt]
    check: Callable[[Mapping], dict]
    keys: tuple[str, ...]


#: The actions a scenario may use, by name.
ACTIONS: dict[str, _Action] = {
    "freeze_interest": _Action(_freeze, _check_freeze, ("months", "include_accrued")),
    "extend_term": _Action(_extend, _check_extend, ("months",)),
    "reduce_rate": _Action(_reduce, _check_reduce, ("apr", "fraction")),
    "cap_rate": _Action(_cap, _check_cap, ("line", "filing_date")),
    "waive_fees": _Action(_waive, lambda _params: {}, ()),
    "settle": _Action(_settle, _check_settle, ("fraction", "month")),
    "defer": _Action(_defer, _check_defer, ("months", "accrue", "start")),
    "save_to_settle": _Action(_save, _check_save, ("saving", "fraction", "amount", "accrue")),
}


# ---------------------------------------------------------------------------
# adjustments and scenarios


def _selector(debt) -> str | tuple[str, ...]:
    # Names are normalised as the loaders normalise them (full-width brackets, invisible characters).
    if isinstance(debt, str):
        if not normalise(debt):
            raise PlannerError("negotiation.debt_cannot_empty_write")
        return normalise(debt)
    if isinstance(debt, (list, tuple)) and debt and all(isinstance(x, str) and normalise(x) for x in debt):
        return tuple(normalise(x) for x in debt)
    raise PlannerError("negotiation.debt_name_list_names", debt=debt)


_APR_TERM = re.compile(r"^apr\s*(>=|>|<=|<)\s*(\d+(?:\.\d+)?)$")


def _is_condition(sel: str) -> bool:
    return any(t.strip() == "overdue" or t.strip().startswith("kind:") or _APR_TERM.match(t.strip()) for t in sel.split("&"))


def _term(action: str, term: str) -> Callable[[Debt], bool]:
    """One condition of a selector: ``overdue``, ``kind:<kind>`` or ``apr>24`` (the rate charged)."""
    term = term.strip()
    if term == "overdue":
        return lambda d: d.is_overdue
    if term.startswith("kind:"):
        kind = term[5:].strip()
        return lambda d: d.kind == kind
    m = _APR_TERM.match(term)
    if m:
        op, line = m[1], Decimal(m[2])
        compare = {">": Decimal.__gt__, ">=": Decimal.__ge__, "<": Decimal.__lt__, "<=": Decimal.__le__}[op]
        return lambda d: compare(d.effective_apr, line)
    raise PlannerError(
        "negotiation.cannot_read_condition_overdue",
        action=action,
        term=term,
        column="debt",
        value=term,
    )


@dataclass(frozen=True)
class Adjustment:
    """One ask: ``action`` with its ``params``, for the debts ``debt`` selects.

    ``debt`` is a name, a tuple of names, ``"*"`` (every debt),
    ``"kind:<kind>"`` (e.g. ``"kind:card"``), ``"overdue"`` (debts now overdue),
    ``"apr>24"`` (the rate charged; also ``>=``, ``<``, ``<=``), or several
    conditions joined by ``&``: ``"kind:online_loan & apr>24"``.
    Build one with the helpers (:func:`freeze_interest`, :func:`cap_rate`, ...)
    or directly: ``Adjustment("cap_rate", "*", {"line": "24"})``.
    """

    action: str
    debt: str | tuple[str, ...] = "*"
    params: Mapping = field(default_factory=dict)
    from_month: int = 1

    def __post_init__(self):
        _int_param(self.action, "from_month", self.from_month, 1, 1200)
        if not isinstance(self.action, str) or self.action not in ACTIONS:
            raise PlannerError("negotiation.unknown_action", action=self.action, actions=', '.join(ACTIONS))
        spec = ACTIONS[self.action]
        if not isinstance(self.params, Mapping):
            raise PlannerError(
                "negotiation.params_mapping_name_value",
                action=self.action,
                params=str(self.params)[:40],
            )
        unknown = [str(k) for k in self.params if k not in spec.keys]
        if unknown:
            allowed = ", ".join(spec.keys) or "-"
            raise PlannerError(
                "negotiation.unknown_parameter_allowed",
                action=self.action,
                unknown=', '.join(unknown),
                allowed=allowed,
            )
        object.__setattr__(self, "debt", _selector(self.debt))
        object.__setattr__(self, "params", spec.check(dict(self.params)))

    def selects(self, debts: Sequence[Debt]) -> list[str]:
        """Names of the debts this adjustment applies to; an unknown name is an error."""
        sel = self.debt
        names = [d.name for d in debts]
        if sel == "*":
            return names
        if isinstance(sel, str) and _is_condition(sel):
            chosen = [d.name for d in debts if all(_term(self.action, t)(d) for t in sel.split("&"))]
            if not chosen:
                raise PlannerError("negotiation.no_debt_matches", action=self.action, sel=sel)
            return chosen
        wanted = (sel,) if isinstance(sel, str) else sel
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise PlannerError(
                "negotiation.no_debt_named_debts",
                action=self.action,
                unknown=Message('、'.join(unknown), ', '.join(repr(n) for n in unknown)),
                names=Message('、'.join(names), ', '.join(names)),
            )
        return [n for n in names if n in wanted]

    def apply(self, debts: Sequence[Debt]) -> list[Debt]:
        """The debts with this adjustment made (a new list; the debts are frozen)."""
        chosen = set(self.selects(debts))
        fn = ACTIONS[self.action].apply
        return [fn(d, **self.params) if d.name in chosen else d for d in debts]

    def action_label(self, lang: str = "en") -> str:
        """The action's name for people (``"利率封顶"``, ``"Cap rate"``); the action itself when unlabelled.

        >>> cap_rate("A", line=24).action_label("zh")
        '利率封顶'
        """
        return t_or(f"action_{self.action}", self.action, lang)

    def describe(self, lang: str = "en") -> str:
        """A short label: ``"cap_rate 24 → 分期乐"``."""
        name = self.action_label(lang)
        if lang == "zh":  # every word in Chinese: parameters and selectors too
            return f"{name} {self._params_zh()} → {self._who_zh()}".replace("  ", " ")
        params = " ".join(f"{k}={v}" for k, v in self.params.items())
        who = "*" if self.debt == "*" else (self.debt if isinstance(self.debt, str) else ", ".join(self.debt))
        when = "" if self.from_month == 1 else f" (from_month={self.from_month})"
        return f"{name} {params} → {who}{when}".replace("  ", " ")

    def _params_zh(self) -> str:
        from .i18n import t

        out = []
        for k, v in self.params.items():
            if k in ("accrue", "include_accrued") and isinstance(v, bool):
                out.append(t(f"desc_{k}_{str(v).lower()}", "zh"))
            elif k == "fraction":
                percent = (Decimal(str(v)) * 100).normalize()
                out.append(t("desc_settle_fraction" if self.action in ("settle", "save_to_settle") else "desc_reduce_fraction", "zh",
                             v=f"{percent:f}"))
            elif k in ("saving", "amount"):
                out.append(t(f"desc_{k}", "zh", v=v))
            elif k == "line":
                line = str(v)
                out.append(t("desc_line", "zh", v="4倍LPR" if line.lower() == "4xlpr" else f"{line}%"))
            elif k in ("months", "month", "start", "apr"):
                out.append(t(f"desc_{k}", "zh", v=v))
            else:
                out.append(f"{k}={v}")
        return "，".join(out)

    def _who_zh(self) -> str:
        from .i18n import labels, t

        def one(sel: str) -> str:
            sel = sel.strip()
            if sel.startswith("kind:") and f"kind_{sel[5:]}" in labels():
                return t(f"kind_{sel[5:]}", "zh")
            if sel in ("*", "overdue"):
                return t("chart_all_debts" if sel == "*" else "chart_overdue_debts", "zh")
            return sel

        if isinstance(self.debt, str):
            return " 且 ".join(one(part) for part in self.debt.split("&"))
        return "、".join(self.debt)

    def who(self, lang: str = "en") -> str:
        """The debts this adjustment names, for people: a debt's name, "全部信用卡" / "all credit cards",
        "全部债务" / "all debts" (never the selector's code, ``kind:card``).

        >>> freeze_interest("kind:card").who("zh"), freeze_interest("kind:card").who("en"), freeze_interest(["A", "B"]).who("zh")
        ('全部信用卡', 'all credit cards', 'A、B')
        """
        from .i18n import labels, t

        def one(sel: str) -> str:
            sel = sel.strip()
            if sel == "*":
                return t("chart_all_debts", lang)
            if sel == "overdue":
                return t("chart_overdue_debts", lang)
            if sel.startswith("kind:") and f"kind_{sel[5:]}" in labels():
                return t("ui_case_all_kind", lang, kind=t(f"kind_{sel[5:]}", lang))
            return sel

        if isinstance(self.debt, str):
            return (" 且 " if lang == "zh" else " and ").join(one(part) for part in self.debt.split("&"))
        return ("、" if lang == "zh" else ", ").join(self.debt)

    def to_dict(self) -> dict:
        out = {"debt": self.debt if isinstance(self.debt, str) else list(self.debt), "action": self.action}
        for k, v in self.params.items():
            out[k] = float(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v
        if self.from_month != 1:
            out["from_month"] = self.from_month
        return out

    def starting(self, month: int) -> Adjustment:
        """The same adjustment taking effect from plan ``month``."""
        return replace(self, from_month=month)


def _adjustment(action: str, debt, from_month: int = 1, **params) -> Adjustment:
    return Adjustment(action, debt, {k: v for k, v in params.items() if v is not None}, from_month)


def freeze_interest(debt="*", months: int = 60, include_accrued: bool = True, *, from_month: int = 1) -> Adjustment:
    """停息挂账: no more interest; what is owed repaid in ``months`` equal installments (≤ 60).

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    months : int, default 60
    include_accrued : bool, default True
        Whether fees and interest already owed join the installments.

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> freeze_interest("kind:card", months=36).params
    {'months': 36, 'include_accrued': True}
    """
    return _adjustment("freeze_interest", debt, from_month, months=months, include_accrued=include_accrued)


def extend_term(debt="*", months: int = 24, *, from_month: int = 1) -> Adjustment:
    """展期: re-amortise over ``months`` at the debt's rate (等额本息).

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    months : int, default 24

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> extend_term("Loan", months=36).describe()
    'Extend term months=36 → Loan'
    """
    return _adjustment("extend_term", debt, from_month, months=months)


def reduce_rate(debt="*", apr=None, fraction=None, *, from_month: int = 1) -> Adjustment:
    """Cut the rate to ``apr`` percent, or by ``fraction`` of it.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    apr : number, optional
        The new yearly rate in percent.
    fraction : number, optional
        The share of the rate cut (0 to 1); exactly one of ``apr`` and ``fraction``.

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> reduce_rate("Loan", fraction=Decimal("0.5")).params
    {'fraction': Decimal('0.5')}
    """
    return _adjustment("reduce_rate", debt, from_month, apr=apr, fraction=fraction)


def cap_rate(debt="*", line="24", filing_date=None, *, from_month: int = 1) -> Adjustment:
    """Cap the rate at a reference line: ``"4xLPR"``, ``"24"``, ``"36"`` or a number.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    line : str or number, default "24"
        ``"4xLPR"`` is the line for interest from now on: 4 × the LPR at the contract date for a
        contract from 2020-08-20 on, else 4 × the LPR when the case is filed
        (:func:`planner.references.lpr_line_periods`).
    filing_date : date or str, optional
        When the case is filed (default today), for contracts before 2020-08-20.

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> cap_rate("apr>24", line="4xLPR").params
    {'line': '4xLPR'}
    """
    return _adjustment("cap_rate", debt, from_month, line=line, filing_date=filing_date)


def waive_fees(debt="*", *, from_month: int = 1) -> Adjustment:
    """Fees owed and penalty interest removed.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> waive_fees("overdue").action
    'waive_fees'
    """
    return _adjustment("waive_fees", debt, from_month)


def settle(debt="*", fraction=Decimal("0.5"), month: int = 1, *, from_month: int = 1) -> Adjustment:
    """一次性结清: pay ``fraction`` of what is owed in ``month`` from a lump; the rest is forgiven.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    fraction : number, default 0.5
        The share of what is owed that is paid (0 to 1).
    month : int, default 1

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> settle("Loan", fraction=Decimal("0.6"), month=3).params
    {'fraction': Decimal('0.6'), 'month': 3}
    """
    return _adjustment("settle", debt, from_month, fraction=fraction, month=month)


def defer(debt="*", months: int = 3, accrue: bool = True, start: int = 1, *, from_month: int = 1) -> Adjustment:
    """No payment for ``months`` months from month ``start``; interest accrues when ``accrue``.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    from_month : int, default 1
        The plan month it takes effect (see the module notes).
    months : int, default 3
    accrue : bool, default True
    start : int, default 1

    Returns
    -------
    Adjustment
        Applied to the debts by a :class:`Scenario`.

    Raises
    ------
    PlannerError
        For a selector that cannot be read or a parameter out of range (the message names it and its value).

    Examples
    --------
    >>> defer("Loan", months=2).params
    {'months': 2, 'accrue': True, 'start': 1}
    """
    return _adjustment("defer", debt, from_month, months=months, accrue=accrue, start=start)


def save_to_settle(debt="*", saving=None, fraction=None, amount=None, accrue: bool = True, *, from_month: int = 1) -> Adjustment:
    """A settlement saved up for: ``saving`` a month put aside until it reaches the settlement, then paid.

    Parameters
    ----------
    debt : str or list of str, default "*"
        Which debts: a name, a list of names, ``"*"`` (all), ``"overdue"``, ``"kind:card"``,
        ``"apr>24"``, joined with ``&``.
    saving : number
        Yuan put aside each month (out of the budget, in :func:`negotiate`).
    fraction : number, optional
        The settlement as a share of what is owed when it is paid (0 to 1).
    amount : number, optional
        The settlement as an agreed sum in yuan; exactly one of ``fraction`` and ``amount``.
    accrue : bool, default True
        Whether interest keeps accruing while the client saves (as the agreement says).
    from_month : int, default 1
        The plan month the saving starts (see the module notes).

    Returns
    -------
    Adjustment

    Raises
    ------
    PlannerError
        For a parameter out of range, or a saving that does not reach the settlement within
        :data:`MAX_SAVE_MONTHS` months.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> d = save_to_settle("A", saving=1000, fraction="0.5", accrue=False).apply([Debt("A", 10000, 18, 500)])[0]
    >>> d.settle_month, d.defer_months, d.settle_fraction, d.settle_saving   # 5,000 saved in 5 months
    (5, 4, Decimal('0.5'), Decimal('1000.00'))
    """
    return _adjustment("save_to_settle", debt, from_month, saving=saving, fraction=fraction, amount=amount, accrue=accrue)


@dataclass(frozen=True)
class Scenario:
    """A named list of adjustments, applied in order.

    ``lump`` (optional, yuan) is the lump sum the person has for settlements;
    the result says when the settlements need more than that.
    """

    name: str
    adjustments: tuple[Adjustment, ...] = ()
    description: str = ""
    lump: Decimal | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise PlannerError("negotiation.scenario_needs_name")
        object.__setattr__(self, "name", self.name.strip())
        try:
            adjustments = tuple(self.adjustments)
        except TypeError:
            raise PlannerError(
                "negotiation.adjustments_list_adjustment",
                name=self.name,
                adjustments=str(self.adjustments)[:40],
            ) from None
        for a in adjustments:
            if not isinstance(a, Adjustment):
                raise PlannerError("negotiation.not_adjustment", name=self.name, a=a)
        object.__setattr__(self, "adjustments", adjustments)
        if self.lump is not None:
            object.__setattr__(self, "lump", _dec_param(self.name, "lump", self.lump))

    def apply(self, debts: Sequence[Debt]) -> list[Debt]:
        """The debts with every adjustment made, in order (each as if from month 1)."""
        return self._apply(debts, enumerate(self.adjustments, start=1))

    def _apply(self, debts, numbered) -> list[Debt]:
        out = list(debts)
        for k, adjustment in numbered:
            try:
                out = adjustment.apply(out)
            except PlannerError as exc:
                raise PlannerError("negotiation.scenario_adjustment", name=self.name, k=k, exc=exc) from None
        return out

    def plan_inputs(self, debts: Sequence[Debt]) -> tuple[list[Debt], dict[int, Callable[[list[Debt]], list[Debt]]]]:
        """What :func:`planner.engine.plan` takes: the debts with the month-1 adjustments made,
        and ``changes`` for the adjustments from later months (in order within a month).

        >>> from planner.debt import Debt
        >>> s = Scenario("s", [cap_rate("A", line="24"), freeze_interest("A", months=12, from_month=3)])
        >>> ds, changes = s.plan_inputs([Debt("A", 1000, 36, 100)])
        >>> ds[0].apr, sorted(changes)
        (Decimal('24'), [3])
        """
        numbered = list(enumerate(self.adjustments, start=1))
        first = self._apply(debts, [(k, a) for k, a in numbered if a.from_month == 1])
        changes = {}
        for month in sorted({a.from_month for a in self.adjustments} - {1}):
            todo = [(k, a) for k, a in numbered if a.from_month == month]
            changes[month] = lambda ds, todo=todo: self._apply(ds, todo)
        return first, changes

    def steps(self, debts: Sequence[Debt]) -> list[list[Debt]]:
        """The debts before any adjustment, then after each one in turn (month-1 terms)."""
        out = [list(debts)]
        for k in range(1, len(self.adjustments) + 1):
            out.append(Scenario(self.name, self.adjustments[:k]).plan_inputs(debts)[0])
        return out

    def to_dict(self) -> dict:
        out = {"name": self.name, "adjust": [a.to_dict() for a in self.adjustments]}
        if self.description:
            out["description"] = self.description
        if self.lump is not None:
            out["lump"] = float(self.lump)
        return out


# ---------------------------------------------------------------------------
# TOML


def scenarios_from_dict(data: Mapping, label: str = "scenarios") -> list[Scenario]:
    """Scenarios from parsed scenario-file data (``{"scenario": [...]}``); every problem at once.

    Reading the file itself is :func:`planner.io.load_scenarios`.

    Parameters
    ----------
    data : mapping
        The parsed TOML: ``{"scenario": [{"name": ..., "adjust": [{"action": ..., "debt": ...}]}]}``.
    label : str, default "scenarios"
        How the problems name the source.

    Returns
    -------
    list of Scenario

    Raises
    ------
    InputError
        Listing every problem, each with the table, key and value.

    Examples
    --------
    >>> s = scenarios_from_dict({"scenario": [{"name": "cap", "adjust": [{"action": "cap_rate", "line": "24"}]}]})
    >>> s[0].name, s[0].adjustments[0].debt
    ('cap', '*')
    """
    problems: list[Problem] = []
    unknown_top = [str(k) for k in data if k != "scenario"]
    if unknown_top:
        problems.append(Problem.of("negotiation.unknown_table_scenario_allowed", unknown_top=', '.join(unknown_top)))
    tables = data.get("scenario")
    if not isinstance(tables, list) or not tables:
        problems.append(Problem.of("negotiation.no_scenarios_add_scenario"))
        raise InputError(problems, label)
    scenarios = []
    seen: dict[str, int] = {}
    for s_no, table in enumerate(tables, start=1):
        where = f"[[scenario]] #{s_no}"
        if not isinstance(table, Mapping):
            problems.append(Problem.of("negotiation.table", None, where))
            continue
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem.of(
                "negotiation.name_missing_add_name",
                None,
                f"{where}.name",
                None if name is None else repr(name),
            ))
            name = f"#{s_no}"
        else:
            name = name.strip()
            where = f"[[scenario]] #{s_no} «{name}»"
            if name in seen:
                problems.append(Problem.of(
                    "negotiation.same_name_scenario_needs",
                    None,
                    f"{where}.name",
                    name,
                    seen=seen[name],
                ))
            seen[name] = s_no
        extra_keys = [str(k) for k in table if k not in ("name", "description", "lump", "adjust")]
        if extra_keys:
            problems.append(Problem.of(
                "negotiation.unknown_key_allowed_name",
                None,
                where,
                extra_keys=', '.join(extra_keys),
            ))
        description = table.get("description", "")
        if not isinstance(description, str):
            problems.append(Problem.of(
                "negotiation.description_text",
                None,
                f"{where}.description",
                repr(description),
            ))
            description = ""
        lump = table.get("lump")
        if lump is not None:
            try:
                lump = _dec_param(name, "lump", lump)
            except PlannerError as exc:
                problems.append(Problem.from_error(exc, None, f"{where}.lump", repr(lump)))
                lump = None
        adjust = table.get("adjust", [])
        if not isinstance(adjust, list):
            problems.append(Problem.of("negotiation.adjust_scenario_adjust_tables", None, f"{where}.adjust"))
            adjust = []
        adjustments = []
        for a_no, entry in enumerate(adjust, start=1):
            at = f"{where} adjust #{a_no}"
            if not isinstance(entry, Mapping):
                problems.append(Problem.of("negotiation.table", None, at))
                continue
            params = {k: v for k, v in entry.items() if k not in ("debt", "action", "from_month")}
            if "action" not in entry:
                problems.append(Problem.of(
                    "negotiation.action_missing",
                    None,
                    f"{at}.action",
                    actions=', '.join(ACTIONS),
                ))
                continue
            try:
                adjustments.append(Adjustment(str(entry["action"]), entry.get("debt", "*"), params, entry.get("from_month", 1)))
            except PlannerError as exc:
                problems.append(Problem.from_error(exc, None, at, str(entry.get("action"))))
        if not problems:
            scenarios.append(Scenario(name, tuple(adjustments), description, lump))
    if problems:
        raise InputError(problems, label)
    return scenarios


# ---------------------------------------------------------------------------
# comparison


def monthly_pressure(debts: Sequence[Debt]) -> Decimal:
    """The sum of minimum payments due in month 1 (what the budget must cover at least).

    Debts deferred in month 1 or settled in month 1 (from a lump) count zero; a settlement
    saved up for (:func:`save_to_settle`) counts what month 1 puts aside.

    Parameters
    ----------
    debts : sequence of Debt

    Returns
    -------
    Decimal
        Yuan: each debt's min(minimum payment, amount due in month 1), summed.

    Examples
    --------
    >>> monthly_pressure([Debt("A", 3000, 18, 300), Debt("B", 100, 0, 500)])
    Decimal('400.00')
    """
    total = 0
    for d in debts:
        if d.settle_month == 1 or (d.defer_months and d.defer_from <= 1 < d.defer_from + d.defer_months):
            if d.settle_saving is not None:  # a settlement saved up for: month 1 puts aside its saving
                owed = to_cents(d.balance) + to_cents(d.fees_owed)
                num, den = d.settle_fraction.as_integer_ratio()
                lump = half_up(owed * num, den) if d.settle_month == 1 else to_cents(d.settle_saving)
                total += min(to_cents(d.settle_saving), lump)
            continue
        num, den = rate_ratio(d.effective_apr)
        bal = to_cents(d.balance)
        due = bal + half_up(bal * num, den) + to_cents(d.fees_owed)
        total += min(to_cents(d.min_payment), due)
    return from_cents(total)


@dataclass(frozen=True)
class Savings:
    """What a scenario saves against the baseline (positive: better). ``months`` is None
    when either plan never finishes."""

    interest: Decimal
    total_paid: Decimal
    months: int | None

    def to_dict(self) -> dict:
        return {"interest": float(self.interest), "total_paid": float(self.total_paid), "months": self.months}

    def explain(self, lang: str = "en") -> str:
        """The savings in one sentence, in ``lang`` (``"en"`` or ``"zh"``).

        >>> Savings(Decimal("4329.33"), Decimal("4689.33"), 0).explain("zh")
        '共少还 ¥4,689.33（其中利息 ¥4,329.33），还清时间不变。'
        """
        return t("savings_note", lang, paid=format_yuan(self.total_paid, lang=lang),
                 interest=format_yuan(self.interest, lang=lang), sooner=sooner_text(self.months, lang))


def sooner_text(months: int | None, lang: str = "en") -> str:
    """How much sooner the debts are cleared, in words: never "0 month(s) sooner".

    Parameters
    ----------
    months : int or None
        Months sooner (negative: later); None when it cannot be said (a plan with no end).
    lang : {"en", "zh"}

    Returns
    -------
    str

    Examples
    --------
    >>> sooner_text(3), sooner_text(1), sooner_text(0), sooner_text(-2, "zh")
    ('debt-free 3 months sooner', 'debt-free 1 month sooner', 'debt-free in the same month', '推迟 2 个月还清')
    """
    if months is None:
        return t("ui_sooner_unknown", lang)
    if months == 0:
        return t("ui_sooner_0", lang)
    key = "ui_sooner" if months > 0 else "ui_later"
    n = abs(months)
    return t(f"{key}_1", lang) if n == 1 else t(f"{key}_n", lang, n=n)


def _savings(before, after) -> Savings:
    months = None if before.months is None or after.months is None else before.months - after.months
    return Savings(before.total_interest - after.total_interest, before.total_paid - after.total_paid, months)


@dataclass(frozen=True)
class Contribution:
    """One adjustment's share of a scenario's savings, taken in the order given (waterfall data)."""

    step: int
    label: str
    adjustment: Adjustment
    savings: Savings
    monthly_pressure: Decimal  # after this step

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "label": self.label,
            "adjustment": self.adjustment.to_dict(),
            "savings": self.savings.to_dict(),
            "monthly_pressure": float(self.monthly_pressure),
        }


@dataclass(frozen=True)
class SavingsTrack:
    """A settlement saved up for, month by month (:func:`save_to_settle`): in cents inside.

    ``months`` are plan months from the first saving to the settlement; ``deposits`` what was put
    aside each of them (the last only what was missing), ``balances`` the savings after each;
    ``lump`` what the settlement paid in ``settle_month`` and ``forgiven`` the rest.
    """

    debt: str
    saving: int
    months: tuple[int, ...]
    deposits: tuple[int, ...]
    lump: int
    forgiven: int

    @property
    def settle_month(self) -> int:
        return self.months[-1]

    @property
    def balances(self) -> tuple[int, ...]:
        out, total = [], 0
        for d in self.deposits:
            total += d
            out.append(total)
        return tuple(out)

    @property
    def reconciles(self) -> bool:
        """What the client put aside is the lump paid, to the cent, and no month puts aside more than the saving."""
        return sum(self.deposits) == self.lump and all(0 <= d <= self.saving for d in self.deposits)

    def rows(self) -> list[tuple[int, Decimal, Decimal]]:
        """``(month, put aside, savings after)`` in yuan."""
        return [(m, from_cents(d), from_cents(b)) for m, d, b in zip(self.months, self.deposits, self.balances)]

    def explain(self, lang: str = "en") -> str:
        """One sentence: the saving, the month it settles, the lump and what is forgiven.

        >>> SavingsTrack("A", 100000, (1, 2, 3), (100000, 100000, 50000), 250000, 250000).explain("zh")
        'A：自第 1 个月起每月存 ¥1,000.00；第 3 个月存够 ¥2,500.00 一次结清（免除 ¥2,500.00）。'
        """
        return t("savings_track_note", lang, debt=self.debt, saving=format_yuan(from_cents(self.saving), lang=lang),
                 first=self.months[0], month=self.settle_month, lump=format_yuan(from_cents(self.lump), lang=lang),
                 forgiven=format_yuan(from_cents(self.forgiven), lang=lang))

    def to_dict(self) -> dict:
        return {"debt": self.debt, "saving": float(from_cents(self.saving)), "settle_month": self.settle_month,
                "lump": float(from_cents(self.lump)), "forgiven": float(from_cents(self.forgiven)),
                "months": [{"month": m, "deposit": float(d), "savings": float(b)} for m, d, b in self.rows()],
                "reconciles": self.reconciles}


def savings_tracks(plan) -> list[SavingsTrack]:
    """The settlements saved up for in ``plan`` (debts with ``settle_saving``), each with its savings
    month by month: the saving each month from the first held month to the settlement, the last
    month only what the lump still needs (the lump is what the plan's settlement paid).

    Parameters
    ----------
    plan : Plan
        A finished plan (:func:`planner.engine.plan`), its debts and any change of terms
        possibly saving up for settlements (:func:`save_to_settle`).

    Returns
    -------
    list of SavingsTrack
        One per settlement saved up for that the plan reached, amounts in integer cents;
        empty when there is none.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> from planner.engine import plan
    >>> debts = save_to_settle("A", saving=1000, fraction="0.5", accrue=False).apply([Debt("A", 10000, 18, 500)])
    >>> track = savings_tracks(plan(debts, 1500))[0]
    >>> track.months, track.deposits, track.lump, track.forgiven
    ((1, 2, 3, 4, 5), (100000, 100000, 100000, 100000, 100000), 500000, 500000)
    """
    versions = [plan.debts] + [plan.columns.terms[m] for m in sorted(plan.columns.terms)]
    paid = {(m, name): (pay, forgiven) for m, name, _o, _i, pay, _c, _f, forgiven in plan.ledger()}
    out, seen = [], set()
    for ds in versions:
        for d in ds:
            key = (d.name, d.settle_month)
            if d.settle_saving is None or d.settle_month is None or key in seen:
                continue
            seen.add(key)
            if (d.settle_month, d.name) not in paid:  # the plan stopped before the settlement (its horizon)
                continue
            lump, forgiven = paid[d.settle_month, d.name]
            per = to_cents(d.settle_saving)
            first = d.defer_from if d.defer_months else d.settle_month
            months = tuple(range(first, d.settle_month + 1))
            deposits = (per,) * (len(months) - 1) + (lump - per * (len(months) - 1),)
            out.append(SavingsTrack(d.name, per, months, deposits, lump, forgiven))
    return out


def _saving_by_month(plan) -> dict[int, int]:
    """Cents put aside toward settlements in each plan month."""
    out: dict[int, int] = {}
    for track in savings_tracks(plan):
        for m, d in zip(track.months, track.deposits):
            out[m] = out.get(m, 0) + d
    return out


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """One scenario run through the engine: its plan, pressure, savings and contributions."""

    scenario: Scenario
    debts: tuple[Debt, ...]
    plan: object  # planner.result.Plan
    monthly_pressure: Decimal
    savings: Savings
    contributions: tuple[Contribution, ...]

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def savings_tracks(self) -> list[SavingsTrack]:
        """The settlements saved up for (:func:`save_to_settle`), each with its savings month by month."""
        return savings_tracks(self.plan)

    @property
    def lump_needed(self) -> Decimal:
        """Settlements paid from a lump in hand, in all (those saved up for are paid from the savings)."""
        saved = sum(tr.lump for tr in self.savings_tracks)
        return self.plan.lump_paid - from_cents(saved)

    @property
    def lump_short(self) -> Decimal:
        """How much more than the named ``lump`` the settlements need (0 when enough or none named)."""
        if self.scenario.lump is None:
            return Decimal("0.00")
        return max(Decimal("0.00"), self.lump_needed - self.scenario.lump)

    def waterfall(self):
        """Contributions as a DataFrame: step, label, interest, total_paid, months, monthly_pressure."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "step": c.step,
                    "label": c.label,
                    "interest": float(c.savings.interest),
                    "total_paid": float(c.savings.total_paid),
                    "months": c.savings.months,
                    "monthly_pressure": float(c.monthly_pressure),
                }
                for c in self.contributions
            ]
        ).astype({"label": "string", "months": "Int64"})

    def _repr_html_(self) -> str:
        """The scenario's asks, what they save and the plan under them, for a notebook."""
        asks = "".join(f"<li>{html.escape(a.describe())}</li>" for a in self.scenario.adjustments)
        s = self.savings
        saved = (f"saves {format_yuan(s.total_paid)} in all, {format_yuan(s.interest)} of interest"
                 + ("" if s.months is None else f", {s.months} months sooner"))
        return (
            f"<p><b>{html.escape(self.name)}</b>: {html.escape(saved)}; monthly pressure {format_yuan(self.monthly_pressure)}</p>"
            f"<ul>{asks}</ul>{self.plan._repr_html_()}"
        )

    def to_dict(self) -> dict:
        out = self.plan.to_dict()
        out.update(
            name=self.name,
            monthly_pressure=float(self.monthly_pressure),
            savings=self.savings.to_dict(),
            lump_needed=float(self.lump_needed),
            settlement_savings=[tr.to_dict() for tr in self.savings_tracks],
            adjustments=[a.to_dict() for a in self.scenario.adjustments],
            contributions=[c.to_dict() for c in self.contributions],
        )
        return out


class Negotiation:
    """A baseline plan and the same debts under each scenario, side by side.

    ``baseline`` is a :class:`~planner.result.Plan`, ``results`` a list of
    :class:`ScenarioResult` (also ``negotiation["name"]``); ``summary`` is a
    DataFrame, ``to_dict()`` the JSON of ``planner negotiate``.
    """

    def __init__(self, baseline, baseline_pressure: Decimal, results: list[ScenarioResult]):
        self.baseline = baseline
        self.baseline_pressure = baseline_pressure
        self.results = list(results)

    def __getitem__(self, name: str) -> ScenarioResult:
        for r in self.results:
            if isinstance(name, str) and r.name == name:
                return r
        names = "、".join(r.name for r in self.results)
        raise PlannerError(
            "negotiation.no_scenario_named_scenarios",
            name=str(name)[:40],
            names=Message(names, ', '.join(r.name for r in self.results)),
        )

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)

    @property
    def summary(self):
        """One row per plan (baseline first): months, interest, paid, forgiven, pressure, savings."""
        import pandas as pd

        rows = [self._row("baseline", self.baseline, self.baseline_pressure, None)]
        rows += [self._row(r.name, r.plan, r.monthly_pressure, r.savings) for r in self.results]
        return pd.DataFrame(rows).astype({"scenario": "string", "months": "Int64", "months_saved": "Int64"})

    @staticmethod
    def _row(name, p, pressure, savings):
        return {
            "scenario": name,
            "months": p.months,
            "total_interest": float(p.total_interest),
            "total_paid": float(p.total_paid),
            "total_forgiven": float(p.total_forgiven),
            "monthly_pressure": float(pressure),
            "interest_saved": float(savings.interest) if savings else 0.0,
            "total_paid_saved": float(savings.total_paid) if savings else 0.0,
            "months_saved": savings.months if savings else 0,
        }

    def table(self, lang: str = "en"):
        """The plans side by side for people, in ``lang``: one row per plan (no negotiation first),
        headers from the text catalogue, money formatted (a DataFrame of text; :attr:`summary` has the numbers).

        >>> ds = [Debt("Card", 3000, 18, 300, kind="card")]
        >>> shown = negotiate(ds, 500, [Scenario("cap", (cap_rate("Card", line=12),))]).table("zh")
        >>> shown.index.name, list(shown.columns), list(shown.index)
        ('方案', ['月数', '总利息', '总还款', '首月最低还款', '节省'], ['不协商', 'cap'])
        """
        import pandas as pd

        def row(name, p, pressure, s):
            return [name, t("never", lang) if p.months is None else str(p.months), format_yuan(p.total_interest, lang=lang),
                    format_yuan(p.total_paid, lang=lang), format_yuan(pressure, lang=lang),
                    "" if s is None else format_yuan(s.total_paid, lang=lang)]

        rows = [row(t("chart_baseline", lang), self.baseline, self.baseline_pressure, None)]
        rows += [row(r.name, r.plan, r.monthly_pressure, r.savings) for r in self.results]
        headers = [t(key, lang) for key in ("scenario", "months", "total_interest", "total_paid", "monthly_pressure", "saved_total")]
        return pd.DataFrame(rows, columns=headers, dtype="string").set_index(headers[0])

    def to_dict(self) -> dict:
        base = self.baseline.to_dict()
        base["name"] = "baseline"  # shaped like a scenario's entry: a name and (zero) savings
        base["monthly_pressure"] = float(self.baseline_pressure)
        base["savings"] = Savings(Decimal("0.00"), Decimal("0.00"), None if self.baseline.months is None else 0).to_dict()
        return {"baseline": base, "scenarios": [r.to_dict() for r in self.results]}

    def __repr__(self):
        lines = [f"baseline: {self.baseline._headline()}"]
        lines += [f"{r.name}: saves {format_yuan(r.savings.total_paid)}; {r.plan._headline()}" for r in self.results]
        return "<Negotiation\n  " + "\n  ".join(lines) + "\n>"

    def _repr_html_(self):
        def cell(v):
            return html.escape(str(v))

        def row(name, p, pressure, s):
            months = "never" if p.months is None else p.months
            saved = "" if s is None else format_yuan(s.total_paid)
            return (
                f"<tr><td>{cell(name)}</td><td>{months}</td><td>{format_yuan(p.total_interest)}</td>"
                f"<td>{format_yuan(p.total_paid)}</td><td>{format_yuan(pressure)}</td><td>{saved}</td></tr>"
            )

        body = row("baseline", self.baseline, self.baseline_pressure, None)
        body += "".join(row(r.name, r.plan, r.monthly_pressure, r.savings) for r in self.results)
        return (
            "<table><thead><tr><th>scenario</th><th>months</th><th>interest</th><th>paid</th>"
            "<th>monthly pressure</th><th>saved</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def agency(self, scenario: str, *, fee=None, fee_percent=None) -> AgencyQuote:
        """Price a debt-restructuring agency for the relief of ``scenario`` (see :func:`price_agency`)."""
        r = self[scenario]
        return price_agency(r.savings.total_paid, sum(d.owed for d in self.baseline.debts), fee=fee, fee_percent=fee_percent)


def negotiate(debts, budget, scenarios: Iterable[Scenario], strategy="avalanche", **plan_kwargs) -> Negotiation:
    """Run the baseline and each scenario through :func:`planner.engine.plan` with the same
    budget, strategy and options, and compare them.

    ``debts`` is a list of :class:`~planner.debt.Debt`, ``scenarios`` a list of
    :class:`Scenario` (:func:`planner.negotiate` also takes files).
    Contributions: the adjustments are made one at a time, in the order given,
    and each step's plan is compared with the previous one; they add up to the
    scenario's savings.

    Parameters
    ----------
    debts : iterable of Debt
        The debts as they stand (Debt objects, unique names).
    budget : number or str
        Yuan a month, the same for the baseline and every scenario.
    scenarios : iterable of Scenario
        Scenarios with unique names; an empty list gives the baseline alone.
    strategy : str or Strategy, default "avalanche"
        As for :func:`planner.engine.plan`.
    **plan_kwargs
        Passed to :func:`planner.engine.plan` for every plan (``extra``, ``horizon``, ``start`` ...).

    Returns
    -------
    Negotiation
        The baseline plan, its monthly pressure (the minimums due), and one
        :class:`ScenarioResult` per scenario with its plan, savings and contributions.

    Raises
    ------
    PlannerError
        When ``scenarios`` is not a list of :class:`Scenario`, two share a name, an adjustment
        cannot be made, or the budget does not cover the minimum payments of the baseline or of
        a scenario (the budget message, prefixed with the plan's name).
    InputError
        When ``debts`` are not Debt objects with unique names.

    Examples
    --------
    >>> ds = [Debt("Card", 3000, 18, 300, kind="card"), Debt("Loan", 5000, 36, 500, kind="online_loan")]
    >>> n = negotiate(ds, 1500, [Scenario("cap", (cap_rate("Loan", line=24),))])
    >>> n.baseline.total_interest, n["cap"].plan.total_interest, n["cap"].savings.interest
    (Decimal('628.26'), Decimal('476.15'), Decimal('152.11'))
    >>> [c.label for c in n["cap"].contributions]
    ['Cap rate line=24 → Loan']
    >>> negotiate(ds, 500, [])
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 情景「baseline」：... / scenario 'baseline': ...
    """
    from .engine import plan

    debts = check_debts(debts)
    if isinstance(scenarios, (str, bytes)) or not isinstance(scenarios, Iterable):
        raise PlannerError("negotiation.scenarios_list_scenario_read")
    scenarios = list(scenarios)
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise PlannerError("negotiation.not_scenario_read_file", s=s)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise PlannerError("negotiation.two_scenarios_same_name")

    user_changes = _money_by_month(plan_kwargs.pop("budget_changes", None))

    def once(ds, label, changes, budgets):
        try:
            return plan(ds, budget, strategy, changes=changes, budget_changes=budgets, **plan_kwargs)
        except InfeasibleBudgetError as exc:
            raise PlannerError("negotiation.scenario", label=label, exc=exc) from None

    def run(ds, label, changes=None):
        # A settlement saved up for takes its saving out of the budget: plan, read the savings the
        # plan needs, plan again with them out, until they no longer change (the months before a
        # saving starts plan the same either way, so this settles in a pass or two).
        p = once(ds, label, changes, user_changes or None)
        used: dict[int, int] = {}
        for _ in range(8):
            saving = _saving_by_month(p)
            if saving == used:
                break
            used = saving
            p = once(ds, label, changes, _less_saving(to_cents(budget), user_changes, saving, label))
        return p

    baseline = run(debts, "baseline")
    results = []
    for s in scenarios:
        # The steps one at a time, keeping only the previous step's plan and debts: memory
        # stays that of two plans however many adjustments a scenario has (a report's "every
        # ask" scenario has one per lender: 1,000 debts kept as 1,000 full plans was gigabytes).
        current, before = list(debts), baseline
        contributions = []
        later: dict[int, list] = {}
        memo: dict[int, tuple] = {}
        for k, a in enumerate(s.adjustments, start=1):
            # = Scenario(s.name, s.adjustments[:k]).plan_inputs(debts), built on step k-1's inputs: re-applying
            # the k adjustments at every step was quadratic (2,000 adjustments: 2 million applications).
            if a.from_month == 1:
                current = s._apply(current, [(k, a)])
            else:
                later.setdefault(a.from_month, []).append((k, a))
            changes = {m: _incremental(s, m, tuple(later[m]), memo) for m in sorted(later)}
            after = run(current, s.name, changes)
            contributions.append(Contribution(k, a.describe(), a, _savings(before, after), monthly_pressure(current)))
            before = after
        results.append(
            ScenarioResult(
                scenario=s,
                debts=tuple(current),
                plan=before,
                monthly_pressure=monthly_pressure(current),
                savings=_savings(baseline, before),
                contributions=tuple(contributions),
            )
        )
    return Negotiation(baseline, monthly_pressure(debts), results)


def _money_by_month(values) -> dict[int, int]:
    """``budget_changes`` as cents by month (the engine checks them again when it plans)."""
    from .engine import _money_schedule

    return _money_schedule(values, "budget_changes")


def _less_saving(base: int, changes: dict[int, int], saving: dict[int, int], label: str) -> dict[int, object]:
    """The budget of every month up to the last saving (and the month after it), the savings taken out;
    the user's own budget changes after that month kept as they were."""
    last = max(saving, default=0)
    out: dict[int, object] = {}
    current = base
    for m in range(1, last + 2):
        current = changes.get(m, current)
        left = current - saving.get(m, 0)
        if left < 0:
            raise PlannerError("negotiation.saving_above_budget", name=label, month=m, saving=format_yuan(from_cents(saving[m])),
                               budget=format_yuan(from_cents(current)))
        out[m] = from_cents(left)
    out.update({m: from_cents(c) for m, c in changes.items() if m > last + 1})
    return out


def _incremental(scenario: Scenario, month: int, todo: tuple, memo: dict) -> Callable[[list[Debt]], list[Debt]]:
    """The change at ``month`` of one step of :func:`negotiate`: ``todo`` applied to the debts as
    they stand then. Step k adds one adjustment to step k-1's, and the months before ``month``
    plan the same, so the debts arriving are usually the same as last time: then only the new
    adjustments are applied to last time's result (``memo``), not all of them again."""

    def change(ds: list[Debt]) -> list[Debt]:
        key = tuple(ds)
        hit = memo.get(month)
        if hit is not None and hit[1] <= len(todo) and hit[0] == key and todo[: hit[1]] == hit[3]:
            out = scenario._apply(list(hit[2]), todo[hit[1]:])
        else:
            out = scenario._apply(ds, todo)
        memo[month] = (key, len(todo), tuple(out), todo)
        return list(out)

    return change


# ---------------------------------------------------------------------------
# agencies, affordability, overdue costs


@dataclass(frozen=True)
class AgencyQuote:
    """A debt-restructuring agency's fee against what the same relief saves when negotiated directly."""

    fee: Decimal
    savings_direct: Decimal
    net_with_agency: Decimal  # savings minus the fee: what is left if the agency gets the same relief

    @property
    def worth_it(self) -> bool:
        """Whether anything is left after the fee (it says nothing of the agency's risks)."""
        return self.net_with_agency > 0

    @property
    def fee_share_of_savings(self) -> Decimal | None:
        """The fee as a share of the savings (1 = the fee eats all of it)."""
        return None if self.savings_direct <= 0 else (self.fee / self.savings_direct).quantize(Decimal("0.0001"))

    def to_dict(self) -> dict:
        return {"fee": float(self.fee), "savings_direct": float(self.savings_direct), "net_with_agency": float(self.net_with_agency), "worth_it": self.worth_it}

    def explain(self, lang: str = "en") -> str:
        """The quote in one sentence, in ``lang``: the fee, what direct negotiation saves, what is left.

        >>> AgencyQuote(Decimal("12000.00"), Decimal("9000.00"), Decimal("-3000.00")).explain()
        'Agency fee ¥12,000.00; negotiating directly saves ¥9,000.00: the fee is ¥3,000.00 more than the relief is worth.'
        """
        key = "agency_worth_note" if self.worth_it else "agency_not_worth_note"
        return t(key, lang, fee=format_yuan(self.fee, lang=lang), saved=format_yuan(self.savings_direct, lang=lang),
                 net=format_yuan(abs(self.net_with_agency), lang=lang))


def price_agency(savings, total_debt, *, fee=None, fee_percent=None) -> AgencyQuote:
    """An agency's fee (``fee`` yuan, or ``fee_percent`` of ``total_debt``) against ``savings``.

    Parameters
    ----------
    savings : number
        What the negotiation saves, in yuan (for example ``result.savings.total_paid``).
    total_debt : number
        Everything owed, in yuan.
    fee, fee_percent : number
        Exactly one: the agency's fee in yuan, or in percent of ``total_debt``.

    Returns
    -------
    AgencyQuote
        ``fee``, ``savings_direct``, ``net_with_agency`` (savings − fee) and ``worth_it``.

    Raises
    ------
    PlannerError
        Unless exactly one of ``fee`` and ``fee_percent`` is given, or for a value out of range.

    Examples
    --------
    >>> q = price_agency(Decimal("9000"), Decimal("80000"), fee=12000)   # one reported case: 12,000 on 80,000
    >>> q.net_with_agency, q.worth_it
    (Decimal('-3000.00'), False)
    """
    from .money import round_cents

    if (fee is None) == (fee_percent is None):
        raise PlannerError("negotiation.exactly_fee_yuan_fee")
    if isinstance(savings, Savings):  # what the relief saves in all: total paid
        savings = savings.total_paid
    total = _dec_param("agency", "total_debt", total_debt)
    if fee is not None:
        cost = round_cents(_dec_param("agency", "fee", fee))
    else:
        cost = round_cents(total * _dec_param("agency", "fee_percent", fee_percent, Decimal(0), Decimal(100)) / 100)
    saved = round_cents(_dec_param("agency", "savings", savings, low=-MAX_AMOUNT))
    return AgencyQuote(cost, saved, saved - cost)


#: Rules of thumb from counselling articles (DOMAIN.md): debts at most 30% of take-home pay,
#: an emergency fund of 3 months of essentials.
DEBT_SHARE_LIMIT = Decimal("0.30")
EMERGENCY_MONTHS = 3


@dataclass(frozen=True)
class Affordability:
    """What a person can put toward debts, and the rule-of-thumb flags."""

    income: Decimal
    essentials: Decimal
    available: Decimal  # income − essentials: the most the budget can be
    payments: Decimal  # the debt payments being considered (minimums, or a budget)
    share_of_income: Decimal | None  # payments / income
    over_limit: bool  # payments above 30% of income
    limit: Decimal  # 30% of income
    emergency_fund: Decimal  # 3 months of essentials
    feasible: bool  # payments fit within what is available

    def to_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


def affordability(income, essentials, payments=None, *, debts=None) -> Affordability:
    """Budget available for debts from take-home ``income`` and ``essentials`` (monthly yuan).

    ``payments`` is the monthly debt payment considered (default: the sum of
    the minimums of ``debts``, else everything available). Flags payments
    above 30% of income; the emergency-fund target is 3 months of essentials.

    Parameters
    ----------
    income, essentials : number
        Monthly take-home pay and essential spending, in yuan.
    payments : number, optional
        The monthly debt payment considered.
    debts : list of Debt, optional
        Used for ``payments`` when it is not given (the sum of the minimums).

    Returns
    -------
    Affordability
        ``available``, ``limit`` (30% of income), ``over_limit``, ``share_of_income``, ``emergency_fund``, ``feasible``.

    Raises
    ------
    PlannerError
        For a negative or non-numeric amount.

    Examples
    --------
    >>> a = affordability(10000, 4000, 5565.01)
    >>> a.available, a.limit, a.over_limit, a.emergency_fund
    (Decimal('6000.00'), Decimal('3000.00'), True, Decimal('12000.00'))
    """
    from .money import round_cents

    if debts is not None:
        debts = check_debts(debts)
    inc = round_cents(_dec_param("affordability", "income", income))
    ess = round_cents(_dec_param("affordability", "essentials", essentials))
    available = inc - ess
    if payments is None:
        payments = sum((d.min_payment for d in debts), Decimal("0.00")) if debts is not None else max(available, Decimal("0.00"))
    pay = round_cents(_dec_param("affordability", "payments", payments))
    share = (pay / inc).quantize(Decimal("0.0001")) if inc > 0 else None
    limit = round_cents(inc * DEBT_SHARE_LIMIT)
    return Affordability(inc, ess, available, pay, share, pay > limit, limit, round_cents(ess * EMERGENCY_MONTHS), pay <= available)


@dataclass(frozen=True)
class OverdueCost:
    """What staying overdue costs one debt each month, on today's balance."""

    name: str
    overdue_days: int
    interest_per_month: Decimal  # at the rate charged (penalty rate while overdue)
    penalty_extra_per_month: Decimal  # the part above the contract rate
    fees_owed: Decimal

    def to_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}

    def explain(self, lang: str = "en") -> str:
        """What staying overdue costs, in one sentence in ``lang`` (as ``planner check`` says it).

        >>> OverdueCost("分期乐", 45, Decimal("323.10"), Decimal("107.70"), Decimal("360.00")).explain("zh")
        '分期乐：继续逾期每月利息 ¥323.10（其中比合同利率多出 ¥107.70），已欠违约金等费用 ¥360.00。'
        """
        return t("overdue_cost_note", lang, name=self.name, interest=format_yuan(self.interest_per_month, lang=lang),
                 extra=format_yuan(self.penalty_extra_per_month, lang=lang), fees=format_yuan(self.fees_owed, lang=lang))


def overdue_cost(debt: Debt) -> OverdueCost:
    """Monthly interest at the rate charged, and the extra the penalty rate adds over the contract rate.

    Parameters
    ----------
    debt : Debt
        Any debt; one that is not overdue has no penalty extra.

    Returns
    -------
    OverdueCost
        The debt's name and days overdue, a month's interest on the balance at the rate charged
        (``penalty_apr`` while overdue), what of it is above the contract ``apr``, and the fees
        owed; amounts in Decimal yuan, rounded half-up to the cent.

    Raises
    ------
    PlannerError
        When ``debt`` is not a :class:`~planner.debt.Debt`.

    Examples
    --------
    >>> d = Debt("分期乐", 7200, Decimal("35.9"), Decimal("424.76"), overdue_days=45, penalty_apr=Decimal("53.85"), fees_owed=360)
    >>> c = overdue_cost(d)                 # 7200 × 53.85% / 12 = 323.10; 7200 × 17.95% / 12 = 107.70
    >>> c.interest_per_month, c.penalty_extra_per_month
    (Decimal('323.10'), Decimal('107.70'))
    >>> overdue_cost(Debt("Card", 3000, 18, 300)).penalty_extra_per_month
    Decimal('0.00')
    >>> overdue_cost("Card")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: overdue_cost: 需要一个 Debt：'Card' / overdue_cost: needs a Debt: 'Card'
    """
    from .money import round_cents

    if not isinstance(debt, Debt):
        raise PlannerError("negotiation.overdue_cost_needs_debt", debt=str(debt)[:40])
    charged = round_cents(debt.balance * debt.effective_apr / 1200)
    contract = round_cents(debt.balance * debt.apr / 1200)
    return OverdueCost(debt.name, debt.overdue_days, charged, charged - contract if debt.is_overdue else Decimal("0.00"), debt.fees_owed)


def overdue_costs(debts: Sequence[Debt]) -> list[OverdueCost]:
    """:func:`overdue_cost` of each overdue debt.

    Parameters
    ----------
    debts : sequence of Debt
        The debts; those not overdue are left out.

    Returns
    -------
    list of OverdueCost
        In the order of ``debts``; empty when none is overdue.

    Examples
    --------
    >>> late = Debt("分期乐", 7200, Decimal("35.9"), Decimal("424.76"), overdue_days=45, penalty_apr=Decimal("53.85"), fees_owed=360)
    >>> [(c.name, c.interest_per_month, c.fees_owed) for c in overdue_costs([Debt("Card", 3000, 18, 300), late])]
    [('分期乐', Decimal('323.10'), Decimal('360.00'))]
    """
    return [overdue_cost(d) for d in check_debts(debts) if d.is_overdue]


__all__ = [
    "ACTIONS",
    "Adjustment",
    "AgencyQuote",
    "Affordability",
    "Contribution",
    "MAX_FREEZE_MONTHS",
    "Negotiation",
    "OverdueCost",
    "MAX_SAVE_MONTHS",
    "Savings",
    "SavingsTrack",
    "Scenario",
    "ScenarioResult",
    "affordability",
    "cap_rate",
    "defer",
    "extend_term",
    "freeze_interest",
    "scenarios_from_dict",
    "monthly_pressure",
    "negotiate",
    "overdue_cost",
    "overdue_costs",
    "sooner_text",
    "price_agency",
    "reduce_rate",
    "save_to_settle",
    "savings_tracks",
    "settle",
    "waive_fees",
]
