"""The case book, on SQLite and on PostgreSQL (the same tests, parametrised by ``book_location``).

Reference values: the exact engine (:func:`planner.plan`, itself checked against an
independent Decimal re-implementation in tests/test_engine.py), hand computations
written beside the assertions, and the negotiation module's scenarios.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from planner import Debt, load_debts, plan
from planner.cases import CaseBook
from planner.errors import PlannerError
from planner.money import round_cents
from planner.negotiation import Scenario, freeze_interest, negotiate

SAMPLE = "sample_data/debts_zh.csv"
TODAY = "2031-12"  # recorded months up to here are not "in the future"


def calendar(start: str, k: int) -> str:
    y, m = map(int, start.split("-"))
    i = y * 12 + m - 1 + k - 1
    return f"{i // 12}-{i % 12 + 1:02d}"


def payments_of(p, k: int) -> dict[str, Decimal]:
    return {r["debt"]: r["payment"] for r in p.month_rows(k)}


def owed_after(p, k: int) -> dict[str, int]:
    """Each debt's owed (balance + fees) in cents at the end of plan month ``k``, from the ledger."""
    owed = {d.name: int(d.owed * 100) for d in p.debts}
    for m, name, _o, _i, _p, closing, fees, _f in p.ledger():
        if m <= k:
            owed[name] = closing + fees
    return owed


@pytest.fixture
def book(book_location):
    b = CaseBook(book_location, today=TODAY)
    yield b
    b.close()


def test_on_plan_payments_keep_the_case_exactly_on_plan(book):
    debts = load_debts(SAMPLE)
    reference = plan(debts, 6000, start="2026-12")  # the engine, independently of the book
    case = book.new("client", SAMPLE, 6000, start="2026-12")
    assert case.data.source_name == "debts_zh.csv" and len(case.data.source_sha256) == 64
    for k in range(1, 7):
        case = case.pay(calendar("2026-12", k), payments_of(reference, k))
        s = case.status()
        assert s.as_of == calendar("2026-12", k)
        assert s.ahead_by == Decimal("0.00")
        want = owed_after(reference, k)
        assert {d.name: int(d.actual_balance * 100) for d in s.debts} == want
        assert {d.name: int(d.planned_balance * 100) for d in s.debts} == want
        assert all(d.status in ("on_track", "cleared") for d in s.debts)
        assert s.debt_free == reference.debt_free == s.planned_debt_free and s.months_ahead == 0
    paid = sum(r[4] for r in reference.ledger() if r[0] <= 6)
    assert int(s.paid_to_date * 100) == paid


def test_a_short_payment_is_behind_by_the_shortfall_plus_its_interest(book):
    # Hand computation, 10,000.00 at 12% a year (1% a month), minimum and budget 500.00:
    # plan:   m1 interest 100.00, pays 500 -> 9,600.00; m2 interest 96.00, pays 500 -> 9,196.00
    # actual: m1 pays 400 -> 9,700.00;            m2 interest 97.00, pays 500 -> 9,297.00
    # behind by 9,297.00 − 9,196.00 = 101.00 = the 100.00 short + 1.00 interest on it.
    case = book.new("short", [Debt("A", 10000, 12, 500)], 500, start="2027-01")
    case = case.pay("2027-01", {"A": 400})
    assert case.status().ahead_by == Decimal("-100.00")
    case = case.pay("2027-02", {"A": 500})
    s = case.status()
    assert s.ahead_by == Decimal("-101.00")
    assert s.debts[0].actual_balance == Decimal("9297.00") and s.debts[0].planned_balance == Decimal("9196.00")
    assert s.debts[0].status == "behind"


def test_a_short_payment_on_the_sample_is_shortfall_plus_the_interest_and_late_fee_it_caused(book):
    reference = plan(load_debts(SAMPLE), 6000, start="2026-12")
    case = book.new("sample short", SAMPLE, 6000, start="2026-12")
    for k in range(1, 6):
        pay = payments_of(reference, k)
        if k == 2:
            pay["借呗"] -= Decimal("300.00")
        case = case.pay(calendar("2026-12", k), pay)
    s = case.status()
    planned_interest = sum(r[3] for r in reference.ledger() if r[0] <= 5)
    extra_interest = int(s.interest_to_date * 100) - planned_interest
    assert extra_interest > 0  # 300 at 18%+ for three months
    # 借呗 is an online loan paid its minimum in the plan: 300 of the minimum unpaid, overdue
    # 30 days at 0.05% a day (data/late_fees.toml): a late fee of 4.50, in the fees, not unexplained
    late = {d.name: d.late_fees for d in s.debts}
    assert late == {**dict.fromkeys(late, Decimal("0.00")), "借呗": Decimal("4.50")}
    assert int(s.ahead_by * 100) == -(30000 + extra_interest + 450)
    assert all(d.unexplained_charges == 0 for d in s.debts)
    assert {d.name: d.status for d in s.debts}["借呗"] == "behind"


def test_replan_equals_the_engine_on_the_actual_balances_from_the_next_month(book):
    debts = load_debts(SAMPLE)
    reference = plan(debts, 6000, start="2026-12")
    case = book.new("replan", SAMPLE, 6000, start="2026-12")
    for k in range(1, 4):
        pay = {n: round_cents(a * Decimal("0.9")) for n, a in payments_of(reference, k).items()}  # 10% short each month (to the cent: sub-cent amounts are refused)
        case = case.pay(calendar("2026-12", k), pay)
    actual = {d.name: d.actual_balance for d in case.status().debts}
    fees = {n: case.track().fees[n] for n in actual}
    case = case.replan(budget=6500, reason="bonus: budget up")
    # planner plan on the same debts with the actual balances (fees as owed), from 2027-03
    again = [d.with_(balance=actual[d.name] - Decimal(fees[d.name]) / 100, fees_owed=Decimal(fees[d.name]) / 100) for d in debts]
    expected = plan(again, 6500, start="2027-03")
    got = case.plan()
    assert got.ledger() == expected.ledger()
    assert got.debt_free == expected.debt_free and got.calendar_month(1) == "2027-03"
    s = case.status()
    assert s.ahead_by == Decimal("0.00")  # nothing recorded since the re-plan
    (r,) = case.data.replans
    assert r.reason == "bonus: budget up" and r.start == "2027-03" and r.budget == Decimal("6500.00")


def test_an_agreement_from_month_k_equals_the_scenario_from_month_k(book):
    debts = load_debts(SAMPLE)
    case = book.new("agree", SAMPLE, 6000, start="2026-12")
    case = case.agree("kind:card", "freeze_interest", "2027-03", months=24, confirmed=True)  # month 4
    scenario = Scenario("cards from month 4", [freeze_interest("kind:card", months=24, from_month=4)])
    expected = negotiate(debts, 6000, [scenario], start="2026-12")["cards from month 4"].plan
    assert case.plan().ledger() == expected.ledger()
    # paying the plan in force month by month keeps the case on it, through the change of terms
    p = case.plan()
    for k in range(1, 7):
        case = case.pay(calendar("2026-12", k), payments_of(p, k))
    s = case.status()
    assert s.ahead_by == Decimal("0.00")
    assert {d.name: int(d.actual_balance * 100) for d in s.debts} == owed_after(p, 6)
    (a,) = s.agreements
    assert a.to_dict() == {"debt": "kind:card", "action": "freeze_interest", "from": "2027-03", "confirmed": True, "params": {"months": 24}}


def test_statement_balance_overrides_and_shows_the_unexplained_charge(book):
    # 1,000.00 at 12%, 100 a month: month 1 closes at 910.00 by the contract; the lender's
    # app says 935.00, so 25.00 is unexplained, and month 2's interest is on 935.00 (9.35).
    case = book.new("statement", [Debt("A", 1000, 12, 100)], 100, start="2027-01")
    case = case.pay("2027-01", {"A": 100}).balance("2027-01", "A", "935")
    s = case.status()
    assert s.debts[0].unexplained_charges == Decimal("25.00")
    assert s.debts[0].actual_balance == Decimal("935.00")
    case = case.pay("2027-02", {"A": 100})
    assert case.status().debts[0].actual_balance == Decimal("844.35")


def bad_calls(case):
    yield lambda: case.book.case("nobody")
    yield lambda: case.pay("2027-02", {"nobody": 10})
    yield lambda: case.pay("2027-02", {"A": -5})
    yield lambda: case.pay("2027-02", {"A": "abc"})
    yield lambda: case.pay("2026-12", {"A": 10})  # before the start
    yield lambda: case.pay("2032-01", {"A": 10})  # after TODAY
    yield lambda: case.pay("2027-02", {"A": 100000})  # more than owed
    yield lambda: case.balance("2027-03", "B", 5)  # B was cleared in 2027-01
    yield lambda: case.agree("nobody", "freeze_interest", "2027-02", months=12)
    yield lambda: case.agree("A", "freeze_interest", "2027-02", months=99)
    yield lambda: case.agree("A", "no_such_action", "2027-02")
    yield lambda: case.replan(budget="-1")


def test_bad_input_is_a_clear_error_and_changes_nothing(book):
    case = book.new("bad", [Debt("A", 1000, 12, 100), Debt("B", 50, 0, 50)], 200, start="2027-01")
    case = case.pay("2027-01", {"A": 100, "B": 50})
    before = book.export("bad")
    for call in bad_calls(case):
        with pytest.raises(PlannerError) as info:
            call()
        text = str(info.value)
        assert " / " in text or "\n" in text  # Chinese and English
        assert "Traceback" not in text
        assert book.export("bad") == before


def test_export_import_round_trip_is_identical(book, tmp_path):
    case = book.new("round trip", SAMPLE, 6000, start="2026-12")
    case = case.agree(["分期乐"], "cap_rate", "2027-02", line="24")
    case = case.pay("2026-12", {"借呗": "600.54", "微粒贷": 495.12}).balance("2026-12", "分期乐", "7000")
    case = case.replan(reason="first review")
    case = case.agree("kind:card", "freeze_interest", "2027-03", months=24, confirmed=True)
    out = tmp_path / "case.json"
    exported = book.export("round trip", out)
    status = case.status().to_dict()
    book.delete("round trip")
    assert "round trip" not in book.names()
    assert book.import_(out) == ["round trip"]
    assert book.export("round trip") == exported
    assert book.status("round trip").to_dict() == status
    assert json.loads(out.read_text("utf-8"))["debts"][0]["balance"] == 1200000  # 借呗 owes ¥12,000 in sample_data/debts_zh.csv: stored in cents


def test_caseload_batch_equals_single_engine(book):
    debts = load_debts(SAMPLE)
    reference = plan(debts, 6000, start="2026-12")
    for n in range(6):
        case = book.new(f"c{n}", SAMPLE, 6000 + 500 * n, start="2026-12")
        for k in range(1, n + 1):
            pay = payments_of(reference, k)
            pay["借呗"] -= Decimal(10 * n)
            case = case.pay(calendar("2026-12", k), pay)
        if n == 3:
            case.agree("kind:card", "freeze_interest", "2027-06", months=24)
        if n == 4:
            case.replan(budget=7000)
    single = book.caseload(batch=False)
    batched = book.caseload(batch=True)
    assert single.to_list() == batched.to_list()
    rows = {r.client: r for r in single}
    assert rows["c0"].ahead_by == Decimal("0.00") and rows["c0"].owed_now == rows["c0"].owed_at_start
    assert rows["c2"].ahead_by < 0 and rows["c3"].unconfirmed == 1
    for r in single:  # each row agrees with the case's own status
        s = book.status(r.client)
        assert r.ahead_by == s.ahead_by and r.debt_free == s.debt_free and r.owed_now == s.owed_now


def test_payments_csv_with_chinese_headers_in_gbk(book, tmp_path):
    case = book.new("csv", [Debt("借呗", 1000, 12, 100), Debt("花呗", 500, 0, 50)], 150, start="2027-01")
    path = tmp_path / "还款.csv"
    path.write_bytes("月份,平台,还款金额(元)\n2027-01,借呗,￥100\n2027/2,借呗,100\n2027-01,花呗,50\n".encode("gbk"))
    case = case.pay_file(path)
    assert case.data.payments == {("2027-01", "借呗"): 10000, ("2027-02", "借呗"): 10000, ("2027-01", "花呗"): 5000}
    bad = tmp_path / "bad.csv"
    bad.write_text("month,debt,amount\n2027-03,借呗,abc\n2027-13,借呗,1\n", encoding="utf-8")
    with pytest.raises(PlannerError) as info:
        case.pay_file(bad)
    assert "2 problems" in str(info.value) and "abc" in str(info.value)
    assert book.case("csv").data.payments == case.data.payments


def test_a_newer_book_is_refused_and_an_old_one_upgraded(book_location):
    import sqlalchemy as sa

    from planner.cases import store

    s = store.Store(book_location, upto=1)  # a book as the first schema wrote it
    with s.write() as conn:
        assert "case_statements" not in sa.inspect(conn).get_table_names()
        conn.execute(sa.text("INSERT INTO cases (name, start, strategy, created_at) VALUES ('old', '2027-01', 'avalanche', '2027-01-05T00:00:00Z')"))
        case_id = conn.execute(sa.text("SELECT id FROM cases")).scalar_one()
        # plain SQL, never today's table objects: the columns a version-1 book had
        conn.execute(sa.text("INSERT INTO case_debts (case_id, position, name, kind, balance, apr, min_payment, fees_owed, detail) "
                             "VALUES (:c, 0, 'A', 'other', 100000, '12', 10000, 0, '{}')"), {"c": case_id})
        conn.execute(sa.text("INSERT INTO case_budgets (case_id, month, amount) VALUES (:c, '2027-01', 10000)"), {"c": case_id})
        conn.execute(sa.text("INSERT INTO case_payments (case_id, month, debt, amount) VALUES (:c, '2027-01', 'A', 10000)"), {"c": case_id})
    assert s.version() == 1
    s.close()
    book = CaseBook(book_location, today=TODAY)  # upgrades to the current schema
    assert book._store.version() == store.SCHEMA_VERSION == 4
    assert book.status("old").debts[0].actual_balance == Decimal("910.00")
    assert book.case("old").data.updated_at == "2027-01-05T00:00:00Z"  # migration 2 filled it from created_at
    book.balance("old", "2027-01", "A", 910)  # statements exist now
    assert book.case("old").data.statements == {("2027-01", "A"): 91000}
    with book._store.write() as conn:
        conn.execute(store.schema_table.update().values(version=99))
    book.close()
    with pytest.raises(PlannerError, match="newer planner"):
        CaseBook(book_location)


def test_a_pg_url_that_is_not_a_database_is_refused():
    with pytest.raises(PlannerError):
        CaseBook("mysql://x@y/z")
