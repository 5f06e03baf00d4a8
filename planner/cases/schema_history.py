"""The case book's schema, version by version, frozen as each version was released.

:data:`MIGRATIONS` ``[k]`` takes a book from version k to k + 1 (version 0 is an empty
database). Each step declares the tables it creates in its own :class:`sqlalchemy.MetaData`
and writes its data changes as SQL text, so upgrading a version-N book runs exactly the
statements it always ran, whatever today's tables in :mod:`planner.cases.store` look like.

Rules for whoever changes the schema:

- never edit a step below: a book already at that version has run it as it is;
- a change is a new step ``_step_N`` appended to :data:`MIGRATIONS` (with its tables
  written out here, not taken from ``store``), ``store.SCHEMA_VERSION`` raised, today's
  tables in ``store`` changed to match, and a fixture book of the version before added
  (``tests/cases/fixtures/make_books.py``);
- this module never imports ``store``: today's table objects change, history does not.

The versions (recovered with ``git log -p planner/cases/store.py``):

1. ``planner_schema``, ``cases`` (without ``updated_at``), ``case_debts``, ``case_budgets``,
   ``case_agreements``, ``case_payments``, ``case_replans`` (issue 12's first case book);
2. ``case_statements`` (a balance read from a statement) and ``cases.updated_at``, filled
   from ``created_at``;
3. ``case_contacts``, ``case_evidence`` and ``case_asks`` (issue 13's contact log).
"""

from __future__ import annotations

import sqlalchemy as sa


def _step_1(conn: sa.Connection) -> None:
    """Version 0 -> 1: the first case book."""
    meta = sa.MetaData()
    sa.Table(
        "planner_schema", meta,
        sa.Column("application", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    sa.Table(
        "cases", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("start", sa.String(7), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("custom_order", sa.Text),
        sa.Column("source_name", sa.String(255)),
        sa.Column("source_sha256", sa.String(64)),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    sa.Table(
        "case_debts", meta,
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("balance", sa.BigInteger, nullable=False),
        sa.Column("apr", sa.String(40), nullable=False),
        sa.Column("min_payment", sa.BigInteger, nullable=False),
        sa.Column("fees_owed", sa.BigInteger, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "position"),
    )
    sa.Table(
        "case_budgets", meta,
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "month"),
    )
    sa.Table(
        "case_agreements", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("debt", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("from_month", sa.String(7), nullable=False),
        sa.Column("confirmed", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    sa.Table(
        "case_payments", meta,
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("debt", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "month", "debt"),
    )
    sa.Table(
        "case_replans", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("made_at", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("start", sa.String(7), nullable=False),
        sa.Column("budget", sa.BigInteger, nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("debts", sa.Text, nullable=False),
        sa.Column("agreements", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    meta.create_all(conn)


def _step_2(conn: sa.Connection) -> None:
    """Version 1 -> 2: statement balances, and ``cases.updated_at`` (filled from ``created_at``)."""
    meta = sa.MetaData()
    sa.Table(
        "case_statements", meta,
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("debt", sa.String(200), nullable=False),
        sa.Column("balance", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "month", "debt"),
    )
    meta.create_all(conn)
    # ADD COLUMN is the same standard SQL on SQLite and PostgreSQL.
    conn.execute(sa.text("ALTER TABLE cases ADD COLUMN updated_at VARCHAR(32)"))
    conn.execute(sa.text("UPDATE cases SET updated_at = created_at"))


def _step_3(conn: sa.Connection) -> None:
    """Version 2 -> 3: the contact log (contacts, their evidence files, asks and answers)."""
    meta = sa.MetaData()
    sa.Table(
        "case_contacts", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("at_utc", sa.String(32), nullable=False),
        sa.Column("utc_offset", sa.Integer, nullable=False),
        sa.Column("zone", sa.String(64)),
        sa.Column("debt", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    sa.Table(
        "case_evidence", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("contact_id", sa.Integer, nullable=False, index=True),
        sa.Column("file", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    sa.Table(
        "case_asks", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False, index=True),
        sa.Column("debt", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("from_month", sa.String(7), nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("counter", sa.Text, nullable=False),
        sa.Column("confirmed", sa.Boolean, nullable=False),
        sa.Column("agreement_id", sa.Integer),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    meta.create_all(conn)


def _step_4(conn: sa.Connection) -> None:
    """Version 3 -> 4: the client's budget statement (收支表), a new version each time it changes (issue 26)."""
    meta = sa.MetaData()
    sa.Table(
        "case_budget_statements", meta,
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "version"),
    )
    meta.create_all(conn)


#: Ordered steps: ``MIGRATIONS[k]`` takes a book from version k to k + 1.
MIGRATIONS = [_step_1, _step_2, _step_3, _step_4]

__all__ = ["MIGRATIONS"]
