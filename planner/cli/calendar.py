"""``planner calendar``: the next months' payments as a calendar file (.ics) with reminders.

``planner case calendar NAME`` (in :mod:`.case`) does the same from a case's plan in force.
"""

from __future__ import annotations

import sys

from ..errors import PlannerError
from ..i18n import t
from .common import add_debts_args, emit_json, load_debts_for, money_arg, plan_kwargs


def check_out(path) -> None:
    """Refuse an --out that is not .ics before any work."""
    if not str(path).lower().endswith(".ics"):
        raise PlannerError("io.ics.not_ics", path=path, file=str(path))


def write_and_say(cal, args, inputs) -> int:
    """Write ``cal`` to ``args.out`` (never over an existing file without --replace) and say what was written."""
    from ..io.ics import write_calendar

    lang = args.lang
    if not cal.events:
        raise PlannerError("calendar.nothing_due", first=cal.first, last=cal.last)
    written = write_calendar(cal, args.out, inputs=inputs, replace=args.replace)
    if getattr(args, "format", "table") == "json":
        emit_json({"file": str(written), "first": cal.first, "last": cal.last, "lead_days": cal.lead_days,
                   "undated": list(cal.undated), "events": cal.to_list()})
        return 0
    print(t("calendar_written", lang, path=written, n=len(cal), first=cal.events[0].due.isoformat(), last=cal.events[-1].due.isoformat(),
            days=cal.lead_days))
    if cal.undated:
        comma = "、" if lang == "zh" else ", "
        print(t("calendar_undated", lang, names=comma.join(cal.undated), day=cal.default_day), file=sys.stderr)
    return 0


def add_calendar_args(p) -> None:
    """The options ``planner calendar`` and ``planner case calendar`` share."""
    p.add_argument("--out", required=True, metavar="FILE.ics", help="the calendar file to write (never over an existing one without --replace)")
    p.add_argument("--months", type=int, default=12, help="calendar months to cover (default 12)")
    p.add_argument("--lead-days", dest="lead_days", type=int, default=3, help="days before each due date for the reminder (default 3)")
    p.add_argument("--default-day", dest="default_day", type=int, default=1,
                   help="the day of the month for debts without a due_day (还款日) column (default 1; they are listed)")
    p.add_argument("--replace", action="store_true", help="replace FILE.ics if it exists (a calendar app updates the same reminders)")


def cmd_calendar(args) -> int:
    from ..calendar import payment_calendar
    from ..engine import plan

    check_out(args.out)
    if args.budget is None:
        raise PlannerError("cli.calendar.need_budget")
    debts = load_debts_for(args)
    p = plan(debts, args.budget, args.strategy, order=args.order, **plan_kwargs(args))
    cal = payment_calendar(p, months=args.months, lang=args.lang, lead_days=args.lead_days, default_day=args.default_day)
    return write_and_say(cal, args, [args.debts])


def register(sub) -> None:
    """Add ``planner calendar``."""
    p = sub.add_parser("calendar", help="the payments of the next 12 months as a calendar file (.ics) / 还款日历")
    add_debts_args(p, planning=True)
    p.add_argument("--budget", type=money_arg, required=True, help="monthly budget for all debts, e.g. 6000")
    add_calendar_args(p)
    p.set_defaults(func=cmd_calendar)


__all__ = ["add_calendar_args", "check_out", "cmd_calendar", "register", "write_and_say"]
