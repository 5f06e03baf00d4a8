"""Negotiation: each adjustment's arithmetic, scenarios, TOML files, comparison, properties."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from planner import Debt, InputError, PlannerError, load_debts, plan
from planner.cli import main
from planner.negotiation import (
    Adjustment,
    Scenario,
    affordability,
    cap_rate,
    defer,
    extend_term,
    freeze_interest,
    monthly_pressure,
    overdue_cost,
    price_agency,
    reduce_rate,
    settle,
    waive_fees,
)
from planner import load_scenarios, negotiate
from planner.references import lpr_on
from strategies import portfolios

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
ZH = str(SAMPLES / "debts_zh.csv")
ZH_SCENARIOS = str(SAMPLES / "scenarios_zh.toml")

CARD = Debt("GF card", 11200, Decimal("18.25"), 1120, kind="card", overdue_days=38, penalty_apr=Decimal("18.25"), fees_owed=56)
LOAN = Debt(
    "Fenqile", 7200, Decimal("35.9"), Decimal("424.76"), kind="online_loan", overdue_days=45,
    penalty_apr=Decimal("53.85"), fees_owed=360, contract_date=date(2023, 7, 28),
)


def one(adjustment: Adjustment, debt: Debt) -> Debt:
    return adjustment.apply([debt])[0]


# -- each adjustment's arithmetic ----------------------------------------------------


def test_freeze_interest_with_accrued_fees():
    d = one(freeze_interest("GF card", months=60), CARD)
    # 11,200 + 56 fees = 11,256 split in 60: 187.60 each (exact)
    assert (d.balance, d.fees_owed, d.apr, d.penalty_apr, d.min_payment) == (
        Decimal("11256.00"), Decimal("0.00"), Decimal("0"), None, Decimal("187.60"))
    p = plan([d], d.min_payment, "minimum_only")
    assert p.months == 60 and p.total_interest == 0 and p.total_paid == Decimal("11256.00")


def test_freeze_interest_rounds_the_installment_up_so_the_last_is_smaller():
    d = one(freeze_interest(months=60), Debt("CMB", Decimal("15656.00"), Decimal("18.25"), 1560))
    # 15,656 / 60 = 260.9333... -> 260.94; last = 15,656 − 59 × 260.94 = 260.54
    assert d.min_payment == Decimal("260.94")
    p = plan([d], d.min_payment, "minimum_only")
    assert p.months == 60
    assert p.month_rows(60)[0]["payment"] == Decimal("260.54")


def test_freeze_interest_without_accrued_writes_the_fees_off():
    d = one(freeze_interest(months=60, include_accrued=False), CARD)
    assert (d.balance, d.fees_owed, d.min_payment) == (Decimal("11200.00"), Decimal("0.00"), Decimal("186.67"))  # 11200/60 = 186.666.. up


def test_freeze_longer_than_60_months_is_refused():
    with pytest.raises(PlannerError, match="from 1 to 60"):
        freeze_interest(months=61)


def test_extend_term_reamortises_at_the_debts_rate():
    d = one(extend_term(months=24), Debt("Loan", 12000, 12, 1100))
    # npf.pmt(0.01, 24, -12000) = 564.8817 -> 564.89 (rounded up so 24 months clear it)
    assert float(d.min_payment) == pytest.approx(npf.pmt(0.01, 24, -12000), abs=0.01)
    assert d.min_payment == Decimal("564.89")
    p = plan([d], d.min_payment, "minimum_only")
    assert p.months == 24


def test_extend_term_12_to_24_roughly_halves_the_payment():
    # DOMAIN.md reported case: 12 remaining periods stretched to 24, the payment roughly halved.
    before = Debt("Loan", 12000, 18, Decimal("1100.16"))  # npf.pmt(0.015, 12, -12000) = 1100.16
    after = one(extend_term(months=24), before)
    assert Decimal("0.50") < after.min_payment / before.min_payment < Decimal("0.56")


def test_reduce_rate_to_an_apr_cuts_the_penalty_too_and_never_raises():
    d = one(reduce_rate(apr=12), LOAN)
    assert (d.apr, d.penalty_apr, d.min_payment) == (Decimal("12"), Decimal("12"), LOAN.min_payment)
    assert one(reduce_rate(apr=40), LOAN).apr == Decimal("35.9")  # already below 40: unchanged


def test_reduce_rate_by_a_fraction():
    d = one(reduce_rate(fraction=0.3), LOAN)
    # 35.9 × 0.7 = 25.13; 53.85 × 0.7 = 37.695
    assert (d.apr, d.penalty_apr) == (Decimal("25.13"), Decimal("37.695"))
    with pytest.raises(PlannerError, match="exactly one"):
        reduce_rate(apr=12, fraction=0.3)


def test_cap_rate_at_four_times_lpr_of_the_contract_date():
    d = one(cap_rate(line="4xLPR"), LOAN)
    # contract 2023-07-28: LPR 3.55% (from 2023-06-20) -> 4 × 3.55 = 14.20
    assert (d.apr, d.penalty_apr) == (Decimal("14.20"), Decimal("14.20"))
    undated = one(cap_rate(line="4xLPR"), Debt("X", 1000, 30, 100))
    assert undated.apr == 4 * lpr_on(date.today())


def test_cap_rate_at_24_leaves_lower_rates_alone():
    low = Debt("Low", 1000, 18, 100)
    assert one(cap_rate(line="24"), low) == low
    assert one(cap_rate(line=24), LOAN).apr == Decimal("24")


def test_waive_fees():
    d = one(waive_fees(), LOAN)
    assert d.fees_owed == 0 and d.penalty_apr is None
    assert d.effective_apr == Decimal("35.9")  # back to the contract rate


def test_settle_pays_the_fraction_in_that_month_and_forgives_the_rest():
    d = one(settle(fraction=0.4, month=3), Debt("A", 1000, 0, 100))
    p = plan([d], 100, "minimum_only")
    # months 1-2: 100 each -> 800 owed at month 3; 40% = 320 paid from a lump, 480 forgiven
    assert p.months == 3
    assert p.month_rows(3)[0]["payment"] == Decimal("320.00")
    assert (p.total_paid, p.total_forgiven) == (Decimal("520.00"), Decimal("480.00"))
    assert p.reconciles


def test_defer_with_and_without_interest():
    base = Debt("A", 1000, 12, 100)
    held = plan([one(defer(months=2, accrue=True), base)], 100, "minimum_only")
    # 1000 → 1010.00 → 1020.10 with nothing paid; the first payment in month 3
    assert held.month_rows(2)[0]["closing_balance"] == Decimal("1020.10")
    assert held.month_rows(1)[0]["payment"] == 0
    frozen = plan([one(defer(months=2, accrue=False), base)], 100, "minimum_only")
    assert frozen.month_rows(2)[0]["closing_balance"] == Decimal("1000.00")
    assert frozen.total_interest < held.total_interest


# -- selectors ----------------------------------------------------------------------------


def test_selectors():
    debts = load_debts(ZH)
    assert Adjustment("waive_fees", "overdue").selects(debts) == ["分期乐", "广发银行信用卡"]
    assert Adjustment("waive_fees", "kind:card").selects(debts) == ["招商银行信用卡", "广发银行信用卡"]
    assert len(Adjustment("waive_fees", "*").selects(debts)) == 8
    assert Adjustment("waive_fees", ["借呗", "分期乐"]).selects(debts) == ["借呗", "分期乐"]
    with pytest.raises(PlannerError, match="no debt named '花呗'"):
        Adjustment("waive_fees", "花呗").selects(debts)
    with pytest.raises(PlannerError, match="no debt matches 'kind:private'"):
        Adjustment("waive_fees", "kind:private").selects(debts)
    # A programme like "freeze every online loan above 24%": conditions joined by &,
    # on the rate charged (分期乐 35.9%, 53.85% while overdue; 安逸花 is consumer finance).
    assert Adjustment("freeze_interest", "kind:online_loan & apr>24", {"months": 60}).selects(debts) == ["分期乐"]
    assert Adjustment("waive_fees", "apr>=32.4").selects(debts) == ["分期乐", "安逸花(马上消费金融)"]
    with pytest.raises(PlannerError, match="cannot read the condition 'apr>>24'"):
        Adjustment("waive_fees", "kind:card & apr>>24").selects(debts)


def test_a_scenario_is_pure():
    debts = load_debts(ZH)
    before = list(debts)
    changed = Scenario("s", (freeze_interest("kind:card"),)).apply(debts)
    assert debts == before
    assert changed[6].apr == 0 and debts[6].apr == Decimal("18.25")


# -- comparison -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return negotiate(ZH, 6000, ZH_SCENARIOS)


def test_sample_scenarios_load(sample):
    assert len(sample) == 7
    assert sample.baseline.months == 16 and sample.baseline.reconciles


def test_savings_are_against_the_baseline_and_plans_reconcile(sample):
    for r in sample:
        assert r.plan.reconciles
        assert r.savings.total_paid == sample.baseline.total_paid - r.plan.total_paid
        assert r.savings.interest == sample.baseline.total_interest - r.plan.total_interest


def test_contributions_add_up_to_the_savings(sample):
    for r in sample:
        assert len(r.contributions) == len(r.scenario.adjustments)
        assert sum(c.savings.total_paid for c in r.contributions) == r.savings.total_paid
        assert sum(c.savings.interest for c in r.contributions) == r.savings.interest
    waterfall = sample["全部一起谈"].waterfall()
    assert list(waterfall["step"]) == [1, 2, 3, 4]


def test_monthly_pressure(sample):
    # sample_data/README: the minimums add up to 5,565.01 a month
    assert sample.baseline_pressure == Decimal("5565.01")
    # cards frozen over 60: 1,560 → 15,600/60 = 260.00; 1,120 → (11,200 + 56)/60 = 187.60
    assert sample["信用卡停息挂账60期"].monthly_pressure == Decimal("5565.01") - 1560 - 1120 + Decimal("260.00") + Decimal("187.60")
    # deferring 京东金条 in month 1 drops its 506.47
    assert sample["京东金条延期3个月"].monthly_pressure == Decimal("5565.01") - Decimal("506.47")


def test_settlement_uses_the_lump(sample):
    r = sample["分期乐第3月四成结清"]
    assert r.plan.total_forgiven > 0
    assert r.lump_needed == r.plan.outcomes[4].paid - sum(row["payment"] for m in (1, 2) for row in r.plan.month_rows(m) if row["debt"] == "分期乐")
    assert r.lump_short == 0  # the scenario names a lump of 4,000


def test_to_dict_shape_matches_the_issue(sample):
    data = json.loads(json.dumps(sample.to_dict()))
    assert set(data) == {"baseline", "scenarios"}
    assert data["baseline"]["months"] == 16
    first = data["scenarios"][0]
    for key in ("name", "monthly_pressure", "savings", "months", "total_interest", "total_paid", "debts"):
        assert key in first
    assert set(first["savings"]) == {"interest", "total_paid", "months"}


def test_summary_and_html(sample):
    frame = sample.summary
    assert list(frame["scenario"])[0] == "baseline" and len(frame) == 8
    assert "<table>" in sample._repr_html_() and "全部一起谈" in sample._repr_html_()


def test_an_infeasible_scenario_names_itself():
    debts = [Debt("A", 12000, 18, 200)]
    with pytest.raises(PlannerError, match="too fast"):
        negotiate(debts, 300, [Scenario("too fast", (freeze_interest(months=2),))])


def test_scenarios_with_the_same_name_are_refused():
    s = Scenario("x", ())
    with pytest.raises(PlannerError):
        negotiate([Debt("A", 1000, 18, 200)], 300, [s, s])


# -- TOML files ----------------------------------------------------------------------------


def test_every_problem_of_a_bad_file_is_reported_at_once():
    text = """
[[scenario]]
name = "x"
[[scenario.adjust]]
action = "freez"
[[scenario.adjust]]
action = "freeze_interest"
months = "60"
[[scenario.adjust]]
action = "reduce_rate"
apr = 12
fraction = 0.3
[[scenario]]
name = "x"
colour = "red"
"""
    with pytest.raises(InputError) as info:
        load_scenarios(text)
    problems = info.value.problems
    assert len(problems) == 5
    message = str(info.value)
    assert "unknown action 'freez'" in message
    assert "months = '60'" in message and "whole number" in message
    assert "exactly one of apr" in message
    assert "the same name as scenario #1" in message
    assert "unknown key(s): colour" in message
    assert "未知的调整" in message  # bilingual


def test_malformed_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[scenario]]\nname = "x\n', encoding="utf-8")
    with pytest.raises(InputError, match="malformed TOML"):
        load_scenarios(path)


def test_gbk_toml_asks_for_utf8(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes('[[scenario]]\nname = "信用卡"\n'.encode("gbk"))
    with pytest.raises(InputError, match="must be UTF-8"):
        load_scenarios(path)


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenarios(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="no scenarios"):
        load_scenarios({})


def test_unknown_debt_in_a_file_is_reported_when_run():
    scenarios = load_scenarios('[[scenario]]\nname = "s"\n[[scenario.adjust]]\ndebt = "花呗"\naction = "waive_fees"\n')
    with pytest.raises(PlannerError, match="scenario 's', adjustment 1"):
        negotiate(ZH, 6000, scenarios)


# -- CLI ------------------------------------------------------------------------------------


def test_cli_negotiate_json(capsys):
    code = main(["negotiate", ZH, "--budget", "6000", "--scenarios", ZH_SCENARIOS, "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    expected = negotiate(ZH, 6000, ZH_SCENARIOS)
    assert [s["name"] for s in data["scenarios"]] == [r.name for r in expected]
    assert Decimal(str(data["scenarios"][0]["savings"]["total_paid"])) == expected.results[0].savings.total_paid


def test_cli_negotiate_table_and_bad_file(capsys, tmp_path):
    assert main(["negotiate", ZH, "--budget", "6000", "--scenarios", ZH_SCENARIOS, "--lang", "zh"]) == 0
    out, _ = capsys.readouterr()
    assert "不协商" in out and "全部一起谈" in out and "首月最低还款" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scenario]]\nname = "s"\n[[scenario.adjust]]\naction = "nope"\n', encoding="utf-8")
    assert main(["negotiate", ZH, "--budget", "6000", "--scenarios", str(bad)]) == 2
    _, err = capsys.readouterr()
    assert "unknown action" in err and "Traceback" not in err


# -- agency, affordability, overdue costs -------------------------------------------------------


def test_agency_fee_against_direct_savings():
    # DOMAIN.md: one reported case, 12,000 paid on 80,000 of debt; another "up to 15% of the debt".
    q = price_agency(Decimal("10223.15"), 80000, fee_percent=15)
    assert q.fee == Decimal("12000.00")  # 15% of 80,000
    assert q.net_with_agency == Decimal("-1776.85") and not q.worth_it
    assert price_agency(Decimal("10223.15"), 80000, fee=5000).net_with_agency == Decimal("5223.15")
    with pytest.raises(PlannerError):
        price_agency(1, 1)


def test_negotiation_prices_an_agency(sample):
    q = sample.agency("全部一起谈", fee=12000)
    assert q.savings_direct == sample["全部一起谈"].savings.total_paid


def test_affordability():
    # income 10,000, essentials 4,000: 6,000 available, 30% limit 3,000, fund 12,000.
    a = affordability(10000, 4000, debts=load_debts(ZH))
    assert a.payments == Decimal("5565.01") and a.over_limit and a.feasible
    assert a.share_of_income == Decimal("0.5565")
    assert affordability(10000, 4000, 2500).over_limit is False
    assert affordability(5000, 4000, 2000).feasible is False


def test_overdue_cost():
    c = overdue_cost(LOAN)
    # 7,200 × 53.85% / 12 = 323.10; 7,200 × 35.9% / 12 = 215.40; the penalty adds 107.70
    assert (c.interest_per_month, c.penalty_extra_per_month, c.fees_owed) == (Decimal("323.10"), Decimal("107.70"), Decimal("360.00"))


# -- properties ---------------------------------------------------------------------------------


def fixed_plan(debts, budget):
    """The same priority for every variant, so only the adjustment differs."""
    return plan(debts, budget, "custom", order=[d.name for d in debts])


@st.composite
def overdue_portfolios(draw):
    debts = draw(portfolios(amortising=True, max_size=5))
    out = []
    for d in debts:
        if draw(st.booleans()):
            extra = draw(st.integers(min_value=0, max_value=3000)).__truediv__(100)
            d = d.with_(overdue_days=draw(st.integers(1, 180)), penalty_apr=d.apr + Decimal(str(extra)))
        out.append(d)
    return out


@given(debts=overdue_portfolios(), extra=st.integers(0, 500_000), which=st.integers(0, 4), apr=st.integers(0, 6000), fraction=st.integers(0, 100))
def test_a_rate_cut_never_raises_total_cost(debts, extra, which, apr, fraction):
    budget = monthly_pressure(debts) + Decimal(extra) / 100
    target = debts[which % len(debts)].name
    before = fixed_plan(debts, budget)
    for cut in (reduce_rate(target, apr=Decimal(apr) / 100), reduce_rate(target, fraction=Decimal(fraction) / 100), cap_rate(target, line="24")):
        after = fixed_plan(cut.apply(debts), budget)
        assert after.reconciles
        assert after.total_paid <= before.total_paid
        assert after.total_interest <= before.total_interest


@given(debts=overdue_portfolios(), extra=st.integers(0, 500_000))
def test_a_fee_waiver_never_raises_total_cost(debts, extra):
    budget = monthly_pressure(debts) + Decimal(extra) / 100
    before = fixed_plan(debts, budget)
    after = fixed_plan(waive_fees("*").apply(debts), budget)
    assert after.reconciles
    assert after.total_paid <= before.total_paid


@given(
    balance=st.integers(min_value=1, max_value=20_000_000),
    fees=st.sampled_from([0, 5600, 36000]),
    apr=st.integers(0, 6000),
    months=st.integers(1, 60),
    accrued=st.booleans(),
)
def test_a_freeze_clears_in_n_months_with_no_new_interest(balance, fees, apr, months, accrued):
    d = Debt("D", Decimal(balance) / 100, Decimal(apr) / 100, Decimal(balance) / 100, fees_owed=Decimal(fees) / 100, overdue_days=30, penalty_apr=Decimal(apr) / 50)
    frozen = one(freeze_interest(months=months, include_accrued=accrued), d)
    p = plan([frozen], frozen.min_payment, "minimum_only")  # minimum payments only
    owed = balance + (fees if accrued else 0)
    assert p.total_interest == 0
    assert p.total_paid == Decimal(owed) / 100
    assert p.months <= months
    if owed > (months - 1) ** 2:  # below that, a 1-cent installment clears it sooner
        assert p.months == months


@given(debts=overdue_portfolios(), extra=st.integers(0, 300_000), month=st.integers(1, 6), fraction=st.integers(0, 100))
def test_scenario_plans_reconcile_and_contributions_add_up(debts, extra, month, fraction):
    assume(len(debts) >= 2)
    budget = monthly_pressure(debts) + Decimal(extra) / 100
    s = Scenario(
        "mix",
        (
            waive_fees("*"),
            freeze_interest(debts[0].name, months=60),
            settle(debts[1].name, fraction=Decimal(fraction) / 100, month=month),
            defer(debts[-1].name, months=2, accrue=False),
        ),
    )
    try:
        result = negotiate(debts, budget, [s], "custom", order=[d.name for d in debts])
    except PlannerError:
        assume(False)  # a freeze or deferral may need more than this budget in some month
    r = result["mix"]
    assert r.plan.reconciles
    assert sum(c.savings.total_paid for c in r.contributions) == r.savings.total_paid


def test_deeply_nested_toml_of_any_kind_is_a_clear_error(tmp_path):
    # issue 11, item 13: tomllib recurses on nested arrays and inline tables
    from planner import InputError
    from planner import load_scenarios

    depth = 3000
    for value in ("[" * depth + "]" * depth, "{a=" * depth + "1" + "}" * depth, "[{a=" * depth + "1" + "}]" * depth):
        path = tmp_path / "deep.toml"
        path.write_text(f'[[scenario]]\nname = "deep"\nx = {value}\n', encoding="utf-8")
        with pytest.raises(InputError, match="nested too deeply"):
            load_scenarios(path)
        with pytest.raises(InputError, match="nested too deeply"):
            load_scenarios(path.read_text(encoding="utf-8"))


def test_overdue_costs_refuses_what_is_not_a_debt():
    # Was an AttributeError ('int' object has no attribute 'is_overdue').
    from planner.negotiation import overdue_costs

    with pytest.raises(InputError, match="item 1 is not a Debt"):
        overdue_costs([1, 2])


# -- results for people: sentences and tables in one language, no reprs --------------------

_REPRS = ("Decimal(", "Savings(", "AgencyQuote(", "OverdueCost(")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_explain_themselves_in_one_language(lang):
    # Notebooks 01 and 03 printed OverdueCost(... Decimal('323.10') ...), Savings(...), AgencyQuote(...).
    import re

    n = negotiate(load_debts(ZH), 6000, ZH_SCENARIOS, start="2026-12")
    texts = [
        overdue_cost(LOAN).explain(lang),
        n["全部一起谈"].savings.explain(lang),
        n.agency("全部一起谈", fee_percent=15).explain(lang),  # the fee is more than the relief
        n.agency("全部一起谈", fee=1000).explain(lang),  # something is left
    ]
    for text in texts:
        assert not any(r in text for r in _REPRS), text
        assert ("¥" in text) and (bool(re.search(r"[\u4e00-\u9fff]", text.replace("分期乐", ""))) == (lang == "zh")), text
    assert "323.10" in texts[0] and "107.70" in texts[0]  # 7200 × 53.85% / 12; 7200 × 17.95% / 12
    assert "10,223.15" in texts[1] and "12,182.48" in texts[2] and "1,959.33" in texts[2]  # 15% of ¥81,216.50 owed
    assert texts[2] != texts[3]


def test_the_scenario_table_speaks_the_chosen_language():
    # Notebook 03's table had English headers (scenario, monthly pressure) and "baseline" in Chinese mode.
    n = negotiate(load_debts(ZH), 6000, ZH_SCENARIOS, start="2026-12")
    zh, en = n.table("zh"), n.table("en")
    assert [zh.index.name, *zh.columns] == ["方案", "月数", "总利息", "总还款", "首月最低还款", "节省"]
    assert zh.index[0] == "不协商" and en.index[0] == "No negotiation"
    assert list(zh.index[1:]) == [r.name for r in n]
    assert zh.loc["全部一起谈", "节省"] == "¥10,223.15" and zh.loc["全部一起谈", "月数"] == str(n["全部一起谈"].plan.months)
    assert "scenario" not in zh.to_html() and "Decimal(" not in zh.to_html()


# -- issue 24, item 14: a scenario of 2,000 adjustments ------------------------------

def _reference_steps(debts, budget, scenario):
    """Each step planned from scratch (what negotiate did before: quadratic in the adjustments)."""
    out = []
    for k in range(1, len(scenario.adjustments) + 1):
        current, changes = Scenario(scenario.name, scenario.adjustments[:k]).plan_inputs(debts)
        out.append(plan(current, budget, "avalanche", changes=changes))
    return out


@given(st.lists(st.tuples(st.sampled_from(["freeze", "extend", "reduce", "waive"]), st.integers(1, 4)), min_size=1, max_size=8))
def test_the_steps_built_one_on_another_equal_the_steps_planned_from_scratch(steps):
    debts = [Debt("Card", 9000, 18, 900, kind="card", fees_owed=50), Debt("Loan", 6000, 24, 400, term_months=18)]
    make = {"freeze": lambda m: freeze_interest("*", months=12, from_month=m), "extend": lambda m: extend_term("Loan", months=24, from_month=m),
            "reduce": lambda m: reduce_rate("Card", apr="9", from_month=m), "waive": lambda m: waive_fees("*", from_month=m)}
    scenario = Scenario("s", tuple(make[a](m) for a, m in steps))
    n = negotiate(debts, 2500, [scenario])
    reference = _reference_steps(debts, 2500, scenario)
    assert n["s"].plan.ledger() == reference[-1].ledger()
    assert [c.savings.interest for c in n["s"].contributions] == [
        (before.total_interest - after.total_interest) for before, after in zip([n.baseline, *reference[:-1]], reference)
    ]


def test_a_scenario_of_2000_adjustments_answers_well_within_a_minute():
    import time

    debts = load_debts("sample_data/debts_zh.csv")
    cycle = [freeze_interest("*", months=12, from_month=3), extend_term("*", months=24, from_month=3), reduce_rate("*", apr="10", from_month=3),
             waive_fees("*", from_month=3), cap_rate("*", line="24", from_month=3)]
    scenario = Scenario("big", tuple(cycle[k % len(cycle)] for k in range(2000)))
    began = time.perf_counter()
    n = negotiate(debts, 20000, [scenario])
    assert time.perf_counter() - began < 60 and len(n["big"].contributions) == 2000
