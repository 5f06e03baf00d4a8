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
def _fields(r0, nd, keyf, K, balance, fees, minimum, rate_code, name_code, rnum, rden, rrank, nrank, fi, ff, owed0, min0):
    """The sort fields ``keyf[:K]`` (:data:`FIELD_CODES`) of the debts at book rows ``r0`` to
    ``r0 + nd``: ``fi[c, field]`` as integers (exact), the cash-flow index as a float in
    ``ff[c]``; each debt's owed and minimum in ``owed0``/``min0``."""
    for c in range(nd):
        r = r0 + c
        code = rate_code[r]
        owed0[c] = balance[r] + fees[r]
        min0[c] = minimum[r]
        for kk in range(K):
            fk = keyf[kk]
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
def _plan_portfolios(p0, hi, lo, start, balance, fees, minimum, rate_code, name_code,
                     rnum, rden, rlimit, rrank, nrank,
                     dfrom, dto, dint, smonth, scode, snum, sden,
                     budget, bad, keyf, keyd, horizon, want,
                     months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback,
                     sp, sm, sd, so, si, sy, sc, sf, sg, n, skip):
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
    # sort fields, by own position (see _fields)
    fi = np.zeros((D, 5), dtype=np.int64)
    ff = np.zeros(D, dtype=np.float64)
    owed0 = np.zeros(D, dtype=np.int64)
    min0 = np.zeros(D, dtype=np.int64)
    order = np.zeros(D, dtype=np.int64)  # priority position -> the debt's own position
    for p in range(p0, hi):
        q = p - lo
        if skip[q]:
            continue  # planned already (book_loop_all's shared tracks)
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
            _fields(r0, nd, keyf, K, balance, fees, minimum, rate_code, name_code, rnum, rden, rrank, nrank,
                    fi, ff, owed0, min0)
            if _sort(nd, keyf, keyd, K, fi, ff, owed0, min0, order):
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
    skip = np.zeros(P, dtype=np.bool_)
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
                                shortfall, fallback, sp, sm, sd, so, si, sy, sc, sf, sg, n, skip)
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


#: The most debts a portfolio may have for :func:`book_loop_all`'s shared tracks (each debt's
#: months are kept: horizon x debts x 3 int64); larger portfolios run strategy by strategy.
TRACK_DEBTS = 64


@numba.njit(**_JIT)
def _tracked(lo, hi, start, balance, fees, minimum, rate_code,
             name_code, rnum, rden, rlimit, rrank, nrank, dfrom, dto, smonth,
             budget, bad, keyf2, keyd2, nkey, horizon,
             months, tot_interest, tot_paid, remaining, unspent, status, late, shortfall, fallback, done):
    """:func:`book_loop_all`'s shared tracks: every strategy of each plain portfolio (no settlement,
    no deferral, at most :data:`TRACK_DEBTS` debts) from one set of minimum-payment tracks.

    The rule is :mod:`planner.tracks`': in a month in which a debt gets only its minimum, what
    happens to it depends on nothing but its own terms and balance, so each debt's *track* (its
    months under minimums alone, to its payoff or the horizon) is worked out once and serves
    every strategy. Minimums only is the tracks themselves. A cascade simulates only the debt
    that gets the rest of the budget: in a portfolio without deferrals that is the first open
    debt in priority order, every debt before it being paid off, so at most one debt is off its
    track at a month's end. A debt leaves its track the first month it gets more than its
    minimum (its row that month is the track's plus the extra, fees first). What a month
    requires is that debt's minimum plus the other open tracks' (each track's minimum is the
    same every month but its last). Totals follow from what is owed: paid is the budget times
    the months less what was unspent, and interest is what is owed at the end less at the start
    plus what was paid (fees earn none, nothing is forgiven).

    The sort fields are worked out once a portfolio (:func:`_fields`); each strategy sorts by
    its keys (:func:`_sort`, as the strategy-by-strategy loop does).

    Marks each portfolio planned here in ``done`` (totals in row ``s`` of each 2-D array for
    strategy ``s``); leaves the rest (flagged, settlements, deferrals, a track whose interest
    could pass int64, too many debts) to the strategy-by-strategy loop, so every portfolio's plan, flag and fallback are
    that loop's.
    """
    S = len(nkey)
    used = np.zeros(5, dtype=np.bool_)  # the sort fields of any strategy: worked out once a portfolio
    for s in range(S):
        for kk in range(nkey[s]):
            used[keyf2[s, kk]] = True
    fields = np.nonzero(used)[0]
    D = 1
    for p in range(lo, hi):
        D = max(D, start[p + 1] - start[p])
    D = min(D, TRACK_DEBTS)
    H = horizon
    # A track pays its minimum every month but its last (then what is left), fees first: so its
    # fees after month m are the fees at the start less m minimums (none left once it clears), and
    # only its balances are kept, by month.
    tb = np.zeros((H + 1, D), dtype=np.int64)  # month, debt: the balance after the month's minimum
    final = np.zeros(D, dtype=np.int64)  # the payment in a track's last month
    fee0 = np.zeros(D, dtype=np.int64)
    req = np.zeros(H + 1, dtype=np.int64)  # every track's minimum, by month
    last_month = np.zeros(D, dtype=np.int64)  # a track's last month: its payoff, or the horizon
    cleared = np.zeros(D, dtype=np.bool_)
    mp = np.zeros(D, dtype=np.int64)
    rn = np.zeros(D, dtype=np.int64)
    rd = np.ones(D, dtype=np.int64)
    lim = np.zeros(D, dtype=np.int64)
    cb = np.zeros(D, dtype=np.int64)
    cf = np.zeros(D, dtype=np.int64)
    run = np.zeros(D, dtype=np.int64)  # the tracks still running
    packed = np.zeros(D, dtype=np.int64)  # own position -> open debt (-1: nothing owed)
    pri = np.zeros(D, dtype=np.int64)  # priority position -> open debt
    fi = np.zeros((D, 5), dtype=np.int64)
    ff = np.zeros(D, dtype=np.float64)
    owed0 = np.zeros(D, dtype=np.int64)
    min0 = np.zeros(D, dtype=np.int64)
    order = np.zeros(D, dtype=np.int64)
    for p in range(lo, hi):
        q = p - lo
        if bad[p]:
            continue
        r0 = start[p]
        nd = start[p + 1] - r0
        if nd > D:
            continue
        plain = True
        for c in range(nd):
            r = r0 + c
            code = rate_code[r]
            if rlimit[code] < 0 or balance[r] > rlimit[code] or smonth[r] > 0 or dfrom[r] < dto[r]:
                plain = False
        if not plain:
            continue
        # the open debts, in their own order
        na = 0
        owed = 0
        for c in range(nd):
            r = r0 + c
            b0 = balance[r]
            f0 = fees[r]
            if b0 + f0 > 0:
                code = rate_code[r]
                packed[c] = na
                mp[na] = minimum[r]
                rn[na] = rnum[code]
                rd[na] = rden[code]
                lim[na] = rlimit[code]
                cb[na] = b0
                cf[na] = f0
                fee0[na] = f0
                run[na] = na
                owed += b0 + f0
                na += 1
            else:
                packed[c] = -1
        # the tracks, month by month with the debts interleaved (their divisions overlap)
        cash0 = budget[p]
        nr = na
        m = 0
        flag = False
        short = False  # every strategy falls short in month 1 (its minimums are every plan's)
        while nr > 0 and m < H:
            m += 1
            total = 0
            k = 0
            for i in range(nr):
                j = run[i]
                b = cb[j]
                if b > lim[j]:
                    flag = True  # interest could pass int64: the strategy-by-strategy loop decides
                    break
                b += half_up_unsigned(b * rn[j], rd[j])
                f = cf[j]
                due = b + f
                mn = mp[j] if mp[j] < due else due
                to_fees = mn if mn < f else f
                f -= to_fees
                b -= mn - to_fees
                tb[m, j] = b
                cb[j] = b
                cf[j] = f
                total += mn
                if b + f == 0:
                    last_month[j] = m
                    cleared[j] = True
                    final[j] = mn
                else:
                    run[k] = j
                    k += 1
            if flag:
                break
            req[m] = total
            nr = k
            if m == 1 and total > cash0:
                short = True
                break
        if flag:
            continue
        for i in range(nr):  # still owing at the horizon
            j = run[i]
            last_month[j] = m
            cleared[j] = False
            final[j] = mp[j]
        done[q] = True
        if nd > 1:
            _fields(r0, nd, fields, len(fields), balance, fees, minimum, rate_code, name_code, rnum, rden, rrank, nrank,
                    fi, ff, owed0, min0)
        for s in range(S):
            ks = nkey[s]
            if ks > 0 and nd > 1:
                if _sort(nd, keyf2[s], keyd2[s], ks, fi, ff, owed0, min0, order):
                    fallback[s, q] = True
                    continue
            else:
                for c in range(nd):
                    order[c] = c
            if short:
                status[s, q] = 2
                late[s, q] = 1
                shortfall[s, q] = req[1] - cash0
                continue
            un = 0
            if ks == 0:  # minimums only: the tracks themselves
                mm = 0
                for j in range(na):
                    mm = max(mm, last_month[j])
                stop = False
                for m in range(1, mm + 1):
                    if req[m] > cash0:
                        status[s, q] = 2
                        late[s, q] = m
                        shortfall[s, q] = req[m] - cash0
                        stop = True
                        break
                    un += cash0 - req[m]
                if stop:
                    continue
                rem = 0
                for j in range(na):
                    if not cleared[j]:
                        rem += tb[last_month[j], j] + max(fee0[j] - last_month[j] * mp[j], 0)
                paid = mm * cash0 - un
                tot_interest[s, q] = rem - owed + paid
                tot_paid[s, q] = paid
                remaining[s, q] = rem
                unspent[s, q] = un
                if rem > 0:
                    status[s, q] = 1
                else:
                    months[s, q] = mm
                continue
            # a cascade: the first open debt in priority order takes the rest of the budget
            n = 0
            for c in range(nd):
                j = packed[order[c]]
                if j >= 0:
                    pri[n] = j
                    n += 1
            h = 0  # priority positions before h are paid off
            off = False  # whether pri[h] has left its track
            aj = 0
            ab = 0
            af = 0
            amin = 0
            left = na  # debts still owing
            m = 0
            last = 0
            stop = 0  # 1: short, 2: the strategy-by-strategy loop decides
            # Before month ``nxt`` the debts on their tracks require ``level`` together: each pays
            # its minimum every month before its track's last (the last may be less).
            level = 0
            nxt = 0
            while left > 0 and m < H:
                if off and af == 0 and m + 1 < nxt and mp[aj] <= cash0 - level:
                    # The common months: no track ends, and the debt off its track takes all the
                    # tracks leave of the budget (its minimum and more) without paying off.
                    pay = cash0 - level
                    rna = rn[aj]
                    rda = rd[aj]
                    lima = lim[aj]
                    end = min(nxt - 1, H)
                    while m < end and ab <= lima:
                        grown = ab + half_up_unsigned(ab * rna, rda)
                        if grown <= pay:
                            break  # paid off this month: the month below
                        ab = grown - pay
                        m += 1
                    if m >= H:
                        break
                m += 1
                required = 0
                k0 = h
                if off:
                    if ab > lim[aj]:
                        stop = 2
                        break
                    ab += half_up_unsigned(ab * rn[aj], rd[aj])
                    due = ab + af
                    amin = mp[aj] if mp[aj] < due else due
                    required = amin
                    k0 = h + 1
                if m < nxt:
                    required += level
                else:
                    level = 0
                    nxt = H + 1
                    for k in range(k0, na):
                        j = pri[k]
                        lm = last_month[j]
                        if m < lm:
                            required += mp[j]
                            level += mp[j]
                            nxt = min(nxt, lm)
                        elif m == lm:
                            required += final[j]
                            if cleared[j]:
                                left -= 1  # paid off on its track
                                last = m
                if required > cash0:
                    stop = 1
                    late[s, q] = m
                    shortfall[s, q] = required - cash0
                    break
                cash = cash0 - required
                k = h
                if off:
                    x = amin
                    rest = ab + af - amin
                    extra = cash if cash < rest else rest
                    x += extra
                    cash -= extra
                    to_fees = x if x < af else af
                    af -= to_fees
                    ab -= x - to_fees
                    if ab + af == 0:
                        off = False
                        left -= 1
                        last = m
                        k = h + 1
                while cash > 0 and k < na and not off:
                    j = pri[k]
                    if m > last_month[j]:
                        k += 1  # paid off on its track before this month
                        continue
                    b = tb[m, j]
                    f = 0 if m == last_month[j] and cleared[j] else max(fee0[j] - m * mp[j], 0)
                    due = b + f
                    if due == 0:
                        k += 1  # paid off on its track this month
                        continue
                    extra = cash if cash < due else due  # it leaves its track: its minimum, then this
                    cash -= extra
                    if m < last_month[j]:
                        level -= mp[j]
                    to_fees = extra if extra < f else f
                    f -= to_fees
                    b -= extra - to_fees
                    if b + f == 0:
                        left -= 1
                        last = m
                        k += 1
                        continue
                    off = True
                    aj = j
                    ab = b
                    af = f
                h = k
                un += cash
            if stop == 2:
                fallback[s, q] = True
                continue
            if stop == 1:
                status[s, q] = 2
                continue
            rem = ab + af if off else 0
            for k in range(h + 1 if off else h, na):
                j = pri[k]
                if m <= last_month[j]:
                    rem += tb[m, j] + (0 if m == last_month[j] and cleared[j] else max(fee0[j] - m * mp[j], 0))
            paid = m * cash0 - un
            tot_interest[s, q] = rem - owed + paid
            tot_paid[s, q] = paid
            remaining[s, q] = rem
            unspent[s, q] = un
            if left > 0:
                status[s, q] = 1
            else:
                months[s, q] = last


@numba.njit(**_JIT)
def book_loop_all(lo, hi, start, balance, fees, minimum, rate_code, name_code,
                  rnum, rden, rlimit, rrank, nrank,
                  dfrom, dto, dint, smonth, scode, snum, sden,
                  budget, bad, keyf2, keyd2, nkey, horizon):
    """:func:`book_loop` for several strategies at once, totals only: row ``s`` of each array
    returned is strategy ``s`` (sort fields ``keyf2[s, :nkey[s]]``, ``nkey[s]`` 0 for minimums
    only). The plain portfolios are planned from shared tracks (:func:`_tracked`); the others
    strategy by strategy, as :func:`book_loop` plans them. Worth it when minimums only is among
    the strategies (its plan is the tracks); the same totals, flags and fallbacks as one
    :func:`book_loop` call per strategy.
    """
    S = len(nkey)
    P = hi - lo
    months = np.full((S, P), -1, dtype=np.int64)
    tot_interest = np.zeros((S, P), dtype=np.int64)
    tot_paid = np.zeros((S, P), dtype=np.int64)
    tot_forgiven = np.zeros((S, P), dtype=np.int64)
    remaining = np.zeros((S, P), dtype=np.int64)
    unspent = np.zeros((S, P), dtype=np.int64)
    status = np.zeros((S, P), dtype=np.int8)
    late = np.zeros((S, P), dtype=np.int64)
    shortfall = np.zeros((S, P), dtype=np.int64)
    fallback = np.zeros((S, P), dtype=np.bool_)
    done = np.zeros(P, dtype=np.bool_)
    _tracked(lo, hi, start, balance, fees, minimum, rate_code, name_code, rnum, rden, rlimit, rrank, nrank,
             dfrom, dto, smonth, budget, bad, keyf2, keyd2, nkey, horizon,
             months, tot_interest, tot_paid, remaining, unspent, status, late, shortfall, fallback, done)
    none = np.empty(0, dtype=np.int64)
    for s in range(S):
        ks = nkey[s]
        _plan_portfolios(lo, hi, lo, start, balance, fees, minimum, rate_code, name_code,
                         rnum, rden, rlimit, rrank, nrank,
                         dfrom, dto, dint, smonth, scode, snum, sden,
                         budget, bad, keyf2[s, :ks], keyd2[s, :ks], horizon, False,
                         months[s], tot_interest[s], tot_paid[s], tot_forgiven[s], remaining[s], unspent[s], status[s],
                         late[s], shortfall[s], fallback[s], none, none, none, none, none, none, none, none, none, 0, done)
    return months, tot_interest, tot_paid, tot_forgiven, remaining, unspent, status, late, shortfall, fallback


__all__ = [
    "FIELD_CODES",
    "TRACK_DEBTS",
    "book_loop",
    "book_loop_all",
]
