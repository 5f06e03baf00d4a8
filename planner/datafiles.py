"""Reading the package's data files (column aliases, kinds, LPR history)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def columns_table() -> dict:
    """The parsed ``data/columns.toml``: column aliases, kinds, totals names."""
    text = resources.files("planner").joinpath("data/columns.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def kinds() -> tuple[str, ...]:
    """The debt kinds, as English tokens, in the order of the data file."""
    return tuple(columns_table()["kinds"])
