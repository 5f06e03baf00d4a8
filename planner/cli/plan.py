"""``planner check``, ``planner plan`` and ``planner compare``."""

from __future__ import annotations

import sys
from decimal import Decimal

from ..engine import compare, plan, required_budget
from ..errors import PlannerError
from ..i18n import t
from ..io import write_csv
from ..money import format_yuan
from ..result import SCHEDULE_COLUMNS
from .common import add_debts_args, cell, emit_json, kind_name, strategy_name, load_debts_for, money_arg, plan_kwargs, render_table
from .negotiate import rates_json, rates_section


def cmd_check(args) -> int:
    debts = load_debts_for(args)
    if args.debt is not None:  # a lender's claim on one debt (核对欠款金额)
        from .claim import cmd_check_claim

        return cmd_check_claim(args, debts)
    lang = args.lang
    rows = []
    penalty_notes = []
    for d in debts:
        charged = f"{d.effective_apr:.2f}"
        if d.effective_apr != d.apr:  # overdue with a penalty rate: say so, and give the contract rate
            charged += "*"
            penalty_notes.append(t("apr_penalty_note", lang, name=cell(d.name), apr=f"{d.apr:.2f}"))
        rows.append(
            [
                d.name,
                kind_name(d.kind, lang),
                format_yuan(d.balance),
                charged,
                format_yuan(d.min_payment) + (f" ({d.min_rule})" if d.min_percent is not None else ""),  # 10%+100: month 1's
                format_yuan(d.monthly_interest),
                str(d.overdue_days or ""),
                format_yuan(d.fees_owed) if d.fees_owed else "",
            ]
        )
    total_balance = sum(d.balance for d in debts)
    total_min = sum(d.min_payment for d in debts)
    total_interest = sum(d.monthly_interest for d in debts)
    if args.format == "json":
        emit_json(
            {
                "debts": [
                    {
                        "name": d.name,
                        "kind": d.kind,
                        "balance": float(d.balance),
                        "apr": float(d.apr),
                        "effective_apr": float(d.effective_apr),
                        "min_payment": float(d.min_payment),
                        **({"min_rule": d.min_rule} if d.min_percent is not None else {}),
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
    headers = [t(k, lang) for k in ("debt", "kind", "balance", "apr_charged", "min_payment", "monthly_interest", "overdue_days", "fees_owed")]
    print(t("debts_understood", lang, n=len(debts)))
    print(render_table(headers, rows, "llrrrrrr"))
    for note in penalty_notes:
        print(note)
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
    lines = [f"{t('strategy', lang)}: {strategy_name(p.strategy, lang)}   {t('budget', lang)}: {format_yuan(p.budget)}"]
    if p.months is not None:
        lines.append(f"{t('debt_free', lang)}: {p.months} ({p.debt_free or '-'})")
    lines.append(render_table(headers, rows, "lrrr"))
    for o in p.outcomes:
        if o.payoff_month is None:
            lines.append(t("never_paid_note", lang, name=cell(o.name), horizon=p.horizon, amount=format_yuan(o.needed_payment)))
    return "\n".join(lines)


def cmd_plan(args) -> int:
    if args.target_months is not None and args.budget is not None:
        raise PlannerError("cli.plan.budget_budget_target_months")
    if args.schedule is not None:  # before any work: an empty name, a folder, a device or an input is refused now
        schedule_target(args.schedule, args.debts)
    debts = load_debts_for(args)
    kwargs = plan_kwargs(args)
    if args.target_months is not None:
        budget = required_budget(debts, args.target_months, args.strategy, order=args.order, **kwargs)
    elif args.budget is None:
        raise PlannerError("cli.plan.budget_monthly_budget_target")
    else:
        budget = args.budget
    p = plan(debts, budget, args.strategy, order=args.order, **kwargs)
    if args.schedule is not None:
        written, rows = _write_schedule(p, args.schedule, args.debts)
        print(t("schedule_written", args.lang, path=written, rows=rows), file=sys.stderr)
    _note_unused_months(args, p)
    if args.format == "json":
        data = p.to_dict()
        if args.target_months is not None:
            data["target_months"] = args.target_months
        emit_json(data)
    else:
        if args.target_months is not None:
            print(f"{t('required_budget', args.lang, months=args.target_months)}: {format_yuan(budget)}")
        print(_plan_table(p, args.lang))
    return 0


def _note_unused_months(args, p) -> None:
    """Say so (stderr) when an --extra or --budget-from month comes after the plan is already debt-free."""
    if p.months is None:
        return
    late = sorted({m for m, _ in (args.extra or [])} | {m for m, _ in (args.budget_from or [])})
    late = [m for m in late if m > p.months]
    if late:
        months = ", ".join(str(m) for m in late)
        print(
            f"注意：第 {months} 个月的额外还款或预算变化不会用到：第 {p.months} 个月已全部还清。\n"
            f"Note: the extra payment or budget change in month {months} is not used: everything is paid off in month {p.months}.",
            file=sys.stderr,
        )


def schedule_target(path, source):
    """Where ``--schedule`` will write: refuses an empty name, a folder, a device, FIFO or socket, and the input."""
    from ..io import output_target, refuse_inputs

    target = output_target(path)
    refuse_inputs(target, [source])
    return target


def _write_schedule(p, path, source):
    header = list(SCHEDULE_COLUMNS)
    if p.start is not None:
        header.insert(1, "calendar_month")
    rows = []
    for r in p.schedule_rows():
        row = [r.month, p.debts[r.debt].name] + [
            f"{v / 100:.2f}" for v in (r.opening, r.interest, r.payment, r.closing, r.fees, r.forgiven)
        ]
        if p.start is not None:
            row.insert(1, p.calendar_month(r.month))
        rows.append(row)
    return write_csv(path, header, rows, inputs=[source]).resolve(), len(rows)


def cmd_compare(args) -> int:
    if args.strategy is not None:
        raise PlannerError("cli.plan.compare_runs_every_strategy", strategy=args.strategy)
    debts = load_debts_for(args)
    comparison = compare(debts, args.budget, args.strategies, order=args.order, **plan_kwargs(args))
    if args.format == "json":
        emit_json(comparison.to_list())
        return 0
    lang = args.lang
    rows = [
        [
            strategy_name(p.strategy, lang),
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


def register(sub) -> None:
    """Add ``check``, ``plan`` and ``compare`` to the ``planner`` subcommands."""
    p = sub.add_parser("check", help="show the debts as understood; with --debt, check a lender's claim / 检查债务清单；核对欠款金额")
    add_debts_args(p, planning=False)
    p.add_argument("--debt", help="check what this debt's lender claims against its contract (with --claimed-... or --statement)")
    from .claim import add_claim_args

    add_claim_args(p, case=False)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("plan", help="a repayment plan for one strategy / 还款计划")
    add_debts_args(p, planning=True)
    p.add_argument("--budget", type=money_arg, help="monthly budget for all debts, e.g. 6000")
    p.add_argument("--target-months", type=int, help="instead of a budget: find the budget that clears everything by then")
    p.add_argument("--schedule", metavar="OUT.csv", help="write the month-by-month schedule to this CSV (UTF-8 with BOM); says where on stderr")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("compare", help="every strategy side by side / 比较策略")
    add_debts_args(p, planning=True)
    p.add_argument("--budget", type=money_arg, required=True, help="monthly budget, e.g. 6000")
    p.add_argument("--strategies", type=lambda s: [x.strip() for x in s.split(",")], help="comma-separated (default: all); add custom with --order")
    p.set_defaults(func=cmd_compare, strategy=None)


__all__ = [
    "cmd_check",
    "cmd_compare",
    "cmd_plan",
    "register",
    "schedule_target",
]
