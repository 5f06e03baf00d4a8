"""Loading a budget statement: Chinese headers, GBK, .xlsx, every problem at once; the priority column."""

from decimal import Decimal
from pathlib import Path

import pytest

from planner import InputError, load_debts
from planner.io import load_statement

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def test_the_sample_statement():
    s = load_statement(SAMPLES / "statement_zh.csv")
    assert (s.income, s.spending, s.left_for_debts) == (Decimal("5500.00"), Decimal("3500.00"), Decimal("2000.00"))


def test_gbk_and_english_headers():
    text = "类型,项目,金额\n收入,工资,\"￥4,500\"\n支出,伙食,1.2千\n"
    assert load_statement("kind,category,amount\nincome,wages,4500\n").income == Decimal("4500.00")
    assert load_statement(text.replace("1.2千", "800").encode("gbk")).spending == Decimal("800.00")


def test_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["类型", "类别", "金额"])
    ws.append(["收入", "工资", 5200])
    ws.append(["支出", "房租", 1500.5])
    wb.save(tmp_path / "s.xlsx")
    s = load_statement(tmp_path / "s.xlsx")
    assert s.left_for_debts == Decimal("3699.50")


def test_every_problem_at_once_with_row_column_value():
    bad = "类型,类别,金额\n收入,工资,abc\n借款,房租,100\n支出,彩票,50\n支出,伙食,\n"
    with pytest.raises(InputError) as e:
        load_statement(bad)
    problems = e.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "金额"), (3, "类型"), (4, "类别"), (5, "金额")]
    assert all(p.zh and p.en for p in problems)
    assert "彩票" == problems[2].value


def test_missing_columns():
    with pytest.raises(InputError) as e:
        load_statement("类型,类别,备注\n收入,工资,x\n")
    assert e.value.problems[0].column == "amount"


def test_priority_column_in_the_debts_file():
    csv = "平台,剩余本金,年化利率,最低还款,优先\n车贷,20000,6%,900,抵押\n花呗,3000,18%,300,否\n借呗,5000,18%,500,是\n"
    a, b, c = load_debts(csv.encode())
    assert (a.priority, a.priority_reason) == (True, "secured")
    assert (b.priority, c.priority, c.priority_reason) == (False, True, None)
    with pytest.raises(InputError) as e:
        load_debts(csv.replace("是", "也许").encode())
    assert e.value.problems[0].column == "优先" and e.value.problems[0].value == "也许"
