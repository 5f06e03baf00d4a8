"""Shared Hypothesis strategies (as numpy-financial keeps its own in tests/strategies.py).

Money is drawn in whole cents and rates in hundredths of a percent, so every
drawn value is exactly what a CSV could hold.
"""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import strategies as st

from planner import Debt

cents = st.integers(min_value=0, max_value=20_000_000)  # up to ¥200,000
rates = st.integers(min_value=0, max_value=6000).map(lambda x: Decimal(x) / 100)  # 0% .. 60%


def yuan(c: int) -> Decimal:
    return Decimal(c) / 100


@st.composite
def debts(draw, *, amortising: bool = False, name: str = "D") -> Debt:
    """One debt. With ``amortising``, its minimum covers a month's interest on the balance and
    fees together plus 1% of both, so minimum payments alone clear it well inside 600 months:
    while the minimum goes to the fees (at most 100 months) the balance grows by less than
    the minimum's margin allows ((1 - f)·e^f ≤ 1 for the fees' share f)."""
    balance = draw(cents)
    apr = draw(rates)
    fees = draw(st.sampled_from([0, 0, 0, 5000, 12345]))
    if amortising:
        floor = math.ceil((balance + fees) * apr / 1200) + (balance + fees) // 100 + 1
        minimum = draw(st.integers(min_value=floor, max_value=max(floor, balance + 100)))
    else:
        minimum = draw(st.integers(min_value=0, max_value=max(balance, 1)))
    return Debt(name, yuan(balance), apr, yuan(minimum), fees_owed=yuan(fees))


@st.composite
def portfolios(draw, *, min_size: int = 1, max_size: int = 8, amortising: bool = False) -> list[Debt]:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [draw(debts(amortising=amortising, name=f"debt{k}")) for k in range(n)]


@st.composite
def feasible_budgets(draw, portfolio: list[Debt]) -> Decimal:
    """A budget that covers month 1's minimums, plus some extra."""
    need = sum(min(d.min_payment, d.owed + d.monthly_interest) for d in portfolio)
    extra = draw(st.integers(min_value=0, max_value=1_000_000))
    return need + yuan(extra)


strategy_names = st.sampled_from(["avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost"])


# -- added for the fuzz tests (tests/test_fuzz.py): debts with every optional detail --

kinds = st.sampled_from(["card", "online_loan", "consumer_finance", "bank_loan", "private", "small_loan", "other"])


@st.composite
def varied_debts(draw, *, name: str = "D") -> Debt:
    """A debt with a kind, maybe overdue with a penalty rate and fees, maybe a contract date."""
    from datetime import date

    balance = draw(st.integers(min_value=0, max_value=50_000_000))  # up to ¥500,000
    apr = draw(st.integers(min_value=0, max_value=100_000).map(lambda x: Decimal(x) / 100))  # 0% .. 1000%
    minimum = draw(st.integers(min_value=0, max_value=max(balance, 1)))
    overdue = draw(st.sampled_from([0, 0, 0, 15, 90, 400]))
    penalty = draw(st.none() | st.integers(min_value=0, max_value=100_000).map(lambda x: Decimal(x) / 100))
    fees = draw(st.integers(min_value=0, max_value=5_000_000))
    when = draw(st.none() | st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 11, 1)))
    return Debt(
        name, yuan(balance), apr, yuan(minimum), kind=draw(kinds), overdue_days=overdue,
        penalty_apr=penalty, fees_owed=yuan(fees), contract_date=when,
    )


@st.composite
def varied_portfolios(draw, *, min_size: int = 1, max_size: int = 6) -> list[Debt]:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [draw(varied_debts(name=f"债务{k}")) for k in range(n)]


# -- debts with negotiated terms (tests/core/test_month_step.py) --


@st.composite
def negotiated_debts(draw, *, name: str = "D") -> Debt:
    """A debt from :func:`varied_debts` or :func:`debts`, maybe with a payment holiday (with or
    without interest, from any month) and maybe a settlement in some month."""
    d = draw(varied_debts(name=name) | debts(name=name))
    fields = {}
    if draw(st.booleans()):
        fields.update(defer_months=draw(st.integers(0, 14)), defer_from=draw(st.integers(1, 10)),
                      defer_interest=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        fields.update(settle_month=draw(st.integers(1, 30)),
                      settle_fraction=draw(st.integers(0, 100).map(lambda x: Decimal(x) / 100)))
    return d.with_(**fields) if fields else d


@st.composite
def negotiated_portfolios(draw, *, min_size: int = 1, max_size: int = 7) -> list[Debt]:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [draw(negotiated_debts(name=f"d{k}")) for k in range(n)]


# -- flat-fee instalments (issue 27; tests/core/test_flat_fee.py, tests/batch/test_flat_fee_batch.py) --


@st.composite
def flat_fee_debts(draw, *, name: str = "F") -> Debt:
    """A flat-fee instalment (分期): an original principal up to ¥200,000, a monthly fee of 0 to 1.5%,
    3 to 36 periods, maybe part-way (periods already paid, the balance what the contract leaves),
    the fee each period or up front, a prepayment's remaining fees waived or charged; maybe
    fees owed, a payment holiday or a settlement."""
    periods = draw(st.integers(1, 36))
    paid = draw(st.integers(0, periods - 1))
    principal = draw(st.integers(10_000, 20_000_000))  # from ¥100: (n − 1) periods of P/n never pass P
    instalment = (2 * principal + periods) // (2 * periods)  # half-up, as FlatFee.instalment
    balance = max(principal - paid * instalment, 0) if paid else principal
    fields = dict(
        fee_rate=Decimal(draw(st.integers(0, 150))) / 100, term_months=periods - paid, periods_paid=paid,
        principal=yuan(principal) if paid or draw(st.booleans()) else None,
        fee_timing=draw(st.sampled_from(["monthly", "upfront"])), prepay_fees=draw(st.sampled_from(["waived", "charged"])),
        fees_owed=yuan(draw(st.sampled_from([0, 0, 0, 2500]))),
    )
    if draw(st.integers(0, 4)) == 0:
        fields.update(defer_months=draw(st.integers(1, 4)), defer_from=draw(st.integers(1, 6)), defer_interest=draw(st.booleans()))
    if draw(st.integers(0, 5)) == 0:
        fields.update(settle_month=draw(st.integers(1, 24)), settle_fraction=Decimal(draw(st.integers(0, 100))) / 100)
    apr = Decimal(draw(st.integers(0, 4000))) / 100  # the true rate: reported, not used by the month rule
    return Debt(name, yuan(balance), apr, yuan(instalment), **fields)


@st.composite
def flat_fee_portfolios(draw, *, max_size: int = 5) -> list[Debt]:
    """One to ``max_size`` debts, at least one a flat-fee instalment, the rest plain."""
    n = draw(st.integers(1, max_size))
    out = [draw(flat_fee_debts(name="flat0"))]
    for k in range(1, n):
        out.append(draw(flat_fee_debts(name=f"flat{k}") | debts(amortising=True, name=f"plain{k}")))
    return out


# -- minimums as a share of the balance (最低还款额; tests/core/test_minimum_share.py, tests/batch) --

shares = st.sampled_from(["10", "5", "2.5", "3.33", "100", "0.01"]).map(Decimal)


@st.composite
def share_debts(draw, *, name: str = "D") -> Debt:
    """A debt from :func:`debts` or :func:`negotiated_debts` whose minimum is a share of the
    balance, with or without a floor, on either basis (planner.debt.minimum_due)."""
    d = draw(debts(name=name) | negotiated_debts(name=name))
    floor = draw(st.sampled_from([0, 0, 5000, 10000, 123456]))
    return d.with_(min_percent=draw(shares), min_floor=yuan(floor), min_basis=draw(st.sampled_from(["principal", "statement"])))


@st.composite
def share_portfolios(draw, *, min_size: int = 1, max_size: int = 6) -> list[Debt]:
    """Debts of which some have a share-of-balance minimum and the rest a fixed one."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [draw(share_debts(name=f"s{k}") | negotiated_debts(name=f"s{k}")) for k in range(n)]
