"""Command-line pieces for negotiation: ``planner negotiate``, ``planner apr`` and the
true-rate section of ``planner check``.

Registered through :data:`planner.cli._EXTENSIONS`. Nothing heavy is imported
at module level: scipy only when an IRR is solved, pandas never.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

from ..errors import PlannerError, message
from ..i18n import t
from ..money import format_yuan
from .common import add_debts_args, add_output_args, cell, strategy_name, emit_json, load_debts_for, money_arg, plan_kwargs, render_table


def rates_section(debts, lang: str = "en") -> str:
    """For ``planner check``: each debt's true APR and the reference lines it crosses, in words."""
    from ..negotiation import overdue_costs
    from ..references import assess, disclaimer, kind_note

    assessments = [assess(d) for d in debts]
    rows = []
    for a in assessments:
        crossed = [a.line(k).label(lang) for k in a.crossed_applicable]
        rows.append(
            [
                a.name,
                f"{a.true_rate.nominal:.2f}",
                f"{a.true_rate.effective:.2f}",
                f"{a.penalty_rate:.2f}" if a.penalty_rate is not None else "",
                ", ".join(crossed),
            ]
        )
    headers = [t("debt", lang), t("true_apr", lang), t("effective_apr", lang), t("penalty_apr", lang), t("lines_crossed", lang)]
    lines = ["", t("rates_heading", lang), render_table(headers, rows, "lrrrl")]
    for a in assessments:
        lines.append(f"  - {cell(a.explain(lang, note=False))}")
    for kind in dict.fromkeys(a.kind for a in assessments):
        lines.append(f"  * {kind_note(kind, lang)}")
    for c in overdue_costs(debts):
        lines.append(
            "  ! "
            + t(
                "overdue_cost_note",
                lang,
                name=cell(c.name),
                interest=format_yuan(c.interest_per_month),
                extra=format_yuan(c.penalty_extra_per_month),
                fees=format_yuan(c.fees_owed),
            )
        )
    lines.append(disclaimer(lang))
    return "\n".join(lines)


def rates_json(debt) -> dict:
    """For ``planner check --format json``: the true rate, the lines, and the cost of staying overdue."""
    from ..negotiation import overdue_cost
    from ..references import assess

    out = assess(debt).to_dict()
    out.pop("name")
    out.pop("kind")
    if debt.is_overdue:
        out["overdue_cost"] = overdue_cost(debt).to_dict()
    return out


# ---------------------------------------------------------------------------
# planner negotiate


def cmd_negotiate(args) -> int:
    from ..io import load_scenarios
    from ..negotiation import negotiate

    debts = load_debts_for(args)
    scenarios = load_scenarios(args.scenarios)
    result = negotiate(debts, args.budget, scenarios, args.strategy, order=args.order, **plan_kwargs(args))
    if args.format == "json":
        emit_json(result.to_dict())
        return 0
    lang = args.lang

    def months(p):
        return t("never", lang) if p.months is None else str(p.months)

    rows = [
        [t("negotiation_baseline", lang), months(result.baseline), format_yuan(result.baseline.total_interest), format_yuan(result.baseline.total_paid), "", format_yuan(result.baseline_pressure), "", ""]
    ]
    for r in result:
        s = r.savings
        rows.append(
            [
                r.name,
                months(r.plan),
                format_yuan(r.plan.total_interest),
                format_yuan(r.plan.total_paid),
                format_yuan(r.plan.total_forgiven) if r.plan.total_forgiven else "",
                format_yuan(r.monthly_pressure),
                format_yuan(s.total_paid),
                "" if s.months is None else str(s.months),
            ]
        )
    headers = [t(k, lang) for k in ("scenario", "months", "total_interest", "total_paid", "forgiven", "monthly_pressure", "saved_total", "saved_months")]
    print(f"{t('strategy', lang)}: {strategy_name(result.baseline.strategy, lang)}   {t('budget', lang)}: {format_yuan(result.baseline.budget)}")
    print(render_table(headers, rows, "lrrrrrrr"))
    for r in result:
        if len(r.contributions) > 1:
            print(f"\n{cell(r.name)} — {t('contributions', lang)}:")
            for c in r.contributions:
                print(f"  {c.step}. {cell(c.adjustment.describe(lang))}: {format_yuan(c.savings.total_paid)}")
        if r.lump_short > 0:
            print(
                t("lump_short_note", lang, name=cell(r.name), needed=format_yuan(r.lump_needed), short=format_yuan(r.lump_short), lump=format_yuan(r.scenario.lump))
            )
        for tr in r.savings_tracks:  # issue 27: a settlement saved up for, month by month
            print(f"\n{cell(r.name)} — {t('savings_track_title', lang, debt=cell(tr.debt))}:")
            print("  " + tr.explain(lang))
            rows = [[str(m), format_yuan(d), format_yuan(b)] for m, d, b in tr.rows()]
            table = render_table([t(k, lang) for k in ("savings_month", "savings_deposit", "savings_balance")], rows, "rrr")
            print("\n".join("  " + line for line in table.split("\n")))
    return 0


# ---------------------------------------------------------------------------
# planner apr


def _positive(kind):
    def parse(text: str):
        from ..money import ParseError, parse_number

        try:  # a comma only as a thousands separator, as in the loader: "1,2" is not 12
            value = parse_number(text.strip().rstrip("%"))
        except ParseError as exc:
            raise argparse.ArgumentTypeError(str(message("cli.negotiate.not_number", text=text, exc=exc))) from None
        if not value.is_finite() or value < 0:
            raise argparse.ArgumentTypeError(str(message("cli.negotiate.negative", text=text)))
        return kind(value) if kind is int else value

    return parse


def _periods(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(str(message("cli.negotiate.periods_whole", text=text))) from None
    if not 1 <= value <= 1200:
        raise argparse.ArgumentTypeError(str(message("cli.negotiate.periods_range", text=text)))
    return value


#: Which options each way of quoting a loan uses (the first present in this order is the one computed).
_APR_MODES = (
    ("daily_rate", {"daily_rate"}),
    ("fee_rate", {"fee_rate", "periods", "principal"}),
    ("cash_flows", {"cash_flows"}),
    ("principal", {"principal", "payment", "periods", "upfront_fee"}),
)


def _refuse_unused(args) -> None:
    """An option the chosen computation would not use is an error, not silently dropped."""
    given = {k for _, used in _APR_MODES for k in used if getattr(args, k, None) is not None}
    for key, used in _APR_MODES:
        if getattr(args, key) is not None:
            unused = sorted(given - used)
            if unused:
                shown = ", ".join("--" + k.replace("_", "-") for k in unused)
                mode = "--" + key.replace("_", "-")
                raise PlannerError("cli.negotiate.computation_not_leave_them", mode=mode, shown=shown)
            return


def cmd_apr(args) -> int:
    from .. import rates

    payment = None
    _refuse_unused(args)
    if args.daily_rate is not None:
        result = rates.daily_rate_apr(args.daily_rate)
    elif args.fee_rate is not None:
        if args.periods is None:
            raise PlannerError("cli.negotiate.fee_rate_needs_periods")
        result = rates.flat_fee_rate(args.fee_rate, args.periods)
        if args.principal is not None:
            payment = rates.flat_fee_payment(args.principal, args.fee_rate, args.periods)
    elif args.cash_flows:
        try:
            flows = [Decimal(x) for x in args.cash_flows]
        except ArithmeticError:
            raise PlannerError("cli.negotiate.cash_flows_numbers_separated", cash_flows=','.join(args.cash_flows)) from None
        result = rates.true_apr(flows)
    elif args.principal is not None and args.payment is not None and args.periods is not None:
        result = rates.upfront_fee_apr(args.principal, args.upfront_fee or 0, args.payment, args.periods)
        payment = args.payment
    else:
        raise PlannerError("cli.negotiate.give_one_of")
    if args.format == "json":
        data = result.to_dict()
        if payment is not None:
            data["payment"] = float(payment)
        emit_json(data)
        return 0
    lang = args.lang
    rows = [
        [t("apr_nominal", lang), f"{result.nominal:.2f}%"],
        [t("apr_effective", lang), f"{result.effective:.2f}%"],
        [t("apr_monthly", lang), f"{result.monthly:.4f}%"],
    ]
    if payment is not None:
        rows.append([t("apr_payment", lang), format_yuan(payment)])
    print(render_table(["", ""], rows, "lr").split("\n", 2)[2])
    return 0


def register(sub) -> None:
    """Add ``negotiate`` and ``apr`` to the ``planner`` subcommands."""
    p = sub.add_parser("negotiate", help="what negotiated relief saves / 协商方案比较")
    add_debts_args(p, planning=True)
    p.add_argument("--budget", type=money_arg, required=True, help="monthly budget, e.g. 6000")
    p.add_argument("--scenarios", required=True, help="TOML file of scenarios (see sample_data/scenarios_zh.toml)")
    p.set_defaults(func=cmd_negotiate)

    p = sub.add_parser("apr", help="true annual rate (IRR) of a quote / 计算真实年化利率")
    p.add_argument("--fee-rate", type=_positive(Decimal), help="flat monthly fee on the original principal, percent (0.6 = 0.6%%/月)")
    p.add_argument("--daily-rate", type=_positive(Decimal), help="daily rate, percent (0.05 = 万5)")
    p.add_argument("--principal", type=_positive(Decimal), help="amount borrowed (the contract's principal)")
    p.add_argument("--upfront-fee", type=_positive(Decimal), help="fee or interest taken out of the principal up front (砍头息)")
    p.add_argument("--payment", type=_positive(Decimal), help="each monthly payment")
    p.add_argument("--periods", type=_periods, help="number of monthly payments")
    p.add_argument("--cash-flows", type=lambda s: [x.strip() for x in s.split(",") if x.strip()], help="explicit monthly flows, period 0 first: 99000,-8833.3,...")
    add_output_args(p)
    p.set_defaults(func=cmd_apr)


__all__ = [
    "cmd_apr",
    "cmd_negotiate",
    "rates_json",
    "rates_section",
    "register",
]
