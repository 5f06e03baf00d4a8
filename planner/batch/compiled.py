"""The batch engine's month loop, compiled with numba: the one batch implementation of the month rule.

One portfolio at a time, straight from the book's long arrays: its debts are
put in the strategy's order (an insertion sort on the strategy's keys, exact
where floats tie), then planned month by month in int64 cents under the rules of
:func:`planner.engine._simulate` (conventions in :mod:`planner.engine`): settlements,
payment holidays and interest half-up on the opening balance, the minimums, the rest
of the budget in priority order with the cascade, fees first. Rounding is
:func:`planner.money.half_up`'s rule (:func:`half_up_unsigned`). Tests hold
:func:`plan_span` equal to the reference engine, portfolio by portfolio (Hypothesis).

Compiled once per machine (``cache=True``: later processes load the machine code
from ``__pycache__``); worker processes fork after the load. With the environment
variable ``NUMBA_DISABLE_JIT=1`` the same functions run as plain Python, for
debugging (slowly). Portfolios whose amounts could pass int64, or whose order cannot
be settled exactly in int64, are flagged for the exact reference engine.
"""

from __future__ import annotations

import numba
import numpy as np

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@numba.njit(**_JIT)
def half_up_unsigned(numerator, denominator):
    """:func:`planner.money.half_up` with an unsigned division: the same integer wherever the loop uses it.

    ``(2 * numerator + denominator) // (2 * denominator)`` with both sides as uint64. Every
    call here has ``0 <= numerator`` (balances are never negative: the loaders refuse them and
    no payment exceeds what is owed) and ``1 <= denominator``, with ``2 * numerator + denominator``
    at most ``2**62`` (the loop checks a balance against its rate's limit, and a settlement's
    amount, first; sort keys are worked out only for portfolios that passed that check), so
    both operands are non-negative int64 values that uint64 holds unchanged, and for
    non-negative operands truncating division is floor division: the quotient is
    ``money.half_up``'s, exactly. Numba's signed ``//`` adds sign fix-ups (floor, not
    truncation) that cost about a tenth of the month loop. Tested against ``money.half_up``
    (tests/batch/test_compiled.py).
    """
    return np.int64(np.uint64(2 * numerator + denominator) // np.uint64(2 * denominator))

_SAFE = 1 << 62
_EXACT = 1 << 31  # two amounts below this multiply exactly in int64

#: Sort fields by number, as :func:`plan_span` reads them (names of :data:`planner.strategies.FIELDS`).
FIELD_CODES = {"rate": 0, "owed": 1, "monthly_interest": 2, "cash_flow_index": 3, "name": 4}


#: What :func:`plan_span` reads of a book, per debt row (long arrays, one tuple): see :func:`plan_span`.
DEBT_ARRAYS = ("balance", "fees", "minimum", "rate_code", "name_code", "defer_from", "defer_to", "defer_interest",
               "settle_month", "settle_code", "min_code", "min_floor", "min_statement")
#: Per rate, name and settlement code (one tuple): see :func:`plan_span`.
CODE_ARRAYS = ("rnum", "rden", "rlimit", "rrank", "nrank", "snum", "sden", "mnum", "mden", "mlimit")
#: The totals :func:`plan_span` returns, one array each, one entry a portfolio.
TOTALS = ("months", "interest", "paid", "forgiven", "remaining", "unspent", "status", "infeasible_month", "shortfall",
          "fallback")
#: The schedule columns :func:`plan_span` returns.
SCHEDULE = ("portfolio", "month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven")

# One portfolio's open debts, packed in priority order: the rows of the work array.
_BAL, _FEE, _MIN, _RN, _RD, _LIM, _OWN, _DF, _DT, _DI, _SM, _SN, _SD, _MN, _MD, _MF, _MS, _ML = range(18)
_WORK_ROWS = 18

_OK, _INFEASIBLE, _FALLBACK = 0, 1, 2


@numba.njit(**_JIT)
def _grow(a, n, size):
    out = np.empty(size, dtype=a.dtype)
    out[:n] = a[:n]
    return out


@numba.njit(**_JIT)
def _fields(r0, nd, keyf, debts, codes, fi, ff, owed0, min0):
    """The sort fields ``keyf`` (:data:`FIELD_CODES`) of the debts at book rows ``r0`` to
    ``r0 + nd``: ``fi[c, field]`` as integers (exact), the cash-flow index as a float in
    ``ff[c]``; each debt's owed and minimum in ``owed0``/``min0``."""
    balance, fees, minimum, rate_code, name_code = debts[0], debts[1], debts[2], debts[3], debts[4]
    rnum, rden, rrank, nrank = codes[0], codes[1], codes[3], codes[4]
    for c in range(nd):
        r = r0 + c
        code = rate_code[r]
        owed0[c] = balance[r] + fees[r]
        min0[c] = minimum[r]
        for fk in keyf:
            if fk == 0:
                fi[c, 0] = rrank[code]
            elif fk == 1:
                fi[c, 1] = owed0[c]
            elif fk == 2:
                fi[c, 2] = half_up_unsigned(balance[r] * rnum[code], rden[code])
            elif fk == 3:
                ff[c] = owed0[c] / min0[c] if min0[c] > 0 else np.inf
            else:
                fi[c, 4] = nrank[name_code[r]]


@numba.njit(inline="always", **_JIT)
def _sort(nd, keyf, keyd, K, fi, ff, owed0, min0, order):
    """Put own positions ``0..nd-1`` into ``order`` by the strategy's ``K`` sort keys over the
    fields :func:`_fields` worked out: an insertion sort, stable as Python's ``sorted``; a tie
    of cash-flow indexes as floats is settled by cross products. Returns True when such a tie
    could not be settled in int64 (the single engine plans the portfolio)."""
    for c in range(nd):
        order[c] = c
    flag = False
    for c in range(1, nd):
        w = order[c]
        i = c - 1
        while i >= 0:
            u = order[i]
            s = 0  # -1: w before u
            for kk in range(K):
                fk = keyf[kk]
                if fk != 3:
                    a = fi[w, fk]
                    b = fi[u, fk]
                    if a != b:
                        s = -1 if (a < b) != keyd[kk] else 1
                        break
                    continue
                xf = ff[w]  # ascending only (Key refuses it descending)
                yf = ff[u]
                if xf != yf:
                    s = -1 if xf < yf else 1
                    break
                if min0[w] <= 0 or min0[u] <= 0:
                    continue  # level; no minimum: after every ratio, level with each other
                if owed0[w] >= _EXACT or owed0[u] >= _EXACT or min0[w] >= _EXACT or min0[u] >= _EXACT:
                    flag = True  # the floats tie and the cross products could pass int64
                    continue
                x2 = owed0[w] * min0[u]
                y2 = owed0[u] * min0[w]
                if x2 != y2:
                    s = -1 if x2 < y2 else 1
                    break
            if s >= 0:
                break
            order[i + 1] = u
            i -= 1
        order[i + 1] = w
    return flag


@numba.njit(**_JIT)
def _pack(r0, nd, order, debts, codes, w):
    """The portfolio's open debts (book rows ``r0 + order[c]``, in priority order) into the
    columns of the work array ``w``; returns how many, or -1 when an amount could pass int64
    (the reference engine plans the portfolio)."""
    balance, fees, minimum, rate_code = debts[0], debts[1], debts[2], debts[3]
    dfrom, dto, dint, smonth, scode = debts[5], debts[6], debts[7], debts[8], debts[9]
    mcode, mfloor, mstatement = debts[10], debts[11], debts[12]
    rnum, rden, rlimit, snum, sden = codes[0], codes[1], codes[2], codes[5], codes[6]
    mnum, mden, mlimit = codes[7], codes[8], codes[9]
    na = 0
    for c in range(nd):
        o = order[c]
        r = r0 + o
        code = rate_code[r]
        if rlimit[code] < 0 or balance[r] > rlimit[code]:
            return -1  # interest could pass int64
        if smonth[r] > 0 and sden[scode[r]] == 0:
            return -1  # the settlement's share does not fit int64
        if mcode[r] > 0 and mlimit[mcode[r]] < 0:
            return -1  # the minimum's share does not fit int64
        if balance[r] + fees[r] == 0:
            continue
        w[_BAL, na] = balance[r]
        w[_FEE, na] = fees[r]
        w[_MIN, na] = minimum[r]
        w[_RN, na] = rnum[code]
        w[_RD, na] = rden[code]
        w[_LIM, na] = rlimit[code]
        w[_OWN, na] = o
        w[_DF, na] = dfrom[r]
        w[_DT, na] = dto[r]
        w[_DI, na] = dint[r]
        w[_SM, na] = smonth[r]
        w[_SN, na] = 0
        w[_SD, na] = 1
        w[_MN, na] = mnum[mcode[r]]  # 0 (den 1) for a fixed minimum
        w[_MD, na] = mden[mcode[r]]
        w[_MF, na] = mfloor[r]
        w[_MS, na] = mstatement[r]
        w[_ML, na] = mlimit[mcode[r]]
        if smonth[r] > 0:
            s = scode[r]
            w[_SN, na] = snum[s]
            w[_SD, na] = sden[s]
        na += 1
    return na


@numba.njit(**_JIT)
def _plan_portfolios(p0, lo, hi, start, debts, codes, budget, bad, keyf, keyd, horizon, want, totals, rows, n):
    """The month rule for portfolios ``p0`` to ``hi`` (book positions): totals into ``totals``
    (:data:`TOTALS`, entry ``p - lo``) and, with ``want``, schedule rows into ``rows``
    (:data:`SCHEDULE`) from row ``n``. Returns the portfolio it stopped at (``hi`` when done;
    earlier when the rows have no room for that portfolio's longest schedule) and the rows
    written. No array here is ever replaced (numba counts references to an array a variable may
    be replaced with at every turn of the loop), so :func:`plan_span` grows them between calls.

    Each month, over the portfolio's open debts packed in priority order (a debt paid off
    leaves and the rest move up, so a month costs its open debts and no more):

    1. the opening: a settlement pays its share of what is owed (on top of the budget) and
       the rest is forgiven; otherwise interest on the opening balance, half-up (none in a
       payment holiday without interest), and outside a holiday the minimum falls due (fixed,
       or a share of the balance: :func:`planner.debt.minimum_due`);
    2. the budget must cover the minimums; every debt taking payments gets its minimum and,
       with a strategy (``keyf`` not empty), the rest goes in priority order, each debt up
       to what it owes, cascading to the next; payments go to fees first.
    """
    months, tot_interest, tot_paid, tot_forgiven, remaining, unspent = (
        totals[0], totals[1], totals[2], totals[3], totals[4], totals[5])
    status, late, shortfall, fallback = totals[6], totals[7], totals[8], totals[9]
    sp, sm, sd, so, si, sy, sc, sf, sg = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7], rows[8]
    D = 1
    for p in range(p0, hi):
        D = max(D, start[p + 1] - start[p])
    K = len(keyf)
    cascade = K > 0
    w = np.zeros((_WORK_ROWS, D), dtype=np.int64)  # the open debts, packed in priority order
    # this month, by packed position
    opening = np.zeros(D, dtype=np.int64)
    inter = np.zeros(D, dtype=np.int64)
    pay = np.zeros(D, dtype=np.int64)
    forg = np.zeros(D, dtype=np.int64)
    takes = np.zeros(D, dtype=np.bool_)
    # this month's rows, by the debt's own position (rows are written in the debts' order)
    r_open = np.zeros(D, dtype=np.bool_)
    r_vals = np.zeros((6, D), dtype=np.int64)  # opening, interest, payment, closing, fees, forgiven
    # sort fields, by own position (see _fields)
    fi = np.zeros((D, 5), dtype=np.int64)
    ff = np.zeros(D, dtype=np.float64)
    owed0 = np.zeros(D, dtype=np.int64)
    min0 = np.zeros(D, dtype=np.int64)
    order = np.zeros(D, dtype=np.int64)  # priority position -> the debt's own position
    for p in range(p0, hi):
        q = p - lo
        if bad[p]:
            fallback[q] = True
            continue
        r0 = start[p]
        nd = start[p + 1] - r0
        if want and n + horizon * nd > len(sp):
            return p, n  # no room for this portfolio's longest schedule: plan_span makes it
        # -- the order: insertion sort (stable, as Python's sorted) on the strategy's keys
        for c in range(nd):
            order[c] = c
        if cascade and nd > 1:
            _fields(r0, nd, keyf, debts, codes, fi, ff, owed0, min0)
            if _sort(nd, keyf, keyd, K, fi, ff, owed0, min0, order):
                fallback[q] = True
                continue
        na = _pack(r0, nd, order, debts, codes, w)
        if na < 0:
            fallback[q] = True
            continue
        row0 = n
        it = 0
        pt = 0
        ft = 0
        un = 0
        m = 0
        last = 0
        stop = _OK
        cash0 = budget[p]
        while na > 0 and m < horizon:
            m += 1
            # 1. the opening: settlements, holidays, interest; the minimums due
            required = 0
            for j in range(na):
                b = w[_BAL, j]
                f = w[_FEE, j]
                if b > w[_LIM, j]:
                    stop = _FALLBACK  # interest could pass int64 this month
                    break
                opening[j] = b
                inter[j] = 0
                forg[j] = 0
                pay[j] = 0
                takes[j] = False
                if w[_SM, j] == m:  # settled: a share of what is owed is paid, the rest forgiven
                    owed = b + f
                    if owed > (_SAFE // 2) // max(2 * w[_SN, j], 1):
                        stop = _FALLBACK
                        break
                    amount = half_up_unsigned(owed * w[_SN, j], w[_SD, j])
                    pay[j] = amount
                    forg[j] = owed - amount
                    w[_BAL, j] = 0
                    w[_FEE, j] = 0
                    continue
                held = w[_DF, j] <= m and m < w[_DT, j]
                if not held or w[_DI, j]:
                    x = half_up_unsigned(b * w[_RN, j], w[_RD, j])
                    inter[j] = x
                    w[_BAL, j] = b + x
                if not held:
                    takes[j] = True
                    due = w[_BAL, j] + f
                    mn = w[_MIN, j]
                    if w[_MN, j] > 0:  # a share of the balance (planner.debt.minimum_due)
                        base = due if w[_MS, j] else b
                        if base > w[_ML, j]:
                            stop = _FALLBACK  # the share could pass int64 this month
                            break
                        mn = half_up_unsigned(base * w[_MN, j], w[_MD, j])
                        if not w[_MS, j]:
                            mn += inter[j] + f  # the principal basis: all the interest and fees
                        if mn < w[_MF, j]:
                            mn = w[_MF, j]
                    pay[j] = mn if mn < due else due
                    required += pay[j]
            if stop != _OK:
                break
            if required > cash0:
                stop = _INFEASIBLE
                late[q] = m
                shortfall[q] = required - cash0
                break
            cash = cash0 - required
            # 2. the minimums (in pay), then the rest in priority order; fees first; payoffs leave
            k = 0
            for j in range(na):
                b = w[_BAL, j]
                f = w[_FEE, j]
                if takes[j]:
                    x = pay[j]
                    if cascade and cash > 0:
                        due = b + f - x
                        extra = cash if cash < due else due
                        x += extra
                        cash -= extra
                        pay[j] = x
                    tf = x if x < f else f
                    f -= tf
                    b -= x - tf
                it += inter[j]
                pt += pay[j]
                ft += forg[j]
                if want:
                    o = w[_OWN, j]
                    r_open[o] = True
                    r_vals[0, o] = opening[j]
                    r_vals[1, o] = inter[j]
                    r_vals[2, o] = pay[j]
                    r_vals[3, o] = b
                    r_vals[4, o] = f
                    r_vals[5, o] = forg[j]
                if b + f == 0:
                    last = m
                    continue
                if k != j:
                    for field in range(_WORK_ROWS):
                        w[field, k] = w[field, j]
                w[_BAL, k] = b
                w[_FEE, k] = f
                k += 1
            un += cash
            if want:
                for o in range(nd):  # rows in the debts' own order
                    if r_open[o]:
                        r_open[o] = False
                        sp[n] = q
                        sm[n] = m
                        sd[n] = o
                        so[n] = r_vals[0, o]
                        si[n] = r_vals[1, o]
                        sy[n] = r_vals[2, o]
                        sc[n] = r_vals[3, o]
                        sf[n] = r_vals[4, o]
                        sg[n] = r_vals[5, o]
                        n += 1
            na = k
        if want:
            r_open[:] = False
        if stop == _FALLBACK:
            fallback[q] = True
            n = row0
            continue
        if stop == _INFEASIBLE:
            status[q] = 2
            n = row0  # the reference engine raises: no schedule
            continue
        rem = 0
        for j in range(na):
            rem += w[_BAL, j] + w[_FEE, j]
        tot_interest[q] = it
        tot_paid[q] = pt
        tot_forgiven[q] = ft
        remaining[q] = rem
        unspent[q] = un
        if na > 0:
            status[q] = 1  # a debt left open at the horizon
        else:
            months[q] = last
    return hi, n


@numba.njit(**_JIT)
def plan_span(lo, hi, start, debts, codes, budget, bad, keyf, keyd, horizon, want):
    """Plans for portfolios ``lo`` to ``hi`` of a book (long arrays, ``start`` offsets).

    ``debts`` is the tuple of the book's per-row arrays named in :data:`DEBT_ARRAYS`.
    ``codes`` is the tuple :data:`CODE_ARRAYS`: per rate code ``rnum``/``rden`` the exact
    monthly ratio, ``rlimit`` the largest balance whose interest stays in int64 (-1: the
    ratio itself does not fit), ``rrank`` the rate's rank; ``nrank`` each name code's rank;
    per settlement code ``snum``/``sden`` (``sden`` 0: does not fit); per minimum code
    ``mnum``/``mden`` the share of a share-of-balance minimum (code 0: a fixed minimum) and
    ``mlimit`` the largest amount whose share stays in int64. ``keyf``/``keyd``:
    the strategy's sort fields (:data:`FIELD_CODES`) and whether each is descending; none:
    minimums only. ``bad``: portfolios (book positions) left to the reference engine.

    Returns the totals (:data:`TOTALS`) of each portfolio of the span and, with ``want``,
    the schedule rows (:data:`SCHEDULE`; portfolio as a position in the span, debts in
    their own order).
    """
    P = hi - lo
    totals = (np.full(P, -1, dtype=np.int64), np.zeros(P, dtype=np.int64), np.zeros(P, dtype=np.int64),
              np.zeros(P, dtype=np.int64), np.zeros(P, dtype=np.int64), np.zeros(P, dtype=np.int64),
              np.zeros(P, dtype=np.int8), np.zeros(P, dtype=np.int64), np.zeros(P, dtype=np.int64),
              np.zeros(P, dtype=np.bool_))
    cap = 1024 if want else 0
    rows = (np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64),
            np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64),
            np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64))
    n = 0
    p = lo
    while p < hi:
        p, n = _plan_portfolios(p, lo, hi, start, debts, codes, budget, bad, keyf, keyd, horizon, want, totals, rows, n)
        if p < hi:
            # room for portfolio p's longest schedule, made before its months start
            size = max(2 * len(rows[0]), n + horizon * (start[p + 1] - start[p]))
            rows = (_grow(rows[0], n, size), _grow(rows[1], n, size), _grow(rows[2], n, size),
                    _grow(rows[3], n, size), _grow(rows[4], n, size), _grow(rows[5], n, size),
                    _grow(rows[6], n, size), _grow(rows[7], n, size), _grow(rows[8], n, size))
    return totals, (rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[4][:n], rows[5][:n], rows[6][:n],
                    rows[7][:n], rows[8][:n])


__all__ = [
    "CODE_ARRAYS",
    "DEBT_ARRAYS",
    "FIELD_CODES",
    "SCHEDULE",
    "TOTALS",
    "plan_span",
]
