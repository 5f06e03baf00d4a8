"""The loader's flat-fee columns (issue 27): 已还期数, 手续费收取方式, 提前还款手续费."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from planner import InputError, load_debts, plan


def test_flat_fee_columns_in_chinese():
    text = (
        "平台,剩余本金,月费率,剩余期数,借款金额,已还期数,手续费收取方式,提前还款手续费\n"
        "卡分期,30000,0.6%,12,,,分期收取,\n"
        "消费分期,4000,0.66%,12期,,,一次性收取,收取\n"
        "网贷分期,20000,0.6%,8,30000,4期,,免收\n"
    )
    card, upfront, partway = load_debts(text.encode("gbk"))
    assert (card.fee_timing, card.prepay_fees, card.min_payment, card.apr) == ("monthly", "waived", D("2680.00"), D("13.0342"))
    assert (upfront.fee_timing, upfront.prepay_fees, upfront.min_payment) == ("upfront", "charged", D("333.33"))
    assert upfront.apr == D("15.3067")  # the true rate counts the fee paid with the first payment
    assert (partway.periods_paid, partway.flat_fee.periods, partway.min_payment, partway.apr) == (4, 12, D("2680.00"), D("13.0342"))
    p = plan([card, upfront, partway], 6010.13, "minimum_only")
    assert p.months == 12 and p.total_interest == D("2160.00") + D("316.80") + D("1440.00")


def test_english_headers_and_values():
    (d,) = load_debts(b"name,balance,fee_rate,term_months,fee_timing,prepay_fees\nA,1200,1,12,upfront,charged\n")
    assert (d.fee_timing, d.prepay_fees, d.flat_fee.total_fees) == ("upfront", "charged", D("144.00"))


@pytest.mark.parametrize("column, value", [("手续费收取方式", "每年"), ("提前还款手续费", "看情况"), ("已还期数", "-1")])
def test_bad_values_name_the_cell(column, value):
    text = f"平台,剩余本金,月费率,剩余期数,借款金额,{column}\n卡分期,30000,0.6%,12,30000,{value}\n"
    with pytest.raises(InputError) as info:
        load_debts(text.encode())
    assert column in str(info.value) and "第 2 行" in str(info.value)


def test_periods_paid_without_the_original_principal_is_a_problem_of_the_row():
    with pytest.raises(InputError) as info:
        load_debts("平台,剩余本金,月费率,剩余期数,已还期数\n卡分期,20000,0.6%,8,4\n".encode())
    assert "借款金额" in str(info.value)
