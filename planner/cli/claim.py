"""Checking a lender's claim (核对欠款金额) from the command line, and its dispute letter.

``planner check DEBTS --debt NAME (--claimed-principal P [--claimed-interest I] [--claimed-fees F]
[--claimed-total T] --as-of DATE [--payment DATE:AMOUNT ...] | --statement FILE) [--since DATE]
[--letter OUT] [--client NAME] [--anonymise] [--format table|json] [--lang zh|en]``, and in a case
``planner case check CASE DEBT ...`` (the payments are the book's). The comparison is printed;
``--letter`` writes the request for an itemised account and objection (费用明细与异议申请), in
``--lang``, never over an existing file. The shared parts live here; :mod:`.plan` and
:mod:`.case` call them.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import PlannerError
from ..i18n import t
from .common import emit_json, money_arg, render_table


def payment_arg(text: str):
    """``DATE:AMOUNT`` (``2024-04-01:3000``) as a :class:`planner.claims.Payment`."""
    from ..claims import Payment

    day, sep, amount = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return Payment(day.strip(), money_arg(amount))
    except (ValueError, argparse.ArgumentTypeError, PlannerError):
        raise argparse.ArgumentTypeError(f"应写成 日期:金额，例如 2024-04-01:3000 / expected DATE:AMOUNT such as 2024-04-01:3000, got {text!r}") from None


def add_claim_args(p: argparse.ArgumentParser, *, case: bool) -> None:
    """The claim (amounts or a statement file), the dates, the letter; ``--payment`` outside a case only."""
    g = p.add_argument_group("the lender's claim / 贷款方主张的金额")
    g.add_argument("--claimed-principal", dest="claimed_principal", type=money_arg, help="principal the lender claims / 本金")
    g.add_argument("--claimed-interest", dest="claimed_interest", type=money_arg, help="interest it claims (penalty interest goes in fees) / 利息")
    g.add_argument("--claimed-fees", dest="claimed_fees", type=money_arg, help="fees and penalties it claims, together / 罚息、违约金及其他费用")
    g.add_argument("--claimed-total", dest="claimed_total", type=money_arg, help="the statement's total, when it prints one / 合计")
    g.add_argument("--statement", help="the lender's statement as CSV (item,amount[,date]) or JSON: see docs/negotiation.md")
    g.add_argument("--as-of", dest="as_of", help="the statement's date, 2025-06-30 (default: the statement file's, else today)")
    g.add_argument("--since", help="start the recomputation on this day (default: the contract date%s)" % ("; in a case, the case's start" if case else ""))
    if not case:
        g.add_argument("--payment", type=payment_arg, action="append", metavar="DATE:AMOUNT", help="a payment made, 2024-04-01:3000 (repeatable)")
    g.add_argument("--letter", help="write the dispute letter (费用明细与异议申请) here: .html, .pdf or .txt; never over an existing file")
    g.add_argument("--anonymise", action="store_true", help="leave the client's name and phone numbers out of the letter")
    if not case:
        g.add_argument("--client", help="the client's name, to sign the letter")


def claim_from_args(args, *, case: bool):
    """The :class:`planner.claims.Claim` the arguments describe."""
    from datetime import date

    from ..claims import Claim

    amounts = [args.claimed_principal, args.claimed_interest, args.claimed_fees, args.claimed_total]
    payments = tuple(getattr(args, "payment", None) or ())
    if args.statement:
        if any(a is not None for a in amounts) or payments:
            raise PlannerError("claims.statement_and_amounts")
        from ..io.claims import load_claim

        return load_claim(args.statement, as_of=args.as_of)
    if args.claimed_principal is None:
        raise PlannerError("claims.no_claim")
    return Claim(args.as_of or date.today(), args.claimed_principal, args.claimed_interest or 0,
                 args.claimed_fees if args.claimed_fees is not None else (), args.claimed_total, payments)


def show_check(check, args, *, unexplained=None) -> None:
    """Print the comparison (or its JSON) for people."""
    lang = args.lang
    if args.format == "json":
        out = check.to_dict()
        if unexplained is not None:
            out["case_unexplained_charges"] = float(unexplained)
        emit_json(out)
        return
    from ..money import format_yuan

    print(t("claim_heading", lang, lender=check.debt.name, as_of=check.claim.as_of.isoformat()))
    if unexplained:
        print(t("claim_case_unexplained", lang, amount=format_yuan(unexplained, lang=lang)))
    print(t("claim_basis", lang, since=check.since.isoformat(), opening=format_yuan(check.opening, lang=lang)))
    table = check.table(lang)
    print(render_table(table[0], table[1:], "l" + "r" * (len(table[0]) - 1)))
    if check.contract.applied:
        pays = check.payments_table(lang)
        print(render_table(pays[0], pays[1:], "lrrrr"))
    for line in check.explain(lang):
        print(f"  ! {line}")


def refuse_taken_letter(args) -> None:
    """Before any work: ``--letter`` must be a new .html, .pdf or .txt file (checked again, exclusively, when written)."""
    from pathlib import Path

    if not getattr(args, "letter", None):
        return
    path = Path(args.letter).expanduser()
    if path.suffix.lower() not in (".html", ".pdf", ".txt"):
        raise PlannerError("claims.letter_suffix", path=str(path), file=str(path))
    if path.exists() or path.is_symlink():
        raise PlannerError("claims.letter_exists", path=str(path), file=str(path))


def write_letter(check, args, *, client: str | None, inputs=()) -> None:
    """``--letter``: the dispute letter in ``--lang``, never over a file (said on stderr when written as JSON)."""
    if not args.letter:
        return
    from ..report.letters import claim_letter, write_new_document

    out = args.letter
    if args.anonymise:
        from pathlib import Path

        from ..privacy import scrub_file_name

        out = str(Path(out).with_name(scrub_file_name(Path(out).name, (client,) if client else ())))
    doc = claim_letter(check, lang=args.lang, client=client, anonymise=args.anonymise)
    path = write_new_document(doc, out, inputs)
    print(t("claim_letter_written", args.lang, path=path), file=sys.stderr if args.format == "json" else sys.stdout)


def cmd_check_claim(args, debts) -> int:
    """``planner check DEBTS --debt NAME ...``: one debt of a debts file against its lender's claim."""
    from ..claims import check_claim
    from ..errors import unknown_debt

    refuse_taken_letter(args)
    names = [d.name for d in debts]
    if args.debt not in names:
        raise unknown_debt(args.debt, names)
    debt = debts[names.index(args.debt)]
    check = check_claim(debt, claim_from_args(args, case=False), since=args.since)
    show_check(check, args)
    write_letter(check, args, client=args.client, inputs=(args.debts,))
    return 0


__all__ = ["add_claim_args", "claim_from_args", "cmd_check_claim", "payment_arg", "refuse_taken_letter", "show_check", "write_letter"]
