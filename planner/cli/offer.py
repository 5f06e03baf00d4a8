"""``planner offer``: fair-share offers to every lender (按比例分配的协商方案).

``planner offer DEBTS (--budget B | --statement FILE) [--format table|json] [--lang zh|en]``, or
``planner offer --case NAME [--book BOOK]`` with the case's stored budget statement. JSON:
``{"available", "minimums", "covered", "offers": [{"debt", "priority", "monthly",
"months_frozen", "months_at_rate", ...}]}``, money as numbers in yuan.
"""

from __future__ import annotations

from ..errors import PlannerError
from ..i18n import t
from ..money import format_yuan
from .common import add_output_args, cell, emit_json, load_debts_for, money_arg, render_table


def cmd_offer(args) -> int:
    from ..offers import DEFAULT_FLOOR, fair_shares

    floor = DEFAULT_FLOOR if args.floor is None else args.floor
    statement = None
    if args.case:
        if args.debts or args.budget is not None or args.statement:
            raise PlannerError("cli.offer.case_with_files")
        from ..cases import CaseBook

        with CaseBook(args.book, create=False) as book:
            case = book.case(args.case)
            statement = case.statement
            result = case.fair_shares(floor=floor)
    else:
        if not args.debts or (args.budget is None) == (args.statement is None):
            raise PlannerError("cli.offer.need_budget")
        debts = load_debts_for(args)
        if args.statement:
            from ..io import load_statement

            statement = load_statement(args.statement, encoding=args.encoding, people=args.people)
            available = statement.left_for_debts
        else:
            available = args.budget
        result = fair_shares(debts, available, floor=floor)
    if args.letters:
        _write_letters(args, result, statement)
    if args.format == "json":
        out = result.to_dict()
        if statement is not None:
            out["statement"] = {"income": float(statement.income), "spending": float(statement.spending),
                                "left_for_debts": float(statement.left_for_debts), "debt_limit": float(statement.debt_limit),
                                "emergency_fund": float(statement.emergency_fund), "flags": [f.code for f in statement.flags()]}
        emit_json(out)
        return 0
    lang = args.lang
    if statement is not None:
        print(t("cli_offer_statement", lang))
        print(render_table([t("budget_kind", lang), t("budget_category", lang), t("budget_amount", lang)], [list(r) for r in statement.rows(lang)], "llr"))
        for label, amount in statement.summary(lang):
            print(f"  {label}: {amount}")
        for flag in statement.flags():
            print(f"  ! {flag.text(lang)}")
        print()
    print(result.headline(lang))
    print(render_table(result.headers(lang), [[cell(c) for c in row] for row in result.rows(lang)], "llrrrrrrrr"))
    if not result.floor_met:
        print(t("offer_floor_not_met", lang, floor=format_yuan(result.floor)))
    if not result.covered:  # issue 27: which assumption each "months" column makes about late fees
        print(t("offer_late_fee_note", lang))
    return 0


def _write_letters(args, result, statement) -> None:
    """One request letter per lender into the folder ``--letters`` (``1-<lender>.html`` ...), never over an input."""
    import re
    from pathlib import Path

    from ..report import share_letters, write_document

    folder = Path(args.letters)
    folder.mkdir(parents=True, exist_ok=True)
    inputs = [Path(p) for p in (args.debts, args.statement) if p]
    letters = share_letters(result, lang=args.letter_lang or args.lang, statement=statement, client=args.client, anonymise=args.client is None)
    for k, (lender, doc) in enumerate(letters.items(), start=1):
        safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", lender)[:60] or "lender"
        write_document(doc, folder / f"{k}-{safe}.{args.letter_format}", inputs=inputs)
    print(t("cli_offer_letters", args.lang, n=len(letters), folder=str(folder)), file=__import__("sys").stderr)


def register(sub) -> None:
    """Add ``planner offer``."""
    p = sub.add_parser("offer", help="fair-share offers to every lender / 按比例分配的协商方案")
    p.add_argument("debts", nargs="?", help="CSV file (UTF-8 or GBK) or Excel workbook (.xlsx) of debts (a priority column 是/否 marks priority debts)")
    p.add_argument("--budget", type=money_arg, help="yuan a month for all the debts")
    p.add_argument("--statement", help="a budget statement CSV/.xlsx (kind, category, amount; 类型, 类别/项目, 金额): what it leaves for the debts")
    p.add_argument("--people", type=int, default=1, help="how many people the statement's spending feeds (default 1)")
    p.add_argument("--floor", type=money_arg, help="the smallest monthly offer to a lender (default 50)")
    p.add_argument("--case", help="a case of the case book: its debts and its stored budget statement")
    p.add_argument("--book", help="the case book (with --case; default $PLANNER_CASEBOOK)")
    p.add_argument("--encoding", help="force the files' encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--sheet", help="for an .xlsx debts file: the sheet's name")
    p.add_argument("--letters", metavar="DIR", help="write one request letter per lender into this folder (it names no other lender)")
    p.add_argument("--letter-format", choices=("html", "pdf", "txt"), default="html", help="the letters' format (default html)")
    p.add_argument("--letter-lang", choices=("zh", "en"), help="the letters' language (default: --lang)")
    p.add_argument("--client", help="the client's name for the letters (left out when not given)")
    add_output_args(p)
    p.set_defaults(func=cmd_offer)


__all__ = ["cmd_offer", "register"]
