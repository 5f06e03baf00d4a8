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


@cache
def report_table() -> dict:
    """The parsed ``data/report.toml``: the report's parameters and texts.

    Its texts are read through :func:`planner.i18n.t` (keys ``report.*``); only
    the report's parameters (``[params]``) are read from here directly.

    >>> report_table()["params"]["first_months"]
    6
    """
    text = resources.files("planner").joinpath("data/report.toml").read_text("utf-8")
    return tomllib.loads(text)


__all__ = ["columns_table", "kinds", "report_table"]
