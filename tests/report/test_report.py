"""The session report: its numbers are the engine's, it hides names when asked, it writes safely."""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planner import InfeasibleBudgetError, PlannerError, compare, load_debts, negotiate, plan
from planner.cli import main
from planner.money import format_yuan
from planner.negotiation import Scenario, cap_rate, freeze_interest, waive_fees
from planner.report import build_report, render_html, render_pdf, screenshot, write_report
from planner.widgets import report_button
import json
from planner import Debt
from tests.cli_helpers import SCEN, START_ARGS, ZH, run

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {"zh": ROOT / "sample_data" / "debts_zh.csv", "en": ROOT / "sample_data" / "debts_en.csv"}
SCENARIOS = ROOT / "sample_data" / "scenarios_zh.toml"
START = "2026-12"
BUDGET = 6000


class Tables(HTMLParser):
    """Text of every element with an id, and the cell texts of every table with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, list[str]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("br", "img", "meta", "col"):
            return
        self._open.append((tag, attrs.get("id")))
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        if self._table and tag == "tr":
            self.tables[self._table].append([])
        if self._table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._table and tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "table":
            self._table = None
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, ident in self._open:
            if ident:
                self.by_id.setdefault(ident, []).append(data)
        if self._cell is not None:
            self._cell.append(data)

    def text(self, ident: str) -> str:
        return " ".join("".join(self.by_id[ident]).split())


@pytest.fixture(scope="module", params=["zh", "en"])
def rendered(request):
    lang = request.param
    report = build_report(SAMPLES[lang], BUDGET, lang=lang, client="王小明", start=START, made_on="2026-11-20",
                          income=15000, essentials=6000)
    return lang, report, render_html(report)


def test_numbers_are_the_engines(rendered):
    lang, report, html = rendered
    debts = load_debts(SAMPLES[lang])
    comparison = compare(debts, BUDGET, start=START)
    finishing = [p for p in comparison if p.months is not None]
    least = min(p.total_interest for p in finishing)
    # The recommendation: the least interest among the strategies that finish.
    assert report.plan.total_interest == least
    expected = plan(debts, BUDGET, report.recommended, start=START)
    assert report.plan.months == expected.months
    assert report.plan.debt_free == expected.debt_free
    assert report.plan.total_interest == expected.total_interest
    assert report.plan.reconciles
    page = Tables(html)
    assert f"{expected.debt_free}" in page.text("debt-free") and f"{expected.months}" in page.text("debt-free")
    assert format_yuan(expected.total_interest) in page.text("total-interest")
    # The first six months, cell by cell, against the engine's schedule.
    table = page.tables["first-months"]
    header, body, total = table[0], table[1:-1], table[-1]
    assert header[1:] == [expected.calendar_month(m) for m in range(1, 7)]
    assert len(body) == len(debts)
    for row, debt in zip(body, debts):
        assert row[0] == debt.name
        for m in range(1, 7):
            paid = {r["debt"]: r["payment"] for r in expected.month_rows(m)}
            assert row[m] == (format_yuan(paid[debt.name]) if debt.name in paid else "—"), (debt.name, m)
    for m in range(1, 7):
        assert total[m] == format_yuan(sum(r["payment"] for r in expected.month_rows(m)))


def test_sample_zh_published_figures():
    # README "Command line": `planner compare sample_data/debts_zh.csv --budget 6000 --start 2026-12`
    # prints avalanche: 16 months, 2028-03, ¥14,394.23 (the lead's engine, checked by hand-worked tests).
    report = build_report(SAMPLES["zh"], BUDGET, lang="zh", start=START)
    assert report.recommended == "avalanche"
    assert (report.plan.months, report.plan.debt_free, report.plan.total_interest) == (16, "2028-03", Decimal("14394.23"))
    # 2. budget: month-1 minimums of the zh sample: 600.54 + 495.12 + 398.46 + 506.47 + 424.76
    # + 459.66 + 1560 + 1120 = 5,565.01 (the README's `planner check` total).
    assert report.minimums == Decimal("5565.01")


def test_call_list_asks_and_savings():
    report = build_report(SAMPLES["zh"], BUDGET, lang="zh", start=START)
    calls = {c.name: c for c in report.calls}
    # Overdue first (分期乐 45 days, 广发 38 days), then by saving.
    assert [c.name for c in report.calls][:2] == ["分期乐", "广发银行信用卡"]
    assert [c.rank for c in report.calls] == list(range(1, len(report.calls) + 1))
    # 分期乐: overdue with a penalty rate and ¥360 fees, contract 35.9% > 24% -> waive, then cut to 24%.
    assert [a.action for a in calls["分期乐"].adjustments] == ["waive_fees", "cap_rate"]
    # Cards, with the budget stretched (¥434.99 above ¥5,565.01 of minimums is < 15%): 停息挂账 60 months.
    assert [a.action for a in calls["招商银行信用卡"].adjustments] == ["freeze_interest"]
    assert [a.action for a in calls["广发银行信用卡"].adjustments] == ["waive_fees", "freeze_interest"]
    assert "60" in calls["招商银行信用卡"].asks[0] and "¥260.00" in calls["招商银行信用卡"].asks[0]  # 15,600 / 60
    # 安逸花: consumer finance at 32.4% -> cut to 24%. The online loans under 24% need no call.
    assert [a.action for a in calls["安逸花(马上消费金融)"].adjustments] == ["cap_rate"]
    assert set(report.keep_paying) == {"借呗", "微粒贷", "美团借钱", "京东金条"}
    # Each saving is that lender's asks run through the same engine and strategy.
    debts = load_debts(SAMPLES["zh"])
    check = negotiate(debts, BUDGET, [Scenario("x", (waive_fees("分期乐"), cap_rate("分期乐", line="24")))], "avalanche", start=START)
    assert calls["分期乐"].saving == check["x"].savings.total_paid > 0
    check = negotiate(debts, BUDGET, [Scenario("y", (freeze_interest("招商银行信用卡", months=60),))], "avalanche", start=START)
    assert calls["招商银行信用卡"].saving == check["y"].savings.total_paid
    assert calls["招商银行信用卡"].pressure == (Decimal("5565.01"), Decimal("5565.01") - Decimal("1560") + Decimal("260"))
    # The waterfall (one bar per call) adds up to the all-asks scenario's saving.
    negotiated = report.scenarios[1]
    assert sum(v for _, v in report.waterfall) == negotiated.saving == report.agency.savings_direct
    # Agency at 15% of everything owed: 80,800.50 + 360 + 56 fees = 81,216.50 -> 12,182.48 (half-up).
    assert report.agency.fee == Decimal("12182.48")


def test_private_loan_above_four_times_lpr():
    report = build_report(SAMPLES["en"], BUDGET, lang="en", start=START)
    cousin = next(c for c in report.calls if c.name == "Loan from cousin")
    # Contract 2024-08-01: LPR 3.35% (set 2024-07-22, DOMAIN.md) x 4 = 13.40% < 15%.
    assert [a.action for a in cousin.adjustments] == ["cap_rate"] and cousin.adjustments[0].params == {"line": "4xLPR"}
    assert "13.40%" in cousin.asks[0] and "art. 25" in cousin.basis[0]


def test_scenario_file_in_part_five():
    report = build_report(SAMPLES["zh"], BUDGET, lang="zh", start=START, scenarios=SCENARIOS)
    names = [s.name for s in report.scenarios]
    assert names[0] == "不协商" and "全部一起谈" in names and "信用卡停息挂账60期" in names
    direct = negotiate(load_debts(SAMPLES["zh"]), BUDGET, SCENARIOS, "avalanche", start=START)
    rows = {s.name: s for s in report.scenarios}
    for r in direct:
        assert rows[r.name].total_paid == r.plan.total_paid and rows[r.name].saving == r.savings.total_paid
    headline = max(direct, key=lambda r: r.savings.total_paid)
    assert [s.name for s in report.scenarios if s.headline] == [headline.name]
    assert sum(v for _, v in report.waterfall) == headline.savings.total_paid


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_anonymise_removes_every_name(lang):
    client = "王小明"
    names = [d.name for d in load_debts(SAMPLES[lang])]
    report = build_report(SAMPLES[lang], BUDGET, lang=lang, client=client, anonymise=True, start=START,
                          scenarios=SCENARIOS if lang == "zh" else None)
    html = render_html(report)
    for name in [*names, client]:
        assert name not in html, name
    letters = "平台" if lang == "zh" else "Lender "
    assert sorted(report.names.values()) == [f"{letters}{c}" for c in "ABCDEFGH"[: len(names)]]
    assert report.client is None
    # The same numbers as without anonymising.
    plain = build_report(SAMPLES[lang], BUDGET, lang=lang, start=START)
    assert (report.plan.total_interest, report.plan.months) == (plain.plan.total_interest, plain.plan.months)
    assert [c.saving for c in report.calls] == [c.saving for c in plain.calls]
    # Notes and other extra CSV columns never reach the report.
    assert "催收" not in html.split("六、")[0] if lang == "zh" else "collection calls started" not in html


def test_self_contained(rendered):
    _, report, html = rendered
    assert "<script" not in html.lower()
    assert not re.search(r"(?:src|href)\s*=\s*['\"](?!data:)", html), "only data: URLs"
    assert not re.search(r"https?://|@import|url\((?!data:)", html)
    assert html.count("data:image/png;base64,") == 2  # payoff timeline and savings
    assert 'font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif' in html
    assert "@page { size: A4" in html


def test_not_legal_advice_and_rights(rendered):
    lang, report, html = rendered
    from planner.references import disclaimer

    assert disclaimer(lang) in html
    assert ("22:00" in html and "8:00" in html) and ("征信修复" in html if lang == "zh" else "Credit repair" in html)


def test_budget_check_lines():
    report = build_report(SAMPLES["zh"], BUDGET, lang="en", start=START, income=15000, essentials=6000)
    a = report.affordability
    # 6,000 / 15,000 = 40% > 30%; emergency fund 3 x 6,000 = 18,000.
    assert a.over_limit and a.share_of_income == Decimal("0.4000") and a.emergency_fund == Decimal("18000.00")
    assert any("40.0%" in n for n in report.budget_notes)
    no_income = build_report(SAMPLES["zh"], BUDGET, lang="en", start=START)
    assert any("¥20,000.00" in n for n in no_income.budget_notes)  # 6,000 / 30%


def test_bad_budget_is_an_error():
    # A budget below the minimums is a report (see the shortfall tests below); a budget that is no amount is not.
    for bad in (-10, "abc"):
        with pytest.raises(PlannerError, match="budget"):
            build_report(SAMPLES["zh"], bad, lang="zh", start=START)


def test_bad_language_and_strategy():
    with pytest.raises(PlannerError):
        build_report(SAMPLES["zh"], BUDGET, lang="fr")
    with pytest.raises(PlannerError):
        build_report(SAMPLES["zh"], BUDGET, strategy="nope")
    forced = build_report(SAMPLES["zh"], BUDGET, lang="zh", strategy="snowball", start=START)
    assert forced.plan.strategy == "snowball" and forced.plan.total_interest == plan(load_debts(SAMPLES["zh"]), BUDGET, "snowball").total_interest


def test_cli_writes_html_and_never_the_input(tmp_path, capsys):
    csv = tmp_path / "debts.csv"
    shutil.copy(SAMPLES["zh"], csv)
    before = csv.read_bytes()
    out = tmp_path / "report.html"
    assert main(["report", str(csv), "--budget", "6000", "--start", START, "--lang", "en", "--client", "Ms Li", "--out", str(out)]) == 0
    text = out.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Ms Li" in text
    assert main(["report", str(csv), "--budget", "6000", "--out", str(csv)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert csv.read_bytes() == before
    assert main(["report", str(csv), "--budget", "6000", "--out", str(tmp_path / "report.txt")]) == 2
    assert main(["report", str(csv), "--budget", "6000", "--strategy", "nope", "--out", str(out)]) == 2
    assert out.read_text("utf-8") == text  # the earlier report is untouched


def test_no_half_written_file(tmp_path, monkeypatch):
    report = build_report(SAMPLES["en"], BUDGET, lang="en", start=START)
    out = tmp_path / "report.html"
    out.write_text("old report", "utf-8")

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(PlannerError, match="cannot write"):  # a bilingual message, not a raw OSError
        write_report(report, out)
    assert out.read_text("utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left


def test_report_button_writes(tmp_path):
    state = {"debts": str(SAMPLES["zh"]), "budget": BUDGET, "lang": "zh", "start": START, "anonymise": True}
    box = report_button(lambda: state, path=str(tmp_path / "r.html"))
    written = box.click()
    assert written == tmp_path / "r.html" and "平台A" in written.read_text("utf-8")
    assert "r.html" in box.children[1].value and "data:text/html;base64," in box.children[1].value
    state["budget"] = -10  # an error is shown, not raised
    assert box.click() is None and "-10" in box.children[1].value


def test_report_button_never_replaces_an_earlier_report(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_REPORTS_DIR", str(tmp_path / "reports"))
    state = {"debts": str(SAMPLES["zh"]), "budget": BUDGET, "lang": "zh", "start": START, "client": "王小明"}
    box = report_button(lambda: state)
    first, second = box.click(), box.click()
    assert first != second and first.exists() and second.exists()  # the second client's report did not replace the first
    assert first.parent == second.parent == tmp_path / "reports"
    assert first.name.startswith("王小明-报告-") and second.stem.endswith("-2")
    assert str(second) in box.children[1].value and "data:text/html" in box.children[1].value
    state["anonymise"] = True
    third = box.click()
    assert "王小明" not in third.name and "王小明" not in third.read_text("utf-8")
    typed = report_button(lambda: state, path=str(tmp_path / "typed.html"))
    assert typed.click() == tmp_path / "typed.html" and typed.click() == tmp_path / "typed-2.html"


# ---------------------------------------------------------------------------
# in a real browser

needs_chromium = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Chromium at /usr/bin/chromium")


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_in_chromium_screenshot_and_pdf(lang, tmp_path):
    from playwright.sync_api import sync_playwright

    from planner.report.model import chromium_args, chromium_path
    from planner.report.render import _fontconfig_env

    report = build_report(SAMPLES[lang], BUDGET, lang=lang, client="王小明" if lang == "zh" else "Ms Li", start=START,
                          made_on="2026-11-20", income=15000, essentials=6000)
    html_path = write_report(report, tmp_path / f"report_{lang}.html")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=chromium_args(), env=_fontconfig_env())
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html_path.as_uri())
        assert page.title() == ("债务梳理与还款行动方案" if lang == "zh" else "Your debts and plan of action")
        # Both charts decoded; the payment table shows the engine's first payment.
        assert page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth > 0)") == [True, True]
        first = page.inner_text("#first-months tbody tr:first-child td:nth-child(2)")
        assert first == format_yuan(report.payments(1)[report.debts[0].name])
        # The page's Chinese title is drawn with a CJK font, not boxes: its width is that of real glyphs.
        width = page.evaluate("() => { const c = document.createElement('canvas').getContext('2d');"
                              " c.font = '20px \"Noto Sans CJK SC\"'; return c.measureText('还款').width; }")
        assert 35 <= width <= 45  # two full-width glyphs of 20px
        assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
        # Into the test's temporary folder: a test run leaves the work tree as it was (issue 11,
        # item 10). PLANNER_SCREENSHOTS=docs refreshes the README's images, as for the dashboard.
        docs = Path(os.environ.get("PLANNER_SCREENSHOTS") or tmp_path)
        docs.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(docs / f"report_{lang}.png"), full_page=True)
        browser.close()
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF") and 1 <= _pdf_pages(pdf) <= 2  # printable on two A4 pages
    out = write_report(report, tmp_path / f"report_{lang}.pdf")
    assert _pdf_pages(out.read_bytes()) == _pdf_pages(pdf)


@pytest.mark.browser
@needs_chromium
def test_screenshot_helper(tmp_path):
    report = build_report(SAMPLES["en"], BUDGET, lang="en", start=START)
    path = screenshot(report, tmp_path / "shot.png", width=700)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------
# a budget below the minimum payments: the report says what to ask for

SHORT = 4000  # below the sample minimums (zh ¥5,565.01, en ¥5,325.44)


@pytest.fixture(scope="module", params=["zh", "en"])
def short(request):
    lang = request.param
    report = build_report(SAMPLES[lang], SHORT, lang=lang, start=START, made_on="2026-11-20")
    return lang, load_debts(SAMPLES[lang]), report, render_html(report)


def _granted(debts, calls):
    from planner.negotiation import Scenario

    return Scenario("granted", tuple(a for c in calls for a in c.adjustments)).apply(debts)


def test_short_budget_states_the_shortfall(short):
    from planner.negotiation import monthly_pressure

    lang, debts, report, html = short
    minimums = monthly_pressure(debts)  # the engine's month-1 minimums
    sf = report.shortfall
    assert sf is not None and sf.month == 1 and sf.required == minimums
    assert sf.amount == minimums - SHORT
    if lang == "zh":
        # 5,565.01 (test_sample_zh_published_figures: the README's `planner check` total) − 4,000 = 1,565.01
        assert sf.amount == Decimal("1565.01")
    with pytest.raises(InfeasibleBudgetError) as info:  # the same figure the engine reports
        plan(debts, SHORT, start=START)
    assert info.value.shortfall == sf.amount
    page = Tables(html)
    box = page.text("shortfall")
    assert format_yuan(sf.amount) in box and ("还差" in box if lang == "zh" else "short" in box)
    assert any(format_yuan(sf.amount) in n for n in report.budget_notes)
    # Part 1 is the same as with a budget that fits.
    assert report.debts == build_report(SAMPLES[lang], BUDGET, lang=lang, start=START).debts
    # Part 3: the smallest budget that pays the minimums every month (no deferrals: month 1's) and the 36-month budget.
    assert sf.smallest_budget == minimums and format_yuan(minimums) in page.text("smallest-budget")
    from planner import required_budget

    assert sf.target_budget == required_budget(debts, 36, "avalanche", start=START)
    with pytest.raises(InfeasibleBudgetError):
        plan(debts, sf.smallest_budget - Decimal("0.01"), "minimum_only", start=START)


def test_short_budget_negotiated_plan_is_the_engines(short):
    from planner.negotiation import Scenario, monthly_pressure

    lang, debts, report, html = short
    sf = report.shortfall
    calls = report.calls
    # Ranked by how much each lender's asks take off the month-1 minimums.
    for c in calls:
        d = next(x for x in debts if x.name == c.name)
        assert c.cut == monthly_pressure([d]) - monthly_pressure(Scenario("x", c.adjustments).apply([d]))
    assert [c.cut for c in calls] == sorted((c.cut for c in calls), reverse=True)
    k = sf.asks_needed
    assert k is not None and [c.needed for c in calls] == [n < k for n in range(len(calls))]
    adjusted = _granted(debts, calls[:k])
    assert monthly_pressure(adjusted) == sf.pressure_after <= SHORT < monthly_pressure(_granted(debts, calls[: k - 1]))
    if lang == "zh":
        # 招商 1,560 → 15,600/60 = 260 (cut 1,300); 广发 fees waived, 11,200/60 = 186.67 rounded up (cut 933.33):
        # 5,565.01 − 1,300 = 4,265.01 > 4,000; − 933.33 = 3,331.68 ≤ 4,000: two calls.
        assert [c.name for c in calls[:2]] == ["招商银行信用卡", "广发银行信用卡"] and k == 2
        assert (calls[0].cut, calls[1].cut, sf.pressure_after) == (Decimal("1300.00"), Decimal("933.33"), Decimal("3331.68"))
    # The plan shown is the engine's on the adjusted debts, with the budget as it is.
    best = compare(adjusted, SHORT, start=START).best
    expected = plan(adjusted, SHORT, report.recommended, start=START)
    assert report.recommended == best.strategy
    direct = negotiate(adjusted, SHORT, [], report.recommended, start=START).baseline
    for p in (expected, direct):
        assert (report.plan.months, report.plan.debt_free, report.plan.total_interest, report.plan.total_paid) == (
            p.months, p.debt_free, p.total_interest, p.total_paid)
    assert report.plan.reconciles and report.plan.months is not None and report.plan.budget == SHORT
    page = Tables(html)
    assert format_yuan(expected.total_interest) in page.text("total-interest") and expected.debt_free in page.text("debt-free")
    assert format_yuan(sf.pressure_after) in page.text("fits-after")
    assert page.tables["first-months"][-1][1] == format_yuan(sum(r["payment"] for r in expected.month_rows(1)))
    # Part 5: the negotiated plan against paying today's minimums with the budget that pays them.
    baseline = plan(debts, sf.smallest_budget, "minimum_only", start=START)
    base_row, negotiated_row = report.scenarios[0], report.scenarios[1]
    assert (base_row.total_paid, base_row.months) == (baseline.total_paid, baseline.months)
    assert negotiated_row.headline and negotiated_row.total_paid == expected.total_paid
    assert negotiated_row.saving == baseline.total_paid - expected.total_paid
    assert html.count("data:image/png;base64,") == 3  # the plan's timeline, the cuts by call and the fair shares (issue 26)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_budget_too_small_for_every_ask(lang):
    from planner.negotiation import monthly_pressure

    debts = load_debts(SAMPLES[lang])
    report = build_report(SAMPLES[lang], 1000, lang=lang, start=START)
    sf = report.shortfall
    everything = _granted(debts, report.calls)
    assert sf.asks_needed is None and report.plan is None and not any(c.needed for c in report.calls)
    assert monthly_pressure(everything) > 1000
    with pytest.raises(InfeasibleBudgetError) as info:
        plan(everything, 1000, start=START)
    assert (sf.still_short, sf.still_short_month) == (info.value.shortfall, info.value.month)
    html = render_html(report)
    page = Tables(html)
    still = page.text("still-short")
    assert format_yuan(sf.still_short) in still and ("还差" in still if lang == "zh" else "still" in still)
    assert "first-months" not in page.tables and html.count("data:image/png;base64,") == 2  # no plan to chart: the cuts and the fair shares
    assert report.scenarios[1].short == sf.still_short and report.to_dict()["months"] is None


def test_short_budget_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(SAMPLES["zh"]), "--budget", str(SHORT), "--start", START, "--out", str(out)]) == 0
    text = out.read_text("utf-8")
    assert 'id="shortfall"' in text and "¥1,565.01" in text  # 5,565.01 − 4,000
    assert "¥1,565.01" in capsys.readouterr().out
    assert main(["plan", str(SAMPLES["zh"]), "--budget", str(SHORT)]) == 2  # the plan itself stays an error
    err = capsys.readouterr().err
    assert "还差 ¥1,565.01" in err and "short" in err and "planner report" in err


def test_short_budget_in_the_counsellor_session(tmp_path):
    from planner.widgets import CounsellorSession

    session = CounsellorSession(SAMPLES["zh"], SHORT, lang="en", start=START)
    assert session.explorer.budget_slider.value == SHORT  # the slider reaches below the minimums
    session.report.children[0].children[1].value = str(tmp_path / "s.html")
    written = session.report.click()
    assert written is not None and "¥1,565.01" in written.read_text("utf-8")
    session.set(budget=3000)
    assert (session.explorer.state.budget, session.explorer.budget_slider.value) == (3000, 3000)
    assert session.report_state()["budget"] == 3000


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_short_budget_screenshot(lang, tmp_path):
    report = build_report(SAMPLES[lang], SHORT, lang=lang, start=START, made_on="2026-11-20")
    path = screenshot(report, tmp_path / f"short_{lang}.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chromium_that_prints_is_configurable_and_sandboxed_unless_root(monkeypatch, tmp_path):
    """Issue 25: PLANNER_CHROMIUM names the browser; --no-sandbox only where Chromium needs it (root)."""
    import os

    from planner import PlannerError
    from planner.report import model
    from planner.report.render import render_pdf

    missing = tmp_path / "no-such-chromium"
    monkeypatch.setenv("PLANNER_CHROMIUM", str(missing))
    assert model.chromium_path() == str(missing)
    with pytest.raises(PlannerError) as refused:
        render_pdf("<p>x</p>")
    assert str(missing) in refused.value.en and "PLANNER_CHROMIUM" in refused.value.en
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--no-sandbox" not in model.chromium_args()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert model.chromium_args()[0] == "--no-sandbox"


def test_anonymised_report_file_names_lose_the_name_and_numbers(tmp_path, capsys):
    """Issue 24, item 4: the output file's name is scrubbed too, from the CLI and the widget."""
    out = tmp_path / "WANG_13912345678_report.html"
    code = main(["report", str(SAMPLES["zh"]), "--budget", str(BUDGET), "--client", "Wang", "--anonymise", "--start", START, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert not out.exists() and (tmp_path / "client_phone_report.html").exists()
    state = {"debts": str(SAMPLES["zh"]), "budget": BUDGET, "lang": "zh", "start": START, "anonymise": True, "client": "王小明"}
    written = report_button(lambda: state, path=str(tmp_path / "王小明-report.html")).click()
    assert written == tmp_path / "client-report.html"


# ---------------------------------------------------------------------------
# Anonymised reports, memory on many debts, bounded charts, months in words (issue 11 and 23)


def test_anonymised_report_leaks_no_name(tmp_path, capsys):
    debts = tmp_path / "王小明_debts.csv"
    debts.write_bytes(Path(ZH).read_bytes())
    scen = tmp_path / "王小明_scenarios.toml"
    scen.write_text(Path(SCEN).read_text("utf-8").replace('name = "全部一起谈"', 'name = "王小明全部一起谈"'), encoding="utf-8")
    from planner import load_debts
    from planner.report import build_report, render_html

    lenders = [d.name for d in load_debts(ZH)]
    for budget in ("6000", "4000"):  # a plan, and a budget below the minimums (a different path)
        for lang in ("zh", "en"):
            out = tmp_path / f"r_{budget}_{lang}.html"
            code, _, err = run(capsys, "report", debts, "--budget", budget, "--scenarios", scen, "--client", "王小明",
                               "--anonymise", "--lang", lang, "--out", out, *START_ARGS)
            assert code == 0, err
            page = out.read_text("utf-8")
            assert "王小明" not in page and "scenarios.toml" not in page
            assert not [name for name in lenders if name in page]
            report = build_report(str(debts), int(budget), scenarios=str(scen), client="王小明", anonymise=True, lang=lang, start="2026-12")
            dumped = json.dumps(report.to_dict(), ensure_ascii=False) + report.scenario_note + render_html(report)
            assert "王小明" not in dumped and not [name for name in lenders if name in dumped]


def _many_debts(n: int) -> list:
    kinds = ["card", "online_loan", "consumer_finance", "private", "small_loan"]
    return [
        Debt(f"D{k:04d}", 1000 + 37 * k % 5000, 10 + (k * 7) % 30, 100 + (k * 13) % 200, kind=kinds[k % 5],
             overdue_days=30 if k % 7 == 0 else 0, penalty_apr=(10 + (k * 7) % 30) * 3 // 2 if k % 7 == 0 else None,
             fees_owed=50 if k % 7 == 0 else 0)
        for k in range(n)
    ]


def _report_peak(n: int) -> tuple[int, object]:
    import tracemalloc

    from planner.report import build_report

    debts = _many_debts(n)
    budget = sum(d.min_payment for d in debts) * 13 // 10
    tracemalloc.start()
    try:
        report = build_report(debts, budget, lang="en", start="2026-12")
        return tracemalloc.get_traced_memory()[1], report
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_report_memory_grows_linearly_with_the_debts():
    # Before: every lender's call kept a full plan of all the debts, and the "every ask"
    # scenario kept one plan per step, so memory grew with n² (1,000 debts: 4.5 GB).
    small, _ = _report_peak(40)
    large, report = _report_peak(80)
    assert len(report.calls) > 40
    assert large < 3 * small, f"peak {small / 1e6:.1f} MB for 40 debts, {large / 1e6:.1f} MB for 80"


def test_report_charts_name_at_most_a_dozen_debts():
    from planner.report import render
    from planner.report.model import Report

    bars = [(f"{k}. D{k}", Decimal(k)) for k in range(1, 301)]
    fake = type("R", (), {"t": staticmethod(lambda key, **f: Report.t(type("X", (), {"lang": "en"})(), key, **f))})()
    bounded = render._bounded(bars, fake)
    assert len(bounded) == render.CHART_ITEMS
    assert sum(v for _, v in bounded) == sum(v for _, v in bars)
    assert bounded[-1][0] == "the other 289"


def test_report_never_says_zero_or_plural_s_months():
    from planner.report import render_html
    from planner.report.model import text

    html = ""
    for budget in (150, 160, 400):
        from planner.report import build_report

        report = build_report([Debt("A", 1000, 12, 100), Debt("B", 500, 18, 50)], budget, lang="en", start="2026-12")
        html += render_html(report) + report.why
    assert "month(s)" not in html and " 0 months sooner" not in html and "debt-free 0" not in html
    assert "1 month sooner" == text("saves_months_1", "en")

