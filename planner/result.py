"""Results: a :class:`Plan` (one strategy) and a :class:`Comparison` (several).

A plan keeps its schedule as integer-cent columns and builds a long-format
pandas DataFrame only when asked (pandas is not imported on the CLI path).
Money leaving a plan is a :class:`~decimal.Decimal` of yuan, or in the
DataFrames a float of yuan with two decimals.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from .debt import Debt
from .errors import PlannerError
from .money import format_yuan, from_cents

SCHEDULE_COLUMNS = ("month", "debt", "opening_balance", "interest", "payment", "closing_balance", "fees_owed", "forgiven")


class ScheduleRow(NamedTuple):
    """One row of a plan's schedule, money in integer cents (exact).

    ``debt`` is the index of the debt in :attr:`Plan.debts`; ``fees`` is the
    fees still owed after the month; ``forgiven`` what a settlement wrote off.
    """

    month: int
    debt: int
    opening: int
    interest: int
    payment: int
    closing: int
    fees: int
    forgiven: int


_ROW_FIELDS = ("month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")


class _Columns:
    """The engine's raw output: one row per open debt per month, in cents (filled by
    :func:`planner.engine._simulate` as it goes), and the per-debt figures around them."""

    __slots__ = (*_ROW_FIELDS, "payoff", "start_owed", "end_owed", "lump", "unspent", "months_run", "terms", "sums")

    def __init__(self, n: int):
        for name in _ROW_FIELDS:
            setattr(self, name, [])
        self.payoff: list[int | None] = [None] * n
        self.start_owed = [0] * n
        self.end_owed = [0] * n
        self.lump = 0
        self.unspent = 0
        self.months_run = 0
        self.terms: dict[int, tuple[Debt, ...]] = {}  # month -> the debts' terms from then (plan numbering)
        self.sums: tuple[list[int], list[int], list[int]] | None = None  # interest, paid, forgiven by debt

    def add_month(self, month: int, debts: list[int], opening: list[int], interest: list[int], payment: list[int],
                  closing: list[int], fees: list[int], forgiven: list[int]) -> None:
        """The rows of ``month`` for the open ``debts`` (positions, in order); each other
        argument is a list by debt position, read at those positions."""
        self.month.extend([month] * len(debts))
        self.debt.extend(debts)
        for column, values in ((self.opening, opening), (self.interest, interest), (self.payment, payment),
                               (self.closing, closing), (self.fees, fees), (self.forgiven, forgiven)):
            column.extend([values[i] for i in debts])

    def debt_sums(self) -> tuple[list[int], list[int], list[int]]:
        """Interest, paid and forgiven by debt, in cents."""
        if self.sums is None:
            n = len(self.payoff)
            interest, paid, forgiven = [0] * n, [0] * n, [0] * n
            for i, x, p, f in zip(self.debt, self.interest, self.payment, self.forgiven):
                interest[i] += x
                paid[i] += p
                forgiven[i] += f
            self.sums = (interest, paid, forgiven)
        return self.sums

    def series(self) -> list[tuple[list[int], ...] | None]:
        """Per debt: its (opening, interest, payment, closing, fees, forgiven) by month from 1; None if never open."""
        out: list = [None if p == 0 else tuple([] for _ in range(6)) for p in self.payoff]
        for row in zip(self.debt, self.opening, self.interest, self.payment, self.closing, self.fees, self.forgiven):
            for column, value in zip(out[row[0]], row[1:]):
                column.append(value)
        return out

    def add(self, month, debt, opening, interest, payment, closing, fees, forgiven):
        self.month.append(month)
        self.debt.append(debt)
        self.opening.append(opening)
        self.interest.append(interest)
        self.payment.append(payment)
        self.closing.append(closing)
        self.fees.append(fees)
        self.forgiven.append(forgiven)


def next_month(today: date | None = None) -> str:
    """The calendar month after ``today`` (default: today), ``"2027-01"``: month 1 of a plan made then.

    Parameters
    ----------
    today : date, optional

    Returns
    -------
    str
        ``"YYYY-MM"``.

    Examples
    --------
    >>> next_month(date(2026, 12, 5))
    '2027-01'
    """
    today = today or date.today()
    y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{y}-{m:02d}"


def _parse_start(start) -> tuple[int, int] | None:
    if start is None:
        return None
    if isinstance(start, date):
        return start.year, start.month
    text = str(start).strip()
    try:
        year, month = text[:7].replace("/", "-").split("-")[:2]
        y, m = int(year), int(month)
        if 1 <= m <= 12 and 1900 <= y <= 2200:
            return y, m
    except ValueError:
        pass
    from .errors import PlannerError

    raise PlannerError("result.start_month_should_look", start=start, column="start", value=start)


def calendar_months(start, count: int) -> list[str]:
    """The calendar months of plan months 1 to ``count`` when month 1 is ``start``: as a plan's charts label them.

    Parameters
    ----------
    start : str or datetime.date
        The calendar month of plan month 1 (``"2026-11"``).
    count : int
        How many months.

    Returns
    -------
    list of str
        ``YYYY-MM`` for plan months 1 to ``count``.

    Examples
    --------
    >>> calendar_months("2026-11", 3)
    ['2026-11', '2026-12', '2027-01']
    """
    y, m = _parse_start(start)
    return [f"{y + (m - 1 + k) // 12}-{(m - 1 + k) % 12 + 1:02d}" for k in range(count)]


@dataclass(frozen=True)
class DebtOutcome:
    """What happened to one debt in a plan."""

    name: str
    payoff_month: int | None  # None: never paid off within the horizon
    interest: Decimal
    paid: Decimal
    forgiven: Decimal
    remaining: Decimal
    needed_payment: Decimal | None  # for a debt never paid off: a monthly payment that clears it


@dataclass(eq=False)
class Plan:
    """One repayment plan: the schedule and its summaries.

    ``months`` is the month the last debt is cleared (0 when nothing is owed,
    ``None`` when some debt is never paid off within the horizon).
    """

    debts: tuple[Debt, ...]
    strategy: str
    budget: Decimal
    priority: tuple[str, ...]
    horizon: int
    extra: dict[int, Decimal]
    budget_changes: dict[int, Decimal]
    start: object
    columns: _Columns = field(repr=False)

    def __post_init__(self):
        self.start = _parse_start(self.start)

    def cents(self) -> dict:
        """The plan in exact integer cents, for other engines and tests (no Decimal conversion).

        Schedule columns as lists, one entry per open debt per month (``month``,
        ``debt`` as the position in :attr:`debts`, ``opening``, ``interest``,
        ``payment``, ``closing``, ``fees``, ``forgiven``), and per debt
        ``payoff`` (month, 0 if nothing was owed, ``None`` if never),
        ``start_owed``, ``end_owed``; ``unspent`` and ``lump`` as totals.

        >>> from planner import Debt, plan
        >>> plan([Debt("A", 100, 0, 60)], 60).cents()["payment"]
        [6000, 4000]
        """
        c = self.columns
        return {
            "month": c.month, "debt": c.debt, "opening": c.opening, "interest": c.interest,
            "payment": c.payment, "closing": c.closing, "fees": c.fees, "forgiven": c.forgiven,
            "payoff": list(c.payoff), "start_owed": list(c.start_owed), "end_owed": list(c.end_owed),
            "unspent": c.unspent, "lump": c.lump,
        }

    # -- summaries -----------------------------------------------------
    @cached_property
    def outcomes(self) -> tuple[DebtOutcome, ...]:
        c = self.columns
        interest, paid, forgiven = c.debt_sums()
        out = []
        for i, d in enumerate(self.debts):
            never = c.payoff[i] is None
            out.append(
                DebtOutcome(
                    name=d.name,
                    payoff_month=c.payoff[i],
                    interest=from_cents(interest[i]),
                    paid=from_cents(paid[i]),
                    forgiven=from_cents(forgiven[i]),
                    remaining=from_cents(c.end_owed[i]),
                    needed_payment=_clearing_payment(d, self.horizon) if never else None,
                )
            )
        return tuple(out)

    @property
    def months(self) -> int | None:
        months = self.columns.payoff
        return None if any(m is None for m in months) else max(months, default=0)

    @property
    def never_paid(self) -> list[str]:
        """Names of the debts not cleared within the horizon."""
        return [d.name for d, m in zip(self.debts, self.columns.payoff) if m is None]

    @property
    def total_interest(self) -> Decimal:
        return from_cents(sum(self.columns.debt_sums()[0]))

    @property
    def total_paid(self) -> Decimal:
        """Everything paid, settlements included."""
        return from_cents(sum(self.columns.debt_sums()[1]))

    @property
    def total_forgiven(self) -> Decimal:
        return from_cents(sum(self.columns.debt_sums()[2]))

    @property
    def total_owed_at_start(self) -> Decimal:
        return from_cents(sum(self.columns.start_owed))

    @property
    def remaining(self) -> Decimal:
        """Still owed when the plan ends (zero when every debt is cleared)."""
        return from_cents(sum(self.columns.end_owed))

    @property
    def reconciles(self) -> bool:
        """Paid = owed at start + interest − forgiven − still owed, to the cent."""
        c = self.columns
        interest, paid, forgiven = c.debt_sums()
        return sum(paid) == sum(c.start_owed) + sum(interest) - sum(forgiven) - sum(c.end_owed)

    def calendar_month(self, month: int) -> str | None:
        """``"2027-03"`` for a plan month, when the plan has a start month."""
        if self.start is None or month is None:
            return None
        if isinstance(month, bool) or not isinstance(month, numbers.Integral):
            raise PlannerError("result.month_whole_month_number", month=str(month)[:40])
        month = int(month)
        y, m = self.start
        k = m - 1 + month - 1
        return f"{y + k // 12}-{k % 12 + 1:02d}"

    @property
    def debt_free(self) -> str | None:
        """The calendar month of being debt-free, when a start month is set."""
        return self.calendar_month(self.months) if self.months else None

    def month_rows(self, month: int) -> list[dict]:
        """The schedule rows of one month, as dicts of Decimal yuan."""
        c = self.columns
        return [
            {
                "debt": self.debts[c.debt[k]].name,
                "opening_balance": from_cents(c.opening[k]),
                "interest": from_cents(c.interest[k]),
                "payment": from_cents(c.payment[k]),
                "closing_balance": from_cents(c.closing[k]),
            }
            for k in range(len(c.month))
            if c.month[k] == month
        ]

    def ledger(self) -> list[tuple[int, str, int, int, int, int, int, int]]:
        """Every schedule row in integer cents, in order: ``(month, debt, opening_balance,
        interest, payment, closing_balance, fees_owed, forgiven)`` (no pandas)."""
        c = self.columns
        names = [d.name for d in self.debts]
        return list(zip(c.month, [names[i] for i in c.debt], c.opening, c.interest, c.payment, c.closing, c.fees, c.forgiven))

    def terms_from(self, month: int) -> tuple[Debt, ...]:
        """The debts' terms in force in plan ``month`` (changed by ``changes`` from their month on);
        balances as they were when those terms were set."""
        terms = self.debts
        for m in sorted(self.columns.terms):
            if m <= month:
                terms = self.columns.terms[m]
        return terms

    @property
    def months_run(self) -> int:
        """How many months the simulation ran (the last month with a schedule row)."""
        return self.columns.months_run

    @property
    def lump_paid(self) -> Decimal:
        """What settlements took from the lump sum, in all."""
        return from_cents(self.columns.lump)

    def schedule_rows(self) -> list[ScheduleRow]:
        """The schedule in integer cents, in order (month, then the debts' order).

        The exact form of :attr:`schedule`, for code that must not go through floats.

        Returns
        -------
        list of ScheduleRow

        Examples
        --------
        >>> from planner import Debt, plan
        >>> p = plan([Debt("A", 100, 12, 60)], 60)
        >>> p.schedule_rows()[0]
        ScheduleRow(month=1, debt=0, opening=10000, interest=100, payment=6000, closing=4100, fees=0, forgiven=0)
        """
        c = self.columns
        return [ScheduleRow(*row) for row in zip(c.month, c.debt, c.opening, c.interest, c.payment, c.closing, c.fees, c.forgiven)]

    def payments_by_month(self) -> list[list[float]]:
        """What each debt is paid each month, in yuan: ``[debt][month - 1]``, months 1 to :attr:`months_run`.

        Examples
        --------
        >>> from planner import Debt, plan
        >>> plan([Debt("A", 100, 12, 60)], 60).payments_by_month()
        [[60.0, 41.41]]
        """
        c = self.columns
        paid = []
        for s in c.series():  # one row a month while a debt is open, from month 1
            row = [0.0] * c.months_run
            if s is not None:
                row[: len(s[2])] = [p / 100 for p in s[2]]
            paid.append(row)
        return paid

    # -- DataFrames ----------------------------------------------------
    @cached_property
    def schedule(self):
        """Long format: month, debt, opening_balance, interest, payment, closing_balance, fees_owed, forgiven."""
        import pandas as pd

        c = self.columns
        names = pd.Categorical.from_codes(c.debt, categories=[d.name for d in self.debts]) if c.debt else []
        frame = pd.DataFrame(
            {
                "month": pd.array(c.month, dtype="int64"),
                "debt": pd.array(list(names), dtype="string"),
                "opening_balance": [x / 100 for x in c.opening],
                "interest": [x / 100 for x in c.interest],
                "payment": [x / 100 for x in c.payment],
                "closing_balance": [x / 100 for x in c.closing],
                "fees_owed": [x / 100 for x in c.fees],
                "forgiven": [x / 100 for x in c.forgiven],
            },
            columns=list(SCHEDULE_COLUMNS),
        )
        if self.start is not None:
            frame.insert(1, "calendar_month", pd.array([self.calendar_month(m) for m in c.month], dtype="string"))
        return frame

    @property
    def summary(self):
        """One row per debt: payoff month, interest, paid, forgiven, remaining."""
        import pandas as pd

        rows = [
            {
                "debt": o.name,
                "payoff_month": o.payoff_month,
                "payoff": self.calendar_month(o.payoff_month),
                "interest": float(o.interest),
                "paid": float(o.paid),
                "forgiven": float(o.forgiven),
                "remaining": float(o.remaining),
            }
            for o in self.outcomes
        ]
        frame = pd.DataFrame(rows)
        frame["debt"] = frame["debt"].astype("string")
        frame["payoff_month"] = frame["payoff_month"].astype("Int64")
        if self.start is None:
            frame = frame.drop(columns="payoff")
        return frame

    def balances(self):
        """Wide: closing balance (plus fees) of each debt at the end of each month, month 0 included."""
        import pandas as pd

        c = self.columns
        months = range(0, c.months_run + 1)
        data = {}
        for i, (d, s) in enumerate(zip(self.debts, c.series())):
            owed = [0.0] * len(months)
            owed[0] = c.start_owed[i] / 100
            if s is not None:  # one row a month while the debt is open, from month 1
                owed[1 : len(s[3]) + 1] = [(b + f) / 100 for b, f in zip(s[3], s[4])]
            data[d.name] = owed
        frame = pd.DataFrame(data, index=pd.Index(months, name="month"))
        return frame

    # -- output --------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-ready: money as numbers of yuan with two decimals."""
        return {
            "strategy": self.strategy,
            "budget": float(self.budget),
            "months": self.months,
            "debt_free": self.debt_free,
            "total_interest": float(self.total_interest),
            "total_paid": float(self.total_paid),
            "total_forgiven": float(self.total_forgiven),
            "never_paid": self.never_paid,
            "debts": [
                {
                    "name": o.name,
                    "payoff_month": o.payoff_month,
                    "interest": float(o.interest),
                    "paid": float(o.paid),
                    "forgiven": float(o.forgiven),
                    "remaining": float(o.remaining),
                    "needed_payment": float(o.needed_payment) if o.needed_payment is not None else None,
                }
                for o in self.outcomes
            ],
        }

    def _headline(self) -> str:
        if self.months is None:
            return f"{self.strategy}: never pays off {', '.join(self.never_paid)} within {self.horizon} months"
        when = f" ({self.debt_free})" if self.debt_free else ""
        return (
            f"{self.strategy}: debt-free in {self.months} months{when}, interest {format_yuan(self.total_interest)}, "
            f"paid {format_yuan(self.total_paid)}"
        )

    def __repr__(self) -> str:
        return f"<Plan {self._headline()}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                html.escape(o.name),
                "never" if o.payoff_month is None else (self.calendar_month(o.payoff_month) or o.payoff_month),
                format_yuan(o.interest),
                format_yuan(o.paid),
            )
            for o in self.outcomes
        )
        return (
            f"<p><b>{html.escape(self._headline())}</b></p>"
            "<table><thead><tr><th>debt</th><th>paid off</th><th>interest</th><th>paid</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def _clearing_payment(debt: Debt, months: int) -> Decimal:
    """The level monthly payment (rounded up to the yuan) that clears ``debt`` in ``months``."""
    from math import ceil

    owed = float(debt.owed)
    r = float(debt.effective_apr) / 1200
    if r == 0:
        return Decimal(ceil(owed / months))
    return Decimal(ceil(owed * r / (1 - (1 + r) ** -months)))


class Comparison:
    """Several plans of the same debts, side by side."""

    def __init__(self, plans: list[Plan]):
        self.plans = list(plans)

    def __getitem__(self, strategy: str) -> Plan:
        for p in self.plans:
            if isinstance(strategy, str) and p.strategy == strategy:
                return p
        raise PlannerError(
            "result.no_plan_strategy_plans",
            strategy=str(strategy)[:40],
            strategy_2=', '.join(p.strategy for p in self.plans),
        )

    def __iter__(self):
        return iter(self.plans)

    def __len__(self):
        return len(self.plans)

    @property
    def best(self) -> Plan:
        """The plan with the least interest among those that finish (then the fewest months)."""
        finishing = [p for p in self.plans if p.months is not None] or self.plans
        return min(finishing, key=lambda p: (p.total_interest, p.months or 10**9))

    @property
    def summary(self):
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "strategy": p.strategy,
                    "months": p.months,
                    "debt_free": p.debt_free,
                    "total_interest": float(p.total_interest),
                    "total_paid": float(p.total_paid),
                }
                for p in self.plans
            ]
        ).astype({"strategy": "string", "months": "Int64"})

    def to_list(self) -> list[dict]:
        return [p.to_dict() for p in self.plans]

    def __repr__(self):
        return "<Comparison\n  " + "\n  ".join(p._headline() for p in self.plans) + "\n>"

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{html.escape(p.strategy)}</td><td>{'never' if p.months is None else p.months}</td>"
            f"<td>{format_yuan(p.total_interest)}</td><td>{format_yuan(p.total_paid)}</td></tr>"
            for p in self.plans
        )
        return (
            "<table><thead><tr><th>strategy</th><th>months</th><th>interest</th><th>paid</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


__all__ = [
    "Comparison",
    "calendar_months",
    "DebtOutcome",
    "Plan",
    "SCHEDULE_COLUMNS",
    "ScheduleRow",
    "next_month",
]
