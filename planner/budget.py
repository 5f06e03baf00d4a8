"""The budget statement (收支表): a client's monthly income and necessary spending, and what is
left for the debts.

A :class:`Statement` is a list of :class:`Line` (income by source, spending by standard
category; categories and their Chinese words are data: ``data/budget.toml``), exact to the
cent. It yields what is left for the debts (income − spending, never below zero), the 30%
line (debt payments at most 30% of take-home pay), the emergency-fund target (3 months of
essential spending) and flags for a second look: income below essentials, and spending
above a reference figure where ``data/budget_reference.toml`` has one (with its source and
year; the statement works without any).

>>> s = Statement.of(income={"wages": 4500}, spending={"housing": 500, "food": 800, "transport": 300})
>>> s.income, s.spending, s.left_for_debts, s.debt_limit, s.emergency_fund
(Decimal('4500.00'), Decimal('1600.00'), Decimal('2900.00'), Decimal('1350.00'), Decimal('4800.00'))
>>> [f.code for f in s.flags()]
['food_above_reference', 'left_above_limit']
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from .datafiles import read_toml
from .errors import PlannerError
from .i18n import t
from .money import format_yuan, from_cents, normalise, round_cents, to_cents

#: The kinds of line: money coming in and necessary money going out.
KINDS = ("income", "spending")
#: Rules of thumb (DOMAIN.md): debt payments at most 30% of take-home pay; 3 months of essentials aside.
DEBT_SHARE_LIMIT = Decimal("0.30")
EMERGENCY_MONTHS = 3
#: Largest monthly amount one line may hold (¥10 million: anything above is a typo).
MAX_LINE = Decimal("10000000")
#: Most people a statement may cover.
MAX_PEOPLE = 20


@cache
def categories() -> dict[str, tuple[str, ...]]:
    """``{kind: (category, ...)}`` in the order of ``data/budget.toml``.

    >>> categories()["income"]
    ('wages', 'benefits', 'family', 'other_income')
    """
    table = read_toml("budget.toml")
    return {kind: tuple(table[kind]) for kind in KINDS}


def _key(text: str) -> str:
    return normalise(str(text)).lower().replace(" ", "").replace("-", "_")


@cache
def _word_index() -> dict[str, dict[str, str]]:
    table = read_toml("budget.toml")
    out = {"kind": {_key(w): kind for kind, words in table["kinds"].items() for w in [kind, *words]}}
    for kind in KINDS:
        out[kind] = {_key(w): cat for cat, words in table[kind].items() for w in [cat, *words]}
    return out


def kind_of(text: str) -> str | None:
    """The kind a word names (``"收入"`` -> ``"income"``), or None.

    Parameters
    ----------
    text : str
        A word as written in a statement, Chinese or English (case, spaces and full-width
        forms do not matter).

    Returns
    -------
    str or None
        ``"income"`` or ``"spending"`` (:data:`KINDS`), or None for a word of neither.

    Examples
    --------
    >>> kind_of("支出"), kind_of("Income"), kind_of("loan")
    ('spending', 'income', None)
    """
    return _word_index()["kind"].get(_key(text))


def category_of(kind: str, text: str) -> str | None:
    """The standard category a word names for ``kind`` (``"房租"`` -> ``"housing"``), or None.

    Parameters
    ----------
    kind : {"income", "spending"}
        The kind of line the word is read for (:data:`KINDS`).
    text : str
        A category's name or one of its words in ``data/budget.toml``, Chinese or English.

    Returns
    -------
    str or None
        The category (one of :func:`categories` ``[kind]``), or None when the word names none of
        that kind (or ``kind`` is not a kind).

    Examples
    --------
    >>> category_of("spending", "房租"), category_of("income", "工资"), category_of("income", "房租")
    ('housing', 'wages', None)
    """
    return _word_index().get(kind, {}).get(_key(text))


def category_label(category: str, lang: str = "en") -> str:
    """A category as people read it, from the catalogue.

    Parameters
    ----------
    category : str
        A standard category (:func:`categories`), such as ``"housing"``.
    lang : {"en", "zh"}, default "en"
        The language of the label.

    Returns
    -------
    str
        The label ``budget_cat_<category>`` of the label table in ``lang``.

    Raises
    ------
    PlannerError
        For a language other than ``"en"`` or ``"zh"``.
    KeyError
        For a category the label table has no label for.

    Examples
    --------
    >>> category_label("utilities", "zh"), category_label("other_income")
    ('水电燃气', 'Other income')
    """
    return t(f"budget_cat_{category}", lang)


@dataclass(frozen=True)
class Reference:
    """A reference figure for one spending category: per person per month, with its source."""

    category: str
    monthly: Decimal
    year: int
    source_en: str
    source_zh: str

    def source(self, lang: str = "en") -> str:
        return self.source_zh if lang == "zh" else self.source_en


@cache
def references() -> dict[str, Reference]:
    """The reference figures of ``data/budget_reference.toml`` (per person, per month).

    >>> r = references()["food"]
    >>> r.monthly, r.year                      # 8,411 a year / 12
    (Decimal('700.92'), 2024)
    """
    out = {}
    for category, x in read_toml("budget_reference.toml").items():
        out[category] = Reference(category, round_cents(Decimal(str(x["yearly"])) / 12), int(x["year"]), x["source_en"], x["source_zh"])
    return out


@dataclass(frozen=True)
class Line:
    """One line of a statement: ``kind`` (income or spending), a standard ``category`` and a monthly ``amount``.

    The category may be given in the statement's words (``"房租"``); it is kept as the
    standard one (``"housing"``). Amounts are yuan, to the cent, never negative.

    >>> Line("支出", "房租", "1,200").category, Line("income", "wages", 4500).amount
    ('housing', Decimal('4500.00'))
    """

    kind: str
    category: str
    amount: Decimal
    note: str = ""

    def __post_init__(self):
        set_ = object.__setattr__
        kind = kind_of(self.kind) if isinstance(self.kind, str) else None
        if kind is None:
            raise PlannerError("budget.unknown_kind", shown=str(self.kind)[:40], column="kind", value=self.kind)
        set_(self, "kind", kind)
        category = category_of(kind, self.category) if isinstance(self.category, str) else None
        if category is None:
            choices = ", ".join(categories()[kind])
            raise PlannerError("budget.unknown_category", shown=str(self.category)[:40], choices=choices, column="category",
                               value=self.category)
        set_(self, "category", category)
        set_(self, "amount", _amount(self.amount))
        set_(self, "note", normalise(str(self.note or "")))


def _amount(value) -> Decimal:
    from .money import ParseError, as_decimal, parse_money

    try:
        amount = parse_money(value) if isinstance(value, str) else as_decimal(value, "amount")
    except (ParseError, PlannerError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_LINE:
        raise PlannerError("budget.not_monthly_amount", shown=str(value)[:40], limit=f"{MAX_LINE:,.0f}", column="amount", value=value)
    return round_cents(amount)


@dataclass(frozen=True)
class Flag:
    """Something in a statement for a second look: a ``code``, and the figures it is about."""

    code: str
    category: str | None = None
    amount: Decimal | None = None
    reference: Decimal | None = None
    source: Reference | None = None

    def text(self, lang: str = "en") -> str:
        """The flag in one sentence, from the catalogue.

        >>> Flag("income_below_essentials", amount=Decimal("300")).text()
        'Income is below essential spending by ¥300.00: there is nothing left for the debts. Look at the spending line by line, and ask about benefits (低保).'
        """
        if self.code.endswith("_above_reference"):
            return t("budget_flag_above_reference", lang, category=category_label(self.category, lang), amount=format_yuan(self.amount),
                     reference=format_yuan(self.reference), source=self.source.source(lang), year=self.source.year)
        return t(f"budget_flag_{self.code}", lang, amount=format_yuan(self.amount if self.amount is not None else 0),
                 reference=format_yuan(self.reference if self.reference is not None else 0))


@dataclass(frozen=True)
class Statement:
    """A client's monthly budget statement: income and necessary spending lines.

    Parameters
    ----------
    lines : iterable of Line
    people : int, default 1
        How many people the spending feeds (reference figures are per person).

    Examples
    --------
    >>> s = Statement([Line("income", "wages", 3000), Line("spending", "food", 900)], people=2)
    >>> s.left_for_debts, [f.code for f in s.flags()]
    (Decimal('2100.00'), ['left_above_limit'])
    """

    lines: tuple[Line, ...] = ()
    people: int = 1

    def __post_init__(self):
        lines = self.lines
        if isinstance(lines, (str, bytes, Mapping)) or not isinstance(lines, Iterable):
            raise PlannerError("budget.needs_lines")
        lines = tuple(lines)
        if not all(isinstance(x, Line) for x in lines):
            raise PlannerError("budget.needs_lines")
        object.__setattr__(self, "lines", lines)
        if isinstance(self.people, bool) or not isinstance(self.people, int) or not 1 <= self.people <= MAX_PEOPLE:
            raise PlannerError("budget.people_range", shown=str(self.people)[:20], most=MAX_PEOPLE, column="people", value=self.people)

    @classmethod
    def of(cls, income: Mapping | None = None, spending: Mapping | None = None, people: int = 1) -> Statement:
        """A statement from two mappings of category to monthly amount.

        >>> Statement.of({"工资": 5000}, {"房租": 1500}).left_for_debts
        Decimal('3500.00')
        """
        lines = [Line("income", c, a) for c, a in (income or {}).items()]
        lines += [Line("spending", c, a) for c, a in (spending or {}).items()]
        return cls(tuple(lines), people)

    def total(self, kind: str) -> Decimal:
        return sum((x.amount for x in self.lines if x.kind == kind), Decimal("0.00"))

    def by_category(self, kind: str) -> dict[str, Decimal]:
        """``{category: monthly total}`` for ``kind``, in the standard order, categories with lines only."""
        sums = {c: Decimal("0.00") for c in categories()[kind]}
        seen = set()
        for x in self.lines:
            if x.kind == kind:
                sums[x.category] += x.amount
                seen.add(x.category)
        return {c: a for c, a in sums.items() if c in seen}

    @property
    def income(self) -> Decimal:
        """Monthly take-home income, all sources."""
        return self.total("income")

    @property
    def spending(self) -> Decimal:
        """Monthly necessary spending (the essentials)."""
        return self.total("spending")

    @property
    def surplus(self) -> Decimal:
        """Income − spending (negative when spending is above income)."""
        return self.income - self.spending

    @property
    def left_for_debts(self) -> Decimal:
        """What can go to the debts each month: income − spending, never below zero."""
        return max(self.surplus, Decimal("0.00"))

    @property
    def debt_limit(self) -> Decimal:
        """The 30% line: debt payments at most 30% of take-home pay (a rule of thumb)."""
        return round_cents(self.income * DEBT_SHARE_LIMIT)

    @property
    def emergency_fund(self) -> Decimal:
        """The emergency-fund target: 3 months of essential spending."""
        return self.spending * EMERGENCY_MONTHS

    def flags(self) -> list[Flag]:
        """What to look at again: income below essentials, spending above a reference figure (per person ×
        ``people``), what is left above the 30% line (is the spending complete?)."""
        out = []
        if self.income < self.spending:
            out.append(Flag("income_below_essentials", amount=self.spending - self.income))
        spent = self.by_category("spending")
        for category, ref in references().items():
            line = ref.monthly * self.people
            if spent.get(category, 0) > line:
                out.append(Flag(f"{category}_above_reference", category, spent[category], line, ref))
        if self.left_for_debts > self.debt_limit:
            out.append(Flag("left_above_limit", amount=self.left_for_debts, reference=self.debt_limit))
        return out

    # -- storage and display --------------------------------------------
    def to_dict(self) -> dict:
        """Exact JSON-ready form: money in cents (:meth:`from_dict` reads it back)."""
        return {"people": self.people, "lines": [{"kind": x.kind, "category": x.category, "amount": to_cents(x.amount), "note": x.note} for x in self.lines]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Statement:
        """The inverse of :meth:`to_dict`.

        >>> s = Statement.of({"wages": "4500.50"}, {"food": 800})
        >>> Statement.from_dict(s.to_dict()) == s
        True
        """
        try:
            lines = tuple(Line(x["kind"], x["category"], from_cents(int(x["amount"])), x.get("note", "")) for x in data["lines"])
            return cls(lines, int(data.get("people", 1)))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PlannerError):
                raise
            raise PlannerError("budget.stored_unreadable") from None

    def summary(self, lang: str = "en") -> list[tuple[str, str]]:
        """The headline figures as (label, amount) pairs in ``lang``."""
        return [
            (t("budget_income", lang), format_yuan(self.income)),
            (t("budget_spending", lang), format_yuan(self.spending)),
            (t("budget_left", lang), format_yuan(self.left_for_debts)),
            (t("budget_limit", lang), format_yuan(self.debt_limit)),
            (t("budget_emergency", lang), format_yuan(self.emergency_fund)),
        ]

    def rows(self, lang: str = "en") -> list[tuple[str, str, str]]:
        """Every category with its total as (kind, category, amount) in ``lang``: income first."""
        return [
            (t(f"budget_kind_{kind}", lang), category_label(c, lang), format_yuan(a))
            for kind in KINDS
            for c, a in self.by_category(kind).items()
        ]

    def html(self, lang: str = "en") -> str:
        """The statement as an HTML table with its headline figures and flags."""
        esc = html.escape
        body = "".join(f"<tr><td>{esc(k)}</td><td>{esc(c)}</td><td style='text-align:right'>{esc(a)}</td></tr>" for k, c, a in self.rows(lang))
        heads = "".join(f"<tr><th colspan='2' style='text-align:left'>{esc(k)}</th><td style='text-align:right'><b>{esc(v)}</b></td></tr>"
                        for k, v in self.summary(lang))
        flags = "".join(f"<li>{esc(f.text(lang))}</li>" for f in self.flags())
        return (f"<table class='planner-statement'><caption>{esc(t('budget_title', lang))}</caption>"
                f"<thead><tr><th>{esc(t('budget_kind', lang))}</th><th>{esc(t('budget_category', lang))}</th>"
                f"<th>{esc(t('budget_amount', lang))}</th></tr></thead><tbody>{body}{heads}</tbody></table>"
                + (f"<ul class='planner-flags'>{flags}</ul>" if flags else ""))

    def _repr_html_(self) -> str:
        return self.html("en")

    def __repr__(self) -> str:
        return f"<Statement income {format_yuan(self.income)}, spending {format_yuan(self.spending)}, left {format_yuan(self.left_for_debts)}>"


__all__ = [
    "DEBT_SHARE_LIMIT",
    "EMERGENCY_MONTHS",
    "KINDS",
    "Flag",
    "Line",
    "Reference",
    "Statement",
    "categories",
    "category_label",
    "category_of",
    "kind_of",
    "references",
]
