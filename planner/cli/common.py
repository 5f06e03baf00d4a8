"""What every ``planner`` subcommand shares: argument types, the debts argument group,
loading with warnings on stderr, JSON output and plain-text tables that line up Chinese.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import warnings
from decimal import Decimal

from ..display import display_width as _width
from ..display import escape_controls
from ..errors import message
from ..i18n import t
from ..result import next_month


class SafeStream(io.TextIOBase):
    """A text stream that shows terminal control characters escaped (:func:`planner.display.escape_controls`).

    Newlines pass; ESC, BEL, backspace, carriage return, C1 controls and bidi overrides
    from a hostile file never reach the terminal as such. ``unescaped`` is the stream
    underneath (for a progress bar, which needs its carriage returns).
    """

    def __init__(self, stream):
        self.unescaped = stream

    def write(self, text: str) -> int:
        self.unescaped.write(escape_controls(text, keep_newlines=True))
        return len(text)

    def flush(self) -> None:
        self.unescaped.flush()

    def isatty(self) -> bool:
        return self.unescaped.isatty()

    def fileno(self) -> int:
        return self.unescaped.fileno()

    @property
    def encoding(self):
        return getattr(self.unescaped, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def safe_terminal():
    """While the command runs, everything printed to stdout and stderr goes through :class:`SafeStream`."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = out, err


def cell(value) -> str:
    """A table cell: control characters and newlines shown escaped, so a name cannot break the layout."""
    return escape_controls(value)


def render_table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A plain-text table that lines up Chinese text too. ``align``: one ``l``/``r`` per column."""
    cells = [[cell(v) for v in headers]] + [[cell(v) for v in r] for r in rows]
    headers, rows = cells[0], cells[1:]
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


def strategy_name(name: str, lang: str) -> str:
    """A strategy as the table shows it: the option's own word in English, its Chinese name in Chinese."""
    from ..strategies import STRATEGY_LABELS

    if lang == "zh" and name in STRATEGY_LABELS:
        return STRATEGY_LABELS[name][0]
    return name


def kind_name(kind: str, lang: str) -> str:
    """A kind of debt as the table shows it: the CSV token in English (``online_loan``), the Chinese word in Chinese."""
    from ..i18n import labels

    key = f"kind_{kind}"
    if lang == "zh" and key in labels():
        return t(key, lang)
    return kind


def money_arg(text: str) -> Decimal:
    from ..money import ParseError, parse_money

    try:
        value = parse_money(text)
    except ParseError:
        raise argparse.ArgumentTypeError(str(message("cli.common.not_amount", text=text))) from None
    if value < 0:
        raise argparse.ArgumentTypeError(str(message("cli.common.negative", text=text)))
    return value


def names_arg(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    if not names:
        raise argparse.ArgumentTypeError(str(message("cli.common.names", text=text)))
    return names


def month_amount(text: str) -> tuple[int, Decimal]:
    month, sep, amount = text.partition(":")
    if not sep or not month.strip().isdigit() or int(month) < 1:
        raise argparse.ArgumentTypeError(str(message("cli.common.month_amount", text=text)))
    return int(month), money_arg(amount)


def to_json(data, indent: int = 2, _level: int = 0) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, except that money keeps two decimals.

    A float with at most two decimals (every amount of yuan) is written with exactly two:
    ``6000.00``, not ``6000.0``; any other float (a monthly rate such as 1.067) as Python writes it.

    >>> to_json({"budget": 6000.0, "rate": 1.067, "months": 16, "name": "借呗"}, indent=0).replace("\\n", " ")
    '{ "budget": 6000.00, "rate": 1.067, "months": 16, "name": "借呗" }'
    """
    pad = "\n" + " " * (indent * (_level + 1))
    end = "\n" + " " * (indent * _level)
    if isinstance(data, dict):
        if not data:
            return "{}"
        items = [f"{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent, _level + 1)}" for k, v in data.items()]
        return "{" + pad + ("," + pad).join(items) + end + "}"
    if isinstance(data, (list, tuple)):
        if not data:
            return "[]"
        return "[" + pad + ("," + pad).join(to_json(v, indent, _level + 1) for v in data) + end + "]"
    if isinstance(data, float) and not isinstance(data, bool) and data == data and abs(data) != float("inf"):
        if round(data, 2) == data and abs(data) < 1e15:
            return f"{data:.2f}"
    return json.dumps(data, ensure_ascii=False)


def emit_json(data) -> None:
    """Print ``data`` as indented JSON (:func:`to_json`: money with two decimals)."""
    print(to_json(data))


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


def add_output_args(p: argparse.ArgumentParser) -> None:
    """``--format`` and ``--lang``, with the same help everywhere."""
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default): aligned text for people; json: one JSON document for programs (money in yuan, two decimals)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the table output: en (default) or zh 中文; JSON keys and values are the same in both")


def add_debts_args(p: argparse.ArgumentParser, *, planning: bool) -> None:
    p.add_argument("debts", help="CSV file (UTF-8 or GBK) or Excel workbook (.xlsx) of debts; Chinese headers accepted")
    p.add_argument("--encoding", help="force the file's encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--sheet", help="for an .xlsx: the sheet's name (default: the first sheet with a header row)")
    add_output_args(p)
    if planning:
        p.add_argument("--strategy", default="avalanche", help="avalanche (default), snowball, minimum_only, cash_flow_index, highest_interest_cost, custom (with --order)")
        p.add_argument("--order", type=names_arg, help="for --strategy custom: names, comma-separated")
        p.add_argument("--extra", type=month_amount, action="append", metavar="MONTH:AMOUNT", help="a one-off extra payment, e.g. 13:20000 (repeatable)")
        p.add_argument("--budget-from", type=month_amount, action="append", metavar="MONTH:AMOUNT", help="a new monthly budget from that month on (repeatable)")
        p.add_argument("--start", default=next_month(), help="calendar month of month 1, e.g. 2026-12 (default: next month)")
        p.add_argument("--horizon", type=int, help="months to simulate at most (default 600; with --target-months at least that)")


__all__ = [
    "SafeStream",
    "add_debts_args",
    "add_output_args",
    "cell",
    "emit_json",
    "kind_name",
    "load_debts_for",
    "money_arg",
    "month_amount",
    "names_arg",
    "plan_kwargs",
    "render_table",
    "safe_terminal",
    "strategy_name",
    "to_json",
]
