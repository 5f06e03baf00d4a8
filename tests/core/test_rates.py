"""True rates (IRR) and schedules, against published figures and numpy-financial."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import PlannerError, load_debts
from planner.cli import main
from planner.rates import (
    annuity_payment,
    annuity_total_interest,
    daily_rate_apr,
    debt_true_rate,
    flat_fee_apr,
    flat_fee_payment,
    flat_fee_rate,
    installment,
    irr,
    level_payment,
    months_to_clear,
    nominal_apr,
    schedule,
    true_apr,
    upfront_fee_apr,
)

MORTGAGE = (1000000, Decimal("4.9"), 360)


# -- published figures (../shared/DOMAIN.md) ----------------------------------


def test_pboc_example_upfront_fee():
    # PBoC announcement 〔2021〕No. 3, its own example: 100,000 borrowed, 1,000 fee taken
    # up front, 12 payments of 8,833.3 -> 12·r = 12.80%, (1+r)^12 − 1 = 13.58%.
    rate = upfront_fee_apr(100000, 1000, Decimal("8833.3"), 12)
    assert rate.nominal == Decimal("12.80")
    assert rate.effective == Decimal("13.58")


def test_pboc_example_as_cash_flows_and_as_deducted_interest():
    # Same loan written as cash flows: 99,000 received (砍头息: the principal is what was
    # received, Civil Code art. 670), then 12 × −8,833.3.
    rate = true_apr([99000] + [Decimal("-8833.3")] * 12)
    assert (rate.nominal, rate.effective) == (Decimal("12.80"), Decimal("13.58"))


def test_icbc_flat_fee_installment():
    # ICBC's installment page: 12 periods at 0.6% a month on the original principal -> 13.03%.
    assert flat_fee_rate(Decimal("0.6"), 12).nominal == Decimal("13.03")
    assert flat_fee_apr(Decimal("0.6"), 12).quantize(Decimal("0.01")) == Decimal("13.03")


def test_flat_fee_true_rate_is_far_above_twelve_times_the_fee():
    # DOMAIN.md: "the true rate is much higher than 12·f" (12 × 0.6 = 7.2%).
    assert flat_fee_rate(Decimal("0.6"), 12).nominal > Decimal("1.8") * 12 * Decimal("0.6")


def test_daily_rate():
    # DOMAIN.md: 0.05% a day (万5) is 18.25% simple over 365 days.
    rate = daily_rate_apr(Decimal("0.05"))
    assert rate.nominal == Decimal("18.25")
    # effective: (1 + 0.1825/12)^12 − 1 = 19.8590...% (hand computation)
    assert rate.effective == Decimal("19.86")


def test_mortgage_annuity_payment_and_total_interest():
    # Published check (bank calculators; DOMAIN.md): 1,000,000 at 4.9% over 360 months,
    # 等额本息 5,307.27 a month, total interest 910,616.19.
    assert annuity_payment(*MORTGAGE) == Decimal("5307.27")
    assert annuity_total_interest(*MORTGAGE) == Decimal("910616.19")


def test_mortgage_annuity_schedule_to_the_cent():
    s = schedule(*MORTGAGE, "annuity")
    assert s.rows[0].payment == Decimal("5307.27")
    assert s.rows[0].interest == Decimal("4083.33")  # 1,000,000 × 4.9% / 12 = 4,083.333...
    assert all(r.payment == Decimal("5307.27") for r in s.rows[:-1])
    assert s.rows[-1].balance == 0
    assert sum(r.principal for r in s.rows) == Decimal("1000000.00")
    # Interest rounded to the cent each month makes the schedule's total differ from the
    # published n·A − P (910,616.19, unrounded A) by the rounding only: 910,615.12.
    assert abs(s.total_interest - Decimal("910616.19")) < 2
    assert s.total_paid == Decimal("1000000.00") + s.total_interest


def test_mortgage_equal_principal_schedule():
    # Published check (DOMAIN.md): 等额本金 first month 6,861.11, falling by 11.34 a month,
    # total interest 737,041.67.
    s = schedule(*MORTGAGE, "equal_principal")
    assert s.rows[0].payment == Decimal("6861.11")
    assert s.rows[0].payment - s.rows[1].payment == Decimal("11.34")
    assert s.total_interest == Decimal("737041.67")
    # the fall is 11.34 up to a cent of rounding, every month
    steps = {s.rows[k].payment - s.rows[k + 1].payment for k in range(359)}
    assert steps <= {Decimal("11.33"), Decimal("11.34"), Decimal("11.35"), Decimal("11.36")}
    assert s.rows[-1].balance == 0


def test_interest_only_schedule():
    # 先息后本: 12,000 at 12% over 12 -> 120 a month (12000 × 1%), 12,120 at the end.
    s = schedule(12000, 12, 12, "interest_only")
    assert s.payments[:11] == [Decimal("120.00")] * 11
    assert s.payments[-1] == Decimal("12120.00")
    assert s.total_interest == Decimal("1440.00")


def test_schedule_rejects_unknown_method():
    with pytest.raises(PlannerError, match="unknown method"):
        schedule(1000, 12, 12, "balloon")


# -- numpy-financial as an oracle ---------------------------------------------


def test_annuity_payment_matches_numpy_financial():
    # npf.pmt(0.049/12, 360, -1e6) = 5307.2672...
    assert annuity_payment(*MORTGAGE) == Decimal(f"{npf.pmt(0.049 / 12, 360, -1_000_000):.2f}")


@given(
    principal=st.integers(min_value=1000, max_value=1_000_000),
    periods=st.integers(min_value=2, max_value=60),
    markup=st.integers(min_value=1, max_value=80),  # total paid 1% .. 80% above the principal
)
def test_irr_matches_numpy_financial(principal, periods, markup):
    payment = principal * (100 + markup) / 100 / periods
    flows = [principal] + [-payment] * periods
    expected = npf.irr(flows)
    assert irr(flows) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(fee=st.integers(min_value=1, max_value=300), periods=st.integers(min_value=1, max_value=36))
def test_flat_fee_rate_matches_numpy_financial_rate(fee, periods):
    f = fee / 10000  # 0.01% .. 3% a month
    r = npf.rate(periods, -(1 / periods + f), 1, 0)
    got = flat_fee_rate(Decimal(fee) / 100, periods)
    assert float(got.nominal) == pytest.approx(12 * r * 100, abs=0.005)


def test_irr_needs_both_signs():
    with pytest.raises(PlannerError, match="both signs"):
        irr([100, 50, 20])


def test_flat_fee_payment():
    # A = P/n + P·f = 12000/12 + 12000 × 0.6% = 1000 + 72
    assert flat_fee_payment(12000, Decimal("0.6"), 12) == Decimal("1072.00")


def test_loader_uses_the_flat_fee_rate_for_a_row_without_apr():
    debts = load_debts(b"name,balance,fee_rate,term_months\nCard installment,12000,0.6%,12\n")
    assert debts[0].apr.quantize(Decimal("0.01")) == Decimal("13.03")  # ICBC figure again
    assert debts[0].min_payment == Decimal("1072.00")
    assert debt_true_rate(debts[0]).basis == "flat_fee"


def test_nominal_apr_effective_form():
    # (1 + 0.18/12)^12 − 1 = 19.5618...%
    assert nominal_apr(18).effective == Decimal("19.56")


# -- installments --------------------------------------------------------------


def test_installment_rounds_up_so_the_last_is_smaller():
    # ¥1,000 in 3: 333.34, 333.34, 333.32
    assert installment(100000, 3) == 33334


def test_level_payment_clears_in_time():
    # 12,000 at 12% over 24: npf.pmt(0.01, 24, -12000) = 564.88..., rounded up to 564.89
    pay = level_payment(1200000, 12, 24)
    assert pay == 56489
    assert months_to_clear(1200000, 12, pay) == 24


@given(
    balance=st.integers(min_value=1, max_value=50_000_000),
    apr=st.integers(min_value=0, max_value=6000).map(lambda x: Decimal(x) / 100),
    months=st.integers(min_value=1, max_value=120),
)
def test_level_payment_always_clears_within_the_term(balance, apr, months):
    pay = level_payment(balance, apr, months)
    assert months_to_clear(balance, apr, pay) <= months


# -- CLI -------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_apr_upfront_fee(capsys):
    code, out, _ = run(capsys, "apr", "--principal", "100000", "--upfront-fee", "1000", "--payment", "8833.3", "--periods", "12")
    assert code == 0
    assert "12.80%" in out and "13.58%" in out  # PBoC example


def test_cli_apr_fee_rate_json(capsys):
    code, out, _ = run(capsys, "apr", "--fee-rate", "0.6", "--periods", "12", "--format", "json")
    assert code == 0
    assert json.loads(out)["nominal"] == 13.03  # ICBC


def test_cli_apr_daily_rate_in_chinese(capsys):
    code, out, _ = run(capsys, "apr", "--daily-rate", "0.05", "--lang", "zh")
    assert code == 0
    assert "18.25%" in out and "名义年化" in out


def test_cli_apr_without_a_quote_is_a_clear_error(capsys):
    code, out, err = run(capsys, "apr", "--periods", "12")
    assert code == 2
    assert "--fee-rate" in err and "Traceback" not in err


def test_cli_apr_is_registered_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out, _ = capsys.readouterr()
    assert "apr" in out and "negotiate" in out


def test_sample_files_exist():
    assert (Path(__file__).resolve().parents[2] / "sample_data" / "scenarios_zh.toml").is_file()
