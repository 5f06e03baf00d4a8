"""The follow-up report: where a client stands, what changed, the plan now, the next payments.

The same machinery as the session report (:mod:`.render`): one self-contained
HTML file (the progress chart embedded as a PNG, no outside fonts, links or
scripts), or a PDF printed by headless Chromium. :func:`build_followup` is the
data (pure, from a :class:`planner.cases.Case`); :func:`render_followup` the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..errors import PlannerError
from ..i18n import t
from ..money import format_yuan


@dataclass(frozen=True)
class FollowUp:
    """What the follow-up report shows (money as Decimal yuan)."""

    lang: str
    client: str
    made_on: str
    status: object  # planner.cases.Status
    since: str | None  # the start of the period "since last time" (the latest re-plan), or None
    changes: tuple[str, ...]  # what changed since then, as sentences
    next_months: tuple[tuple[str, tuple[tuple[str, Decimal], ...], Decimal], ...]  # month, (debt, amount), total
    plan_rows: tuple[tuple[str, str, Decimal, Decimal], ...]  # debt, payoff month, interest, paid
    progress: object  # planner.cases.Progress
    contacts: tuple[tuple[str, str, str, str, str, str, str], ...] = ()  # when, debt, channel, who, summary, evidence, flags
    statement: object | None = None  # planner.budget.Statement: the case's latest budget statement
    offers: object | None = None  # planner.offers.FairShare from it


def build_followup(case, *, lang: str = "zh", anonymise: bool = False, today=None) -> FollowUp:
    """The report's content from a case (nothing is written).

    ``anonymise`` leaves out the client's name and phone numbers (as the letters do);
    ``today`` (a date or ``"2027-06"``, default the real date) is where "the next three
    months" start when the latest recorded month lies further back.
    """
    from ..cases import month_index, month_name
    from ..cases.months import this_month
    from .letters import scrub

    if lang not in ("en", "zh"):
        raise PlannerError("report.followup.language_zh_en", language=lang)
    status = case.status()
    data = case.data
    last = data.replans[-1] if data.replans else None
    since = last.start if last else None
    changes = []
    paid = [(m, d, c) for (m, d), c in data.payments.items() if since is None or m >= since]
    if paid:
        months = sorted({m for m, _, _ in paid})
        total = sum(c for _, _, c in paid)
        changes.append(t("followup_paid", lang, n=len(months), first=months[0], last=months[-1], amount=format_yuan(Decimal(total) / 100)))
    for a in data.agreements:
        if last is None or a.created_at > last.made_at:
            changes.append(t("followup_agreed", lang, debt=a.adjustment.who(lang), action=t(f"action_{a.action}", lang), when=a.from_month,
                             writing=t("case_in_writing" if a.confirmed else "case_get_in_writing", lang)))
    for d in status.debts:
        if d.unexplained_charges:
            changes.append(t("followup_unexplained", lang, debt=d.name, amount=format_yuan(d.unexplained_charges)))
        if d.status == "cleared":
            changes.append(t("followup_cleared", lang, debt=d.name))
    from ..conduct import rules

    for debt, counts in status.flagged_contacts.items():
        n = sum(1 for c in case.contacts() if c["debt"] == debt and c["flags"])
        changes.append(t("followup_flagged", lang, debt=debt, n=n, rules="、".join(rules()[r].label(lang) for r in counts) if lang == "zh"
                         else "; ".join(rules()[r].label(lang) for r in counts)))
    for a in status.get_in_writing:
        changes.append(t("followup_get_in_writing", lang, debt=a.adjustment.who(lang),
                         action=t(f"action_{a.action}", lang)))
    if last is not None:
        changes.append(t("followup_replanned", lang, start=last.start, reason=last.reason or "-"))
    plan = status.plan
    first = month_index(plan.calendar_month(1))
    now = this_month() if today is None else month_index(today, "today")
    # from the month after the latest recorded one, but never a month already past
    after = max(month_index(status.as_of) + 1 if status.as_of else first, now)
    upcoming = []
    for k in range(3):
        m = after + k - first + 1
        rows = tuple((r["debt"], r["payment"]) for r in plan.month_rows(m) if r["payment"]) if m >= 1 else ()
        if rows:
            upcoming.append((month_name(after + k), rows, sum((a for _, a in rows), Decimal("0.00"))))
    plan_rows = tuple(
        (o.name, plan.calendar_month(o.payoff_month) if o.payoff_month else t("case_never", lang), o.interest, o.paid) for o in plan.outcomes
    )
    contacts = tuple(
        (c["at"][:16].replace("T", " ") + " " + c["at"][19:], c["debt"], t(f"channel_{c['channel']}", lang), c["who"], c["summary"],
         "; ".join(f"{e['file']} sha256:{e['sha256'][:12]}…" for e in c["evidence"]) or "-",
         ("、" if lang == "zh" else "; ").join(rules()[r].label(lang) for r in c["flags"]) or "-")
        for c in case.contacts()
    )
    client = data.name
    if anonymise:
        clean = lambda text: scrub(text, (data.name,), lang)  # noqa: E731
        client = t("letter_client", lang)
        changes = [clean(c) for c in changes]
        contacts = tuple((w, d, ch, clean(who), clean(summary), ev, fl) for w, d, ch, who, summary, ev, fl in contacts)
    statement = getattr(case, "statement", None)
    offers = case.fair_shares() if statement is not None else None
    return FollowUp(lang, client, date.today().isoformat(), status, since, tuple(changes), tuple(upcoming), plan_rows, case.progress(), contacts,
                    statement, offers)


def render_followup(report: FollowUp) -> str:
    """One self-contained HTML document."""
    import jinja2

    from ..cases import ahead_text
    from ..charts.progress import progress_chart
    from .render import _png

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("planner.report", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    lang = report.lang
    chart = _png(lambda ax: progress_chart(report.progress, ax, lang=lang), (6.8, 3.2))
    charts = {}
    if report.offers is not None:
        from ..charts import shares_chart

        charts["shares"] = _png(lambda ax: shares_chart(report.offers, ax, lang=lang), (6.8, 1.2 + 0.36 * min(len(report.offers.offers), 20)))
    return env.get_template("followup.html.j2").render(
        lang=lang, lt=lambda key, **fields: t(key, lang, **fields), charts=charts,
        r=report, s=report.status, chart=chart, html_lang="zh-CN" if lang == "zh" else "en",
        t=lambda key, **fields: t(key, lang, **fields), yuan=format_yuan, ahead=lambda amount: ahead_text(amount, lang),
        who=lambda adjustment: adjustment.who(lang),
    )


def write_followup(case, path, *, lang: str = "zh", inputs=(), anonymise: bool = False, today=None) -> Path:
    """Write the follow-up report of ``case`` to ``path`` (``.html`` or ``.pdf``), atomically,
    never over one of ``inputs`` nor over the case's book, its journal or its evidence folder."""
    from ..io import atomic_write_bytes, output_target, refuse_inputs
    from .render import render_pdf

    inputs = [*inputs, *getattr(getattr(case, "book", None), "own_files", ())]
    target = output_target(path)
    refuse_inputs(target, inputs)
    if target.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise PlannerError("report.followup.output_should_end_html", target=target)
    if today is None and hasattr(case, "book"):
        today = case.book.today  # the book's month (a test's or the real one)
    document = render_followup(build_followup(case, lang=lang, anonymise=anonymise, today=today))
    data = render_pdf(document) if target.suffix.lower() == ".pdf" else document.encode("utf-8")
    return atomic_write_bytes(target, data, inputs=inputs)


__all__ = ["FollowUp", "build_followup", "render_followup", "write_followup"]
