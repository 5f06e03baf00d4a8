"""Following a client month by month in a notebook: the case book as a widget.

:class:`FollowUp` opens the counsellor's own case book (the one the session's "save as
case" button writes to) or one it is given, picks a case or makes a new one from a debts
file, and takes this month's payments (pre-filled with the plan's amounts, so an on-plan
month is one click), a statement balance, an agreement or an ask with the terms its kind
needs, a re-plan and a contact; it writes request letters, complaint packs and the
follow-up report into the reports folder (named by client and date, never over an earlier
file) and shows the status and the progress chart. Every label, option and status is in
the chosen language. Every control calls the case layer; the widget keeps its state in
``widget.state`` and has methods a test calls as a person would click
(:meth:`FollowUp.set_payment`, :meth:`FollowUp.record_payments`, :meth:`FollowUp.add_ask` ...).

:func:`planner.widgets.case_button.save_case_button` is the counsellor session's "save as case" button;
:func:`sample_book` the throw-away book of notebook 05's sample.
"""

from __future__ import annotations

import html
from decimal import Decimal
from pathlib import Path

import ipywidgets as W
import traitlets

from ..errors import PlannerError
from ..i18n import both, t, t_or
from ..money import format_yuan
from .canvas import Canvas
from .explorers import _Driven, _message_axes

LANG_OPTIONS = (("中文", "zh"), ("English", "en"))
_ACTIONS = ("freeze_interest", "extend_term", "reduce_rate", "cap_rate", "waive_fees", "settle", "defer")
_ANSWERS = ("pending", "accepted", "refused", "counter")
_FORMATS = (".html", ".pdf", ".txt")
#: The terms each kind of agreement needs (the fields shown for it).
_TERMS = {
    "freeze_interest": ("months", "include_accrued"),
    "extend_term": ("months",),
    "reduce_rate": ("apr", "rate_fraction"),
    "cap_rate": ("line",),
    "waive_fees": (),
    "settle": ("settle_fraction", "settle_amount", "settle_month"),
    "defer": ("months", "defer_start", "accrue"),
}
_LINES = ("4xLPR", "24", "36")
_WIDE = {"description_width": "initial"}


def _row(*children) -> W.HBox:
    """A row that wraps instead of running past the output area (968 px in JupyterLab and Voila)."""
    return W.HBox(list(children), layout=W.Layout(flex_flow="row wrap", align_items="center", width="100%"))


def _text(width: str = "18em", **kwargs) -> W.Text:
    return W.Text(layout=W.Layout(width=width), style=_WIDE, **kwargs)


def _button(icon: str, **kwargs) -> W.Button:
    return W.Button(icon=icon, layout=W.Layout(width="auto", min_width="8em"), **kwargs)


def _relabel(dropdown: W.Dropdown, pairs) -> None:
    """New (label, value) options keeping the chosen value when it is still offered."""
    keep = dropdown.value
    pairs = tuple(pairs)
    dropdown.options = pairs
    values = [v for _, v in pairs]
    dropdown.value = keep if keep in values else (values[0] if values else None)


class FollowUpState(traitlets.HasTraits):
    lang = traitlets.Unicode("zh")
    case = traitlets.Unicode("")  # the case's name ("" when none is open)
    month = traitlets.Unicode("")  # the month being entered, YYYY-MM


class FollowUp(_Driven):
    """A case of ``book`` month by month.

    ``book`` is a :class:`~planner.cases.CaseBook` or its location; ``None`` (the default)
    opens the counsellor's own book, the one the session's "save as case" button writes to
    (``$PLANNER_CASEBOOK``, else the user data folder). ``folder``: where letters, complaint
    packs and reports are written (default :func:`~planner.widgets.default_report_folder`,
    never inside the project); each file is named by client, document and date and never
    replaces an earlier one.
    """

    def __init__(self, book=None, name: str | None = None, *, lang: str = "zh", today=None, folder=None):
        from ..cases import CaseBook
        from ..conduct import CHANNELS, DIRECTIONS
        from .report_button import default_report_folder

        self._init_batch()
        self.book = book if isinstance(book, CaseBook) else CaseBook(book, today=today)
        self.state = FollowUpState(lang=lang)
        self.case = None
        self._quiet = 0
        self.message = W.HTML()
        self.book_line = W.HTML()
        # the book: pick a case, reload the list, or open a new case from a debts file
        self.picker = W.Dropdown(options=self.book.names(), value=None, layout=W.Layout(width="22em"), style=_WIDE)
        self.reload_button = _button("refresh")
        self.new_name = _text("20em")
        self.new_debts = _text("24em", placeholder="debts.csv / .xlsx")
        self.new_budget = _text("16em")
        self.new_start = _text("20em", placeholder="2027-01")
        self.new_button = _button("plus", button_style="primary")
        # this month's payments and a statement balance
        self.month_box = _text("14em")
        self.amounts = W.VBox()
        self._amount_boxes: dict[str, W.Text] = {}
        self.pay_button = _button("check", button_style="primary")
        self.statement_debt = W.Dropdown(layout=W.Layout(width="18em"), style=_WIDE)
        self.statement_balance = _text("18em")
        self.statement_button = _button("file-text")
        # an agreement or an ask: which debts, what, the terms that kind needs, from when
        self.agree_debt = W.Dropdown(layout=W.Layout(width="20em"), style=_WIDE)
        self.agree_action = W.Dropdown(options=[(a, a) for a in _ACTIONS], value="freeze_interest", layout=W.Layout(width="18em"), style=_WIDE)
        self.agree_from = _text("20em", placeholder="2027-01")
        self.terms = {
            "months": W.IntText(value=24, layout=W.Layout(width="11em"), style=_WIDE),
            "include_accrued": W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto")),
            "apr": _text("13em", placeholder="18"),
            "rate_fraction": _text("16em", placeholder="0.3"),
            "line": W.Dropdown(layout=W.Layout(width="13em"), style=_WIDE),
            "settle_fraction": _text("18em", placeholder="0.6"),
            "settle_amount": _text("14em", placeholder="5000"),
            "settle_month": W.IntText(value=1, layout=W.Layout(width="16em"), style=_WIDE),
            "defer_start": W.IntText(value=1, layout=W.Layout(width="17em"), style=_WIDE),
            "accrue": W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto")),
        }
        self.no_terms = W.HTML()
        self.terms_box = _row(*self.terms.values(), self.no_terms)
        self.agree_confirmed = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.ask_answer = W.Dropdown(layout=W.Layout(width="16em"), style=_WIDE)
        self.ask_counter = _text("26em")
        self.agree_button = _button("handshake-o", button_style="primary")
        self.ask_button = _button("question")
        self.agree_months = self.terms["months"]  # the months box (kept under its old name)
        self.replan_budget = _text("20em")
        self.replan_reason = _text("30em")
        self.replan_button = _button("refresh")
        # issue 13: the contact log, the request letter and the complaint pack
        self.contact_debt = W.Dropdown(layout=W.Layout(width="18em"), style=_WIDE)
        self.contact_at = _text("18em", placeholder="2027-01-05 21:40")
        self.contact_tz = _text("17em", placeholder="Asia/Shanghai")
        self.contact_channel = W.Dropdown(options=[(c, c) for c in CHANNELS], value="phone", layout=W.Layout(width="14em"), style=_WIDE)
        self.contact_direction = W.Dropdown(options=[(d, d) for d in DIRECTIONS], value="in", layout=W.Layout(width="30em"), style=_WIDE)
        self.contact_who = _text("32em")
        self.contact_summary = _text("44em")
        self.contact_evidence = _text("52em")
        self.contact_consent = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.contact_button = _button("phone")
        self.contact_log = W.HTML()
        self.letter_debt = W.Dropdown(layout=W.Layout(width="18em"), style=_WIDE)
        self.letter_format = W.Dropdown(layout=W.Layout(width="18em"), style=_WIDE)
        self.letter_anonymise = W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto"))
        self.letter_hardship = _text("60em")
        self.folder_box = _text("40em", value=str(folder if folder is not None else default_report_folder()))
        self.letter_button = _button("envelope")
        self.complaint_button = _button("exclamation-triangle")
        self.followup_button = _button("file")
        self.calendar_button = _button("calendar")
        # issue 26: after a debt is cleared, the checklist (settlement proof, credit report) with a date per step
        self.clearance_table = W.HTML()
        self.clearance_debt = W.Dropdown(layout=W.Layout(width="18em"), style=_WIDE)
        self.clearance_item = W.Dropdown(layout=W.Layout(width="30em"), style=_WIDE)
        self.clearance_date = _text("16em", placeholder="2027-05-10")
        self.clearance_button = _button("check-square-o")
        #: Shown only while a cleared debt has a step to record (else the table says none is cleared).
        self.clearance_controls = _row(self.clearance_debt, self.clearance_item, self.clearance_date, self.clearance_button)
        self.lang_toggle = W.ToggleButtons(options=LANG_OPTIONS, style={"button_width": "80px"})
        traitlets.link((self.state, "lang"), (self.lang_toggle, "value"))
        self.status = W.HTML()
        self.canvas = Canvas(figsize=(10, 4.2))
        self.labels = {k: W.HTML() for k in ("case", "new", "month", "pay", "statement", "agree", "replan", "contact", "contacts", "letters", "clearance")}
        #: every labelled control and its catalogue key (relabelled in the chosen language)
        self._described = [
            (self.picker, "ui_case_case"), (self.reload_button, "ui_case_reload"),
            (self.new_name, "ui_case_new_name"), (self.new_debts, "ui_case_new_debts"), (self.new_budget, "ui_case_new_budget"),
            (self.new_start, "ui_case_new_start"), (self.new_button, "ui_case_new_button"),
            (self.month_box, "ui_case_month"), (self.pay_button, "ui_case_record"),
            (self.statement_debt, "ui_case_debt"), (self.statement_balance, "ui_case_balance"), (self.statement_button, "ui_case_record"),
            (self.agree_debt, "ui_case_debt"), (self.agree_action, "ui_case_action"), (self.agree_from, "ui_case_from"),
            (self.terms["months"], "ui_case_months"), (self.terms["include_accrued"], "ui_case_include_accrued"),
            (self.terms["apr"], "ui_case_apr"), (self.terms["rate_fraction"], "ui_case_rate_fraction"), (self.terms["line"], "ui_case_line"),
            (self.terms["settle_fraction"], "ui_case_settle_fraction"), (self.terms["settle_amount"], "ui_case_settle_amount"),
            (self.terms["settle_month"], "ui_case_settle_month"), (self.terms["defer_start"], "ui_case_defer_start"),
            (self.terms["accrue"], "ui_case_accrue"), (self.agree_confirmed, "case_confirmed"),
            (self.ask_answer, "ui_case_answer"), (self.ask_counter, "ui_case_counter"),
            (self.agree_button, "ui_case_add_agreement"), (self.ask_button, "ui_case_add_ask"),
            (self.replan_budget, "ui_case_new_budget_optional"), (self.replan_reason, "ui_case_reason"), (self.replan_button, "ui_case_replan"),
            (self.contact_debt, "ui_case_debt"), (self.contact_at, "ui_case_when"), (self.contact_tz, "ui_case_tz"),
            (self.contact_channel, "ui_case_channel"), (self.contact_direction, "ui_case_direction"), (self.contact_who, "ui_case_who"),
            (self.contact_summary, "ui_case_summary"), (self.contact_evidence, "ui_case_evidence"), (self.contact_consent, "ui_case_consent"),
            (self.contact_button, "ui_case_record"),
            (self.letter_debt, "ui_case_debt"), (self.letter_format, "ui_case_format"), (self.letter_anonymise, "ui_case_anonymise"),
            (self.letter_hardship, "ui_case_hardship"), (self.folder_box, "ui_case_folder"),
            (self.letter_button, "ui_case_letter"), (self.complaint_button, "ui_case_complaint"), (self.followup_button, "ui_case_followup"),
            (self.calendar_button, "ui_case_calendar"),
            (self.clearance_debt, "ui_case_debt"), (self.clearance_item, "ui_case_clearance_item"), (self.clearance_date, "ui_case_clearance_date"),
            (self.clearance_button, "ui_case_clearance_tick"),
        ]
        self.widget = W.VBox([
            _row(self.picker, self.reload_button, self.lang_toggle), self.book_line,
            self.labels["new"], _row(self.new_name, self.new_debts, self.new_budget, self.new_start, self.new_button),
            self.status, self.canvas.image,
            _row(self.month_box),
            self.labels["pay"], self.amounts, _row(self.pay_button),
            self.labels["statement"], _row(self.statement_debt, self.statement_balance, self.statement_button),
            self.labels["agree"], _row(self.agree_debt, self.agree_action, self.agree_from),
            self.terms_box,
            _row(self.agree_confirmed, self.agree_button),
            _row(self.ask_answer, self.ask_counter, self.ask_button),
            self.labels["clearance"], self.clearance_table, self.clearance_controls,
            self.labels["replan"], _row(self.replan_budget, self.replan_reason, self.replan_button),
            self.labels["contact"],
            _row(self.contact_debt, self.contact_at, self.contact_tz, self.contact_channel, self.contact_direction),
            _row(self.contact_who, self.contact_summary),
            _row(self.contact_evidence, self.contact_consent, self.contact_button),
            self.labels["contacts"], self.contact_log,
            self.labels["letters"], _row(self.letter_debt, self.letter_format, self.letter_anonymise),
            _row(self.letter_hardship), _row(self.folder_box),
            _row(self.letter_button, self.complaint_button, self.followup_button, self.calendar_button),
            self.message,
        ], layout=W.Layout(max_width="100%"))
        self.widget.add_class("planner-follow-up")
        self.picker.observe(self._picked, names="value")
        self.reload_button.on_click(lambda _b: self._guard(self.reload))
        self.new_button.on_click(lambda _b: self._guard(lambda: self.new_case(
            self.new_name.value, self.new_debts.value.strip(), self.new_budget.value.strip(), start=self.new_start.value.strip() or None)))
        self.month_box.observe(lambda change: setattr(self.state, "month", change["new"].strip()), names="value")
        self.agree_action.observe(lambda _c: self._show_terms(), names="value")
        self.pay_button.on_click(lambda _b: self._guard(self.record_payments))
        self.statement_button.on_click(lambda _b: self._guard(lambda: self.record_balance(self.statement_debt.value, self.statement_balance.value)))
        self.agree_button.on_click(lambda _b: self._guard(self._agree_from_controls))
        self.ask_button.on_click(lambda _b: self._guard(self._ask_from_controls))
        self.replan_button.on_click(lambda _b: self._guard(lambda: self.replan(budget=self.replan_budget.value.strip() or None, reason=self.replan_reason.value)))
        self.contact_button.on_click(lambda _b: self._guard(self._contact_from_controls))
        self.letter_button.on_click(lambda _b: self._guard(lambda: self.write_letter(
            self.letter_debt.value, anonymise=self.letter_anonymise.value, suffix=self.letter_format.value, hardship=self.letter_hardship.value)))
        self.complaint_button.on_click(lambda _b: self._guard(lambda: self.write_complaint(
            self.letter_debt.value, anonymise=self.letter_anonymise.value, suffix=self.letter_format.value)))
        self.followup_button.on_click(lambda _b: self._guard(lambda: self.write_followup(
            anonymise=self.letter_anonymise.value, suffix=self.letter_format.value)))
        self.calendar_button.on_click(lambda _b: self._guard(lambda: self.write_calendar(anonymise=self.letter_anonymise.value)))
        self.clearance_button.on_click(lambda _b: self._guard(lambda: self.tick_clearance(
            self.clearance_debt.value, self.clearance_item.value, self.clearance_date.value.strip())))
        self.state.observe(self._changed, names=["lang", "month"])
        self._show_terms()
        if name:
            self.open(name)
        else:
            self.refresh()

    # -- actions (what the buttons do; tests call these) ----------------------
    def _picked(self, change) -> None:
        """The picker's callback: open the chosen case; a case deleted meanwhile is a message, never an exception."""
        name = change["new"]
        if self._quiet or not name or name == self.state.case:
            return
        try:
            self.open(name)
        except PlannerError as exc:
            self._show_error(exc)

    def reload(self) -> None:
        """Read the book's case names again (a case saved from the session in another notebook appears)."""
        names = self.book.names()
        self._quiet += 1
        try:
            self.picker.options = names
            self.picker.value = self.state.case if self.state.case in names else None
        finally:
            self._quiet -= 1
        if self.state.case and self.state.case not in names:
            gone = self.state.case
            self.case = None
            with self.hold():
                self.state.case = ""
            self._fill_amounts()
            self.refresh()
            self._show_error(PlannerError("widgets.follow_up.case_gone", name=gone))

    def new_case(self, name: str, debts, budget, *, start=None, strategy: str = "avalanche") -> None:
        """Open a new case in the book from the client's debts file, then show it."""
        if not str(debts or "").strip():
            raise PlannerError("widgets.follow_up.debts_file_debts_csv")
        case = self.book.new(name, debts, budget, strategy, start=start)
        self.reload()
        self.open(case.name)
        self._ok(t("case_created", self.state.lang, name=case.name, start=case.data.start, n=len(case.data.debts),
                   when=case.plan().debt_free or t("case_never", self.state.lang)))

    def open(self, name: str) -> None:
        """Open the case called ``name``; the month to enter becomes the one after the latest recorded."""
        from ..cases import month_index, month_name

        if name not in self.book.names():
            self.reload()
            raise PlannerError("widgets.follow_up.case_gone", name=name)
        self.case = self.book.case(name)
        with self.hold():
            self.state.case = name
            as_of = self.case.data.as_of
            self.state.month = month_name(month_index(as_of) + 1) if as_of else self.case.data.start
        if self.picker.value != name:
            self._quiet += 1
            try:
                self.picker.options = self.book.names()
                self.picker.value = name
            finally:
                self._quiet -= 1
        self.month_box.value = self.state.month
        self.agree_from.value = self.agree_from.value or self.state.month
        self._fill_amounts()
        self.refresh()

    def set_payment(self, debt: str, amount) -> None:
        """Type an amount for ``debt`` (as a person would in its box)."""
        if debt not in self._amount_boxes:
            raise PlannerError("widgets.follow_up.no_debt_named", debt=debt)
        self._amount_boxes[debt].value = str(amount)

    def payments(self) -> dict[str, str]:
        """The amounts in the boxes (what "record" would send)."""
        return {name: box.value for name, box in self._amount_boxes.items() if box.value.strip() not in ("", "0", "0.00")}

    def record_payments(self) -> None:
        """Record the month's payments as typed (one transaction), then move to the next month."""
        from ..cases import month_index, month_name

        self._need_case()
        self.case = self.case.pay(self.state.month, self.payments())
        self._ok(t("case_recorded", self.state.lang))
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
        self._ok(t("case_recorded", self.state.lang))
        self.refresh()

    def add_agreement(self, debt, action: str, from_month: str, *, confirmed: bool = False, **params) -> None:
        self._need_case()
        self.case = self.case.agree(debt, action, from_month, confirmed=confirmed, **params)
        self._ok(t("case_recorded", self.state.lang))
        self._fill_amounts()
        self.refresh()

    def add_ask(self, debt, action: str, from_month: str | None = None, *, answer: str = "pending", counter: str = "",
                confirmed: bool = False, **params) -> None:
        """Record an ask to a lender (and its answer so far): the request letter is written from it."""
        self._need_case()
        self.case = self.case.ask(debt, action, from_month or None, answer=answer, counter=counter, confirmed=confirmed, **params)
        self._ok(t("case_recorded", self.state.lang))
        self._fill_amounts()
        self.refresh()

    def replan(self, *, budget=None, reason: str = "") -> None:
        self._need_case()
        self.case = self.case.replan(budget=budget, reason=reason)
        self._ok(t("case_recorded", self.state.lang))
        self._fill_amounts()
        self.refresh()

    def add_contact(self, debt: str, at, *, channel: str, direction: str, summary: str = "", who: str = "", tz=None, evidence=(),
                    consent: bool = False) -> None:
        """Log a contact (as the contact form does); the log below shows its flags."""
        self._need_case()
        self.case = self.case.add_contact(debt, at, channel=channel, direction=direction, summary=summary, who=who, tz=tz or None,
                                          evidence=evidence, consent=consent)
        self._ok(t("case_recorded", self.state.lang))
        self.refresh()

    def _output(self, what, suffix: str, anonymise: bool) -> Path:
        """A fresh file in the reports folder for this case (see :func:`planner.report.outputs.document_path`)."""
        from ..report.outputs import document_path

        from .report_button import reports_folder

        folder = reports_folder(self.folder_box.value)
        if suffix not in _FORMATS:
            raise PlannerError("widgets.follow_up.file_type_html_pdf", suffix=suffix)
        return document_path(folder, self.case.name, what, suffix, anonymise=anonymise)

    def _write(self, path: Path, write) -> Path:
        try:
            written = write(path)
        except BaseException:
            path.unlink(missing_ok=True)  # the name reserved for it
            raise
        return self._written(written)

    def write_letter(self, debt: str, *, anonymise: bool = True, suffix: str = ".html", hardship: str = "") -> Path:
        """Write the request letter for ``debt``'s latest ask into the reports folder; returns its path."""
        from ..report.letters import case_letter, write_document

        self._need_case()
        lang = self.state.lang
        if not any(a.answer in ("pending", "accepted") for a in self.case.data.asks):
            raise PlannerError("widgets.follow_up.need_ask", debt=debt)
        try:
            doc, _ = case_letter(self.case, debt, lang=lang, anonymise=anonymise, hardship=hardship or "")
        except PlannerError as exc:
            if "planner case ask" in str(exc):
                raise PlannerError("widgets.follow_up.need_ask", debt=debt) from None
            raise
        path = self._output((t("file_letter", lang), debt), suffix, anonymise)
        return self._write(path, lambda p: write_document(doc, p, self.book.own_files))

    def write_complaint(self, debt: str, *, anonymise: bool = True, suffix: str = ".html") -> Path:
        """Write the complaint pack about ``debt``'s lender into the reports folder; returns its path."""
        from ..report.letters import case_complaint, write_document

        self._need_case()
        lang = self.state.lang
        doc = case_complaint(self.case, debt, lang=lang, anonymise=anonymise)
        path = self._output((t("file_complaint", lang), debt), suffix, anonymise)
        return self._write(path, lambda p: write_document(doc, p, self.book.own_files))

    def write_followup(self, *, anonymise: bool = False, suffix: str = ".html") -> Path:
        """Write the follow-up report (.html, or .pdf) into the reports folder; returns its path."""
        from ..report.followup import write_followup

        self._need_case()
        lang = self.state.lang
        suffix = ".pdf" if suffix == ".pdf" else ".html"
        path = self._output((t("file_followup", lang),), suffix, anonymise)
        return self._write(path, lambda p: write_followup(self.case, p, lang=lang, anonymise=anonymise))

    def write_calendar(self, *, anonymise: bool = False, months: int = 12) -> Path:
        """Write the payment calendar (.ics: the plan in force's next ``months`` months, a reminder 3 days
        before each due date) into the reports folder; returns its path."""
        from ..io.ics import write_calendar
        from ..report.outputs import document_path

        from .report_button import reports_folder

        self._need_case()
        lang = self.state.lang
        cal = self.case.calendar(months=months, lang=lang)
        if not cal.events:
            raise PlannerError("calendar.nothing_due", first=cal.first, last=cal.last)
        path = document_path(reports_folder(self.folder_box.value), self.case.name, (t("file_calendar", lang),), ".ics", anonymise=anonymise)
        # the name is reserved (an empty file made for it): replacing that placeholder is not replacing anyone's file
        return self._write(path, lambda p: write_calendar(cal, p, inputs=self.book.own_files, replace=True))

    def tick_clearance(self, debt: str, item: str, when) -> None:
        """Record the date of a step of ``debt``'s checklist after clearing (``item``: proof_asked,
        proof_received or report_checked), as the checklist's controls do."""
        from ..cases.clearance import ITEMS

        self._need_case()
        if item not in ITEMS:
            raise PlannerError("cases.clearance.unknown_step", item=item, choices=", ".join(ITEMS))
        if not str(when or "").strip():
            raise PlannerError("cases.clearance.bad_date", what=both(f"clearance_{item}"), value="")
        self.case = self.case.clear(debt, **{item: when})
        done = [c for c in self.case.checklists() if c.debt == debt and c.done]
        self._ok(t("clearance_done", self.state.lang, debt=debt) if done else t("case_recorded", self.state.lang))
        self.refresh()

    def _written(self, path):
        from .report_button import saved_html

        self.message.value = saved_html(path, self.state.lang)
        return path

    def _ok(self, text: str) -> None:
        self.message.value = f"<span style='color:#009E73'>{html.escape(text)}</span>"

    def _show_error(self, exc: PlannerError) -> None:
        self.message.value = f"<pre style='color:#D55E00;white-space:pre-wrap'>{html.escape(exc.text(self.state.lang))}</pre>"

    def _terms_from_controls(self) -> dict:
        """The terms the chosen kind of agreement needs, read from its fields."""
        action = self.agree_action.value
        boxes = self.terms
        params: dict = {}
        if action in ("freeze_interest", "extend_term", "defer"):
            params["months"] = int(boxes["months"].value)
        if action == "freeze_interest":
            params["include_accrued"] = bool(boxes["include_accrued"].value)
        if action == "reduce_rate":
            apr, cut = boxes["apr"].value.strip(), boxes["rate_fraction"].value.strip()
            if bool(apr) == bool(cut):
                raise PlannerError("widgets.follow_up.fill_either_new_apr")
            params["apr" if apr else "fraction"] = apr or cut
        if action == "cap_rate":
            params["line"] = boxes["line"].value
        if action == "settle":
            share, amount = boxes["settle_fraction"].value.strip(), boxes["settle_amount"].value.strip()
            if bool(share) == bool(amount):
                raise PlannerError("widgets.follow_up.fill_either_share_what")
            params["fraction"] = share or self._settle_fraction(amount)
            params["month"] = int(boxes["settle_month"].value)
        if action == "defer":
            params["start"] = int(boxes["defer_start"].value)
            params["accrue"] = bool(boxes["accrue"].value)
        return params

    def _settle_fraction(self, amount: str):
        """A lump sum as the share of what the one chosen debt owes now (its latest balance and fees)."""
        from ..cases import parse_amount

        debt = self.agree_debt.value
        names = [d.name for d in self.case.data.debts]
        if debt not in names:
            raise PlannerError("widgets.follow_up.lump_sum_debt_several")
        cents = parse_amount(amount, both("field_lump_sum"))
        owed = self.case.track().owed(debt)
        if owed <= 0 or cents > owed:
            raise PlannerError(
                "widgets.follow_up.lump_sum_more_owes",
                cents=format_yuan(Decimal(cents) / 100),
                debt=debt,
                owed=format_yuan(Decimal(owed) / 100),
            )
        return Decimal(cents) / Decimal(owed)

    def _agree_from_controls(self) -> None:
        self.add_agreement(self.agree_debt.value, self.agree_action.value, self.agree_from.value.strip(), confirmed=self.agree_confirmed.value,
                           **self._terms_from_controls())

    def _ask_from_controls(self) -> None:
        self.add_ask(self.agree_debt.value, self.agree_action.value, self.agree_from.value.strip() or None, answer=self.ask_answer.value,
                     counter=self.ask_counter.value, confirmed=self.agree_confirmed.value, **self._terms_from_controls())

    def _contact_from_controls(self) -> None:
        files = [x.strip() for x in self.contact_evidence.value.split(",") if x.strip()]
        self.add_contact(
            self.contact_debt.value, self.contact_at.value.strip(), channel=self.contact_channel.value, direction=self.contact_direction.value,
            summary=self.contact_summary.value, who=self.contact_who.value, tz=self.contact_tz.value.strip() or None, evidence=files,
            consent=self.contact_consent.value,
        )

    def _show_terms(self) -> None:
        """Show only the fields the chosen kind of agreement needs."""
        wanted = _TERMS.get(self.agree_action.value, ())
        for key, box in self.terms.items():
            box.layout.display = None if key in wanted else "none"
        self.no_terms.layout.display = "none" if wanted else None

    def _guard(self, action) -> None:
        try:
            action()
        except PlannerError as exc:
            self._show_error(exc)

    def _need_case(self) -> None:
        if self.case is None:
            raise PlannerError("widgets.follow_up.open_create_case_first")

    def _fill_amounts(self) -> None:
        """One box per open debt, pre-filled with what the plan in force pays it this month."""
        if self.case is None:
            self.amounts.children = ()
            self._amount_boxes = {}
            for box in (self.statement_debt, self.contact_debt, self.letter_debt, self.agree_debt):
                box.options = ()
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
        _relabel(self.statement_debt, [(n, n) for n in boxes])
        every = [d.name for d in self.case.data.debts]
        for box in (self.contact_debt, self.letter_debt):
            _relabel(box, [(n, n) for n in every])
        _relabel(self.agree_debt, self._selectors())

    def _selectors(self) -> list[tuple[str, str]]:
        """Which debts an agreement may name: each debt, every debt of a kind, all debts (labels in the language)."""
        lang = self.state.lang
        if self.case is None:
            return []
        debts = self.case.data.debts
        out = [(d.name, d.name) for d in debts]
        kinds = []
        for d in debts:
            if d.kind not in kinds:
                kinds.append(d.kind)
        for kind in kinds:
            if sum(1 for d in debts if d.kind == kind) > 1:
                out.append((t("ui_case_all_kind", lang, kind=t_or(f"kind_{kind}", kind, lang)), f"kind:{kind}"))
        out.append((t("chart_all_debts", lang), "*"))
        return out

    # -- display -----------------------------------------------------------
    def refresh(self) -> None:
        from ..conduct import CHANNELS, DIRECTIONS

        lang = self.state.lang
        for key, widget in self.labels.items():
            widget.value = f"<b>{html.escape(t(f'ui_case_{key}', lang))}</b>"
        self.labels["agree"].value = f"<b>{html.escape(t('ui_case_terms', lang))}</b>"
        self.labels["letters"].value = f"<b>{html.escape(t('ui_case_documents', lang))}</b>"
        for widget, key in self._described:
            widget.description = t(key, lang)
        self.book_line.value = f"<span style='color:#5f6368;font-size:90%'>{html.escape(t('ui_case_book', lang, path=str(self.book.location)))}</span>"
        self.no_terms.value = f"<i>{html.escape(t('ui_case_no_terms', lang))}</i>"
        self._quiet += 1
        try:
            _relabel(self.agree_action, [(t(f"action_{a}", lang), a) for a in _ACTIONS])
            _relabel(self.terms["line"], [(t("ui_case_line_4xlpr", lang) if line == "4xLPR" else f"{line}%", line) for line in _LINES])
            _relabel(self.ask_answer, [(t(f"ui_case_answer_{a}", lang), a) for a in _ANSWERS])
            _relabel(self.contact_channel, [(t(f"channel_{c}", lang), c) for c in CHANNELS])
            _relabel(self.contact_direction, [(t(f"direction_{d}", lang), d) for d in DIRECTIONS])
            _relabel(self.letter_format, [(t(f"ui_case_format_{f[1:]}", lang), f) for f in _FORMATS])
            _relabel(self.agree_debt, self._selectors())
        finally:
            self._quiet -= 1
        from ..cases.clearance import ITEMS as CLEARANCE_ITEMS

        _relabel(self.clearance_item, [(t(f"clearance_{i}", lang), i) for i in CLEARANCE_ITEMS])
        if self.case is None:
            self.clearance_table.value = ""
            _relabel(self.clearance_debt, [])
            self.clearance_controls.layout.display = "none"
            self.contact_log.value = ""
            self.status.value = f"<p>{html.escape(t('ui_case_pick', lang))}</p>"
            self.canvas.draw(lambda canvas: _message_axes(canvas, t("ui_case_pick", lang)))
            return
        s = self.case.status()
        self.status.value = s.table(lang)._repr_html_()
        self.clearance_table.value = _clearance_html(s.clearance, lang)
        _relabel(self.clearance_debt, [(c.debt, c.debt) for c in s.clearance])
        self.clearance_controls.layout.display = None if s.clearance else "none"
        self.contact_log.value = _contacts_html(self.case.contacts(), lang)
        progress = self.case.progress()

        def paint(canvas):
            from ..charts.progress import progress_chart

            progress_chart(progress, canvas.main_axes(), lang=lang)

        self.canvas.draw(paint)

    def axes(self):
        """The progress chart's Axes (for tests)."""
        return self.canvas.axes


def _clearance_html(items, lang: str) -> str:
    """The open checklists after clearing: one row per cleared debt, each step's date or what is still to do."""
    if not items:
        return f"<p style='color:#5f6368'>{html.escape(t('ui_case_clearance_none', lang))}</p>"
    from ..cases.clearance import ITEMS

    header = "".join(f"<th>{html.escape(t(k, lang))}</th>" for k in ("debt", *(f"clearance_{i}" for i in ITEMS)))
    rows = []
    for c in items:
        cells = [f"{html.escape(c.debt)}<br><small>{html.escape(t('clearance_cleared_in', lang, month=c.cleared))}</small>"]
        for item in ITEMS:
            value = getattr(c, item)
            if value:
                cells.append(f"✓ {html.escape(value)}")
            else:
                hint = f" ({t('clearance_report_due', lang, date=c.report_from)})" if item == "report_checked" else ""
                cells.append(f"<span style='color:#D55E00'>{html.escape(t('clearance_todo', lang) + hint)}</span>")
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    return f"<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


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
            f"<td>{html.escape(t('channel_' + c['channel'], lang))} ({html.escape(t('direction_' + c['direction'], lang))})</td><td>{html.escape(c['who'])}</td>"
            f"<td>{html.escape(c['summary'])}</td><td>{html.escape(_evidence_text(c, lang))}</td><td>{html.escape(flags or '-')}</td></tr>"
        )
    return f"<table class='planner-table'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def sample_book(debts, budget, *, start: str, lang: str = "zh", today=None):
    """A throw-away case book (in a new temporary folder) holding one invented case, for
    notebook 05's sample: three months paid as planned, a fourth 300 short on the first debt,
    a 24-month interest freeze agreed in writing on the credit cards, and a re-plan.
    Returns ``(book, reports folder)``, both temporary: the counsellor's own book and
    reports folder are not touched."""
    import tempfile

    from ..cases import CaseBook, month_index, month_name

    where = Path(tempfile.mkdtemp(prefix="planner-sample-"))
    book = CaseBook(where / "sample.sqlite", today=today)
    case = book.new(t("sample_client", lang), debts, budget, start=start)
    first = month_index(start)
    for k in range(3):
        case = case.pay_planned(month_name(first + k))
    fourth = month_name(first + 3)
    paid = case.planned_payments(fourth)
    short = next((name for name, amount in paid.items() if amount >= 300), None)
    if short is not None:
        paid[short] -= 300
    case = case.pay(fourth, {k: v for k, v in paid.items() if v})
    if any(d.kind == "card" for d in case.data.debts):
        case = case.agree("kind:card", "freeze_interest", month_name(first + 4), months=24, confirmed=True)
        case.replan(reason=t("action_freeze_interest", lang))
    return book, where / "reports"


def _evidence_text(contact: dict, lang: str) -> str:
    """The evidence files of a contact; a copy changed since intake is marked."""
    files = [e["file"] + (" ⚠ " + t("case_evidence_changed", lang, n=1) if e.get("intact") is False else "") for e in contact["evidence"]]
    return "; ".join(files) or "-"


__all__ = ["FollowUp", "FollowUpState", "sample_book"]
