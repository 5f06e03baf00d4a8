"""Flat-fee instalments in the case book (issue 27): stored in a debt's JSON detail, and replayed
by the engine's month step (the track of a case paid as planned is the plan, to the cent)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, plan
from planner.cases.model import debt_from_dict, debt_to_dict
from planner.cases.months import month_index
from planner.cases.track import replay
from tests.strategies import flat_fee_debts, flat_fee_portfolios, yuan


@settings(max_examples=60, deadline=None)
@given(flat_fee_debts())
def test_a_flat_fee_debt_is_stored_and_read_back_whole(d):
    assert debt_from_dict(debt_to_dict(d)) == d


def test_a_debt_stored_before_reads_as_before():
    # no new keys in the detail of a debt without the settings: the stored JSON is unchanged
    plain = Debt("分期", 30000, 13, 2680, fee_rate="0.6", term_months=12)
    stored = debt_to_dict(plain)
    assert not {"fee_timing", "periods_paid", "prepay_fees"} & set(stored)
    assert debt_from_dict(stored) == plain
    upfront = plain.with_(fee_timing="upfront", prepay_fees="charged", periods_paid=2, principal=Decimal("32000"))
    assert {k: debt_to_dict(upfront)[k] for k in ("fee_timing", "periods_paid", "prepay_fees")} == {
        "fee_timing": "upfront", "periods_paid": 2, "prepay_fees": "charged"}


@settings(max_examples=60, deadline=None)
@given(st.data(), flat_fee_portfolios(max_size=3))
def test_a_case_paid_as_planned_tracks_the_plan(data, debts):
    debts = [d.with_(settle_month=None, settle_fraction=None) for d in debts]  # a settlement counts once paid: tested elsewhere
    budget = data.draw(st.integers(0, 3_000_000).map(yuan))
    try:
        p = plan(debts, budget, horizon=48)
    except Exception:  # an infeasible budget: nothing to replay
        return
    start = month_index("2027-01")
    payments = {(start + r.month - 1, p.debts[r.debt].name): r.payment for r in p.schedule_rows() if r.payment}
    if not p.months_run:
        return
    track = replay(debts, start, start + p.months_run - 1, [], payments)
    rows = {(r.month - start + 1, r.debt): (r.interest, r.payment, r.closing) for r in track.rows}
    assert rows == {(r.month, p.debts[r.debt].name): (r.interest, r.payment, r.closing + r.fees) for r in p.schedule_rows()}
