"""What every ``planner`` subcommand shares: argument types, the debts argument group,
loading with warnings on stderr, JSON output and plain-text tables that line up Chinese.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
import warnings
from decimal import Decimal

from ..i18n import t
from ..result import next_month


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A plain-text table that lines up Chinese text too. ``align``: one ``l``/``r`` per column."""
    cells = [headers] + rows
    widths = [max(_width(str(r[k])) for r in cells) for k in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row):
        out = []
        for k, value in enumerate(row):
            text = str(value)
            pad = " " * (widths[k] - _width(text))
            out.append(text + pad if align[k] == "l" else pad + text)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def money_arg(text: str) -> Decimal:
    from ..money import ParseError, parse_money

    try:
        value = parse_money(text)
    except ParseError:
        raise argparse.ArgumentTypeError(f"不是金额 / not an amount of money: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数 / cannot be negative: {text!r}")
    return value


def month_amount(text: str) -> tuple[int, Decimal]:
    month, sep, amount = text.partition(":")
    if not sep or not month.strip().isdigit() or int(month) < 1:
        raise argparse.ArgumentTypeError(f"应写成 月份:金额，例如 13:20000 / expected MONTH:AMOUNT such as 13:20000, got {text!r}")
    return int(month), money_arg(amount)


def emit_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def load_debts_for(args):
    from ..io import load_debts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        debts = load_debts(args.debts, encoding=getattr(args, "encoding", None), sheet=getattr(args, "sheet", None))
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if messages and getattr(args, "format", "table") != "json":
        print(f"{t('warnings', args.lang)}:", file=sys.stderr)
        for message in messages:
            print(f"  ! {message}", file=sys.stderr)
    return debts


def plan_kwargs(args) -> dict:
    from ..engine import DEFAULT_HORIZON

    horizon = args.horizon
    if horizon is None:  # not given: the default, or long enough for --target-months
        horizon = max(DEFAULT_HORIZON, getattr(args, "target_months", None) or 0)
    return {
        "extra": _sum_by_month(args.extra),
        "budget_changes": dict(args.budget_from or []),
        "horizon": horizon,
        "start": args.start,
    }


def _sum_by_month(pairs) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for month, amount in pairs or []:
        out[month] = out.get(month, Decimal(0)) + amount
    return out


def add_debts_args(p: argparse.ArgumentParser, *, planning: bool) -> None:
    p.add_argument("debts", help="CSV file (UTF-8 or GBK) or Excel workbook (.xlsx) of debts; Chinese headers accepted")
    p.add_argument("--encoding", help="force the file's encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--sheet", help="for an .xlsx: the sheet's name (default: the first sheet with a header row)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the table output")
    if planning:
        p.add_argument("--strategy", default="avalanche", help="avalanche, snowball, minimum_only, cash_flow_index, highest_interest_cost, custom")
        p.add_argument("--order", type=lambda s: [x.strip() for x in s.split(",") if x.strip()], help="for --strategy custom: names, comma-separated")
        p.add_argument("--extra", type=month_amount, action="append", metavar="MONTH:AMOUNT", help="a one-off extra payment, e.g. 13:20000 (repeatable)")
        p.add_argument("--budget-from", type=month_amount, action="append", metavar="MONTH:AMOUNT", help="a new monthly budget from that month on (repeatable)")
        p.add_argument("--start", default=next_month(), help="calendar month of month 1, e.g. 2026-12 (default: next month)")
        p.add_argument("--horizon", type=int, help="months to simulate at most (default 600; with --target-months at least that)")


__all__ = [
    "add_debts_args",
    "emit_json",
    "load_debts_for",
    "money_arg",
    "month_amount",
    "plan_kwargs",
    "render_table",
]
