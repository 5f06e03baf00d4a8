"""Following a client month by month in a notebook: the case book as a widget.

:class:`FollowUp` picks (or opens) a case of a :class:`planner.cases.CaseBook`,
takes this month's payments (pre-filled with the plan's amounts, so an on-plan
month is one click), a statement balance, an agreement, a re-plan, and shows
the status and the progress chart. Every control calls the case layer; the
widget keeps its state in ``widget.state`` and has methods a test calls as a
person would click (:meth:`FollowUp.set_payment`, :meth:`FollowUp.record_payments`, ...).

:func:`planner.widgets.case_button.save_case_button` is the counsellor session's "save as case" button.
"""

from __future__ import annotations

import html
from decimal import Decimal

import ipywidgets as W
import traitlets

from ..errors import PlannerError
from ..i18n import t
from ..money import format_yuan
from .canvas import Canvas
from .explorers import _Driven, _message_axes

LANG_OPTIONS = (("中文", "zh"), ("English", "en"))
_ACTIONS = ("freeze_interest", "extend_term", "reduce_rate", "cap_rate", "waive_fees", "settle", "defer")


class FollowUpState(traitlets.HasTraits):
    lang = traitlets.Unicode("zh")
    case = traitlets.Unicode("")  # the case's name ("" when none is open)
    month = traitlets.Unicode("")  # the month being entered, YYYY-MM


class FollowUp(_Driven):
    """A case of ``book`` (a :class:`~planner.cases.CaseBook` or its location) month by month."""

    def __init__(self, book, name: str | None = None, *, lang: str = "zh", today=None):
        from ..cases import CaseBook

        self._init_batch()
        self.book = book if isinstance(book, CaseBook) else CaseBook(book, today=today)
        self.state = FollowUpState(lang=lang)
        self.case = None
        self.message = W.HTML()
        self.picker = W.Dropdown(options=self.book.names(), value=None, layout=W.Layout(width="20em"))
        self.month_box = W.Text(layout=W.Layout(width="8em"))
        self.amounts = W.VBox()
        self._amount_boxes: dict[str, W.Text] = {}
        self.pay_button = W.Button(button_style="primary", icon="check")
        self.statement_debt = W.Dropdown(layout=W.Layout(width="14em"))
        self.statement_balance = W.Text(layout=W.Layout(width="10em"))
        self.statement_button = W.Button(icon="file-text")
        self.agree_debt = W.Text(layout=W.Layout(width="14em"))
        self.agree_action = W.Dropdown(options=_ACTIONS, value="freeze_interest", layout=W.Layout(width="12em"))
        self.agree_months = W.IntText(value=24, layout=W.Layout(width="6em"))
        self.agree_from = W.Text(layout=W.Layout(width="8em"))
        self.agree_confirmed = W.Checkbox(value=False, indent=False)
        self.agree_button = W.Button(icon="handshake-o")
        self.replan_reason = W.Text(layout=W.Layout(width="20em"))
        self.replan_button = W.Button(icon="refresh")
        # issue 13: the contact log, the request letter and the complaint pack
        from ..conduct import CHANNELS, DIRECTIONS

        self.contact_debt = W.Dropdown(layout=W.Layout(width="14em"))
        self.contact_at = W.Text(placeholder="2027-01-05 21:40", layout=W.Layout(width="11em"))
        self.contact_tz = W.Text(placeholder="Asia/Shanghai", layout=W.Layout(width="9em"))
        self.contact_channel = W.Dropdown(options=CHANNELS, value="phone", layout=W.Layout(width="8em"))
        self.contact_direction = W.Dropdown(options=DIRECTIONS, value="in", layout=W.Layout(width="5em"))
        self.contact_who = W.Text(layout=W.Layout(width="10em"))
        self.contact_summary = W.Text(layout=W.Layout(width="24em"))
        self.contact_evidence = W.Text(layout=W.Layout(width="24em"))
        self.contact_button = W.Button(icon="phone")
        self.contact_log = W.HTML()
        self.letter_debt = W.Dropdown(layout=W.Layout(width="14em"))
        self.letter_out = W.Text(placeholder="letter.html", layout=W.Layout(width="18em"))
        self.letter_anonymise = W.Checkbox(value=True, indent=False, description="anonymise")
        self.letter_button = W.Button(icon="envelope")
        self.complaint_button = W.Button(icon="exclamation-triangle")
        self.lang_toggle = W.ToggleButtons(options=LANG_OPTIONS, style={"button_width": "80px"})
        traitlets.link((self.state, "lang"), (self.lang_toggle, "value"))
        self.status = W.HTML()
        self.canvas = Canvas(figsize=(10, 4.2))
        self.labels = {k: W.HTML() for k in ("case", "month", "pay", "statement", "agree", "replan", "contact", "contacts", "letters")}
        self.widget = W.VBox([
            W.HBox([self.labels["case"], self.picker, self.lang_toggle]),
            self.status, self.canvas.image,
            W.HBox([self.labels["month"], self.month_box]),
            self.labels["pay"], self.amounts, self.pay_button,
            self.labels["statement"], W.HBox([self.statement_debt, self.statement_balance, self.statement_button]),
            self.labels["agree"], W.HBox([self.agree_debt, self.agree_action, self.agree_months, self.agree_from, self.agree_confirmed, self.agree_button]),
            self.labels["replan"], W.HBox([self.replan_reason, self.replan_button]),
            self.labels["contact"],
            W.HBox([self.contact_debt, self.contact_at, self.contact_tz, self.contact_channel, self.contact_direction, self.contact_who]),
            W.HBox([self.contact_summary, self.contact_evidence, self.contact_button]),
            self.labels["contacts"], self.contact_log,
            self.labels["letters"], W.HBox([self.letter_debt, self.letter_out, self.letter_anonymise, self.letter_button, self.complaint_button]),
            self.message,
        ])
        self.widget.add_class("planner-follow-up")
        self.picker.observe(lambda change: self._picked(change["new"]) if change["new"] else None, names="value")
        self.month_box.observe(lambda change: setattr(self.state, "month", change["new"].strip()), names="value")
        self.pay_button.on_click(lambda _b: self._guard(self.record_payments))
        self.statement_button.on_click(lambda _b: self._guard(lambda: self.record_balance(self.statement_debt.value, self.statement_balance.value)))
        self.agree_button.on_click(lambda _b: self._guard(self._agree_from_controls))
        self.replan_button.on_click(lambda _b: self._guard(lambda: self.replan(reason=self.replan_reason.value)))
        self.contact_button.on_click(lambda _b: self._guard(self._contact_from_controls))
        self.letter_button.on_click(lambda _b: self._guard(lambda: self.write_letter(self.letter_debt.value, self.letter_out.value.strip(), anonymise=self.letter_anonymise.value)))
        self.complaint_button.on_click(lambda _b: self._guard(lambda: self.write_complaint(self.letter_debt.value, self.letter_out.value.strip(), anonymise=self.letter_anonymise.value)))
        self.state.observe(self._changed, names=["lang", "month"])
        if name:
            self.open(name)
        else:
            self.refresh()

    # -- actions (what the buttons do; tests call these) ----------------------
    def open(self, name: str) -> None:
        """Open the case called ``name``; the month to enter becomes the one after the latest recorded."""
        from ..cases import month_index, month_name

        self.case = self.book.case(name)
        with self.hold():
            self.state.case = name
            as_of = self.case.data.as_of
            self.state.month = month_name(month_index(as_of) + 1) if as_of else self.case.data.start
        if self.picker.value != name:
            self.picker.options = self.book.names()
            self.picker.value = name
        self.month_box.value = self.state.month
        self._fill_amounts()
        self.refresh()

    def _picked(self, name: str) -> None:
        """The picker's callback: a case another counsellor deleted meanwhile is a message and a
        fresh list of cases, never an error raised inside the callback."""
        try:
            self.open(name)
        except PlannerError as exc:
            self.message.value = f"<pre style='color:#D55E00;white-space:pre-wrap'>{html.escape(str(exc))}</pre>"
            try:
                names = self.book.names()
            except PlannerError:
                names = []
            with self.picker.hold_trait_notifications():
                self.picker.options = names
                self.picker.value = self.state.case if self.state.case in names else None
            if self.state.case and self.state.case not in names:
                self.case, self.state.case = None, ""
                self._fill_amounts()
                self.refresh()

    def set_payment(self, debt: str, amount) -> None:
        """Type an amount for ``debt`` (as a person would in its box)."""
        if debt not in self._amount_boxes:
            raise PlannerError(f"没有债务「{debt}」/ no debt named {debt!r}")
        self._amount_boxes[debt].value = str(amount)

    def payments(self) -> dict[str, str]:
        """The amounts in the boxes (what "record" would send)."""
        return {name: box.value for name, box in self._amount_boxes.items() if box.value.strip() not in ("", "0", "0.00")}

    def record_payments(self) -> None:
        """Record the month's payments as typed (one transaction), then move to the next month."""
        from ..cases import month_index, month_name

        self._need_case()
        self.case = self.case.pay(self.state.month, self.payments())
        self.message.value = f"<span style='color:#009E73'>{html.escape(t('case_recorded', self.state.lang))}</span>"
        self.state.month = month_name(month_index(self.state.month) + 1)
        self.month_box.value = self.state.month
        self._fill_amounts()
        self.refresh()

    def record_balance(self, debt: str, balance, month: str | None = None) -> None:
        """Record what the lender's statement says ``debt`` owes at the end of ``month`` (default: the month entered last)."""
        from ..cases import month_index, month_name

        self._need_case()
        when = month or month_name(month_index(self.state.month) - 1)
        self.case = self.case.balance(when, debt, balance)
        self.message.value = f"<span style='color:#009E73'>{html.escape(t('case_recorded', self.state.lang))}</span>"
        self.refresh()

    def add_agreement(self, debt, action: str, from_month: str, *, confirmed: bool = False, **params) -> None:
        self._need_case()
        self.case = self.case.agree(debt, action, from_month, confirmed=confirmed, **params)
        self._fill_amounts()
        self.refresh()

    def replan(self, *, budget=None, reason: str = "") -> None:
        self._need_case()
        self.case = self.case.replan(budget=budget, reason=reason)
        self._fill_amounts()
        self.refresh()

    def add_contact(self, debt: str, at, *, channel: str, direction: str, summary: str = "", who: str = "", tz=None, evidence=()) -> None:
        """Log a contact (as the contact form does); the log below shows its flags."""
        self._need_case()
        self.case = self.case.add_contact(debt, at, channel=channel, direction=direction, summary=summary, who=who, tz=tz or None, evidence=evidence)
        self.message.value = f"<span style='color:#009E73'>{html.escape(t('case_recorded', self.state.lang))}</span>"
        self.refresh()

    def write_letter(self, debt: str, path, *, anonymise: bool = True):
        """Write the request letter for ``debt``'s latest ask to ``path`` (.html, .pdf or .txt)."""
        from ..report.letters import case_letter, write_document

        self._need_case()
        doc, _ = case_letter(self.case, debt, lang=self.state.lang, anonymise=anonymise)
        return self._written(write_document(doc, self._out(path, anonymise)))

    def write_complaint(self, debt: str, path, *, anonymise: bool = True):
        """Write the complaint pack about ``debt``'s lender to ``path`` (.html, .pdf or .txt)."""
        from ..report.letters import case_complaint, write_document

        self._need_case()
        return self._written(write_document(case_complaint(self.case, debt, lang=self.state.lang, anonymise=anonymise),
                                            self._out(path, anonymise)))

    def _out(self, path, anonymise: bool) -> str:
        """The output file; anonymised, its name loses the client's name and ID, card and phone numbers."""
        path = _need_path(path)
        if not anonymise:
            return path
        from pathlib import Path

        from ..privacy import scrub_file_name

        return str(Path(path).with_name(scrub_file_name(Path(path).name, (self.case.name,))))

    def _written(self, path):
        self.message.value = f"<span style='color:#009E73'>{html.escape(str(path))}</span>"
        return path

    def _contact_from_controls(self) -> None:
        files = [x.strip() for x in self.contact_evidence.value.split(",") if x.strip()]
        self.add_contact(
            self.contact_debt.value, self.contact_at.value.strip(), channel=self.contact_channel.value, direction=self.contact_direction.value,
            summary=self.contact_summary.value, who=self.contact_who.value, tz=self.contact_tz.value.strip() or None, evidence=files,
        )

    def _agree_from_controls(self) -> None:
        params = {}
        if self.agree_action.value in ("freeze_interest", "extend_term", "defer"):
            params["months"] = int(self.agree_months.value)
        self.add_agreement(self.agree_debt.value.strip(), self.agree_action.value, self.agree_from.value.strip(), confirmed=self.agree_confirmed.value, **params)

    def _guard(self, action) -> None:
        try:
            action()
        except PlannerError as exc:
            self.message.value = f"<pre style='color:#D55E00;white-space:pre-wrap'>{html.escape(str(exc))}</pre>"

    def _need_case(self) -> None:
        if self.case is None:
            raise PlannerError("请先选择或新建一个案例 / open or create a case first")

    def _fill_amounts(self) -> None:
        """One box per open debt, pre-filled with what the plan in force pays it this month."""
        if self.case is None:
            self.amounts.children = ()
            return
        try:
            planned = self.case.planned_payments(self.state.month)
        except PlannerError:
            planned = {}
        status = self.case.status()
        boxes = {}
        rows = []
        for d in status.debts:
            if d.status == "cleared":
                continue
            box = W.Text(value=f"{planned.get(d.name, Decimal('0.00')):.2f}", layout=W.Layout(width="10em"))
            boxes[d.name] = box
            rows.append(W.HBox([W.Label(d.name, layout=W.Layout(width="14em")), box]))
        self._amount_boxes = boxes
        self.amounts.children = tuple(rows)
        self.statement_debt.options = list(boxes)
        self.statement_debt.value = next(iter(boxes), None)
        every = [d.name for d in self.case.data.debts]
        for box in (self.contact_debt, self.letter_debt):
            keep = box.value if box.value in every else None
            box.options = every
            box.value = keep or next(iter(every), None)

    # -- display -----------------------------------------------------------
    def refresh(self) -> None:
        lang = self.state.lang
        for key, widget in self.labels.items():
            widget.value = f"<b>{html.escape(t(f'ui_case_{key}', lang))}</b>"
        self.pay_button.description = t("ui_case_record", lang)
        self.statement_button.description = t("ui_case_record", lang)
        self.agree_button.description = t("ui_case_add", lang)
        self.replan_button.description = t("ui_case_replan", lang)
        self.contact_button.description = t("ui_case_record", lang)
        self.letter_button.description = t("ui_case_letter", lang)
        self.complaint_button.description = t("ui_case_complaint", lang)
        self.agree_confirmed.description = t("case_confirmed", lang)
        if self.case is None:
            self.contact_log.value = ""
            self.status.value = f"<p>{html.escape(t('ui_case_pick', lang))}</p>"
            self.canvas.draw(lambda canvas: _message_axes(canvas, t("ui_case_pick", lang)))
            return
        s = self.case.status()
        self.status.value = _status_html(s, lang)
        self.contact_log.value = _contacts_html(self.case.contacts(), lang)
        progress = self.case.progress()

        def paint(canvas):
            from ..charts.progress import progress_chart

            progress_chart(progress, canvas.main_axes(), lang=lang)

        self.canvas.draw(paint)

    def axes(self):
        """The progress chart's Axes (for tests)."""
        return self.canvas.axes


def _need_path(path) -> str:
    if not path or not str(path).strip():
        raise PlannerError("请填写输出文件，例如 letter.html / give the output file, e.g. letter.html")
    return str(path).strip()


def _contacts_html(log: list[dict], lang: str) -> str:
    """The contact log as a table; a flagged contact's rules in the last column (everything escaped)."""
    if not log:
        return "<p>-</p>"
    from ..conduct import rules

    cols = ("letter_when", "debt", "letter_channel", "letter_who", "letter_summary", "letter_evidence", "letter_rules")
    header = "".join(f"<th>{html.escape(t(c, lang))}</th>" for c in cols)
    rows = []
    for c in log:
        flags = ", ".join(rules()[r].label(lang) for r in c["flags"])
        style = " style='color:#D55E00'" if c["flags"] else ""
        rows.append(
            f"<tr{style}><td>{html.escape(c['at'][:16].replace('T', ' ') + ' ' + c['at'][19:])}</td><td>{html.escape(c['debt'])}</td>"
            f"<td>{html.escape(t('channel_' + c['channel'], lang))} ({html.escape(c['direction'])})</td><td>{html.escape(c['who'])}</td>"
            f"<td>{html.escape(c['summary'])}</td><td>{html.escape(_evidence_text(c, lang))}</td><td>{html.escape(flags or '-')}</td></tr>"
        )
    return f"<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _evidence_text(contact: dict, lang: str) -> str:
    """The evidence files of a contact; a copy changed since intake is marked."""
    files = [e["file"] + (" ⚠ " + t("case_evidence_changed", lang, n=1) if e.get("intact") is False else "") for e in contact["evidence"]]
    return "; ".join(files) or "-"


def _status_html(s, lang: str) -> str:
    head = (
        f"<p><b>{html.escape(t('case_as_of', lang))} {html.escape(s.as_of or '-')}</b> · "
        f"{html.escape(t('case_ahead_by', lang))} <b>{format_yuan(s.ahead_by)}</b> · "
        f"{html.escape(t('case_debt_free', lang))} {html.escape(s.debt_free or t('case_never', lang))} · "
        f"{html.escape(t('case_planned_debt_free', lang))} {html.escape(s.planned_debt_free or t('case_never', lang))}</p>"
    )
    cols = ("debt", "case_planned", "case_actual", "case_paid_to_date", "case_unexplained", "case_status")
    header = "".join(f"<th>{html.escape(t(c, lang))}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{html.escape(d.name)}</td><td>{format_yuan(d.planned_balance)}</td><td>{format_yuan(d.actual_balance)}</td>"
        f"<td>{format_yuan(d.paid_to_date)}</td><td>{format_yuan(d.unexplained_charges)}</td><td>{html.escape(t('case_status_' + d.status, lang))}</td></tr>"
        for d in s.debts
    )
    return f"{head}<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


__all__ = ["FollowUp", "FollowUpState"]
