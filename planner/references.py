"""Reference lines for a debt's rate: 4 × LPR, 24%, 36%, and which of them apply.

The one-year LPR history is ``planner/data/lpr.csv`` (``date,lpr_1y``, one
row per change); a user can update it, or point ``PLANNER_LPR_FILE`` at their
own copy. The lines and their applicability by lender kind are in
``planner/data/reference_lines.toml``. Nothing here is legal advice: the
planner says which lines a rate crosses and which are the relevant reference.

>>> from datetime import date
>>> lpr_on(date(2023, 7, 28))      # the LPR set on 2023-06-20
Decimal('3.55')
>>> line_rate("4xLPR", date(2023, 7, 28))
Decimal('14.20')
>>> line_rate("24")
Decimal('24')
"""

from __future__ import annotations

import csv
import io
import numbers
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from .errors import InputError, PlannerError, Problem

#: Environment variable naming a replacement LPR file (same two columns).
LPR_ENV = "PLANNER_LPR_FILE"


@cache
def _lpr_table_cached(path: str | None) -> tuple[tuple[date, Decimal], ...]:
    if path is None:
        text = resources.files("planner").joinpath("data/lpr.csv").read_text("utf-8")
        source = "planner/data/lpr.csv"
    else:
        source = path
        try:
            text = open(path, encoding="utf-8-sig").read()
        except OSError as exc:
            raise InputError([Problem.of("references.cannot_read_lpr_file", strerror=exc.strerror)], source) from None
    rows = []
    problems = []
    reader = csv.reader(io.StringIO(text))
    for number, cells in enumerate(reader, start=1):
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if number == 1 and not cells[0].strip()[:1].isdigit():
            continue  # the header
        try:
            day = date.fromisoformat(cells[0].strip())
            value = Decimal(cells[1].strip().rstrip("%"))
            if not value.is_finite() or not 0 < value < 100:
                raise ValueError
        except (ValueError, IndexError, ArithmeticError):
            problems.append(
                Problem.of("references.expected_date_rate_such", number, None, ",".join(cells))
            )
            continue
        rows.append((day, value))
    if not rows and not problems:
        problems.append(Problem.of("references.lpr_file_no_rows"))
    if problems:
        raise InputError(problems, source)
    return tuple(sorted(rows))


def lpr_table() -> tuple[tuple[date, Decimal], ...]:
    """The LPR history as ``(date, percent)`` pairs, oldest first."""
    return _lpr_table_cached(os.environ.get(LPR_ENV) or None)


def lpr_on(day: date | None = None) -> Decimal:
    """The one-year LPR in force on ``day`` (default: today).

    There is no LPR before the table's first date (2019-08-20, the LPR reform):
    asking for one is a :class:`~planner.errors.PlannerError` (the 4 × LPR line of
    such a contract is the one at filing; see :func:`lpr_line_periods`).

    Parameters
    ----------
    day : date or str, optional
        The day; default today.

    Returns
    -------
    Decimal
        The one-year LPR in percent, from ``planner/data/lpr.csv`` (or ``PLANNER_LPR_FILE``).

    Raises
    ------
    PlannerError
        When ``day`` is not a date or is before the table's first date.

    Examples
    --------
    >>> lpr_on(date(2019, 8, 20)), lpr_on(date(2023, 7, 28))
    (Decimal('4.25'), Decimal('3.55'))
    >>> lpr_on(date(2019, 1, 1))
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 2019-01-01 还没有一年期LPR（LPR表从 2019-08-20 开始） / 2019-01-01: there is no one-year LPR on 2019-01-01: the LPR table starts on 2019-08-20
    """
    day = _day(day, "day") if day is not None else date.today()
    table = lpr_table()
    if day < table[0][0]:
        raise PlannerError("references.no_year_lpr_lpr", day=day, table=table[0][0])
    value = table[0][1]
    for changed, rate in table:
        if changed <= day:
            value = rate
        else:
            break
    return value


def _day(value, what: str) -> date:
    from .money import as_date

    return as_date(value, what)


@dataclass(frozen=True)
class LinePeriod:
    """One period of a contract's 4 × LPR line.

    Interest accruing from ``start`` to ``end`` (both inclusive; ``None``: from the
    contract / open-ended) is judged against ``rate`` (percent a year). ``rule`` is
    ``"contract_lpr"`` (4 × the LPR at the contract date), ``"filing_lpr"`` (4 × the
    LPR when the case is filed: ``lpr_date``, or today when it is None) or ``"old_rules"`` (before 2020-08-20
    for an older contract: ``rate`` protected, above ``void_above`` void).
    """

    start: date | None
    end: date | None
    rule: str
    rate: Decimal
    lpr: Decimal | None = None
    lpr_date: date | None = None
    void_above: Decimal | None = None

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "rule": self.rule,
            "rate": float(self.rate),
            "lpr": float(self.lpr) if self.lpr is not None else None,
            "lpr_date": self.lpr_date.isoformat() if self.lpr_date else None,
            "void_above": float(self.void_above) if self.void_above is not None else None,
        }


def _periods_spec() -> dict:
    return _lines_data()["lpr_periods"]


def lpr_line_periods(contract_date: date | None = None, filing_date: date | None = None, multiple: int = 4) -> tuple[LinePeriod, ...]:
    """The 4 × LPR line of a private loan, by period (``planner/data/reference_lines.toml``, ``[lpr_periods]``).

    The court's rules (as revised in 2020, art. 31) use the LPR at the contract date
    only for contracts made on or after 2020-08-20. For an older contract, interest
    from 2020-08-20 on is judged at 4 × the LPR when the case is filed
    (``filing_date``, default today) and interest before that under the old rules
    (24% protected, above 36% void). Before 2019-08-20 there was no LPR at all.
    The last period is the one that applies to interest from now on.

    Parameters
    ----------
    contract_date : date or str, optional
        When the contract was made; ``None`` when unknown (the LPR at filing is used).
    filing_date : date or str, optional
        When the case is (or would be) filed; default today.
    multiple : int, default 4
        The multiple of the LPR.

    Returns
    -------
    tuple of LinePeriod
        One or two periods in date order; the last applies to interest from now on.

    Raises
    ------
    PlannerError
        When a date cannot be read or ``contract_date`` is after ``filing_date``.

    Examples
    --------
    >>> [(p.rule, p.rate) for p in lpr_line_periods(date(2018, 6, 1), date(2026, 1, 5))]
    [('old_rules', Decimal('24')), ('filing_lpr', Decimal('12.00'))]
    >>> [(p.rule, p.rate) for p in lpr_line_periods(date(2023, 7, 28))]
    [('contract_lpr', Decimal('14.20'))]
    >>> lpr_line_periods(date(2026, 1, 1), date(2025, 1, 1))
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 合同日期 2026-01-01 晚于起诉日期 2025-01-01 / the contract date 2026-01-01 is after the filing date 2025-01-01
    """
    spec = _periods_spec()
    transition = spec["transition"]
    filing = _day(filing_date, "filing_date") if filing_date is not None else date.today()
    contract = _day(contract_date, "contract_date") if contract_date is not None else None
    if contract is not None and contract > filing:
        raise PlannerError("references.contract_date_after_filing", contract=contract, filing=filing)
    old = dict(rate=Decimal(spec["old_protected"]), void_above=Decimal(spec["old_void"]))
    day_before = transition.fromordinal(transition.toordinal() - 1)
    if filing < transition:  # filed before the 2020 rules: the rules of the time throughout
        return (LinePeriod(contract, None, "old_rules", **old),)
    if contract is not None and contract >= transition:
        lpr = lpr_on(contract)
        return (LinePeriod(contract, None, "contract_lpr", multiple * lpr, lpr, contract),)
    lpr = lpr_on(filing)
    # lpr_date None: the LPR of the day the line is computed ("today"), not a date given
    at_filing = LinePeriod(transition if contract is not None else None, None, "filing_lpr", multiple * lpr, lpr, filing if filing_date is not None else None)
    if contract is None:
        return (at_filing,)
    return (LinePeriod(contract, day_before, "old_rules", **old), at_filing)


def lpr_note(day: date | None, filing_date: date | None = None) -> tuple[str, str] | None:
    """A (zh, en) explanation of which LPR sets the 4 × LPR line, when it is not simply the
    contract date's: no contract date, a contract before 2020-08-20 (and before the first
    LPR), or a filing date before the 2020 rules. ``None`` for a contract from 2020-08-20 on.

    Parameters
    ----------
    day : date or str or None
        The contract date, ``None`` when unknown.
    filing_date : date or str, optional
        When the case is (or would be) filed; default today.

    Returns
    -------
    tuple of (str, str) or None
        The explanation in Chinese and in English, or ``None`` when the contract date's LPR applies.

    Raises
    ------
    PlannerError
        When a date cannot be read or the contract date is after the filing date
        (from :func:`lpr_line_periods`).

    Examples
    --------
    >>> lpr_note(date(2023, 7, 28)) is None
    True
    >>> zh, en = lpr_note(date(2018, 6, 1), date(2026, 1, 5))
    >>> print(en)
    Contract of 2018-06-01, before 2020-08-20: interest from 2020-08-20 on is judged at 4 × the one-year LPR when the case is filed (2026-01-05), 3.00% (= 12.00%); ... There was no LPR at the contract date (it is published from 2019-08-20), so no contract-date 4 × LPR line exists.
    """
    spec = _periods_spec()
    day = _day(day, "contract_date") if day is not None else None
    periods = lpr_line_periods(day, filing_date)
    last = periods[-1]
    fields = {
        "contract": day.isoformat() if day else "",
        "lpr_start": spec["lpr_start"].isoformat(),
        "transition": spec["transition"].isoformat(),
        # the filing date when one is given; otherwise "today" (the text does not change with the day)
        "filing_zh": _day(filing_date, "filing_date").isoformat() if filing_date is not None else "今天",
        "filing_en": _day(filing_date, "filing_date").isoformat() if filing_date is not None else "today",
        "lpr": f"{last.lpr:.2f}" if last.lpr is not None else "",
        "rate": f"{last.rate:.2f}",
        "old_protected": spec["old_protected"],
        "old_void": spec["old_void"],
    }
    notes = spec["note"]
    if last.rule == "contract_lpr":
        return None
    if last.rule == "old_rules":
        key = "filed_before"
    elif day is None:
        key = "no_date"
    else:
        key = "transition"
    zh, en = notes[key]["zh"].format(**fields), notes[key]["en"].format(**fields)
    if day is not None and day < spec["lpr_start"]:
        zh += notes["no_lpr"]["zh"].format(**fields)
        en += " " + notes["no_lpr"]["en"].format(**fields)
    return zh, en


@cache
def _lines_data() -> dict:
    import tomllib

    text = resources.files("planner").joinpath("data/reference_lines.toml").read_text("utf-8")
    return tomllib.loads(text)


def line_keys() -> tuple[str, ...]:
    """The names of the reference lines: ``("4xLPR", "24", "36")``."""
    return tuple(_lines_data()["lines"])


def disclaimer(lang: str = "en") -> str:
    """"These are reference lines, not legal advice ..." in ``lang``.

    Parameters
    ----------
    lang : str, default "en"
        ``"en"`` or ``"zh"`` (the languages of ``reference_lines.toml``).

    Returns
    -------
    str
        The disclaimer shown beside every reference line.

    Examples
    --------
    >>> disclaimer()
    'These are reference lines, not legal advice: check with the lender or a lawyer.'
    >>> disclaimer("zh")
    '以上仅为参考线，不构成法律意见；具体请与贷款方核实或咨询律师。'
    """
    return _lines_data()["disclaimer"][lang]


def _normalise_line(line) -> str | Decimal:
    if isinstance(line, bool):
        raise PlannerError("references.line_not_reference_line", line=line)
    if isinstance(line, numbers.Real):  # numpy numbers too
        from .money import as_decimal

        value = as_decimal(line, "line")
    elif not isinstance(line, str):
        raise PlannerError("references.line_not_reference_line_2", line=str(line)[:40])
    else:
        text = str(line).strip().replace("×", "x").replace("*", "x").replace(" ", "").replace("%", "")
        for key in line_keys():
            if text.lower() == key.lower():
                return key
        if text.lower() in ("4lpr", "lpr4", "4倍lpr"):
            return "4xLPR"
        try:
            value = Decimal(text)
        except ArithmeticError:
            raise PlannerError("references.unknown_reference_line_xlpr", line=line) from None
    if not value.is_finite() or value < 0 or value > 1000:
        raise PlannerError("references.rate_between", line=line, column="line", value=line)
    return value


def line_rate(line, contract_date: date | None = None, *, filing_date: date | None = None) -> Decimal:
    """The yearly rate (percent) of a reference line for interest from now on: ``"24"``, ``"36"``,
    any number, or ``"4xLPR"``: 4 × the LPR at ``contract_date`` for a contract made from
    2020-08-20 on, else 4 × the LPR when the case is filed (``filing_date``, default today;
    see :func:`lpr_line_periods`).

    Parameters
    ----------
    line : str or number
        ``"4xLPR"`` (also ``"4×LPR"``, ``"4倍LPR"``), ``"24"``, ``"36"``, or a yearly rate in percent.
    contract_date : date or str, optional
        When the contract was made; used only by the 4 × LPR line.
    filing_date : date or str, optional
        When the case is (or would be) filed; default today. Only for the 4 × LPR line.

    Returns
    -------
    Decimal
        Percent a year.

    Raises
    ------
    PlannerError
        When ``line`` is not a known line or a number, a date cannot be read, the contract
        date is after the filing date, or (4 × LPR) there is no LPR on the day it needs.

    Examples
    --------
    >>> line_rate("24"), line_rate(36)
    (Decimal('24'), Decimal('36'))
    >>> line_rate("4xLPR", date(2023, 7, 28))
    Decimal('14.20')
    >>> line_rate("4xLPR", date(2018, 6, 1), filing_date=date(2026, 1, 5))
    Decimal('12.00')
    >>> line_rate("abc")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: line: 未知的参考线 'abc'；可用 4xLPR、24、36 或一个年化百分数 / unknown reference line 'abc'; use 4xLPR, 24, 36 or a yearly rate in percent
    """
    key = _normalise_line(line)
    if isinstance(key, Decimal):
        return key
    spec = _lines_data()["lines"][key]
    if "multiple_of_lpr" in spec:
        return lpr_line_periods(contract_date, filing_date, spec["multiple_of_lpr"])[-1].rate
    return Decimal(spec["rate"])


@dataclass(frozen=True)
class ReferenceLine:
    """One reference line for one debt: its rate, whether it applies to that kind of lender, and its basis."""

    key: str
    rate: Decimal
    applies: bool
    label_zh: str
    label_en: str
    basis_zh: str
    basis_en: str
    periods: tuple[LinePeriod, ...] = ()  # the 4 × LPR line by period (empty for a fixed line)

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def label_with_rate(self, lang: str = "en") -> str:
        """``"4 × LPR (13.40%)"``; a fixed line is just its label (``"24%"``)."""
        label = self.label(lang)
        if self.key.lower().endswith("lpr"):
            return f"{label}（{self.rate:.2f}%）" if lang == "zh" else f"{label} ({self.rate:.2f}%)"
        return label

    def basis(self, lang: str = "en") -> str:
        return self.basis_zh if lang == "zh" else self.basis_en


def reference_lines(kind: str = "other", contract_date: date | None = None, *, filing_date: date | None = None) -> list[ReferenceLine]:
    """Every reference line for a debt of ``kind`` made on ``contract_date``; an LPR line's rate is the
    one for interest from now on (see :func:`line_rate`), its :attr:`~ReferenceLine.periods` the rest.

    Parameters
    ----------
    kind : str, default "other"
        A kind of debt; an unknown kind is treated as ``"other"``.
    contract_date : date or str, optional
        When the contract was made.
    filing_date : date or str, optional
        When the case is (or would be) filed; default today.

    Returns
    -------
    list of ReferenceLine
        Every line (4 × LPR, 24%, 36%), each saying whether it ``applies`` to ``kind``.

    Raises
    ------
    PlannerError
        When ``kind`` is not a string, a date cannot be read, or the contract date is after
        the filing date.

    Examples
    --------
    >>> [(line.key, line.rate, line.applies) for line in reference_lines("private", date(2023, 7, 28))]
    [('4xLPR', Decimal('14.20'), True), ('24', Decimal('24'), False), ('36', Decimal('36'), False)]
    >>> reference_lines(3)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: kind: 应为债务类型名称：'3' / kind: must be a kind of debt such as 'private': '3'
    """
    data = _lines_data()
    if not isinstance(kind, str):
        raise PlannerError("references.kind_kind_debt_such", kind=str(kind)[:40])
    applies = set(data["kinds"].get(kind, data["kinds"]["other"])["applies"])
    out = []
    for key, spec in data["lines"].items():
        periods = lpr_line_periods(contract_date, filing_date, spec["multiple_of_lpr"]) if "multiple_of_lpr" in spec else ()
        out.append(
            ReferenceLine(
                key=key,
                rate=periods[-1].rate if periods else line_rate(key),
                applies=key in applies,
                label_zh=spec["label"]["zh"],
                label_en=spec["label"]["en"],
                basis_zh=spec["basis"]["zh"],
                basis_en=spec["basis"]["en"],
                periods=periods,
            )
        )
    return out


def kind_note(kind: str, lang: str = "en") -> str:
    """Which lines apply to this kind of lender, in words.

    Parameters
    ----------
    kind : str
        A kind of debt (``"private"``, ``"card"``, ``"online_loan"`` ...); an unknown kind
        gets the note for ``"other"``.
    lang : str, default "en"
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        One sentence on which reference lines apply to ``kind``.

    Examples
    --------
    >>> kind_note("card")
    'Credit card (a bank, a licensed lender): the private-lending 4 × LPR rule does not apply; the regulatory 24%/36% lines are the reference.'
    >>> kind_note("nonsense") == kind_note("other")
    True
    """
    kinds = _lines_data()["kinds"]
    return kinds.get(kind, kinds["other"])["note"][lang]


@dataclass(frozen=True)
class RateAssessment:
    """A debt's true rate against the reference lines."""

    name: str
    kind: str
    true_rate: object  # planner.rates.TrueRate (contract rate)
    penalty_rate: Decimal | None  # yearly rate charged while overdue, when it differs
    lines: tuple[ReferenceLine, ...]
    crossed: tuple[str, ...]  # keys of the lines the rate charged is above
    crossed_applicable: tuple[str, ...]
    lpr_note: tuple[str, str] | None

    @property
    def charged(self) -> Decimal:
        """The highest yearly rate charged (the penalty rate while overdue)."""
        rate = self.true_rate.nominal
        return max(rate, self.penalty_rate) if self.penalty_rate is not None else rate

    def line(self, key: str) -> ReferenceLine:
        return next(x for x in self.lines if x.key == key)

    def explain(self, lang: str = "en", *, note: bool = True) -> str:
        """One or two sentences a person understands; with ``note``, which lines apply to this kind of lender."""
        zh = lang == "zh"
        r = self.true_rate
        parts = []
        if zh:
            parts.append(f"{self.name}：真实年化 {r.nominal}%（按复利 {r.effective}%）")
            if self.penalty_rate is not None:
                parts[-1] += f"，逾期期间按 {self.penalty_rate}% 计息"
        else:
            parts.append(f"{self.name}: true APR {r.nominal}% ({r.effective}% compounded)")
            if self.penalty_rate is not None:
                parts[-1] += f", charged {self.penalty_rate}% while overdue"
        applicable = [self.line(k) for k in self.crossed_applicable]
        other = [self.line(k) for k in self.crossed if k not in self.crossed_applicable]
        if applicable:
            names = ("、" if zh else ", ").join(x.label_with_rate(lang) for x in applicable)
            parts.append(
                f"高于适用的参考线 {names}，超出部分是协商时首先要求减免的" if zh else f"above the relevant line(s) {names}: the part above is the first thing to negotiate away"
            )
        else:
            relevant = [x for x in self.lines if x.applies]
            names = "、".join(x.label("zh") for x in relevant) if zh else ", ".join(x.label("en") for x in relevant)
            parts.append(f"未超过适用的参考线（{names}）" if zh else f"not above the relevant line(s) ({names})")
        if other:
            names = ("、" if zh else ", ").join(x.label_with_rate(lang) for x in other)
            parts.append(
                f"也高于 {names}，但该线一般不适用于这类放款方" if zh else f"also above {names}, which usually does not apply to this kind of lender"
            )
        text = ("；".join(parts) + "。") if zh else ("; ".join(parts) + ".")
        if self.lpr_note and "4xLPR" in self.crossed + tuple(x.key for x in self.lines if x.applies):
            text += " " + (self.lpr_note[0] if zh else self.lpr_note[1])
        return f"{text} {kind_note(self.kind, lang)}" if note else text

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "true_apr": self.true_rate.to_dict(),
            "penalty_apr": float(self.penalty_rate) if self.penalty_rate is not None else None,
            "lines": {
                x.key: {"rate": float(x.rate), "applies": x.applies, **({"periods": [p.to_dict() for p in x.periods]} if x.periods else {})}
                for x in self.lines
            },
            "crossed": list(self.crossed),
            "crossed_applicable": list(self.crossed_applicable),
        }


def assess(debt, *, filing_date: date | None = None) -> RateAssessment:
    """A debt's true rate (IRR from how it is quoted) and the reference lines it crosses.

    A line is crossed when the yearly rate charged (the nominal 12·r form, the
    one the PBoC has lenders display; the penalty rate while overdue) is above
    it. The ``4xLPR`` line is the one for interest from now on: 4 × the LPR at
    the contract date for a contract from 2020-08-20 on, else 4 × the LPR when
    the case is filed (``filing_date``, default today); the text explains which.

    Parameters
    ----------
    debt : Debt

    Returns
    -------
    RateAssessment
        ``true_rate``, ``penalty_rate``, the ``lines`` with whether each applies to this kind
        of lender, and the keys ``crossed`` and ``crossed_applicable``.

    Raises
    ------
    PlannerError
        When the debt's rate cannot be turned into a true rate.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> from datetime import date
    >>> a = assess(Debt("表哥", 10000, 15, 500, kind="private", contract_date=date(2024, 8, 1)))
    >>> a.crossed, a.crossed_applicable        # 4 × 3.35% = 13.40%
    (('4xLPR',), ('4xLPR',))
    """
    from .debt import Debt
    from .rates import debt_true_rate

    if not isinstance(debt, Debt):
        raise PlannerError("references.assess_needs_debt", debt=str(debt)[:40])
    rate = debt_true_rate(debt)
    penalty = None
    if debt.is_overdue and debt.penalty_apr is not None and debt.penalty_apr != debt.apr:
        penalty = debt.penalty_apr
    lines = tuple(reference_lines(debt.kind, debt.contract_date, filing_date=filing_date))
    charged = max(rate.nominal, penalty) if penalty is not None else rate.nominal
    crossed = tuple(x.key for x in lines if charged > x.rate)
    return RateAssessment(
        name=debt.name,
        kind=debt.kind,
        true_rate=rate,
        penalty_rate=penalty,
        lines=lines,
        crossed=crossed,
        crossed_applicable=tuple(k for k in crossed if next(x for x in lines if x.key == k).applies),
        lpr_note=lpr_note(debt.contract_date, filing_date),
    )


__all__ = [
    "LPR_ENV",
    "LinePeriod",
    "RateAssessment",
    "ReferenceLine",
    "assess",
    "disclaimer",
    "kind_note",
    "line_keys",
    "line_rate",
    "lpr_line_periods",
    "lpr_note",
    "lpr_on",
    "lpr_table",
    "reference_lines",
]
