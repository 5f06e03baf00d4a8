"""The Python API validates at the boundary (issue 11, item 17; and item 13's `apr --daily-rate 1e30`).

Every public function, given a value of an odd type or size in any one argument, returns
a result or raises :class:`~planner.errors.PlannerError` with a message: never a decimal
signal (InvalidOperation, Overflow), TypeError, AttributeError, KeyError or ValueError of
another kind. The odd values are the ones a notebook hands over: numpy scalars and arrays,
pandas NA and Timestamps, dates and text where numbers go, containers where scalars go.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import planner
from planner import (
    Adjustment,
    Debt,
    PlannerError,
    Scenario,
    affordability,
    assess,
    build_report,
    compare,
    load_debts,
    load_scenarios,
    negotiate,
    plan,
    price_agency,
    required_budget,
    schedule,
    true_apr,
)
from planner import rates, references
from planner.negotiation import cap_rate, defer, freeze_interest, overdue_cost, reduce_rate, settle

ODD = [
    None, True, np.float64(5000.5), np.int64(7), np.float32(1.5), np.bool_(True), np.nan, float("inf"), -1, 0, "abc", "", " ",
    "1e30", "18%", "2018-06-01", 1e30, 10**40, -(10**40), Decimal("NaN"), Decimal("1e999999"), Decimal("1e-999999"), Decimal("5"),
    [], [(3, 5)], {}, {"a": 1}, {3: "x"}, {3: None}, (1, 2), object(), 3 + 4j, b"12", date(2020, 1, 1),
    datetime(2020, 1, 1), pd.NA, pd.Timestamp("2020-01-01"), np.array([1, 2]),
]
DEBTS = [Debt("A", 1000, 18, 100), Debt("B", 500, 24, 60, kind="card")]


def _debt(**changes):
    return Debt(**{"name": "A", "balance": 1000, "apr": 18, "min_payment": 100, **changes})


def _negotiation():
    return negotiate(DEBTS, 1000, [Scenario("s", [cap_rate("*", "24")])])


CALLS = {
    **{f"Debt.{f}": (lambda f: lambda v: _debt(**{f: v}))(f) for f in (
        "name", "balance", "apr", "min_payment", "kind", "daily_rate", "fee_rate", "term_months", "overdue_days",
        "penalty_apr", "fees_owed", "principal", "defer_months", "defer_from", "extra")},
    "Debt.contract_date": lambda v: assess(_debt(kind="private", contract_date=v)),
    "Debt.defer_interest": lambda v: plan([_debt(defer_months=1, defer_interest=v)], 500),
    "Debt.settle_fraction": lambda v: _debt(settle_month=1, settle_fraction=v),
    "Debt.with_": lambda v: DEBTS[0].with_(balance=v),
    "plan.debts": lambda v: plan(v, 1000),
    "plan.budget": lambda v: plan(DEBTS, v),
    "plan.strategy": lambda v: plan(DEBTS, 1000, v),
    "plan.order": lambda v: plan(DEBTS, 1000, "custom", order=v),
    "plan.extra": lambda v: plan(DEBTS, 1000, extra=v),
    "plan.budget_changes": lambda v: plan(DEBTS, 1000, budget_changes=v),
    "plan.horizon": lambda v: plan(DEBTS, 1000, horizon=v),
    "plan.start": lambda v: plan(DEBTS, 1000, start=v).debt_free,
    "compare.strategies": lambda v: compare(DEBTS, 1000, v),
    "required_budget.months": lambda v: required_budget(DEBTS, v),
    "load_debts": load_debts,
    "negotiate.budget": lambda v: negotiate(DEBTS, v, []),
    "negotiate.scenarios": lambda v: negotiate(DEBTS, 1000, v),
    "price_agency.savings": lambda v: price_agency(v, 80000, fee=12000),
    "price_agency.total_debt": lambda v: price_agency(100, v, fee_percent=15),
    "price_agency.fee": lambda v: price_agency(100, 80000, fee=v),
    "price_agency.fee_percent": lambda v: price_agency(100, 80000, fee_percent=v),
    "affordability.income": lambda v: affordability(v, 1000),
    "affordability.essentials": lambda v: affordability(10000, v),
    "affordability.payments": lambda v: affordability(10000, 1000, v),
    "affordability.debts": lambda v: affordability(10000, 1000, debts=v),
    "assess": assess,
    "assess.filing_date": lambda v: assess(DEBTS[0], filing_date=v),
    "overdue_cost": overdue_cost,
    "true_apr": true_apr,
    "schedule.principal": lambda v: schedule(v, 5, 12),
    "schedule.apr": lambda v: schedule(1000, v, 12),
    "schedule.months": lambda v: schedule(1000, 5, v),
    "schedule.method": lambda v: schedule(1000, 5, 12, v),
    "upfront_fee_apr.principal": lambda v: rates.upfront_fee_apr(v, 0, 100, 12),
    "upfront_fee_apr.fee": lambda v: rates.upfront_fee_apr(1000, v, 100, 12),
    "upfront_fee_apr.payment": lambda v: rates.upfront_fee_apr(1000, 0, v, 12),
    "flat_fee_rate.fee_rate": lambda v: rates.flat_fee_rate(v, 12),
    "flat_fee_rate.periods": lambda v: rates.flat_fee_rate(1, v),
    "flat_fee_payment": lambda v: rates.flat_fee_payment(v, 1, 12),
    "daily_rate_apr": rates.daily_rate_apr,
    "nominal_apr": rates.nominal_apr,
    "line_rate.line": references.line_rate,
    "line_rate.contract_date": lambda v: references.line_rate("4xLPR", v),
    "reference_lines.kind": references.reference_lines,
    "cap_rate.line": lambda v: cap_rate("*", v).apply(DEBTS),
    "cap_rate.filing_date": lambda v: cap_rate("*", "4xLPR", filing_date=v).apply(DEBTS),
    "freeze_interest.months": lambda v: freeze_interest("*", v),
    "freeze_interest.debt": lambda v: freeze_interest(v).apply(DEBTS),
    "reduce_rate.apr": lambda v: reduce_rate("*", apr=v),
    "reduce_rate.fraction": lambda v: reduce_rate("*", fraction=v),
    "settle.fraction": lambda v: settle("*", v),
    "settle.month": lambda v: settle("*", 0.5, v),
    "defer.months": lambda v: defer("*", v),
    "defer.accrue": lambda v: defer("*", 2, v),
    "Scenario.name": lambda v: Scenario(v),
    "Scenario.adjustments": lambda v: Scenario("x", v),
    "Scenario.lump": lambda v: Scenario("x", lump=v),
    "Adjustment.action": lambda v: Adjustment(v),
    "Adjustment.params": lambda v: Adjustment("cap_rate", "*", v),
    "load_scenarios": load_scenarios,
    "Negotiation[name]": lambda v: _negotiation()[v],
    "Negotiation.agency": lambda v: _negotiation().agency("s", fee=v),
    "plan_batch.portfolios": lambda v: planner.plan_batch(v, [1000]),
    "plan_batch.budgets": lambda v: planner.plan_batch([DEBTS], v),
    "plan_batch.strategy": lambda v: planner.plan_batch([DEBTS], [1000], v),
    "build_report.budget": lambda v: build_report(DEBTS, v),
    "build_report.lang": lambda v: build_report(DEBTS, 1000, lang=v),
    "Plan.calendar_month": lambda v: plan(DEBTS, 1000, start="2026-12").calendar_month(v),
    "Comparison[strategy]": lambda v: compare(DEBTS, 1000)[v],
}


@pytest.mark.parametrize("name", list(CALLS))
def test_odd_values_give_a_result_or_a_planner_error(name):
    call = CALLS[name]
    leaks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for value in ODD:
            try:
                call(value)
            except PlannerError as exc:
                assert str(exc).strip(), (name, value)  # a message, not an empty error
            except Exception as exc:  # noqa: BLE001 - what this test looks for
                leaks.append(f"{name}({value!r:.40}): {type(exc).__name__}: {exc}")
    assert not leaks, "\n".join(leaks)


# -- the examples, with what they now give ------------------------------------


def test_numpy_money_is_read_exactly():
    d = Debt("A", np.float64(5000.5), np.float64(18.25), np.int64(500), term_months=np.int64(12))
    assert (d.balance, d.apr, d.min_payment, d.term_months) == (Decimal("5000.50"), Decimal("18.25"), Decimal("500.00"), 12)
    assert type(d.term_months) is int
    # numpy's booleans are booleans where a flag goes, and not numbers where money goes
    assert Debt("A", 1000, 18, 100, defer_months=1, defer_interest=np.False_).defer_interest is False
    assert defer("*", 2, np.True_).params["accrue"] is True
    with pytest.raises(PlannerError, match="balance: .*not a number"):
        Debt("A", np.True_, 18, 100)


@pytest.mark.parametrize("text", ["2018-06-01", "2018/6/1", "2018年6月1日", "20180601"])
def test_a_contract_date_as_text_is_parsed_at_construction(text):
    d = Debt("表哥", 10000, 20, 500, kind="private", contract_date=text)
    assert d.contract_date == date(2018, 6, 1)
    assert assess(d).line("4xLPR").rate == 4 * references.lpr_on(date.today())  # and assess works
    assert Debt("x", 1, 1, 1, contract_date=datetime(2018, 6, 1, 9, 30)).contract_date == date(2018, 6, 1)
    assert Debt("x", 1, 1, 1, contract_date=pd.Timestamp("2018-06-01")).contract_date == date(2018, 6, 1)
    with pytest.raises(PlannerError, match="contract_date: .*not a date"):
        Debt("x", 1, 1, 1, contract_date="June 2018")


def test_extra_as_pairs_is_the_same_as_a_dict():
    assert plan(DEBTS, 1000, extra=[(3, 5)]).total_paid == plan(DEBTS, 1000, extra={3: 5}).total_paid
    assert plan(DEBTS, 1000, budget_changes=[(2, 1200)]).months == plan(DEBTS, 1000, budget_changes={2: 1200}).months
    with pytest.raises(PlannerError, match="must map a month to an amount"):
        plan(DEBTS, 1000, extra=[3, 5])


def test_price_agency_takes_the_savings_object():
    result = _negotiation()
    quote = price_agency(result["s"].savings, 80000, fee=12000)
    assert quote == result.agency("s", fee=12000)
    assert quote.savings_direct == result["s"].savings.total_paid


def test_apr_daily_rate_1e30_is_a_clear_error(capsys):
    from planner.cli import main

    for argv in (["apr", "--daily-rate", "1e30"], ["apr", "--daily-rate", "5000"], ["apr", "--fee-rate", "1e30", "--periods", "12"],
                 ["apr", "--principal", "1e30", "--payment", "1", "--periods", "12"], ["apr", "--cash-flows=1e30,-1e31"],
                 # a payment that implies a monthly rate of about 100,000% (was a raw InvalidOperation)
                 ["apr", "--principal", "1000", "--payment", "1000000", "--periods", "12"]):
        try:
            code = main(argv)
        except SystemExit as exc:  # refused by the option's own parser (argparse exits 2)
            code = exc.code
        assert code == 2, argv
        err = capsys.readouterr().err
        assert "internal error" not in err and ("implausibly" in err or "不合理" in err), err


@given(st.from_type(type).flatmap(st.from_type).filter(lambda v: not isinstance(v, (list, dict, set, tuple, frozenset))))
def test_any_scalar_as_a_balance_is_a_debt_or_a_planner_error(value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            Debt("A", value, 18, 100)
        except PlannerError:
            pass
