"""The batch engine's month loop compiled with numba (imported only when numba is installed).

One portfolio at a time, straight from the book's long arrays: its debts are
put in the strategy's order (an insertion sort on the strategy's keys, exact
where floats tie), then planned month by month in int64 cents under the rules of
:func:`planner.engine._simulate` (conventions in :mod:`planner.engine`).
Rounding is :func:`planner.money.half_up` itself, compiled. Nothing is laid
out or sorted for the whole book first, so a chunk costs its months and no more.

Compiled once per machine (``cache=True``: later processes load the machine code
from ``__pycache__``); worker processes fork after the load. Portfolios whose
amounts could pass int64, or whose order cannot be settled exactly in int64, are
flagged for the exact single engine, as in the plain-numpy loop of :mod:`.kernel`.
"""

from __future__ import annotations

import numba
import numpy as np

from .. import money

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

half_up = numba.njit(**_JIT)(money.half_up)

_SAFE = 1 << 62
_EXACT = 1 << 31  # two amounts below this multiply exactly in int64

#: Sort fields by number, as :func:`book_loop` reads them (names of :data:`planner.strategies.FIELDS`).
FIELD_CODES = {"rate": 0, "owed": 1, "monthly_interest": 2, "cash_flow_index": 3, "name": 4}


@numba.njit(**_JIT)
def _grow(a, size):
    out = np.empty(size, dtype=a.dtype)
    out[: len(a)] = a
    return out


@numba.njit(**_JIT)
def _compare(i, j, keyf, kv, owed, mins, flag):
    """-1, 0 or 1: debt ``i`` before, level with, or after debt ``j`` under the keys.

    The cash-flow index (owed / minimum) compares as floats, and exactly (cross
    products) where the floats are equal; ``flag[0]`` is set when that cannot be
    done in int64.
    """
    for k in range(len(keyf)):
        a = kv[k, i]
        b = kv[k, j]
        if a < b:
            return -1
        if a > b:
            return 1
        if keyf[k] != 3 or mins[i] <= 0 or mins[j] <= 0:
            continue  # level; no minimum: after every ratio, level with each other
        if owed[i] >= _EXACT or owed[j] >= _EXACT or mins[i] >= _EXACT or mins[j] >= _EXACT:
            flag[0] = True
            continue
        x = owed[i] * mins[j]
        y = owed[j] * mins[i]
        if x < y:
            return -1
        if x > y:
            return 1
    return 0


@numba.njit(**_JIT)
def book_loop(lo, hi, start, balance, fees, minimum, rate_code, name_code,
              rnum, rden, rlimit, rrank, nrank,
              dfrom, dto, dint, smonth, scode, snum, sden,
              budget, bad, keyf, keyd, horizon, want):
    """Plans for portfolios ``lo`` to ``hi`` of a book (long arrays, ``start`` offsets).

    Per rate code: ``rnum``/``rden`` the exact monthly ratio, ``rlimit`` the largest
    balance whose interest stays in int64 (-1: the ratio itself does not fit),
    ``rrank`` the rate's rank. ``nrank``: each name code's rank. Per settlement code:
    ``snum``/``sden`` (``sden`` 0: does not fit). ``keyf``/``keyd``: the strategy's
    sort fields (:data:`FIELD_CODES`) and whether each is descending; none: minimums
    only. ``bad``: portfolios (book positions) left to the single engine.
    Returns the totals of each portfolio of the span and, with ``want``, the
    schedule rows (portfolio as a position in the span; debts in their own order).
    """
    P = hi - lo
    months = np.full(P, -1, dtype=np.int64)
    tot_interest = np.zeros(P, dtype=np.int64)
    tot_paid = np.zeros(P, dtype=np.int64)
    tot_forgiven = np.zeros(P, dtype=np.int64)
    remaining = np.zeros(P, dtype=np.int64)
    unspent = np.zeros(P, dtype=np.int64)
    status = np.zeros(P, dtype=np.int8)
    late = np.zeros(P, dtype=np.int64)
    shortfall = np.zeros(P, dtype=np.int64)
    fallback = np.zeros(P, dtype=np.bool_)
    cap = 1024 if want else 0
    sp = np.empty(cap, dtype=np.int64)
    sm = np.empty(cap, dtype=np.int64)
    sd = np.empty(cap, dtype=np.int64)
    so = np.empty(cap, dtype=np.int64)
    si = np.empty(cap, dtype=np.int64)
    sy = np.empty(cap, dtype=np.int64)
    sc = np.empty(cap, dtype=np.int64)
    sf = np.empty(cap, dtype=np.int64)
    sg = np.empty(cap, dtype=np.int64)
    n = 0
    D = 1
    for p in range(lo, hi):
        D = max(D, start[p + 1] - start[p])
    K = len(keyf)
    cascade = K > 0
    # one portfolio's debts, in priority order
    bal = np.zeros(D, dtype=np.int64)
    fee = np.zeros(D, dtype=np.int64)
    mp = np.zeros(D, dtype=np.int64)
    rn = np.zeros(D, dtype=np.int64)
    rd = np.ones(D, dtype=np.int64)
    lim = np.zeros(D, dtype=np.int64)
    df = np.zeros(D, dtype=np.int64)
    dt = np.zeros(D, dtype=np.int64)
    di = np.zeros(D, dtype=np.bool_)
    stm = np.zeros(D, dtype=np.int64)
    stn = np.zeros(D, dtype=np.int64)
    std = np.ones(D, dtype=np.int64)
    payoff = np.zeros(D, dtype=np.int64)
    order = np.zeros(D, dtype=np.int64)  # priority position -> the debt's own position
    inv = np.zeros(D, dtype=np.int64)  # own position -> priority position
    act = np.zeros(D, dtype=np.int64)  # open debts, in priority order
    # this month, by priority position
    opening = np.zeros(D, dtype=np.int64)
    inter = np.zeros(D, dtype=np.int64)
    pay = np.zeros(D, dtype=np.int64)
    mins = np.zeros(D, dtype=np.int64)
    forg = np.zeros(D, dtype=np.int64)
    isopen = np.zeros(D, dtype=np.bool_)
    taking = np.zeros(D, dtype=np.bool_)
    # sort keys, by own position
    kv = np.zeros((max(K, 1), D), dtype=np.float64)
    owed0 = np.zeros(D, dtype=np.int64)
    min0 = np.zeros(D, dtype=np.int64)
    flag = np.zeros(1, dtype=np.bool_)
    for p in range(lo, hi):
        q = p - lo
        if bad[p]:
            fallback[q] = True
            continue
        r0 = start[p]
        nd = start[p + 1] - r0
        # -- the order: insertion sort (stable, as Python's sorted) on the strategy's keys
        flag[0] = False
        for c in range(nd):
            r = r0 + c
            code = rate_code[r]
            if rlimit[code] < 0 or balance[r] > rlimit[code]:
                flag[0] = True  # interest could pass int64: the single engine plans it
            owed0[c] = balance[r] + fees[r]
            min0[c] = minimum[r]
            for kk in range(K):
                f = keyf[kk]
                if f == 0:
                    v = float(rrank[code])
                elif f == 1:
                    v = float(owed0[c])
                elif f == 2:
                    v = float(half_up(balance[r] * rnum[code], rden[code])) if rlimit[code] >= 0 else 0.0
                elif f == 3:
                    v = owed0[c] / min0[c] if min0[c] > 0 else np.inf
                else:
                    v = float(nrank[name_code[r]])
                kv[kk, c] = -v if keyd[kk] else v
            order[c] = c
        for c in range(1, nd):
            w = order[c]
            i = c - 1
            while i >= 0 and _compare(w, order[i], keyf, kv, owed0, min0, flag) < 0:
                order[i + 1] = order[i]
                i -= 1
            order[i + 1] = w
        if flag[0]:
            fallback[q] = True
            continue
        # -- the debts in that order
        na = 0
        for c in range(nd):
            o = order[c]
            inv[o] = c
            r = r0 + o
            code = rate_code[r]
            bal[c] = balance[r]
            fee[c] = fees[r]
            mp[c] = minimum[r]
            rn[c] = rnum[code]
            rd[c] = rden[code]
            lim[c] = rlimit[code]
            df[c] = dfrom[r]
            dt[c] = dto[r]
            di[c] = dint[r]
            stm[c] = smonth[r]
            if stm[c] > 0:
                s = scode[r]
                if sden[s] == 0:
                    flag[0] = True
                stn[c] = snum[s]
                std[c] = max(sden[s], 1)
            if bal[c] + fee[c] > 0:
                payoff[c] = -1
                act[na] = c
                na += 1
            else:
                payoff[c] = 0
        if flag[0]:
            fallback[q] = True
            continue
        if want and n + horizon * nd > len(sp):
            # room for this portfolio's longest schedule, made before its months start: the
            # arrays are never replaced inside the month loop (which keeps that loop fast)
            size = max(2 * len(sp), n + horizon * nd)
            sp = _grow(sp, size)
            sm = _grow(sm, size)
            sd = _grow(sd, size)
            so = _grow(so, size)
            si = _grow(si, size)
            sy = _grow(sy, size)
            sc = _grow(sc, size)
            sf = _grow(sf, size)
            sg = _grow(sg, size)
        row0 = n
        it = 0
        pt = 0
        ft = 0
        un = 0
        m = 0
        stop = 0  # 1: infeasible, 2: fallback
        while na > 0 and m < horizon:
            m += 1
            cash = budget[p]
            required = 0
            # settlements, deferrals and interest; the minimums of the debts taking payments
            for j in range(na):
                c = act[j]
                owed = bal[c] + fee[c]
                if bal[c] > lim[c]:
                    stop = 2  # interest could pass int64 this month
                    break
                if want:
                    isopen[c] = True
                    opening[c] = bal[c]
                inter[c] = 0
                forg[c] = 0
                taking[c] = False
                if stm[c] == m:
                    if owed > (_SAFE // 2) // max(2 * stn[c], 1):
                        stop = 2
                        break
                    amount = half_up(owed * stn[c], std[c])
                    pay[c] = amount
                    forg[c] = owed - amount
                    bal[c] = 0
                    fee[c] = 0
                    continue
                pay[c] = 0
                held = df[c] <= m and m < dt[c]
                if not held or di[c]:
                    x = half_up(bal[c] * rn[c], rd[c])
                    inter[c] = x
                    bal[c] += x
                if not held:
                    taking[c] = True
                    due = bal[c] + fee[c]
                    mn = mp[c] if mp[c] < due else due
                    mins[c] = mn
                    required += mn
            if stop:
                break
            if required > cash:
                stop = 1
                late[q] = m
                shortfall[q] = required - cash
                break
            cash -= required
            # the minimums, then the rest in priority order (fees first); totals; payoffs
            k = 0
            for j in range(na):
                c = act[j]
                if taking[c]:
                    x = mins[c]
                    if cascade and cash > 0:
                        due = bal[c] + fee[c] - x
                        extra = cash if cash < due else due
                        x += extra
                        cash -= extra
                    tf = x if x < fee[c] else fee[c]
                    fee[c] -= tf
                    bal[c] -= x - tf
                    pay[c] += x
                it += inter[c]
                pt += pay[c]
                ft += forg[c]
                if bal[c] + fee[c] == 0:
                    payoff[c] = m
                else:
                    act[k] = c
                    k += 1
            un += cash
            if want:
                for o in range(nd):  # rows in the debts' own order
                    c = inv[o]
                    if isopen[c]:
                        isopen[c] = False
                        sp[n] = q
                        sm[n] = m
                        sd[n] = o
                        so[n] = opening[c]
                        si[n] = inter[c]
                        sy[n] = pay[c]
                        sc[n] = bal[c]
                        sf[n] = fee[c]
                        sg[n] = forg[c]
                        n += 1
            na = k
        if want:
            for c in range(nd):
                isopen[c] = False
        if stop == 2:
            fallback[q] = True
            n = row0
            continue
        if stop == 1:
            status[q] = 2
            n = row0  # the single engine raises: no schedule
            continue
        last = 0
        never = False
        rem = 0
        for c in range(nd):
            rem += bal[c] + fee[c]
            if payoff[c] < 0:
                never = True
            elif payoff[c] > last:
                last = payoff[c]
        tot_interest[q] = it
        tot_paid[q] = pt
        tot_forgiven[q] = ft
        remaining[q] = rem
        unspent[q] = un
        if never:
            status[q] = 1
        else:
            months[q] = last
    totals = (months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback)
    rows = (sp[:n], sm[:n], sd[:n], so[:n], si[:n], sy[:n], sc[:n], sf[:n], sg[:n])
    return totals, rows


__all__ = [
    "FIELD_CODES",
    "book_loop",
]
