"""PlannerError carries both languages and where the problem is, as fields."""

import pickle
from decimal import Decimal

import pytest

from planner import Debt
from planner.errors import InfeasibleBudgetError, PlannerError
from planner.money import to_cents
from planner.negotiation import scenarios_from_dict


def test_fields_and_message():
    e = PlannerError("不是数字", "not a number", file="debts.csv", row=3, column="apr", value="x")
    assert str(e) == "不是数字 / not a number"
    assert (e.zh, e.en, e.file, e.row, e.column, e.value) == ("不是数字", "not a number", "debts.csv", 3, "apr", "x")
    again = pickle.loads(pickle.dumps(e))
    assert (str(again), again.zh, again.en, again.column) == (str(e), e.zh, e.en, e.column)


def test_one_string_still_works():
    e = PlannerError("预算不足 / budget too low")
    assert str(e) == "预算不足 / budget too low" and e.zh == e.en == str(e) and e.row is None


def test_core_raises_with_fields():
    with pytest.raises(PlannerError) as info:
        Debt("A", -5, 18, 100)
    e = info.value
    assert e.column == "balance" and e.value == Decimal("-5.00") and str(e) == f"{e.zh} / {e.en}"
    with pytest.raises(PlannerError) as info:
        to_cents("nan")
    assert info.value.value == "nan" and info.value.en.startswith("not a plausible amount")


def test_infeasible_budget_has_both_languages():
    e = InfeasibleBudgetError(Decimal(100), Decimal(150))
    assert str(e) == f"{e.zh}\n{e.en}" and "短" not in e.en and "short" in e.en


def test_scenario_loader_takes_the_fields():
    data = {"scenario": [{"name": "x", "adjust": [{"action": "cap_rate", "debt": "A", "line": "nonsense"}]}]}
    with pytest.raises(PlannerError) as info:
        scenarios_from_dict(data)
    problem = info.value.problems[0]
    assert problem.en.startswith("unknown reference line") and "未知的参考线" in problem.zh
