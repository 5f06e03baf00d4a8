"""The batch engine with adjustments from a later month (``from_month``): equal to the single
engine (:func:`planner.plan` with the scenario's ``plan_inputs``) for every portfolio."""

from __future__ import annotations


from hypothesis import given
from hypothesis import strategies as st

from planner import Debt, load_debts, plan
from planner.batch import book_from_debts, later_changes, plan_batch, run_book
from planner.errors import InfeasibleBudgetError
from planner.negotiation import Scenario, cap_rate, freeze_interest, settle, waive_fees
from tests.strategies import feasible_budgets, portfolios


def single(debts, budget, scenario, strategy="avalanche"):
    """What the batch result must equal: the engine on the scenario's inputs, skipping as batch does."""
    from planner.batch import adjust

    ds = adjust(scenario, debts)
    try:
        return plan(ds, budget, strategy, changes=later_changes(scenario, ds))
    except InfeasibleBudgetError:
        return None


def check(result, k, p):
    if p is None:
        assert result.status[k] == "infeasible"
        return
    assert result.months[k] == (p.months if p.months is not None else -1)
    assert result.interest[k] == int(p.total_interest * 100)
    assert result.paid[k] == int(p.total_paid * 100)
    assert result.forgiven[k] == int(p.total_forgiven * 100)


SCENARIO = Scenario(
    "later",
    [waive_fees("overdue"), freeze_interest("kind:card", months=24, from_month=4), cap_rate("*", line="24", from_month=7), settle("分期乐", fraction="0.4", month=2, from_month=3)],
)


def test_sample_and_variants_equal_the_single_engine():
    sample = load_debts("sample_data/debts_zh.csv")
    portfolios_ = [sample, sample[:3], [d for d in sample if d.kind == "card"], [Debt("x", 5000, 12, 500)]]
    budgets = [6000, 3000, 2500, 600]
    r = plan_batch(portfolios_, budgets, scenario=SCENARIO)
    for k, (ds, b) in enumerate(zip(portfolios_, budgets)):
        check(r, k, single(ds, b, SCENARIO))
    assert r.fallback == 4  # cap_rate "*" from month 7 changes every portfolio's terms
    cards_only = Scenario("cards", [freeze_interest("kind:card", months=24, from_month=4)])
    assert plan_batch([[Debt("x", 5000, 12, 500)]], [600], scenario=cards_only).fallback == 0  # nothing selected: vectorised
    # the chunked path (apply_scenario per chunk, the fallback in the chunk) agrees; a book from
    # Debt lists keeps no kinds (book.detail is None), so this scenario selects by name
    by_name = Scenario("names", [freeze_interest("借呗", months=24, from_month=4), cap_rate("*", line="24", from_month=7)])
    r1 = plan_batch(portfolios_, budgets, scenario=by_name)
    r2 = run_book(book_from_debts(portfolios_, budgets), "avalanche", scenario=by_name)
    assert r2.interest.tolist() == r1.interest.tolist() and r2.months.tolist() == r1.months.tolist()
    for k, (ds, b) in enumerate(zip(portfolios_, budgets)):
        check(r1, k, single(ds, b, by_name))


def test_the_single_engine_sees_the_change_from_month_k():
    sample = load_debts("sample_data/debts_zh.csv")
    late = plan_batch([sample], [6000], scenario=Scenario("s", [freeze_interest("kind:card", months=24, from_month=4)]))
    now = plan_batch([sample], [6000], scenario=Scenario("s", [freeze_interest("kind:card", months=24)]))
    base = plan_batch([sample], [6000])
    assert base.interest[0] > late.interest[0] > now.interest[0]  # three months of card interest more than from month 1


@given(st.data())
def test_property_random_books(data):
    books = [data.draw(portfolios(amortising=True, max_size=4)) for _ in range(3)]
    budgets = [data.draw(feasible_budgets(p)) for p in books]
    k = data.draw(st.integers(min_value=2, max_value=6))
    scenario = Scenario("s", [cap_rate("*", line="12", from_month=k), waive_fees("debt0", from_month=k + 1)])
    r = plan_batch(books, budgets, scenario=scenario)
    for i, (ds, b) in enumerate(zip(books, budgets)):
        check(r, i, single(ds, b, scenario))
