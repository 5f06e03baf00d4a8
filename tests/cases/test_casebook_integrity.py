"""Integrity and privacy of the book file: real processes writing at once, a writer killed
mid-transaction, 0600 permissions, erasure that leaves no trace, refusing non-books."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from planner import Debt
from planner.cases import CaseBook
from planner.errors import PlannerError

TODAY = "2031-12"
ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


WRITER = """
import sys
from planner.cases import CaseBook
location, debt, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
book = CaseBook(location, today="2031-12")
for k in range(first, first + count):
    y, m = divmod(2027 * 12 + k - 1, 12)
    book.pay("two writers", f"{y}-{m + 1:02d}", {debt: k})
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(book_location):
    with CaseBook(book_location, today=TODAY) as book:
        book.new("two writers", [Debt("A", 100000, 0, 1), Debt("B", 100000, 0, 1)], 100, start="2027-01")
    writers = [_python(WRITER, book_location, debt, "1", "20") for debt in ("A", "B")]
    for w in writers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    with CaseBook(book_location, today=TODAY) as book:
        payments = book.case("two writers").data.payments
    assert len(payments) == 40
    assert sum(payments.values()) == 2 * 100 * sum(range(1, 21))  # k yuan in month k, for A and for B


OPENER = """
import sys
from planner import Debt
from planner.cases import CaseBook
book = CaseBook(sys.argv[1], today="2031-12")
book.new(f"client {sys.argv[2]}", [Debt("A", 1000, 12, 100)], 100, start="2027-01")
print("done", flush=True)
"""


def test_processes_opening_a_new_book_at_once_all_get_it(book_location):
    openers = [_python(OPENER, book_location, str(k)) for k in range(4)]
    for p in openers:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with CaseBook(book_location, today=TODAY) as book:
        assert book.names() == [f"client {k}" for k in range(4)]
    if "://" not in book_location:
        assert [p.name for p in Path(book_location).parent.iterdir()] == [Path(book_location).name]  # no temporary file left


KILLED = """
import sys, time
import sqlalchemy as sa
from planner.cases import store
s = store.Store(sys.argv[1])
with s.write() as conn:
    conn.execute(store.payments.insert().values(case_id=1, month="2027-05", debt="A", amount=100))
    conn.execute(sa.delete(store.debts))
    conn.execute(store.cases.update().values(name="overwritten"))
    print("mid-write", flush=True)
    time.sleep(120)
"""


def test_a_writer_killed_mid_transaction_leaves_the_book_as_before(book_location):
    with CaseBook(book_location, today=TODAY) as book:
        book.new("kept", [Debt("A", 1000, 12, 100)], 100, start="2027-01").pay("2027-01", {"A": 100})
        before = book.export("kept")
    child = _python(KILLED, book_location)
    assert child.stdout.readline().strip() == "mid-write"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with CaseBook(book_location, today=TODAY) as book:
        assert book.names() == ["kept"]
        assert book.export("kept") == before
        book.pay("kept", "2027-02", {"A": 100})  # and the book takes writes again
        assert len(book.case("kept").data.payments) == 2


def test_the_book_file_is_created_for_its_owner_only(tmp_path):
    path = tmp_path / "new" / "book.sqlite"
    CaseBook(path, today=TODAY).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with CaseBook(path, today=TODAY) as book:
        book.new("x", [Debt("A", 1000, 12, 100)], 100, start="2027-01")
        book.export("x", tmp_path / "x.json")
    assert stat.S_IMODE((tmp_path / "x.json").stat().st_mode) == 0o600


def test_delete_leaves_no_trace_of_the_name_in_the_file(tmp_path):
    path = tmp_path / "book.sqlite"
    secret = "王小明-Zq7x"
    with CaseBook(path, today=TODAY) as book:
        book.new("other client", [Debt("A", 1000, 12, 100)], 100, start="2027-01")
        case = book.new(secret, [Debt("借呗", 12000, 18, 600)], 1000, start="2027-01")
        case.pay("2027-01", {"借呗": 1000}).agree("借呗", "freeze_interest", "2027-02", months=24).replan(reason=f"call with {secret}")
        assert secret.encode() in path.read_bytes()
        book.delete(secret)
        assert book.names() == ["other client"]
    data = path.read_bytes()
    assert secret.encode("utf-8") not in data and "王小明".encode("utf-8") not in data
    assert not list(tmp_path.glob("book.sqlite-*"))  # no journal left beside it
    with CaseBook(path, today=TODAY) as book:
        assert book.status("other client").debts[0].actual_balance == 1000


@pytest.mark.parametrize(
    "content",
    [b"", b"name,balance\nA,1\n", os.urandom(4096), b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty", "csv", "random", "broken-sqlite-header"],
)
def test_a_file_that_is_not_a_book_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / "not-a-book.db"
    path.write_bytes(content)
    with pytest.raises(PlannerError) as info:
        CaseBook(path)
    assert str(path) in str(info.value) and "case book" in str(info.value)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(PlannerError, match="not a case book"):
        CaseBook(path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]


def test_default_location_is_the_user_data_dir_and_the_env_overrides(tmp_path, monkeypatch):
    from planner.cases import default_location
    from planner.cases.store import resolve

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PLANNER_CASEBOOK", raising=False)
    assert default_location() == tmp_path / "data" / "debt-planner" / "casebook.sqlite"
    assert resolve(None) == str(default_location())
    monkeypatch.setenv("PLANNER_CASEBOOK", str(tmp_path / "env.sqlite"))
    assert resolve(None) == str(tmp_path / "env.sqlite")
    assert resolve(tmp_path / "given.sqlite") == str(tmp_path / "given.sqlite")
    assert not str(default_location()).startswith(str(ROOT))
