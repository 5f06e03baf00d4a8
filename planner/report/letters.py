"""Written requests (协商还款申请书) and complaint packs, in Chinese or English.

:func:`proposal` prices one ask for one debt on the same engine as every plan
(the debt alone, under the ask, paying its new monthly amount from the first
month), so a letter's numbers are the engine's. :func:`request_letter` and
:func:`complaint_pack` build small models with three renderings: plain text
(to paste into a lender's in-app chat), one self-contained HTML page (no
outside resources, everything the user typed escaped), and a PDF through the
session report's Chromium printer (:func:`planner.report.render_pdf`).

``anonymise`` removes the client's name (any letter case), phone numbers, resident
ID numbers and bank card numbers from the document (names of evidence files
included) with :func:`planner.privacy.scrub`, the one scrubber of every path. Nothing here is legal advice and
each document says so.

>>> from planner import Debt
>>> from planner.negotiation import freeze_interest
>>> p = proposal(Debt("招商银行信用卡", 7500, 18, 750, kind="card"), freeze_interest("招商银行信用卡", months=24), "2027-01")
>>> p.installment, p.payments, p.first_month
(Decimal('312.50'), 24, '2027-01')
>>> p.sentence("zh")
'停息后分 24 期，每期 ¥312.50，首期 2027-01'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..conduct import Contact, complaint_channels, disclaimer as conduct_disclaimer, flag_contacts, rules, settings
from ..debt import Debt
from ..engine import plan as run_plan
from ..errors import PlannerError, unknown_debt
from ..i18n import t
from ..money import format_yuan
from ..negotiation import Adjustment, affordability
from ..privacy import scrub
from ..references import assess, disclaimer
from ..result import Plan

@dataclass(frozen=True)
class Proposal:
    """One ask for one debt, priced on the engine: what the lender is asked to agree to."""

    debt: Debt
    adjustment: Adjustment
    adjusted: Debt
    plan: Plan

    @property
    def installment(self) -> Decimal:
        return self.adjusted.min_payment

    @property
    def payments(self) -> int | None:
        return self.plan.months

    @property
    def first_month(self) -> str | None:
        return self.plan.calendar_month(1)

    @property
    def interest_saved(self) -> Decimal:
        """Interest the ask saves against the debt as it is, paying the same monthly amount."""
        before = run_plan([self.debt], max(self.installment, self.debt.min_payment), "minimum_only",
                          horizon=self.plan.horizon)
        return before.total_interest - self.plan.total_interest

    def sentence(self, lang: str = "en") -> str:
        a, p = self.adjustment, self.plan
        fields = dict(n=self.payments or "-", amount=format_yuan(self.installment), first=self.first_month or "-")
        if a.action == "settle":
            rows = p.month_rows(a.params["month"])
            paid = sum((r["payment"] for r in rows), Decimal("0.00"))
            return t("letter_ask_settle", lang, month=p.calendar_month(a.params["month"]) or a.params["month"],
                     amount=format_yuan(paid), percent=f"{a.params['fraction'] * 100:.0f}",
                     forgiven=format_yuan(p.total_forgiven))
        if a.action == "defer":
            start = a.params.get("start", 1)
            return t("letter_ask_defer", lang, months=a.params["months"], first=p.calendar_month(start) or start) + (
                t("letter_ask_defer_accrue", lang) if a.params.get("accrue", True) else t("letter_ask_defer_no_interest", lang))
        if a.action in ("reduce_rate", "cap_rate"):
            return t("letter_ask_rate", lang, apr=f"{self.adjusted.effective_apr:.2f}", **fields)
        if a.action == "waive_fees":
            return t("letter_ask_waive", lang, fees=format_yuan(self.debt.fees_owed), **fields)
        return t(f"letter_ask_{a.action}", lang, **fields)


def proposal(debt: Debt, adjustment: Adjustment, start: str) -> Proposal:
    """Price ``adjustment`` on ``debt`` alone: the debt under the ask, paying its new monthly amount
    (its minimum) each month from ``start`` (a calendar month, ``"2027-01"``)."""
    if not isinstance(debt, Debt):
        raise PlannerError("report.letters.not_debt", debt=debt)
    if not isinstance(adjustment, Adjustment):
        raise PlannerError("report.letters.not_adjustment", adjustment=adjustment)
    adjusted = adjustment.apply([debt])[0]
    p = run_plan([adjusted], adjusted.min_payment, "minimum_only", start=start)
    return Proposal(debt, adjustment, adjusted, p)


class NoBreak(str):
    """A table cell that never wraps inside (a time such as ``2027-01-05 22:15 +08:00``)."""


class KeepWords(str):
    """A table cell that wraps only between words (a Chinese word such as 联系第三方 stays whole)."""


class Fingerprint(str):
    """A table cell holding a long fingerprint: small type, wrapped anywhere."""


@dataclass(frozen=True)
class Document:
    """A letter or a complaint pack: a title and blocks of (heading, paragraphs or table rows)."""

    lang: str
    title: str
    blocks: tuple[tuple[str, tuple], ...]
    footer: str = ""

    def text(self) -> str:
        """Plain text, to paste into an in-app chat or an e-mail."""
        out = [self.title, ""]
        for heading, items in self.blocks:
            if heading:
                out.append(f"【{heading}】" if self.lang == "zh" else f"{heading.upper()}")
            for item in items:
                out.append(" | ".join(str(c) for c in item) if isinstance(item, tuple) else str(item))
            out.append("")
        if self.footer:
            out.append(self.footer)
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        """One self-contained HTML page (a CSP that allows no outside resource; all text escaped)."""
        e = html.escape
        parts = []
        for heading, items in self.blocks:
            if heading:
                parts.append(f"<h2>{e(heading)}</h2>")
            rows = [i for i in items if isinstance(i, tuple)]
            if rows:
                head, body = rows[0], rows[1:]
                parts.append("<table><thead><tr>" + "".join(f"<th>{e(str(c))}</th>" for c in head) + "</tr></thead><tbody>"
                             + "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in body)
                             + "</tbody></table>")
            parts += [f"<p>{e(str(i))}</p>" for i in items if not isinstance(i, tuple)]
        return (
            f"<!DOCTYPE html><html lang=\"{'zh-CN' if self.lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"referrer\" content=\"no-referrer\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{e(self.title)}</title><style>"
            "@page{size:A4;margin:16mm}body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;"
            "font-size:10.5pt;line-height:1.55;max-width:170mm;margin:0 auto;color:#1a1a1a}"
            "h1{font-size:16pt;color:#0072B2}h2{font-size:11pt;border-bottom:1px solid #0072B2;margin-top:6mm}"
            "table{border-collapse:collapse;width:100%;font-size:9pt}th,td{border-bottom:1px solid #d0d4d9;padding:1mm 1.5mm;"
            "text-align:left;vertical-align:top;overflow-wrap:break-word}th{background:#f3f6f9;white-space:nowrap;word-break:keep-all}"
            "h2{break-after:avoid}tr{break-inside:avoid}"
            ".nb{white-space:nowrap}.kw{word-break:keep-all}.fp{font-size:7pt;word-break:break-all;font-family:'DejaVu Sans Mono',monospace}"
            ".note{font-size:9pt;color:#3c4043}.foot{color:#5f6368;font-size:8.5pt;margin-top:8mm}"
            f"</style></head><body><h1>{e(self.title)}</h1>{''.join(parts)}<p class=\"foot\">{e(self.footer)}</p></body></html>"
        )


def _cell(value) -> str:
    text = html.escape(str(value))
    if isinstance(value, NoBreak):
        return f"<td class=\"nb\">{text}</td>"
    if isinstance(value, Fingerprint):
        return f"<td class=\"fp\">{text}</td>"
    if isinstance(value, KeepWords):
        return f"<td class=\"kw\">{text}</td>"
    return f"<td>{text}</td>"


def local_time(when, zone) -> str:
    """A contact's time where the borrower lives, with its UTC offset written out (CST is ambiguous).

    >>> from datetime import datetime, timezone
    >>> from zoneinfo import ZoneInfo
    >>> local_time(datetime(2026, 7, 5, 14, 15, tzinfo=timezone.utc), ZoneInfo("Asia/Shanghai"))
    '2026-07-05 22:15 +08:00'
    """
    at = when.astimezone(zone)
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def request_letter(proposal_: Proposal, *, lang: str = "zh", client: str | None = None, hardship: str = "",
                   income=None, essentials=None, anonymise: bool = False, made_on: date | None = None) -> Document:
    """A written request (协商还款申请书) to the lender of ``proposal_.debt`` for its ask.

    It states who asks (``client``, left out with ``anonymise``), the debt as the
    lender reports it, the hardship in the client's words, the affordability
    figures when ``income`` and ``essentials`` are given (with the 30% line),
    the proposal with the engine's numbers, the reference lines the rate
    crosses (with the caution), and asks for the agreement in writing.
    """
    made = made_on or date.today()
    this_month = f"{made.year:04d}-{made.month:02d}"
    if proposal_.first_month is not None and proposal_.first_month < this_month:
        # never a first instalment in a month already past: priced again from this month
        proposal_ = proposal(proposal_.debt, proposal_.adjustment, this_month)
    d = proposal_.debt
    names = (client,) if client else ()
    clean = (lambda s: scrub(s, names, lang)) if anonymise else (lambda s: str(s))
    who = t("letter_client", lang) if anonymise or not client else client
    blocks: list[tuple[str, tuple]] = []
    intro = t("letter_intro_anonymous", lang, lender=d.name) if anonymise or not client else t("letter_intro", lang, who=who, lender=d.name)
    blocks.append(("", (clean(t("letter_greeting", lang, lender=d.name)), clean(intro))))
    debt_rows = [(t("balance", lang), format_yuan(d.balance)), (t("apr", lang), f"{d.apr:.2f}")]
    if d.is_overdue and d.penalty_apr is not None and d.penalty_apr != d.apr:
        debt_rows.append((t("letter_penalty_apr", lang), f"{d.penalty_apr:.2f}"))
    debt_rows.append((t("min_payment", lang), format_yuan(d.min_payment)))
    if d.fees_owed:
        debt_rows.append((t("fees_owed", lang), format_yuan(d.fees_owed)))
    if d.overdue_days:
        debt_rows.append((t("overdue_days", lang), str(d.overdue_days)))
    blocks.append((t("letter_debt_heading", lang), ((t("letter_item", lang), t("letter_value", lang)), *debt_rows)))
    if hardship.strip():
        blocks.append((t("letter_hardship_heading", lang), (clean(hardship.strip()),)))
    if income is not None and essentials is not None:
        a = affordability(income, essentials, proposal_.installment)
        lines = [t("letter_afford", lang, income=format_yuan(a.income), essentials=format_yuan(a.essentials),
                   available=format_yuan(a.available))]
        lines.append(t("letter_afford_line", lang, limit=format_yuan(a.limit)))
        blocks.append((t("letter_afford_heading", lang), tuple(lines)))
    blocks.append((t("letter_proposal_heading", lang), (proposal_.sentence(lang),)))
    crossed = [x for x in assess(d).lines if x.key in assess(d).crossed_applicable]
    if crossed:
        blocks.append((t("letter_lines_heading", lang), tuple(f"{x.label(lang)}: {x.basis(lang)}" for x in crossed) + (disclaimer(lang),)))
    blocks.append((t("letter_writing_heading", lang), (t("letter_writing", lang),)))
    today = made.isoformat()
    sign = t("letter_sign_anonymous", lang, date=today) if anonymise or not client else t("letter_sign", lang, who=who, date=today)
    blocks.append(("", (clean(sign),)))
    return Document(lang, t("letter_title", lang), tuple(blocks), t("letter_footer", lang))


def share_letter(offer, shares, *, lang: str = "zh", client: str | None = None, statement=None, anonymise: bool = False,
                 made_on: date | None = None) -> Document:
    """The request to one lender for its fair share (按比例还款协商申请): its debt, the monthly
    offer and its share of what is owed, that every lender is offered the same share, the ask to
    freeze interest with the engine's months, the budget statement's totals when given, and the
    agreement asked for in writing. It names no other lender (only totals of all the debts).

    Parameters
    ----------
    offer : planner.offers.Offer
        This lender's offer.
    shares : planner.offers.FairShare
        Every lender's offers (for the totals: what is left, the shortfall).
    lang : {"zh", "en"}
    client : str, optional
        The client's name (left out with ``anonymise``).
    statement : planner.budget.Statement, optional
        The budget statement, for the income, spending and what is left.
    """
    from ..negotiation import MAX_FREEZE_MONTHS

    made = made_on or date.today()
    names = (client,) if client else ()
    clean = (lambda s: scrub(s, names, lang)) if anonymise else (lambda s: str(s))
    who = t("letter_client", lang) if anonymise or not client else client
    lender = offer.debt
    intro = t("letter_intro_anonymous", lang, lender=lender) if anonymise or not client else t("letter_intro", lang, who=who, lender=lender)
    share = "" if offer.share is None else f"{offer.share * 100:.2f}%"
    blocks: list[tuple[str, tuple]] = [("", (clean(t("letter_greeting", lang, lender=lender)), clean(intro),
                                            t("letter_share_intro", lang, available=format_yuan(shares.available), shortfall=format_yuan(shares.shortfall))))]
    blocks.append((t("letter_debt_heading", lang), ((t("letter_item", lang), t("letter_value", lang)),
                                                     (t("offer_owed", lang), format_yuan(offer.owed)), (t("min_payment", lang), format_yuan(offer.minimum)))))
    if statement is not None:
        blocks.append((t("letter_afford_heading", lang), (t("letter_share_budget", lang, income=format_yuan(statement.income),
                                                            spending=format_yuan(statement.spending), left=format_yuan(statement.left_for_debts)),)))
    ask = [t("letter_share_offer", lang, owed=format_yuan(offer.owed), monthly=format_yuan(offer.monthly), share=share)]
    months = offer.frozen.months
    if months is not None and months <= MAX_FREEZE_MONTHS:
        ask.append(t("letter_share_ask_frozen", lang, monthly=format_yuan(offer.monthly), months=months, recovered=format_yuan(offer.frozen.paid)))
    else:
        ask.append(t("letter_share_ask_frozen_long", lang, monthly=format_yuan(offer.monthly)))
    if any(o.priority for o in shares.offers):
        ask.append(t("letter_share_priority", lang))
    ask.append(t("letter_share_stop", lang))
    blocks.append((t("letter_proposal_heading", lang), tuple(ask)))
    blocks.append((t("letter_writing_heading", lang), (t("letter_writing", lang),)))
    today = made.isoformat()
    sign = t("letter_sign_anonymous", lang, date=today) if anonymise or not client else t("letter_sign", lang, who=who, date=today)
    blocks.append(("", (clean(sign),)))
    return Document(lang, t("letter_share_title", lang), tuple(blocks), t("letter_footer", lang))


def share_letters(shares, *, lang: str = "zh", client: str | None = None, statement=None, anonymise: bool = False,
                  made_on: date | None = None) -> dict[str, Document]:
    """One :func:`share_letter` per lender with an offer above zero: ``{lender: Document}``."""
    return {o.debt: share_letter(o, shares, lang=lang, client=client, statement=statement, anonymise=anonymise, made_on=made_on)
            for o in shares.offers if o.monthly > 0}


def complaint_pack(contacts: list[Contact], lender: str, *, lang: str = "zh", client: str | None = None,
                   outcome: str = "", tz=None, max_per_day: int | None = None, anonymise: bool = False,
                   changed: frozenset = frozenset()) -> Document:
    """A complaint pack about ``lender``: the timeline of its flagged contacts (time, channel,
    summary, evidence files and SHA-256), the rule each may break with its source, the outcome
    asked for, and where to send it. An evidence file whose SHA-256 is in ``changed`` (its stored
    copy no longer matches the fingerprint taken at intake) is named with that warning instead of
    being offered as evidence."""
    chosen = [c for c in contacts if c.debt == lender]
    if not chosen:
        raise PlannerError("report.letters.no_contacts_recorded", lender=lender)
    flags = flag_contacts(chosen, tz=tz, max_per_day=max_per_day)
    names = (client,) if client else ()
    clean = (lambda s: scrub(s, names, lang)) if anonymise else (lambda s: str(s))
    zone = tz or settings()["timezone"]
    from zoneinfo import ZoneInfo

    local = ZoneInfo(str(zone)) if not isinstance(zone, ZoneInfo) else zone
    flagged = sorted(((c, f) for c, f in zip(chosen, flags) if f), key=lambda cf: cf[0].at)
    table: list = [tuple(t(k, lang) for k in ("letter_when", "letter_channel", "letter_who", "letter_summary", "letter_evidence", "letter_rules"))]
    hashes: list = [(t("complaint_file", lang), t("complaint_size", lang), "SHA-256")]
    for k, (c, f) in enumerate(flagged, start=1):
        named = [((f"evidence-{k}-{j}" + _suffix(e.file)) if anonymise else clean(e.file), e) for j, e in enumerate(c.evidence, start=1)]
        # the table names each file with a short fingerprint, the full one in the list below; a copy
        # changed since intake is said to be so and is not offered as evidence
        files = "; ".join(f"{name} " + (t("letter_evidence_changed", lang) if e.sha256 in changed else f"({e.sha256[:12]}…)")
                          for name, e in named)
        hashes += [(name, str(e.size), Fingerprint(e.sha256)) for name, e in named if e.sha256 not in changed]
        table.append((NoBreak(local_time(c.at, local)), KeepWords(t(f"channel_{c.channel}", lang)), clean(c.who),
                      clean(c.summary), files or "-", "、".join(rules()[r].label(lang) for r in f) if lang == "zh"
                      else "; ".join(rules()[r].label(lang) for r in f)))
    used = sorted({r for _, f in flagged for r in f}, key=list(rules()).index)
    sep = "：" if lang == "zh" else ": "
    cited = [f"{rules()[r].label(lang)}{sep}{rules()[r].basis(lang, max_per_day)}"
             + (f"（{rules()[r].source_in(lang)}）" if lang == "zh" else f" ({rules()[r].source_in(lang)})") for r in used]
    reported = [r for r in used if rules()[r].certainty != "primary"]
    if reported and len(reported) == len(used):
        cited.append(t("complaint_sources_all_reported", lang))
    elif reported:
        cited.append(t("complaint_sources_some_reported", lang, rules=("、" if lang == "zh" else "; ").join(rules()[r].label(lang) for r in reported)))
    blocks: list[tuple[str, tuple]] = [
        ("", (clean(t("complaint_intro", lang, lender=lender, n=len(flagged), total=len(chosen))),)),
        (t("complaint_timeline_heading", lang), tuple(table) if flagged else (t("complaint_none", lang),)),
        (t("complaint_rules_heading", lang), tuple(cited)),
        (t("complaint_outcome_heading", lang), (clean(outcome.strip()) or t("complaint_outcome_default", lang),)),
        (t("complaint_where_heading", lang), tuple(c["zh" if lang == "zh" else "en"] for c in complaint_channels(used))),
    ]
    if len(hashes) > 1:
        blocks.append((t("complaint_hashes_heading", lang), tuple(hashes)))
    return Document(lang, t("complaint_title", lang, lender=clean(lender)), tuple(blocks), conduct_disclaimer(lang))


def write_document(doc: Document, out, inputs=(), *, replace: bool = True, exists: PlannerError | None = None) -> Path:
    """Write ``doc`` to ``out`` by its suffix (.txt plain text, .html, .pdf through Chromium), atomically,
    never over one of ``inputs``; with ``replace`` False never over any file (``exists`` the refusal)."""
    from ..io import atomic_write_bytes

    suffix = Path(out).suffix.lower()
    if suffix not in (".html", ".pdf", ".txt"):
        raise PlannerError("report.letters.output_end_html_pdf", out=out)

    if suffix == ".txt":
        data = doc.text().encode("utf-8")
    elif suffix == ".html":
        data = doc.html().encode("utf-8")
    else:
        from .render import render_pdf

        data = render_pdf(doc.html())
    return atomic_write_bytes(out, data, inputs=inputs, replace=replace, exists=exists)


def claim_letter(check, *, lang: str = "zh", client: str | None = None, anonymise: bool = False,
                 made_on: date | None = None) -> Document:
    """The request for an itemised account and objection (费用明细与异议申请) to the lender of one
    debt, from a :class:`planner.claims.ClaimCheck`.

    It states the loan as the contract has it, the statement against the recomputation line by
    line (with the strictest reference line that applies), the payments and how the legal order
    applies them, the differences found, Civil Code art. 561, the reference lines the claim
    exceeds with their basis, and asks for the itemised account and a correction in writing.
    It names only that lender; nothing in it is legal advice and it says so.

    Parameters
    ----------
    check : planner.claims.ClaimCheck
    lang : {"zh", "en"}
    client : str, optional
        The client's name (left out with ``anonymise``).
    anonymise : bool, default False
        Leave out the client's name, phone, ID and card numbers (:func:`planner.privacy.scrub`).
    made_on : date, optional
        The date signed; default today.
    """
    from ..claims import ClaimCheck

    if not isinstance(check, ClaimCheck):
        raise PlannerError("claims.not_claim", claim=str(check)[:40])
    made = made_on or date.today()
    d, claim = check.debt, check.claim
    names = (client,) if client else ()
    clean = (lambda s: scrub(s, names, lang)) if anonymise else (lambda s: str(s))
    who = t("letter_client", lang) if anonymise or not client else client
    as_of = claim.as_of.isoformat()
    intro = (t("claim_letter_intro_anonymous", lang, lender=d.name, as_of=as_of) if anonymise or not client
             else t("claim_letter_intro", lang, who=who, lender=d.name, as_of=as_of))
    blocks: list[tuple[str, tuple]] = [("", (clean(t("letter_greeting", lang, lender=d.name)), clean(intro)))]
    if d.fee_rate is not None and d.term_months is not None:
        rate = t("claim_letter_rate_fee", lang, fee=f"{d.fee_rate}", n=d.term_months)
    elif d.daily_rate is not None:
        rate = t("claim_letter_rate_daily", lang, daily=f"{d.daily_rate}")
    else:
        rate = t("claim_letter_rate_apr", lang, apr=f"{d.apr:.2f}")
    lent = d.principal if d.principal is not None else check.opening
    loan = [t("claim_letter_contract", lang, date=d.contract_date.isoformat() if d.contract_date else t("claim_letter_unknown", lang),
              lent=format_yuan(lent, lang=lang), rate=rate)]
    if d.contract_date is None or check.since != d.contract_date or check.opening != lent:
        loan.append(t("claim_letter_contract_from", lang, since=check.since.isoformat(), opening=format_yuan(check.opening, lang=lang)))
    blocks.append((t("claim_letter_contract_heading", lang), tuple(loan)))
    blocks.append((t("claim_letter_table_heading", lang), tuple(tuple(r) for r in check.table(lang))))
    named = [(k, v) for k, v in claim.fees if k]
    if named:
        blocks.append((t("claim_letter_fees_heading", lang),
                       ((t("claim_item", lang), t("claim_claimed", lang)),
                        *((clean(k), format_yuan(v, lang=lang)) for k, v in claim.fees))))
    if check.contract.applied:
        blocks.append((t("claim_letter_payments_heading", lang), tuple(tuple(r) for r in check.payments_table(lang))))
    blocks.append((t("claim_letter_findings_heading", lang), tuple(check.explain(lang))))
    blocks.append((t("claim_letter_order_heading", lang), (t("claim_letter_art561", lang),)))
    if check.crossed:
        sep = "：" if lang == "zh" else ": "
        blocks.append((t("claim_letter_lines_heading", lang),
                       tuple(f"{x.line.label_with_rate(lang)}{sep}{x.line.basis(lang)}" for x in check.crossed) + (disclaimer(lang),)))
    asks = [t("claim_letter_ask_itemised", lang), t("claim_letter_ask_correct", lang)]
    if check.disputed > 0:
        asks.append(t("claim_letter_ask_undisputed", lang, disputed=format_yuan(check.disputed, lang=lang)))
    elif check.crossed:
        above = min(x.above for x in check.crossed)
        asks.append(t("claim_letter_ask_undisputed_lines", lang, disputed=format_yuan(above, lang=lang)))
    blocks.append((t("claim_letter_asks_heading", lang), tuple(asks)))
    today = made.isoformat()
    sign = t("letter_sign_anonymous", lang, date=today) if anonymise or not client else t("letter_sign", lang, who=who, date=today)
    blocks.append(("", (clean(sign),)))
    return Document(lang, t("claim_letter_title", lang), tuple(blocks), t("claim_letter_footer", lang))


def write_new_document(doc: Document, out, inputs=()) -> Path:
    """:func:`write_document`, but never over an existing file (:meth:`planner.io.AtomicFile.commit`
    with ``replace`` False): a file already there, or one another writer makes at the same moment,
    is refused with a message."""
    path = Path(out).expanduser()
    if path.suffix.lower() not in (".html", ".pdf", ".txt"):
        raise PlannerError("claims.letter_suffix", path=str(path), file=str(path))
    return write_document(doc, path, inputs, replace=False,
                          exists=PlannerError("claims.letter_exists", path=str(path), file=str(path)))


def case_letter(case, debt_name: str, *, lang: str = "zh", anonymise: bool = False, hardship: str = "",
                income=None, essentials=None):
    """The written request for ``debt_name``'s latest pending or accepted ask, priced on the engine
    from the debt's latest known balance (the latest statement balance when one is recorded,
    else the tracked balance), with the client's ``hardship`` in their words and, when both
    are given, the affordability figures from ``income`` and ``essentials``.
    Returns ``(document, proposal)``."""
    if (income is None) != (essentials is None):
        raise PlannerError("report.letters.income_essential_spending_together")
    data = case.data
    names = [d.name for d in data.debts]
    if debt_name not in names:
        raise unknown_debt(debt_name, names)
    debt = data.debts[names.index(debt_name)]
    asks = [a for a in data.asks if a.answer in ("pending", "accepted") and _selects(a.adjustment, debt)]
    if not asks:
        raise PlannerError("report.letters.no_pending_accepted_ask", debt_name=debt_name)
    ask = asks[-1]
    statements = sorted((m, c) for (m, d), c in data.statements.items() if d == debt_name)
    if statements:
        from ..money import from_cents

        balance = from_cents(statements[-1][1])
    else:
        balance = next(d.actual_balance for d in case.status().debts if d.name == debt_name)
    latest = debt.with_(balance=balance)
    from ..cases import month_index

    today = getattr(getattr(case, "book", None), "today", None)
    # the first instalment: the ask's month, or this month when that one is already past
    first = today if today is not None and month_index(ask.from_month) < month_index(today) else ask.from_month
    prop = proposal(latest, ask.adjustment, first)
    return request_letter(prop, lang=lang, client=data.name, anonymise=anonymise, hardship=hardship or "",
                          income=income, essentials=essentials), prop


def _selects(adjustment: Adjustment, debt: Debt) -> bool:
    try:
        return bool(adjustment.selects([debt]))
    except PlannerError:  # a selector naming other debts, or a condition this debt does not meet
        return False


def case_complaint(case, debt_name: str, *, lang: str = "zh", anonymise: bool = False) -> Document:
    """The complaint pack about ``debt_name``'s lender from a case's contact log."""
    names = [d.name for d in case.data.debts]
    if debt_name not in names:
        raise unknown_debt(debt_name, names)
    contacts = [c.contact for c in case.data.contacts]
    check = getattr(getattr(case, "book", None), "evidence_intact", None)
    changed = frozenset(e.sha256 for c in contacts if c.debt == debt_name for e in c.evidence if check and check(e) is False)
    return complaint_pack(contacts, debt_name, lang=lang, client=case.name, anonymise=anonymise, changed=changed)


def _suffix(name: str) -> str:
    m = re.search(r"\.[A-Za-z0-9]{1,8}$", name)
    return m.group(0) if m else ""


__all__ = ["Document", "claim_letter", "write_new_document", "Fingerprint", "KeepWords", "NoBreak", "Proposal", "local_time", "case_complaint", "case_letter", "complaint_pack", "proposal",
           "request_letter", "scrub", "share_letter", "share_letters", "write_document"]
