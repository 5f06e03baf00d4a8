"""The session report lists the next due dates of the recommended plan (issue 26)."""

from __future__ import annotations

import pytest

pytest.importorskip("jinja2")

from planner import Debt  # noqa: E402
from planner.report import build_report  # noqa: E402
from planner.report.render import render_html  # noqa: E402


@pytest.mark.parametrize("lang, title, unknown", [("zh", "还款日历：接下来的还款日", "（未给出还款日）"), ("en", "Payment calendar: the next due dates", "(due day not given)")])
def test_the_next_due_dates(lang, title, unknown):
    debts = [Debt("花呗", 3000, 18, 300, due_day=31), Debt("借呗", 5000, 24, 500)]
    report = build_report(debts, 1500, lang=lang, start="2027-01")
    page = render_html(report)
    assert title in page and 'id="due-dates"' in page
    # The first month's date of each debt: day 31 of January; without a due day the 1st, said so.
    assert "2027-01-31" in page and "2027-01-01 " + unknown in page
    assert "2027-02-28" not in page  # one month: the table of the first months already shows the amounts
    assert "planner calendar" in page


def test_no_due_days_no_dates_only_the_note():
    debts = [Debt("花呗", 3000, 18, 300), Debt("借呗", 5000, 24, 500)]
    page = render_html(build_report(debts, 1500, lang="en", start="2027-01"))
    assert 'id="due-dates"' not in page and "(due day not given)" not in page
    assert "planner calendar" in page
