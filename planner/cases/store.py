"""The case book's storage: SQLAlchemy Core over SQLite (default) or PostgreSQL.

One schema for both databases, written with SQLAlchemy Core (no SQL per dialect).
The tables below are today's schema, used to read and write; how each version was
made is frozen in :mod:`planner.cases.schema_history`, whose steps never use them.
The schema is versioned: :data:`MIGRATIONS` is an ordered list, the table
``planner_schema`` holds the version a book is at, and opening an older book
runs the missing migrations in one transaction. A book written by a newer
planner (a higher version) is refused, as is a file that is not a case book.

Every change is one transaction (:meth:`Store.write`). On SQLite a write
transaction starts with ``BEGIN IMMEDIATE`` (the write lock is taken first, so
two processes writing at once queue instead of failing or losing a change); on
PostgreSQL the case's row is locked (``SELECT ... FOR UPDATE``) by the caller.
Money is stored as integer cents (BIGINT), rates as exact decimal text.

Privacy: a new SQLite book file is created with mode 0600 (its directory 0700
when the planner creates it); every connection sets ``PRAGMA secure_delete``
(deleted content is overwritten with zeros) and :meth:`Store.vacuum` rebuilds
the file after a case is deleted, so the erased case is not left in free pages.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Message, PlannerError

#: The schema version this planner writes.
SCHEMA_VERSION = 4
#: Identifies a case book in ``planner_schema.application``.
APPLICATION = "debt-planner case book"
#: The environment variable naming the book (a path or a ``postgresql://`` URL).
ENV = "PLANNER_CASEBOOK"
#: Seconds to wait for a PostgreSQL server to accept a connection and answer its start-up
#: (``?connect_timeout=`` in the URL overrides it), and for one statement to finish.
CONNECT_TIMEOUT = 10
STATEMENT_TIMEOUT = 60

import sqlalchemy as sa  # noqa: E402  (this module is only imported by the case layer)

from . import schema_history  # noqa: E402

_meta = sa.MetaData()

schema_table = sa.Table(
    "planner_schema", _meta,
    sa.Column("application", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


cases = sa.Table(
    "cases", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("start", sa.String(7), nullable=False),
    sa.Column("strategy", sa.String(64), nullable=False),
    sa.Column("custom_order", sa.Text),  # JSON list of names, for strategy "custom"
    sa.Column("source_name", sa.String(255)),
    sa.Column("source_sha256", sa.String(64)),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32)),  # schema 2
)
debts = sa.Table(
    "case_debts", _meta,
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("balance", sa.BigInteger, nullable=False),
    sa.Column("apr", sa.String(40), nullable=False),
    sa.Column("min_payment", sa.BigInteger, nullable=False),
    sa.Column("fees_owed", sa.BigInteger, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON: the other Debt fields, exact text
    sa.PrimaryKeyConstraint("case_id", "position"),
)
budgets = sa.Table(
    "case_budgets", _meta,
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("case_id", "month"),
)
agreements = sa.Table(
    "case_agreements", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("debt", sa.Text, nullable=False),  # JSON: a selector (name, list, condition)
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON, exact text for decimals
    sa.Column("from_month", sa.String(7), nullable=False),
    sa.Column("confirmed", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)
payments = sa.Table(
    "case_payments", _meta,
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("debt", sa.String(200), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("case_id", "month", "debt"),
)
statements = sa.Table(  # schema 2
    "case_statements", _meta,
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("debt", sa.String(200), nullable=False),
    sa.Column("balance", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("case_id", "month", "debt"),
)
replans = sa.Table(
    "case_replans", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("made_at", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("start", sa.String(7), nullable=False),  # the new plan's month 1
    sa.Column("budget", sa.BigInteger, nullable=False),
    sa.Column("strategy", sa.String(64), nullable=False),
    sa.Column("debts", sa.Text, nullable=False),  # JSON: the debts' terms and balances then
    sa.Column("agreements", sa.Text, nullable=False),  # JSON: ids of the agreements already in those terms
    sa.Column("summary", sa.Text, nullable=False),  # JSON: the plan's headline figures then
)

contacts = sa.Table(  # schema 3: every contact with a lender or collector (issue 13)
    "case_contacts", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("at_utc", sa.String(32), nullable=False),  # ISO, UTC ("2027-01-05T13:40:00Z")
    sa.Column("utc_offset", sa.Integer, nullable=False),  # the original offset, minutes east of UTC
    sa.Column("zone", sa.String(64)),  # the original zone name when one was given ("Asia/Shanghai")
    sa.Column("debt", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)
evidence = sa.Table(  # schema 3: the files kept for a contact (the copies live in the evidence folder)
    "case_evidence", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("contact_id", sa.Integer, nullable=False, index=True),
    sa.Column("file", sa.String(255), nullable=False),  # the original file name
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)
asks = sa.Table(  # schema 3: what was asked of a lender and its answer
    "case_asks", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False, index=True),
    sa.Column("debt", sa.Text, nullable=False),  # JSON selector, as in case_agreements
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("from_month", sa.String(7), nullable=False),
    sa.Column("answer", sa.String(16), nullable=False),  # accepted | refused | counter | pending
    sa.Column("counter", sa.Text, nullable=False),  # the counter-offer's terms, as told
    sa.Column("confirmed", sa.Boolean, nullable=False),  # the answer is confirmed in writing
    sa.Column("agreement_id", sa.Integer),  # the agreement it became (accepted and confirmed)
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

budget_statements = sa.Table(  # schema 4: the client's budget statement (收支表), a new version each time it changes (issue 26)
    "case_budget_statements", _meta,
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # 1, 2, ... within the case
    sa.Column("month", sa.String(7), nullable=False),  # the calendar month it holds from
    sa.Column("statement", sa.Text, nullable=False),  # JSON: planner.budget.Statement.to_dict() (money in cents)
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("case_id", "version"),
)

#: Tables holding one case's rows (deleted with it).
CASE_TABLES = (debts, budgets, agreements, payments, statements, replans, contacts, evidence, asks, budget_statements)


#: Ordered migrations: ``MIGRATIONS[k]`` takes a book from version k to k + 1. They are
#: frozen in :mod:`.schema_history` (each version's tables as they were), never built from
#: the tables above, so a change to today's tables cannot change how an old book upgrades.
MIGRATIONS = schema_history.MIGRATIONS
assert len(MIGRATIONS) == SCHEMA_VERSION


def default_location() -> Path:
    """Where the book lives by default: ``casebook.sqlite`` in the user's data directory
    (platformdirs: ``~/.local/share/debt-planner`` on Linux), never the project tree."""
    import platformdirs

    return platformdirs.user_data_path("debt-planner", appauthor=False) / "casebook.sqlite"


def resolve(book: str | os.PathLike | None) -> str:
    """The book to open: ``book`` if given, else ``$PLANNER_CASEBOOK``, else the default."""
    if book is None or str(book).strip() == "":
        book = os.environ.get(ENV) or default_location()
    return str(book)


def _is_url(book: str) -> bool:
    return "://" in book


class Store:
    """One case book: an SQLAlchemy engine, its schema checked and migrated."""

    def __init__(self, book: str | os.PathLike | None = None, *, create: bool = True, upto: int = SCHEMA_VERSION):
        raw = resolve(book)
        self.is_sqlite = not _is_url(raw)
        #: The book as shown to people: a URL with its password hidden (never printed, whatever the scheme).
        self.location = raw if self.is_sqlite else safe_url(raw)
        self._secrets = [] if self.is_sqlite else _passwords(raw)
        self._created = False
        if self.is_sqlite:
            path = Path(self.location).expanduser()
            self.path: Path | None = path
            if path.is_dir():
                raise PlannerError("cases.store.case_book_directory_file", location=self.location)
            if not path.exists():
                if not create:
                    raise PlannerError("cases.store.no_case_book_check", location=self.location)
                self._create_book(path, upto)
            self.engine = _sqlite_engine(path)
        else:
            self.path = None
            url = raw
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            elif not url.startswith("postgresql+"):
                raise PlannerError("cases.store.unsupported_book_url_file", location=self.location)
            try:
                self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args=_timeouts(url))
            except ImportError as exc:  # psycopg is the [postgres] extra
                driver = exc.name or "?"
                raise PlannerError("cases.store.book_needs_database_driver", location=self.location, driver=driver) from None
            except (sa.exc.ArgumentError, ValueError):
                raise PlannerError("cases.store.database_url_not_valid", location=self.location) from None
            self._created = True  # an empty database is a new book
        for attempt in range(5):
            try:
                self._check(upto)
                break
            except _Raced as raced:  # another process created the schema at the same moment: read theirs
                if attempt == 4:
                    raise database_error(raced.__cause__ or raced, self.location, self.hide) from None
                time.sleep(0.05 * (attempt + 1))

    def _create_book(self, path: Path, upto: int) -> None:
        """A new SQLite book, made whole under a temporary name (mode 0600) and then linked into
        place, so no process ever sees a half-made book; if another process got there first,
        theirs is kept."""
        parent = path.parent
        if not parent.exists():
            parent.mkdir(mode=0o700, parents=True)
        tmp = parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.new"
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(tmp, 0o600)  # whatever the umask
        self.engine, self._created = _sqlite_engine(tmp), True
        try:
            self._check(upto)
            self.engine.dispose()
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made the book first: use theirs
            except OSError:  # a file system without hard links
                if not path.exists():
                    os.replace(tmp, path)
        finally:
            self.engine.dispose()
            self._created = False
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)

    def _check(self, upto: int) -> None:
        """Read the schema version; create or migrate the book, or refuse it."""
        where = self.location
        version = None
        try:
            with self.write() as conn:
                names = set(sa.inspect(conn).get_table_names())
                if "planner_schema" not in names:
                    if names:
                        raise PlannerError("cases.store.database_not_case_book", where=where)
                    if not self._created:  # an existing file, even empty, is not ours to take over
                        raise PlannerError("cases.store.not_case_book_empty", where=where)
                    version = 0
                else:
                    row = conn.execute(sa.select(schema_table.c.version).where(schema_table.c.application == APPLICATION)).first()
                    if row is None:
                        raise PlannerError("cases.store.not_case_book", where=where)
                    version = row.version
                if version > SCHEMA_VERSION:
                    raise PlannerError(
                        "cases.store.case_book_written_newer",
                        where=where,
                        version=version,
                        schema_version=SCHEMA_VERSION,
                    )
                try:
                    for k in range(version, upto):
                        MIGRATIONS[k](conn)
                    if version == 0:
                        conn.execute(schema_table.insert().values(application=APPLICATION, version=upto))
                    elif version < upto:
                        conn.execute(schema_table.update().values(version=upto))
                except (sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                    state = str(getattr(exc.orig, "sqlstate", "") or "")
                    if version == 0 and not self.is_sqlite and state in ("23505", "42P07", "42701", "42710"):
                        raise _Raced() from exc  # two processes made the same new book at once (a duplicate table, column or row)
                    raise database_error(exc, where, self.hide) from None  # no right to create the tables
        except sa.exc.IntegrityError as exc:  # the schema half made by another process: a message, not SQL
            if version == 0 and not self.is_sqlite:
                raise _Raced() from exc  # at the commit of a new book another process also made
            raise database_error(exc, where, self.hide) from None

    def hide(self, text: str) -> str:
        """``text`` (a driver's message) with the database password, in any spelling, replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed when the block ends, rolled back on any error.

        A database error (disk full, read-only, damaged file, no rights, no answer) becomes a
        :class:`PlannerError` with a bilingual message (:func:`database_error`); a broken
        constraint (``IntegrityError``) is left to the caller, which knows what it means.
        """
        try:
            with self.engine.connect().execution_options(planner_write=True) as conn:
                with conn.begin():
                    yield conn
        except sa.exc.IntegrityError:
            raise
        except sa.exc.DBAPIError as exc:
            raise database_error(exc, self.location, self.hide) from None

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction (one consistent view of the book); database errors as in :meth:`write`."""
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as exc:
            raise database_error(exc, self.location, self.hide) from None

    def vacuum(self) -> None:
        """Rebuild the SQLite file so nothing deleted survives in free pages (no-op on PostgreSQL)."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect().execution_options(planner_vacuum=True) as conn:
                conn.exec_driver_sql("VACUUM")
        except sa.exc.DBAPIError as exc:
            raise database_error(exc, self.location, self.hide, vacuum=True) from None

    def version(self) -> int:
        with self.read() as conn:
            return conn.execute(sa.select(schema_table.c.version)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()


def _kind(exc: BaseException) -> str:
    """What went wrong, from the driver's error code and text or the OS error number."""
    import errno

    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    state = str(getattr(orig, "sqlstate", "") or getattr(getattr(orig, "diag", None), "sqlstate", "") or "")
    number = getattr(orig, "errno", None) if isinstance(orig, OSError) else None
    if "timeout" in text or "timed out" in text or state == "57014":
        return "timeout"
    if "disk is full" in text or state == "53100" or number in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return "full"
    if "readonly" in text or "read-only" in text or state == "25006" or number == errno.EROFS:
        return "readonly"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return "damaged"
    if "locked" in text or "busy" in text or state in ("55P03", "40P01"):
        return "locked"
    if state == "42501" or "permission denied" in text or "must be owner" in text or number in (errno.EACCES, errno.EPERM):
        return "rights"
    if state.startswith("08") or state == "28P01" or state == "28000" or "connection" in text or "could not connect" in text or "resolve host" in text:
        return "connect"
    if "i/o error" in text or "unable to open database file" in text or number == errno.EIO:
        return "disk"
    return "other"


_ADVICE = {
    "timeout": ("数据库服务器没有及时应答。请确认服务器在运行、网络可达，或联系数据库管理员（要等得更久：在地址后加 ?connect_timeout=秒数）。",
                "the database server did not answer in time. Check that it is running and reachable, or ask its administrator "
                "(to wait longer, add ?connect_timeout=SECONDS to the URL)."),
    "full": ("磁盘已满（或达到文件大小上限）。请腾出空间后重试。",
             "the disk is full (or a file size limit was reached). Free some space and try again."),
    "readonly": ("案例簿是只读的（只读磁盘或只读文件）。请把案例簿复制到可写的位置，或取得写入权限。",
                 "the case book is read-only (a read-only disk or file). Copy it to a writable place, or get write access."),
    "damaged": ("案例簿文件已损坏（或不是 SQLite 数据库）。请从备份恢复；sqlite3 的 .recover 命令可以取回其余数据。",
                "the case book file is damaged (or is not an SQLite database). Restore it from a backup; sqlite3's .recover "
                "command can save what is still readable."),
    "locked": ("另一个程序正占用案例簿。请稍后重试。", "another program is holding the case book. Try again in a moment."),
    "rights": ("数据库用户没有这项操作的权限（建表或写入）。请数据库管理员授予权限（GRANT），或换一个有权限的用户。",
               "the database user lacks the rights for this (to create or write the book's tables). Ask the database "
               "administrator to grant them (GRANT), or use a user who has them."),
    "connect": ("无法连接数据库服务器。请检查地址、用户名和密码，以及服务器是否在运行。",
                "cannot connect to the database server. Check the address, the user name and password, and that the server is running."),
    "disk": ("读写案例簿时出现磁盘错误。请检查磁盘（空间、连接）后重试。",
             "a disk error while reading or writing the case book. Check the disk (space, connection) and try again."),
    "other": ("无法读写案例簿。请重试；如仍失败，请检查磁盘或数据库服务器。",
              "the case book could not be read or written. Try again; if it fails again, check the disk or the database server."),
}


_OS_ADVICE = {
    "full": _ADVICE["full"],
    "readonly": ("文件系统是只读的。请换一个可写的位置。", "the file system is read-only. Choose a writable place."),
    "rights": ("没有权限。请检查文件和文件夹的权限，或换一个位置。", "permission denied. Check the permissions of the file and its folder, or choose another place."),
    "disk": ("磁盘读写错误。请检查磁盘后重试。", "a disk error. Check the disk and try again."),
}


def database_error(exc: BaseException, where: str = "", hide=None, *, vacuum: bool = False) -> PlannerError:
    """A bilingual message for a database or OS error: what happened and what to do, never the SQL
    text or its parameters. ``hide`` scrubs the database password from a driver's text.

    >>> import sqlite3
    >>> error = sa.exc.OperationalError("INSERT INTO cases VALUES (?)", ("Client A",), sqlite3.OperationalError("database or disk is full"))
    >>> print(str(database_error(error, "book.sqlite")).split(" / ")[1])
    book.sqlite: the disk is full (or a file size limit was reached). Free some space and try again. Nothing was changed.
    """
    kind = _kind(exc)
    zh, en = _ADVICE[kind]
    if isinstance(exc, OSError):  # a file, not the database: what the system said, and what to do
        reason = exc.strerror or type(exc).__name__
        zh, en = _OS_ADVICE.get(kind, (f"无法读写文件（{reason}）。请检查路径、磁盘和权限。", f"a file could not be read or written ({reason}). Check the path, the disk and the permissions."))
    if vacuum:  # the case is already deleted; only the rebuild that erases its traces from free pages failed
        zh_done, en_done = "案例已删除，但案例簿文件未能重建（删除的内容可能仍留在空闲页中）；解决后请再删除任一案例或运行 VACUUM。",             "The case is deleted, but the book file could not be rebuilt (deleted content may remain in free pages); once fixed, run VACUUM on it."
    else:
        zh_done, en_done = "没有做任何改动。", "Nothing was changed."
    detail = ""
    if kind in ("connect", "timeout") and not isinstance(getattr(exc, "orig", exc), OSError):
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200] if str(getattr(exc, "orig", exc)).strip() else ""
        detail = f" ({hide(first) if hide else first})" if first else ""
    at = Message(f"{where}：", f"{where}: ") if where else ""
    return PlannerError("cases.store.database", at=at, advice=Message(zh, en), detail=Message("", detail), done=Message(zh_done, en_done))


def _timeouts(url: str) -> dict:
    """psycopg's connection arguments: a connect timeout and a statement timeout, unless the URL sets them.

    A server that accepts the connection and never answers then fails the command in seconds
    (with a message) instead of hanging it.
    """
    query = sa.engine.make_url(url).query
    args = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    if "options" not in query:
        args["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT * 1000}"
    return args


def _passwords(url: str) -> list[str]:
    """Every spelling of the password in ``url`` (as typed and decoded), to be scrubbed from driver messages."""
    import re
    from urllib.parse import unquote

    found = [m.group(1) for m in re.finditer(r"://[^/@:]*:([^/?#]*)@", url)] + re.findall(r"(?i)password=([^&;\s]*)", url)
    try:
        found.append(sa.engine.make_url(url).password or "")
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads
        pass
    return sorted({x for f in found for x in (f, unquote(f)) if x}, key=len, reverse=True)


def safe_url(url: str) -> str:
    """``url`` as it may be shown: its password (and any ``password=`` parameter) replaced by ``***``.

    SQLAlchemy renders a URL it can parse with the password hidden; anything else (another scheme,
    a malformed URL) has everything between ``user:`` and ``@`` masked.

    >>> safe_url("postgresql://u:SECRET@db.example.org/book")
    'postgresql://u:***@db.example.org/book'
    >>> safe_url("mysql://u:SECRET@[bad/x?password=SECRET")
    'mysql://u:***@[bad/x?password=***'
    """
    import re

    text = str(url)
    try:
        shown = sa.engine.make_url(text).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: mask by hand below
        shown = text
    shown = re.sub(r"(?i)(password=)[^&;\s]*", r"\1***", shown)
    return re.sub(r"(://[^/@:]*:)(?:[^/?#]*@|[^@]*@)", r"\1***@", shown)


class _Raced(Exception):
    """Another process created the same new book at the same moment."""


def _sqlite_engine(path: Path):
    engine = sa.create_engine(sa.engine.URL.create("sqlite", database=str(path)), connect_args={"timeout": 60})
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's begin event issue BEGIN (pysqlite's own transaction handling off).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA secure_delete = ON")
    cur.execute("PRAGMA journal_mode = DELETE")
    cur.close()


def _sqlite_begin(conn) -> None:
    options = conn.get_execution_options()
    if options.get("planner_vacuum"):
        return  # VACUUM runs outside a transaction
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("planner_write") else "BEGIN")


__all__ = [
    "APPLICATION",
    "CASE_TABLES",
    "ENV",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "database_error",
    "default_location",
    "resolve",
    "safe_url",
]
