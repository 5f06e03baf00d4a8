"""The ``planner`` command line: the same plans as the notebooks, for scripts.

Exit codes: 0 done, 2 bad input (a bilingual message, never a traceback),
1 an unexpected internal error (one line; set ``PLANNER_DEBUG=1`` for the
traceback). Nothing heavy (pandas, matplotlib) is imported on this path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
import warnings
from datetime import date
from decimal import Decimal

from . import __version__
from .errors import InfeasibleBudgetError, PlannerError
from .i18n import t
from .money import format_yuan


# ---------------------------------------------------------------------------
# small helpers


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


def _money_arg(text: str) -> Decimal:
    from .money import ParseError, parse_money

    try:
        value = parse_money(text)
    except ParseError:
        raise argparse.ArgumentTypeError(f"不是金额 / not an amount of money: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数 / cannot be negative: {text!r}")
    return value


def _month_amount(text: str) -> tuple[int, Decimal]:
    month, sep, amount = text.partition(":")
    if not sep or not month.strip().isdigit() or int(month) < 1:
        raise argparse.ArgumentTypeError(f"应写成 月份:金额，例如 13:20000 / expected MONTH:AMOUNT such as 13:20000, got {text!r}")
    return int(month), _money_arg(amount)


def _next_month() -> str:
    today = date.today()
    y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{y}-{m:02d}"


def _emit_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _load(args):
    from .loader import load_debts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        debts = load_debts(args.debts, encoding=getattr(args, "encoding", None), sheet=getattr(args, "sheet", None))
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if messages and getattr(args, "format", "table") != "json":
        print(f"{t('warnings', args.lang)}:", file=sys.stderr)
        for message in messages:
            print(f"  ! {message}", file=sys.stderr)
    return debts


def _plan_kwargs(args) -> dict:
    from .engine import DEFAULT_HORIZON

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


# ---------------------------------------------------------------------------
# commands


def cmd_check(args) -> int:
    from .cli_negotiate import rates_json, rates_section

    debts = _load(args)
    lang = args.lang
    rows = []
    for d in debts:
        rows.append(
            [
                d.name,
                d.kind,
                format_yuan(d.balance),
                f"{d.effective_apr:.2f}",
                format_yuan(d.min_payment),
                format_yuan(d.monthly_interest),
                str(d.overdue_days or ""),
                format_yuan(d.fees_owed) if d.fees_owed else "",
            ]
        )
    total_balance = sum(d.balance for d in debts)
    total_min = sum(d.min_payment for d in debts)
    total_interest = sum(d.monthly_interest for d in debts)
    if args.format == "json":
        _emit_json(
            {
                "debts": [
                    {
                        "name": d.name,
                        "kind": d.kind,
                        "balance": float(d.balance),
                        "apr": float(d.apr),
                        "effective_apr": float(d.effective_apr),
                        "min_payment": float(d.min_payment),
                        "monthly_interest": float(d.monthly_interest),
                        "overdue_days": d.overdue_days,
                        "fees_owed": float(d.fees_owed),
                        "extra": d.extras,
                        "rates": rates_json(d),
                    }
                    for d in debts
                ],
                "total_balance": float(total_balance),
                "total_min_payment": float(total_min),
                "total_monthly_interest": float(total_interest),
            }
        )
        return 0
    rows.append([t("total", lang), "", format_yuan(total_balance), "", format_yuan(total_min), format_yuan(total_interest), "", ""])
    headers = [t(k, lang) for k in ("debt", "kind", "balance", "apr", "min_payment", "monthly_interest", "overdue_days", "fees_owed")]
    print(t("debts_understood", lang, n=len(debts)))
    print(render_table(headers, rows, "llrrrrrr"))
    print(rates_section(debts, lang))
    return 0


def _plan_table(p, lang: str) -> str:
    rows = []
    for o in p.outcomes:
        when = t("never", lang) if o.payoff_month is None else str(o.payoff_month)
        if o.payoff_month and p.calendar_month(o.payoff_month):
            when += f" ({p.calendar_month(o.payoff_month)})"
        rows.append([o.name, when, format_yuan(o.interest), format_yuan(o.paid)])
    rows.append([t("total", lang), "" if p.months is None else str(p.months), format_yuan(p.total_interest), format_yuan(p.total_paid)])
    headers = [t(k, lang) for k in ("debt", "payoff_month", "interest", "paid")]
    lines = [f"{t('strategy', lang)}: {p.strategy}   {t('budget', lang)}: {format_yuan(p.budget)}"]
    if p.months is not None:
        lines.append(f"{t('debt_free', lang)}: {p.months} ({p.debt_free or '-'})")
    lines.append(render_table(headers, rows, "lrrr"))
    for o in p.outcomes:
        if o.payoff_month is None:
            lines.append(t("never_paid_note", lang, name=o.name, horizon=p.horizon, amount=format_yuan(o.needed_payment)))
    return "\n".join(lines)


def cmd_plan(args) -> int:
    from .engine import plan, required_budget

    debts = _load(args)
    kwargs = _plan_kwargs(args)
    if args.target_months is not None:
        budget = required_budget(debts, args.target_months, args.strategy, order=args.order, **kwargs)
    elif args.budget is None:
        raise PlannerError("请给出 --budget（每月预算）或 --target-months / give --budget (the monthly budget) or --target-months")
    else:
        budget = args.budget
    p = plan(debts, budget, args.strategy, order=args.order, **kwargs)
    if args.schedule:
        _write_schedule(p, args.schedule, args.debts)
    if args.format == "json":
        data = p.to_dict()
        if args.target_months is not None:
            data["target_months"] = args.target_months
        _emit_json(data)
    else:
        if args.target_months is not None:
            print(f"{t('required_budget', args.lang, months=args.target_months)}: {format_yuan(budget)}")
        print(_plan_table(p, args.lang))
    return 0


def _write_schedule(p, path, source) -> None:
    from .export import write_csv
    from .result import SCHEDULE_COLUMNS

    c = p.columns
    header = list(SCHEDULE_COLUMNS)
    if p.start is not None:
        header.insert(1, "calendar_month")
    rows = []
    for k in range(len(c.month)):
        row = [c.month[k], p.debts[c.debt[k]].name] + [
            f"{v / 100:.2f}" for v in (c.opening[k], c.interest[k], c.payment[k], c.closing[k], c.fees[k], c.forgiven[k])
        ]
        if p.start is not None:
            row.insert(1, p.calendar_month(c.month[k]))
        rows.append(row)
    write_csv(path, header, rows, inputs=[source])


def cmd_compare(args) -> int:
    from .engine import compare

    debts = _load(args)
    comparison = compare(debts, args.budget, args.strategies, order=args.order, **_plan_kwargs(args))
    if args.format == "json":
        _emit_json(comparison.to_list())
        return 0
    lang = args.lang
    rows = [
        [
            p.strategy,
            t("never", lang) if p.months is None else str(p.months),
            p.debt_free or "",
            format_yuan(p.total_interest),
            format_yuan(p.total_paid),
        ]
        for p in comparison
    ]
    headers = [t(k, lang) for k in ("strategy", "months", "debt_free", "total_interest", "total_paid")]
    print(f"{t('budget', lang)}: {format_yuan(Decimal(args.budget))}")
    print(render_table(headers, rows, "lrlrr"))
    return 0


# ---------------------------------------------------------------------------
# the parser


def _common(p: argparse.ArgumentParser, *, planning: bool) -> None:
    p.add_argument("debts", help="CSV file (UTF-8 or GBK) or Excel workbook (.xlsx) of debts; Chinese headers accepted")
    p.add_argument("--encoding", help="force the file's encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--sheet", help="for an .xlsx: the sheet's name (default: the first sheet with a header row)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the table output")
    if planning:
        p.add_argument("--strategy", default="avalanche", help="avalanche, snowball, minimum_only, cash_flow_index, highest_interest_cost, custom")
        p.add_argument("--order", type=lambda s: [x.strip() for x in s.split(",") if x.strip()], help="for --strategy custom: names, comma-separated")
        p.add_argument("--extra", type=_month_amount, action="append", metavar="MONTH:AMOUNT", help="a one-off extra payment, e.g. 13:20000 (repeatable)")
        p.add_argument("--budget-from", type=_month_amount, action="append", metavar="MONTH:AMOUNT", help="a new monthly budget from that month on (repeatable)")
        p.add_argument("--start", default=_next_month(), help="calendar month of month 1, e.g. 2026-12 (default: next month)")
        p.add_argument("--horizon", type=int, help="months to simulate at most (default 600; with --target-months at least that)")


def _register_negotiation(sub) -> None:
    from .cli_negotiate import register

    register(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Debt repayment and negotiation planner / 债务还款与协商规划",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="show the debts as understood / 检查债务清单")
    _common(p, planning=False)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("plan", help="a repayment plan for one strategy / 还款计划")
    _common(p, planning=True)
    p.add_argument("--budget", type=_money_arg, help="monthly budget for all debts, e.g. 6000")
    p.add_argument("--target-months", type=int, help="instead of a budget: find the budget that clears everything by then")
    p.add_argument("--schedule", help="write the month-by-month schedule to this CSV")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("compare", help="every strategy side by side / 比较策略")
    _common(p, planning=True)
    p.add_argument("--budget", type=_money_arg, required=True, help="monthly budget, e.g. 6000")
    p.add_argument("--strategies", type=lambda s: [x.strip() for x in s.split(",")], help="comma-separated (default: all)")
    p.set_defaults(func=cmd_compare)

    for register in _EXTENSIONS:
        register(sub)
    return parser


#: Functions that add more subcommands (negotiation, reports, batch): each takes the subparsers.
_EXTENSIONS: list = []
_EXTENSIONS.append(_register_negotiation)


def _register_report(sub) -> None:
    from .report import register  # light: the report's heavy imports happen when it runs

    register(sub)


_EXTENSIONS.append(_register_report)


def _register_batch(sub) -> None:
    from .cli_batch import register  # light: numpy/pandas are imported when the command runs

    register(sub)


_EXTENSIONS.append(_register_batch)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PlannerError as exc:
        print(str(exc), file=sys.stderr)
        if isinstance(exc, InfeasibleBudgetError) and args.command in ("plan", "compare"):
            # Whom to call and what to ask for, so the payments fit: the report handles such a budget.
            print(f"{t('cli_infeasible_hint', 'zh')}\n{t('cli_infeasible_hint', 'en')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("PLANNER_DEBUG"):
            raise
        print(f"内部错误 / internal error: {type(exc).__name__}: {exc}. Set PLANNER_DEBUG=1 for details.", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
