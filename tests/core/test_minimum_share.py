"""A card's minimum as a share of the balance with a floor (最低还款额), in the reference engine.

The rule (planner.debt.minimum_due, docs/conventions.md): by default the share of the balance
carried into the month plus all of the month's interest and the fees owed (the formula banks
publish: 信用额度内消费款的 10% + 费用和利息的 100%), at least the floor, at most what is owed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, plan
from planner.engine import required_budget
from planner.errors import InfeasibleBudgetError, PlannerError

from tests.strategies import feasible_budgets, share_portfolios, strategy_names

D = Decimal


def _rows(p, months):
    return [tuple(p.month_rows(m)[0][k] for k in ("opening_balance", "interest", "payment", "closing_balance")) for m in months]


def test_minimums_only_by_hand():
    """¥10,000 on a card at 18% a year (1.5% a month), minimum 10% + ¥100 floor, minimums only.

    Worked by hand with the banks' formula (10% of the principal + 100% of the month's interest),
    interest half-up to the cent on the opening balance:

    ====  ========  ========  ========  ========
    month opening   interest  minimum   closing
    ====  ========  ========  ========  ========
    1     10000.00  150.00    1150.00   9000.00    1000.00 + 150.00
    2     9000.00   135.00    1035.00   8100.00    900.00 + 135.00
    3     8100.00   121.50    931.50    7290.00    810.00 + 121.50
    4     7290.00   109.35    838.35    6561.00    729.00 + 109.35
    5     6561.00   98.42     754.52    5904.90    98.415 -> 98.42; 656.10 + 98.42
    6     5904.90   88.57     679.06    5314.41    88.5735 -> 88.57; 590.49 + 88.57
    10    3874.20   58.11     445.53    3486.78    58.113 -> 58.11; 387.42 + 58.11
    24    886.28    13.29     101.92    797.65     13.2942 -> 13.29; 88.628 -> 88.63; 101.92 above the floor
    25    797.65    11.96     100.00    709.61     79.765 -> 79.77 + 11.96 = 91.73: the floor, 100
    32    152.95    2.29      100.00    55.24      the floor
    33    55.24     0.83      56.07     0.00       below the floor: all of it
    ====  ========  ========  ========  ========

    Each month before the floor binds the balance falls by exactly its 10% (the interest is paid
    in full), so the closing balance is 10,000 × 0.9^k with each 10% rounded half-up. Paid in all
    11,438.76 over 33 months: 1,438.76 of interest.
    """
    p = plan([Debt("Card", 10000, 18, "10%+100")], 1200, "minimum_only")
    assert _rows(p, [1, 2, 3, 4, 5, 6, 10, 24, 25, 32, 33]) == [
        (D("10000.00"), D("150.00"), D("1150.00"), D("9000.00")),
        (D("9000.00"), D("135.00"), D("1035.00"), D("8100.00")),
        (D("8100.00"), D("121.50"), D("931.50"), D("7290.00")),
        (D("7290.00"), D("109.35"), D("838.35"), D("6561.00")),
        (D("6561.00"), D("98.42"), D("754.52"), D("5904.90")),
        (D("5904.90"), D("88.57"), D("679.06"), D("5314.41")),
        (D("3874.20"), D("58.11"), D("445.53"), D("3486.78")),
        (D("886.28"), D("13.29"), D("101.92"), D("797.65")),
        (D("797.65"), D("11.96"), D("100.00"), D("709.61")),
        (D("152.95"), D("2.29"), D("100.00"), D("55.24")),
        (D("55.24"), D("0.83"), D("56.07"), D("0.00")),
    ]
    assert (p.months, p.total_interest, p.total_paid) == (33, D("1438.76"), D("11438.76"))
    assert p.reconciles


def test_the_minimums_only_baseline_follows_the_falling_minimum():
    # A fixed ¥1,150 minimum (the same first month) clears the card in 10 months; the falling one
    # takes 33 and costs 1,438.76 of interest instead of 797.30: the baseline strategies are compared with.
    falling = plan([Debt("Card", 10000, 18, "10%+100")], 1200, "minimum_only")
    fixed = plan([Debt("Card", 10000, 18, 1150)], 1200, "minimum_only")
    payments = [r["payment"] for m in range(1, 34) for r in falling.month_rows(m)]
    assert payments == sorted(payments, reverse=True) and payments[-2] == D("100.00")
    assert fixed.months == 10 < falling.months == 33
    assert (falling.total_interest, fixed.total_interest) == (D("1438.76"), D("797.30"))


def test_the_statement_basis_by_hand():
    """The alternative basis: 10% of the statement balance (balance after the month's interest).

    Month 1: 10% of 10,150.00 = 1,015.00, 9,135.00 left. Month 2: interest 137.025 -> 137.03,
    10% of 9,272.03 = 927.203 -> 927.20, 8,344.83 left. Month 3: interest 125.17245 -> 125.17,
    10% of 8,470.00 = 847.00, 7,623.00 left.
    """
    p = plan([Debt("Card", 10000, 18, "10%+100", min_basis="statement")], 1200, "minimum_only")
    assert _rows(p, [1, 2, 3]) == [
        (D("10000.00"), D("150.00"), D("1015.00"), D("9135.00")),
        (D("9135.00"), D("137.03"), D("927.20"), D("8344.83")),
        (D("8344.83"), D("125.17"), D("847.00"), D("7623.00")),
    ]


def test_fees_are_part_of_the_minimum_and_paid_first():
    # 10% of 1,000 + 0 interest + 30 of fees = 130; the fees are paid first (Civil Code art. 561)
    p = plan([Debt("Card", 1000, 0, "10%", fees_owed=30)], 130, "minimum_only")
    row = p.month_rows(1)[0]
    assert (row["payment"], row["closing_balance"]) == (D("130.00"), D("900.00"))


def test_feasibility_uses_each_months_real_minimums():
    # Month 1: the card's 1,150 and the loan on holiday (0): 1,150 fits a budget of 1,200 and the
    # 50 left goes to the card (18% before 12%): 8,950 left. Month 2: the card's minimum is
    # 895.00 + 134.25 of interest = 1,029.25 and the loan's 500 is due: 1,529.25 > 1,200.
    debts = [Debt("Card", 10000, 18, "10%+100"), Debt("Loan", 5000, 12, 500, defer_months=1)]
    with pytest.raises(InfeasibleBudgetError) as caught:
        plan(debts, 1200)
    assert (caught.value.month, caught.value.required) == (2, D("1529.25"))


def test_a_budget_short_of_a_later_months_minimum_is_found_by_required_budget():
    debts = [Debt("Card", 10000, 18, "10%+100")]
    budget = required_budget(debts, 6)
    assert plan(debts, budget).months <= 6 and plan(debts, budget - 1).months > 6


def test_the_debt_derives_its_first_minimum_and_keeps_the_rule():
    card = Debt("Card", 10000, 18, "10%+100")
    assert (card.min_percent, card.min_floor, card.min_basis, card.min_payment) == (D("10"), D("100.00"), "principal", D("1150.00"))
    assert card == Debt("Card", 10000, 18, min_percent=10, min_floor=100)
    assert card.with_(balance=500).min_payment == D("100.00")  # below the floor: the floor
    assert card.with_(balance=50).min_payment == D("50.75")  # below the floor with its interest: all of it
    assert card.with_(min_payment=300).min_percent is None  # an amount makes it fixed again
    assert card.with_(min_payment="5%").min_percent == D("5")
    assert Debt("Card", 10000, 18, "最低5%").min_payment == D("650.00")


@pytest.mark.parametrize("kwargs, key", [
    ({"min_payment": "150%"}, "debt.minimum_unreadable"),
    ({"min_payment": "10%+abc"}, "debt.minimum_unreadable"),
    ({"min_payment": "10%", "min_percent": 5}, "debt.minimum_given_twice"),
    ({"min_percent": 0}, "debt.minimum_share_range"),
    ({"min_percent": 10, "min_basis": "monthly"}, "debt.minimum_basis_unknown"),
    ({"min_percent": 10, "min_floor": -1}, "debt.cannot_negative"),
    ({}, "debt.minimum_missing"),
])
def test_a_bad_rule_is_refused_with_both_languages(kwargs, key):
    with pytest.raises(PlannerError) as caught:
        Debt("Card", 1000, 18, **kwargs)
    assert caught.value.key == key and caught.value.zh != caught.value.en


def test_fixed_minimums_plan_as_before():
    # the engine's doctest figures, unchanged by the new rule
    ds = [Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 36, 500)]
    p = plan(ds, 1500)
    assert (p.months, p.total_interest) == (6, D("628.26"))


@settings(max_examples=80, deadline=None)
@given(data=st.data(), strategy=strategy_names)
def test_plans_with_share_minimums_reconcile_to_the_cent(data, strategy):
    debts = data.draw(share_portfolios())
    budget = data.draw(feasible_budgets(debts))
    try:
        p = plan(debts, budget, strategy, horizon=240)
    except InfeasibleBudgetError as exc:
        assert exc.required > exc.budget
        return
    assert p.reconciles
    c = p.cents()
    assert all(b >= 0 for b in c["closing"]) and all(f >= 0 for f in c["fees"])
