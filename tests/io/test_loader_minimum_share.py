"""The loader's forms of a share-of-balance minimum (最低还款额): cells, columns, problems and the warning."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest

from planner.errors import InputError, PlannerWarning
from planner.io import load_debts


def _load(text: str):
    return load_debts(text.encode("utf-8"))


def test_the_cell_forms():
    debts = _load("平台,剩余本金,年化利率,最低还款\n招行信用卡,\"10,000\",18%,10%+100\n借呗,5000,12%,500\n广发卡,3000,18%,最低5%+50\n"
                  "浦发卡,2000,18%,10% + ￥100\n")
    assert [(d.min_percent, d.min_floor, d.min_payment) for d in debts] == [
        (Decimal(10), Decimal(100), Decimal("1150.00")), (None, 0, Decimal(500)),
        (Decimal(5), Decimal(50), Decimal("195.00")), (Decimal(10), Decimal(100), Decimal("230.00")),
    ]


def test_the_separate_columns():
    debts = _load("name,balance,apr,min_payment,最低还款比例,最低还款下限(元),最低还款基数\n"
                  "A,10000,18,,10,100,\nB,5000,12,500,,,\nC,10000,18,,10%,100,账单\nD,10000,18,999,10,100,本金\n")
    assert [(d.min_percent, d.min_floor, d.min_basis, d.min_payment) for d in debts] == [
        (Decimal(10), Decimal(100), "principal", Decimal(1150)), (None, 0, "principal", Decimal(500)),
        (Decimal(10), Decimal(100), "statement", Decimal(1015)), (Decimal(10), Decimal(100), "principal", Decimal(1150)),
    ]


def test_a_share_column_makes_the_minimum_column_optional():
    (d,) = _load("name,balance,apr,min_percent,min_floor\nA,10000,18,10,100\n")
    assert d.min_payment == Decimal(1150)


def test_each_bad_value_is_a_row_problem_in_both_languages():
    with pytest.raises(InputError) as caught:
        _load("name,balance,apr,min_payment,最低还款比例,最低还款下限,最低还款基数\n"
              "A,3000,18,10%+50,5,,\nB,3000,18,150%,,,\nC,3000,18,,x,,\nD,3000,18,,10,,月\nE,3000,18,10%+abc,,,\n"
              "F,3000,18,10%+50,,80,\n")
    got = [(p.row, p.column, p.value, p.key) for p in caught.value.problems]
    assert got == [
        (2, "最低还款比例", "5", "io.loader.minimum_share_twice"),
        (3, "min_payment", "150%", None),
        (4, "最低还款比例", "x", None),
        (5, "最低还款基数", "月", None),
        (6, "min_payment", "10%+abc", None),
        (7, "最低还款下限", "80", "io.loader.minimum_floor_twice"),
    ]
    for p in caught.value.problems:
        assert p.zh != p.en and "最低还款" in p.zh


def test_a_share_without_a_floor_warns():
    with pytest.warns(PlannerWarning, match="never quite clears"):
        _load("name,balance,apr,min_payment\nA,3000,18,10%\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _load("name,balance,apr,min_payment\nA,3000,18,10%+50\n")
