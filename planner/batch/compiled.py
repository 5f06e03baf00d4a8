"""The batch engine's month loop compiled with numba (imported only when numba is installed).

One portfolio at a time, every month, in int64 cents: the rules of
:func:`planner.engine._simulate` (conventions in :mod:`planner.engine`) for debts
already in priority order. Rounding is :func:`planner.money.half_up` itself,
compiled. Compiled once per machine (``cache=True``: later processes load the
machine code from ``__pycache__``); worker processes fork after the compile.
Portfolios whose amounts could pass int64 are flagged for the exact single
engine, as in the plain-numpy loop of :mod:`.kernel`.
"""

from __future__ import annotations

import numba
import numpy as np

from .. import money

half_up = numba.njit(cache=True)(money.half_up)

_SAFE = 1 << 62


@numba.njit(cache=True)
def _grow(a, size):
    out = np.empty(size, dtype=a.dtype)
    out[: len(a)] = a
    return out


@numba.njit(cache=True)
def month_loop(bal0, fees0, minp, rnum, rden, limit, orig, dfrom, dto, dint, smonth, snum, sden,
               budget, bad, cascade, horizon, want):
    P, D = bal0.shape
    months = np.full(P, -1, dtype=np.int64)
    tot_interest = np.zeros(P, dtype=np.int64)
    tot_paid = np.zeros(P, dtype=np.int64)
    tot_forgiven = np.zeros(P, dtype=np.int64)
    remaining = np.zeros(P, dtype=np.int64)
    unspent = np.zeros(P, dtype=np.int64)
    status = np.zeros(P, dtype=np.int8)
    late = np.zeros(P, dtype=np.int64)
    shortfall = np.zeros(P, dtype=np.int64)
    fallback = bad.copy()
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
    bal = np.zeros(D, dtype=np.int64)
    fee = np.zeros(D, dtype=np.int64)
    opening = np.zeros(D, dtype=np.int64)
    inter = np.zeros(D, dtype=np.int64)
    pay = np.zeros(D, dtype=np.int64)
    mins = np.zeros(D, dtype=np.int64)
    forg = np.zeros(D, dtype=np.int64)
    payoff = np.zeros(D, dtype=np.int64)
    inv = np.zeros(D, dtype=np.int64)
    isopen = np.zeros(D, dtype=np.bool_)
    taking = np.zeros(D, dtype=np.bool_)
    for p in range(P):
        if bad[p]:
            continue
        nd = 0
        nopen = 0
        for c in range(D):
            bal[c] = bal0[p, c]
            fee[c] = fees0[p, c]
            if bal[c] + fee[c] > 0:
                payoff[c] = -1
                nopen += 1
            else:
                payoff[c] = 0
            if orig[p, c] >= 0:
                inv[orig[p, c]] = c
                nd += 1
        row0 = n
        it = 0
        pt = 0
        ft = 0
        un = 0
        m = 0
        stop = 0  # 1: infeasible, 2: fallback
        while nopen > 0 and m < horizon:
            m += 1
            for c in range(D):  # could int64 overflow this month? then the single engine plans it
                owed = bal[c] + fee[c]
                if owed > 0:
                    if bal[c] > limit[p, c]:
                        stop = 2
                    if smonth[p, c] == m and owed > (_SAFE // 2) // max(2 * snum[p, c], 1):
                        stop = 2
            if stop:
                break
            cash = budget[p]
            required = 0
            # settlements, deferrals and interest; the minimums of the debts taking payments
            for c in range(D):
                owed = bal[c] + fee[c]
                isopen[c] = owed > 0
                opening[c] = bal[c]
                inter[c] = 0
                pay[c] = 0
                forg[c] = 0
                taking[c] = False
                if owed <= 0:
                    continue
                if smonth[p, c] == m:
                    amount = half_up(owed * snum[p, c], sden[p, c])
                    pay[c] = amount
                    forg[c] = owed - amount
                    bal[c] = 0
                    fee[c] = 0
                    continue
                held = dfrom[p, c] <= m and m < dto[p, c]
                if not held or dint[p, c]:
                    x = half_up(bal[c] * rnum[p, c], rden[p, c])
                    inter[c] = x
                    bal[c] += x
                if not held:
                    taking[c] = True
                    due = bal[c] + fee[c]
                    mn = minp[p, c] if minp[p, c] < due else due
                    mins[c] = mn
                    required += mn
            if required > cash:
                stop = 1
                late[p] = m
                shortfall[p] = required - cash
                break
            cash -= required
            # minimums, then the rest in priority order; fees first
            for c in range(D):
                if taking[c]:
                    x = mins[c]
                    tf = x if x < fee[c] else fee[c]
                    fee[c] -= tf
                    bal[c] -= x - tf
                    pay[c] += x
            if cascade:
                for c in range(D):
                    if cash <= 0:
                        break
                    if taking[c]:
                        due = bal[c] + fee[c]
                        if due > 0:
                            x = cash if cash < due else due
                            tf = x if x < fee[c] else fee[c]
                            fee[c] -= tf
                            bal[c] -= x - tf
                            pay[c] += x
                            cash -= x
            un += cash
            for c in range(D):
                if isopen[c]:
                    it += inter[c]
                    pt += pay[c]
                    ft += forg[c]
            if want:
                if n + nd > len(sp):
                    size = 2 * len(sp) + nd
                    sp = _grow(sp, size)
                    sm = _grow(sm, size)
                    sd = _grow(sd, size)
                    so = _grow(so, size)
                    si = _grow(si, size)
                    sy = _grow(sy, size)
                    sc = _grow(sc, size)
                    sf = _grow(sf, size)
                    sg = _grow(sg, size)
                for j in range(nd):  # rows in the debts' own order
                    c = inv[j]
                    if isopen[c]:
                        sp[n] = p
                        sm[n] = m
                        sd[n] = j
                        so[n] = opening[c]
                        si[n] = inter[c]
                        sy[n] = pay[c]
                        sc[n] = bal[c]
                        sf[n] = fee[c]
                        sg[n] = forg[c]
                        n += 1
            for c in range(D):
                if isopen[c] and bal[c] + fee[c] == 0:
                    payoff[c] = m
                    nopen -= 1
        if stop == 2:
            fallback[p] = True
            n = row0
            continue
        if stop == 1:
            status[p] = 2
            n = row0  # the single engine raises: no schedule
            continue
        last = 0
        never = False
        rem = 0
        for c in range(D):
            rem += bal[c] + fee[c]
            if payoff[c] < 0:
                never = True
            elif payoff[c] > last:
                last = payoff[c]
        tot_interest[p] = it
        tot_paid[p] = pt
        tot_forgiven[p] = ft
        remaining[p] = rem
        unspent[p] = un
        if never:
            status[p] = 1
        else:
            months[p] = last
    totals = (months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback)
    rows = (sp[:n], sm[:n], sd[:n], so[:n], si[:n], sy[:n], sc[:n], sf[:n], sg[:n])
    return totals, rows


__all__ = [
    "month_loop",
]
