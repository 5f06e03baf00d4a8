"""Fixtures for the case-book tests: the same tests on SQLite and on a real PostgreSQL.

PostgreSQL 15 comes from Debian (``/usr/lib/postgresql/15/bin``; CI installs it with
``scripts/install-system-deps.sh`` as it installs Chromium). The server is started
once per test session in a temporary directory, listening on a free port on
127.0.0.1 and on a unix socket in that directory, and stopped at the end. PostgreSQL
refuses to run as root, so as root it runs as the ``postgres`` user (``runuser``).
Without the binaries the PostgreSQL variants are skipped, saying why.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PLANNER_PG_BIN", "/usr/lib/postgresql/15/bin"))
_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """Base URL of a throw-away PostgreSQL server (``postgresql://postgres@127.0.0.1:PORT``)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}: install Debian's postgresql (scripts/install-system-deps.sh)")
    root = Path(tempfile.mkdtemp(prefix="planner-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    os.chmod(root, 0o700)
    data, log, port = root / "data", root / "server.log", _free_port()
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C")
        run(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            "start",
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr or exc.stdout}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_pg_database(base: str) -> str:
    """A fresh empty database on the test server; its URL."""
    import psycopg

    name = f"casebook_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(base.replace("postgresql://", "postgresql://", 1) + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def book_location(request, tmp_path):
    """Where a new, empty book goes: a file path (SQLite) or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "book.sqlite")
    return new_pg_database(request.getfixturevalue("postgres_url"))
