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
    """The parsed ``data/columns.toml``: column aliases, kinds, totals names.

    Returns
    -------
    dict
        One table per canonical column (its ``zh`` name and aliases), and ``kinds``.

    Examples
    --------
    >>> "balance" in columns_table() and "card" in columns_table()["kinds"]
    True
    """
    return read_toml("columns.toml")


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
    return read_toml("report.toml")


__all__ = ["columns_table", "kinds", "read_toml", "report_table"]
