"""Reference lines: the LPR history, 4 × LPR by contract date, 24%/36%, applicability by kind."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from planner import Debt, InputError, PlannerError
from planner.cli import main
from planner.references import (
    LPR_ENV,
    assess,
    disclaimer,
    kind_note,
    line_rate,
    lpr_line_periods,
    lpr_note,
    lpr_on,
    lpr_table,
    reference_lines,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"

# DOMAIN.md, "One-year LPR (change dates)".
DOMAIN_LPR = [
    ("2019-08-20", "4.25"),
    ("2019-09-20", "4.20"),
    ("2019-11-20", "4.15"),
    ("2020-02-20", "4.05"),
    ("2020-04-20", "3.85"),
    ("2021-12-20", "3.80"),
    ("2022-01-20", "3.70"),
    ("2022-08-22", "3.65"),
    ("2023-06-20", "3.55"),
    ("2023-08-21", "3.45"),
    ("2024-07-22", "3.35"),
    ("2024-10-21", "3.10"),
    ("2025-05-20", "3.00"),
]


def test_the_data_file_holds_domain_md_table():
    assert [(d.isoformat(), str(r)) for d, r in lpr_table()] == DOMAIN_LPR


@pytest.mark.parametrize("day, rate", DOMAIN_LPR)
def test_lpr_changes_on_its_date_and_not_before(day, rate):
    changed = date.fromisoformat(day)
    assert lpr_on(changed) == Decimal(rate)
    if changed > date(2019, 8, 20):
        previous = DOMAIN_LPR[[d for d, _ in DOMAIN_LPR].index(day) - 1][1]
        assert lpr_on(changed - timedelta(days=1)) == Decimal(previous)


def test_default_date_is_today_and_the_latest_figure_holds():
    # The default date is today (so the test follows the data file when a user adds a new LPR);
    # DOMAIN.md: 3.00% from 2025-05-20, "unchanged in every later figure found".
    assert lpr_on() == lpr_on(date.today())
    assert lpr_on(date(2026, 11, 21)) == Decimal("3.00")


def test_before_the_table_there_is_no_lpr_and_the_note_says_so():
    # DOMAIN.md, "Which LPR": before 2019-08-20 there was no LPR, so no contract-date line.
    with pytest.raises(PlannerError, match="no one-year LPR on 2018-01-01"):
        lpr_on(date(2018, 1, 1))
    assert "2019-08-20" in lpr_note(date(2018, 1, 1))[1]
    assert lpr_note(None)[1].startswith("No contract date")
    assert lpr_note(date(2024, 1, 1)) is None


# -- the 4 × LPR line by period ---------------------------------------------------------
# Supreme People's Court private-lending rules as revised in 2020, art. 31 (DOMAIN.md,
# "Which LPR"): the contract-date LPR applies to contracts from 2020-08-20; for an older
# contract, interest from 2020-08-20 on is judged at 4 × the LPR when the case is filed
# (today unless a filing date is given), and interest before that under the old rules
# (24% protected, above 36% void).


@pytest.mark.parametrize("contract", [date(2018, 6, 1), date(2019, 8, 19), date(2019, 8, 20), date(2020, 1, 15), date(2020, 8, 19)])
def test_a_contract_before_2020_08_20_is_judged_at_the_lpr_when_filed(contract):
    filing = date(2026, 1, 5)  # LPR 3.00% (2025-05-20)
    periods = lpr_line_periods(contract, filing)
    assert [(p.rule, p.start, p.end, p.rate) for p in periods] == [
        ("old_rules", contract, date(2020, 8, 19), Decimal("24")),
        ("filing_lpr", date(2020, 8, 20), None, Decimal("12.00")),
    ]
    assert periods[0].void_above == Decimal("36")
    assert periods[1].lpr_date == filing
    assert line_rate("4xLPR", contract, filing_date=filing) == Decimal("12.00")
    # the filing date picks the LPR: filed on 2024-08-01, LPR 3.35% (2024-07-22)
    assert line_rate("4xLPR", contract, filing_date=date(2024, 8, 1)) == Decimal("13.40")
    # without a filing date: the LPR today
    assert line_rate("4xLPR", contract) == 4 * lpr_on(date.today())


def test_a_contract_from_2020_08_20_keeps_its_contract_date_lpr():
    for contract, rate in ((date(2020, 8, 20), "15.40"), (date(2023, 7, 28), "14.20")):  # 4 × 3.85, 4 × 3.55
        (period,) = lpr_line_periods(contract, date(2026, 1, 5))
        assert (period.rule, period.rate, period.lpr_date) == ("contract_lpr", Decimal(rate), contract)
        assert line_rate("4xLPR", contract, filing_date=date(2026, 1, 5)) == Decimal(rate)


def test_the_issue_examples_15_percent_private_loans_of_2018_and_january_2020_cross_today():
    for contract in (date(2018, 3, 1), date(2020, 1, 15)):
        a = assess(Debt("表哥", 10000, 15, 500, kind="private", contract_date=contract), filing_date=date(2026, 1, 5))
        assert a.crossed_applicable == ("4xLPR",)
        assert a.line("4xLPR").rate == Decimal("12.00")
        en, zh = a.explain("en"), a.explain("zh")
        assert "before 2020-08-20" in en and "when the case is filed (2026-01-05)" in en and "24%" in en and "36%" in en
        assert "2020年8月20日" in zh and "起诉时" in zh
        assert "no contract-date 4 × LPR line exists" in en if contract < date(2019, 8, 20) else "no contract-date" not in en
        # the caution stays: reference lines, not legal advice
        assert a.lpr_note is not None
        periods = a.to_dict()["lines"]["4xLPR"]["periods"]
        assert [p["rule"] for p in periods] == ["old_rules", "filing_lpr"]


def test_cap_rate_4xlpr_on_a_2018_loan_caps_at_todays_line_not_17():
    from planner import load_scenarios
    from planner.negotiation import cap_rate

    debt = Debt("表哥", 10000, 20, 500, kind="private", contract_date=date(2018, 6, 1))
    (capped,) = cap_rate("表哥", line="4xLPR").apply([debt])
    assert capped.apr == 4 * lpr_on(date.today())
    assert capped.apr != Decimal("17.00")
    (filed,) = cap_rate("表哥", line="4xLPR", filing_date="2026-01-05").apply([debt])
    assert filed.apr == Decimal("12.00")
    (scenario,) = load_scenarios(
        '[[scenario]]\nname = "cap"\n[[scenario.adjust]]\ndebt = "表哥"\naction = "cap_rate"\nline = "4xLPR"\nfiling_date = 2024-08-01\n'
    )
    assert scenario.apply([debt])[0].apr == Decimal("13.40")


def test_a_filing_date_before_the_2020_rules_uses_the_rules_of_the_time():
    (period,) = lpr_line_periods(date(2018, 6, 1), date(2020, 5, 1))
    assert (period.rule, period.rate, period.void_above) == ("old_rules", Decimal("24"), Decimal("36"))
    with pytest.raises(PlannerError, match="after the filing date"):
        lpr_line_periods(date(2024, 1, 1), date(2023, 1, 1))
    with pytest.raises(PlannerError, match="filing_date"):
        line_rate("4xLPR", date(2018, 6, 1), filing_date="soon")


def test_the_period_rule_and_its_source_are_data():
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("planner").joinpath("data/reference_lines.toml").read_text("utf-8"))
    spec = data["lpr_periods"]
    assert (spec["lpr_start"], spec["transition"]) == (date(2019, 8, 20), date(2020, 8, 20))
    assert "art. 31" in spec["basis"]["en"] and "第31条" in spec["basis"]["zh"]


def test_four_times_lpr_by_contract_date():
    assert line_rate("4xLPR", date(2024, 8, 1)) == Decimal("13.40")  # 4 × 3.35
    assert line_rate("4×LPR", date(2023, 7, 28)) == Decimal("14.20")  # 4 × 3.55
    # a contract of 2019-08-30 predates 2020-08-20: its line is the LPR at filing, not 4 × 4.25
    assert line_rate("4xlpr", date(2019, 8, 30), filing_date=date(2024, 8, 1)) == Decimal("13.40")


def test_fixed_lines_and_numbers():
    assert line_rate("24") == Decimal("24")
    assert line_rate("36%") == Decimal("36")
    assert line_rate(18.5) == Decimal("18.5")
    with pytest.raises(PlannerError, match="unknown reference line"):
        line_rate("five")


def test_a_user_can_replace_the_lpr_file(tmp_path, monkeypatch):
    path = tmp_path / "lpr.csv"
    path.write_text("date,lpr_1y\n2019-08-20,4.25\n2026-06-22,2.90\n", encoding="utf-8")
    monkeypatch.setenv(LPR_ENV, str(path))
    assert lpr_on(date(2026, 7, 1)) == Decimal("2.90")
    assert line_rate("4xLPR", date(2026, 7, 1)) == Decimal("11.60")


def test_a_bad_lpr_file_names_the_row(tmp_path, monkeypatch):
    path = tmp_path / "lpr.csv"
    path.write_text("date,lpr_1y\n2019-08-20,4.25\n2026-13-01,2.90\n", encoding="utf-8")
    monkeypatch.setenv(LPR_ENV, str(path))
    with pytest.raises(InputError) as info:
        lpr_on()
    assert info.value.problems[0].row == 3
    assert "2026-13-01" in info.value.problems[0].value


# -- applicability ------------------------------------------------------------------


def applies(kind):
    return {x.key for x in reference_lines(kind) if x.applies}


def test_which_lines_apply_by_kind():
    # DOMAIN.md: the court's 4 × LPR rule covers private lending; licensed institutions
    # (banks, consumer finance) and, by the 2020 reply, small-loan companies are excluded;
    # for them the 24% / 36% regulatory lines are the reference.
    assert applies("private") == {"4xLPR"}
    for kind in ("card", "bank_loan", "consumer_finance", "small_loan", "online_loan"):
        assert applies(kind) == {"24", "36"}
    assert applies("other") == {"4xLPR", "24", "36"}


def test_private_loan_above_four_times_lpr():
    # sample_data/debts_en.csv: "Loan from cousin", 15% on 2024-08-01; 4 × 3.35% = 13.40%.
    a = assess(Debt("Loan from cousin", 10000, 15, Decimal("484.87"), kind="private", contract_date=date(2024, 8, 1)))
    assert a.crossed == ("4xLPR",)
    assert a.crossed_applicable == ("4xLPR",)
    assert "4 × LPR (13.40%)" in a.explain("en")
    assert "4倍LPR（13.40%）" in a.explain("zh")


def test_consumer_finance_above_24_but_not_36():
    a = assess(Debt("安逸花", 10500, Decimal("32.4"), Decimal("459.66"), kind="consumer_finance", contract_date=date(2024, 4, 16)))
    assert set(a.crossed) == {"4xLPR", "24"}
    assert a.crossed_applicable == ("24",)
    text = a.explain("en")
    assert "above the relevant line(s) 24%" in text and "usually does not apply" in text


def test_card_below_the_applicable_lines():
    a = assess(Debt("招商银行信用卡", 15600, Decimal("18.25"), 1560, kind="card", contract_date=date(2019, 8, 30)))
    assert a.crossed_applicable == ()
    assert "未超过适用的参考线" in a.explain("zh")


def test_an_overdue_debt_is_judged_by_the_penalty_rate():
    # 23.9% contract rate, 35.85% while overdue: the penalty crosses 24% (and not 36%).
    d = Debt("Meituan", 8000, Decimal("23.9"), Decimal("756.09"), kind="online_loan", overdue_days=21, penalty_apr=Decimal("35.85"))
    a = assess(d)
    assert a.true_rate.nominal == Decimal("23.90")
    assert a.charged == Decimal("35.85")
    assert a.crossed_applicable == ("24",)
    assert "35.85% while overdue" in a.explain("en")


def test_texts_say_it_is_not_legal_advice_in_both_languages():
    assert "not legal advice" in disclaimer("en")
    assert "不构成法律意见" in disclaimer("zh")
    assert "Private lending" in kind_note("private", "en")
    assert "民间借贷" in kind_note("private", "zh")


# -- planner check ------------------------------------------------------------------


def test_check_lists_true_apr_and_lines_in_words(capsys):
    assert main(["check", str(SAMPLES / "debts_en.csv")]) == 0
    out = capsys.readouterr().out
    assert "True APR %" in out
    assert "Loan from cousin: true APR 15.00%" in out
    assert "not legal advice" in out
    # what staying overdue costs: 8000 × 35.85% / 12 = 239.00 a month, 79.67 above 23.9%
    assert "¥239.00" in out and "¥79.67" in out


def test_the_chinese_disclaimers_point_back_at_what_they_follow(capsys):
    # They always stand after the lines and rules they speak of (check, the report footer,
    # notebook 04, the complaint pack): 以下 ("what follows") said the opposite.
    from planner.conduct import disclaimer as conduct_disclaimer

    for text in (disclaimer("zh"), conduct_disclaimer("zh")):
        assert text.startswith("以上") and "以下" not in text
    assert main(["check", str(SAMPLES / "debts_zh.csv"), "--lang", "zh"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(disclaimer("zh"))


def test_check_json_has_rates(capsys):
    assert main(["check", str(SAMPLES / "debts_zh.csv"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {d["name"]: d for d in data["debts"]}
    fql = by_name["分期乐"]["rates"]
    assert fql["true_apr"]["nominal"] == 35.9
    assert fql["penalty_apr"] == 53.85
    assert set(fql["crossed_applicable"]) == {"24", "36"}
    assert fql["overdue_cost"]["interest_per_month"] == 323.10  # 7200 × 53.85% / 12


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.dates(date(2015, 1, 1), date(2026, 11, 1)), st.dates(date(2020, 8, 20), date(2026, 11, 1)))
def test_the_line_for_interest_from_now_on_follows_the_2020_rules(contract, filing):
    if contract > filing:
        with pytest.raises(PlannerError, match="after the filing date"):
            lpr_line_periods(contract, filing)
        return
    periods = lpr_line_periods(contract, filing)
    last = periods[-1]
    assert line_rate("4xLPR", contract, filing_date=filing) == last.rate
    if contract >= date(2020, 8, 20):  # the contract-date LPR, whatever the filing date
        assert [p.rule for p in periods] == ["contract_lpr"] and last.rate == 4 * lpr_on(contract)
    else:  # old rules up to 2020-08-19, then the LPR at filing: two periods that meet
        assert [p.rule for p in periods] == ["old_rules", "filing_lpr"]
        assert periods[0].start == contract and periods[0].end == date(2020, 8, 19) and periods[1].start == date(2020, 8, 20)
        assert (periods[0].rate, periods[0].void_above) == (Decimal("24"), Decimal("36"))
        assert last.rate == 4 * lpr_on(filing)
        assert ("no contract-date 4 × LPR line exists" in lpr_note(contract, filing)[1]) == (contract < date(2019, 8, 20))
