"""docs/conventions.md quotes the 全额计息 worked example: its figures are the script's.

The script (scripts/full_interest_example.py) computes both sides; by hand, the first cycle is
10,000 × 0.05% × 34 days + 9,000 × 0.05% × 12 days = 170.00 + 54.00 = 224.00 for the bank and
10,000 × 18.25% / 12 = 152.083… → 152.08 for the planner's month.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("full_interest_example", ROOT / "scripts" / "full_interest_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_cycle_by_hand():
    s = _script().summary()
    assert (s["first_bank"], s["first_planner"], s["first_difference"]) == (Decimal("224.00"), Decimal("152.08"), Decimal("71.92"))


def test_the_docs_quote_the_scripts_numbers():
    s = _script().summary()
    doc = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Card interest charged in full"):]
    for key in s:
        assert f"¥{s[key]:,}" in section, key
    assert f"{s['total_difference'] / s['total_bank'] * 100:.1f}%" in section
