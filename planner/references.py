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
            raise InputError([Problem(f"无法读取 LPR 文件：{exc.strerror}", f"cannot read the LPR file: {exc.strerror}")], source) from None
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
                Problem(
                    "应为“日期,利率”，例如 2025-05-20,3.00",
                    "expected 'date,rate' such as 2025-05-20,3.00",
                    row=number,
                    value=",".join(cells),
                )
            )
            continue
        rows.append((day, value))
    if not rows and not problems:
        problems.append(Problem("LPR 文件里没有数据。", "the LPR file has no rows."))
    if problems:
        raise InputError(problems, source)
    return tuple(sorted(rows))


def lpr_table() -> tuple[tuple[date, Decimal], ...]:
    """The LPR history as ``(date, percent)`` pairs, oldest first."""
    return _lpr_table_cached(os.environ.get(LPR_ENV) or None)


def lpr_on(day: date | None = None) -> Decimal:
    """The one-year LPR in force on ``day`` (default: today).

    Before the table's first date (2019-08-20, the LPR reform) the first
    figure is used; :func:`lpr_note` says so.
    """
    day = day or date.today()
    table = lpr_table()
    value = table[0][1]
    for changed, rate in table:
        if changed <= day:
            value = rate
        else:
            break
    return value


def lpr_note(day: date | None) -> tuple[str, str] | None:
    """A (zh, en) caution when ``day`` is missing or before the LPR table starts, else None."""
    first = lpr_table()[0][0]
    if day is None:
        return ("没有合同日期，按今天的LPR计算。", "no contract date: today's LPR is used.")
    if day < first:
        return (
            f"合同日期早于LPR表的起点 {first}，按最早一期的LPR计算，仅供参考。",
            f"the contract date is before the LPR table starts ({first}); its first figure is used, as a rough reference.",
        )
    return None


@cache
def _lines_data() -> dict:
    import tomllib

    text = resources.files("planner").joinpath("data/reference_lines.toml").read_text("utf-8")
    return tomllib.loads(text)


def line_keys() -> tuple[str, ...]:
    """The names of the reference lines: ``("4xLPR", "24", "36")``."""
    return tuple(_lines_data()["lines"])


def disclaimer(lang: str = "en") -> str:
    """"These are reference lines, not legal advice ..." in ``lang``."""
    return _lines_data()["disclaimer"][lang]


def _normalise_line(line) -> str | Decimal:
    if isinstance(line, bool):
        raise PlannerError("line: 不是参考线", f"not a reference line: {line!r}", column="line", value=line)
    if isinstance(line, (int, float, Decimal)):
        value = Decimal(repr(line)) if isinstance(line, float) else Decimal(line)
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
            raise PlannerError(
                f"line: 未知的参考线 {line!r}；可用 4xLPR、24、36 或一个年化百分数",
                f"unknown reference line {line!r}; use 4xLPR, 24, 36 or a yearly rate in percent"
            ) from None
    if not value.is_finite() or value < 0 or value > 1000:
        raise PlannerError("line: 利率应在 0 到 1000 之间", f"the rate must be between 0 and 1000: {line!r}", column="line", value=line)
    return value


def line_rate(line, contract_date: date | None = None) -> Decimal:
    """The yearly rate (percent) of a reference line: ``"4xLPR"`` at ``contract_date`` (default
    today), ``"24"``, ``"36"`` or any number."""
    key = _normalise_line(line)
    if isinstance(key, Decimal):
        return key
    spec = _lines_data()["lines"][key]
    if "multiple_of_lpr" in spec:
        return Decimal(spec["multiple_of_lpr"]) * lpr_on(contract_date)
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


def reference_lines(kind: str = "other", contract_date: date | None = None) -> list[ReferenceLine]:
    """Every reference line for a debt of ``kind`` made on ``contract_date`` (default today)."""
    data = _lines_data()
    applies = set(data["kinds"].get(kind, data["kinds"]["other"])["applies"])
    out = []
    for key, spec in data["lines"].items():
        out.append(
            ReferenceLine(
                key=key,
                rate=line_rate(key, contract_date),
                applies=key in applies,
                label_zh=spec["label"]["zh"],
                label_en=spec["label"]["en"],
                basis_zh=spec["basis"]["zh"],
                basis_en=spec["basis"]["en"],
            )
        )
    return out


def kind_note(kind: str, lang: str = "en") -> str:
    """Which lines apply to this kind of lender, in words."""
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
            "lines": {x.key: {"rate": float(x.rate), "applies": x.applies} for x in self.lines},
            "crossed": list(self.crossed),
            "crossed_applicable": list(self.crossed_applicable),
        }


def assess(debt) -> RateAssessment:
    """A debt's true rate (IRR from how it is quoted) and the reference lines it crosses.

    A line is crossed when the yearly rate charged (the nominal 12·r form, the
    one the PBoC has lenders display; the penalty rate while overdue) is above
    it. Lines for ``4xLPR`` use the LPR at the debt's contract date.

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
    from .rates import debt_true_rate

    rate = debt_true_rate(debt)
    penalty = None
    if debt.is_overdue and debt.penalty_apr is not None and debt.penalty_apr != debt.apr:
        penalty = debt.penalty_apr
    lines = tuple(reference_lines(debt.kind, debt.contract_date))
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
        lpr_note=lpr_note(debt.contract_date),
    )


__all__ = [
    "LPR_ENV",
    "RateAssessment",
    "ReferenceLine",
    "assess",
    "disclaimer",
    "kind_note",
    "line_keys",
    "line_rate",
    "lpr_note",
    "lpr_on",
    "lpr_table",
    "reference_lines",
]
