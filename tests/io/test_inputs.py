"""Inputs are regular files of bounded size (issue 24, item 6): a FIFO, a device or a folder given
where a file is read is refused at once with a bilingual message, never read until it ends
(a FIFO never ends without a writer; ``/dev/zero`` never ends at all).

The command-line checks run in subprocesses with a timeout: before the fix they hung.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.io import read_input

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "sample_data" / "debts_zh.csv")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "folder", "missing"])
def test_read_input_refuses_what_is_not_a_regular_file(tmp_path, fifo, kind):
    path = {"fifo": fifo, "folder": tmp_path, "missing": tmp_path / "nope.csv"}.get(kind, Path(kind))
    with pytest.raises(InputError) as info:
        read_input(path, limit=1024)
    (problem,) = info.value.problems
    assert problem.zh and problem.en
    expected = {"fifo": "FIFO", "/dev/zero": "a device", "folder": "folder", "missing": "not found"}[kind]
    assert expected in problem.en


def test_read_input_reads_a_regular_file_up_to_its_limit(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 100)
    assert read_input(path, limit=100) == b"x" * 100
    with pytest.raises(InputError, match="too large"):
        read_input(path, limit=99)


def _cli(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
        cwd=cwd, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "folder"])
def test_every_reader_on_the_command_line_refuses_it_at_once(tmp_path, fifo, source):
    path = {"fifo": fifo, "folder": tmp_path}.get(source, Path(source))
    book = tmp_path / "book.sqlite"
    assert _cli("case", "new", "A", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book).returncode == 0
    for args in (
        ["check", path],
        ["case", "new", "B", "--debts", path, "--budget", "6000", "--book", book],
        ["case", "pay", "A", "--file", path, "--book", book],
        ["case", "import", path, "--book", book],
        ["negotiate", SAMPLE, "--budget", "6000", "--scenarios", path],
    ):
        result = _cli(*args)  # before the fix: a FIFO hung here until the timeout
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert "请" in result.stderr and ("not a regular file" in result.stderr or "folder" in result.stderr)
