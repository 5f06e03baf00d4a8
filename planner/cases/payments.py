"""Payments from a CSV: one row per debt and month (``month,debt,amount``).

Headers are matched like the debt loader's (:func:`planner.loader.header_key`),
with the aliases in ``data/payment_columns.toml`` (月份, 平台, 金额, ...); the
file may be UTF-8 or GBK (:func:`planner.loader.decode`). Every problem is
reported at once with its row, column and value, in Chinese and English.
"""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import InputError, PlannerError, Problem
from ..io import decode, header_key, read_input
from .model import parse_amount
from .months import month_index, month_name

#: A payments file above this size is refused (a few years of a few debts is kilobytes).
MAX_BYTES = 5 * 1024 * 1024


@cache
def _aliases() -> dict[str, str]:
    table = tomllib.loads(resources.files("planner").joinpath("data/payment_columns.toml").read_text("utf-8"))
    return {header_key(alias): canonical for canonical, spec in table.items() for alias in spec["aliases"]}


def read_payments(path) -> list[tuple[str, str, int, int]]:
    """``[(month, debt, cents, row), ...]`` from a payments CSV; a debt and month given twice is an error."""
    path = Path(path)
    label = path.name
    data = read_input(path, limit=MAX_BYTES, label=label)  # a FIFO, a device or a folder is refused at once
    text = decode(data, label)
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    if not rows:
        raise InputError([Problem.of("cases.payments.file_empty")], label)
    header = [_aliases().get(header_key(h)) for h in rows[0]]
    missing = [c for c in ("month", "debt", "amount") if c not in header]
    if missing:
        raise InputError(
            [Problem.of("cases.payments.missing_columns", missing=", ".join(missing))],
            label,
        )
    at = {c: header.index(c) for c in ("month", "debt", "amount")}
    problems, out, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        try:
            month = month_name(month_index(cell["month"]))
        except PlannerError:
            problems.append(Problem.of("cases.payments.not_month_write", number, rows[0][at["month"]], cell["month"]))
            continue
        if not cell["debt"]:
            problems.append(Problem.of("cases.payments.debt_name_empty", number, rows[0][at["debt"]], ""))
            continue
        try:
            cents = parse_amount(cell["amount"])
        except PlannerError:
            problems.append(Problem.of(
                "cases.payments.not_amount_nor_negative",
                number,
                rows[0][at["amount"]],
                cell["amount"],
            ))
            continue
        key = (month, cell["debt"])
        if key in seen:
            problems.append(Problem.of(
                "cases.payments.same_month_debt_row",
                number,
                rows[0][at["debt"]],
                cell["debt"],
                seen=seen[key],
            ))
            continue
        seen[key] = number
        out.append((month, cell["debt"], cents, number))
    if problems:
        raise InputError(problems, label)
    if not out:
        raise InputError([Problem.of("cases.payments.no_payments_file")], label)
    return out


__all__ = [
    "MAX_BYTES",
    "read_payments",
]
