"""Fuzzing: hostile and random input into every layer.

The only outcomes allowed are a result or a :class:`~planner.errors.PlannerError`
(never a decimal signal, KeyError, IndexError, recursion or hang). Every plan that
comes out reconciles to the cent and never shows a negative balance.

Example counts come from the Hypothesis profile in tests/conftest.py (``ci``: 60 per
test when CI is set); the tests that do heavier work per example (whole negotiations,
files through the CLI) run two thirds of that.
"""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal

import pytest

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from planner import Debt, PlannerError, load_debts, plan
from planner.io.export import excel_safe, write_csv
from tests.strategies import feasible_budgets, portfolios, strategy_names, varied_portfolios

# suspicious-but-valid input warns (PlannerWarning); here only errors matter
pytestmark = pytest.mark.filterwarnings("ignore::planner.errors.PlannerWarning")


#: for tests doing heavier work per example: two thirds of the profile's count
_HEAVY = settings(
    max_examples=max(10, settings().max_examples * 2 // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check_plan(p) -> None:
    """Invariants of every plan: money reconciles to the cent, nothing negative."""
    assert p.reconciles
    c = p.columns
    assert all(x >= 0 for x in c.closing), "a negative balance"
    assert all(x >= 0 for x in c.fees), "negative fees owed"
    assert all(x >= 0 for x in c.payment), "a negative payment"
    assert all(x >= 0 for x in c.interest), "negative interest"
    assert all(x >= 0 for x in c.forgiven), "a negative amount forgiven"
    # a debt is either cleared by its payoff month or still owed at the end
    for i, month in enumerate(c.payoff):
        assert (month is None) == (c.end_owed[i] > 0)


def _load_or_refuse(source):
    try:
        debts = load_debts(source)
    except PlannerError:
        event("refused")
        return None
    event("loaded")
    assert debts, "a successful load has at least one debt"
    names = [d.name for d in debts]
    assert len(set(names)) == len(names) and all(n.strip() for n in names)
    for d in debts:
        assert isinstance(d, Debt) and d.balance >= 0 and d.min_payment >= 0 and d.apr >= 0
    return debts


# ---------------------------------------------------------------------------
# the loader


@given(st.binary(max_size=3000))
def test_random_bytes_into_the_loader(data):
    _load_or_refuse(data)


# pieces a spreadsheet export might hold, good and bad
_HEADERS = st.sampled_from(
    ["name", "balance", "apr", "min_payment", "kind", "daily_rate", "fee_rate", "term_months", "overdue_days",
     "penalty_apr", "fees_owed", "contract_date", "principal", "平台", "剩余本金", "年化利率", "月供", "日利率",
     "剩余期数", "逾期天数", "备注", "notes", "", "=SUM(A1)", "balance", "合计"]
)
_CELLS = st.one_of(
    st.integers(min_value=-10**6, max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.sampled_from(
        ["", " ", "￥12,000", "1.2万", "18%", "0.05%/日", "万5", "约5000", "合计", "总计", "=1+1", "@x", "-0",
         "nan", "inf", "1e999999999", "3e-9999999", "card", "网贷", "2023-05-10", "2023-02-30", "12期", "000",
         '"', '""', "\n", "\r", "\t", "\x00", "，", ";", "0.6", "24", "5000%", "1e15"]
    ),
    st.text(max_size=12),
)


@st.composite
def csv_shaped_text(draw) -> str:
    delimiter = draw(st.sampled_from([",", ",", ",", "\t", ";"]))
    header = draw(st.lists(_HEADERS, min_size=0, max_size=8))
    rows = draw(st.lists(st.lists(_CELLS, max_size=len(header) + 2), max_size=8))
    lines = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["我的债务", "My debts 2026", ""])))
    for cells in [header, *rows]:
        if draw(st.booleans()):  # properly quoted, as Excel writes it
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(cells)
            lines.append(buffer.getvalue())
        else:  # as a person types it
            lines.append(delimiter.join(cells))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@given(csv_shaped_text(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "str"]))
def test_csv_shaped_text_into_the_loader(text, encoding):
    if encoding == "str":
        source = text if "\n" in text else text + "\n"
    else:
        try:
            source = text.encode(encoding)
        except UnicodeEncodeError:
            assume(False)
    _load_or_refuse(source)


def _money_text(cents: int, style: int) -> str:
    yuan = Decimal(cents) / 100
    return [f"{yuan}", f"￥{yuan:,}", f"{yuan}元", f"¥ {yuan:,.2f}", f"RMB{yuan}"][style]


def _rate_text(hundredths: int, style: int) -> str:
    rate = Decimal(hundredths) / 100
    return [f"{rate}", f"{rate}%", f"{rate}％", f"年化{rate}%"][style]


@st.composite
def spreadsheet_debts(draw):
    """A usable spreadsheet written the many ways people write one, and what it holds."""
    n = draw(st.integers(min_value=1, max_value=6))
    truth = [
        (f"平台{k}", draw(st.integers(0, 50_000_000)), draw(st.integers(0, 6000)), draw(st.integers(0, 5_000_000)))
        for k in range(n)
    ]
    chinese = draw(st.booleans())
    header = ["平台", "剩余本金", "年化利率", "月供"] if chinese else ["name", "balance", "apr", "min_payment"]
    order = draw(st.permutations(range(4)))
    lines = [[header[i] for i in order]]
    for name, balance, apr, minimum in truth:
        cells = [name, _money_text(balance, draw(st.integers(0, 4))), _rate_text(apr, draw(st.integers(0, 3))),
                 _money_text(minimum, draw(st.integers(0, 4)))]
        lines.append([cells[i] for i in order])
        if draw(st.integers(0, 5)) == 0:
            lines.append(["", "", "", ""])  # a blank row
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(lines)
    data = buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])))
    return data, truth


@_HEAVY
@given(spreadsheet_debts(), st.integers(min_value=0, max_value=20_000_000))
def test_spreadsheet_formats_load_exactly_and_plans_reconcile(sheet, budget_cents):
    data, truth = sheet
    debts = load_debts(data)
    got = [(d.name, int(d.balance * 100), int(d.apr * 100), int(d.min_payment * 100)) for d in debts]
    assert got == truth  # every way of writing the same amount reads as the same cents
    try:
        p = plan(debts, Decimal(budget_cents) / 100, horizon=120)
    except PlannerError:
        return
    _check_plan(p)


# ---------------------------------------------------------------------------
# the engine


_VALID_BUDGETS = st.integers(min_value=0, max_value=50_000_000).map(lambda c: Decimal(c) / 100)
_BUDGETS = st.one_of(
    _VALID_BUDGETS,
    st.sampled_from([Decimal("-1"), Decimal("NaN"), Decimal("Infinity"), Decimal("1e30"), 0, 10**7, 0.1 + 0.2]),
)
_SCHEDULES = st.dictionaries(st.integers(min_value=1, max_value=700), st.integers(min_value=0, max_value=10**6), max_size=3)
#: at most one deliberate fault per example, so most examples reach the engine's loop
_FAULTS = {
    "budget": st.sampled_from([Decimal("-1"), Decimal("NaN"), Decimal("Infinity"), Decimal("1e30"), float("inf")]),
    "extra": st.dictionaries(st.integers(-2, 0), st.integers(-100, 10), min_size=1, max_size=2),
    "budget_changes": st.fixed_dictionaries({1: st.integers(-100, -1)}),
    "strategy": st.sampled_from(["no_such_strategy", ""]),
    "horizon": st.sampled_from([0, -1, 1201, True]),
}


@given(st.one_of(portfolios(max_size=6), varied_portfolios()), st.data())
def test_random_portfolios_and_budgets_into_the_engine(debts, data):
    args = {
        "budget": data.draw(st.one_of(feasible_budgets(debts), feasible_budgets(debts), _VALID_BUDGETS, st.sampled_from([0, 10**7, 0.1 + 0.2]))),
        "strategy": data.draw(st.one_of(strategy_names, st.just("custom"))),
        "extra": data.draw(_SCHEDULES),
        "budget_changes": data.draw(_SCHEDULES),
        "horizon": data.draw(st.sampled_from([1, 12, 120, 600])),
    }
    fault = data.draw(st.sampled_from([None] * 15 + sorted(_FAULTS)))
    if fault:
        args[fault] = data.draw(_FAULTS[fault])
    order = [d.name for d in reversed(debts)] if args["strategy"] == "custom" else None
    try:
        p = plan(debts, order=order, **args)
    except PlannerError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    assert fault is None, f"the fault {fault}={args[fault]!r} was not refused"
    event("planned")
    _check_plan(p)
    assert p.horizon == args["horizon"] and p.strategy == args["strategy"]


# ---------------------------------------------------------------------------
# the negotiation layer


def _selectors(debts):
    names = [d.name for d in debts]
    return st.one_of(
        st.sampled_from(names),
        st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
        st.sampled_from(["*", "kind:card", "kind:online_loan", "overdue", "no such debt", "kind:spaceship"]),
    )


_NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=700),
    st.decimals(min_value=-1, max_value=1200, places=2),
    st.sampled_from(["24", "36", "4xLPR", "lots", None, True, 0.5]),
)


_FRACTIONS = st.integers(min_value=0, max_value=100).map(lambda x: Decimal(x) / 100)
#: each action with parameters in its documented range (planner/negotiation.py)
_VALID_PARAMS = {
    "freeze_interest": st.fixed_dictionaries({"months": st.integers(1, 60)}, optional={"include_accrued": st.booleans()}),
    "extend_term": st.fixed_dictionaries({"months": st.integers(1, 600)}),
    "reduce_rate": st.one_of(
        st.fixed_dictionaries({"apr": st.integers(0, 10_000).map(lambda x: Decimal(x) / 100)}),
        st.fixed_dictionaries({"fraction": _FRACTIONS}),
    ),
    "cap_rate": st.fixed_dictionaries({"line": st.sampled_from(["4xLPR", "24", "36", "15.4", 20])}),
    "waive_fees": st.just({}),
    "settle": st.fixed_dictionaries({"fraction": _FRACTIONS, "month": st.integers(1, 120)}),
    "defer": st.fixed_dictionaries(
        {"months": st.integers(1, 24)}, optional={"accrue": st.booleans(), "start": st.integers(1, 24)}
    ),
}


@st.composite
def _adjustment_table(draw, debts):
    action = draw(st.sampled_from(sorted(_VALID_PARAMS)))
    if draw(st.integers(0, 4)):  # mostly valid
        params = draw(_VALID_PARAMS[action])
        debt = draw(st.one_of(st.sampled_from([d.name for d in debts]), st.just("*"), _selectors(debts)))
    else:  # anything goes
        action = draw(st.one_of(st.just(action), st.just("forgive_everything")))
        params = draw(st.dictionaries(
            st.sampled_from(["months", "include_accrued", "apr", "fraction", "line", "month", "accrue", "start", "bogus"]),
            _NUMBERS,
            max_size=3,
        ))
        params = {key: value for key, value in params.items() if value is not None}
        debt = draw(_selectors(debts))
    return {"debt": debt, "action": action, **params}


@st.composite
def scenario_tables(draw, debts):
    """Scenario dicts as a TOML file parses into: mostly valid, sometimes not."""
    scenarios = []
    for k in range(draw(st.integers(min_value=1, max_value=3))):
        adjust = draw(st.lists(_adjustment_table(debts), max_size=3))
        table = {"name": f"情景{k}", "adjust": adjust}
        if draw(st.booleans()):
            table["lump"] = draw(st.integers(min_value=-10, max_value=10**6))
        scenarios.append(table)
    return {"scenario": scenarios}


@_HEAVY
@given(st.data())
def test_random_scenarios_into_the_negotiation_layer(data):
    from planner import load_scenarios, negotiate

    debts = data.draw(st.one_of(varied_portfolios(max_size=4), portfolios(max_size=4)))
    table = data.draw(scenario_tables(debts))
    budget = data.draw(st.one_of(feasible_budgets(debts), _BUDGETS))
    try:
        scenarios = load_scenarios(table)
        result = negotiate(debts, budget, scenarios, horizon=240)
    except PlannerError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event("negotiated")
    _check_plan(result.baseline)
    for r in result:
        _check_plan(r.plan)
        # savings are measured against the same baseline, to the cent
        assert r.savings.interest == result.baseline.total_interest - r.plan.total_interest
        for d in r.debts:
            assert d.balance >= 0 and d.min_payment >= 0 and d.apr >= 0


# ---------------------------------------------------------------------------
# the command line and exports


@_HEAVY
@given(st.one_of(st.binary(max_size=500), csv_shaped_text().map(lambda t: t.encode("utf-8"))))
def test_random_files_through_the_cli(tmp_path_factory, data):
    from planner.cli import main

    path = tmp_path_factory.mktemp("fuzz") / "debts.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(path)])
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@given(st.text(max_size=30))
def test_excel_safe_leaves_no_formula(text):
    safe = excel_safe(text)
    if safe.startswith(_FORMULA):
        # only a plain number may start with a sign: Excel reads it as a number, not a formula
        Decimal(safe)
        assert safe.lstrip("+-").replace(".", "", 1).isdigit()
    assert safe in (text, "'" + text)


@_HEAVY
@given(st.lists(st.lists(st.text(max_size=15), min_size=3, max_size=3), max_size=6))
def test_written_csv_cells_are_all_safe(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_csv(path, ["a", "b", "c"], rows)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.reader(handle))
    assert back[0] == ["a", "b", "c"]
    assert len(back) == len(rows) + 1
    for original, written in zip(rows, back[1:]):
        for before, after in zip(original, written):
            assert after == excel_safe(before)
            assert not after.startswith(_FORMULA) or after.lstrip("+-").replace(".", "", 1).isdigit()
