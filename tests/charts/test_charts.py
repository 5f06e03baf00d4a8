"""Charts: they draw what the core computed, in both languages, with no missing glyphs."""

import os
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from planner import Debt, compare, load_debts, plan  # noqa: E402
from planner import charts  # noqa: E402
from planner.charts.style import cjk_family, font_families  # noqa: E402
from planner import negotiate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "sample_data" / "debts_zh.csv"
SCENARIOS = ROOT / "sample_data" / "scenarios_zh.toml"


@pytest.fixture(scope="module")
def debts():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_debts(ZH)


@pytest.fixture(scope="module")
def results(debts):
    p = plan(debts, 6000, start="2026-12", extra={6: 5000})
    c = compare(debts, 6000, start="2026-12")
    n = negotiate(debts, 6000, SCENARIOS, start="2026-12")
    return p, c, n


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _every_chart(results, lang):
    p, c, n = results
    yield "timeline", charts.payoff_timeline(p, lang=lang)
    yield "payments", charts.payment_plan(p, lang=lang)
    yield "order", charts.payoff_order(p, lang=lang)
    yield "strategies", charts.strategies_compared(c, lang=lang)
    yield "interest", charts.interest_compared(c, lang=lang)
    yield "negotiation", charts.negotiation_compared(n, lang=lang)
    yield "waterfall", charts.savings_waterfall(n["全部一起谈"], lang=lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_with_no_missing_glyph(results, lang, tmp_path):
    # "Glyph ... missing from font" is a UserWarning from the Agg renderer: as an
    # error here, any Chinese character drawn without the CJK font fails the test.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, ax in _every_chart(results, lang):
            out = tmp_path / f"{name}_{lang}.png"
            ax.figure.savefig(out)
            assert out.stat().st_size > 5000, name


def test_missing_glyph_is_detected_without_the_cjk_font(tmp_path):
    # The check above can fail: the same Chinese title drawn in DejaVu Sans alone warns.
    fig, ax = plt.subplots()
    ax.set_title("总欠款", fontfamily="DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "x.png")


def test_cjk_font_is_found():
    family = cjk_family()
    assert "CJK" in family or "Hei" in family or "Han" in family or "YaHei" in family
    assert font_families() == ["DejaVu Sans", family]


def test_charts_do_not_change_global_rcparams(results):
    before = dict(matplotlib.rcParams)
    charts.payoff_timeline(results[0], lang="zh")
    assert matplotlib.rcParams["font.family"] == before["font.family"]
    assert matplotlib.rcParams["axes.prop_cycle"] == before["axes.prop_cycle"]


def test_chart_draws_on_the_given_axes_and_returns_it(results):
    fig, (a, b) = plt.subplots(1, 2)
    assert charts.payoff_timeline(results[0], a) is a
    assert charts.interest_compared(results[1], b) is b
    assert len(fig.axes) == 2


def test_timeline_total_line_equals_the_plans_balances(results):
    p = results[0]
    ax = charts.payoff_timeline(p, lang="en")
    line = charts.total_line(ax)
    expected = p.balances().sum(axis=1)
    assert list(line.get_xdata()) == list(expected.index)
    assert [round(float(y), 2) for y in line.get_ydata()] == [round(v, 2) for v in expected.tolist()]
    assert line.get_ydata()[0] == pytest.approx(float(sum(d.owed for d in p.debts)))
    assert line.get_ydata()[-1] == 0
    # the debt-free month is marked with a vertical line at plan.months, labelled with the calendar month
    assert any(list(ln.get_xdata()) == [p.months, p.months] for ln in ax.get_lines())
    assert any(p.debt_free in text.get_text() for text in ax.texts)


def test_timeline_hand_computed():
    # Card 3000 at 18% (45.00 interest), Loan 5000 at 24% (100.00): month 1 owes 8145 - 1500 = 6645.
    p = plan([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], budget=1500, start="2027-01")
    ax = charts.payoff_timeline(p)
    ys = charts.total_line(ax).get_ydata()
    assert (float(ys[0]), float(ys[1])) == (8000.0, 6645.0)
    assert ax.xaxis.get_major_formatter()(1, 0) == "2027-01"


def test_money_ticks_are_for_people():
    assert charts.money_tick(12000, "en") == "¥12k"
    assert charts.money_tick(12000, "zh") == "¥1.2万"
    assert charts.money_tick(80000, "zh") == "¥8万"
    assert charts.money_tick(5000, "zh") == "¥5,000"


def test_strategy_lines_end_at_each_debt_free_month(results):
    c = results[1]
    ax = charts.strategies_compared(c, lang="zh")
    for p in c:
        line = next(ln for ln in ax.get_lines() if ln.get_gid() == p.strategy)
        assert int(line.get_xdata()[-1]) == p.months
        assert float(line.get_ydata()[-1]) == 0.0
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any("雪崩法" in label and c["avalanche"].debt_free in label for label in labels)


def test_interest_bars_equal_total_interest(results):
    c = results[1]
    ax = charts.interest_compared(c, lang="en")
    widths = {bar.get_gid(): bar.get_width() for bar in ax.patches}
    assert widths == {p.strategy: float(p.total_interest) for p in c}


def test_payment_bars_add_up_to_total_paid(results):
    p = results[0]
    ax = charts.payment_plan(p)
    assert sum(bar.get_height() for bar in ax.patches) == pytest.approx(float(p.total_paid), abs=0.01)
    budget = next(ln for ln in ax.get_lines() if ln.get_gid() == "budget")
    assert float(budget.get_ydata()[5]) == 11000.0  # month 6: budget 6000 + the one-off 5000


def test_payoff_order_follows_priority_and_payoff(results):
    p = results[0]
    seg = charts.payoff_segments(p)
    first = p.priority[0]
    # avalanche: the highest-rate debt (分期乐, 53.85% while overdue) gets the extra money from month 1
    assert first == "分期乐" and 1 in seg[first]["extra"]
    for o in p.outcomes:
        assert seg[o.name]["cleared"] == [o.payoff_month]
    ax = charts.payoff_order(p, lang="zh")
    assert [label.get_text() for label in ax.get_yticklabels()][-1] == first  # top row


def test_negotiation_lines_and_waterfall_total(results):
    n = results[2]
    ax = charts.negotiation_compared(n, lang="zh")
    gids = {ln.get_gid() for ln in ax.get_lines()}
    assert gids == {"baseline", *(r.name for r in n)}
    r = n["全部一起谈"]
    ax = charts.savings_waterfall(r, lang="zh")
    bars = {bar.get_gid(): bar for bar in ax.patches}
    assert bars["total"].get_height() == pytest.approx(float(r.savings.total_paid), abs=0.01)
    for k, c in enumerate(r.contributions, start=1):
        assert bars[f"step{k}"].get_height() == pytest.approx(float(c.savings.total_paid), abs=0.01)
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert ticks[-1] == "合计节省" and "停息挂账" in " ".join(ticks)


def test_waterfall_from_pairs_with_a_cost():
    ax = charts.savings_waterfall([("a", 300), ("b", -100)])
    bars = {bar.get_gid(): bar for bar in ax.patches}
    assert (bars["step2"].get_y(), bars["step2"].get_height()) == (300.0, -100.0)
    assert bars["total"].get_height() == 200.0


def test_adjustment_labels_in_both_languages():
    from planner.negotiation import settle, waive_fees

    assert charts.adjustment_label(settle("分期乐", fraction=Decimal("0.4"), month=3), "zh") == "一次性结清 40% · 分期乐"
    assert charts.adjustment_label(waive_fees("overdue"), "en") == "Waive fees · overdue debts"


def test_many_debts_get_distinct_styles():
    styles = {(charts.debt_style(k)["color"], charts.debt_style(k)["hatch"]) for k in range(10)}
    assert len(styles) == 10


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_timeline_of_many_debts_groups_the_small_ones(lang):
    # 40 debts, at most 12 areas: the 11 largest by name and one grey "other 29"; the total is unchanged.
    from matplotlib.patches import Polygon

    debts = [Debt(f"D{k:02d}", 1000 + 250 * k, 10 + k % 20, 60 + 10 * k) for k in range(40)]
    p = plan(debts, sum(d.min_payment for d in debts) + 500, start="2027-01")
    ax = charts.payoff_timeline(p, lang=lang, max_items=12)
    areas = [a for a in ax.get_children() if isinstance(a, Polygon)]
    assert len(areas) == 12
    labels = [a.get_label() for a in areas]
    assert labels[:11] == [f"D{k:02d}" for k in range(29, 40)]  # the largest balances, in the plan's order
    assert labels[11] == charts.group_small([[1]] * 40, ["x"] * 40, 12, lang)[1][-1]
    assert "29" in labels[11]
    tops = [max(y for _, y in a.get_xy()) for a in areas]
    total = charts.total_line(ax).get_ydata()
    assert max(tops) == pytest.approx(float(total[0]))
    expected = p.balances().sum(axis=1)
    assert [round(float(y), 2) for y in total] == [round(v, 2) for v in expected.tolist()]
    ungrouped = charts.payoff_timeline(p, lang=lang)
    assert len([a for a in ungrouped.get_children() if isinstance(a, Polygon)]) == 40


_INLINE_SESSION = """
import os, sys
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # what a Jupyter kernel sets
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

shell = InteractiveShell.instance()
cells = [
    "from planner import charts, compare, load_debts\\n"
    f"c = compare(load_debts({sys.argv[1]!r}), 6000, start='2026-12')",
    "charts.strategies_compared(c);",
    "charts.interest_compared(c);",
    "charts.strategies_compared(c, lang='zh');",
    "import matplotlib.pyplot as plt\\nplt.subplots();",
]
for cell in cells:
    with capture_output() as shown:
        assert shell.run_cell(cell).success, cell
    print(sum("image/png" in output.data for output in shown.outputs))
"""


def test_each_chart_of_a_fresh_inline_session_is_shown():
    # The first chart of a Jupyter kernel makes matplotlib choose its backend; the inline
    # backend then turns interactive mode on. chart_style() used to restore every rcParam
    # (interactive=False) on exit, and no later figure of the session was shown.
    run = subprocess.run(
        [sys.executable, "-c", _INLINE_SESSION, str(ZH)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["0", "1", "1", "1", "1"]


def test_style_ticks_styles_an_axes_again_once_it_is_cleared():
    # style_ticks skips an Axes whose ticks have the chart fonts already (a live redraw); a
    # cleared Axes has lost them and must get them again.
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    charts.style_ticks(ax)
    ax.clear()
    charts.style_ticks(ax)
    ax.set_xticks([1, 2], ["一", "二"])
    assert all(label.get_fontfamily() == font_families() for label in [*ax.get_xticklabels(), *ax.get_yticklabels()])


# ---------------------------------------------------------------------------
# A savings waterfall with no asks (issue 11, item 23)


def test_savings_waterfall_with_no_asks_has_no_zero_ticks():
    from matplotlib.figure import Figure

    from planner.charts import money_tick, savings_waterfall

    ax = Figure().add_subplot()
    savings_waterfall([], ax, lang="en")
    ax.figure.canvas.draw() if hasattr(ax.figure.canvas, "draw") else None
    ticks = [money_tick(v, "en") for v in ax.get_yticks() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    assert len(ticks) == len(set(ticks)), ticks
    assert "-¥0" not in ticks and money_tick(-0.0001) == "¥0"

