"""The engine's conventions, against hand-worked cases, published figures and an
independent Decimal re-implementation of the rules in the README."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import Debt, InfeasibleBudgetError, PlannerError, compare, plan, required_budget
from tests.strategies import feasible_budgets, portfolios, strategy_names

D = Decimal


def reference_plan(debts, budget, priority, horizon=600):
    """The README's conventions written plainly in Decimal yuan (no cents, no shortcuts).

    Returns {name: (payoff_month, interest, paid)}."""
    bal = {d.name: d.balance for d in debts}
    fees = {d.name: d.fees_owed for d in debts}
    out = {d.name: [None, D(0), D(0)] for d in debts}
    for d in debts:
        if bal[d.name] + fees[d.name] == 0:
            out[d.name][0] = 0
    for month in range(1, horizon + 1):
        open_ = [d for d in debts if out[d.name][0] is None]
        if not open_:
            break
        cash = D(budget)
        for d in open_:
            i = (bal[d.name] * d.effective_apr / 1200).quantize(D("0.01"), rounding=ROUND_HALF_UP)
            bal[d.name] += i
            out[d.name][1] += i

        def pay(d, amount):
            to_fees = min(amount, fees[d.name])
            fees[d.name] -= to_fees
            bal[d.name] -= amount - to_fees
            out[d.name][2] += amount

        for d in open_:
            p = min(d.min_payment, bal[d.name] + fees[d.name])
            pay(d, p)
            cash -= p
        assert cash >= 0
        for name in priority:
            d = next(x for x in open_ if x.name == name) if any(x.name == name for x in open_) else None
            if d is None or cash <= 0:
                continue
            p = min(cash, bal[d.name] + fees[d.name])
            pay(d, p)
            cash -= p
        for d in open_:
            if bal[d.name] + fees[d.name] == 0:
                out[d.name][0] = month
    return {k: tuple(v) for k, v in out.items()}


# -- hand-worked cases ------------------------------------------------------


def test_two_debts_avalanche_by_hand():
    # A: 1,000 at 12% min 100; B: 2,000 at 24% min 100; budget 500; avalanche puts B first.
    # Month 1 (worked by hand): interest A 1000*1% = 10.00, B 2000*2% = 40.00;
    #   minimums 100 each, the remaining 300 to B: A 910.00, B 1,640.00.
    # Month 2: interest A 9.10, B 32.80; A 919.10-100 = 819.10; B 1,672.80-100-300 = 1,272.80.
    debts = [Debt("A", 1000, 12, 100), Debt("B", 2000, 24, 100)]
    p = plan(debts, 500, "avalanche")
    assert p.priority == ("B", "A")
    m1 = {r["debt"]: r for r in p.month_rows(1)}
    assert (m1["A"]["interest"], m1["A"]["closing_balance"]) == (D("10.00"), D("910.00"))
    assert (m1["B"]["interest"], m1["B"]["payment"], m1["B"]["closing_balance"]) == (D("40.00"), D("400.00"), D("1640.00"))
    m2 = {r["debt"]: r for r in p.month_rows(2)}
    assert (m2["A"]["interest"], m2["A"]["closing_balance"]) == (D("9.10"), D("819.10"))
    assert (m2["B"]["interest"], m2["B"]["closing_balance"]) == (D("32.80"), D("1272.80"))
    assert p.reconciles


def test_cascade_and_rollover_in_the_same_month():
    # A: 100 at 0%, min 50; B: 1,000 at 0%, min 50; budget 300, snowball (A first).
    # Month 1 by hand: minimums 50 + 50; the 200 left: A needs its last 50, then 150 cascades to B.
    # A is cleared in month 1; from month 2 B gets the whole 300 (A's minimum rolled over).
    # B: 1000 - 50 - 150 = 800 after month 1, then 300 a month: 500, 200, 0 -> month 4.
    p = plan([Debt("A", 100, 0, 50), Debt("B", 1000, 0, 50)], 300, "snowball")
    assert [o.payoff_month for o in p.outcomes] == [1, 4]
    assert p.month_rows(1)[1]["payment"] == D("200.00")
    assert p.total_interest == 0 and p.total_paid == D("1100.00")


def test_interest_rounds_half_up_to_the_cent():
    # 50.50 at 12%: interest 0.505 -> 0.51 (四舍五入, not banker's 0.50).
    p = plan([Debt("A", "50.50", 12, 100)], 100)
    assert p.month_rows(1)[0]["interest"] == D("0.51")


def test_minimum_only_leaves_the_rest_of_the_budget_unspent():
    p = plan([Debt("A", 1000, 0, 100), Debt("B", 500, 0, 100)], 10_000, "minimum_only")
    assert [o.payoff_month for o in p.outcomes] == [10, 5]
    assert p.month_rows(1)[0]["payment"] == D("100.00")


def test_fees_are_paid_first_and_earn_no_interest():
    # 1,000 at 12% plus 100 of fees, min 150. Month 1: interest 10.00 on the balance only;
    # the payment goes 100 to fees, 50 to the balance: 1,010 - 50 = 960.
    p = plan([Debt("A", 1000, 12, 150, fees_owed=100)], 150, "minimum_only")
    row = p.month_rows(1)[0]
    assert row["interest"] == D("10.00")
    assert row["closing_balance"] == D("960.00")
    assert p.schedule.loc[0, "fees_owed"] == 0
    assert p.reconciles


def test_penalty_rate_applies_while_overdue():
    # 1,000 at 18%, overdue with a 27% penalty rate: interest 1000*27%/12 = 22.50.
    p = plan([Debt("A", 1000, 18, 100, overdue_days=30, penalty_apr=27)], 100)
    assert p.month_rows(1)[0]["interest"] == D("22.50")


# -- published figures -------------------------------------------------------


def test_mortgage_annuity_from_domain_md():
    # DOMAIN.md (bank calculators): 1,000,000 at 4.9% over 360 months, 等额本息 5,307.27 a month,
    # total interest 910,616.19. The engine rounds interest to the cent each month and the last
    # payment is smaller, so its total differs from the published one (computed on the unrounded
    # payment 5,307.2672) by about a yuan; the payment clears the loan in exactly 360 months and
    # one cent less does not.
    loan = Debt("mortgage", 1_000_000, "4.9", "5307.27")
    p = plan([loan], "5307.27", "minimum_only")
    assert p.months == 360
    assert abs(p.total_interest - D("910616.19")) < 2
    assert plan([loan.with_(min_payment=D("5307.26"))], "5307.26", "minimum_only").months == 361


# -- strategies ----------------------------------------------------------------


def test_strategy_orders_and_ties():
    debts = [
        Debt("b", 500, 20, 50),
        Debt("a", 500, 20, 50),
        Debt("c", 100, 20, 10),
        Debt("d", 2000, 30, 100),
    ]
    assert plan(debts, 1000, "avalanche").priority == ("d", "c", "a", "b")  # ties: smaller balance, then name
    assert plan(debts, 1000, "snowball").priority == ("c", "a", "b", "d")  # ties: higher rate, then name
    assert plan(debts, 1000, "cash_flow_index").priority == ("a", "b", "c", "d")  # 10, 10, 10, 20
    assert plan(debts, 1000, "highest_interest_cost").priority == ("d", "a", "b", "c")
    assert plan(debts, 1000, "minimum_only").priority == ()
    assert plan(debts, 1000, "custom", order=["b", "d"]).priority == ("b", "d", "c", "a")


def test_unknown_strategy_and_custom_names_are_clear_errors():
    debts = [Debt("a", 100, 10, 10)]
    with pytest.raises(PlannerError, match="unknown strategy"):
        plan(debts, 100, "fastest")
    with pytest.raises(PlannerError, match="unknown debts in the custom order: zz"):
        plan(debts, 100, "custom", order=["zz"])


# -- budgets over time ---------------------------------------------------------


def test_one_off_extra_and_budget_change():
    debts = [Debt("A", 10_000, 0, 500)]
    base = plan(debts, 500)
    assert base.months == 20
    # A year-end bonus of 2,000 in month 3: 500*3 + 2000 = 3,500 by month 3, then 500 a month: 13 more.
    assert plan(debts, 500, extra={3: 2000}).months == 16
    # From month 5 the budget is 1,000: 2,000 by month 4, then 8,000 at 1,000 a month.
    assert plan(debts, 500, budget_changes={5: 1000}).months == 12


def test_budget_below_minimums_says_by_how_much():
    with pytest.raises(InfeasibleBudgetError) as info:
        plan([Debt("A", 1000, 0, 300), Debt("B", 1000, 0, 300)], 500)
    assert info.value.shortfall == D("100.00")
    assert "¥100.00" in str(info.value) and "还差" in str(info.value)


def test_budget_dropping_below_minimums_later_names_the_month():
    with pytest.raises(InfeasibleBudgetError) as info:
        plan([Debt("A", 5000, 0, 300)], 300, budget_changes={4: 200})
    assert info.value.month == 4


def test_never_pays_off_ends_and_says_what_would_clear_it():
    # 10,000 at 36%: interest 300 a month; a minimum of 250 never catches up.
    p = plan([Debt("A", 10_000, 36, 250)], 250, horizon=120)
    assert p.months is None and p.never_paid == ["A"]
    o = p.outcomes[0]
    assert o.payoff_month is None and o.remaining > 10_000
    # The level payment that clears it within the horizon (annuity formula, rounded up to the yuan):
    # 10000 * 0.03 / (1 - 1.03**-120) = 308.61... -> 309.
    assert o.needed_payment == 309
    assert p.reconciles
    assert plan([Debt("A", 10_000, 36, 309)], 309, horizon=120).months <= 120


def test_start_month_gives_calendar_months():
    p = plan([Debt("A", 1000, 0, 100)], 100, start="2026-12")
    assert p.debt_free == "2027-09"
    assert p.schedule["calendar_month"].iloc[0] == "2026-12"
    assert p.summary.loc[0, "payoff"] == "2027-09"


def test_zero_balance_debt_is_paid_at_month_zero():
    p = plan([Debt("A", 0, 10, 0), Debt("B", 100, 0, 100)], 100)
    assert [o.payoff_month for o in p.outcomes] == [0, 1]


# -- solving for the budget ----------------------------------------------------


def test_required_budget_is_the_smallest_whole_yuan():
    debts = [Debt("A", 6000, 18, 200), Debt("B", 3000, 24, 150)]
    b = required_budget(debts, 12)
    assert plan(debts, b).months <= 12
    assert plan(debts, b - 1).months > 12
    # Cross-check with no interest: 1,200 over 12 months needs exactly 100 a month.
    assert required_budget([Debt("Z", 1200, 0, 10)], 12) == 100


def test_required_budget_rejects_minimum_only():
    with pytest.raises(PlannerError, match="no budget clears"):
        required_budget([Debt("A", 1200, 0, 10)], 12, "minimum_only")


# -- the result object ------------------------------------------------------------


def test_schedule_is_long_format_with_string_names():
    p = plan([Debt("花呗", 300, 0, 100), Debt("B", 200, 0, 100)], 200)
    s = p.schedule
    assert list(s.columns[:6]) == ["month", "debt", "opening_balance", "interest", "payment", "closing_balance"]
    assert str(s["debt"].dtype) == "string"
    assert len(s) == 3 + 2
    assert "<table>" in p._repr_html_() and "花呗" in p._repr_html_()
    assert set(p.to_dict()) >= {"strategy", "budget", "months", "total_interest", "total_paid", "debts"}


def test_compare_runs_every_strategy():
    c = compare([Debt("A", 1000, 20, 100), Debt("B", 500, 10, 50)], 400)
    assert [p.strategy for p in c] == ["avalanche", "snowball", "minimum_only", "cash_flow_index", "highest_interest_cost"]
    assert c.best.total_interest == min(p.total_interest for p in c)
    assert len(c.summary) == 5


# -- properties -----------------------------------------------------------------


@given(st.data(), portfolios(), strategy_names)
def test_money_is_conserved_and_balances_never_go_negative(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts))
    p = plan(debts, budget, strategy, horizon=240)
    assert p.reconciles
    assert min(p.columns.closing, default=0) >= 0
    assert min(p.columns.fees, default=0) >= 0


@given(st.data(), portfolios(amortising=True), strategy_names)
def test_every_feasible_plan_ends(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts))
    p = plan(debts, budget, strategy)
    assert p.months is not None and p.months <= 600
    assert p.remaining == 0


@given(st.data(), portfolios(max_size=5), strategy_names)
def test_matches_the_decimal_reference(data, debts, strategy):
    budget = data.draw(feasible_budgets(debts))
    p = plan(debts, budget, strategy, horizon=120)
    ref = reference_plan(debts, budget, p.priority, horizon=120)
    for o in p.outcomes:
        assert (o.payoff_month, o.interest, o.paid) == ref[o.name]


@given(st.data(), portfolios(max_size=5), strategy_names)
def test_spending_the_budget_never_costs_more_than_minimums(data, debts, strategy):
    # Every strategy pays each open debt at least its minimum, so each balance stays at or
    # below the minimum-only balance, and so does the interest.
    budget = data.draw(feasible_budgets(debts))
    p = plan(debts, budget, strategy, horizon=240)
    base = plan(debts, budget, "minimum_only", horizon=240)
    assert p.total_interest <= base.total_interest


def test_a_budget_that_is_not_money_is_a_planner_error():
    with pytest.raises(PlannerError, match="not a plausible amount"):
        plan([Debt("A", 100, 0, 10)], "abc")
    # A float budget is read through its shortest repr: 2.675 yuan is 268 cents, half-up.
    assert plan([Debt("A", "2.68", 0, 0)], 2.675).months == 1


def test_numpy_numbers_are_read_exactly():
    # Budgets often come out of a DataFrame as numpy scalars.
    np = pytest.importorskip("numpy")
    assert plan([Debt("A", "20.50", 0, 0)], np.float64(20.5)).months == 1
    assert plan([Debt("A", 5, 0, 0)], np.int64(5)).months == 1


# ---------------------------------------------------------------------------
# A custom order is for the custom strategy only (issue 11, item 15)


def test_order_with_another_strategy_is_refused_in_python_too():
    debts = [Debt("A", 1000, 18, 100), Debt("B", 2000, 24, 100)]
    with pytest.raises(PlannerError, match="custom"):
        plan(debts, 500, "avalanche", order=["B"])
    assert plan(debts, 500, "custom", order=["B"]).priority[0] == "B"

