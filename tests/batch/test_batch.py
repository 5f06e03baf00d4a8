"""The batch engine: the same plans as the single engine, to the cent, for many portfolios.

The single engine (:func:`planner.engine.plan`) is the oracle throughout: it is
itself checked against hand computations and a Decimal reference in
tests/test_engine.py.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import Debt, plan
from planner.batch import BATCH_STRATEGIES, adjust, batch_dask, batch_frame, plan_batch
from planner.cli import main
from planner.errors import InfeasibleBudgetError, PlannerError
from planner import load_debts
from planner.negotiation import Scenario, cap_rate, defer, freeze_interest, settle, waive_fees

import planner.batch
from planner.strategies import Key, register, unregister

from tests.strategies import feasible_budgets, portfolios, rates, strategy_names, yuan
import subprocess
import sys
from tests.cli_helpers import ROOT

def expected(debts, budget, strategy, horizon=600):
    """What the single engine says, in the batch's terms (cents)."""
    try:
        p = plan(debts, budget, strategy, horizon=horizon)
    except InfeasibleBudgetError as exc:
        return {"status": "infeasible", "months": -1, "interest": 0, "paid": 0, "forgiven": 0, "remaining": 0, "unspent": 0,
                "infeasible_month": exc.month, "schedule": None}
    c = p.columns
    return {
        "status": "ok" if p.months is not None else "never_paid",
        "months": p.months if p.months is not None else -1,
        "interest": sum(c.interest),
        "paid": sum(c.payment),
        "forgiven": sum(c.forgiven),
        "remaining": sum(c.end_owed),
        "unspent": c.unspent,
        "infeasible_month": None,
        "schedule": list(zip(c.month, c.debt, c.opening, c.interest, c.payment, c.closing, c.fees, c.forgiven)),
    }


def got(result, p):
    row = {
        "status": result.status[p],
        "months": int(result.months[p]),
        "interest": int(result.interest[p]),
        "paid": int(result.paid[p]),
        "forgiven": int(result.forgiven[p]),
        "remaining": int(result.remaining[p]),
        "unspent": int(result.unspent[p]),
        "infeasible_month": int(result.infeasible_month[p]) if result.status[p] == "infeasible" else None,
        "schedule": None,
    }
    if result.schedule is not None and row["status"] != "infeasible":
        s = result.schedule
        sel = s["portfolio"] == p
        row["schedule"] = list(zip(*(s[k][sel].tolist() for k in ("month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven"))))
    return row


def assert_same(books, budgets, strategy, horizon=600, **kwargs):
    result = plan_batch(books, budgets, strategy, horizon=horizon, schedules=True, **kwargs)
    for p, (debts, budget) in enumerate(zip(books, budgets)):
        assert got(result, p) == expected(debts, budget, strategy, horizon), f"portfolio {p}"
    return result


# -- hand-worked cases ---------------------------------------------------------------


def test_one_debt_by_hand():
    # 1,000 at 12%, budget 600: month 1 interest 10.00, pays 600, 410 left; month 2
    # interest 4.10, pays 414.10. Interest 14.10, paid 1,014.10 (the engine's doctest).
    r = plan_batch([[Debt("A", 1000, 12, 100)]], [600])
    assert (r.months[0], r.interest[0], r.paid[0], r.unspent[0]) == (2, 1410, 101410, 18590)  # 600 - 414.10 unspent


def test_infeasible_budget_is_a_status_not_an_error():
    # minimums 100 + 50 = 150 against a budget of 120: short by 30.00 in month 1
    r = plan_batch([[Debt("A", 1000, 12, 100), Debt("B", 500, 0, 50)], [Debt("A", 100, 0, 10)]], [120, 10])
    assert r.status == ["infeasible", "ok"]
    assert (r.infeasible_month[0], r.shortfall[0]) == (1, 3000)
    assert r.months[1] == 10  # 100 at 0%, 10 a month
    frame = r.to_frame()
    assert frame["months"].isna().tolist() == [True, False]


def test_the_cascade_within_a_month():
    # B (30%) is paid first: month 1 B owes 10 + 0.25 interest, takes min 1 then 9.25 more;
    # A (0%) gets its 50 minimum and the rest: 100 - 51 - 9.25 = 39.75 extra.
    debts = [Debt("A", 500, 0, 50), Debt("B", 10, 30, 1)]
    r = assert_same([debts], [100], "avalanche")
    first_month = [row for row in zip(r.schedule["month"], r.schedule["debt"], r.schedule["payment"]) if row[0] == 1]
    assert first_month == [(1, 0, 8975), (1, 1, 1025)]


# -- equal to the single engine -------------------------------------------------------


@st.composite
def books(draw, *, min_size=1, max_size=12):
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    out, budgets = [], []
    for _ in range(n):
        debts = draw(portfolios(max_size=6))
        budget = draw(st.one_of(feasible_budgets(debts), st.integers(0, 300_000).map(yuan)))
        out.append(debts)
        budgets.append(budget)
    return out, budgets


@settings(max_examples=60, deadline=None)
@given(book=books(), strategy=strategy_names)
def test_equals_the_single_engine_on_random_books(book, strategy):
    debts, budgets = book
    assert_same(debts, budgets, strategy, horizon=360)


@st.composite
def negotiated(draw, debt: Debt) -> Debt:
    """A debt with the fields negotiation sets: overdue with a penalty rate, a deferral, a settlement."""
    changes = {}
    if draw(st.booleans()):
        changes.update(overdue_days=draw(st.integers(1, 90)), penalty_apr=draw(rates))
    if draw(st.booleans()):
        changes.update(defer_from=draw(st.integers(1, 6)), defer_months=draw(st.integers(1, 12)), defer_interest=draw(st.booleans()))
    if draw(st.booleans()):
        changes.update(settle_month=draw(st.integers(1, 24)), settle_fraction=Decimal(draw(st.integers(0, 100))) / 100)
    return debt.with_(**changes)


@st.composite
def negotiated_books(draw):
    n = draw(st.integers(1, 8))
    out, budgets = [], []
    for _ in range(n):
        debts = [draw(negotiated(d)) for d in draw(portfolios(max_size=5))]
        out.append(debts)
        budgets.append(draw(feasible_budgets(debts)))
    return out, budgets


@settings(max_examples=60, deadline=None)
@given(book=negotiated_books(), strategy=strategy_names)
def test_equals_the_single_engine_with_penalties_deferrals_and_settlements(book, strategy):
    debts, budgets = book
    assert_same(debts, budgets, strategy, horizon=240)


@settings(max_examples=40, deadline=None)
@given(
    book=negotiated_books(),
    keys=st.lists(
        st.sampled_from([Key("rate"), Key("rate", True), Key("owed"), Key("owed", True), Key("monthly_interest"),
                         Key("monthly_interest", True), Key("cash_flow_index")]),
        min_size=1, max_size=3, unique=True,
    ),
)
def test_a_strategy_registered_here_runs_the_same_in_both_engines(book, keys):
    # One registration (sort keys) and nothing else: plan(), plan_batch() and the CLI's list
    # see it; both engines order and pay identically on random negotiated portfolios.
    register("test_registered", *keys, Key("name"), label=("测试", "test"))
    try:
        assert "test_registered" in planner.batch.BATCH_STRATEGIES
        debts, budgets = book
        assert_same(debts, budgets, "test_registered", horizon=240)
    finally:
        unregister("test_registered")
    assert "test_registered" not in planner.batch.BATCH_STRATEGIES


def test_ties_and_equal_ratios_order_as_the_single_engine():
    # Same rate and balance: the name decides; equal balance/minimum ratios (10 and 10)
    # under cash_flow_index; a minimum of 0 sorts last (infinite index).
    debts = [Debt("b", 3000, 18, 300), Debt("a", 3000, 18, 300), Debt("c", 1000, 18, 100), Debt("z", 50, 5, 0)]
    for strategy in BATCH_STRATEGIES:
        assert_same([debts, debts[::-1]], [900, 900], strategy)


def test_cash_flow_ratios_one_ulp_apart_and_beyond_exact_int64_order_as_the_single_engine():
    # Owed / minimum of 1000000001 / 300000000 and 1000000011 / 300000003 cents: different
    # ratios that round to the same float (found by search). The compiled loop compares their
    # cross products exactly in int64; for amounts of 2**31 cents or more, where a product
    # could overflow, it leaves the portfolio to the single engine. Either way the order is
    # the single engine's (exact Fractions).
    close = [Debt("a", Decimal("10000000.01"), 24, Decimal("3000000.00")), Debt("b", Decimal("10000000.11"), 12, Decimal("3000000.03")),
             Debt("c", 100, 5, 10)]
    huge = [Debt("a", Decimal("1000000000.01"), 24, Decimal("300000000.00")),
            Debt("b", Decimal("1000000000.11"), 12, Decimal("300000000.03"))]
    for debts in (close, huge):
        a, b = (d.owed / d.min_payment for d in debts[:2])
        assert a != b and float(a) == float(b)
        budget = sum(d.min_payment for d in debts) + 1000
        assert_same([debts, debts[::-1]], [budget, budget], "cash_flow_index", horizon=24)


def test_chunks_and_two_processes_give_the_same_results():
    import random

    rng = random.Random(6)
    book = [
        [Debt(f"d{k}", rng.randint(1, 5000000) / 100, rng.choice([12, 18.25, 24, 35.9]), rng.randint(0, 100000) / 100) for k in range(rng.randint(1, 5))]
        for _ in range(120)
    ]
    budgets = [rng.randint(0, 500000) / 100 for _ in book]
    one = plan_batch(book, budgets, "snowball", chunk_size=1000, workers=1)
    two = assert_same(book, budgets, "snowball", chunk_size=7, workers=2)
    for field in ("months", "interest", "paid", "remaining", "unspent"):
        assert getattr(one, field).tolist() == getattr(two, field).tolist()


def test_int64_overflow_falls_back_to_exact_integers():
    # ¥10 billion at 1000% with no minimum grows ~83% a month: past int64 cents within
    # the horizon. The batch hands it to the single engine (Python integers); results stay exact.
    grows = [Debt("A", 10_000_000_000, 1000, 0), Debt("B", 100, 10, 10)]
    odd_rate = [Debt("A", 1000, Decimal("18.1234567890123456789012345"), 100)]  # ratio beyond int64
    normal = [Debt("A", 1000, 12, 100)]
    for strategy in ("avalanche", "cash_flow_index", "highest_interest_cost", "minimum_only"):
        r = assert_same([grows, odd_rate, normal], [100, 150, 150], strategy, horizon=48)
        assert r.fallback == 2
        assert r.status[0] == "never_paid" and r.remaining[0] > 2**63
    # two workers, one portfolio a chunk: their totals go into shared memory, and the amounts
    # beyond int64 come back through the pipe and are put in their place
    r = assert_same([normal, grows, normal, odd_rate], [150, 100, 150, 150], "avalanche", horizon=48, workers=2, chunk_size=1)
    assert r.fallback == 2 and r.remaining[1] > 2**63 and r.remaining.dtype == object


def test_bad_arguments_are_planner_errors():
    with pytest.raises(PlannerError, match="custom"):
        plan_batch([[Debt("A", 1, 1, 1)]], [1], "custom")
    with pytest.raises(PlannerError, match="2 budgets for 1"):
        plan_batch([[Debt("A", 1, 1, 1)]], [1, 2])
    with pytest.raises(PlannerError, match="twice"):
        plan_batch([[Debt("A", 1, 1, 1), Debt("A", 2, 1, 1)]], [5])


# -- negotiation scenarios in batch ---------------------------------------------------


def _kinded(rng_seed=3, n=30):
    import random

    rng = random.Random(rng_seed)
    kinds = ["card", "online_loan", "consumer_finance"]
    out = []
    for _ in range(n):
        debts = []
        for k in range(rng.randint(1, 4)):
            bal = rng.randint(1000, 30000)
            apr = rng.choice([14.6, 18.25, 24, 35.9])
            debts.append(Debt(f"d{k}", bal, apr, round(bal * 0.05, 2), kind=rng.choice(kinds), fees_owed=rng.choice([0, 0, 80])))
        out.append(debts)
    budgets = [float(sum(d.min_payment for d in ds)) + 500 for ds in out]
    return out, budgets


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario("cap", (cap_rate("*", line="24"),)),
        Scenario("relief", (waive_fees("*"), freeze_interest("*", months=36), defer("*", months=3, accrue=False))),
        Scenario("settle", (settle("*", fraction=Decimal("0.4"), month=6),)),
    ],
    ids=lambda s: s.name,
)
def test_a_scenario_for_every_portfolio_equals_applying_it_one_by_one(scenario):
    book, budgets = _kinded()
    r = plan_batch(book, budgets, "avalanche", scenario=scenario, schedules=True)
    for p, (debts, budget) in enumerate(zip(book, budgets)):
        assert got(r, p) == expected(scenario.apply(debts), budget, "avalanche"), p  # the negotiation module's own apply


def test_a_kind_selector_skips_portfolios_without_that_kind():
    # "freeze interest for 60 months on every online loan": portfolios with no online loan are unchanged
    scenario = Scenario("freeze online loans", (freeze_interest("kind:online_loan", months=60),))
    card_only = [Debt("c", 5000, 18, 500, kind="card")]
    mixed = [Debt("c", 5000, 18, 500, kind="card"), Debt("o", 8000, 35.9, 600, kind="online_loan")]
    assert adjust(scenario, card_only) == card_only
    assert adjust(scenario, mixed) == scenario.apply(mixed)
    r = plan_batch([card_only, mixed], [1000, 2000], "avalanche", scenario=scenario)
    assert got(r, 0)["interest"] == expected(card_only, 1000, "avalanche")["interest"]
    assert got(r, 1)["interest"] == expected(scenario.apply(mixed), 2000, "avalanche")["interest"]


def test_the_issue_programme_freeze_online_loans_above_24_percent():
    # Issue 6's example: "freeze interest for 60 months on every online loan above 24%".
    scenario = Scenario("programme", (freeze_interest("kind:online_loan & apr>24", months=60),))
    cheap = [Debt("o", 8000, 18, 600, kind="online_loan"), Debt("c", 5000, 36, 500, kind="card")]
    dear = [Debt("o", 8000, 35.9, 600, kind="online_loan"), Debt("c", 5000, 36, 500, kind="card")]
    assert adjust(scenario, cheap) == cheap  # an online loan at 18% and a card at 36% are not in it
    assert adjust(scenario, dear)[0].apr == 0 and adjust(scenario, dear)[1] == dear[1]
    r = plan_batch([cheap, dear], [1500, 1500], "avalanche", scenario=scenario)
    assert got(r, 0)["interest"] == expected(cheap, 1500, "avalanche")["interest"]
    assert got(r, 1)["interest"] == expected(scenario.apply(dear), 1500, "avalanche")["interest"]


# -- tables, files and the command line -----------------------------------------------

TABLE = pd.DataFrame(
    {
        "portfolio_id": ["p1", "p1", "p2", "p3", "p3", "p3", "p2"],
        "平台": ["借呗", "信用卡", "借呗", "分期乐", "微粒贷", "花呗", "美团"],
        "类型": ["网贷", "信用卡", "网贷", "网贷", "网贷", "网贷", "网贷"],
        "剩余本金": ["￥12,000", "8000", "1.2万", "5,000.50", "3000", "0.125", "7000"],
        "年化利率": ["14.6%", "18.25", "0.05%/日", "35.9%", "24", "18", "23.9%"],
        "最低还款": ["600", "800", "700", "￥400", "150", "0.01", "700"],
        "逾期天数": ["", "", "", "45", "", "", "10"],
        "罚息年利率": ["", "", "", "53.85%", "", "", ""],
        "违约金": ["", "", "", "360", "", "", "￥56"],
        "budget": ["2000", "2000", "1500", "1200", "1200", "1200", "1500"],
    }
)


def table_expected(frame, strategy, budget_column="budget"):
    """Each portfolio through the loader and the single engine: the oracle for a table."""
    out = {}
    for pid, rows in frame.groupby("portfolio_id", sort=False):
        budget = rows[budget_column].iloc[0]
        debts = load_debts(rows.drop(columns=["portfolio_id", budget_column]).reset_index(drop=True))
        out[pid] = expected(debts, Decimal(str(budget)), strategy)
    return out


@pytest.mark.parametrize("strategy", BATCH_STRATEGIES)
def test_a_table_with_chinese_headers_and_money_text_equals_the_loader_and_engine(strategy):
    table, _ = batch_frame(TABLE, "budget", strategy)
    want = table_expected(TABLE, strategy)
    assert table["portfolio_id"].tolist() == ["p1", "p2", "p3"]  # order of first appearance
    for _, row in table.iterrows():
        w = want[row["portfolio_id"]]
        assert row["status"] == w["status"]
        assert round(row["total_interest"] * 100) == w["interest"]
        assert round(row["total_paid"] * 100) == w["paid"]
        assert (None if pd.isna(row["months"]) else int(row["months"])) == (None if w["months"] < 0 else w["months"])


def _write_tables(tmp_path, frame):
    csv_path = tmp_path / "book.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8")
    parquet_path = tmp_path / "book.parquet"
    frame.to_parquet(parquet_path, index=False)
    return csv_path, parquet_path


def test_cli_batch_from_csv_and_parquet(tmp_path, capsys):
    csv_path, parquet_path = _write_tables(tmp_path, TABLE)
    want = table_expected(TABLE, "avalanche") | {}
    for source, out in ((csv_path, tmp_path / "r.csv"), (parquet_path, tmp_path / "r.parquet")):
        assert main(["batch", str(source), "--budget-column", "budget", "--strategy", "avalanche,snowball", "--out", str(out)]) == 0
        result = pd.read_csv(out, encoding="utf-8-sig") if out.suffix == ".csv" else pd.read_parquet(out)
        assert len(result) == 6  # 3 portfolios x 2 strategies
        first = result[result["strategy"] == "avalanche"].set_index("portfolio_id")
        for pid, w in want.items():
            assert round(first.loc[pid, "total_interest"] * 100) == w["interest"]
    printed = capsys.readouterr().out
    assert "avalanche" in printed and "snowball" in printed


def test_cli_batch_writes_schedules(tmp_path):
    _, parquet_path = _write_tables(tmp_path, TABLE)
    out, sched = tmp_path / "r.parquet", tmp_path / "s.parquet"
    assert main(["batch", str(parquet_path), "--out", str(out), "--schedules", str(sched)]) == 0
    schedule = pd.read_parquet(sched)
    want = table_expected(TABLE, "avalanche")
    for pid, rows in schedule.groupby("portfolio_id"):
        assert [round(x * 100) for x in rows["interest"]] == [r[3] for r in want[pid]["schedule"]]
    assert schedule["debt"].iloc[0] == "借呗"


def test_cli_batch_bad_table_is_a_bilingual_error(tmp_path, capsys):
    bad = TABLE.copy()
    bad.loc[1, "budget"] = "2500"  # p1's budget differs between its rows (row 3 of the file)
    bad.loc[4, "剩余本金"] = "abc"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    err = capsys.readouterr().err
    assert "budget must be the same on every row" in err and "预算必须每行相同" in err
    assert "'剩余本金'" in err and "abc" in err and "Traceback" not in err
    assert main(["batch", str(path), "--budget-column", "money", "--out", str(tmp_path / "r.parquet")]) == 2
    assert "money" in capsys.readouterr().err
    assert not (tmp_path / "r.parquet").exists()


def test_cli_batch_refuses_to_overwrite_its_input(tmp_path):
    _, parquet_path = _write_tables(tmp_path, TABLE)
    before = parquet_path.read_bytes()
    assert main(["batch", str(parquet_path), "--out", str(parquet_path)]) == 2
    assert parquet_path.read_bytes() == before


def test_cli_batch_with_a_scenario_file(tmp_path):
    _, parquet_path = _write_tables(tmp_path, TABLE)
    toml = tmp_path / "s.toml"
    toml.write_text(
        '[[scenario]]\nname = "cap"\n[[scenario.adjust]]\ndebt = "*"\naction = "cap_rate"\nline = "24"\n'
        '[[scenario]]\nname = "waive"\n[[scenario.adjust]]\ndebt = "*"\naction = "waive_fees"\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.parquet"
    assert main(["batch", str(parquet_path), "--out", str(out), "--scenario", str(toml)]) == 2  # two scenarios: which?
    assert main(["batch", str(parquet_path), "--out", str(out), "--scenario", str(toml), "--scenario-name", "cap"]) == 0
    result = pd.read_parquet(out).set_index("portfolio_id")
    scenario = Scenario("cap", (cap_rate("*", line="24"),))
    for pid, rows in TABLE.groupby("portfolio_id", sort=False):
        debts = load_debts(rows.drop(columns=["portfolio_id", "budget"]).reset_index(drop=True))
        w = expected(scenario.apply(debts), Decimal(rows["budget"].iloc[0]), "avalanche")
        assert round(result.loc[pid, "total_interest"] * 100) == w["interest"]
        assert result.loc[pid, "scenario"] == "cap"


# -- Dask -------------------------------------------------------------------------------


def _random_table(n=60, seed=2):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n):
        k = int(rng.integers(1, 5))
        budget = 0
        debts = []
        for j in range(k):
            bal = int(rng.integers(10000, 3000000))
            apr = float(rng.choice([12, 18.25, 24, 35.9]))
            minimum = round(bal * 0.04) / 100
            budget += minimum
            debts.append((f"P{p:03d}", f"d{j}", bal / 100, apr, minimum))
        budget = round(budget * float(rng.uniform(0.9, 1.8)), 2)  # some infeasible
        rows += [(*d, budget) for d in debts]
    return pd.DataFrame(rows, columns=["portfolio_id", "name", "balance", "apr", "min_payment", "budget"])


def test_dask_engine_on_a_local_cluster_equals_the_local_engine(tmp_path):
    distributed = pytest.importorskip("distributed")
    dd = pytest.importorskip("dask.dataframe")
    frame = _random_table()
    local, _ = batch_frame(frame, "budget", "avalanche,minimum_only")
    local = local.sort_values(["strategy", "portfolio_id"], kind="stable").reset_index(drop=True)
    path = tmp_path / "book"
    dd.from_pandas(frame, npartitions=4).to_parquet(path)  # a portfolio may straddle partitions
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster):
            remote = batch_dask(str(path), "budget", ["avalanche", "minimum_only"])
    assert (remote["status"] == "infeasible").any() and (remote["status"] == "ok").any()
    pd.testing.assert_frame_equal(remote, local, check_dtype=False)


def test_cli_dask_engine(tmp_path):
    pytest.importorskip("dask.dataframe")
    frame = _random_table(20, seed=4)
    path = tmp_path / "book.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "r.parquet"
    assert main(["batch", str(path), "--engine", "dask", "--out", str(out)]) == 0
    local, _ = batch_frame(frame.astype(str), "budget", "avalanche")
    remote = pd.read_parquet(out)
    assert remote.sort_values("portfolio_id")["total_interest"].tolist() == local.sort_values("portfolio_id")["total_interest"].tolist()


def test_a_scenario_runs_in_the_workers_chunk_by_chunk():
    frame = _random_table(40, seed=9)
    frame["kind"] = np.where(frame["apr"] > 24, "online_loan", "card")
    scenario = Scenario("freeze online loans", (freeze_interest("kind:online_loan", months=48), waive_fees("*")))
    table, _ = batch_frame(frame, "budget", "avalanche,snowball", scenario=scenario, workers=2, chunk_size=7)
    assert table["scenario"].unique().tolist() == ["freeze online loans"]
    for strategy in ("avalanche", "snowball"):
        rows = table[table["strategy"] == strategy].set_index("portfolio_id")
        for pid, part in frame.groupby("portfolio_id", sort=False):
            debts = load_debts(part.drop(columns=["portfolio_id", "budget"]).reset_index(drop=True))
            w = expected(adjust(scenario, debts), Decimal(str(part["budget"].iloc[0])), strategy)
            assert rows.loc[pid, "status"] == w["status"]
            assert round(rows.loc[pid, "total_interest"] * 100) == w["interest"], pid


def test_cli_dask_engine_reports_an_unreadable_table(tmp_path, capsys):
    pytest.importorskip("dask.dataframe")
    path = tmp_path / "gbk.csv"
    path.write_bytes("portfolio_id,平台,剩余本金,年化利率,最低还款,budget\n1,借呗,1000,18,100,500\n".encode("gb18030"))
    assert main(["batch", str(path), "--engine", "dask", "--out", str(tmp_path / "r.parquet")]) == 2
    err = capsys.readouterr().err
    assert "UTF-8" in err and "Traceback" not in err and "internal error" not in err


# -- schedules that stream, and the table build on numbers ------------------------------


def _book_table(portfolios: int, seed: int = 0) -> pd.DataFrame:
    """A caseload whose plans end in a few years: minimums cover interest plus 2-5%, budgets 1.1-1.6x."""
    rng = np.random.default_rng(seed)
    n = portfolios * 5
    balance = rng.integers(100_00, 60_000_00, n)
    apr = rng.choice([18.25, 14.6, 23.9, 35.9, 24.0, 12.0], n)
    minimum = np.ceil(balance * apr / 1200).astype(np.int64) + (balance * rng.uniform(0.02, 0.05, n)).astype(np.int64)
    budget = (minimum.reshape(portfolios, 5).sum(axis=1) * rng.uniform(1.1, 1.6, portfolios)).astype(np.int64)
    return pd.DataFrame({
        "portfolio_id": np.repeat(np.arange(portfolios), 5), "name": np.tile(["a", "b", "c", "d", "e"], portfolios),
        "balance": balance / 100, "apr": apr, "min_payment": minimum / 100, "budget": np.repeat(budget / 100, 5),
    })


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_streamed_schedules_read_back_as_the_single_engine(tmp_path, suffix):
    # Chunks of 7 portfolios: the file is written chunk by chunk, then read back with pandas.
    frame = _book_table(40, seed=3)
    frame.loc[0, "balance"] = 1000.125  # on a half cent: the parser, half-up to 1000.13
    source = tmp_path / "book.parquet"
    frame.to_parquet(source)
    out, sched = tmp_path / "out.csv", tmp_path / f"sched{suffix}"
    assert main(["batch", str(source), "--out", str(out), "--schedules", str(sched), "--strategy", "avalanche,snowball",
                 "--workers", "1", "--progress", "off"]) == 0
    got_rows = pd.read_parquet(sched) if suffix == ".parquet" else pd.read_csv(sched, encoding="utf-8-sig")
    in_memory, whole = batch_frame(frame, "budget", ["avalanche", "snowball"], schedules=True)
    assert len(got_rows) == len(whole)
    assert got_rows["strategy"].astype(str).tolist() == whole["strategy"].astype(str).tolist()
    for column in ("month", "opening_balance", "interest", "payment", "closing_balance"):
        assert np.allclose(got_rows[column].to_numpy(dtype=float), whole[column].to_numpy(dtype=float), atol=0.001)
    for pid in (0, 17, 39):  # a sample against the single engine
        part = frame[frame["portfolio_id"] == pid]
        debts = [Debt(r["name"], Decimal(str(r["balance"])), Decimal(str(r["apr"])), Decimal(str(r["min_payment"]))) for _, r in part.iterrows()]
        want = plan(debts, Decimal(str(part["budget"].iloc[0])), "snowball").schedule
        rows = got_rows[(got_rows["portfolio_id"] == pid) & (got_rows["strategy"] == "snowball")]
        assert [round(x * 100) for x in rows["payment"]] == [round(x * 100) for x in want["payment"]]


def test_a_book_with_schedules_runs_under_a_low_memory_limit(tmp_path):
    # The address-space limit is what a tiny run needs plus 300 MB; the book's schedules
    # (5 strategies x ~600,000 rows) stream to Parquet in chunks, so it still completes.
    import subprocess
    import sys

    small, big = tmp_path / "small.parquet", tmp_path / "big.parquet"
    _book_table(5).to_parquet(small)
    _book_table(3000, seed=1).to_parquet(big)
    script = (
        "import resource, sys\n"
        "limit = int(sys.argv[1])\n"
        "if limit: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
        "from planner.cli import main\n"
        "rc = main(['batch', sys.argv[2], '--out', sys.argv[3], '--schedules', sys.argv[4], '--strategy', 'all', '--workers', '1', '--progress', 'off'])\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmPeak')) * 1024)\n"
        "sys.exit(rc)\n"
    )

    def run(limit, book):
        return subprocess.run([sys.executable, "-c", script, str(limit), str(book), str(tmp_path / "o.csv"), str(tmp_path / "s.parquet")],
                              capture_output=True, text=True, timeout=600)

    first = run(0, small)
    assert first.returncode == 0, first.stderr
    limit = int(first.stdout.split()[-1]) + 300 * 2**20
    second = run(limit, big)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(pd.read_parquet(tmp_path / "s.parquet", columns=["month"])) > 500_000


def test_numbers_near_a_half_cent_and_duplicate_names_in_a_numeric_table():
    # Floats read whole-column; 0.125 and 0.135 sit on half cents and go through the
    # loader's parser (half-up: 13 and 14 cents); a repeated name is found on integer codes.
    frame = pd.DataFrame({"portfolio_id": [1, 1, 2], "name": ["a", "b", "a"], "balance": [0.125, 0.135, 2.5],
                          "apr": [0.0, 0.0, 0.0], "min_payment": [0.01, 0.01, 1.0], "budget": [1.0, 1.0, 1.0]})
    from planner.batch import book_from_frame

    assert book_from_frame(frame).balance.tolist() == [13, 14, 250]
    frame.loc[1, "name"] = "a"
    with pytest.raises(PlannerError, match="appears twice"):
        book_from_frame(frame)


@pytest.mark.parametrize("size", [3, 20], ids=["few debts", "more than 16 debts"])
def test_a_repeated_name_is_found_in_small_and_large_portfolios(size):
    # Two ways to find a name repeated within a portfolio (comparing with the few rows before,
    # or a sort for portfolios of more than 16 debts): both name the later row only.
    from planner.batch import book_from_frame

    names = [f"d{k}" for k in range(size)]
    rows = [(1, n) for n in names] + [(2, n) for n in names]
    frame = pd.DataFrame({"portfolio_id": [p for p, _ in rows], "name": [n for _, n in rows], "balance": 100.0,
                          "apr": 12.0, "min_payment": 10.0, "budget": 5000.0})
    assert book_from_frame(frame).size == 2  # the same names in two portfolios are fine
    frame.loc[size + size - 1, "name"] = "d0"  # portfolio 2's last debt repeats its first
    with pytest.raises(InputError) as caught:
        book_from_frame(frame)
    assert [(p.row, p.value) for p in caught.value.problems] == [(2 * size + 1, "d0")]


def test_without_numba_the_batch_engine_says_what_to_install():
    # numba made unimportable in a fresh process: the batch engine refuses in both languages,
    # naming the batch extra; a single plan needs no numba.
    script = (
        "import sys; sys.modules['numba'] = None\n"
        "from planner.batch import kernel, plan_batch\n"
        "from planner import Debt, PlannerError, plan\n"
        "assert plan([Debt('A', 1000, 12, 100)], 600).months == 2\n"
        "try:\n"
        "    plan_batch([[Debt('A', 1000, 12, 100)]], [600])\n"
        "except PlannerError as exc:\n"
        "    print(exc.zh); print(exc.en)\n"
    )
    zh, en = _python_prints(script).strip().split("\n")
    assert "numba" in zh and "debt-planner[batch]" in zh and "批量" in zh
    assert "numba" in en and "debt-planner[batch]" in en and "batch extra" in en


def test_planner_batch_without_numba_stops_before_reading_the_table(tmp_path):
    script = (
        "import sys; sys.modules['numba'] = None\n"
        "from planner.cli import main\n"
        f"print(main(['batch', {str(tmp_path / 'missing.csv')!r}, '--out', {str(tmp_path / 'r.csv')!r}]))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("2"), out.stdout + out.stderr
    assert "pip install 'debt-planner[batch]'" in out.stderr and "missing.csv" not in out.stderr


def test_with_numba_disabled_the_loop_runs_as_python_and_gives_the_same_plans():
    # NUMBA_DISABLE_JIT=1: the compiled month loop runs as plain Python (for debugging), with
    # the same totals and schedule as compiled, on a small book with a holiday, a settlement and fees.
    script = (
        "from decimal import Decimal\n"
        "from planner.batch import plan_batch, run_book, book_from_debts\n"
        "from planner import Debt\n"
        "book = [[Debt('A', 1000, 12, 100), Debt('B', 800, 24, 50, fees_owed=30, defer_from=2, defer_months=3)],\n"
        "        [Debt('C', 5000, 18, 200, settle_month=4, settle_fraction=Decimal('0.4')), Debt('D', 300, 0, 30)]]\n"
        "for s in ('avalanche', 'snowball', 'minimum_only'):\n"
        "    r = run_book(book_from_debts(book, [600, 900]), s, schedules=True, workers=1)\n"
        "    print(s, r.months.tolist(), r.interest.tolist(), r.paid.tolist(), r.forgiven.tolist(),\n"
        "          {k: v.tolist() for k, v in sorted(r.schedule.items())})\n"
    )
    import os
    import subprocess
    import sys

    runs = []
    for disabled in ("1", "0"):
        env = {**os.environ, "NUMBA_DISABLE_JIT": disabled}
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        runs.append(out.stdout)
    assert runs[0] == runs[1] and runs[0].count("\n") == 3


def _python_prints(script: str) -> str:
    """What ``script`` prints, run in a fresh Python process (which must succeed)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


# -- issue 11, items 4 and 14: rates below 1 warn per row; every bad row is counted -----

import warnings  # noqa: E402

from planner.errors import InputError, PlannerWarning  # noqa: E402
from planner.batch import book_from_frame  # noqa: E402


def _book_rows(n, **debt):
    rows = []
    for p in range(n):
        rows.append({"portfolio_id": p, "name": "A", "balance": "1000", "apr": "24", "min_payment": "100", "budget": "500"})
        rows.append({"portfolio_id": p, "name": "B", "balance": "500", "apr": "18", "min_payment": "50", "budget": "500", **debt})
    return pd.DataFrame(rows)


def test_a_bad_value_on_1000_rows_is_counted_1000_times_with_the_first_few_shown():
    with pytest.raises(InputError) as info:
        book_from_frame(_book_rows(1000, balance="abc"), source="book.csv")
    error = info.value
    assert error.total == 1000
    assert "1000 problems found" in str(error) and "发现 1000 个问题" in str(error)
    listed = [p for p in error.problems if p.row is not None]
    assert [p.row for p in listed] == [3, 5, 7]  # the first few rows with that value
    assert "997 more problems not listed" in str(error) and "另有 997 个问题未列出" in str(error)


def test_missing_values_on_many_rows_are_all_counted():
    with pytest.raises(InputError) as info:
        book_from_frame(_book_rows(100, min_payment=""), source="book.csv")
    assert info.value.total == 100 and "100 problems found" in str(info.value)
    assert len(info.value.problems) == 21  # 20 listed and the count of the rest


def test_one_rate_below_1_among_percent_rates_warns_in_a_book():
    frame = _book_rows(3)
    frame.loc[3, "apr"] = "0.18"  # portfolio 1, debt B: spreadsheet row 5
    with pytest.warns(PlannerWarning, match=r"row 5, column 'apr': the yearly rate 0.18 is below 1") as caught:
        book_from_frame(frame, source="book.csv")
    assert "第 5 行" in str(caught[0].message)
    with warnings.catch_warnings():  # "0.5%" says it is percent: no warning
        warnings.simplefilter("error", PlannerWarning)
        frame.loc[3, "apr"] = "0.5%"
        book_from_frame(frame, source="book.csv")


def test_an_all_below_1_book_warns_naming_rows_and_count(tmp_path, capsys):
    frame = _book_rows(50, apr="0.18")
    frame["apr"] = "0.18"
    with pytest.warns(PlannerWarning, match=r"rows 2, 3, 4 and 97 more, column 'apr'"):
        book_from_frame(frame, source="book.csv")
    path = tmp_path / "book.csv"
    frame.to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "r.csv")]) == 0
    err = capsys.readouterr().err
    assert "the yearly rate 0.18 is below 1" in err and "年化利率 0.18 小于 1" in err


# -- issue 11, items 13 and 14: clear errors from Parquet, Dask folders and schedulers ---------

import socket  # noqa: E402
import threading  # noqa: E402

from planner.batch import dask_inputs  # noqa: E402


def _small_book():
    return pd.DataFrame({"portfolio_id": [1, 1, 2], "name": ["A", "B", "A"], "balance": [1000, 500, 300],
                         "apr": [18, 24, 12], "min_payment": [100, 50, 30], "budget": [500, 500, 200]})


@pytest.mark.parametrize("column, cells", [
    ("balance", [[1, 2], [3], [4]]),
    ("portfolio_id", [[1], [1], [2]]),
    ("name", [{"a": 1}, {"a": 2}, {"a": 3}]),
    ("apr", [np.array([18.0]), np.array([24.0]), np.array([12.0])]),
])
def test_a_parquet_column_of_lists_is_a_clear_error(tmp_path, capsys, column, cells):
    path = tmp_path / "book.parquet"
    _small_book().assign(**{column: cells}).to_parquet(path)
    assert main(["batch", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert f"column '{column}'" in err and "row 2" in err
    assert "the cell holds several values (a list or struct: a nested Parquet type)" in err and "嵌套类型" in err


def test_a_list_column_the_batch_does_not_read_is_ignored(tmp_path):
    path = tmp_path / "book.parquet"
    _small_book().assign(tags=[["x"], ["y"], []]).to_parquet(path)
    assert main(["batch", str(path), "--out", str(tmp_path / "r.csv")]) == 0


def test_dask_refuses_a_folder_with_a_damaged_parquet_file(tmp_path, capsys):
    folder = tmp_path / "book"
    folder.mkdir()
    _small_book().iloc[:2].to_parquet(folder / "part0.parquet")
    (folder / "part1.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 20)
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert "part1.parquet" in err and "the Parquet file is damaged" in err and "Parquet 文件已损坏" in err


@pytest.mark.parametrize("pattern", ["{folder}", "{folder}/*"])
def test_dask_refuses_a_folder_mixing_parquet_and_csv(tmp_path, capsys, pattern):
    # issue 11, item 14: the CSV's portfolios were dropped silently
    folder = tmp_path / "book"
    folder.mkdir()
    _small_book().iloc[:2].to_parquet(folder / "part0.parquet")
    _small_book().iloc[2:].to_csv(folder / "part1.csv", index=False)
    (folder / "_SUCCESS").write_text("")  # markers written by Spark and Dask are not data
    assert main(["batch", pattern.format(folder=folder), "--engine", "dask", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "the folder holds 1 Parquet and 1 CSV files (e.g. part1.csv)" in err and "悄悄漏掉" in err


def test_dask_reads_a_folder_of_one_kind_whole(tmp_path):
    for kind in ("csv", "parquet"):
        folder = tmp_path / kind
        folder.mkdir()
        book = _small_book()
        for k, part in enumerate((book.iloc[:2], book.iloc[2:])):
            part.to_csv(folder / f"part{k}.csv", index=False) if kind == "csv" else part.to_parquet(folder / f"part{k}.parquet")
        assert dask_inputs(str(folder))[0] == kind
        table = batch_dask(str(folder))
        assert sorted(table["portfolio_id"].astype(int)) == [1, 2]  # both files' portfolios


def _junk_server():
    """A TCP server that answers like a web server: not a Dask scheduler."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(30)

    def serve():
        with server:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + b"\xff" * 64)

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.mark.parametrize("address, expected", [
    ("tcp://127.0.0.1:1", "cannot connect to the Dask scheduler within 1 s"),
    ("not-an-address", "not a Dask scheduler address"),
    ("junk", "what answers at that address is not a Dask scheduler"),
])
def test_a_wrong_or_unreachable_scheduler_is_a_clear_error(tmp_path, capsys, address, expected):
    path = tmp_path / "book.csv"
    _small_book().to_csv(path, index=False)
    server = _junk_server() if address == "junk" else None
    if server is not None:
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        code = main(["batch", str(path), "--engine", "dask", "--scheduler", address, "--scheduler-timeout", "1", "--out", str(tmp_path / "r.csv")])
    finally:
        if server is not None:
            server.close()
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err and "internal error" not in err
    assert address in err and "Dask 调度器" in err


def test_rows_of_empty_cells_in_a_book_are_skipped_not_reported(tmp_path):
    # issue 11, item 16 in a book: a formatted sheet's ",,,," rows are not missing ids
    path = tmp_path / "book.csv"
    text = _small_book().to_csv(index=False)
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], lines[1], ",,,,,", " , , , , , ", lines[2], lines[3], ",,,,,"]) + "\n", encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "r.csv")]) == 0
    assert sorted(pd.read_csv(tmp_path / "r.csv")["portfolio_id"]) == [1, 2]
    path.write_text(lines[0] + "\n,,,,,\n,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="the table is empty"):
        batch_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def test_dask_refuses_a_nested_portfolio_id_before_the_shuffle(tmp_path, capsys):
    folder = tmp_path / "book"
    folder.mkdir()
    for k in range(2):  # two files: two partitions, so the rows are shuffled on the id
        _small_book().assign(portfolio_id=[[1], [1], [2]]).to_parquet(folder / f"part{k}.parquet")
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "the portfolio id column portfolio_id has a nested type" in err


def test_dask_refuses_csv_files_whose_headers_differ(tmp_path, capsys):
    # Dask reads each file with the first file's columns: another order would be misread silently
    folder = tmp_path / "book"
    folder.mkdir()
    book = _small_book()
    book.iloc[:2].to_csv(folder / "part0.csv", index=False)
    book.iloc[2:][["portfolio_id", "name", "apr", "balance", "min_payment", "budget"]].to_csv(folder / "part1.csv", index=False)
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "the header of part1.csv differs from that of part0.csv" in err and "表头" in err


def test_prepare_loads_the_compiled_loop_in_the_background():
    # planner batch calls prepare() before it reads a table: a thread that compiled_loop() waits for.
    script = (
        "from planner.batch import kernel\n"
        "kernel.prepare(10)\n"
        "assert kernel._PRELOAD is not None\n"
        "loop = kernel.compiled_loop()\n"
        "assert loop is not None and kernel._PRELOAD is None\n"
        "import threading; assert threading.active_count() == 1\n"
        "kernel.prepare(10)  # loaded already: nothing to start\n"
        "kernel.settle_preload()  # what the CLI does before exiting, on an error too\n"
        "assert kernel._PRELOAD is None and threading.active_count() == 1 and kernel.compiled_loop() is loop\n"
        "print('ok')\n"
    )
    assert _python_prints(script).strip() == "ok"


def test_prepare_leaves_the_interpreter_as_it_found_it():
    # The background load imports numba and pyarrow through the public import system only:
    # no import hook is left in sys.meta_path and the thread switch interval is untouched
    # (issue 25), and the loop it loads plans exactly (the hand-worked case: 2 months, 14.10 interest).
    script = (
        "import sys\n"
        "from planner.batch import kernel, plan_batch\n"
        "from planner import Debt\n"
        "before = (list(sys.meta_path), sys.getswitchinterval())\n"
        "kernel.prepare(10)\n"
        "assert kernel.compiled_loop() is not None\n"
        "assert (list(sys.meta_path), sys.getswitchinterval()) == before\n"
        "r = plan_batch([[Debt('A', 1000, 12, 100)]], [600])\n"
        "print(r.months.tolist(), r.interest.tolist())\n"
    )
    assert _python_prints(script).strip() == "[2] [1410]"


def test_dask_skips_the_shuffle_for_aligned_files_and_writes_a_partitioned_folder(tmp_path):
    # Files written portfolio by portfolio (id ranges that do not overlap) are used as they are;
    # with a folder as --out the workers write one Parquet file a partition, and the rows equal
    # the local engine's. A folder that exists and holds files is never written into.
    pytest.importorskip("dask.dataframe")
    from planner.batch import dask as batch_dask_module

    frame = _random_table(30, seed=12)
    folder = tmp_path / "book"
    folder.mkdir()
    ids = sorted(frame["portfolio_id"].unique())
    for k, chunk in enumerate((ids[:10], ids[10:20], ids[20:])):
        frame[frame["portfolio_id"].isin(chunk)].to_parquet(folder / f"part{k}.parquet", index=False)
    import dask
    import dask.dataframe as dd

    # synchronous here: an earlier test's failed connection may have left a dead default client
    with dask.config.set(scheduler="synchronous"):
        assert batch_dask_module._aligned(dd.read_parquet(sorted(str(p) for p in folder.iterdir())), "portfolio_id")
    shuffled = frame.sample(frac=1, random_state=3)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for k in range(3):
        shuffled.iloc[k::3].to_parquet(mixed / f"part{k}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        assert not batch_dask_module._aligned(dd.read_parquet(sorted(str(p) for p in mixed.iterdir())), "portfolio_id")
    out = tmp_path / "results"
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(out) + "/"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 3 and all(name.endswith(".parquet") for name in written)
    remote = pd.read_parquet(out).sort_values("portfolio_id").reset_index(drop=True)
    local, _ = batch_frame(frame, "budget", "avalanche")
    local = local.sort_values("portfolio_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(remote, local, check_dtype=False)
    # the shuffled folder gives the same rows (shuffled on the id first)
    out2 = tmp_path / "results2"
    assert main(["batch", str(mixed), "--engine", "dask", "--out", str(out2) + "/"]) == 0
    again = pd.read_parquet(out2).sort_values("portfolio_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(again, local, check_dtype=False)
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(out)]) == 2  # holds files: refused
    assert sorted(p.name for p in out.iterdir()) == written


def test_dask_shuffles_in_process_when_the_default_client_left_behind_is_stopped(tmp_path, monkeypatch):
    # A stopped client left as the default (a failed connection can leave one) made Dask choose its
    # P2P shuffle, which needs live workers: the shuffle failed in a full test run. Without a running
    # client the partitions run in this process and the rows are shuffled by tasks.
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")

    class Stopped:
        status = "closed"

    monkeypatch.setattr(distributed, "get_client", lambda: Stopped())
    monkeypatch.setattr(distributed, "default_client", lambda: Stopped())  # what Dask asks to pick P2P
    frame = _random_table(24, seed=5)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shuffled = frame.sample(frac=1, random_state=4)
    for k in range(3):
        shuffled.iloc[k::3].to_parquet(mixed / f"part{k}.parquet", index=False)
    table = batch_dask(str(mixed), "budget", "avalanche")
    local, _ = batch_frame(frame, "budget", "avalanche")
    key = ["portfolio_id"]
    pd.testing.assert_frame_equal(table.sort_values(key).reset_index(drop=True),
                                  local.sort_values(key).reset_index(drop=True), check_dtype=False)


# -- issue 24, item 14: a Parquet book whose budget column holds inf ---------------------

def test_a_parquet_budget_of_inf_is_refused_promptly(tmp_path):
    """Before: the warning numpy raised on inf was shown inside the recording of warnings, so the
    loop over the recorded warnings never ended (no answer in 60 s)."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    book = tmp_path / "book.parquet"
    pq.write_table(pa.table({"portfolio_id": [1, 1, 2], "name": ["a", "b", "c"], "balance": [1000.0, 2000.0, 500.0],
                             "apr": [18.0, 12.0, 10.0], "min_payment": [100.0, 100.0, 50.0],
                             "budget": [float("inf"), float("inf"), 300.0]}), book)
    out = subprocess.run([sys.executable, "-m", "planner", "batch", str(book), "--out", str(tmp_path / "out.parquet")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "budget" in out.stderr and "inf" in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------------------
# Dask's Parquet reader shows no pandas deprecation warnings (issue 11, item 25)


@pytest.mark.slow
def test_dask_parquet_path_shows_no_pandas_deprecation_warnings():
    pytest.importorskip("dask")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/batch/test_batch.py::test_dask_engine_on_a_local_cluster_equals_the_local_engine", "-p", "no:cacheprovider", "-q", "-rw",
         "-o", "addopts="],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert "1 passed" in done.stdout, done.stdout[-2000:]
    assert "is deprecated" not in done.stdout and "Pandas4Warning" not in done.stdout, done.stdout[-2000:]

