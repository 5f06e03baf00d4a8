"""The report's what-if plans through the batch engine equal the reference (one plan at a time through negotiate)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, PlannerError, load_debts, plan
from planner.negotiation import cap_rate, monthly_pressure, waive_fees
from planner.report import build_report
from planner.report.whatif import WHAT_IFS_PER_RUN, what_if_totals
from tests.strategies import varied_portfolios

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {"zh": ROOT / "sample_data" / "debts_zh.csv", "en": ROOT / "sample_data" / "debts_en.csv"}
SCENARIOS = ROOT / "sample_data" / "scenarios_zh.toml"


def figures(report) -> dict:
    """Every number and text of parts 2 to 6 that the what-if plans decide."""
    head = report.headline_result
    return {
        "summary": report.to_dict(),
        "calls": [(c.rank, c.name, c.asks, c.saving, c.interest_saving, c.months_sooner, c.pressure, c.adjustments)
                  for c in report.calls],
        "keep": report.keep_paying,
        "scenarios": report.scenarios,
        "waterfall": report.waterfall,
        "agency": report.agency,
        "headline": None if head is None else (
            head.name, head.monthly_pressure, head.savings, head.debts, head.plan.ledger(),
            [(c.step, c.label, c.adjustment, c.savings, c.monthly_pressure) for c in head.contributions],
        ),
    }


def both(debts, budget, **kwargs):
    """The report's figures from both engines, or the error each raised."""
    out = []
    for engine in ("batch", "single"):
        try:
            out.append(figures(build_report(debts, budget, engine=engine, start="2026-12", made_on="2026-11-20", **kwargs)))
        except PlannerError as exc:
            out.append(("error", str(exc)))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("slack", [Decimal("0.5"), Decimal("40"), Decimal("3000")])
def test_sample_reports_are_the_same_both_ways(lang, slack):
    # A budget just above the minimums is "stretched": cards get the 60-installment ask too.
    debts = load_debts(SAMPLES[lang])
    budget = monthly_pressure(debts) + slack
    batch, single = both(debts, budget, lang=lang)
    assert batch == single
    assert batch["calls"], "the sample debts have asks to make"


def test_with_a_scenario_file_and_anonymised():
    batch, single = both(SAMPLES["zh"], 6000, lang="zh", scenarios=SCENARIOS, anonymise=True, client="王小明")
    assert batch == single
    assert len(batch["scenarios"]) > 2


def test_more_debts_than_one_run_of_what_ifs():
    # More lenders than WHAT_IFS_PER_RUN: the what-ifs run in several batches and keep their order.
    n = WHAT_IFS_PER_RUN + 9
    debts = [Debt(f"L{k:03d}", 2000 + 97 * k, 30 + k % 7, 150 + k % 40, kind="online_loan",
                  overdue_days=20 if k % 5 == 0 else 0, fees_owed=30 if k % 5 == 0 else 0) for k in range(n)]
    budget = monthly_pressure(debts) * 13 // 10
    batch, single = both(debts, budget, lang="en")
    assert batch == single
    assert len(batch["calls"]) == n


@settings(max_examples=40, deadline=None)
@given(varied_portfolios(max_size=5), st.integers(min_value=0, max_value=300_000), st.sampled_from(["zh", "en"]))
def test_report_figures_equal_both_ways(debts, extra_cents, lang):
    budget = monthly_pressure(debts) + Decimal(extra_cents) / 100
    batch, single = both(debts, budget, lang=lang, horizon=120)
    assert batch == single


def test_what_if_totals_are_plans():
    debts = load_debts(SAMPLES["en"])
    changed = [a.apply([d])[0] for d in debts for a in (cap_rate(d.name, line="24"), waive_fees(d.name))]
    n = len(debts)
    what_ifs = [list(range(n))] + [[n + j if k == j // 2 else k for k in range(n)] for j in range(len(changed))]
    totals = what_if_totals(debts, changed, what_ifs, 6000, "snowball")
    for rows, t in zip(what_ifs, totals):
        p = plan([(list(debts) + changed)[r] for r in rows], 6000, "snowball")
        assert (t.months, t.total_interest, t.total_paid, t.infeasible) == (p.months, p.total_interest, p.total_paid, False)


def test_unknown_engine():
    with pytest.raises(PlannerError, match="engine"):
        build_report([Debt("A", 100, 10, 50)], 100, engine="fast")


@settings(max_examples=30, deadline=None)
@given(varied_portfolios(min_size=2, max_size=6), st.integers(min_value=1, max_value=90))
def test_short_budget_pressure_is_the_asks_applied_to_every_debt(debts, percent):
    # The short report replaces one debt per call; applying each call's asks to the whole list agrees.
    from planner.negotiation import Scenario

    budget = monthly_pressure(debts) * percent // 100
    try:
        report = build_report(debts, budget, lang="en", start="2026-12", horizon=120)
    except PlannerError:
        return
    if report.shortfall is None:
        return
    granted = report.calls[: report.shortfall.asks_needed or len(report.calls)]
    current = list(debts)
    for c in granted:
        current = Scenario(c.name, c.adjustments).apply(current)
    assert report.shortfall.pressure_after == monthly_pressure(current)
