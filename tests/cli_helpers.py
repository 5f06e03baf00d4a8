"""Helpers shared by the tests that drive the command line: sample paths, running ``planner``
in-process and as a process, and what a message must look like."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).resolve().parent.parent
ZH = str(ROOT / "sample_data" / "debts_zh.csv")
EN = str(ROOT / "sample_data" / "debts_en.csv")
SCEN = str(ROOT / "sample_data" / "scenarios_zh.toml")
START_ARGS = ["--start", "2026-12"]
#: Characters that must never reach a terminal raw: C0 (but newline), DEL, C1, bidi and format characters.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="replacing a device node takes root: the bug only shows as root")


def run(capsys, *argv):
    """``planner ARGV`` in this process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` as a process, from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
        cwd=ROOT, timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, **kwargs,
    )


def bilingual(text: str) -> bool:
    """A message with Chinese and English in it, and no traceback."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and bool(re.search(r"[A-Za-z]{4,}", text)) and "Traceback" not in text
