"""The case book under attack (issue 24, items 9, 10, 11, 13): tampered imports, implausible
months, times without a time of day, sub-cent amounts, a damaged case among good ones."""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cases import CaseBook
from planner.cli import main
from planner.errors import PlannerError

SAMPLE = "sample_data/debts_zh.csv"
TODAY = "2027-06"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _full_case(book: CaseBook, name: str = "full", tmp_path=None):
    """A case with every kind of record: payments, a statement, an agreement, an ask with its
    agreement, a re-plan and a contact with evidence."""
    case = book.new(name, SAMPLE, 6000, start="2027-01")
    debt = case.data.debts[0].name
    case = case.pay_planned("2027-01")
    case = case.balance("2027-01", debt, str(case.status().debts[0].actual_balance))
    case = case.agree(debt, "freeze_interest", "2027-03", confirmed=False, months=12)
    case = case.ask(debt, "extend_term", "2027-04", answer="accepted", confirmed=True, months=24)
    case = case.replan(reason="short month")
    evidence = ()
    if tmp_path is not None:
        rec = tmp_path / "rec.m4a"
        rec.write_bytes(b"recording")
        evidence = str(rec)
    case = case.add_contact(debt, "2027-02-03 22:30", channel="phone", direction="in", summary="威胁", evidence=evidence)
    return case


@pytest.fixture
def book(tmp_path):
    b = CaseBook(tmp_path / "book.sqlite", today=TODAY)
    yield b
    b.close()


@pytest.fixture
def exported(tmp_path):
    b = CaseBook(tmp_path / "source.sqlite", today=TODAY)
    case = _full_case(b, tmp_path=tmp_path)
    out = case.to_json()
    b.close()
    return json.loads(json.dumps(out))


def _refused(book, item, *words):
    names_before = book.names()
    with pytest.raises(PlannerError) as info:
        book.import_(item)
    message = str(info.value)
    assert "导入失败" in message and "import refused" in message, message
    for word in words:
        assert word in message, (word, message)
    assert book.names() == names_before  # all or nothing
    return message


def test_a_valid_export_imports_and_reads(book, exported):
    assert book.import_(exported) == ["full"]
    assert book.case("full").to_json() == exported
    assert len(book.caseload()) == 1


@pytest.mark.parametrize("tamper, words", [
    (lambda x: x["payments"].append(dict(x["payments"][0])), ["payments[", "appears twice"]),
    (lambda x: x["replans"][0]["agreements"].append(7), ["replans[0].agreements"]),
    (lambda x: x["asks"][0].update(agreement=5), ["asks[0].agreement"]),
    (lambda x: x["replans"][0]["debts"][0].pop("balance"), ["replans[0].debts[0]", "balance"]),
    (lambda x: x["payments"][0].update(amount=10**32), ["payments[0].amount", "implausibly large"]),
    (lambda x: x["debts"][0].update(balance=10**32), ["debts[0].balance", "implausibly large"]),
    (lambda x: x["statements"][0].update(balance=-1), ["statements[0].balance", "negative"]),
    (lambda x: x["payments"][0].update(amount=-100), ["payments[0].amount", "negative"]),
    (lambda x: x["payments"][0].update(month="2099-01"), ["payments[0].month", "future"]),
    (lambda x: x["debts"][1].update(name=x["debts"][0]["name"]), ["debts[1].name", "same name"]),
    (lambda x: x.update(start="1900-01"), ["start", "2000-01"]),
    (lambda x: x["contacts"][0].update(at="2099-01-01T10:00:00+08:00"), ["contacts[0].at", "future"]),
    (lambda x: x["contacts"][0].update(at="0001-01-01T00:00:00+08:00"), ["contacts[0].at"]),
    (lambda x: x["payments"][0].update(amount=1.5), ["payments[0].amount", "whole number of cents"]),
    (lambda x: x["agreements"][0].update(action="rm -rf"), ["agreements[0].action"]),
    (lambda x: x.update(surprise=1), ["case.surprise", "unknown field"]),
    (lambda x: x["budgets"].clear(), ["budgets"]),
    (lambda x: x["contacts"][0]["evidence"][0].update(file="../../etc/passwd"), ["contacts[0].evidence[0].file"]),
])
def test_tampered_imports_are_refused_naming_case_and_field(book, exported, tamper, words):
    item = copy.deepcopy(exported)
    tamper(item)
    _refused(book, item, "'full'", *words)


def test_twin_names_differing_by_an_invisible_character_are_one_client(book, exported):
    book.import_(exported)
    twin = copy.deepcopy(exported)
    twin["name"] = "fu\u200bll"
    _refused(book, twin, "already has a case")
    with pytest.raises(PlannerError, match="already has a case"):
        book.new("ｆｕｌｌ\u200b", SAMPLE, 6000, start="2027-01")
    assert book.names() == ["full"]


def test_a_deep_json_file_is_refused_with_a_message(book, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(PlannerError, match="nested too deeply"):
        book.import_(deep)
    assert book.names() == []


def test_more_than_a_hundred_cases_are_all_checked(book, exported):
    items = []
    for k in range(101):
        item = copy.deepcopy(exported)
        item["name"] = f"c{k:03d}"
        items.append(item)
    # The last one cannot be planned: its budget is below the minimum payments (no command would accept it).
    items[-1]["budgets"][0]["amount"] = 100
    with pytest.raises(PlannerError, match="c100"):
        book.import_(items)
    assert book.names() == []


#: Paths into an export, and values to put there: what a hand edit does.
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**31), max_value=10**31), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["2099-01", "1900-01", "2027-02", "", "借呗", "freeze_interest", "2027-02-03T22:30:00+08:00"]),
    st.lists(st.integers(-2, 9), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _paths(v, (*prefix, k))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_of_an_export_imports_fully_or_changes_nothing(tmp_path_factory, exported, data):
    item = copy.deepcopy(exported)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(item) if p]
        path = data.draw(st.sampled_from(paths))
        parent = item
        for key in path[:-1]:
            parent = parent[key]
        how = data.draw(st.sampled_from(["set", "delete", "duplicate"]))
        if how == "delete":
            del parent[path[-1]]
        elif how == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = data.draw(ODD_VALUES)
    book = CaseBook(tmp_path_factory.mktemp("b") / "book.sqlite", today=TODAY)
    try:
        book.new("other", SAMPLE, 6000, start="2027-01")
        try:
            names = book.import_(item)
        except PlannerError as exc:
            assert " / " in str(exc) and "Traceback" not in str(exc)
            assert book.names() == ["other"]
        else:
            for name in names:  # what was imported reads back: case show and case list work
                case = book.case(name)
                case.status(), case.plan(), case.contacts()
            load = book.caseload()
            assert not load.broken and len(load) == 1 + len(names)
    finally:
        book.close()


# -- item 10: months --------------------------------------------------------

def test_start_month_is_bounded(book):
    for start in ("1900-01", "1999-12", "2037-07"):
        with pytest.raises(PlannerError, match="start month"):
            book.new("x", SAMPLE, 6000, start=start)
    assert book.new("x", SAMPLE, 6000, start="2037-06").data.start == "2037-06"


def test_a_contact_in_the_future_is_refused_as_pay_refuses_future_months(book):
    case = book.new("x", SAMPLE, 6000, start="2027-01")
    debt = case.data.debts[0].name
    for at in ("2099-01-01 10:00", "2027-07-01 10:00", "0001-01-01 00:00", "9999-12-31T23:59-05:00"):
        with pytest.raises(PlannerError, match="contact time"):
            case.add_contact(debt, at, channel="phone", direction="in")
    assert book.case("x").data.contacts == ()


def test_a_damaged_case_is_named_and_the_others_are_listed(tmp_path, capsys):
    path = tmp_path / "book.sqlite"
    with CaseBook(path, today=TODAY) as b:
        b.new("good", SAMPLE, 6000, start="2027-01")
        b.new("bad", SAMPLE, 6000, start="2027-01").pay("2027-01", {"借呗": "100"})
    with sqlite3.connect(path) as c:  # as an older planner let it be written: start 1900-01
        c.execute("update cases set start='1900-01' where name='bad'")
        c.execute("update case_budgets set month='1900-01' where case_id=(select id from cases where name='bad')")
    with CaseBook(path, today=TODAY) as b:
        load = b.caseload()
        assert [r.client for r in load] == ["good"] and [n for n, _ in load.broken] == ["bad"]
    code, out, err = run(capsys, "case", "list", "--book", str(path))
    assert code == 0 and "good" in out and "bad" in err and "Traceback" not in err
    with sqlite3.connect(path) as c:  # a row no command writes: the debt's detail is not JSON
        c.execute("update case_debts set detail='{' where case_id=(select id from cases where name='bad')")
    code, out, err = run(capsys, "case", "list", "--lang", "zh", "--book", str(path))
    assert code == 0 and "good" in out and "无法读取案例「bad」" in err
    code, out, err = run(capsys, "case", "show", "bad", "--book", str(path))
    assert code == 2 and "damaged" in err and "internal error" not in err


# -- item 11: a day without a time ----------------------------------------------

def test_a_contact_without_a_time_of_day_is_refused_not_flagged_night(book):
    case = book.new("x", SAMPLE, 6000, start="2027-01")
    debt = case.data.debts[0].name
    with pytest.raises(PlannerError, match="no time of day"):
        case.add_contact(debt, "2027-05-05", channel="phone", direction="in")
    from datetime import date

    with pytest.raises(PlannerError, match="no time of day"):
        case.add_contact(debt, date(2027, 5, 5), channel="phone", direction="in")
    assert book.case("x").data.contacts == ()


# -- item 13 ----------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["0.001", "19999.999", "1,200.505", 0.001])
def test_sub_cent_amounts_are_refused_not_rounded(book, amount):
    case = book.new("x", SAMPLE, 6000, start="2027-01")
    debt = case.data.debts[0].name
    with pytest.raises(PlannerError, match="fraction of a cent"):
        case.pay("2027-01", {debt: amount})
    with pytest.raises(PlannerError, match="fraction of a cent"):
        case.balance("2027-01", debt, amount)
    assert book.case("x").data.payments == {} and book.case("x").data.statements == {}


def test_paid_share_is_never_negative_for_a_client_behind(book):
    case = book.new("x", SAMPLE, 6000, start="2027-01")
    for month in ("2027-01", "2027-02", "2027-03"):
        case = case.pay(month, {case.data.debts[0].name: "0"})
    row = next(iter(book.caseload()))
    assert row.owed_now > row.owed_at_start and row.percent_paid == 0


def test_one_evidence_file_given_as_text_is_one_file(book, tmp_path):
    rec = tmp_path / "rec.m4a"
    rec.write_bytes(b"recording")
    case = book.new("x", SAMPLE, 6000, start="2027-01")
    case = case.add_contact(case.data.debts[0].name, "2027-02-03 10:00", channel="phone", direction="in", evidence=str(rec))
    files = case.data.contacts[0].contact.evidence
    assert [e.file for e in files] == ["rec.m4a"] and files[0].size == 9


def test_case_list_on_a_mistyped_book_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "book.sqlite"
    for args in (["case", "list"], ["case", "show", "x"], ["case", "pay", "x", "--month", "2027-01", "--debt", "d", "--amount", "1"]):
        code, _, err = run(capsys, *args, "--book", str(missing))
        assert code == 2 and "planner case new" in err, (args, err)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("args, zh", [
    (["case", "agree", "x", "--debt", "a", "--action", "freeze_interest", "--from", "2027-01", "--months", "abc"], "不是整数"),
    (["case", "contact", "x", "--debt", "a", "--at", "2027-01-01 10:00", "--channel", "fax", "--direction", "in"], "不是可选的值"),
    (["case", "contact", "x"], "缺少必需的参数"),
])
def test_argument_errors_are_bilingual(capsys, args, zh):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and zh in err and " / " in err and "Traceback" not in err


def test_a_correction_before_the_latest_replan_replans_and_says_so(tmp_path, capsys):
    path = str(tmp_path / "book.sqlite")
    with CaseBook(path, today=TODAY) as b:
        case = b.new("x", SAMPLE, 6000, start="2026-09").pay_planned("2026-09").pay_planned("2026-10")
        case = case.replan(reason="new job")
        debt = case.data.debts[0].name
        stale_start = case.data.replans[-1].start
    code, out, err = run(capsys, "case", "pay", "x", "--month", "2026-09", "--debt", debt, "--amount", "0", "--book", path)
    assert code == 0, err
    assert "re-planned from the corrected record" in out
    with CaseBook(path, today=TODAY) as b:
        case = b.case("x")
        assert len(case.data.replans) == 2 and case.data.replans[-1].start == stale_start
        # the plan in force starts from the corrected balance (higher: nothing paid in January)
        before = {d.name: d for d in case.data.replans[0].debts}[debt]
        after = {d.name: d for d in case.data.replans[-1].debts}[debt]
        assert after.balance + after.fees_owed > before.balance + before.fees_owed
        # a month after the re-plan's start: no new re-plan
        case.pay("2026-11", {debt: "100"})
        assert len(b.case("x").data.replans) == 2


def test_an_evidence_copy_changed_after_intake_is_noticed(tmp_path, capsys):
    path = tmp_path / "book.sqlite"
    rec = tmp_path / "rec.m4a"
    rec.write_bytes(b"recording")
    with CaseBook(path, today=TODAY) as b:
        case = b.new("x", SAMPLE, 6000, start="2027-01")
        debt = case.data.debts[0].name
        case = case.add_contact(debt, "2027-02-03 23:00", channel="phone", direction="in", evidence=[str(rec)])
        item = case.data.contacts[0].contact.evidence[0]
        assert b.contacts("x")[0]["evidence"][0]["intact"] is True
        stored = next(p for p in b.evidence_folder.iterdir() if p.name.startswith(item.sha256))
        stored.chmod(0o600)
        stored.write_bytes(b"edited!!!")  # someone changed the stored copy
        assert b.contacts("x")[0]["evidence"][0]["intact"] is False and case.contacts()[0]["evidence"][0]["intact"] is False
    code, out, err = run(capsys, "case", "contacts", "x", "--book", str(path))
    assert code == 0 and "changed since intake" in out
    out_file = tmp_path / "complaint.txt"
    code, out, err = run(capsys, "case", "complaint", "x", "--debt", debt, "--out", str(out_file), "--book", str(path))
    text = out_file.read_text(encoding="utf-8")
    assert code == 0 and "no longer matches" in text and f"sha256:{item.sha256}" not in text


def test_a_contact_later_than_tomorrow_is_refused_on_the_real_clock(tmp_path):
    from datetime import datetime, timedelta, timezone

    with CaseBook(tmp_path / "book.sqlite") as b:  # today: the real date
        case = b.new("x", SAMPLE, 6000)
        debt = case.data.debts[0].name
        soon = datetime.now(timezone.utc) + timedelta(days=2)
        if soon.month == datetime.now(timezone.utc).month:  # a later month is refused by the month rule anyway
            with pytest.raises(PlannerError, match="in the future"):
                case.add_contact(debt, soon, channel="phone", direction="in")
        case = case.add_contact(debt, datetime.now(timezone.utc) - timedelta(hours=1), channel="phone", direction="in")
        assert len(case.data.contacts) == 1
