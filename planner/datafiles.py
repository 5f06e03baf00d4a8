"""Reading the package's data files (column aliases, kinds, LPR history)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def read_toml(name: str) -> dict:
    """The parsed ``data/<name>`` TOML file shipped with the package."""
    text = resources.files("planner").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(text)


def columns_table() -> dict:
    """The parsed ``data/columns.toml``: column aliases, kinds, totals names."""
    return read_toml("columns.toml")


@cache
def kinds() -> tuple[str, ...]:
    """The debt kinds, as English tokens, in the order of the data file."""
    return tuple(columns_table()["kinds"])
