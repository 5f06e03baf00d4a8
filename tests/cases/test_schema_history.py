"""Old case books upgrade as they always did: committed fixture books of every schema version
(made by the frozen steps in ``planner/cases/schema_history.py``, see
``tests/cases/fixtures/make_books.py``) are opened, upgraded and compared, row by row and field by
field, with what they held, and, table by table, with a book made new today."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.cases import CaseBook
from planner.cases import store
from tests.cases.fixtures import make_books

FIXTURES = Path(__file__).parent / "fixtures"
OLD = [v for v in make_books.VERSIONS if v <= store.SCHEMA_VERSION]


def schema_of(engine) -> dict:
    """Tables, columns (name, type, nullable, default), primary keys, indexes and unique constraints, as the database reports them."""
    out = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in sorted(inspector.get_table_names()):
            out[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in inspector.get_columns(table)],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
                "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            }
    return out


def rows_of(engine) -> dict[str, list[dict]]:
    """Every row of every case table, booleans as ``bool`` (SQLite keeps 0/1), sorted (:func:`_sorted`)."""
    out = {}
    with engine.connect() as conn:
        for table in make_books.ROWS:
            if not sa.inspect(conn).has_table(table):
                continue
            rows = conn.execute(sa.text(f"SELECT * FROM {table}")).mappings()
            out[table] = [{k: bool(v) if k in ("confirmed", "consent") else v for k, v in r.items()} for r in rows]
    return _sorted(out)


def _sorted(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Each table's rows in one order whatever the database's collation (by their values' text)."""
    return {t: sorted(rows, key=lambda r: [(k, repr(v)) for k, v in r.items()]) for t, rows in tables.items()}


def _copy(version: int, tmp_path) -> str:
    target = tmp_path / f"book_v{version}.sqlite"
    shutil.copyfile(FIXTURES / f"book_v{version}.sqlite", target)
    return str(target)


@pytest.mark.parametrize("version", OLD)
def test_a_fixture_book_holds_its_version_and_rows(version, tmp_path):
    path = _copy(version, tmp_path)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version FROM planner_schema")).scalar_one() == version
        assert rows_of(engine) == _sorted(make_books.rows_at(version))
    finally:
        engine.dispose()


@pytest.mark.parametrize("version", OLD)
def test_an_old_book_upgrades_keeping_every_row_and_field(version, tmp_path):
    path = _copy(version, tmp_path)
    book = store.Store(path)  # upgrades
    try:
        assert book.version() == store.SCHEMA_VERSION
        assert rows_of(book.engine) == _sorted(make_books.rows_after_upgrade(version))
        fresh = store.Store(str(tmp_path / "fresh.sqlite"))
        try:
            assert schema_of(book.engine) == schema_of(fresh.engine)
        finally:
            fresh.close()
    finally:
        book.close()
    cases = CaseBook(path, today="2027-06")  # and the case layer reads it
    try:
        assert cases.names() == ["Li Hua", "王小明"]
        assert cases.status("王小明").debts[0].actual_balance == Decimal("8835.97")
        assert cases.case("王小明").data.payments[("2027-02", "招商信用卡")] == 170025
    finally:
        cases.close()


@pytest.mark.parametrize("version", OLD)
def test_the_frozen_steps_still_make_the_committed_books(version, tmp_path):
    """Editing a released step in schema_history changes what make_books makes: the committed book no longer matches."""
    made = tmp_path / f"v{version}.sqlite"
    make_books.make(str(made), version)
    committed, remade = sa.create_engine(f"sqlite:///{FIXTURES / f'book_v{version}.sqlite'}"), sa.create_engine(f"sqlite:///{made}")
    try:
        assert schema_of(remade) == schema_of(committed)
        with committed.connect() as a, remade.connect() as b:
            sql = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            assert b.execute(sa.text(sql)).all() == a.execute(sa.text(sql)).all()
    finally:
        committed.dispose()
        remade.dispose()


def test_todays_tables_are_what_the_migrations_make(tmp_path):
    """A new book (every frozen step) has exactly today's tables in store.py: a column changed there without a new step fails here."""
    fresh = store.Store(str(tmp_path / "fresh.sqlite"))
    declared = sa.create_engine(f"sqlite:///{tmp_path / 'declared.sqlite'}")
    try:
        store.schema_table.metadata.create_all(declared)
        assert schema_of(fresh.engine) == schema_of(declared)
    finally:
        fresh.close()
        declared.dispose()


def test_schema_history_never_uses_todays_tables():
    import ast
    import inspect

    from planner.cases import schema_history

    tree = ast.parse(inspect.getsource(schema_history))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"annotations", "sqlalchemy"} and modules <= {"__future__"}
    assert len(schema_history.MIGRATIONS) == store.SCHEMA_VERSION


def test_an_old_book_upgrades_on_postgresql(postgres_url):
    from tests.cases.pg_fixtures import new_pg_database

    old, fresh_url = new_pg_database(postgres_url), new_pg_database(postgres_url)
    make_books.make(old, 1)
    book, fresh = store.Store(old), store.Store(fresh_url)
    try:
        assert book.version() == store.SCHEMA_VERSION
        assert rows_of(book.engine) == _sorted(make_books.rows_after_upgrade(1))
        assert schema_of(book.engine) == schema_of(fresh.engine)
    finally:
        book.close()
        fresh.close()
