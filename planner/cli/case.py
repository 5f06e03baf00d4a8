"""``planner case ...``: the case book on the command line.

Every command takes ``--book PATH_OR_URL`` (default ``$PLANNER_CASEBOOK``, else
``casebook.sqlite`` in the user's data directory). The case layer (and with it
SQLAlchemy) is imported only when a ``case`` command runs, so ``planner plan``
starts as fast as before. Bad input exits 2 with a bilingual message and
changes nothing in the book.
"""

from __future__ import annotations

import argparse
import json

from ..errors import Message, PlannerError
from ..money import format_yuan

_ACTIONS = ("freeze_interest", "extend_term", "reduce_rate", "cap_rate", "waive_fees", "settle", "defer")


def _undecodable(args) -> None:
    """Refuse an argument that is not text: bytes from a GBK terminal reach Python as lone surrogates
    (which no database, file or terminal can take), so say how to fix the terminal instead."""
    import os

    for option, value in vars(args).items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                try:
                    guess = os.fsencode(item).decode("gb18030")
                    hint_zh, hint_en = f"（按 GBK 读是“{guess}”）", f" (read as GBK it says {guess!r})"
                except (UnicodeError, ValueError):
                    hint_zh = hint_en = ""
                name = "--" + option.replace("_", "-") if option not in ("name", "file") else option.upper()
                raise PlannerError("cli.case.not_utf_text_terminal", name=name, hint=Message(hint_zh, hint_en))


def _guarded(func):
    """``func`` with every database or OS error turned into a bilingual message (exit 2): what
    happened and what to do, never SQL text, its parameters or a traceback."""

    def run(args) -> int:
        _undecodable(args)
        try:
            return func(args)
        except (PlannerError, KeyboardInterrupt, BrokenPipeError):
            raise
        except OverflowError:
            raise PlannerError("cli.case.date_number_out_range") from None
        except Exception as exc:
            import sys

            from ..cases import database_error

            sa = sys.modules.get("sqlalchemy")
            if isinstance(exc, OSError) or (sa is not None and isinstance(exc, sa.exc.SQLAlchemyError)):
                raise database_error(exc, str(getattr(exc, "filename", "") or "")) from None
            raise

    run.__name__ = run.__qualname__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def _emit(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _table(headers, rows, align=None) -> str:
    from .common import render_table

    return render_table(headers, rows, align)


def _open(args, *, create: bool = False):
    """The book of ``--book``; only ``case new`` and ``case import`` create one (a mistyped path makes nothing)."""
    from ..cases import CaseBook

    return CaseBook(args.book, evidence_dir=getattr(args, "evidence_dir", None), create=create)


def _t(key: str, lang: str, **fields) -> str:
    from ..i18n import t

    return t(key, lang, **fields)


def cmd_new(args) -> int:
    with _open(args, create=True) as book:
        order = [x.strip() for x in args.order.split(",")] if args.order else None
        case = book.new(args.name, args.debts, args.budget, args.strategy, start=args.start, order=order)
        p = case.plan()
        print(_t("case_created", args.lang, name=case.name, start=case.data.start, n=len(case.data.debts), when=p.debt_free or "-"))
    return 0


def cmd_list(args) -> int:
    with _open(args) as book:
        load = book.caseload()
    if args.format == "json":
        _emit(load.to_list())
        _warn_broken(load, args.lang)
        return 0
    lang = args.lang
    headers = [_t(k, lang) for k in ("case_client", "case_owed_start", "case_owed_now", "case_paid_pct", "case_vs_plan", "case_debt_free",
                                     "case_unconfirmed", "case_list_get_in_writing", "case_list_flagged", "case_list_clearance", "case_last_update")]
    rows = [
        [r.client, format_yuan(r.owed_at_start), format_yuan(r.owed_now), f"{r.percent_paid}%", ahead_text(r.ahead_by, lang), r.debt_free or _t("case_never", lang),
         str(r.unconfirmed), str(r.get_in_writing), ", ".join(f"{k} {v}" for k, v in r.flagged_by_lender.items()) or "-",
         ("、" if lang == "zh" else ", ").join(r.clearance_todo) or "-", (r.last_update or "")[:10]]
        for r in load
    ]
    print(_table(headers, rows, "lrrrrrrrlll") if rows else _t("case_book_empty", lang))
    _warn_broken(load, args.lang)
    return 0


def _warn_broken(load, lang: str) -> None:
    """Name each case the book could not read or work out (the others are listed)."""
    import sys

    for name, reason in load.broken:
        zh, _, en = reason.partition(" / ")
        print(_t("case_list_broken", lang, name=name, reason=zh if lang == "zh" or not en else en), file=sys.stderr)


def show_text(status, lang: str) -> str:
    """The table form of ``case show``."""
    s = status
    lines = [
        f"{_t('case_client', lang)}: {s.name}   {_t('case_start', lang)}: {s.start}   {_t('case_as_of', lang)}: {s.as_of or '-'}",
        f"{ahead_text(s.ahead_by, lang)}   {_t('case_months_ahead', lang)}: {s.months_ahead if s.months_ahead is not None else '-'}",
        f"{_t('case_debt_free', lang)}: {s.debt_free or _t('case_never', lang)}   {_t('case_planned_debt_free', lang)}: {s.planned_debt_free or _t('case_never', lang)}",
        f"{_t('case_paid_to_date', lang)}: {format_yuan(s.paid_to_date)}   {_t('case_interest_to_date', lang)}: {format_yuan(s.interest_to_date)}   "
        f"{_t('case_saved_vs_minimums', lang)}: {format_yuan(s.saved_vs_minimums)}",
        "",
    ]
    headers = [_t(k, lang) for k in ("debt", "case_planned", "case_actual", "case_paid_to_date", "case_late_fees", "case_unexplained", "case_status")]
    rows = [
        [d.name, format_yuan(d.planned_balance), format_yuan(d.actual_balance), format_yuan(d.paid_to_date), format_yuan(d.late_fees),
         format_yuan(d.unexplained_charges), _t(f"case_status_{d.status}", lang)]
        for d in s.debts
    ]
    lines.append(_table(headers, rows, "lrrrrrl"))
    if any(d.late_fees for d in s.debts):  # issue 27: which rule charged them, and how sure it is
        from ..latefees import rule

        for kind in dict.fromkeys(d.kind for d in s.plan.debts if any(x.late_fees and x.name == d.name for x in s.debts)):
            lines.append(_t("case_late_fee_rule", lang, note=rule(kind).note(lang), source=rule(kind).source_in(lang)))
    if s.agreements:
        lines.append("")
        headers = [_t(k, lang) for k in ("debt", "case_action", "case_from", "case_confirmed")]
        rows = [[a.adjustment.who(lang), _t(f"action_{a.action}", lang), a.from_month, _t("case_in_writing" if a.confirmed else "case_get_in_writing", lang)] for a in s.agreements]
        lines.append(_table(headers, rows, "llll"))
    from ..conduct import rules

    comma = "、" if lang == "zh" else ", "
    for debt, counts in s.flagged_contacts.items():  # issue 13: the contact log's flags per lender
        lines.append(_t("case_flagged_contacts_of", lang, debt=debt,
                        counts=comma.join(f"{rules()[r].label(lang)} {n}" for r, n in counts.items())))
    for a in s.get_in_writing:
        lines.append(_t("case_ask_get_in_writing", lang, debt=a.adjustment.who(lang), action=_t(f"action_{a.action}", lang), month=a.from_month))
    if s.clearance:  # issue 26: after a debt is cleared, what is still to do (until done)
        lines += ["", _t("clearance_title", lang) + ":"] + [f"  {c.line(lang)}" for c in s.clearance]
    return "\n".join(lines)


def cmd_show(args) -> int:
    with _open(args) as book:
        status = book.status(args.name)
    if args.format == "json":
        _emit(status.to_dict())
    else:
        print(show_text(status, args.lang))
    return 0


def cmd_pay(args) -> int:
    if (args.file is None) == (args.debt is None):
        raise PlannerError("cli.case.debt_amount_file_payments")
    with _open(args) as book:
        before = len(book.case(args.name).data.replans)
        if args.file is not None:
            if args.month or args.amount is not None:
                raise PlannerError("cli.case.file_file_months_amounts")
            case = book.pay_file(args.name, args.file)
        else:
            if args.amount is None or not args.month:
                raise PlannerError("cli.case.debt_needs_month_amount")
            case = book.pay(args.name, args.month, {args.debt: args.amount})
        print(_t("case_recorded", args.lang))
        _say_replanned(case, before, args.lang)
    return 0


def _say_replanned(case, before: int, lang: str) -> None:
    """A correction before the latest re-plan re-planned the case: say so."""
    if len(case.data.replans) > before:
        p = case.plan()
        print(_t("case_replanned_after_correction", lang, start=p.calendar_month(1), when=p.debt_free or _t("case_never", lang)))


def cmd_balance(args) -> int:
    with _open(args) as book:
        before = len(book.case(args.name).data.replans)
        case = book.balance(args.name, args.month, args.debt, args.balance)
        print(_t("case_recorded", args.lang))
        _say_replanned(case, before, args.lang)
    return 0


def ahead_text(amount, lang: str) -> str:
    """"Ahead of plan by" or "behind plan by" a positive amount (see :func:`planner.cases.ahead_text`)."""
    from ..cases import ahead_text as words

    return words(amount, lang)


def _selector(text: str):
    parts = [x.strip() for x in text.split(",")]
    return tuple(parts) if len(parts) > 1 else text.strip()


def cmd_agree(args) -> int:
    params = {
        "months": args.months, "apr": args.apr, "fraction": args.fraction, "line": args.line, "month": args.settle_month,
        "start": args.defer_start, "accrue": args.accrue, "include_accrued": args.include_accrued,
    }
    with _open(args) as book:
        book.agree(args.name, _selector(args.debt), args.action, args.from_month, confirmed=args.confirmed, **params)
        print(_t("case_recorded", args.lang))
    return 0


def _params(args) -> dict:
    return {
        "months": args.months, "apr": args.apr, "fraction": args.fraction, "line": args.line, "month": args.settle_month,
        "start": args.defer_start, "accrue": args.accrue, "include_accrued": args.include_accrued,
    }


def cmd_contact(args) -> int:
    with _open(args) as book:
        book.add_contact(
            args.name, args.debt, args.at, tz=args.tz, channel=args.channel, direction=args.direction, summary=args.summary,
            who=args.who or "", evidence=args.evidence or (), consent=args.consent,
        )
        log = book.contacts(args.name)
    flags = max(log, key=lambda c: c["id"])["flags"] if log else []
    if flags:
        from ..conduct import rules

        comma = "、" if args.lang == "zh" else ", "
        print(_t("case_recorded_flags", args.lang, flags=comma.join(rules()[r].label(args.lang) for r in flags)))
    else:
        print(_t("case_recorded", args.lang))
    return 0


def cmd_contacts(args) -> int:
    with _open(args) as book:
        log = book.contacts(args.name)
    if args.format == "json":
        _emit([{k: c[k] for k in ("at", "debt", "channel", "direction", "who", "summary", "consent", "evidence", "flags")} for c in log])
        return 0
    from ..conduct import rules

    lang = args.lang
    headers = [_t(k, lang) for k in ("letter_when", "debt", "letter_channel", "contacts_direction", "letter_who", "letter_summary",
                                     "contacts_evidence", "letter_rules")]
    comma = "、" if lang == "zh" else ", "
    rows = [
        [c["at"][:16].replace("T", " ") + c["at"][19:], c["debt"], _t(f"channel_{c['channel']}", lang),
         _t(f"contacts_direction_{c['direction']}", lang), c["who"], c["summary"][:40],
         str(len(c["evidence"])) + _changed_note(c, lang), comma.join(rules()[r].label(lang) for r in c["flags"]) or "-"]
        for c in log
    ]
    print(_table(headers, rows, "llllllrl") if rows else "-")
    return 0


def _changed_note(contact: dict, lang: str) -> str:
    """`` (1 changed since intake!)`` when a stored evidence copy no longer matches its fingerprint."""
    changed = sum(1 for e in contact["evidence"] if e.get("intact") is False)
    return f" ({_t('case_evidence_changed', lang, n=changed)})" if changed else ""


def cmd_ask(args) -> int:
    with _open(args) as book:
        book.ask(
            args.name, _selector(args.debt), args.action, args.from_month, answer=args.answer, counter=args.counter or "",
            confirmed=args.confirmed, **_params(args),
        )
        print(_t("case_recorded", args.lang))
    return 0


def cmd_clear(args) -> int:
    with _open(args) as book:
        case = book.clear(args.name, args.debt, proof_asked=args.proof_asked, proof_received=args.proof_received,
                          report_checked=args.report_checked, undo=args.undo or ())
        left = [c for c in case.checklists() if c.debt == args.debt]
    print(_t("case_recorded", args.lang))
    if left and left[0].done:
        print(_t("clearance_done", args.lang, debt=args.debt))
    elif left:
        print(left[0].line(args.lang))
    return 0


def cmd_calendar(args) -> int:
    from .calendar import check_out, write_and_say

    check_out(args.out)
    with _open(args) as book:
        cal = book.case(args.name).calendar(months=args.months, lang=args.lang, lead_days=args.lead_days, default_day=args.default_day)
        return write_and_say(cal, args, book.own_files)


def _out_path(args, client: str):
    """The output file (its suffix checked); with ``--anonymise`` its name loses the client's name and ID, card and phone numbers."""
    from pathlib import Path

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".pdf", ".txt"):
        raise PlannerError("cli.case.out_end_html_pdf", out=args.out)
    if getattr(args, "anonymise", False):
        from ..privacy import scrub_file_name

        out = out.with_name(scrub_file_name(out.name, (client,)))
    return out, suffix


def cmd_letter(args) -> int:
    with _open(args) as book:
        case = book.case(args.name)
        out, suffix = _out_path(args, case.name)
        from ..report.letters import case_letter, write_document

        doc, _ = case_letter(case, args.debt, lang=args.lang, anonymise=args.anonymise, hardship=args.hardship or "",
                             income=args.income, essentials=args.essentials)
        write_document(doc, out, book.own_files)
    print(out)
    return 0


def cmd_complaint(args) -> int:
    from ..report.letters import case_complaint, write_document

    with _open(args) as book:
        case = book.case(args.name)
        out, suffix = _out_path(args, case.name)
        doc = case_complaint(case, args.debt, lang=args.lang, anonymise=args.anonymise)
        write_document(doc, out, book.own_files)
    print(out)
    return 0


def cmd_check(args) -> int:
    """A lender's claim on one debt of the case, against the contract from the case's start."""
    from ..cases import case_claim
    from ..money import as_date
    from .claim import claim_from_args, refuse_taken_letter, show_check, write_letter

    refuse_taken_letter(args)
    with _open(args) as book:
        case = book.case(args.name)
        since = as_date(args.since, "--since") if args.since else None
        result = case_claim(case, args.debt, claim_from_args(args, case=True), since=since)
        show_check(result.check, args, unexplained=result.unexplained)
        write_letter(result.check, args, client=case.name, inputs=book.own_files)
    return 0


def cmd_replan(args) -> int:
    with _open(args) as book:
        case = book.replan(args.name, budget=args.budget, reason=args.reason or "", strategy=args.strategy)
        p = case.plan()
        print(_t("case_replanned", args.lang, start=p.calendar_month(1), when=p.debt_free or _t("case_never", args.lang)))
    return 0


def cmd_export(args) -> int:
    with _open(args) as book:  # refuses the book itself, its journal and its evidence folder, however the book was named
        book.export(args.name, args.out)
    print(_t("case_exported", args.lang, path=args.out))
    return 0


def cmd_import(args) -> int:
    with _open(args, create=True) as book:
        names = book.import_(args.file)
    print(_t("case_imported", args.lang, n=len(names)))
    return 0


def cmd_delete(args) -> int:
    if not args.yes:
        raise PlannerError("cli.case.deleting_cannot_undone_add")
    with _open(args) as book:
        left = book.delete(args.name)
    if left:  # say what is still on disk rather than "nothing is left"
        print(_t("case_deleted_files_left", args.lang, n=len(left), files="\n".join(f"  {p}" for p in left)))
        return 0
    print(_t("case_deleted", args.lang))
    return 0


def cmd_report(args) -> int:
    from ..report.followup import write_followup

    with _open(args) as book:
        case = book.case(args.name)
        path = write_followup(case, args.out, lang=args.lang, inputs=book.own_files)
    print(path)
    return 0


def _money(text: str) -> str:
    # Checked by the case layer (parse_amount), which names the value and the fix.
    return text


def _add_terms(p) -> None:
    """The terms of an adjustment, as in scenario files (``case agree`` and ``case ask``)."""
    p.add_argument("--months", type=int)
    p.add_argument("--apr")
    p.add_argument("--fraction")
    p.add_argument("--line")
    p.add_argument("--settle-month", dest="settle_month", type=int, help="settle: the month of the payment, counted from --from (1)")
    p.add_argument("--defer-start", dest="defer_start", type=int, help="defer: the first month held, counted from --from (1)")
    p.add_argument("--accrue", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--include-accrued", dest="include_accrued", action=argparse.BooleanOptionalAction, default=None)


def cmd_statement(args) -> int:
    """Store the client's budget statement (a new version when it changed)."""
    with _open(args) as book:
        before = len(book.case(args.name).data.budget_statements)
        case = book.set_statement(args.name, args.file, args.from_month, people=args.people)
        s = case.statement
        versions = len(case.data.budget_statements)
        print(_t("case_statement_stored" if versions > before else "case_statement_same", args.lang, name=case.name, version=versions,
                 left=format_yuan(s.left_for_debts)))
    return 0


def cmd_accept(args) -> int:
    """A lender accepted its fair share: an accepted ask; confirmed in writing, the agreement."""
    with _open(args) as book:
        offer = book.fair_shares(args.name, floor=args.floor)[args.debt]
        case = book.accept_offer(args.name, offer, args.from_month, confirmed=args.confirmed, frozen=not args.at_rate)
        ask = case.data.asks[-1]
        print(_t("case_offer_accepted" if ask.agreement_id is not None else "case_offer_in_writing", args.lang, debt=args.debt,
                 monthly=format_yuan(offer.monthly), month=ask.from_month))
    return 0


def register(sub) -> None:
    """Add ``planner case ...`` (light: nothing heavy is imported here)."""
    case = sub.add_parser("case", help="follow clients month by month: the case book / 案例簿")
    commands = case.add_subparsers(dest="case_command", required=True)

    def add(name, help, func):
        p = commands.add_parser(name, help=help)
        p.add_argument("--book", help="the case book: a file path or postgresql://... (default: $PLANNER_CASEBOOK, else the user data dir)")
        p.add_argument("--lang", choices=("en", "zh"), default="en")
        p.set_defaults(func=_guarded(func))
        return p

    p = add("new", "open a case from a debts file / 新建案例", cmd_new)
    p.add_argument("name")
    p.add_argument("--debts", required=True, help="the debts file (CSV or .xlsx), as loaded now")
    p.add_argument("--budget", required=True, type=_money, help="monthly budget, e.g. 6000")
    p.add_argument("--strategy", default="avalanche")
    p.add_argument("--order", help="for --strategy custom: names, comma-separated")
    p.add_argument("--start", help="the first month, YYYY-MM (default: this month)")

    p = add("list", "every case at a glance / 案例一览", cmd_list)
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = add("show", "where a case stands / 案例现状", cmd_show)
    p.add_argument("name")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = add("pay", "record payments / 记录还款", cmd_pay)
    p.add_argument("name")
    p.add_argument("--month", help="YYYY-MM")
    p.add_argument("--debt")
    p.add_argument("--amount", type=_money)
    p.add_argument("--file", help="a CSV: month,debt,amount (月份,平台,金额 accepted)")

    p = add("balance", "record a statement balance / 记录账单余额", cmd_balance)
    p.add_argument("name")
    p.add_argument("--month", required=True)
    p.add_argument("--debt", required=True)
    p.add_argument("--balance", required=True, type=_money)

    p = add("agree", "record an agreement with a lender / 记录协商结果", cmd_agree)
    p.add_argument("name")
    p.add_argument("--debt", required=True, help='a name, names comma-separated, "*", "kind:card", "overdue", "apr>24"')
    p.add_argument("--action", required=True, choices=_ACTIONS)
    p.add_argument("--from", dest="from_month", required=True, help="the calendar month it takes effect, YYYY-MM")
    p.add_argument("--confirmed", action="store_true", help="confirmed in writing")
    _add_terms(p)

    from ..conduct import CHANNELS, DIRECTIONS

    p = add("statement", "store the client's budget statement / 存入收支表", cmd_statement)
    p.add_argument("name")
    p.add_argument("file", help="a budget statement CSV/.xlsx: kind, category, amount (类型, 类别/项目, 金额)")
    p.add_argument("--from", dest="from_month", help="the calendar month it holds from, YYYY-MM (default: this month)")
    p.add_argument("--people", type=int, default=1, help="how many people the spending feeds")

    p = add("accept", "a lender accepted its fair-share offer / 贷款方接受按比例方案", cmd_accept)
    p.add_argument("name")
    p.add_argument("--debt", required=True)
    p.add_argument("--from", dest="from_month", help="the calendar month it takes effect, YYYY-MM (default: this month)")
    p.add_argument("--confirmed", action="store_true", help="confirmed in writing: it becomes the agreement")
    p.add_argument("--at-rate", action="store_true", help="accepted with interest going on (default: interest frozen)")
    p.add_argument("--floor", type=_money, help="the floor used for the offers (default 50)")

    p = add("contact", "log a contact with a lender or collector / 记录联系", cmd_contact)
    p.add_argument("name")
    p.add_argument("--debt", required=True, help="the lender, as named on the debt list")
    p.add_argument("--at", required=True, help='local date and time, "2027-01-05 21:40" (or with its offset, +08:00)')
    p.add_argument("--tz", help="the time zone of --at (default Asia/Shanghai)")
    p.add_argument("--channel", required=True, choices=CHANNELS)
    p.add_argument("--direction", required=True, choices=DIRECTIONS, help="in: they contacted us; out: we contacted them")
    p.add_argument("--summary", default="")
    p.add_argument("--who", help="the caller's name or number as given")
    p.add_argument("--consent", action="store_true", help="the borrower agreed to be contacted at that hour")
    p.add_argument("--evidence", nargs="+", help="recordings, screenshots, PDFs (copied with their SHA-256)")
    p.add_argument("--evidence-dir", dest="evidence_dir", help="the evidence folder (needed for a PostgreSQL book; default $PLANNER_EVIDENCE_DIR)")

    p = add("contacts", "the contact log with flags / 联系记录", cmd_contacts)
    p.add_argument("name")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = add("ask", "record an ask to a lender and its answer / 记录协商请求", cmd_ask)
    p.add_argument("name")
    p.add_argument("--debt", required=True)
    p.add_argument("--action", required=True, choices=_ACTIONS)
    p.add_argument("--from", dest="from_month", help="the calendar month it would take effect, YYYY-MM (default: this month)")
    p.add_argument("--answer", choices=("accepted", "refused", "counter", "pending"), default="pending")
    p.add_argument("--counter", help="a counter-offer's terms, as told")
    p.add_argument("--confirmed", action="store_true", help="the answer is confirmed in writing")
    _add_terms(p)

    # the steps of planner.cases.clearance.ITEMS (not imported here: the case layer loads SQLAlchemy)
    clearance_items = ("proof_asked", "proof_received", "report_checked")
    p = add("clear", "after a debt is cleared: settlement proof and credit report / 结清后：结清证明与征信", cmd_clear)
    p.add_argument("name")
    p.add_argument("debt", help="the cleared debt, as named on the debt list")
    p.add_argument("--proof-asked", dest="proof_asked", metavar="DATE", help="the day the settlement proof (结清证明) was asked for, 2027-05-10")
    p.add_argument("--proof-received", dest="proof_received", metavar="DATE", help="the day the settlement proof was received")
    p.add_argument("--report-checked", dest="report_checked", metavar="DATE", help="the day the credit report (征信报告) was checked and shows it settled")
    p.add_argument("--undo", nargs="+", choices=clearance_items, help="take back a step entered by mistake")

    from .calendar import add_calendar_args

    p = add("calendar", "the plan in force as a calendar file (.ics) with reminders / 还款日历", cmd_calendar)
    p.add_argument("name")
    add_calendar_args(p)
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = add("letter", "the written request for a debt's latest ask / 协商还款申请书", cmd_letter)
    p.add_argument("name")
    p.add_argument("--debt", required=True)
    p.add_argument("--out", required=True, help="letter.html, letter.pdf or letter.txt")
    p.add_argument("--anonymise", action="store_true", help="leave out the client's name and phone numbers")
    p.add_argument("--hardship", help="why the client cannot pay as before, in their own words")
    p.add_argument("--income", type=_money, help="monthly take-home pay (with --essentials: the affordability figures and the 30%% line)")
    p.add_argument("--essentials", type=_money, help="monthly essential spending")

    p = add("complaint", "the complaint pack about a lender's contacts / 投诉材料", cmd_complaint)
    p.add_argument("name")
    p.add_argument("--debt", required=True)
    p.add_argument("--out", required=True, help="complaint.html, complaint.pdf or complaint.txt")
    p.add_argument("--anonymise", action="store_true", help="leave out the client's name and phone numbers")

    p = add("check", "check a lender's claim against the contract; the dispute letter / 核对欠款金额与异议申请", cmd_check)
    p.add_argument("name")
    p.add_argument("debt", help="the debt, as named on the debt list")
    p.add_argument("--format", choices=("table", "json"), default="table")
    from .claim import add_claim_args

    add_claim_args(p, case=True)

    p = add("replan", "re-plan from the actual balances / 重新规划", cmd_replan)
    p.add_argument("name")
    p.add_argument("--budget", type=_money)
    p.add_argument("--reason")
    p.add_argument("--strategy")

    p = add("export", "write one case to JSON / 导出案例", cmd_export)
    p.add_argument("name")
    p.add_argument("--out", required=True)

    p = add("import", "read a case from JSON / 导入案例", cmd_import)
    p.add_argument("file")

    p = add("delete", "erase a case / 删除案例", cmd_delete)
    p.add_argument("name")
    p.add_argument("--yes", action="store_true")
    p.add_argument("--evidence-dir", dest="evidence_dir", help="the evidence folder (a PostgreSQL book; default $PLANNER_EVIDENCE_DIR)")

    p = add("report", "the follow-up report (HTML or PDF) / 跟进报告", cmd_report)
    p.set_defaults(lang="zh")  # the client's report is in Chinese unless told, as the session report is
    p.add_argument("name")
    p.add_argument("--out", required=True, help="report.html or report.pdf")


__all__ = ["register", "show_text"]
