"""Issue 24: the case book under attack. Nothing lost (no document written over the book, its
journal or its evidence; exports atomic), nothing leaked (no database password), no hang and
no internal error (every database or OS failure is exit 2 with a bilingual message).

Full disk is simulated with ``RLIMIT_FSIZE`` in a subprocess (writes past the limit fail with
EFBIG, which Python does not turn into a signal): the same path through the code as ENOSPC.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cases import CaseBook
from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "sample_data" / "debts_zh.csv")
TODAY = "2025-06"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_book(path: Path, *, evidence: bool = True) -> Path:
    with CaseBook(path, today=TODAY) as book:
        case = book.new("A", SAMPLE, 6000, start="2025-01")
        if evidence:
            shot = path.parent / "shot.png"
            shot.write_bytes(b"screenshot bytes")
            case.add_contact(case.data.debts[0].name, "2025-01-05 10:00", channel="phone", direction="in", evidence=[shot])
    return path


def _assert_refused(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err) and "refusing" in err  # bilingual


# ---------------------------------------------------------------------------
# 1. no document over the book, its journal or its evidence


@pytest.mark.parametrize("named_by", ["--book", "env", "default"])
def test_export_refuses_the_open_book_however_it_was_named(capsys, tmp_path, monkeypatch, named_by):
    # Before the fix only --book was checked: with PLANNER_CASEBOOK or the default location,
    # `case export --out <the book>` replaced the book with a 2 KB JSON file (exit 0).
    monkeypatch.delenv("PLANNER_CASEBOOK", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if named_by == "default":
        from planner.cases.store import default_location

        path = default_location()
        path.parent.mkdir(parents=True)
    else:
        path = tmp_path / "book.sqlite"
    _new_book(path)
    before = _digest(path)
    book_args = ["--book", str(path)] if named_by == "--book" else []
    if named_by == "env":
        monkeypatch.setenv("PLANNER_CASEBOOK", str(path))
    for out in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                path.with_name(path.name + ".evidence") / "x.json"):
        code, _, err = run(capsys, "case", "export", "A", "--out", out, *book_args)
        _assert_refused(code, err)
        assert not out.exists() or out == path
    assert _digest(path) == before
    with CaseBook(path, today=TODAY) as book:
        assert book.names() == ["A"]


def test_export_refuses_the_book_by_a_link_or_another_spelling(capsys, tmp_path, monkeypatch):
    path = _new_book(tmp_path / "book.sqlite")
    before = _digest(path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "soft.json").symlink_to(path)
    os.link(path, tmp_path / "hard.json")
    (tmp_path / "ev-link").symlink_to(tmp_path / "book.sqlite.evidence")
    monkeypatch.chdir(tmp_path / "sub")
    monkeypatch.setenv("PLANNER_CASEBOOK", "../book.sqlite")
    for out in ("../book.sqlite", "./../sub/../book.sqlite", tmp_path / "soft.json", tmp_path / "hard.json", "../ev-link/new.json",
                "../book.sqlite.evidence/../book.sqlite.evidence/deeper.json"):
        code, _, err = run(capsys, "case", "export", "A", "--out", out)
        _assert_refused(code, err)
    assert _digest(path) == before
    assert sorted(p.name for p in (tmp_path / "book.sqlite.evidence").iterdir()) == [hashlib.sha256(b"screenshot bytes").hexdigest() + ".png"]


@pytest.fixture(scope="module")
def shared_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prop")
    path = _new_book(folder / "book.sqlite")
    (folder / "links").mkdir()
    (folder / "links" / "to-book").symlink_to(path)
    (folder / "links" / "to-folder").symlink_to(folder)
    (folder / "links" / "to-evidence").symlink_to(folder / "book.sqlite.evidence")
    os.link(path, folder / "links" / "hard")
    return folder, path


_PROTECTED = ["book.sqlite", "book.sqlite-journal", "book.sqlite-wal", "book.sqlite-shm", "links/to-book", "links/hard",
              "book.sqlite.evidence/x.json", "links/to-evidence/x.json", "links/to-evidence/a/b.json"]
_SAFE = ["out.json", "links/out.json", "book.sqlite.json", "book.sqlite.evidence.json", "book.sqlite-journal.json"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(_PROTECTED + _SAFE),
    detour=st.lists(st.sampled_from([".", "links/..", "links/to-folder", "links/to-folder/links/.."]), max_size=3),
    absolute=st.booleans(),
)
def test_any_path_as_out_leaves_the_book_whole(shared_book, capsys, monkeypatch, target, detour, absolute):
    folder, path = shared_book
    before = _digest(path)
    monkeypatch.chdir(folder)
    out = Path(*detour, target) if detour else Path(target)
    if absolute:
        out = folder / out
    parent_exists = (folder / out).parent.is_dir()
    code, _, err = run(capsys, "case", "export", "A", "--out", out, "--book", path)
    assert "Traceback" not in err and code in (0, 2)
    if target in _PROTECTED:
        _assert_refused(code, err) if parent_exists else None
        assert code == 2
    else:
        assert code == 0, err
        assert json.loads((folder / out).read_text("utf-8"))["name"] == "A"
        (folder / out).unlink()
    assert _digest(path) == before


def test_reports_and_letters_refuse_the_book_and_its_evidence(capsys, tmp_path, monkeypatch):
    path = _new_book(tmp_path / "book.html")  # a book whose name a document could take
    before = _digest(path)
    monkeypatch.setenv("PLANNER_CASEBOOK", str(path))
    code, _, err = run(capsys, "case", "report", "A", "--out", path)
    _assert_refused(code, err)
    debt = json.loads(run(capsys, "case", "show", "A", "--format", "json")[1])["debts"][0]["name"]
    assert run(capsys, "case", "ask", "A", "--debt", debt, "--action", "freeze_interest", "--months", "12", "--from", "2025-02")[0] == 0
    evidence = tmp_path / "book.html.evidence"
    before = _digest(path)
    for command in (["letter", "A", "--debt", debt], ["complaint", "A", "--debt", debt]):
        for out in (path, evidence / "doc.html"):
            code, _, err = run(capsys, "case", *command, "--out", out)
            _assert_refused(code, err)
    assert _digest(path) == before
    assert not (evidence / "doc.html").exists()


def test_the_follow_up_report_api_refuses_its_own_book(tmp_path):
    from planner import PlannerError
    from planner.report.followup import write_followup

    path = _new_book(tmp_path / "book.html")
    before = _digest(path)
    with CaseBook(path, today=TODAY) as book, pytest.raises(PlannerError, match="refusing"):
        write_followup(book.case("A"), path)
    assert _digest(path) == before


# ---------------------------------------------------------------------------
# 2. exports are atomic, private, and only into regular files


def test_export_is_0600_even_over_an_existing_0644_file(capsys, tmp_path):
    path = _new_book(tmp_path / "book.sqlite")
    out = tmp_path / "a.json"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o644)
    assert run(capsys, "case", "export", "A", "--out", out, "--book", path)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text("utf-8"))["name"] == "A"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("kind", ["/dev/null", "/dev/full", "fifo", "folder"])
def test_export_refuses_devices_fifos_and_folders(capsys, tmp_path, kind):
    path = _new_book(tmp_path / "book.sqlite")
    out = {"fifo": tmp_path / "pipe", "folder": tmp_path / "dir"}.get(kind, Path(kind))
    if kind == "fifo":
        os.mkfifo(out)  # before the fix: opened for writing, blocked until a reader came (forever)
    if kind == "folder":
        out.mkdir()
    code, _, err = run(capsys, "case", "export", "A", "--out", out, "--book", path)
    assert code == 2 and "Traceback" not in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err) and ("folder" in err or "not a regular file" in err)


def test_a_full_disk_leaves_the_old_export_whole(tmp_path):
    # Before the fix the old export was truncated first, then the write failed: 4 KB of invalid JSON, exit 1.
    path = _new_book(tmp_path / "book.sqlite")
    out = tmp_path / "a.json"
    out.write_text('{"old": "export"}', encoding="utf-8")

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    result = subprocess.run(
        [sys.executable, "-m", "planner", "case", "export", "A", "--out", str(out), "--book", str(path)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120, preexec_fn=small_disk,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "无法写入" in result.stderr and "cannot write" in result.stderr
    assert json.loads(out.read_text("utf-8")) == {"old": "export"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------------------
# 3. evidence intake killed mid-copy, shared copies, a truthful delete

_KILLED_INTAKE = """
import sys, time
import planner.io.evidence as ev
from planner.cases import CaseBook

def slow(handle, limit, path, sink=None):  # copies a first part, then hangs: killed here
    sink.write(handle.read(1000))
    sink.flush()
    print("copying", flush=True)
    time.sleep(120)

ev._digest = slow
book = CaseBook(sys.argv[1], today="2025-06")
case = book.case("A")
case.add_contact(case.data.debts[0].name, "2025-01-05 10:00", channel="phone", direction="in", evidence=[sys.argv[2]])
"""


def _staging(folder: Path) -> list[Path]:
    return sorted(folder.glob(".staging-*"))


def _killed_mid_copy(path: Path, tmp_path: Path) -> Path:
    recording = tmp_path / "call.m4a"
    recording.write_bytes(os.urandom(5000))
    child = subprocess.Popen([sys.executable, "-c", _KILLED_INTAKE, str(path), str(recording)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "copying"
    finally:
        child.kill()  # kill -9 in the middle of the copy
        child.wait(timeout=30)
    (staging,) = _staging(path.with_name(path.name + ".evidence"))
    assert any(f.stat().st_size for f in staging.iterdir())  # a partial recording was left behind
    return staging


def test_an_intake_killed_mid_copy_is_cleaned_when_the_book_is_opened(tmp_path):
    path = _new_book(tmp_path / "book.sqlite")
    staging = _killed_mid_copy(path, tmp_path)
    with CaseBook(path, today=TODAY):
        assert not staging.exists()


def test_delete_removes_what_a_killed_intake_left_and_says_so_truthfully(capsys, tmp_path):
    path = _new_book(tmp_path / "book.sqlite")
    folder = path.with_name(path.name + ".evidence")
    # A staging folder named for a live process (this one) is kept on open: an intake may be under way.
    live = folder / f".staging-{os.getpid()}-00000000"
    live.mkdir()
    (live / ".evidence.partial.tmp").write_bytes(b"half a recording")
    with CaseBook(path, today=TODAY):
        pass
    assert live.exists()
    # `case delete` holds the book's write lock, so no intake is under way: all of it goes.
    code, out, err = run(capsys, "case", "delete", "A", "--yes", "--book", path)
    assert code == 0, err
    assert "nothing of the case is left" in out
    assert list(folder.iterdir()) == []


def test_delete_names_the_files_it_could_not_remove(capsys, tmp_path, monkeypatch):
    path = _new_book(tmp_path / "book.sqlite")
    real = Path.unlink

    def refuse(self, *args, **kwargs):
        if self.suffix == ".png":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", refuse)
    code, out, err = run(capsys, "case", "delete", "A", "--yes", "--book", path)
    assert code == 0, err
    assert "nothing of the case is left" not in out and "could not be removed" in out
    assert hashlib.sha256(b"screenshot bytes").hexdigest() + ".png" in out
    with CaseBook(path, today=TODAY) as book:
        assert book.names() == []


def test_delete_sweeps_copies_no_case_refers_to(tmp_path):
    # A process killed after moving a copy into place and before its row was committed leaves a
    # copy no case names; a delete (holding the book's write lock) removes it, and keeps the others.
    path = _new_book(tmp_path / "book.sqlite")
    folder = path.with_name(path.name + ".evidence")
    stray = folder / (hashlib.sha256(b"never recorded").hexdigest() + ".m4a")
    stray.write_bytes(b"never recorded")
    with CaseBook(path, today=TODAY) as book:
        kept = book.new("B", SAMPLE, 6000, start="2025-01")
        shot = tmp_path / "b.png"
        shot.write_bytes(b"B's picture")
        kept.add_contact(kept.data.debts[0].name, "2025-01-05 10:00", channel="sms", direction="in", evidence=[shot])
        assert book.delete("A") == []
    assert sorted(p.name for p in folder.iterdir()) == [hashlib.sha256(b"B's picture").hexdigest() + ".png"]


@settings(max_examples=200, deadline=None)
@given(when=st.datetimes(timezones=st.timezones()), spelling=st.sampled_from(["iso", "space", "naive"]), tz=st.sampled_from([None, "Asia/Shanghai", "Pacific/Kiritimati", "Etc/GMT+12"]))
def test_any_contact_time_is_recorded_or_refused_with_a_message(when, spelling, tz):
    from planner import PlannerError
    from planner.cases.book import parse_contact_time

    text = {"iso": when.isoformat(), "space": when.isoformat(sep=" "), "naive": when.replace(tzinfo=None).isoformat(sep=" ")}[spelling]
    try:
        at, _ = parse_contact_time(text, tz if spelling == "naive" else None)
    except PlannerError as error:
        assert "/" in str(error)  # bilingual
        return
    assert at.utcoffset() is not None


def test_the_same_file_stored_by_two_cases_under_two_suffixes_is_not_orphaned(tmp_path):
    # Before the fix the copy was kept while any case had the same SHA-256, whatever its suffix:
    # after both cases were deleted, <sha>.png stayed in the folder for good.
    path = tmp_path / "book.sqlite"
    with CaseBook(path, today=TODAY) as book:
        for name, suffix in (("A", ".png"), ("B", ".jpg")):
            case = book.new(name, SAMPLE, 6000, start="2025-01")
            shot = tmp_path / f"shot{suffix}"
            shot.write_bytes(b"the same picture")
            case.add_contact(case.data.debts[0].name, "2025-01-05 10:00", channel="sms", direction="in", evidence=[shot])
        folder = book.evidence_folder
        digest = hashlib.sha256(b"the same picture").hexdigest()
        assert sorted(p.name for p in folder.iterdir()) == [digest + ".jpg", digest + ".png"]
        assert book.delete("A") == []
        assert sorted(p.name for p in folder.iterdir()) == [digest + ".jpg"]  # B's copy stays
        assert book.delete("B") == []
        assert list(folder.iterdir()) == []


# ---------------------------------------------------------------------------
# 5. no database password, no list of every debt name


@settings(max_examples=25, deadline=None)
@given(
    scheme=st.sampled_from(["postgresql", "postgres", "postgresql+psycopg", "postgresql+asyncpg", "mysql", "sqlite", "http", "oracle+cx"]),
    secret=st.from_regex(r"Zq[A-Za-z0-9%!~*]{6,16}", fullmatch=True),
    tail=st.sampled_from(["127.0.0.1:1/db", "[bad/db", "127.0.0.1:1/db?password=SECRET", "host:notaport/db", ""]),
)
def test_a_database_password_is_never_printed(scheme, secret, tail):
    # Before the fix `--book postgresql://u:SECRET@host/db` echoed SECRET on a connection failure
    # (and every other scheme in "unsupported book URL ...").
    import contextlib
    import io

    tail = tail.replace("SECRET", secret)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["case", "list", "--book", f"{scheme}://u:{secret}@{tail}"])
    assert code == 2
    from urllib.parse import unquote

    for shown in (out.getvalue(), err.getvalue()):
        assert secret not in shown and unquote(secret) not in shown
        assert "Traceback" not in shown
    assert "***" in err.getvalue()


def test_an_unknown_debt_suggests_the_closest_name_and_lists_no_others(capsys, tmp_path):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    with CaseBook(path, today=TODAY) as book:
        names = [d.name for d in book.case("A").data.debts]
    assert "借呗" in names
    code, _, err = run(capsys, "case", "pay", "A", "--month", "2025-02", "--debt", "借贝", "--amount", "10", "--book", path)
    assert code == 2 and "借呗" in err and "did you mean" in err
    assert [n for n in names if n in err] == ["借呗"]  # before the fix: every debt of the case
    code, _, err = run(capsys, "case", "pay", "A", "--month", "2025-02", "--debt", "nothing like it", "--amount", "10", "--book", path)
    assert code == 2 and not [n for n in names if n in err]


# ---------------------------------------------------------------------------
# 7. a PostgreSQL server that accepts and never answers


@pytest.fixture
def silent_server():
    """A TCP socket on 127.0.0.1 that accepts connections and never says a word."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.timeout(60)
def test_a_server_that_never_answers_fails_in_seconds_with_a_message(capsys, silent_server, monkeypatch):
    # Before the fix every command hung for good.
    import time

    from planner.cases import store

    monkeypatch.setattr(store, "CONNECT_TIMEOUT", 2)
    started = time.monotonic()
    code, _, err = run(capsys, "case", "list", "--book", f"postgresql://u:Zqsecret1@127.0.0.1:{silent_server}/db")
    assert code == 2 and time.monotonic() - started < 20
    assert "did not answer in time" in err and "没有及时应答" in err and "Zqsecret1" not in err


def test_the_timeouts_are_set_unless_the_url_sets_them():
    from planner.cases.store import CONNECT_TIMEOUT, STATEMENT_TIMEOUT, _timeouts

    assert _timeouts("postgresql+psycopg://u@h/db") == {"connect_timeout": CONNECT_TIMEOUT, "options": f"-c statement_timeout={STATEMENT_TIMEOUT * 1000}"}
    assert _timeouts("postgresql+psycopg://u@h/db?connect_timeout=30") == {"options": f"-c statement_timeout={STATEMENT_TIMEOUT * 1000}"}


# ---------------------------------------------------------------------------
# 8. every database or OS error: exit 2, a bilingual message, no SQL, no traceback


def _assert_message(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err
    assert not any(sql in err for sql in ("INSERT", "UPDATE", "DELETE FROM", "SELECT", "[SQL", "parameters:", "sqlalche.me"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)
    for word in words:
        assert word in err, err


def _small_disk(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("command", [["pay", "A", "--month", "2025-02", "--debt", "借呗", "--amount", "10"], ["delete", "A", "--yes"]])
def test_a_full_disk_during_pay_or_delete_is_a_message_and_the_book_is_unchanged(tmp_path, command):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    before = _digest(path)
    result = subprocess.run(
        [sys.executable, "-m", "planner", "case", *command, "--book", str(path)], capture_output=True, text=True, encoding="utf-8",
        cwd=ROOT, timeout=120, preexec_fn=_small_disk(8192), env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    _assert_message(result.returncode, result.stderr, "Nothing was changed")
    assert _digest(path) == before
    with CaseBook(path, today=TODAY) as book:
        assert book.names() == ["A"] and book.case("A").data.payments == {}


def test_a_read_only_book_is_a_message(capsys, tmp_path, monkeypatch):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    from planner.cases import store

    real = store._sqlite_connect

    def read_only(dbapi_connection, record):  # what a read-only file system gives: every write refused
        real(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA query_only = ON")

    monkeypatch.setattr(store, "_sqlite_connect", read_only)
    code, _, err = run(capsys, "case", "pay", "A", "--month", "2025-02", "--debt", "借呗", "--amount", "10", "--book", path)
    _assert_message(code, err, "read-only")


def test_a_damaged_page_is_a_message_in_show_and_list(capsys, tmp_path):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    data = bytearray(path.read_bytes())
    page = 4096
    for k in range(2 * page, len(data), page):  # every page after the schema: damaged
        data[k:k + 100] = b"\xff" * 100
    path.write_bytes(bytes(data))
    for command in (["show", "A"], ["list"]):
        code, _, err = run(capsys, "case", *command, "--book", path)
        _assert_message(code, err, "damaged", "backup")


def test_a_postgresql_user_without_rights_is_a_message(capsys, postgres_url):
    import psycopg

    from tests.cases.pg_fixtures import new_pg_database

    url = new_pg_database(postgres_url)
    with psycopg.connect(postgres_url + "/postgres", autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS planner_reader")
        conn.execute("CREATE ROLE planner_reader LOGIN")
    reader = url.replace("postgres@", "planner_reader@", 1)
    code, _, err = run(capsys, "case", "list", "--book", reader)  # an empty database: no right to create the tables
    _assert_message(code, err, "rights", "GRANT")
    with CaseBook(url, today=TODAY) as book:
        book.new("A", SAMPLE, 6000, start="2025-01")
    code, _, err = run(capsys, "case", "list", "--book", reader)  # the tables exist: no right to read them
    _assert_message(code, err, "rights")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO planner_reader")
    assert run(capsys, "case", "list", "--book", reader)[0] == 0  # reading is allowed now
    code, _, err = run(capsys, "case", "pay", "A", "--month", "2025-02", "--debt", "借呗", "--amount", "10", "--book", reader)
    _assert_message(code, err, "rights")  # writing is not
    with CaseBook(url, today=TODAY) as book:
        assert book.case("A").data.payments == {}


@pytest.mark.parametrize("at", ["0001-01-01 00:00", "9999-12-31T23:59-05:00"])
def test_a_contact_time_out_of_range_is_a_message(capsys, tmp_path, at):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    code, _, err = run(capsys, "case", "contact", "A", "--debt", "借呗", "--at", at, "--channel", "phone", "--direction", "in", "--book", path)
    _assert_message(code, err, "out of the range")


def test_a_contact_time_out_of_range_in_an_import_is_a_message(capsys, tmp_path):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    with CaseBook(path, today=TODAY) as book:
        case = book.export("A")
    case["name"] = "B"
    case["contacts"] = [{"at": "0001-01-01T00:00:00+08:00", "debt": "借呗", "channel": "phone", "direction": "in"}]
    source = tmp_path / "b.json"
    source.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "case", "import", source, "--book", path)
    _assert_message(code, err)


def test_a_contact_time_out_of_range_in_the_widget_is_shown_not_raised(tmp_path):
    from planner.widgets.follow_up import FollowUp

    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    widget = FollowUp(str(path), "A", today=TODAY)
    widget.contact_debt.value = "借呗"
    widget.contact_at.value = "0001-01-01 00:00"
    widget.contact_button.click()  # before the fix: OverflowError escaped the button's handler
    assert "超出可记录的范围" in widget.message.value and "out of the range" not in widget.message.value  # the widget is in Chinese: one language


def test_arguments_in_gbk_bytes_are_a_message(tmp_path):
    path = _new_book(tmp_path / "book.sqlite", evidence=False)
    gbk = "张三".encode("gbk")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    for args in ([b"new", gbk, b"--debts", SAMPLE.encode(), b"--budget", b"6000"],
                 [b"contact", b"A", b"--debt", "借呗".encode(), b"--at", b"2025-01-05 10:00", b"--channel", b"phone", b"--direction", b"in", b"--summary", gbk]):
        result = subprocess.run([sys.executable.encode(), b"-m", b"planner", b"case", *args, b"--book", str(path).encode()],
                                capture_output=True, cwd=ROOT, timeout=120, env=env)
        err = result.stderr.decode("utf-8")
        _assert_message(result.returncode, err, "UTF-8", "张三")
    with CaseBook(path, today=TODAY) as book:
        assert book.names() == ["A"] and book.case("A").data.contacts == ()


def test_a_postgresql_book_without_its_driver_names_the_extra(monkeypatch):
    # psycopg is the [postgres] extra: without it the message says what to install, not "URL not valid"
    import sys

    from planner import PlannerError
    from planner.cases import CaseBook

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(PlannerError) as refused:
        CaseBook("postgresql://u:SECRET@127.0.0.1:1/db").names()
    assert "debt-planner[postgres]" in str(refused.value) and "SECRET" not in str(refused.value)
