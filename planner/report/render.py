"""The session report on paper: one self-contained HTML file, a PDF printed by Chromium, a screenshot.

:func:`render_html` turns a :class:`~planner.report.model.Report` into ONE
HTML document (charts embedded as PNG data, no outside fonts, links or
scripts) laid out for two A4 pages; :func:`render_pdf` prints it with headless
Chromium; :func:`write_report` writes either, atomically and never over an input.
"""

from __future__ import annotations

import os
from importlib import resources
from decimal import Decimal
from pathlib import Path

from ..errors import PlannerError
from .model import Report, _param, _pct, _yuan, chromium_args, chromium_path, text


def _png(draw, size: tuple[float, float]) -> str:
    """Draw on a fresh (pyplot-free) figure and return it as a base64 PNG."""
    import base64
    import io

    from matplotlib.figure import Figure

    from ..charts import chart_style

    with chart_style():
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chart_images(report: Report) -> dict[str, str]:
    """The report's charts as base64 PNGs: ``timeline`` (when there is a plan) and (when there are asks) ``savings``."""
    from .. import charts as c

    def timeline(ax):
        from matplotlib.ticker import MaxNLocator

        # Beyond a dozen debts the smaller ones are one grey area ("the other 988"): the legend
        # fits the page and drawing costs what a dozen debts cost; the tables name every debt.
        c.payoff_timeline(report.plan, ax, lang=report.lang, legend=False, max_items=CHART_ITEMS)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=7, ncols=3)

    out = {"timeline": _png(timeline, (6.4, 3.6))} if report.plan is not None else {}
    bars = _bounded(list(report.waterfall), report)
    if report.waterfall and report.shortfall is not None:
        # Budget below the minimums: the bars are what each call takes off the month-1 minimums.
        def cuts(ax):
            c.savings_waterfall(bars, ax, lang=report.lang, title=report.t("pressure_chart_title"))
            ax.set_ylabel(report.t("pressure_axis"))
            amount = report.shortfall.amount  # the cut the budget needs: the bars that cross it make the plan fit
            low, high = ax.get_ylim()
            ax.set_ylim(low, max(high, float(amount) * 1.1))
            ax.axhline(float(amount), color=c.PALETTE[3], linestyle="--", linewidth=1)
            ax.text(0.5, float(amount), " " + report.t("short_cell", amount=_yuan(amount)), color=c.PALETTE[3],
                    fontsize=7, va="bottom", ha="left")

        out["savings"] = _png(cuts, (6.4, 3.0))
    elif report.waterfall:
        out["savings"] = _png(lambda ax: c.savings_waterfall(bars, ax, lang=report.lang), (6.4, 3.0))
    if report.offers is not None:
        n = min(len(report.offers.offers), CHART_ITEMS)
        out["shares"] = _png(lambda ax: c.shares_chart(report.offers, ax, lang=report.lang, max_items=CHART_ITEMS), (6.4, 1.2 + 0.36 * n))
    return out


#: The most debts a chart names one by one (legend entries, waterfall bars); beyond it the
#: rest is one bar ("the other 988"), so drawing a 1,000-debt report stays small and fast.
CHART_ITEMS = 12


def _bounded(bars: list, report: Report) -> list:
    """The waterfall's bars, the ones beyond :data:`CHART_ITEMS` summed into one (the total is unchanged)."""
    if len(bars) <= CHART_ITEMS:
        return bars
    keep, rest = bars[: CHART_ITEMS - 1], bars[CHART_ITEMS - 1:]
    label = report.t("chart_others", n=len(rest))
    return keep + [(label, sum((saving for _, saving in rest), Decimal("0.00")))]


def _months_label(report: Report, month: int) -> str:
    return report.plan.calendar_month(month) or str(month)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (UTF-8 text)."""
    import jinja2

    from ..charts import strategy_label
    from ..i18n import t as t_label

    source = resources.files("planner.report").joinpath("templates/report.html.j2").read_text("utf-8")
    env = jinja2.Environment(loader=jinja2.PackageLoader("planner.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["yuan"] = _yuan
    env.filters["pct"] = _pct
    template = env.from_string(source)
    p = report.plan
    totals = {
        "owed": sum((d.owed for d in report.debts), Decimal("0.00")),
        "minimum": sum((d.minimum for d in report.debts), Decimal("0.00")),
        "overdue_cost": sum((d.overdue_cost for d in report.debts), Decimal("0.00")),
    }
    paid = [report.payments(m) for m in report.first_months]  # once a month: each call reads the whole schedule
    month_table = [{"name": d.name, "cells": [month.get(d.name) for month in paid]} for d in report.debts]
    month_totals = [sum(month.values(), Decimal("0.00")) for month in paid]
    def once(field):  # a text already quoted for an earlier call: "as for call 3"
        out, seen = [], {}
        for c in report.calls:
            out.append([text("same_basis", report.lang, rank=seen[x]) if x in seen else x for x in getattr(c, field)])
            for x in getattr(c, field):
                seen.setdefault(x, c.rank)
        return out
    return template.render(
        r=report,
        t=report.t,
        lt=lambda key, **fields: t_label(key, report.lang, **fields),
        p=p,
        lang=report.lang,
        html_lang="zh-CN" if report.lang == "zh" else "en",
        totals=totals,
        charts=chart_images(report),
        month_labels=[_months_label(report, m) for m in report.first_months],
        month_table=month_table,
        month_totals=month_totals,
        strategy_name=strategy_label(report.recommended, report.lang),
        order=("、" if report.lang == "zh" else ", ").join(p.priority) if p is not None else "",
        sf=report.shortfall,
        basis=once("basis"),
        writing=once("writing"),
        agency_percent=_param("agency_fee_percent"),
        sep="、" if report.lang == "zh" else ", ",
        due=_due_dates(report),
    )


def _due_dates(report) -> dict | None:
    """The next due date of each debt under the recommended plan (its first month, on the debt's
    due day), with where the full calendar comes from; None without a plan or a start month.

    One month only: the table of the first months above already shows the amounts, so this
    adds the dates, and the .ics (``planner calendar``) holds the year. When no debt has a
    due day there are no dates to add: only the note is shown (``events`` empty)."""
    from ..calendar import LEAD_DAYS, payment_calendar
    from ..i18n import t

    p = report.plan
    if p is None or p.start is None or not report.first_months:
        return None
    cal = payment_calendar(p, months=1, lang=report.lang)
    if not cal.events:
        return None
    lang = report.lang
    dated = any(e.due_day is not None for e in cal.events)
    return {
        "title": t("calendar_section", lang), "events": cal.events if dated else (), "unknown": t("calendar_day_unknown", lang),
        "col_due": t("calendar_due", lang), "col_debt": t("debt", lang), "col_amount": t("calendar_amount", lang),
        "note": t("calendar_section_note_cli", lang, days=LEAD_DAYS),
    }


def _fontconfig_env() -> dict[str, str]:
    """Environment for Chromium: when fontconfig knows no Chinese font, add the pip-installed Noto CJK."""
    import shutil
    import subprocess
    import tempfile

    env = dict(os.environ)
    if shutil.which("fc-list"):
        try:
            found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            return env
    from ..charts import bundled_font_path

    path = bundled_font_path()
    if path is None:
        return env
    # A private file of our own (never a fixed name in the shared temp folder, which another
    # user could have made a symlink to a device or to one of our files).
    fd, name = tempfile.mkstemp(prefix="planner-fonts-", suffix=".conf")
    conf = Path(name)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(path).parent}</dir></fontconfig>"
        )
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def _chromium(action):
    """Run ``action(page)`` in headless Chromium with every network request blocked.

    Runs in a worker thread when an asyncio loop is running (Jupyter), where
    Playwright's sync API cannot run.
    """
    import asyncio

    def work():
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise PlannerError("report.render.pdf_needs_playwright_pip") from None
        chromium = chromium_path()
        if not Path(chromium).exists():
            raise PlannerError("report.render.pdf_needs_chromium_run", chromium=chromium)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=chromium_args(), env=_fontconfig_env())
                try:
                    page = browser.new_page()
                    page.route("**/*", lambda route: route.abort())  # nothing is fetched or sent
                    return action(page)
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise PlannerError("report.render.chromium_failed", exc=str(exc).splitlines()[0]) from None

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def render_pdf(report_or_html) -> bytes:
    """The report printed to an A4 PDF by headless Chromium (Chinese needs a CJK font it can see)."""
    document = report_or_html if isinstance(report_or_html, str) else render_html(report_or_html)

    def pdf(page):
        page.set_content(document, wait_until="load")
        return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)

    return _chromium(pdf)


def screenshot(report_or_html, path, *, width: int = 900) -> Path:
    """A full-page PNG of the report as a browser shows it (for the docs and checks)."""
    document = report_or_html if isinstance(report_or_html, str) else render_html(report_or_html)

    def shot(page):
        page.set_viewport_size({"width": width, "height": 1200})
        page.set_content(document, wait_until="load")
        return page.screenshot(full_page=True, type="png")

    from ..io import atomic_write_bytes

    return atomic_write_bytes(path, _chromium(shot))


def write_report(report: Report, path, *, inputs=()) -> Path:
    """Write ``report`` to ``path``: a PDF when it ends in ``.pdf``, else HTML.

    Atomic (a temporary file renamed into place), and never over one of ``inputs``.

    Parameters
    ----------
    report : Report
        From :func:`~planner.report.build_report`.
    path : str or Path
        Where to write; ``.pdf`` needs Playwright and Chromium.
    inputs : sequence of paths, optional
        Files the report was made from, never overwritten.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    PlannerError
        When ``path`` is one of ``inputs``, cannot be written, or a PDF cannot be printed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from planner import Debt
    >>> from planner.report import build_report
    >>> r = build_report([Debt("Card", 3000, 18, 300)], 1000, lang="en")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_report(r, pathlib.Path(folder) / "report.html")
    ...     written.read_text("utf-8").startswith("<!DOCTYPE html>")
    True
    """
    from ..io import atomic_write_bytes, output_target, refuse_inputs

    target = output_target(path)  # not a device, FIFO or folder: before the (slow) rendering
    refuse_inputs(target, inputs)  # before the (slow) rendering, not only at the write
    if target.suffix.lower() == ".pdf":
        data = render_pdf(report)
    elif target.suffix.lower() in (".html", ".htm"):
        data = render_html(report).encode("utf-8")
    else:
        raise PlannerError("report.render.output_should_end_html", target=target)
    return atomic_write_bytes(target, data, inputs=inputs)


__all__ = [
    "chart_images",
    "render_html",
    "render_pdf",
    "screenshot",
    "write_report",
]
