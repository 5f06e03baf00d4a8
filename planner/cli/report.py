"""``planner report``: the counsellor's session report, HTML or PDF."""

from __future__ import annotations

from ..errors import PlannerError
from ..money import format_yuan
from .common import load_debts_for, money_arg, next_month


def register(subparsers) -> None:
    """Add ``planner report`` to the ``planner`` subcommands."""
    p = subparsers.add_parser("report", help="the counsellor's session report, HTML or PDF / 咨询报告与行动方案")
    p.add_argument("debts", help="CSV file (UTF-8 or GBK) or Excel workbook (.xlsx) of debts; Chinese headers accepted")
    p.add_argument("--encoding", help="force the CSV's encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--sheet", help="for an .xlsx: the sheet's name (default: the first sheet with a header row)")
    p.add_argument("--budget", type=money_arg, required=True, help="monthly budget for all debts, e.g. 6000")
    p.add_argument("--scenarios", help="negotiation scenarios (TOML) to compare in part 5")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report: zh 中文 (default) or en")
    p.add_argument("--client", help="the client's name, shown at the top (left out with --anonymise)")
    p.add_argument("--anonymise", "--anonymize", action="store_true", help="replace lender names (平台A / Lender A), drop the client's name")
    p.add_argument("--income", type=money_arg, help="monthly take-home pay (for the 30%% line)")
    p.add_argument("--essentials", type=money_arg, help="monthly essential spending (for the emergency fund)")
    p.add_argument("--statement", help="the client's budget statement, CSV/.xlsx (kind, category, amount; 类型, 类别/项目, 金额): "
                                       "shown in part 2, its income and spending used for the 30%% line, fair shares of what it leaves")
    p.add_argument("--strategy", help="force a strategy (default: least interest among those that finish)")
    p.add_argument("--start", default=next_month(), help="calendar month of month 1, e.g. 2026-12 (default: next month)")
    p.add_argument("--out", required=True, help="output file: report.html or report.pdf")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    if args.statement and (args.income is not None or args.essentials is not None):
        raise PlannerError("cli.report.statement_or_income")
    if (args.income is None) != (args.essentials is None):
        given, missing = ("--income", "--essentials") if args.income is not None else ("--essentials", "--income")
        raise PlannerError("cli.report.needs_too_budget_check", given=given, missing=missing)
    args.format = "table"
    debts = load_debts_for(args)
    from ..report import build_report, write_report  # only when a report is made: not on `planner plan`'s path

    report = build_report(
        debts, args.budget, scenarios=args.scenarios, lang=args.lang, client=args.client, anonymise=args.anonymise,
        income=args.income, essentials=args.essentials, strategy=args.strategy, start=args.start,
        statement=args.statement,
    )
    inputs = [args.debts] + ([args.scenarios] if args.scenarios else []) + ([args.statement] if args.statement else [])
    out = args.out
    if args.anonymise:  # the file's name too: no client name, ID, card or phone number in it
        from pathlib import Path

        from ..privacy import scrub_file_name

        out = Path(out).with_name(scrub_file_name(Path(out).name, (args.client,) if args.client else ()))
    written = write_report(report, out, inputs=inputs)
    print(f"{written} ({written.stat().st_size // 1024} KB)")
    if report.shortfall is not None:  # exit 0: the report is what such a client needs, but say so
        print(report.t("cli_short", amount=format_yuan(report.shortfall.amount)))
    return 0


__all__ = [
    "cmd_report",
    "register",
]
