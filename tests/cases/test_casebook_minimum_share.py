"""A share-of-balance minimum (最低还款额) in the case book: stored in the debt's JSON detail (no schema
change), planned as the engine plans it, and kept by export and import."""

from __future__ import annotations

import json

import pytest

from planner import Debt, plan
from planner.cases import CaseBook
from planner.cases.model import debt_from_dict, debt_to_dict

DEBTS = [Debt("招行信用卡", 10000, 18, "10%+100", kind="card"), Debt("借呗", 5000, 12, 500),
         Debt("广发卡", 3000, 18, "5%+50", min_basis="statement", kind="card")]


@pytest.fixture
def book(book_location):
    b = CaseBook(book_location, today="2026-12")
    yield b
    b.close()


def test_the_json_detail_keeps_the_rule_and_fixed_debts_read_as_before():
    for d in DEBTS:
        assert debt_from_dict(json.loads(json.dumps(debt_to_dict(d)))) == d
    assert "min_percent" not in debt_to_dict(DEBTS[1])  # a fixed minimum's detail is unchanged
    assert debt_to_dict(DEBTS[0])["min_percent"] == "10" and debt_to_dict(DEBTS[0])["min_floor"] == 10000


def test_a_case_plans_and_round_trips_the_rule(book, tmp_path):
    case = book.new("卡", DEBTS, 2500, start="2026-12")
    assert [d.min_rule for d in book.case("卡").data.debts] == ["10%+100", "500.00", "5%+50"]
    assert case.status().to_dict()["debt_free"] == plan(DEBTS, 2500, start="2026-12").debt_free
    out = tmp_path / "case.json"
    exported = book.export("卡", out)
    book.delete("卡")
    assert book.import_(out) == ["卡"]
    assert book.export("卡") == exported
    assert [d.min_basis for d in book.case("卡").data.debts] == ["principal", "principal", "statement"]
