"""The case book's storage: SQLAlchemy Core over SQLite (default) or PostgreSQL.

One schema for both databases, written with SQLAlchemy Core (no SQL per dialect).
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PlannerError

#: The schema version this planner writes.
SCHEMA_VERSION = 3
#: Identifies a case book in ``planner_schema.application``.
APPLICATION = "debt-planner case book"
#: The environment variable naming the book (a path or a ``postgresql://`` URL).
ENV = "PLANNER_CASEBOOK"

import sqlalchemy as sa  # noqa: E402  (this module is only imported by the case layer)

_meta = sa.MetaData()

schema_table = sa.Table(
    "planner_schema", _meta,
    sa.Column("application", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


def _case_columns() -> list[sa.Column]:
    """The ``cases`` columns of schema 1 (fresh objects: a Column belongs to one Table)."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("start", sa.String(7), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("custom_order", sa.Text),  # JSON list of names, for strategy "custom"
        sa.Column("source_name", sa.String(255)),
        sa.Column("source_sha256", sa.String(64)),
        sa.Column("created_at", sa.String(32), nullable=False),
    ]


cases = sa.Table("cases", _meta, *_case_columns(), sa.Column("updated_at", sa.String(32)))  # updated_at: schema 2
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

#: Tables holding one case's rows (deleted with it).
CASE_TABLES = (debts, budgets, agreements, payments, statements, replans, contacts, evidence, asks)


def _v1_tables(meta: sa.MetaData) -> None:
    """The first schema (version 1): no statement balances, no ``cases.updated_at``."""
    for table in (schema_table, debts, budgets, agreements, payments, replans):
        table.to_metadata(meta)
    sa.Table("cases", meta, *_case_columns())


def _migrate_1(conn) -> None:
    meta = sa.MetaData()
    _v1_tables(meta)
    meta.create_all(conn)


def _migrate_2(conn) -> None:
    meta = sa.MetaData()
    statements.to_metadata(meta)
    meta.create_all(conn)
    # ADD COLUMN is the same standard SQL on SQLite and PostgreSQL.
    conn.execute(sa.text("ALTER TABLE cases ADD COLUMN updated_at VARCHAR(32)"))
    conn.execute(cases.update().values(updated_at=cases.c.created_at))


def _migrate_3(conn) -> None:
    meta = sa.MetaData()
    for table in (contacts, evidence, asks):
        table.to_metadata(meta)
    meta.create_all(conn)


#: Ordered migrations: ``MIGRATIONS[k]`` takes a book from version k to k + 1.
MIGRATIONS = [_migrate_1, _migrate_2, _migrate_3]
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
        self.location = resolve(book)
        self.is_sqlite = not _is_url(self.location)
        self._created = False
        if self.is_sqlite:
            path = Path(self.location).expanduser()
            self.path: Path | None = path
            if path.is_dir():
                raise PlannerError(f"案例簿路径是一个目录：{self.location}。请给出文件路径。 / the case book is a directory: {self.location}. Give a file path.")
            if not path.exists():
                if not create:
                    raise PlannerError(f"找不到案例簿：{self.location}。请检查路径；新建案例簿请用 planner case new。 / "
                                       f"no case book at {self.location}. Check the path; planner case new creates a book.")
                self._create_book(path, upto)
            self.engine = _sqlite_engine(path)
        else:
            self.path = None
            url = self.location
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            elif not url.startswith("postgresql+"):
                raise PlannerError(
                    f"不支持的数据库地址：{self.location}。请用文件路径或 postgresql://... / "
                    f"unsupported book URL {self.location!r}: give a file path or postgresql://user@host/db"
                )
            try:
                self.engine = sa.create_engine(url, pool_pre_ping=True)
            except (sa.exc.ArgumentError, ImportError) as exc:
                raise PlannerError(f"数据库地址无效 / the database URL is not valid: {exc}") from None
            self._created = True  # an empty database is a new book
        try:
            self._check(upto)
        except _Raced:  # another process created the schema at the same moment: read theirs
            self._check(upto)

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
        try:
            with self.write() as conn:
                names = set(sa.inspect(conn).get_table_names())
                if "planner_schema" not in names:
                    if names:
                        raise PlannerError(
                            f"{where}：这个数据库不是案例簿（没有 planner_schema 表）。请换一个文件，或用新文件名建立案例簿。 / "
                            f"{where}: this database is not a case book (no planner_schema table). Give another file, or a new file name for a new book."
                        )
                    if not self._created:  # an existing file, even empty, is not ours to take over
                        raise PlannerError(
                            f"{where}：不是案例簿（空文件或其他文件）。要新建案例簿，请给一个还不存在的文件名。 / "
                            f"{where}: is not a case book (an empty or other file). For a new book give a file name that does not exist yet."
                        )
                    version = 0
                else:
                    row = conn.execute(sa.select(schema_table.c.version).where(schema_table.c.application == APPLICATION)).first()
                    if row is None:
                        raise PlannerError(f"{where}：不是案例簿 / is not a case book")
                    version = row.version
                if version > SCHEMA_VERSION:
                    raise PlannerError(
                        f"{where}：这个案例簿由更新版本的 planner 写入（格式版本 {version}，本程序支持到 {SCHEMA_VERSION}）。请升级 planner。 / "
                        f"{where}: this case book was written by a newer planner (schema {version}; this one reads up to {SCHEMA_VERSION}). Upgrade the planner."
                    )
                try:
                    for k in range(version, upto):
                        MIGRATIONS[k](conn)
                    if version == 0:
                        conn.execute(schema_table.insert().values(application=APPLICATION, version=upto))
                    elif version < upto:
                        conn.execute(schema_table.update().values(version=upto))
                except (sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                    if version == 0 and not self.is_sqlite:  # two processes made the same new book at once
                        raise _Raced() from exc
                    raise
        except sa.exc.OperationalError as exc:  # no server, no permission, a locked or unreadable file
            raise PlannerError(f"{where}：无法打开案例簿 / cannot open the case book: {str(exc.orig).strip()[:300]}") from None
        except sa.exc.DatabaseError as exc:
            raise PlannerError(
                f"{where}：无法作为案例簿打开（文件损坏，或不是 SQLite 数据库）。 / "
                f"{where}: cannot be opened as a case book (the file is damaged or is not an SQLite database): {type(exc.orig).__name__}"
            ) from None

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self.engine.connect().execution_options(planner_write=True) as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction (one consistent view of the book)."""
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def vacuum(self) -> None:
        """Rebuild the SQLite file so nothing deleted survives in free pages (no-op on PostgreSQL)."""
        if not self.is_sqlite:
            return
        with self.engine.connect().execution_options(planner_vacuum=True) as conn:
            conn.exec_driver_sql("VACUUM")

    def version(self) -> int:
        with self.read() as conn:
            return conn.execute(sa.select(schema_table.c.version)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()


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
    "default_location",
    "resolve",
]
