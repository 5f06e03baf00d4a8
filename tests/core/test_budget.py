"""The budget statement (收支表): totals, the 30% line, the emergency fund, flags with their source."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import PlannerError
from planner.budget import Line, Statement, categories, references


@given(st.lists(st.tuples(st.sampled_from(["income", "spending"]), st.integers(0, 10_000_000)), max_size=12))
def test_totals_are_exact_to_the_cent(pairs):
    lines = [Line(k, categories()[k][0], Decimal(c) / 100) for k, c in pairs]
    s = Statement(lines)
    assert s.income == sum((Decimal(c) / 100 for k, c in pairs if k == "income"), Decimal("0.00"))
    assert s.left_for_debts == max(s.income - s.spending, 0)
    assert s.emergency_fund == s.spending * 3
    assert Statement.from_dict(s.to_dict()) == s


def test_flags_income_below_essentials_and_the_reference_with_its_source():
    s = Statement.of({"wages": 2000}, {"housing": 1500, "food": 1000}, people=1)
    codes = [f.code for f in s.flags()]
    assert codes == ["income_below_essentials", "food_above_reference"]
    assert s.left_for_debts == 0
    food = s.flags()[1]
    assert "国家统计局" in food.text("zh") and "National Bureau of Statistics" in food.text("en")
    assert references()["food"].monthly == Decimal("700.92")  # 8,411 / 12 (NBS 2024)
    assert not [f for f in Statement.of({"wages": 9000}, {"food": 1000}, people=2).flags() if f.code == "food_above_reference"]


def test_chinese_words_and_bad_values():
    assert Line("支出", "房租", "￥1,200").category == "housing"
    with pytest.raises(PlannerError) as e:
        Line("收入", "房租", 100)
    assert "wages" in e.value.en and "类别" in e.value.zh
    with pytest.raises(PlannerError):
        Line("income", "wages", -5)
    with pytest.raises(PlannerError):
        Statement([], people=0)
