"""The budget statement and the fair-share offers in a notebook or the dashboard (issue 26).

:class:`StatementEntry` is a small table of income and spending lines (kind, category, monthly
amount); :class:`FairShareView` shows a statement, the offers to every lender and the shares
chart, in Chinese or English, with a floor. Each keeps its state in one traitlets object
(``.state``) and has ``set(...)``, so a test drives it without a browser; every text comes from
the catalogue.

>>> from planner import Debt
>>> view = FairShareView([Debt("A", 6000, 18, 600), Debt("B", 3000, 18, 300)], 600, lang="en")
>>> [str(o.monthly) for o in view.shares]
['400.00', '200.00']
>>> view.set(lang="zh", floor=250)
>>> [str(o.monthly) for o in view.shares], "按比例分配" in view.offers_html.value
(['350.00', '250.00'], True)
"""

from __future__ import annotations

import html
from decimal import Decimal

import ipywidgets as W
import traitlets

from ..budget import KINDS, Line, Statement, categories, category_label
from ..errors import PlannerError
from ..i18n import t
from ..io import load_debts, load_statement
from ..offers import DEFAULT_FLOOR, fair_shares
from .canvas import Canvas


class StatementState(traitlets.HasTraits):
    lines = traitlets.List()  # of planner.budget.Line
    lang = traitlets.Unicode("zh")


class StatementEntry:
    """Enter a budget statement line by line: kind, category and monthly amount; ``statement`` is the result.

    >>> entry = StatementEntry(lang="en")
    >>> entry.add("income", "wages", 5000); entry.add("spending", "housing", 1500)
    >>> entry.statement.left_for_debts
    Decimal('3500.00')
    >>> entry.set_amount(1, 2000); entry.remove(0); entry.statement.spending
    Decimal('2000.00')
    """

    def __init__(self, statement=None, *, lang: str = "zh"):
        lines = list(load_statement(statement).lines) if statement is not None else []
        self.state = StatementState(lines=lines, lang=lang)
        self.rows = W.VBox()
        self.kind = W.Dropdown()
        self.category = W.Dropdown()
        self.amount = W.FloatText(value=0, layout=W.Layout(width="9em"))
        self.add_button = W.Button(icon="plus")
        self.error = W.HTML()
        self.totals = W.HTML()
        self.kind.observe(lambda _: self._categories(), names="value")
        self.add_button.on_click(lambda _: self._add_clicked())
        self.widget = W.VBox([self.rows, W.HBox([self.kind, self.category, self.amount, self.add_button]), self.error, self.totals])
        self._listeners = []
        self.state.observe(lambda _: self.refresh(), names=["lines", "lang"])
        self.refresh()

    @property
    def statement(self) -> Statement:
        return Statement(tuple(self.state.lines))

    def observe(self, callback) -> None:
        """Call ``callback(statement)`` after every change."""
        self._listeners.append(callback)

    def set(self, *, lines=None, lang: str | None = None) -> None:
        if lines is not None:
            self.state.lines = list(load_statement(list(lines)).lines)
        if lang is not None:
            self.state.lang = lang

    def add(self, kind: str, category: str, amount) -> None:
        """Add a line as a person would (a bad value is shown, not raised)."""
        try:
            line = Line(kind, category, amount)
        except PlannerError as exc:
            self.error.value = f"<p style='color:#D55E00'>{html.escape(exc.zh if self.state.lang == 'zh' else exc.en)}</p>"
            return
        self.error.value = ""
        self.state.lines = [*self.state.lines, line]

    def remove(self, index: int) -> None:
        self.state.lines = [x for k, x in enumerate(self.state.lines) if k != index]

    def set_amount(self, index: int, amount) -> None:
        x = self.state.lines[index]
        try:
            line = Line(x.kind, x.category, amount, x.note)
        except PlannerError as exc:
            self.error.value = f"<p style='color:#D55E00'>{html.escape(exc.zh if self.state.lang == 'zh' else exc.en)}</p>"
            return
        self.state.lines = [line if k == index else y for k, y in enumerate(self.state.lines)]

    def _add_clicked(self) -> None:
        self.add(self.kind.value, self.category.value, Decimal(str(self.amount.value)))

    def _categories(self) -> None:
        lang = self.state.lang
        self.category.options = [(category_label(c, lang), c) for c in categories()[self.kind.value or "income"]]

    def refresh(self) -> None:
        lang = self.state.lang
        kind = self.kind.value
        self.kind.options = [(t(f"budget_kind_{k}", lang), k) for k in KINDS]
        self.kind.value = kind if kind in KINDS else "income"
        self._categories()
        self.add_button.description = t("ui_statement_add", lang)
        rows = []
        for k, x in enumerate(self.state.lines):
            box = W.FloatText(value=float(x.amount), layout=W.Layout(width="9em"))
            box.observe(lambda change, k=k: self.set_amount(k, Decimal(str(change["new"]))), names="value")
            remove = W.Button(description=t("ui_statement_remove", lang), layout=W.Layout(width="6em"))
            remove.on_click(lambda _, k=k: self.remove(k))
            rows.append(W.HBox([W.Label(t(f"budget_kind_{x.kind}", lang), layout=W.Layout(width="5em")),
                                W.Label(category_label(x.category, lang), layout=W.Layout(width="11em")), box, remove]))
        self.rows.children = rows
        s = self.statement
        self.totals.value = "<br>".join(f"{html.escape(label)}: <b>{html.escape(amount)}</b>" for label, amount in s.summary(lang))
        for callback in self._listeners:
            callback(s)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class FairShareState(traitlets.HasTraits):
    lang = traitlets.Unicode("zh")
    floor = traitlets.Float(float(DEFAULT_FLOOR))
    available = traitlets.Unicode("0")  # yuan, exact text


class FairShareView:
    """A statement (or a monthly amount), the fair-share offers to every lender and the shares chart.

    ``money`` is a :class:`~planner.budget.Statement`, a statement file, or a number of yuan a month.
    ``follow``: a widget with a language (``follow.state.lang``, e.g. a
    :class:`~planner.widgets.CounsellorSession`) whose toggle this view follows, so a page has
    one language switch; without it the view has its own.
    """

    def __init__(self, debts, money, *, lang: str = "zh", floor=DEFAULT_FLOOR, entry: bool = False, follow=None):
        if follow is not None:
            lang = follow.state.lang
        self.debts = load_debts(debts)
        self.statement = None if isinstance(money, (int, float, Decimal)) else load_statement(money)
        available = self.statement.left_for_debts if self.statement is not None else Decimal(str(money))
        self.state = FairShareState(lang=lang, floor=float(floor), available=str(available))
        self.lang = W.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang)
        self.floor = W.FloatText(value=float(floor), layout=W.Layout(width="8em"))
        self.floor_label = W.Label()
        self.statement_html = W.HTML()
        self.offers_html = W.HTML()
        self.canvas = Canvas(figsize=(9, 4.6), rect=(0.2, 0.12, 0.76, 0.8), fast=False)
        self.entry = StatementEntry(self.statement, lang=lang) if entry else None
        self.lang.observe(lambda c: self.set(lang=c["new"]), names="value")
        self.floor.observe(lambda c: self.set(floor=c["new"]), names="value")
        if self.entry is not None:
            self.entry.observe(self._statement_entered)
        self.title = W.HTML()
        if follow is not None:
            follow.state.observe(lambda c: self.set(lang=c["new"]), names="lang")
        parts = [self.title] + ([self.lang] if follow is None else []) + [W.HBox([self.floor_label, self.floor])]
        parts += [self.entry.widget] if self.entry is not None else [self.statement_html]
        self.widget = W.VBox([*parts, self.offers_html, self.canvas.image])
        self.state.observe(lambda _: self.refresh(), names=["lang", "floor", "available"])
        self.refresh()

    @classmethod
    def from_case(cls, case, *, lang: str = "zh", floor=DEFAULT_FLOOR, follow=None) -> FairShareView:
        """The view of a case's latest budget statement and its debts as they stand."""
        debts = list(case.data.replans[-1].debts) if case.data.replans else list(case.data.debts)
        if case.statement is None:
            raise PlannerError("cases.book.no_statement", case=case.name)
        return cls(debts, case.statement, lang=lang, floor=floor, follow=follow)

    def set(self, *, lang: str | None = None, floor=None, available=None) -> None:
        """Change the language, the floor or the money a month, as the controls do."""
        if lang is not None:
            self.state.lang = lang
            self.lang.value = lang
            if self.entry is not None:
                self.entry.set(lang=lang)
        if floor is not None:
            self.state.floor = float(floor)
            self.floor.value = float(floor)
        if available is not None:
            self.state.available = str(Decimal(str(available)))

    def _statement_entered(self, statement) -> None:
        self.statement = statement
        self.state.available = str(statement.left_for_debts)

    @property
    def shares(self):
        return fair_shares(self.debts, Decimal(self.state.available), floor=Decimal(str(self.state.floor)).quantize(Decimal("0.01")))

    def refresh(self) -> None:
        lang = self.state.lang
        self.title.value = f"<h3>{html.escape(t('ui_fair_share_title', lang))}</h3>"
        self.floor_label.value = t("ui_offer_floor", lang)
        shares = self.shares
        self.statement_html.value = self.statement.html(lang) if self.statement is not None else ""
        self.offers_html.value = f"<h3>{html.escape(t('offer_title', lang))}</h3>" + shares.html(lang)
        from ..charts import shares_chart

        def paint(canvas):
            ax = canvas.main_axes()
            ax.clear()
            shares_chart(shares, ax, lang=lang)

        self.canvas.draw(paint)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


__all__ = ["FairShareView", "StatementEntry"]
