"""The budget statement in the case book (schema 4): stored, versioned when it changes, exported;
an accepted, confirmed offer is the same agreement as one entered by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.budget import Statement
from planner.cases import CaseBook
from planner.cases import store

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "sample_data" / "debts_zh.csv"
STATEMENT = ROOT / "sample_data" / "statement_zh.csv"


@pytest.fixture
def book(tmp_path):
    with CaseBook(tmp_path / "book.sqlite", today="2027-06") as b:
        b.new("A", ZH, 6000, start="2027-01")
        yield b


def test_stored_and_versioned_only_when_it_changes(book):
    case = book.set_statement("A", STATEMENT, "2027-02")
    case = book.set_statement("A", STATEMENT, "2027-03")  # the same: not stored again
    assert [b.version for b in case.data.budget_statements] == [1]
    changed = Statement.of({"wages": 5200, "family": 300}, {"housing": 1500, "food": 800})
    case = case.set_statement(changed, "2027-04")
    assert [(b.version, b.month) for b in case.data.budget_statements] == [(1, "2027-02"), (2, "2027-04")]
    assert case.statement == changed and book.case("A").data.budget_statements[0].statement.left_for_debts == 2000


def test_export_and_import_keep_the_versions(book):
    book.set_statement("A", STATEMENT, "2027-02")
    data = book.export("A")
    book.delete("A")
    book.import_(data)
    assert book.case("A").statement.left_for_debts == 2000


def test_accepted_confirmed_offer_equals_the_agreement_by_hand(book):
    book.new("B", ZH, 6000, start="2027-01")
    case = book.set_statement("A", STATEMENT, "2027-02")
    offer = case.fair_shares()["借呗"]
    case = case.accept_offer(offer, "2027-03", confirmed=True)
    by_hand = book.case("B").agree("借呗", "freeze_interest", "2027-03", confirmed=True, months=offer.frozen.months, include_accrued=True)
    a, b = case.data.agreements[-1], by_hand.data.agreements[-1]
    assert (a.adjustment, a.from_month, a.confirmed) == (b.adjustment, b.from_month, b.confirmed)
    assert case.plan().total_paid == by_hand.plan().total_paid
    assert case.data.asks[-1].answer == "accepted" and case.data.asks[-1].agreement_id == a.id


def test_unconfirmed_is_get_it_in_writing(book):
    case = book.set_statement("A", STATEMENT, "2027-02")
    case = case.accept_offer(case.fair_shares()["微粒贷"], "2027-03")
    assert not case.data.agreements and case.data.asks[-1].get_in_writing


def test_schema_4_migrates_a_version_3_book(tmp_path):
    path = tmp_path / "old.sqlite"
    store.Store(path, upto=3).close()
    s = store.Store(path)
    assert s.version() == 4
    with s.read() as conn:
        assert "case_budget_statements" in sa.inspect(conn).get_table_names()
    s.close()


def test_fair_shares_without_a_statement_is_refused(book):
    with pytest.raises(Exception, match="statement|收支表"):
        book.fair_shares("A")
