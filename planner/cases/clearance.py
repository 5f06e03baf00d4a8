"""After a debt is cleared: the checklist (settlement proof asked for and received, credit report checked).

The articles' advice once a debt is paid off or settled: ask the lender for the
settlement proof (结清证明), keep it, and about a month later check the credit report
(征信报告) shows the debt as settled. A case keeps the date of each step per debt
(stored with the debt in the case book, no table of its own); the checklist of a debt
appears once the recorded track clears it (paid off, or settled under an agreement)
and is shown in ``case show`` and the caseload until every step has a date.

Pure functions of a :class:`~planner.cases.model.CaseData` (no database here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .months import month_index, month_name

#: The steps, in order.
ITEMS = ("proof_asked", "proof_received", "report_checked")


def report_from(cleared: str) -> str:
    """The date from which the credit report is worth checking: the last day of the month after
    the one the debt was cleared in (about a month later).

    >>> report_from("2027-01"), report_from("2027-12")
    ('2027-02-28', '2028-01-31')
    """
    from ..calendar import due_date

    return due_date(month_name(month_index(cleared) + 1), 31).isoformat()


@dataclass(frozen=True)
class Clearance:
    """One cleared debt's checklist: the month it was cleared and the date of each step (None: not yet)."""

    debt: str
    cleared: str  # the calendar month the recorded track cleared it
    proof_asked: str | None = None
    proof_received: str | None = None
    report_checked: str | None = None

    @property
    def report_from(self) -> str:
        return report_from(self.cleared)

    @property
    def todo(self) -> tuple[str, ...]:
        """The steps without a date yet, in order."""
        return tuple(item for item in ITEMS if getattr(self, item) is None)

    @property
    def done(self) -> bool:
        return not self.todo

    def todo_text(self, lang: str = "en") -> str:
        """The steps still to do, in words (``"ask for the settlement proof, ..."``)."""
        from ..i18n import t

        comma = "、" if lang == "zh" else ", "
        return comma.join(t(f"clearance_item_{item}", lang, date=self.report_from) for item in self.todo)

    def line(self, lang: str = "en") -> str:
        """``借呗 (cleared 2027-03): still to do: ...``."""
        from ..i18n import t

        return t("clearance_line", lang, debt=self.debt, month=self.cleared, items=self.todo_text(lang))

    def to_dict(self) -> dict:
        return {"debt": self.debt, "cleared": self.cleared, "proof_asked": self.proof_asked, "proof_received": self.proof_received,
                "report_checked": self.report_checked, "report_from": self.report_from, "done": self.done}


def checklists(data, track) -> tuple[Clearance, ...]:
    """Every debt the case's recorded ``track`` (:func:`planner.cases.answers.track_of`) cleared, in
    the case's month range, with its steps' dates."""
    start = month_index(data.start)
    stored = getattr(data, "clearance", {}) or {}
    out = []
    for d in data.debts:
        month = track.cleared.get(d.name)
        if month is None or month < start:
            continue
        steps = stored.get(d.name, {})
        out.append(Clearance(d.name, month_name(month), *(steps.get(item) for item in ITEMS)))
    return tuple(out)


def open_checklists(data, track) -> tuple[Clearance, ...]:
    """The checklists with a step still to do (what ``case show`` and the caseload list)."""
    return tuple(c for c in checklists(data, track) if not c.done)


def check_step_date(value, what: str) -> str:
    """A step's date as ``YYYY-MM-DD`` (a date, or text such as ``2027-05-10`` or ``2027年5月10日``)."""
    from ..errors import PlannerError
    from ..money import ParseError, parse_date

    if isinstance(value, date):
        return value.isoformat()
    try:
        return parse_date(str(value)).isoformat()
    except ParseError:
        shown = str(value)[:40]
        raise PlannerError("cases.clearance.bad_date", what=what, column=what, value=shown) from None


__all__ = ["ITEMS", "Clearance", "check_step_date", "checklists", "open_checklists", "report_from"]
