"""Many portfolios at once: the same plans as :func:`planner.engine.plan`, vectorised.

A caseload (a counselling service's clients, a lender's collections book) is one
long table with a ``portfolio_id`` column: one row per debt, and a budget column
giving each portfolio's monthly budget. The batch engine runs every portfolio
through the same month loop as the single engine, but over a numpy
``portfolios × debts`` array of integer cents, so one numpy operation moves a
whole chunk of portfolios forward by one month.

The results are *exactly* those of :func:`planner.engine.plan` for each
portfolio, to the cent: the same half-up rounding done in integers (a rate is
the exact ratio :func:`planner.money.rate_ratio`), the same payment order
(minimums, then the strategy's priority, cascading within the month), the same
treatment of deferrals, settlements, minimum-only and debts never paid off.
A portfolio whose budget does not cover its minimums gets status
``infeasible`` (the single engine raises :class:`~planner.errors.InfeasibleBudgetError`).

Overflow: the arrays are int64. A debt whose minimum never covers its interest
grows without bound; before any month where ``2·balance·num + den`` could pass
2**63, and for rates or settlement fractions whose exact ratio is too large for
int64, that portfolio leaves the vectorised path and is planned by the single
engine (Python integers, exact). Results stay exact; only speed changes.
``BatchResult.fallback`` counts such portfolios.

Memory is bounded by working in chunks of ``chunk_size`` portfolios; chunks run
in worker processes (``workers``, both cores by default) when there is enough
work to pay for starting them.

>>> from planner.debt import Debt
>>> r = plan_batch([[Debt("A", 1000, 12, 100)], [Debt("A", 500, 0, 50), Debt("B", 10, 0, 1)]], [600, 100])
>>> r.months.tolist(), r.interest.tolist(), r.status
([2, 6], [1410, 0], ['ok', 'ok'])
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..debt import MAX_MONEY, Debt
from ..errors import InfeasibleBudgetError, InputError, PlannerError, PlannerWarning, Problem
from ..money import fraction_warning, looks_like_fraction, rate_ratio, to_cents

#: Strategies the batch engine computes natively (``custom`` needs names per portfolio).
BATCH_STRATEGIES = ("avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost")
#: Portfolios per chunk: bounds memory (about 1 KB per debt while a chunk runs).
DEFAULT_CHUNK = 20_000
STATUS = ("ok", "never_paid", "infeasible")

_INT64_MAX = np.iinfo(np.int64).max
_SAFE = 1 << 62  # headroom below 2**63 for sums of two amounts


# ---------------------------------------------------------------------------
# the book: every debt of every portfolio as long arrays, in exact integers


@dataclass
class Book:
    """Portfolios as long arrays: debts sorted by portfolio, their own order kept.

    Money in integer cents; rates as codes into :attr:`rates` (exact Decimals,
    the *effective* yearly rate: ``penalty_apr`` while overdue); settlement
    fractions as codes into :attr:`fractions` (-1: none).
    """

    ids: list  # portfolio ids, in order
    start: np.ndarray  # (P+1,) offsets of each portfolio's debts
    names: list[str]  # unique names
    name_code: np.ndarray
    balance: np.ndarray
    fees: np.ndarray
    minimum: np.ndarray
    rate_code: np.ndarray
    rates: list[Decimal]
    budget: np.ndarray  # (P,) cents
    defer_from: np.ndarray
    defer_to: np.ndarray
    defer_interest: np.ndarray
    settle_month: np.ndarray  # 0: none
    settle_code: np.ndarray
    fractions: list[Decimal] = field(default_factory=list)
    #: What only negotiation adjustments need (kind, contract rate, overdue, dates):
    #: long arrays ``apr_code``, ``penalty_code``, ``overdue``, ``kind_code``, ``contract``
    #: and the list ``kinds``; ``None`` for a book built from Debt objects or arrays.
    detail: dict | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def debts(self, p: int) -> list[Debt]:
        """Portfolio ``p`` as :class:`Debt` objects the single engine plans identically."""
        out = []
        for r in range(self.start[p], self.start[p + 1]):
            settle = int(self.settle_month[r])
            out.append(
                Debt(
                    self.names[self.name_code[r]],
                    Decimal(int(self.balance[r])) / 100,
                    self.rates[self.rate_code[r]],
                    Decimal(int(self.minimum[r])) / 100,
                    fees_owed=Decimal(int(self.fees[r])) / 100,
                    defer_from=int(self.defer_from[r]),
                    defer_months=int(self.defer_to[r] - self.defer_from[r]),
                    defer_interest=bool(self.defer_interest[r]),
                    settle_month=settle or None,
                    settle_fraction=self.fractions[self.settle_code[r]] if settle else None,
                )
            )
        return out

    def full_debts(self, p: int) -> list[Debt]:
        """Portfolio ``p`` with every field a negotiation adjustment reads (kind, overdue, dates)."""
        d = self.detail
        if d is None:
            return self.debts(p)
        out = []
        for r in range(self.start[p], self.start[p + 1]):
            out.append(
                Debt(
                    self.names[self.name_code[r]],
                    Decimal(int(self.balance[r])) / 100,
                    self.rates[d["apr_code"][r]],
                    Decimal(int(self.minimum[r])) / 100,
                    kind=d["kinds"][d["kind_code"][r]],
                    overdue_days=int(d["overdue"][r]),
                    penalty_apr=self.rates[d["penalty_code"][r]] if d["penalty_code"][r] >= 0 else None,
                    fees_owed=Decimal(int(self.fees[r])) / 100,
                    contract_date=d["contract"][r],
                )
            )
        return out

    def take(self, portfolios: np.ndarray) -> Book:
        """The sub-book of some portfolios (indices, in the order given)."""
        counts = np.diff(self.start)[portfolios]
        start = np.zeros(len(portfolios) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        rows = _ranges(self.start[portfolios], counts)
        detail = None if self.detail is None else {
            k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in self.detail.items()
        }
        return dataclasses.replace(
            self,
            ids=[self.ids[p] for p in portfolios],
            start=start,
            budget=self.budget[portfolios],
            detail=detail,
            **{name: getattr(self, name)[rows] for name in _PER_DEBT},
        )


#: The :class:`Book` arrays with one entry per debt (the rest are per portfolio or shared).
_PER_DEBT = ("name_code", "balance", "fees", "minimum", "rate_code", "defer_from", "defer_to",
             "defer_interest", "settle_month", "settle_code")


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + c)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + np.arange(total, dtype=np.int64) - offsets


def book_from_debts(portfolios: Sequence[Sequence[Debt]], budgets: Sequence, ids: Sequence | None = None) -> Book:
    """A :class:`Book` from lists of :class:`Debt` (one list per portfolio) and budgets in yuan."""
    try:
        portfolios = [list(debts) for debts in portfolios]
        budgets = list(budgets)
    except TypeError:
        raise PlannerError(
            "portfolios 应为 Debt 列表的列表，budgets 应为每个组合一个预算的列表 / "
            "portfolios must be a list of lists of Debt, and budgets a list with one budget per portfolio"
        ) from None
    if len(portfolios) != len(budgets):
        raise PlannerError(f"预算数目与组合数目不符 / {len(budgets)} budgets for {len(portfolios)} portfolios")
    names: dict[str, int] = {}
    rates: dict[Decimal, int] = {}
    fractions: dict[Decimal, int] = {}
    cols: dict[str, list] = {k: [] for k in ("name", "bal", "fees", "min", "rate", "dfrom", "dto", "dint", "sm", "sc")}
    start = [0]
    for debts in portfolios:
        seen = set()
        for d in debts:
            if not isinstance(d, Debt):
                raise PlannerError(f"不是 Debt 对象 / not a Debt: {d!r}")
            if d.name in seen:
                raise PlannerError(f"组合中名称重复 / the name {d.name!r} appears twice in one portfolio")
            seen.add(d.name)
            cols["name"].append(names.setdefault(d.name, len(names)))
            cols["bal"].append(to_cents(d.balance))
            cols["fees"].append(to_cents(d.fees_owed))
            cols["min"].append(to_cents(d.min_payment))
            cols["rate"].append(rates.setdefault(d.effective_apr, len(rates)))
            cols["dfrom"].append(d.defer_from)
            cols["dto"].append(d.defer_from + d.defer_months)
            cols["dint"].append(d.defer_interest)
            cols["sm"].append(d.settle_month or 0)
            cols["sc"].append(fractions.setdefault(d.settle_fraction, len(fractions)) if d.settle_month else -1)
        start.append(start[-1] + len(debts))
    # as plan() reads its budget; numpy scalars as the Python numbers they hold
    budget = [to_cents(b.item() if hasattr(b, "item") and not isinstance(b, Decimal) else b) for b in budgets]
    if any(b < 0 for b in budget):
        raise PlannerError("预算不能为负数 / a budget cannot be negative")
    i64 = lambda k: np.array(cols[k], dtype=np.int64)  # noqa: E731
    return Book(
        ids=list(ids) if ids is not None else list(range(len(portfolios))),
        start=np.array(start, dtype=np.int64),
        names=list(names),
        name_code=i64("name"),
        balance=i64("bal"),
        fees=i64("fees"),
        minimum=i64("min"),
        rate_code=i64("rate"),
        rates=list(rates),
        budget=np.array(budget, dtype=np.int64),
        defer_from=i64("dfrom"),
        defer_to=i64("dto"),
        defer_interest=np.array(cols["dint"], dtype=bool),
        settle_month=i64("sm"),
        settle_code=i64("sc"),
        fractions=list(fractions),
    )


# ---------------------------------------------------------------------------
# results


@dataclass
class BatchResult:
    """One row per portfolio, money in integer cents (numpy int64 arrays).

    ``months`` is -1 where the plan has no end (a debt never paid off within the
    horizon, or an infeasible budget); ``status`` says which. For ``infeasible``
    rows, ``infeasible_month`` and ``shortfall`` say when and by how much the
    budget falls short, and the money columns are 0.
    """

    ids: list
    strategy: str
    months: np.ndarray
    interest: np.ndarray
    paid: np.ndarray
    forgiven: np.ndarray
    remaining: np.ndarray
    unspent: np.ndarray
    status_code: np.ndarray
    infeasible_month: np.ndarray
    shortfall: np.ndarray
    fallback: int = 0
    schedule: dict | None = None  # long arrays: portfolio (position), month, debt (position), amounts

    @property
    def status(self) -> list[str]:
        return np.array(STATUS, dtype=object)[self.status_code.astype(np.int64)].tolist()

    def to_frame(self):
        """A pandas DataFrame: money as float yuan with two decimals, ``months`` nullable."""
        import pandas as pd

        ok = self.status_code == 0
        months = pd.array(np.where(ok, self.months, 0).astype(np.int64), dtype="Int64")
        months[~ok] = pd.NA
        late = pd.array(self.infeasible_month.astype(np.int64), dtype="Int64")
        late[self.status_code != 2] = pd.NA

        def yuan(cents):
            return np.asarray(cents / 100, dtype=np.float64)

        frame = pd.DataFrame(
            {
                "portfolio_id": self.ids,
                "strategy": pd.array([self.strategy] * len(self.ids), dtype="string"),
                "status": pd.array(self.status, dtype="string"),
                "months": months,
                "total_interest": yuan(self.interest),
                "total_paid": yuan(self.paid),
                "total_forgiven": yuan(self.forgiven),
                "remaining": yuan(self.remaining),
                "unspent": yuan(self.unspent),
                "infeasible_month": late,
                "shortfall": yuan(self.shortfall),
            }
        )
        return frame


# ---------------------------------------------------------------------------
# priority: each strategy's ordering as sort keys over the long arrays


def _rank(values: list) -> np.ndarray:
    """Rank of each value among the distinct values (ties share a rank)."""
    order = sorted(set(values))
    index = {v: k for k, v in enumerate(order)}
    return np.array([index[v] for v in values], dtype=np.int64)


def _priority_order(book: Book, strategy: str, portfolio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row order (by portfolio, then priority) and a mask of portfolios to plan by the single engine."""
    n = len(portfolio)
    bad = np.zeros(book.size, dtype=bool)
    if strategy == "minimum_only" or n == 0:
        return np.arange(n, dtype=np.int64), bad
    rate_rank = _rank(book.rates)[book.rate_code] if book.rates else np.zeros(n, dtype=np.int64)
    name_rank = _rank(book.names)[book.name_code] if book.names else np.zeros(n, dtype=np.int64)
    owed = book.balance + book.fees
    if strategy == "avalanche":  # (-effective_apr, owed, name)
        keys = (name_rank, owed, -rate_rank)
    elif strategy == "snowball":  # (owed, -effective_apr, name)
        keys = (name_rank, -rate_rank, owed)
    elif strategy == "highest_interest_cost":  # (-monthly_interest, -effective_apr, name)
        num, den, ok = _ratios(book.rates)
        rn, rd = num[book.rate_code], den[book.rate_code]
        fits = ok[book.rate_code] & (book.balance <= (_SAFE // np.maximum(rn, 1)) // 2)
        bad[portfolio[~fits]] = True
        mi = (2 * book.balance * rn + rd) // (2 * rd)  # Debt.monthly_interest, in cents
        keys = (name_rank, -rate_rank, -mi)
    elif strategy == "cash_flow_index":  # (owed / min_payment, or inf; -effective_apr, name)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(book.minimum > 0, owed / np.maximum(book.minimum, 1), np.inf)
        keys = (name_rank, -rate_rank, ratio)
    else:
        raise PlannerError(
            f"批量计算不支持此策略 / the batch engine does not support the strategy {strategy!r}; "
            f"choose one of: {', '.join(BATCH_STRATEGIES)}"
        )
    order = np.lexsort((*keys, portfolio))
    if strategy == "cash_flow_index":
        # Floats order distinct ratios correctly except where two round to the same
        # float: check those neighbours exactly, and sort any doubtful portfolio in Python.
        r, p = ratio[order], portfolio[order]
        same = (r[1:] == r[:-1]) & (p[1:] == p[:-1]) & np.isfinite(r[1:])
        for k in np.nonzero(same)[0]:
            a, b = order[k], order[k + 1]
            if int(owed[a]) * int(book.minimum[b]) != int(owed[b]) * int(book.minimum[a]):
                bad[p[k]] = True
        if bad.any():
            order = _python_order(book, order, portfolio, bad, owed, rate_rank, name_rank)
            bad[:] = False
    return order, bad


def _python_order(book, order, portfolio, bad, owed, rate_rank, name_rank):
    """Re-sort the rows of the flagged portfolios with exact Fraction keys (cash-flow index)."""
    order = order.copy()
    for p in np.nonzero(bad)[0]:
        lo, hi = book.start[p], book.start[p + 1]
        rows = list(range(lo, hi))
        rows.sort(
            key=lambda r: (
                Fraction(int(owed[r]), int(book.minimum[r])) if book.minimum[r] > 0 else Fraction(10**40),
                -rate_rank[r],
                name_rank[r],
            )
        )
        # Infinite keys (minimum 0) stay after every finite ratio: 10**40 exceeds any owed/min.
        order[lo:hi] = rows
    return order


def _ratios(values: list[Decimal]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact monthly ratios of yearly rates as int64 arrays, and whether each fits."""
    num, den, ok = [], [], []
    for v in values:
        a, b = rate_ratio(v)
        fits = b <= _SAFE // 4 and a <= _SAFE // 4
        num.append(a if fits else 1)
        den.append(b if fits else 1)
        ok.append(fits)
    return np.array(num, dtype=np.int64), np.array(den, dtype=np.int64), np.array(ok, dtype=bool)


def _fractions(values: list[Decimal]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    num, den, ok = [], [], []
    for v in values:
        a, b = v.as_integer_ratio()
        fits = b <= _SAFE // 4 and a <= b
        num.append(a if fits else 0)
        den.append(b if fits else 1)
        ok.append(fits)
    if not values:
        return np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64), np.ones(1, dtype=bool)
    return np.array(num, dtype=np.int64), np.array(den, dtype=np.int64), np.array(ok, dtype=bool)


# ---------------------------------------------------------------------------
# the vectorised month loop over one chunk


def _chunk_arrays(book: Book, strategy: str) -> dict:
    """Padded ``portfolios × debts`` arrays, columns in priority order, and the fallback mask.

    Deferral, settlement and fee arrays are present only when some debt of the
    chunk has them, so a plain caseload runs the shortest month loop.
    """
    P = book.size
    counts = np.diff(book.start)
    portfolio = np.repeat(np.arange(P, dtype=np.int64), counts)
    order, bad = _priority_order(book, strategy, portfolio)
    D = int(counts.max()) if P else 0
    col = np.arange(len(order), dtype=np.int64) - book.start[portfolio]  # position within portfolio
    uniform = P > 0 and bool((counts == D).all())

    def grid(values, fill=0, dtype=np.int64):
        if uniform:  # every portfolio has D debts: a reshape, no scatter
            return np.ascontiguousarray(values[order].reshape(P, D), dtype=dtype)
        out = np.full((P, D), fill, dtype=dtype)
        out[portfolio, col] = values[order]  # rows are grouped by portfolio, so order keeps positions
        return out

    num, den, ok = _ratios(book.rates)
    if len(order):
        bad |= np.bincount(portfolio[~ok[book.rate_code]], minlength=P).astype(bool)
    rn, rd = num[book.rate_code], den[book.rate_code]
    a = {
        "bal": grid(book.balance),
        "minp": grid(book.minimum),
        "rnum2": grid(2 * rn),
        "rden": grid(rd, 1),
        "rden2": grid(2 * rd, 2),
        # the largest balance for which 2*b*num + den stays below 2**62
        "limit": grid((_SAFE - rd) // (2 * np.maximum(rn, 1)), _INT64_MAX),
        "orig": grid(col, -1),  # original debt position of each column
        "budget": book.budget.copy(),
        "bad": bad,
    }
    if book.fees.any():
        a["fees"] = grid(book.fees)
    if (book.defer_to > book.defer_from).any():
        a["dfrom"] = grid(book.defer_from, 1)
        a["dto"] = grid(book.defer_to, 1)
        a["dint"] = grid(book.defer_interest, True, bool)
    if (book.settle_month > 0).any():
        snum, sden, sok = _fractions(book.fractions)
        sc = np.maximum(book.settle_code, 0)
        bad |= np.bincount(portfolio[(book.settle_month > 0) & ~sok[sc]], minlength=P).astype(bool)
        a["smonth"] = grid(book.settle_month)
        a["snum2"] = grid(2 * snum[sc])
        a["sden"] = grid(sden[sc], 1)
    return a


def _run_chunk(args) -> dict[str, dict]:
    """One chunk under each strategy; a top-level function so worker processes can run it.

    The scenario (if any) is applied here, once for all strategies, and portfolios
    that left the vectorised path (int64 overflow) are planned by the single engine
    here too, so both run in the workers.
    """
    book, strategies, horizon, want_schedule, scenario = args
    if scenario is not None:
        book = apply_scenario(book, scenario)
    out = {}
    for strategy in strategies:
        part = _simulate_arrays(_chunk_arrays(book, strategy), strategy != "minimum_only", horizon, want_schedule)
        _finish_fallback(book, part, strategy, horizon, want_schedule)
        out[strategy] = part
    return out


_SCHEDULE_KEYS = ("portfolio", "month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")


def _finish_fallback(book: Book, part: dict, strategy: str, horizon: int, want_schedule: bool) -> None:
    """Plan the flagged portfolios of a chunk with the single engine and put them in ``part``."""
    rows = np.nonzero(part["fallback"])[0]
    if not len(rows):
        return
    extra = []
    for p in rows:
        row = _fallback(book, int(p), strategy, horizon, want_schedule)
        part["status"][p] = row["status"]
        for k in _MONEY_FIELDS:
            if part[k].dtype != object and abs(row[k]) > _INT64_MAX:
                part[k] = part[k].astype(object)  # beyond int64: keep Python integers
            part[k][p] = row[k]
        if want_schedule and row["schedule"] is not None:
            extra.append((int(p), row["schedule"]))
    if want_schedule:
        sch = part["schedule"]
        keep = ~np.isin(sch["portfolio"], rows)
        pieces = {k: [sch[k][keep]] for k in _SCHEDULE_KEYS}
        for p, cols in extra:
            pieces["portfolio"].append(np.full(len(cols[0]), p, dtype=np.int64))
            for k, values in zip(_SCHEDULE_KEYS[1:], cols):
                big = any(abs(v) > _INT64_MAX for v in values)
                pieces[k].append(np.array(values, dtype=object if big else np.int64))
        merged = {k: np.concatenate(v) for k, v in pieces.items()}
        order = np.lexsort((merged["debt"].astype(np.int64), merged["month"].astype(np.int64), merged["portfolio"].astype(np.int64)))
        part["schedule"] = {k: v[order] for k, v in merged.items()}


_WORK = ("bal", "fees", "minp", "rnum2", "rden", "rden2", "limit", "orig", "dfrom", "dto", "dint", "smonth", "snum2", "sden")


def _simulate_arrays(a: dict, cascade: bool, horizon: int, want_schedule: bool) -> dict:
    """The month loop of :func:`planner.engine._simulate`, one numpy step for every portfolio."""
    P, D = a["bal"].shape
    out = {
        "months": np.full(P, -1, dtype=np.int64),
        "interest": np.zeros(P, dtype=np.int64),
        "paid": np.zeros(P, dtype=np.int64),
        "forgiven": np.zeros(P, dtype=np.int64),
        "remaining": np.zeros(P, dtype=np.int64),
        "unspent": np.zeros(P, dtype=np.int64),
        "status": np.zeros(P, dtype=np.int8),
        "infeasible_month": np.zeros(P, dtype=np.int64),
        "shortfall": np.zeros(P, dtype=np.int64),
        "fallback": a["bad"].copy(),
    }
    has_fees, has_defer, has_settle = "fees" in a, "dfrom" in a, "smonth" in a
    sched: list[tuple] = []
    if a["bad"].any():
        live = np.nonzero(~a["bad"])[0]  # chunk positions still being simulated
        s = {k: a[k][live] for k in _WORK if k in a}
        budget = a["budget"][live]
    else:
        live = np.arange(P)
        s = {k: a[k] for k in _WORK if k in a}
        budget = a["budget"]
    owed0 = s["bal"] + s["fees"] if has_fees else s["bal"]
    payoff = np.where(owed0 > 0, -1, 0)  # -1: not (yet) paid off
    # per-debt accumulators (summed when a portfolio leaves the working set)
    acc = {k: np.zeros_like(s["bal"]) for k in ("interest", "paid")}
    acc["forgiven"] = np.zeros_like(s["bal"]) if has_settle else None
    unspent = np.zeros(len(live), dtype=np.int64)
    m = 0

    def retire(keep: np.ndarray) -> None:
        """Write back the rows leaving the working set (``~keep``) and drop them."""
        nonlocal live, budget, payoff, s, acc, unspent
        gone = ~keep
        idx = live[gone]
        for k in ("interest", "paid", "forgiven"):
            if acc[k] is not None:
                out[k][idx] = acc[k][gone].sum(axis=1)
        out["unspent"][idx] = unspent[gone]
        end = s["bal"][gone] + s["fees"][gone] if has_fees else s["bal"][gone]
        out["remaining"][idx] = end.sum(axis=1)
        pay = payoff[gone]
        never = (pay < 0).any(axis=1)
        out["months"][idx] = np.where(never, -1, pay.max(axis=1, initial=0))
        out["status"][idx] = np.where(never & (out["status"][idx] == 0), 1, out["status"][idx])
        live, budget, payoff, unspent = live[keep], budget[keep], payoff[keep], unspent[keep]
        s = {k: v[keep] for k, v in s.items()}
        acc = {k: (v[keep] if v is not None else None) for k, v in acc.items()}

    while len(live) and m < horizon:
        bal = s["bal"]
        fees = s["fees"] if has_fees else None
        owed = bal + fees if has_fees else bal
        open_ = owed > 0
        any_open = open_.any(axis=1)
        done = len(live) - int(np.count_nonzero(any_open))
        if done and done * 2 >= len(live):  # half the working set has finished: compact it
            retire(any_open)
            continue
        m += 1
        # Closed debts (balance and fees 0) get 0 interest and 0 payments from the
        # formulas below, so masks are only needed for deferrals and settlements.
        settle = None
        if has_settle:
            settle = open_ & (s["smonth"] == m)
            if not settle.any():
                settle = None
        held = None
        if has_defer:
            held = (s["dfrom"] <= m) & (m < s["dto"]) & open_
            if not held.any():
                held = None
        over = None
        if (bal > s["limit"]).any():
            over = (bal > s["limit"]).any(axis=1)
        if settle is not None:
            big = (settle & (owed > (_SAFE // 2) // np.maximum(s["snum2"], 1))).any(axis=1)
            over = big if over is None else over | big
        if over is not None and over.any():  # int64 could overflow this month: the single engine takes over
            out["fallback"][live[over]] = True
            retire(~over)
            m -= 1
            continue
        opening = bal if want_schedule else None
        interest = (bal * s["rnum2"] + s["rden"]) // s["rden2"]
        if held is not None:
            interest[held & ~s["dint"]] = 0
        forgiven = None
        paid = None
        if settle is not None:
            interest[settle] = 0
            amount = np.where(settle, (owed * s["snum2"] + s["sden"]) // (2 * s["sden"]), 0)
            paid = amount
            forgiven = np.where(settle, owed - amount, 0)
            bal = np.where(settle, 0, bal)
            if has_fees:
                fees = np.where(settle, 0, fees)
        bal = bal + interest
        due = bal + fees if has_fees else bal
        minimum = np.minimum(s["minp"], due)
        inactive = None
        if held is not None:
            inactive = held
        if settle is not None:
            inactive = settle if inactive is None else inactive | settle
        if inactive is not None:
            minimum[inactive] = 0
        required = minimum.sum(axis=1)
        short = required > budget
        if short.any():  # the single engine raises InfeasibleBudgetError here
            idx = live[short]
            shortfall = required[short] - budget[short]
            retire(~short)  # this month's state is discarded: only the working set shrinks
            for k in ("interest", "paid", "forgiven", "unspent", "remaining"):
                out[k][idx] = 0
            out["months"][idx] = -1
            out["status"][idx] = 2
            out["infeasible_month"][idx] = m
            out["shortfall"][idx] = shortfall
            m -= 1
            continue
        cash = budget - required
        pay = minimum
        if cascade:
            rest = due - minimum
            if inactive is not None:
                rest[inactive] = 0
            before = np.cumsum(rest, axis=1)
            before -= rest
            extra = cash[:, None] - before
            np.clip(extra, 0, rest, out=extra)
            pay = pay + extra
            cash = cash - extra.sum(axis=1)
        if has_fees:
            to_fees = np.minimum(pay, fees)
            fees = fees - to_fees
            bal = bal - (pay - to_fees)
            s["fees"] = fees
        else:
            bal = bal - pay
        if paid is not None:
            pay = pay + paid
        acc["interest"] += interest
        acc["paid"] += pay
        if forgiven is not None:
            acc["forgiven"] += forgiven
        unspent += np.where(any_open, cash, 0)
        closed = open_ & ((bal + fees == 0) if has_fees else (bal == 0))
        payoff[closed] = m
        if want_schedule:
            r, c = np.nonzero(open_)
            zeros = np.zeros(len(r), dtype=np.int64)
            sched.append(
                (
                    live[r], np.full(len(r), m, dtype=np.int64), s["orig"][r, c], opening[r, c], interest[r, c],
                    pay[r, c], bal[r, c], fees[r, c] if has_fees else zeros,
                    forgiven[r, c] if forgiven is not None else zeros,
                )
            )
        s["bal"] = bal
    retire(np.zeros(len(live), dtype=bool))
    if want_schedule:
        keys = ("portfolio", "month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")
        if sched:
            cols = [np.concatenate([part[k] for part in sched]) for k in range(len(keys))]
        else:
            cols = [np.zeros(0, dtype=np.int64) for _ in keys]
        order = np.lexsort((cols[2], cols[1], cols[0]))
        out["schedule"] = {k: v[order] for k, v in zip(keys, cols)}
    return out


# ---------------------------------------------------------------------------
# running a whole book: chunks, worker processes, the exact fallback


def _fallback(book: Book, p: int, strategy: str, horizon: int, want_schedule: bool) -> dict:
    """One portfolio through the single engine (Python integers): the overflow path."""
    from ..engine import plan

    debts = book.debts(p)
    budget = Decimal(int(book.budget[p])) / 100
    try:
        result = plan(debts, budget, strategy, horizon=horizon)
    except InfeasibleBudgetError as exc:
        return {
            "status": 2, "months": -1, "interest": 0, "paid": 0, "forgiven": 0, "remaining": 0, "unspent": 0,
            "infeasible_month": exc.month, "shortfall": to_cents(exc.required) - to_cents(exc.budget), "schedule": None,
        }
    c = result.columns  # read the integer columns: no Decimal conversion of huge amounts
    months = None if any(x is None for x in c.payoff) else max(c.payoff, default=0)
    return {
        "status": 0 if months is not None else 1,
        "months": months if months is not None else -1,
        "interest": sum(c.interest), "paid": sum(c.payment), "forgiven": sum(c.forgiven),
        "remaining": sum(c.end_owed), "unspent": c.unspent, "infeasible_month": 0, "shortfall": 0,
        "schedule": (c.month, c.debt, c.opening, c.interest, c.payment, c.closing, c.fees, c.forgiven) if want_schedule else None,
    }


_MONEY_FIELDS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "infeasible_month", "shortfall")


def run_book(
    book: Book,
    strategy: str = "avalanche",
    *,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    scenario=None,
) -> BatchResult:
    """Plan every portfolio of ``book`` under ``strategy``; see :func:`plan_batch`.

    ``progress`` is called with the number of portfolios each finished chunk held.
    ``scenario`` is applied to every portfolio first (see :func:`adjust`).
    """
    return run_books(book, [strategy], horizon=horizon, schedules=schedules, workers=workers,
                     chunk_size=chunk_size, progress=progress, scenario=scenario)[strategy]


def run_books(
    book: Book,
    strategies: Sequence[str],
    *,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    scenario=None,
) -> dict[str, BatchResult]:
    """:func:`run_book` for several strategies in one pass over the chunks (scenario applied once)."""
    for strategy in strategies:
        if strategy not in BATCH_STRATEGIES:
            raise PlannerError(
                f"批量计算不支持此策略 / the batch engine does not support the strategy {strategy!r}; "
                f"choose one of: {', '.join(BATCH_STRATEGIES)}"
            )
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 1200:
        raise PlannerError(f"horizon 必须在 1 到 1200 个月之间 / must be 1 to 1200 months: {horizon!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise PlannerError(f"chunk_size 必须为正整数 / must be a positive whole number: {chunk_size!r}")
    strategies = list(strategies)
    P = book.size
    chunks = -(-P // chunk_size)
    workers = _workers(workers, P, chunks)
    if workers > 1:  # an equal share for each worker: a multiple of ``workers`` chunks
        chunks = -(-chunks // workers) * workers
        chunk_size = max(1, -(-P // chunks))
    bounds = list(range(0, P, chunk_size)) + [P]
    spans = list(zip(bounds[:-1], bounds[1:]))
    job = (strategies, horizon, schedules, scenario)
    parts = []
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Forked workers inherit the book: only chunk bounds go out, only results come back.
        global _SHARED
        _SHARED = (book, job)
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for (lo, hi), part in zip(spans, pool.map(_run_shared, spans)):
                    parts.append(part)
                    if progress:
                        progress((hi - lo) * len(strategies))
        finally:
            _SHARED = None
    else:
        for lo, hi in spans:
            parts.append(_run_chunk((book.take(np.arange(lo, hi)), *job)))
            if progress:
                progress((hi - lo) * len(strategies))
    return {s: _merge(book, s, [part[s] for part in parts], bounds, schedules) for s in strategies}


def _merge(book: Book, strategy: str, parts: list[dict], bounds: list[int], schedules: bool) -> BatchResult:
    def cat(k, dtype=np.int64):
        arrays = [part[k] for part in parts]
        if not arrays:
            return np.zeros(0, dtype=dtype)
        if any(a.dtype == object for a in arrays):
            return np.concatenate([a.astype(object) for a in arrays])
        return np.concatenate(arrays)

    schedule = None
    if schedules:
        schedule = {}
        for k in _SCHEDULE_KEYS:
            pieces = [part["schedule"][k] + (lo if k == "portfolio" else 0) for lo, part in zip(bounds, parts)]
            if any(p.dtype == object for p in pieces):
                pieces = [p.astype(object) for p in pieces]
            schedule[k] = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    fallback = cat("fallback", bool)
    return BatchResult(
        ids=list(book.ids),
        strategy=strategy,
        months=cat("months"),
        interest=cat("interest"),
        paid=cat("paid"),
        forgiven=cat("forgiven"),
        remaining=cat("remaining"),
        unspent=cat("unspent"),
        status_code=cat("status", np.int8).astype(np.int8),
        infeasible_month=cat("infeasible_month"),
        shortfall=cat("shortfall"),
        fallback=int(np.count_nonzero(fallback)),
        schedule=schedule,
    )


_SHARED = None


def _run_shared(span: tuple[int, int]) -> dict:
    book, job = _SHARED
    return _run_chunk((book.take(np.arange(*span)), *job))


def _workers(workers: int | None, portfolios: int, chunks: int) -> int:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # the workers share the book by forking (Linux, macOS); elsewhere one process
    if workers is None:
        # Starting processes costs ~0.1 s: only worth it for a large book.
        workers = min(os.cpu_count() or 1, 2) if portfolios >= 20_000 else 1
    return max(1, min(int(workers), portfolios))  # chunks are then split to give each worker a share


def plan_batch(
    portfolios: Sequence[Sequence[Debt]],
    budgets: Sequence,
    strategy: str = "avalanche",
    *,
    ids: Sequence | None = None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    scenario=None,
) -> BatchResult:
    """Plans for many portfolios (lists of :class:`Debt`) at once, equal to :func:`planner.engine.plan` on each.

    ``budgets`` are monthly budgets in yuan, one per portfolio. ``scenario`` (a
    :class:`planner.negotiation.Scenario`) is applied to every portfolio first
    (see :func:`adjust`). Returns a :class:`BatchResult` (money in integer
    cents); ``.to_frame()`` gives a table.
    """
    if not isinstance(strategy, str) or strategy not in BATCH_STRATEGIES:
        raise PlannerError(
            f"批量计算不支持此策略 / the batch engine does not support the strategy {str(strategy)[:40]!r}; "
            f"choose one of: {', '.join(BATCH_STRATEGIES)}"
        )
    if scenario is not None:
        portfolios = [adjust(scenario, debts) for debts in portfolios]
    return run_book(
        book_from_debts(portfolios, budgets, ids),
        strategy,
        horizon=horizon,
        schedules=schedules,
        workers=workers,
        chunk_size=chunk_size,
    )


# ---------------------------------------------------------------------------
# a long table (CSV or Parquet) -> a Book, vectorised, with the loader's rules

#: Debt columns ``planner batch`` reads (aliases as in ``data/columns.toml``); others are ignored.
BATCH_COLUMNS = ("name", "balance", "apr", "min_payment", "kind", "fees_owed", "overdue_days", "penalty_apr", "contract_date")
_MAX_LISTED = 20
#: Rows listed for one bad value (the rest with that value are counted).
_SHOWN_PER_VALUE = 3
_PLAIN_NUMBER = r"\s*\+?(?:\d+\.?\d*|\.\d+)\s*"


class _Problems:
    """Collects problems for an InputError: counts every one, lists the first :data:`_MAX_LISTED`.

    A bad value repeated on many rows lists its first :data:`_SHOWN_PER_VALUE` rows
    and counts the rest, so 1,000 rows with the same typo say "1000 problems".
    """

    def __init__(self, source: str):
        self.source = source
        self.items: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < _MAX_LISTED:
            self.items.append(problem)

    def add_rows(self, positions: np.ndarray, make: Callable[[int], Problem], shown: int = _MAX_LISTED) -> None:
        """One problem per position (``make(position)``); the first ``shown`` listed, the rest counted."""
        for r in positions[:shown]:
            self.add(make(int(r)))
        self.total += max(len(positions) - shown, 0)

    def raise_if_any(self) -> None:
        if self.total:
            items = list(self.items)
            more = self.total - len(items)
            if more:
                items.append(Problem(f"另有 {more} 个问题未列出（只列出前 {len(self.items)} 个）。", f"{more} more problems not listed (the first {len(self.items)} are shown)."))
            raise InputError(items, self.source, total=self.total)


def _missing(values) -> np.ndarray:
    import pandas as pd

    miss = pd.isna(values)
    if values.dtype == object or str(values.dtype).startswith(("string", "str")):
        text = pd.Series(values, dtype="string").str.strip()
        miss = miss | (text == "").fillna(True).to_numpy(dtype=bool)
    return np.asarray(miss, dtype=bool)


#: What pandas infers for a column of plain values (no lists, arrays, dicts or objects).
_SCALAR_KINDS = {"string", "bytes", "integer", "floating", "decimal", "boolean", "date", "datetime", "datetime64",
                 "empty", "mixed-integer-float", "integer-na", "categorical", "period", "time", "timedelta", "timedelta64"}


def _nested_cells(series, label: str, problems: _Problems) -> None:
    """A problem for each cell holding a list, array, dict or set (a nested Parquet type), which the
    loader's rules cannot read: each cell must be one value."""
    import pandas as pd

    if not (series.dtype == object or isinstance(series.dtype, pd.ArrowDtype)):
        return
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        arrow = series.dtype.pyarrow_dtype
        if not (pa.types.is_list(arrow) or pa.types.is_large_list(arrow) or pa.types.is_struct(arrow) or pa.types.is_map(arrow)):
            return
        nested = ~series.isna().to_numpy(dtype=bool)
    else:
        if pd.api.types.infer_dtype(series, skipna=True) in _SCALAR_KINDS:
            return
        nested = series.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray))).to_numpy(dtype=bool)
    problems.add_rows(
        np.nonzero(nested)[0],
        lambda r: Problem(
            "单元格里是一组值（列表或结构，Parquet 的嵌套类型），不是一个值。请把这一列存成普通的数字或文字。",
            "the cell holds several values (a list or struct: a nested Parquet type), not one value. "
            "Store this column as plain numbers or text.",
            row=r + 2,
            column=label,
            value=str(series.iloc[r])[:40],
        ),
        _SHOWN_PER_VALUE,
    )


def _blank_to_na(series):
    """Empty or blank cells count as missing, as in the loader (an optional value left out)."""
    import pandas as pd

    miss = _missing(series.to_numpy())
    return series.mask(pd.Series(miss, index=series.index)) if miss.any() else series


def _parse_unique(series, parser, label: str, problems: _Problems, rows: np.ndarray, *, rate: bool = False):
    """Apply ``parser`` (the loader's, on ``str(value)``) to each distinct value; codes and values.

    With ``rate``, a value that looks like 0.18 meant as 18% warns as the loader does
    (one warning per distinct value, naming its first rows and how many there are).
    """
    import pandas as pd

    series = _blank_to_na(series)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = []
    failed = np.zeros(len(uniques), dtype=bool)
    from ..money import ParseError

    for k, v in enumerate(uniques):
        try:
            values.append(parser(str(v)))
        except ParseError as exc:
            failed[k] = True
            values.append(None)
            problems.add_rows(
                np.nonzero(codes == k)[0],
                lambda r, exc=exc, v=v: Problem(exc.zh, exc.en, row=int(rows[r]), column=label, value=str(v)),
                _SHOWN_PER_VALUE,
            )
            continue
        if rate and looks_like_fraction(str(v), values[-1]):
            _warn_fraction(problems.source, label, str(v), values[-1], rows[np.nonzero(codes == k)[0]])
    return codes, values, failed


def _warn_fraction(source: str, label: str, text: str, value: Decimal, rows: np.ndarray) -> None:
    shown = [str(int(r)) for r in np.sort(rows)[:_SHOWN_PER_VALUE]]
    more = len(rows) - len(shown)
    where_zh = f"{source}：第 {'、'.join(shown)} 行" + (f"等共 {len(rows)} 行" if more else "") + f"（列「{label}」）"
    where_en = f"{source}: row{'s' if len(rows) > 1 else ''} {', '.join(shown)}" + (f" and {more} more" if more else "") + f", column '{label}'"
    warnings.warn(fraction_warning(where_zh, where_en, text, value), PlannerWarning, stacklevel=4)


def _money_column(series, label: str, problems: _Problems, rows: np.ndarray) -> np.ndarray:
    """Yuan (numbers or text such as "￥12,000") to int64 cents, exactly as the loader reads them.

    Fast path: a plain number whose value × 100 is not within 0.001 of a half cent
    rounds the same in float as half-up in Decimal. Everything else (text with
    currency signs, 万, values on a half cent) goes through the loader's parser.
    """
    import pandas as pd

    from ..io import parse_money_cell

    series = _blank_to_na(series)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    u = pd.Series(uniques)
    if pd.api.types.is_numeric_dtype(u.dtype) and not pd.api.types.is_bool_dtype(u.dtype):
        x = u.to_numpy(dtype=np.float64) * 100
    else:
        text = u.astype("string")
        plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
        x = np.full(len(u), np.nan)
        if plain.any():
            x[plain] = pd.to_numeric(text[plain].str.strip(), errors="coerce").to_numpy(dtype=np.float64) * 100
    frac = x - np.floor(x)
    fast = np.isfinite(x) & (x >= 0) & (x <= float(MAX_MONEY) * 100) & (np.abs(frac - 0.5) > 1e-3)
    cents = np.zeros(len(u), dtype=np.int64)
    cents[fast] = np.rint(x[fast]).astype(np.int64)
    for k in np.nonzero(~fast)[0]:
        v = uniques[k]
        try:
            cents[k] = to_cents(parse_money_cell(str(v)))
        except Exception as exc:  # the loader's ParseError carries zh/en
            zh, en = getattr(exc, "zh", str(exc)), getattr(exc, "en", str(exc))
            problems.add_rows(
                np.nonzero(codes == k)[0],
                lambda r, zh=zh, en=en, v=v: Problem(zh, en, row=int(rows[r]), column=label, value=str(v)),
                _SHOWN_PER_VALUE,
            )
    out = cents[np.maximum(codes, 0)]
    out[codes < 0] = 0
    return out


def book_from_frame(frame, budget_column: str = "budget", *, source: str = "table", id_column: str = "portfolio_id") -> Book:
    """A :class:`Book` from one long table: a ``portfolio_id`` column, the debt columns, a budget column.

    Debt columns are read with the loader's rules and aliases (Chinese headers,
    "￥12,000", "18%"): ``name``, ``balance``, ``apr``, ``min_payment``, and
    optionally ``kind``, ``fees_owed``, ``overdue_days``, ``penalty_apr``. The
    budget must be the same on every row of a portfolio. Rows keep their order
    within a portfolio; portfolios are in order of first appearance. Row numbers
    in messages count the header as row 1.
    """
    import pandas as pd

    from ..io import CELL_PARSERS, alias_index, column_label, header_key
    from ..money import normalise

    problems = _Problems(source)
    index = alias_index()
    columns: dict[str, str] = {}
    for raw in frame.columns:
        raw = str(raw)
        if raw in (id_column, budget_column):
            continue
        canonical = index.get(header_key(raw))
        if canonical in BATCH_COLUMNS and canonical not in columns:
            columns[canonical] = raw
    missing = [c for c in (id_column, budget_column) if c not in frame.columns]
    missing += [column_label(c) for c in ("name", "balance", "apr", "min_payment") if c not in columns]
    if missing:
        raise InputError(
            [
                Problem(
                    f"缺少必需的列：{', '.join(missing)}。批量表格需要 {id_column}、{budget_column}、name、balance、apr、min_payment。",
                    f"required columns are missing: {', '.join(missing)}. A batch table needs {id_column}, "
                    f"{budget_column}, name, balance, apr and min_payment (use --budget-column to name the budget).",
                )
            ],
            source,
        )
    n = len(frame)
    if n == 0:
        raise InputError([Problem("表格是空的。", "the table is empty: there are no debts in it.")], source)
    for raw in (id_column, budget_column, *columns.values()):
        _nested_cells(frame[raw], raw, problems)
    problems.raise_if_any()  # a list in a cell cannot be factorized or parsed: stop here
    ids = frame[id_column]
    id_missing = _missing(ids.to_numpy())
    # A row with nothing in any column read (",,,,", a formatted spreadsheet's empty rows) is
    # skipped, as the loader skips blank rows; its missing id is not a problem.
    empty = id_missing.copy()
    for raw in (budget_column, *columns.values()):
        if empty.any():
            empty &= _missing(frame[raw].to_numpy())
    id_missing &= ~empty
    if empty.all():
        raise InputError([Problem("表格是空的。", "the table is empty: there are no debts in it.")], source)
    problems.add_rows(
        np.nonzero(id_missing)[0], lambda r: Problem("缺少组合编号。", "the portfolio id is missing.", row=r + 2, column=id_column, value="")
    )
    pcode, pids = pd.factorize(_blank_to_na(ids), use_na_sentinel=True)  # a blank id is missing, not a portfolio ""
    order = np.argsort(pcode, kind="stable")
    order = order[pcode[order] >= 0]
    rows = order + 2  # spreadsheet row numbers, header = row 1
    sub = frame.iloc[order]
    pcode = pcode[order]
    P = len(pids)

    def col(canonical):
        return sub[columns[canonical]] if canonical in columns else None

    for canonical in ("name", "balance", "apr", "min_payment"):
        miss = _missing(col(canonical).to_numpy())
        problems.add_rows(
            np.nonzero(miss)[0],
            lambda r, label=columns[canonical]: Problem("缺少必填的值。", "a required value is missing.", row=int(rows[r]), column=label, value=""),
        )
    # names: normalised as the loader does; unique within a portfolio
    ncode, nuniq = pd.factorize(col("name"), use_na_sentinel=True)
    names_norm = [normalise(str(v)) for v in nuniq]
    remap: dict[str, int] = {}
    nmap = np.array([remap.setdefault(v, len(remap)) for v in names_norm] or [0], dtype=np.int64)
    name_code = np.where(ncode >= 0, nmap[np.maximum(ncode, 0)], -1)
    dup = pd.DataFrame({"p": pcode, "n": name_code}).duplicated().to_numpy() & (name_code >= 0)
    problems.add_rows(
        np.nonzero(dup)[0],
        lambda r: Problem(
            "同一组合中名称重复。每笔债务的名称必须不同。", "the same debt name appears twice in one portfolio.",
            row=int(rows[r]), column=columns["name"], value=names_norm[ncode[r]],
        ),
    )
    balance = _money_column(col("balance"), columns["balance"], problems, rows)
    minimum = _money_column(col("min_payment"), columns["min_payment"], problems, rows)
    fees = _money_column(col("fees_owed"), columns["fees_owed"], problems, rows) if "fees_owed" in columns else np.zeros(len(sub), dtype=np.int64)
    budget_rows = _money_column(sub[budget_column], budget_column, problems, rows)
    bmiss = _missing(sub[budget_column].to_numpy())
    problems.add_rows(
        np.nonzero(bmiss)[0], lambda r: Problem("缺少预算。", "the budget is missing.", row=int(rows[r]), column=budget_column, value="")
    )
    start = np.zeros(P + 1, dtype=np.int64)
    np.cumsum(np.bincount(pcode, minlength=P), out=start[1:])
    budget = budget_rows[start[:-1]] if P else np.zeros(0, dtype=np.int64)
    differs = budget_rows != np.repeat(budget, np.diff(start))
    problems.add_rows(
        np.nonzero(differs)[0],
        lambda r: Problem(
            "同一组合的预算必须每行相同。", "the budget must be the same on every row of a portfolio.",
            row=int(rows[r]), column=budget_column, value=str(sub[budget_column].iloc[r]),
        ),
    )
    # rates: distinct values through the loader's parser, then exact Decimals
    acode, avals, _ = _parse_unique(col("apr"), CELL_PARSERS["apr"], columns["apr"], problems, rows, rate=True)
    rate_values: dict[Decimal, int] = {}
    amap = np.array([rate_values.setdefault(v, len(rate_values)) if v is not None else -1 for v in avals] or [0], dtype=np.int64)
    rate_code = amap[np.maximum(acode, 0)]
    n = len(sub)
    overdue = np.zeros(n, dtype=np.int64)
    penalty = np.full(n, -1, dtype=np.int64)
    contract_rate = rate_code
    if "overdue_days" in columns:
        ocode, ovals, _ = _parse_unique(col("overdue_days"), CELL_PARSERS["overdue_days"], columns["overdue_days"], problems, rows)
        omap = np.array([v if v is not None else 0 for v in ovals] or [0], dtype=np.int64)
        overdue = np.where(ocode >= 0, omap[np.maximum(ocode, 0)], 0)
    if "penalty_apr" in columns:
        pcode_r, pvals, _ = _parse_unique(col("penalty_apr"), CELL_PARSERS["penalty_apr"], columns["penalty_apr"], problems, rows, rate=True)
        pmap = np.array([rate_values.setdefault(v, len(rate_values)) if v is not None else -1 for v in pvals] or [0], dtype=np.int64)
        penalty = np.where(pcode_r >= 0, pmap[np.maximum(pcode_r, 0)], -1)
        rate_code = np.where((overdue > 0) & (penalty >= 0), penalty, rate_code)  # Debt.effective_apr
    kinds = ["other"]
    kind_code = np.zeros(n, dtype=np.int64)
    if "kind" in columns:
        kcode, kvals, _ = _parse_unique(col("kind"), CELL_PARSERS["kind"], columns["kind"], problems, rows)
        kinds = list(dict.fromkeys(["other", *[v for v in kvals if v is not None]]))
        kmap = np.array([kinds.index(v) if v is not None else 0 for v in kvals] or [0], dtype=np.int64)
        kind_code = np.where(kcode >= 0, kmap[np.maximum(kcode, 0)], 0)
    contract = np.full(n, None, dtype=object)
    if "contract_date" in columns:
        ccode, cvals, _ = _parse_unique(col("contract_date"), CELL_PARSERS["contract_date"], columns["contract_date"], problems, rows)
        cmap = np.array([*cvals, None], dtype=object)
        contract = cmap[np.where(ccode >= 0, ccode, len(cvals))]
    problems.raise_if_any()
    return Book(
        ids=list(pids),
        start=start,
        names=list(remap),
        name_code=name_code,
        balance=balance,
        fees=fees,
        minimum=minimum,
        rate_code=rate_code,
        rates=list(rate_values),
        budget=budget,
        defer_from=np.ones(n, dtype=np.int64),
        defer_to=np.ones(n, dtype=np.int64),
        defer_interest=np.ones(n, dtype=bool),
        settle_month=np.zeros(n, dtype=np.int64),
        settle_code=np.full(n, -1, dtype=np.int64),
        detail={"apr_code": contract_rate, "penalty_code": penalty, "overdue": overdue, "kind_code": kind_code, "kinds": kinds, "contract": contract},
    )


# ---------------------------------------------------------------------------
# negotiation scenarios over a whole book


def adjust(scenario, debts: Sequence[Debt]) -> list[Debt]:
    """One portfolio with ``scenario``'s adjustments made, in order.

    As :meth:`planner.negotiation.Scenario.apply`, except that an adjustment
    whose selector matches no debt of this portfolio (``kind:card`` where there
    is no card, a name it does not have, ``overdue`` where nothing is) is
    skipped: one scenario is meant for every portfolio of a book.
    """
    out = list(debts)
    for adjustment in scenario.adjustments:
        try:
            adjustment.selects(out)
        except PlannerError:
            continue
        out = adjustment.apply(out)
    return out


def apply_scenario(book: Book, scenario, *, progress: Callable[[int], None] | None = None) -> Book:
    """``book`` with ``scenario`` applied to every portfolio (see :func:`adjust`).

    Adjustments are functions of :class:`Debt` objects, so this step runs in
    Python, one portfolio at a time (tens of microseconds a debt); the plans
    that follow are vectorised as usual.
    """
    portfolios = []
    for p in range(book.size):
        portfolios.append(adjust(scenario, book.full_debts(p)))
        if progress and (p + 1) % 10_000 == 0:
            progress(10_000)
    budgets = [Decimal(int(c)) / 100 for c in book.budget]
    return book_from_debts(portfolios, budgets, book.ids)


# ---------------------------------------------------------------------------
# files and tables: what ``planner batch`` and the Dask engine call


def read_table(path, *, encoding: str | None = None):
    """A long table of debts from CSV (every cell read as text, as the loader does) or Parquet."""
    import pandas as pd

    from pathlib import Path

    source = Path(path)
    if not source.is_file():
        raise InputError([Problem("找不到文件。请检查路径。", "file not found. Check the path.")], str(path))
    suffix = source.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(source)
        for enc in (encoding,) if encoding else ("utf-8-sig", "gb18030"):
            try:
                frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding=enc)
            except UnicodeDecodeError:
                continue
            if enc == "gb18030" and not encoding:
                _check_gb18030_reading(source)
            return frame
    except (ValueError, OSError) as exc:
        raise InputError([Problem(f"无法读取表格：{exc}", f"cannot read the table: {exc}")], str(path)) from None
    raise InputError(
        [Problem("无法识别文件编码。请另存为 UTF-8 CSV 或 Parquet。", "cannot read the text encoding. Save it as UTF-8 CSV or Parquet.")],
        str(path),
    )


#: Bytes of a CSV that the encoding check looks at (enough for the detector; a book may be large).
_ENCODING_SAMPLE = 1 << 20


def _check_gb18030_reading(source) -> None:
    """Refuse a CSV whose GB18030 reading looks garbled (Big5, Shift-JIS), as the loader does."""
    from ..io import suspect_encoding, wrong_encoding_problem

    with open(source, "rb") as handle:
        data = handle.read(_ENCODING_SAMPLE)
    cut = data.rfind(b"\n") + 1 if len(data) == _ENCODING_SAMPLE else len(data)  # whole lines only
    data = data[: cut or len(data)]
    text = data.decode("gb18030", errors="replace")
    likely = suspect_encoding(data, text)
    if likely is not None:
        raise InputError([wrong_encoding_problem(likely, text)], str(source))


def strategy_list(strategies) -> list[str]:
    names = [strategies] if isinstance(strategies, str) else list(strategies)
    out: list[str] = []
    for name in names:
        for part in str(name).split(","):
            part = part.strip()
            if part == "all":
                out.extend(BATCH_STRATEGIES)
            elif part:
                out.append(part)
    out = list(dict.fromkeys(out))
    for name in out:
        if name not in BATCH_STRATEGIES:
            raise PlannerError(
                f"批量计算不支持此策略 / the batch engine does not support the strategy {name!r}; "
                f"choose one of: {', '.join(BATCH_STRATEGIES)}, all"
            )
    return out or ["avalanche"]


def batch_frame(
    frame,
    budget_column: str = "budget",
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    schedules: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    source: str = "table",
    id_column: str = "portfolio_id",
    progress: Callable[[int], None] | None = None,
):
    """Results for a long table: one row per portfolio and strategy (and the schedules when asked).

    Returns ``(results, schedules)``; ``schedules`` is ``None`` unless asked for:
    a long frame of portfolio_id, strategy, month, debt and the amounts in yuan.
    """
    import pandas as pd

    names = strategy_list(strategies)
    book = book_from_frame(frame, budget_column, source=source, id_column=id_column)
    runs = run_books(book, names, horizon=horizon, schedules=schedules, workers=workers, chunk_size=chunk_size, progress=progress, scenario=scenario)
    results = [runs[name].to_frame() for name in names]
    schedule_frames = [schedule_frame(book, runs[name]) for name in names] if schedules else []
    table = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    if scenario is not None:
        table.insert(2, "scenario", pd.array([scenario.name] * len(table), dtype="string"))
    return table, (pd.concat(schedule_frames, ignore_index=True) if schedules else None)


def schedule_frame(book: Book, result: BatchResult):
    """The schedules of a :class:`BatchResult` as a long DataFrame (yuan as floats)."""
    import pandas as pd

    sch = result.schedule
    p = sch["portfolio"].astype(np.int64)
    rows = book.start[p] + sch["debt"].astype(np.int64)
    ids = np.asarray(book.ids, dtype=object)
    names = np.asarray(book.names, dtype=object)
    frame = pd.DataFrame(
        {
            "portfolio_id": ids[p] if len(p) else np.zeros(0, dtype=object),
            "strategy": pd.array([result.strategy] * len(p), dtype="string"),
            "month": sch["month"].astype(np.int64),
            "debt": pd.array(names[book.name_code[rows]] if len(p) else [], dtype="string"),
        }
    )
    for key, column in (("opening", "opening_balance"), ("interest", "interest"), ("payment", "payment"),
                        ("closing", "closing_balance"), ("fees", "fees_owed"), ("forgiven", "forgiven")):
        frame[column] = np.asarray(sch[key] / 100, dtype=np.float64)
    return frame


def _partition(frame, budget_column, strategies, horizon, scenario, id_column):
    """One Dask partition (every row of its portfolios) through the local engine, in-process."""
    if len(frame) == 0:
        return _result_meta(frame[id_column].dtype, scenario is not None)
    try:
        table, _ = batch_frame(
            frame.reset_index(drop=True), budget_column, strategies, scenario=scenario, horizon=horizon,
            workers=1, source="partition", id_column=id_column,
        )
    except PlannerError as exc:
        # A plain PlannerError travels back from a remote worker intact (pickled by its message).
        raise PlannerError(str(exc)) from None
    return table


def batch_dask(
    data,
    budget_column: str = "budget",
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    id_column: str = "portfolio_id",
):
    """The same results over a partitioned Dask DataFrame (or a CSV/Parquet path or glob).

    Rows are shuffled on ``id_column`` so each portfolio lies in one partition;
    each partition then runs :func:`batch_frame`. Uses the active Dask scheduler
    (a ``distributed.Client`` if one is set up). Returns a pandas DataFrame
    sorted by strategy and portfolio id. Needs the ``batch`` extra (dask).
    """
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask is in the batch extra
        raise PlannerError("需要安装 dask：pip install 'debt-planner[batch]' / the dask engine needs dask: pip install 'debt-planner[batch]'") from None

    names = strategy_list(strategies)
    label = str(data) if isinstance(data, (str, os.PathLike)) else "dask"
    if isinstance(data, (str, os.PathLike)):
        text = str(data)
        kind, paths = dask_inputs(text)
        if kind == "parquet" and not isinstance(paths, str):
            _refuse_nested_id(paths, id_column)  # the shuffle on it would fail before any partition could say why
        try:
            if kind == "parquet":
                ddf = dd.read_parquet(paths)
            else:
                ddf = dd.read_csv(paths, dtype=str, keep_default_na=False, encoding="utf-8-sig", blocksize="64MB")
        except (UnicodeDecodeError, OSError, ValueError) as exc:
            raise InputError(
                [Problem(f"无法读取表格：{exc}。Dask 引擎读取 UTF-8 CSV 或 Parquet。", f"cannot read the table: {exc}. The Dask engine reads UTF-8 CSV or Parquet.")],
                label,
            ) from None
    else:
        ddf = data
    if id_column not in ddf.columns:
        raise InputError([Problem(f"缺少必需的列：{id_column}。", f"the required column {id_column} is missing.")], "dask")
    if ddf.npartitions > 1:
        ddf = ddf.shuffle(on=id_column)
    sample = ddf._meta if hasattr(ddf, "_meta") else ddf.head(0)
    meta = _result_meta(sample[id_column].dtype, scenario is not None)
    try:
        out = ddf.map_partitions(_partition, budget_column, names, horizon, scenario, id_column, meta=meta).compute()
    except PlannerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file that fails only when read: pyarrow's errors, decoding, I/O
        if not isinstance(exc, (UnicodeDecodeError, OSError)) and not type(exc).__module__.startswith("pyarrow"):
            raise
        raise InputError(
            [Problem(f"无法读取表格：{exc}。Dask 引擎读取 UTF-8 CSV 或 Parquet。", f"cannot read the table: {exc}. The Dask engine reads UTF-8 CSV or Parquet.")],
            label,
        ) from None
        raise InputError(
            [Problem(f"无法读取表格：{exc}。Dask 引擎读取 UTF-8 CSV 或 Parquet。", f"cannot read the table: {exc}. The Dask engine reads UTF-8 CSV or Parquet.")],
            label,
        ) from None
    out = out.sort_values(["strategy", "portfolio_id"], kind="stable").reset_index(drop=True)
    return out


_PARQUET_MAGIC = b"PAR1"


def dask_inputs(text: str) -> tuple[str, str | list[str]]:
    """What ``--engine dask`` reads from a path, folder or glob: ``("parquet" | "csv", paths)``.

    A folder or glob is listed (hidden files and ``_SUCCESS``-style markers aside) and
    every file classified, Parquet by its suffix or its ``PAR1`` signature, CSV by its
    suffix. A mix of the two is refused (Dask would read only one kind and drop the
    other's portfolios silently), as is any other file, and a Parquet file whose footer
    cannot be read is named as damaged. A remote URL (``s3://...``) is passed on as is.
    """
    if "://" in text:
        return ("parquet" if text.lower().endswith((".parquet", ".pq")) else "csv"), text
    if os.path.isdir(text):
        files = sorted(os.path.join(text, f) for f in os.listdir(text) if not f.startswith((".", "_")))
        files = [f for f in files if os.path.isfile(f)]
    elif any(ch in text for ch in "*?["):
        import glob

        files = sorted(f for f in glob.glob(text) if os.path.isfile(f) and not os.path.basename(f).startswith((".", "_")))
    else:
        return ("parquet" if text.lower().endswith((".parquet", ".pq")) else "csv"), text
    if not files:
        raise InputError([Problem("没有找到任何文件。请检查路径。", "no files found there. Check the path.")], text)
    parquet, csv_files, other = [], [], []
    for f in files:
        lower = f.lower()
        if lower.endswith((".parquet", ".pq")) or _starts_with(f, _PARQUET_MAGIC):
            parquet.append(f)
        elif lower.endswith(".csv"):
            csv_files.append(f)
        else:
            other.append(f)
    if other:
        shown = ", ".join(os.path.basename(f) for f in other[:5])
        raise InputError(
            [Problem(f"文件夹里有既不是 Parquet 也不是 CSV 的文件：{shown}。请把它们移走。",
                     f"the folder holds files that are neither Parquet nor CSV: {shown}. Move them out.")],
            text,
        )
    if parquet and csv_files:
        raise InputError(
            [
                Problem(
                    f"文件夹里同时有 {len(parquet)} 个 Parquet 文件和 {len(csv_files)} 个 CSV 文件（例如 {os.path.basename(csv_files[0])}）。"
                    "Dask 只会读其中一种，另一种文件里的组合会被悄悄漏掉。请把它们放进不同的文件夹，或都转成同一种格式。",
                    f"the folder holds {len(parquet)} Parquet and {len(csv_files)} CSV files (e.g. {os.path.basename(csv_files[0])}). "
                    "Dask would read only one kind and silently drop the other's portfolios: put them in separate folders, "
                    "or convert them to one format.",
                )
            ],
            text,
        )
    if parquet:
        import pyarrow.parquet as pq

        for f in parquet:
            try:
                pq.read_metadata(f)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError...: all mean a damaged file
                raise InputError(
                    [Problem(f"Parquet 文件已损坏，无法读取（{exc}）。请重新导出这个文件，或把它移出文件夹。",
                             f"the Parquet file is damaged and cannot be read ({exc}). Export it again, or move it out of the folder.",
                             value=os.path.basename(f))],
                    f,
                ) from None
        return "parquet", parquet
    _same_csv_header(csv_files, text)
    return "csv", csv_files


def _first_line(path: str) -> bytes:
    with open(path, "rb") as handle:
        line = handle.readline(64 * 1024)
    return line.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n")


def _same_csv_header(files: list[str], label: str) -> None:
    """Refuse CSV files whose header lines differ: Dask reads every file with the first one's
    columns, so a file with other columns, or the same ones in another order, would be misread."""
    first = _first_line(files[0])
    for f in files[1:]:
        if _first_line(f) != first:
            raise InputError(
                [
                    Problem(
                        f"{os.path.basename(f)} 的表头与 {os.path.basename(files[0])} 不同。Dask 按第一个文件的列读取所有文件，"
                        "列不同或顺序不同都会读错。请让每个文件的表头完全相同。",
                        f"the header of {os.path.basename(f)} differs from that of {os.path.basename(files[0])}. Dask reads every file "
                        "with the first one's columns, so other columns or another order would be misread: give every file the same header.",
                        value=_first_line(f).decode("utf-8", errors="replace")[:60],
                    )
                ],
                label,
            )


def _refuse_nested_id(paths: list[str], id_column: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for f in paths:
        schema = pq.read_schema(f)
        if id_column in schema.names:
            kind = schema.field(id_column).type
            if pa.types.is_nested(kind):
                raise InputError(
                    [
                        Problem(
                            f"组合编号列 {id_column} 是嵌套类型（{kind}），每个单元格应是一个值。请把这一列存成普通的数字或文字。",
                            f"the portfolio id column {id_column} has a nested type ({kind}); each cell must be one value. "
                            "Store this column as plain numbers or text.",
                            column=id_column,
                        )
                    ],
                    f,
                )


def _starts_with(path: str, signature: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(signature)) == signature
    except OSError:
        return False


def _result_meta(id_dtype, with_scenario: bool):
    import pandas as pd

    columns = {
        "portfolio_id": pd.Series([], dtype=id_dtype),
        "strategy": pd.Series([], dtype="string"),
        "status": pd.Series([], dtype="string"),
        "months": pd.Series([], dtype="Int64"),
        "total_interest": pd.Series([], dtype="float64"),
        "total_paid": pd.Series([], dtype="float64"),
        "total_forgiven": pd.Series([], dtype="float64"),
        "remaining": pd.Series([], dtype="float64"),
        "unspent": pd.Series([], dtype="float64"),
        "infeasible_month": pd.Series([], dtype="Int64"),
        "shortfall": pd.Series([], dtype="float64"),
    }
    if with_scenario:
        columns = dict(list(columns.items())[:2] + [("scenario", pd.Series([], dtype="string"))] + list(columns.items())[2:])
    return pd.DataFrame(columns)
