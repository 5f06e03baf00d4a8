"""Issue 13 in the case book: contacts with evidence, asks and their answers (SQLite and PostgreSQL).

Reference values: the exact engine (an accepted, confirmed ask must give the plan of
the same agreement entered with :meth:`CaseBook.agree`), hashlib for the evidence
fingerprints, and the conduct data's quiet hours (22:00 to 08:00, Asia/Shanghai).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from planner.cases import CaseBook
from planner.errors import PlannerError
from planner.io.evidence import same_file, stored_path, verify

SAMPLE = "sample_data/debts_zh.csv"
TODAY = "2031-12"


@pytest.fixture
def book(book_location, tmp_path):
    b = CaseBook(book_location, today=TODAY, evidence_dir=None if "://" not in book_location else tmp_path / "pg-evidence")
    yield b
    b.close()


def _files(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_a_contact_keeps_its_time_zone_and_its_evidence(book, tmp_path):
    case = book.new("c", SAMPLE, 6000, start="2026-12")
    debt = case.data.debts[0].name
    rec = tmp_path / "call 1.m4a"
    rec.write_bytes(b"recording" * 1000)
    case = case.add_contact(debt, "2027-01-05 21:59", channel="phone", direction="in", summary="催收", evidence=[rec])
    case = case.add_contact(debt, "2027-01-05 22:00", channel="phone", direction="in", summary="call again", who="138 0000 0000")
    case = case.add_contact(debt, "2027-01-05T14:00:00+00:00", channel="sms", direction="in", summary="再不还就通知你的家人")
    log = case.contacts()
    assert [c["at"] for c in log] == ["2027-01-05T21:59:00+08:00", "2027-01-05T22:00:00+08:00", "2027-01-05T14:00:00+00:00"]
    assert [c["flags"] for c in log][:2] == [[], ["night"]]
    assert "night" in log[2]["flags"]  # 22:00 in Shanghai
    (ev,) = log[0]["evidence"]
    assert ev == {"file": "call 1.m4a", "sha256": hashlib.sha256(rec.read_bytes()).hexdigest(), "size": 9000, "intact": True}
    stored = case.data.contacts[0].contact.evidence[0]
    folder = book.evidence_folder
    assert verify(stored, folder) and same_file(rec, stored)
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    copy = stored_path(stored, folder)
    copy.write_bytes(copy.read_bytes() + b"x")  # an altered copy is detected
    assert not verify(stored, folder)
    # the status lists flagged contacts per lender, and so does the caseload
    assert book.status("c").flagged_contacts[debt]["night"] == 2
    row = [r for r in book.caseload().rows if r.client == "c"][0]
    assert row.flagged_by_lender == {debt: 2} and row.flagged_contacts == 2
    assert row.to_dict()["flagged_by_lender"] == {debt: 2}


@pytest.mark.parametrize("kind", ["missing", "folder", "device", "oversized", "second_missing"])
def test_bad_evidence_writes_nothing(book, tmp_path, kind, monkeypatch):
    case = book.new("c", SAMPLE, 6000, start="2026-12")
    debt = case.data.debts[0].name
    good = tmp_path / "ok.png"
    good.write_bytes(b"png")
    paths = {
        "missing": [tmp_path / "nope.png"], "folder": [tmp_path], "device": ["/dev/null"],
        "oversized": [good], "second_missing": [good, tmp_path / "nope.png"],
    }[kind]
    if kind == "oversized":
        import planner.io.evidence as ev

        monkeypatch.setattr(ev.store_evidence, "__kwdefaults__", {"limit": 2})
    before = _files(book.evidence_folder)
    with pytest.raises(PlannerError) as info:
        case.add_contact(debt, "2027-01-05 10:00", channel="phone", direction="in", evidence=paths)
    assert " / " in str(info.value)  # bilingual
    assert book.case("c").data.contacts == ()
    assert _files(book.evidence_folder) == before


def test_an_accepted_confirmed_ask_is_the_same_agreement(book):
    direct = book.new("direct", SAMPLE, 6000, start="2026-12").agree("kind:card", "freeze_interest", "2027-03", months=24, confirmed=True)
    case = book.new("asked", SAMPLE, 6000, start="2026-12")
    case = case.ask("kind:card", "freeze_interest", "2027-03", months=24)
    assert case.plan().ledger() != direct.plan().ledger() and case.data.agreements == ()
    (a,) = case.data.asks
    case = case.answer(a.id, "accepted")  # not yet in writing
    assert case.data.agreements == () and [x.id for x in case.status().get_in_writing] == [a.id]
    case = case.answer(a.id, "accepted", confirmed=True)
    assert case.plan().ledger() == direct.plan().ledger()
    assert case.status().get_in_writing == ()
    with pytest.raises(PlannerError):
        case.answer(a.id, "refused")
    with pytest.raises(PlannerError):
        case.ask("kind:card", "freeze_interest", "2027-03", answer="maybe", months=24)
    row = [r for r in book.caseload().rows if r.client == "asked"][0]
    assert row.get_in_writing == 0


def test_export_import_and_delete_carry_contacts_and_asks(book, tmp_path):
    case = book.new("c", SAMPLE, 6000, start="2026-12")
    debt = case.data.debts[0].name
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"screenshot")
    case = case.add_contact(debt, "2027-01-05 23:10", tz="Asia/Shanghai", channel="app_chat" if False else "sms", direction="in", summary="x", evidence=[shot])
    case = case.ask(debt, "freeze_interest", "2027-02", answer="accepted", months=12)
    out = book.export("c")
    assert out["contacts"][0]["evidence"][0]["sha256"] == hashlib.sha256(b"screenshot").hexdigest()
    assert out["asks"][0]["answer"] == "accepted"
    book.delete("c")
    assert _files(book.evidence_folder) == []  # the copy went with the case
    book.import_(json.loads(json.dumps(out)))
    again = book.case("c")
    assert again.contacts()[0]["at"] == "2027-01-05T23:10:00+08:00"
    assert again.contacts()[0]["flags"] == ["night"]
    assert again.data.asks[0].get_in_writing


def test_a_postgresql_book_needs_an_evidence_folder(book_location, tmp_path, monkeypatch):
    if "://" not in book_location:
        pytest.skip("SQLite keeps evidence beside the book")
    monkeypatch.delenv("PLANNER_EVIDENCE_DIR", raising=False)
    b = CaseBook(book_location, today=TODAY)
    case = b.new("c", SAMPLE, 6000, start="2026-12")
    f = tmp_path / "a.png"
    f.write_bytes(b"a")
    with pytest.raises(PlannerError, match="PLANNER_EVIDENCE_DIR"):
        case.add_contact(case.data.debts[0].name, "2027-01-05 10:00", channel="phone", direction="in", evidence=[f])
    assert b.case("c").data.contacts == ()
    b.close()


def test_a_schema_2_book_upgrades_and_takes_contacts(book_location, tmp_path):
    import sqlalchemy as sa

    from planner.cases import store

    s = store.Store(book_location, upto=2)  # a book as the case book's first release wrote it
    with s.write() as conn:
        assert "case_contacts" not in sa.inspect(conn).get_table_names()
    s.close()
    b = CaseBook(book_location, today=TODAY, evidence_dir=tmp_path / "ev")
    assert b._store.version() == store.SCHEMA_VERSION == 4
    case = b.new("old", SAMPLE, 6000, start="2026-12")
    case = case.add_contact(case.data.debts[0].name, "2027-01-05 07:59", channel="phone", direction="in")
    case = case.add_contact(case.data.debts[0].name, "2027-01-05 08:00", channel="phone", direction="in")
    assert [c["flags"] for c in case.contacts()] == [["night"], []]
    b.close()
