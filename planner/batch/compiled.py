"""The batch engine's month loop compiled with numba (imported only when numba is installed).

One portfolio at a time, straight from the book's long arrays: its debts are
put in the strategy's order (an insertion sort on the strategy's keys, exact
where floats tie), then planned month by month in int64 cents under the rules of
:func:`planner.engine._simulate` (conventions in :mod:`planner.engine`).
Rounding is :func:`planner.money.half_up`'s rule (:func:`half_up_unsigned`). Nothing is laid
out or sorted for the whole book first, so a chunk costs its months and no more.

Compiled once per machine (``cache=True``: later processes load the machine code
from ``__pycache__``); worker processes fork after the load. Portfolios whose
amounts could pass int64, or whose order cannot be settled exactly in int64, are
flagged for the exact single engine, as in the plain-numpy loop of :mod:`.kernel`.
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

#: Sort fields by number, as :func:`book_loop` reads them (names of :data:`planner.strategies.FIELDS`).
FIELD_CODES = {"rate": 0, "owed": 1, "monthly_interest": 2, "cash_flow_index": 3, "name": 4}


@numba.njit(**_JIT)
def _grow(a, n, size):
    out = np.empty(size, dtype=a.dtype)
    out[:n] = a[:n]
    return out


@numba.njit(**_JIT)
def _plan_portfolios(p0, hi, lo, start, balance, fees, minimum, rate_code, name_code,
                     rnum, rden, rlimit, rrank, nrank,
                     dfrom, dto, dint, smonth, scode, snum, sden,
                     budget, bad, keyf, keyd, horizon, want,
                     months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback,
                     sp, sm, sd, so, si, sy, sc, sf, sg, n):
    """:func:`book_loop`'s work for portfolios ``p0`` to ``hi``: totals into the arrays given,
    schedule rows into ``sp`` to ``sg`` (portfolio, month, debt, opening, interest, payment,
    closing, fees, forgiven) from row ``n``. Returns the portfolio it stopped at (``hi`` when
    done; earlier when the rows have no room for that portfolio's longest schedule) and the
    rows written. No array here is ever replaced (numba counts references to an array a variable
    may be replaced with at every turn of the loop: about 60 ns a portfolio for nine arrays).
    """
    D = 1
    for p in range(p0, hi):
        D = max(D, start[p + 1] - start[p])
    K = len(keyf)
    cascade = K > 0
    # one portfolio's debts, in priority order (the short loop: its open debts, packed)
    bal = np.zeros(D, dtype=np.int64)
    fee = np.zeros(D, dtype=np.int64)
    mp = np.zeros(D, dtype=np.int64)
    rn = np.zeros(D, dtype=np.int64)
    rd = np.ones(D, dtype=np.int64)
    lim = np.zeros(D, dtype=np.int64)
    own = np.zeros(D, dtype=np.int64)  # the debt's own position
    df = np.zeros(D, dtype=np.int64)
    dt = np.zeros(D, dtype=np.int64)
    di = np.zeros(D, dtype=np.bool_)
    stm = np.zeros(D, dtype=np.int64)
    stn = np.zeros(D, dtype=np.int64)
    std = np.ones(D, dtype=np.int64)
    payoff = np.zeros(D, dtype=np.int64)
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
    # this month, by own position (schedule rows of the short loop)
    r_open = np.zeros(D, dtype=np.bool_)
    r_opening = np.zeros(D, dtype=np.int64)
    r_inter = np.zeros(D, dtype=np.int64)
    r_pay = np.zeros(D, dtype=np.int64)
    r_bal = np.zeros(D, dtype=np.int64)
    r_fee = np.zeros(D, dtype=np.int64)
    # sort keys, by own position: integers compare exactly; the cash-flow index as a float
    ki = np.zeros((D, max(K, 1)), dtype=np.int64)
    kf = np.zeros((D, max(K, 1)), dtype=np.float64)
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
            return p, n  # no room for this portfolio's longest schedule: book_loop makes it
        flag = False
        plain = True
        for c in range(nd):
            r = r0 + c
            code = rate_code[r]
            if rlimit[code] < 0 or balance[r] > rlimit[code]:
                flag = True  # interest could pass int64: the single engine plans it
            if smonth[r] > 0 or dfrom[r] < dto[r]:
                plain = False
            order[c] = c
        if flag:
            fallback[q] = True
            continue
        # -- the order: insertion sort (stable, as Python's sorted) on the strategy's keys
        if cascade and nd > 1:
            for c in range(nd):
                r = r0 + c
                code = rate_code[r]
                owed0[c] = balance[r] + fees[r]
                min0[c] = minimum[r]
                for kk in range(K):
                    fk = keyf[kk]
                    if fk == 0:
                        v = rrank[code]
                    elif fk == 1:
                        v = owed0[c]
                    elif fk == 2:
                        v = half_up_unsigned(balance[r] * rnum[code], rden[code])
                    elif fk == 3:  # ascending only (Key refuses it descending)
                        kf[c, kk] = owed0[c] / min0[c] if min0[c] > 0 else np.inf
                        v = 0
                    else:
                        v = nrank[name_code[r]]
                    ki[c, kk] = -v if keyd[kk] else v
            for c in range(1, nd):
                w = order[c]
                i = c - 1
                while i >= 0:
                    u = order[i]
                    s = 0  # -1: w before u
                    for kk in range(K):
                        a = ki[w, kk]
                        b = ki[u, kk]
                        if a != b:
                            s = -1 if a < b else 1
                            break
                        if keyf[kk] != 3:
                            continue
                        xf = kf[w, kk]
                        yf = kf[u, kk]
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
            if flag:
                fallback[q] = True
                continue
        # -- the debts in that order
        na = 0
        for c in range(nd):
            o = order[c]
            r = r0 + o
            code = rate_code[r]
            b0 = balance[r]
            f0 = fees[r]
            if plain:
                if b0 + f0 > 0:  # open debts only, packed
                    bal[na] = b0
                    fee[na] = f0
                    mp[na] = minimum[r]
                    rn[na] = rnum[code]
                    rd[na] = rden[code]
                    lim[na] = rlimit[code]
                    own[na] = o
                    na += 1
                continue
            inv[o] = c
            bal[c] = b0
            fee[c] = f0
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
                    flag = True
                stn[c] = snum[s]
                std[c] = max(sden[s], 1)
            if b0 + f0 > 0:
                payoff[c] = -1
                act[na] = c
                na += 1
            else:
                payoff[c] = 0
        if flag:
            fallback[q] = True
            continue
        row0 = n
        it = 0
        pt = 0
        ft = 0
        un = 0
        m = 0
        last = 0
        stop = 0  # 1: infeasible, 2: fallback
        cash0 = budget[p]
        if plain:
            while na > 0 and m < horizon:
                m += 1
                required = 0
                # interest, and the minimums
                for j in range(na):
                    b = bal[j]
                    if b > lim[j]:
                        stop = 2  # interest could pass int64 this month
                        break
                    x = half_up_unsigned(b * rn[j], rd[j])
                    if want:
                        opening[j] = b
                        inter[j] = x
                    b += x
                    bal[j] = b
                    it += x
                    due = b + fee[j]
                    mn = mp[j] if mp[j] < due else due
                    mins[j] = mn
                    required += mn
                if stop:
                    break
                if required > cash0:
                    stop = 1
                    late[q] = m
                    shortfall[q] = required - cash0
                    break
                cash = cash0 - required
                # the minimums, then the rest in priority order (fees first); payoffs
                k = 0
                for j in range(na):
                    b = bal[j]
                    f = fee[j]
                    x = mins[j]
                    if cascade and cash > 0:
                        due = b + f - x
                        extra = cash if cash < due else due
                        x += extra
                        cash -= extra
                    tf = x if x < f else f
                    f -= tf
                    b -= x - tf
                    pt += x
                    if want:
                        o = own[j]
                        r_open[o] = True
                        r_opening[o] = opening[j]
                        r_inter[o] = inter[j]
                        r_pay[o] = x
                        r_bal[o] = b
                        r_fee[o] = f
                    if b + f == 0:
                        last = m
                        continue
                    if k != j:
                        mp[k] = mp[j]
                        rn[k] = rn[j]
                        rd[k] = rd[j]
                        lim[k] = lim[j]
                        own[k] = own[j]
                    bal[k] = b
                    fee[k] = f
                    k += 1
                un += cash
                if want:
                    for o in range(nd):  # rows in the debts' own order
                        if r_open[o]:
                            r_open[o] = False
                            sp[n] = q
                            sm[n] = m
                            sd[n] = o
                            so[n] = r_opening[o]
                            si[n] = r_inter[o]
                            sy[n] = r_pay[o]
                            sc[n] = r_bal[o]
                            sf[n] = r_fee[o]
                            sg[n] = 0
                            n += 1
                na = k
        else:
            while na > 0 and m < horizon:
                m += 1
                cash = cash0
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
                        amount = half_up_unsigned(owed * stn[c], std[c])
                        pay[c] = amount
                        forg[c] = owed - amount
                        bal[c] = 0
                        fee[c] = 0
                        continue
                    pay[c] = 0
                    held = df[c] <= m and m < dt[c]
                    if not held or di[c]:
                        x = half_up_unsigned(bal[c] * rn[c], rd[c])
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
                        last = m
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
        rem = 0
        if plain:
            for j in range(na):
                rem += bal[j] + fee[j]
        else:
            for c in range(nd):
                rem += bal[c] + fee[c]
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

    A portfolio with no settlement and no deferral (the common case) runs a shorter
    month loop: its open debts are kept packed at the front of the arrays in priority
    order (a debt paid off is dropped and the rest move up), so each debt-month reads
    its own few fields with no indirection and no branch for terms it does not have.
    Every other portfolio runs the general loop over a list of its open debts.
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
    p = lo
    while p < hi:
        p, n = _plan_portfolios(p, hi, lo, start, balance, fees, minimum, rate_code, name_code,
                                rnum, rden, rlimit, rrank, nrank,
                                dfrom, dto, dint, smonth, scode, snum, sden,
                                budget, bad, keyf, keyd, horizon, want,
                                months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late,
                                shortfall, fallback, sp, sm, sd, so, si, sy, sc, sf, sg, n)
        if p < hi:
            # room for portfolio p's longest schedule, made before its months start: the
            # arrays are never replaced inside the month loop (which keeps that loop fast)
            size = max(2 * len(sp), n + horizon * (start[p + 1] - start[p]))
            sp = _grow(sp, n, size)
            sm = _grow(sm, n, size)
            sd = _grow(sd, n, size)
            so = _grow(so, n, size)
            si = _grow(si, n, size)
            sy = _grow(sy, n, size)
            sc = _grow(sc, n, size)
            sf = _grow(sf, n, size)
            sg = _grow(sg, n, size)
    totals = (months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback)
    rows = (sp[:n], sm[:n], sd[:n], so[:n], si[:n], sy[:n], sc[:n], sf[:n], sg[:n])
    return totals, rows


__all__ = [
    "FIELD_CODES",
    "book_loop",
]
