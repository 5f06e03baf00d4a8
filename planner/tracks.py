"""The fast single-plan engine: minimum-payment tracks, shared between plans.

The rules are :mod:`planner.engine`'s (its ``_simulate`` is the reference: a
plain monthly loop over every open debt). This module computes the same
schedule, to the cent, with less work, from one observation: in a month in
which a debt gets only its minimum, what happens to it depends on nothing but
its own terms and balance. So each debt's *track* (its months under minimum
payments alone, from month 1 until it clears or the horizon ends) is computed
once and shared by every plan of the same debts, whatever the strategy, budget
or extra payments; only the few debts that receive the rest of the budget (the
strategy's current target, and the next one when the target clears mid-month)
are simulated month by month. A debt leaves its track for good the first month
it gets more than its minimum.

The sum of the minimums of the debts still on their tracks, which decides how
much of the budget is left over and whether the budget is feasible, is kept
as a running total of changes (a track's minimum changes only when the debt is
held, settles or makes its last, smaller payment).

The schedule rows (one per open debt per month) are not built until someone
reads them: a plan keeps each debt's track and its own months, and the
per-debt totals that the summaries need.

Tracks are cached (:func:`track`, keyed on the debt's terms in cents): a
notebook or a widget that plans the same debts again (another budget, another
strategy) starts from the tracks it already has. Tests in
``tests/core/test_tracks.py`` hold this engine equal to the reference, row for
row, with Hypothesis.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from .errors import InfeasibleBudgetError
from .money import from_cents, half_up
from .result import _Columns

#: How many debt tracks the cache keeps (each at most a horizon of months long).
TRACK_CACHE_SIZE = 512


class Track(NamedTuple):
    """One debt under minimum payments alone, months ``first`` to ``last``, integer cents.

    Each tuple has one entry per month from ``first``: ``opening`` balance,
    ``interest`` added, ``pay`` (minimum or settlement), ``closing`` balance and
    ``fees`` still owed after the month, ``forgiven`` (a settlement's write-off),
    ``takes`` (whether the debt takes payments that month: not held, not
    settled). ``need`` is ``(month, change)`` pairs of the minimum it adds to the
    month's required payments; ``cleared`` says whether ``last`` is its payoff
    month (else the horizon); ``lump`` is a settlement's payment in ``last``.
    ``sums`` are prefix sums of interest, pay and forgiven (entry k: months
    before ``first + k``).
    """

    first: int
    last: int
    cleared: bool
    opening: tuple
    interest: tuple
    pay: tuple
    closing: tuple
    fees: tuple
    forgiven: tuple
    takes: tuple
    need: tuple
    lump: int
    sums: tuple


@lru_cache(maxsize=TRACK_CACHE_SIZE)
def track(bal: int, fees: int, minp: int, rnum: int, rden: int, dfrom: int, dto: int, dint: bool,
          smonth: int | None, snum: int, sden: int, first: int, horizon: int) -> Track:
    """The minimum-payment track of one debt from the opening of month ``first`` (the engine's rules).

    Parameters
    ----------
    bal, fees : int
        Balance and fees owed at the opening of month ``first``, cents; together more than zero.
    minp : int
        The minimum payment, cents.
    rnum, rden : int
        The monthly rate as an exact ratio (:func:`~planner.money.rate_ratio`).
    dfrom, dto : int
        Payment holiday: no payment in months ``dfrom <= m < dto``.
    dint : bool
        Whether interest accrues during the holiday.
    smonth : int or None
        Settlement month; ``snum / sden`` the share of what is owed paid then.
    first, horizon : int
        The first month of the track and the last month any plan runs.

    Returns
    -------
    Track
        Months ``first`` to the payoff month or ``horizon``, whichever comes first.

    Examples
    --------
    >>> t = track(10000, 0, 6000, 1, 100, 1, 1, False, None, 0, 1, 1, 600)
    >>> t.last, t.cleared, t.interest, t.pay, t.need
    (2, True, (100, 41), (6000, 4141), ((1, 6000), (2, -1859), (3, -4141)))
    """
    rows = []  # (opening, interest, pay, closing, fees, forgiven, takes) a month
    b, f = bal, fees
    m = first - 1
    lump = 0
    plain_from = max(dto, (smonth or 0) + 1)  # from this month on: no holiday, no settlement
    while True:
        m += 1
        opening = b
        if m >= plain_from:  # the common month: interest, then the minimum (fees first)
            x = half_up(b * rnum, rden)
            b += x
            due = b + f
            p = minp if minp < due else due
            if f:
                to_fees = p if p < f else f
                f -= to_fees
                b -= p - to_fees
            else:
                b -= p
            rows.append((opening, x, p, b, f, 0, True))
        elif smonth == m:  # settled: a share of what is owed is paid, the rest forgiven
            owed = b + f
            lump = half_up(owed * snum, sden)
            b = f = 0
            rows.append((opening, 0, lump, 0, 0, owed - lump, False))
        else:
            held = dfrom <= m < dto
            x = 0 if held and not dint else half_up(b * rnum, rden)
            b += x
            p = 0
            if not held:
                due = b + f
                p = minp if minp < due else due
                if f:
                    to_fees = p if p < f else f
                    f -= to_fees
                    b -= p - to_fees
                else:
                    b -= p
            rows.append((opening, x, p, b, f, 0, not held))
        if b + f == 0 or m >= horizon:
            break
    opening, interest, pay, closing, owed_fees, forgiven, takes = zip(*rows)
    need, before = [], 0
    for k, p in enumerate(pay):
        now = p if takes[k] else 0
        if now != before:
            need.append((first + k, now - before))
            before = now
    if before:
        need.append((m + 1, -before))
    sums = [(0, *accumulate(column)) for column in (interest, pay, forgiven)]
    return Track(first, m, b + f == 0, opening, interest, pay, closing, owed_fees, forgiven, takes, tuple(need), lump,
                 tuple(sums))


def simulate(terms: tuple, base: int, priority: list[int], extras: dict[int, int], changes: dict[int, int],
             horizon: int) -> _Columns:
    """The engine's month loop (no change of terms), with tracks: the same columns as the reference.

    Parameters
    ----------
    terms : tuple
        The per-debt lists of :func:`planner.engine._terms`: balance, fees, minimum, rate
        ratio, holiday, interest in the holiday, settlement month and share.
    base : int
        The monthly budget, cents.
    priority : list of int
        Debt positions in the order the rest of the budget goes to them.
    extras, changes : dict of int to int
        One-off extra cents by month; the new monthly budget from a month on.
    horizon : int
        The most months simulated.

    Returns
    -------
    _Columns
        The plan's columns; the schedule rows are built when first read.

    Raises
    ------
    InfeasibleBudgetError
        When a month's budget does not cover the minimum payments due.
    """
    bal, fees, minp, rnum, rden, dfrom, dto, dint, smonth, sfrac = (list(x) for x in terms)
    n = len(bal)
    cols = _Columns(n, lazy=True)
    payoff = cols.payoff
    tracks: list[Track | None] = [None] * n
    delta = [0] * (horizon + 2)  # change of the tracks' minimums, by month
    clears = [0] * (horizon + 2)  # debts whose tracks clear, by month
    open_count = 0
    for i in range(n):
        owed = bal[i] + fees[i]
        cols.start_owed[i] = owed
        if owed == 0:
            payoff[i] = 0
            continue
        open_count += 1
        s = sfrac[i] or (0, 1)
        t = tracks[i] = track(bal[i], fees[i], minp[i], rnum[i], rden[i], dfrom[i], dto[i], bool(dint[i]),
                              smonth[i], s[0], s[1], 1, horizon)
        for month, change in t.need:
            delta[month] += change
        if t.cleared:
            clears[t.last] += 1
    # Debts that have left their tracks: from month left[i] on, their own rows, one
    # (opening, interest, payment, closing, fees, forgiven) tuple a month.
    left: list[int | None] = [None] * n
    own: list[list | None] = [None] * n
    active: list[int] = []
    gone = [t is None for t in tracks]  # nothing owed, or cleared off its track
    takes = [False] * n  # an active debt takes payments this month
    opening, interest, paid, forgiven = [0] * n, [0] * n, [0] * n, [0] * n  # this month's, active debts
    level = lump = unspent = 0
    monthly = base
    head, count = 0, len(priority)  # priority[:head] are cleared for good
    m = 0
    while open_count and m < horizon:
        m += 1
        if m in changes:
            monthly = changes[m]
        cash = monthly + extras.get(m, 0)
        level += delta[m]
        required = level
        # 1. the debts off their tracks: settlement, holiday, interest, minimum
        for i in active:
            b, f = bal[i], fees[i]
            opening[i] = b
            if smonth[i] == m:  # settled: a share of what is owed is paid, the rest forgiven
                owed = b + f
                amount = half_up(owed * sfrac[i][0], sfrac[i][1])
                lump += amount
                interest[i], paid[i], forgiven[i] = 0, amount, owed - amount
                bal[i] = fees[i] = 0
                takes[i] = False
                continue
            forgiven[i] = 0
            held = dfrom[i] <= m < dto[i]
            if held and not dint[i]:
                interest[i] = 0
            else:
                x = half_up(b * rnum[i], rden[i])
                interest[i] = x
                b += x
            if held:
                paid[i] = 0
                bal[i] = b
                takes[i] = False
                continue
            due = b + f
            pay = minp[i] if minp[i] < due else due
            required += pay
            paid[i] = pay
            if f:
                to_fees = pay if pay < f else f
                fees[i] = f - to_fees
                b -= pay - to_fees
            else:
                b -= pay
            bal[i] = b
            takes[i] = True
        if required > cash:
            raise InfeasibleBudgetError(from_cents(cash), from_cents(required), m)
        cash -= required
        # 2. the rest of the budget in priority order
        if cash > 0:
            j = head
            while j < count:
                i = priority[j]
                j += 1
                if gone[i]:
                    if j - 1 == head:
                        head = j
                    continue
                if left[i] is None:
                    t = tracks[i]
                    k = m - t.first
                    if k >= len(t.pay):  # cleared on its track before this month
                        if j - 1 == head:
                            head = j
                        continue
                    if not t.takes[k]:
                        continue
                    f = t.fees[k]
                    due = t.closing[k] + f
                    if not due:
                        continue
                    # It leaves its track: this month's row is the track's plus what it gets now.
                    left[i] = m
                    for month, change in t.need:
                        if month > m:
                            delta[month] -= change
                    delta[m + 1] -= t.pay[k]
                    if t.cleared:
                        clears[t.last] -= 1
                    own[i] = []
                    opening[i], interest[i], paid[i], forgiven[i] = t.opening[k], t.interest[k], t.pay[k], t.forgiven[k]
                    bal[i] = t.closing[k]
                    fees[i] = f
                    active.append(i)
                elif not takes[i]:
                    continue
                f = fees[i]
                due = bal[i] + f
                if due:
                    pay = cash if cash < due else due
                    to_fees = pay if pay < f else f
                    fees[i] = f - to_fees
                    bal[i] -= pay - to_fees
                    paid[i] += pay
                    cash -= pay
                    if cash <= 0:
                        break
            unspent += cash if cash > 0 else 0
        # 3. the month's rows of the debts off their tracks; cleared debts leave
        cleared = False
        for i in active:
            b, f = bal[i], fees[i]
            own[i].append((opening[i], interest[i], paid[i], b, f, forgiven[i]))
            if b + f == 0:
                payoff[i] = m
                gone[i] = cleared = True
                open_count -= 1
        if cleared:
            active = [i for i in active if not gone[i]]
        open_count -= clears[m]
    cols.months_run = m
    interest_sum, paid_sum, forgiven_sum = [0] * n, [0] * n, [0] * n
    for i in range(n):
        t = tracks[i]
        if t is None:
            continue
        if left[i] is None:
            payoff[i] = t.last if t.cleared else None
            cols.end_owed[i] = t.closing[-1] + t.fees[-1]
            interest_sum[i], paid_sum[i], forgiven_sum[i] = (s[-1] for s in t.sums)
            lump += t.lump
        else:
            k = left[i] - t.first
            rows = own[i]
            cols.end_owed[i] = bal[i] + fees[i]
            interest_sum[i] = t.sums[0][k] + sum(r[1] for r in rows)
            paid_sum[i] = t.sums[1][k] + sum(r[2] for r in rows)
            forgiven_sum[i] = t.sums[2][k] + sum(r[5] for r in rows)
    cols.lump = lump
    cols.unspent = unspent
    cols.sums = (interest_sum, paid_sum, forgiven_sum)
    cols.builder = _Rows(tracks, left, own, m)
    return cols


class _Rows:
    """Builds a plan's schedule rows from its tracks and its debts' own months, when first read."""

    __slots__ = ("tracks", "left", "own", "months")

    def __init__(self, tracks, left, own, months):
        self.tracks, self.left, self.own, self.months = tracks, left, own, months

    def by_debt(self) -> list[tuple[list, ...] | None]:
        """Per debt: (opening, interest, payment, closing, fees, forgiven), month 1 on; None if nothing was owed."""
        out = []
        for t, start, rows in zip(self.tracks, self.left, self.own):
            if t is None:
                out.append(None)
                continue
            if start is None:
                end = min(len(t.pay), self.months - t.first + 1)
                out.append(tuple(list(c[:end]) for c in (t.opening, t.interest, t.pay, t.closing, t.fees, t.forgiven)))
            else:
                k = start - t.first
                mine = list(zip(*rows))
                out.append(tuple(list(c[:k]) + list(r) for c, r in zip((t.opening, t.interest, t.pay, t.closing, t.fees, t.forgiven), mine)))
        return out

    def __call__(self) -> tuple[list, ...]:
        """The eight schedule columns, in order (month, then the debts' order)."""
        series = self.by_debt()
        flat = [[] for _ in range(6)]
        offset, length = [], []
        for s in series:
            offset.append(len(flat[0]))
            length.append(len(s[0]) if s is not None else 0)
            if s is not None:
                for column, values in zip(flat, s):
                    column.extend(values)
        month, debt, order = [], [], []
        for m in range(1, self.months + 1):
            for i, size in enumerate(length):
                if size >= m:
                    month.append(m)
                    debt.append(i)
                    order.append(offset[i] + m - 1)
        if not order:
            return month, debt, [], [], [], [], [], []
        pick = itemgetter(*order)
        if len(order) == 1:
            return (month, debt, *([column[order[0]]] for column in flat))
        return (month, debt, *(list(pick(column)) for column in flat))


__all__ = ["TRACK_CACHE_SIZE", "Track", "simulate", "track"]
