"""Widgets for notebooks and the Voila dashboard.

Widgets only wire controls to the core and to :mod:`planner.charts`. Each
keeps its state in one place, a small :class:`traitlets.HasTraits` object
(``widget.state``), and has a :meth:`set` method, so a test (or a notebook
cell) drives it exactly as a person moving the controls would, without a
browser::

    explorer = StrategyExplorer(debts, budget=6000)
    explorer.set(budget=7000, strategy="snowball")
    explorer.plan            # the Plan the chart and the summary show

Charts are drawn on a matplotlib ``Figure`` (no pyplot, no global state)
and shown as a PNG in an :class:`ipywidgets.Image`, which works the same in
JupyterLab, Voila and headless tests.
"""

from __future__ import annotations

import html
import warnings
from contextlib import contextmanager
from decimal import Decimal
from math import ceil

import ipywidgets as W
import traitlets

from .. import charts
from ..debt import MAX_MONEY
from ..engine import compare as _compare
from ..errors import InfeasibleBudgetError, InputError, Message, PlannerError, Problem
from ..i18n import both, t, t_or
from ..io import load_debts
from ..money import format_yuan
from ..negotiation import sooner_text
from ..references import assess, disclaimer
from ..result import calendar_months, next_month
from ..strategies import STRATEGIES
from .canvas import Canvas

LANG_OPTIONS = (("中文", "zh"), ("English", "en"))


# ---------------------------------------------------------------------------
# shared pieces


def _message_axes(canvas, text: str):
    canvas.clear()
    ax = canvas.figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=12, color="#D55E00")
    charts.style_ticks(ax)
    return ax


def _table(headers: list[str], rows: list[list[str]], *, highlight: int | None = None, align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    style = "padding:2px 10px;border-bottom:1px solid #ddd"

    def cell(tag, value, k, extra=""):
        side = "left" if align[k] == "l" else "right"
        return f"<{tag} style='{style};text-align:{side}{extra}'>{value}</{tag}>"

    head = "".join(cell("th", html.escape(h), k) for k, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        bg = ";background:#e8f1fa;font-weight:600" if r == highlight else ""
        body.append("<tr>" + "".join(cell("td", v, k, bg) for k, v in enumerate(row)) + "</tr>")
    return (f"<table style='border-collapse:collapse;font-size:13px'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def swatch(index: int) -> str:
    """A small square in the colour the charts use for the debt at ``index`` (the legend of live charts)."""
    style = charts.debt_style(index)
    pattern = ";background-image:repeating-linear-gradient(45deg,#fff 0 2px,transparent 2px 5px)" if style["hatch"] else ""
    return (f"<span style='display:inline-block;width:11px;height:11px;margin-right:6px;vertical-align:-1px;"
            f"background-color:{style['color']}{pattern}'></span>")


def _money(value, lang: str) -> str:
    return html.escape(format_yuan(value, lang=lang))


def _when(p, lang: str) -> str:
    if p.months is None:
        return t("never", lang)
    return p.debt_free or str(p.months)


def minimum_budget(debts) -> int:
    """The whole-yuan budget that covers every first-month minimum payment (the slider's floor).

    >>> from planner import Debt
    >>> minimum_budget([Debt("A", 1000, 12, 100.5), Debt("B", 50, 0, 80)])
    151
    """
    need = sum(min(d.min_payment, d.owed + d.monthly_interest) for d in debts)
    return int(ceil(need))


def _whole_yuan(value, what: Message, low: int, high: int, *, money: bool = True) -> int:
    """A whole number (of yuan, or months with ``money=False``) from a slider, a box or Python:
    finite, in ``low..high``, else PlannerError naming the value and the range."""
    shown = repr(value)
    if isinstance(value, bool):
        number = None
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except (ArithmeticError, ValueError):
            number = None
    if number is None or not number.is_finite():
        raise PlannerError(
            "widgets.explorers.number_not",
            v=what,
            shown=shown,
        )
    if number != number.to_integral_value():
        raise PlannerError(
            "widgets.explorers.whole_yuan_not",
            v=what,
            shown=shown,
        )
    if not low <= number <= high:
        sign = "¥" if money else ""
        raise PlannerError(
            "widgets.explorers.not",
            v=what,
            sign=sign,
            low=low,
            high=high,
            shown=shown,
        )
    return int(number)


def _opening_value(value, what: Message, low: int, high: int, *, money: bool = True) -> int:
    """A number given to an explorer's constructor (a budget, an extra payment, a month): finite and
    in ``low..high``, else the project's bilingual error, never a bare ValueError (issue 24, item 14);
    a fraction of a yuan is dropped, as the slider would."""
    try:
        number = None if isinstance(value, bool) else Decimal(str(value).strip().replace(",", ""))
    except (ArithmeticError, ValueError):
        number = None
    if number is not None and number.is_finite():
        value = int(number)
    return _whole_yuan(value, what, low, high, money=money)


def opening_budget(floor: int) -> int:
    """The budget an explorer opens with: month 1's minimums rounded up to ¥100, plus ¥500."""
    return int(ceil(floor / 100.0)) * 100 + 500


class _Driven:
    """Common plumbing: a state object, batched updates, ``set``, display."""

    state: traitlets.HasTraits
    widget: W.Widget

    def _init_batch(self):
        self._holding = 0
        self._dirty = False
        self._after: list = []

    def on_refresh(self, callback) -> None:
        """Call ``callback()`` after each redraw caused by a change (e.g. to update a summary elsewhere)."""
        self._after.append(callback)

    def _refresh_and_notify(self) -> None:
        self.refresh()
        for callback in self._after:
            callback()

    @contextmanager
    def hold(self):
        """Change several values and redraw once at the end."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._dirty:
                self._dirty = False
                self._refresh_and_notify()

    def _changed(self, _change=None):
        if self._holding:
            self._dirty = True
        else:
            self._refresh_and_notify()

    def set(self, **values) -> None:
        """Set state values (``budget=7000, lang="en"``) and redraw once.

        Every value is checked first: a refused one (an unknown strategy, a budget beyond the
        slider or not a number) raises :class:`~planner.errors.PlannerError`, shows the same
        message in the widget, and leaves the state as it was (no value of the call is applied).
        """
        unknown = [k for k in values if not self.state.has_trait(k)]
        if unknown:
            self._refuse(PlannerError(
                "widgets.explorers.unknown_setting_known",
                state=', '.join(self.state.trait_names()),
                unknown=', '.join(unknown),
            ))
        try:
            clean = {key: self._checked(key, value) for key, value in values.items()}
        except PlannerError as exc:
            self._refuse(exc)
        self._show_message("")
        with self.hold():
            for key, value in clean.items():
                setattr(self.state, key, value)

    # -- refusing a value --------------------------------------------------
    def _checked(self, key: str, value):
        """``value`` as the state holds it, or :class:`PlannerError` naming the value and the fix."""
        if key == "lang":
            if value not in ("zh", "en"):
                raise PlannerError("widgets.explorers.language_zh_en_not", shown=value)
            return value
        if key == "strategy":
            if not isinstance(value, str) or value not in STRATEGIES:
                raise PlannerError(
                    "widgets.explorers.unknown_strategy_choose",
                    shown=value,
                    strategies=', '.join(STRATEGIES),
                )
            return value
        if key == "budget":
            low, high = self._budget_range()
            return _whole_yuan(value, both("field_budget"), 0, high)
        if key == "debts":  # a debt table or loader: anything load_debts reads, checked like a file
            return list(load_debts(value))
        return value

    def _budget_range(self) -> tuple[int, int]:
        """The budgets :meth:`set` accepts: 0 up to the slider's top or the whole debt, whichever is more."""
        total = int(ceil(float(sum((d.owed for d in self.debts), Decimal(0)))))
        return 0, max(self.budget_slider.max, int(ceil(total / 100.0)) * 100)

    def _refuse(self, exc: PlannerError):
        self._show_message(exc.text(self.state.lang))
        raise exc

    def _show_message(self, message: str) -> None:
        box = getattr(self, "message", None)
        if box is not None:
            box.value = f"<p class='planner-message' style='color:#D55E00'>{html.escape(message)}</p>" if message else ""

    def refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# ---------------------------------------------------------------------------
# a budget below the minimum payments


def short_budget(debts, budget, *, strategy: str = "avalanche", lang: str = "zh", start=None, horizon: int = 600):
    """What the session report says of a budget below the minimum payments (``report.shortfall``, its calls
    ranked by how much they lower the monthly payments, and ``report.plan`` once enough are granted), or
    ``None`` when the budget covers them. The same computation as ``planner report``: it is that report's model."""
    from ..report import build_report

    try:
        report = build_report(debts, budget, lang=lang, strategy=strategy, start=start, horizon=horizon, engine="single")
    except PlannerError:
        return None
    return report if report.shortfall is not None else None


def short_title(report, lang: str) -> str:
    """The chart title of the plan once the needed asks are granted."""
    return t("ui_short_chart_title", lang, n=report.shortfall.asks_needed,
             strategy=charts.strategy_label(report.plan.strategy, lang))


def short_headline_html(report, lang: str) -> str:
    """The shortfall in one sentence, in red."""
    sf = report.shortfall
    money = lambda value: format_yuan(value, lang=lang)  # noqa: E731
    return ("<p class='planner-shortfall' style='font-size:15px;color:#D55E00;margin:4px 0'><b>"
            + html.escape(t("ui_short_headline", lang, budget=money(sf.budget), month=sf.month, when=sf.when,
                            required=money(sf.required), amount=money(sf.amount)))
            + "</b></p>")


def short_budget_html(report, lang: str, *, chart: bool = True, headline: bool = True) -> str:
    """The shortfall in words (``headline``), the asks that close it (those needed marked ✓), and the plan
    once they are granted (``chart``: the chart beside shows it; else how to see it)."""
    sf = report.shortfall
    money = lambda value: format_yuan(value, lang=lang)  # noqa: E731
    parts = [] if not headline else [short_headline_html(report, lang)]
    parts.append(f"<p>{html.escape(t('report.smallest_budget', lang, amount=money(sf.smallest_budget)))}</p>")
    if report.calls:
        rows = []
        for c in report.calls:
            monthly = (f"{money(c.pressure[0])} → {money(c.pressure[1])}" if c.pressure else t("report.none", lang))
            if c.needed:
                monthly += f" <b style='color:#D55E00'>{html.escape(t('report.needed', lang))}</b>"
            rows.append([str(c.rank), html.escape(c.name), "<br>".join(html.escape(a) for a in c.asks), monthly])
        parts.append(f"<p>{html.escape(t('ui_short_asks', lang))}</p>")
        parts.append(_table([t("report.col_rank", lang), t("report.col_debt", lang), t("report.col_ask", lang),
                             t("report.col_monthly", lang)], rows, align="llll"))
    p = report.plan
    if p is not None:
        parts.append("<p><b>" + html.escape(t("ui_short_fits" if chart else "ui_short_fits_set", lang, n=sf.asks_needed,
                                             pressure=money(sf.pressure_after),
                                             budget=money(sf.budget))) + "</b> "
                     + html.escape(t("ui_headline", lang, when=_when(p, lang), months=p.months if p.months is not None else "—",
                                     interest=money(p.total_interest), paid=money(p.total_paid))) + "</p>")
    else:
        parts.append("<p style='color:#D55E00'>" + html.escape(t("ui_short_still", lang, month=sf.still_short_month,
                                                                   required=money(sf.still_required), amount=money(sf.still_short)))
                     + "</p>")
    return "".join(parts)


# ---------------------------------------------------------------------------
# strategy explorer


class ExplorerState(traitlets.HasTraits):
    """Everything the strategy explorer shows depends on these values only."""

    budget = traitlets.Int()
    extra_amount = traitlets.Int(0)
    extra_month = traitlets.Int(12)
    strategy = traitlets.Unicode("avalanche")
    lang = traitlets.Unicode("zh")


class StrategyExplorer(_Driven):
    """Budget slider, one-off extra payment, strategy and language; chart and summary follow.

    >>> from planner import Debt
    >>> ex = StrategyExplorer([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], budget=1500, lang="en")
    >>> ex.set(budget=2000)
    >>> ex.plan.months, ex.plan.budget
    (5, Decimal('2000.00'))
    """

    def __init__(self, debts, budget=None, *, strategy: str = "avalanche", lang: str = "zh",
                 extra_amount: int = 0, extra_month: int = 12, start: str | None = None, horizon: int = 600):
        self._init_batch()
        self.debts = load_debts(debts)
        self.start = start or next_month()
        self.horizon = horizon
        floor = minimum_budget(self.debts)
        if budget is None:
            budget = opening_budget(floor)
        top = int(MAX_MONEY)
        self.state = ExplorerState(budget=_opening_value(budget, both("field_budget"), 0, top),
                                   extra_amount=_opening_value(extra_amount, both("field_extra_payment"), 0, top),
                                   extra_month=_opening_value(extra_month, both("field_extra_month"), 1, 100_000, money=False),
                                   strategy=strategy, lang=lang)
        self.plan = None
        self.comparison = None
        self.error: PlannerError | None = None
        self.canvas = Canvas(figsize=(10, 4.4))
        self._build_controls(floor)
        self.summary = W.HTML()
        self.message = W.HTML()  # why a value given to set() was refused
        self.notice = W.HTML()  # above the chart: a budget below the minimums is said before anything is drawn
        self.widget = W.VBox([self.controls, self.message, self.notice, self.canvas.image, self.summary])
        self.state.observe(self._changed, names=list(self.state.trait_names()))
        self.refresh()

    def _checked(self, key: str, value):
        if key == "extra_amount":
            return _whole_yuan(value, both("field_extra_payment"), 0, self.extra_amount_box.max)
        if key == "extra_month":
            return _whole_yuan(value, both("field_extra_month"), 1, self.horizon, money=False)
        return super()._checked(key, value)

    # -- controls ------------------------------------------------------
    def _slider_range(self, floor: int) -> tuple[int, int]:
        """Whole ¥50 steps from ¥0: the budget is what the client has, however far below the minimums
        (a slider starting at the minimums raised a smaller typed budget to them without a word)."""
        total = float(sum(d.owed for d in self.debts))
        top = max(floor * 3, int(total / 6), floor + 1000, self.state.budget)
        return 0, int(ceil(top / 100.0)) * 100

    def _build_controls(self, floor: int) -> None:
        lo, hi = self._slider_range(floor)
        wide = W.Layout(width="460px")
        self.budget_slider = W.IntSlider(min=lo, max=hi, step=50, continuous_update=False, layout=wide,
                                         style={"description_width": "110px"})
        self.extra_amount_box = W.BoundedIntText(min=0, max=10_000_000, step=1000, layout=W.Layout(width="230px"),
                                                 style={"description_width": "110px"})
        # The month of the extra payment as the chart labels its months (calendar months), not a count.
        self.extra_month_box = W.Dropdown(options=self._month_options(), layout=W.Layout(width="220px"),
                                          style={"description_width": "90px"})
        self.strategy_menu = W.Dropdown(layout=W.Layout(width="420px"), style={"description_width": "110px"})
        self.lang_toggle = W.ToggleButtons(options=LANG_OPTIONS, style={"button_width": "80px"})
        self.budget_slider.add_class("planner-budget")
        self.summary_class = "planner-summary"
        self._label_controls()
        for widget, name in ((self.budget_slider, "budget"), (self.extra_amount_box, "extra_amount"),
                             (self.extra_month_box, "extra_month"), (self.strategy_menu, "strategy"),
                             (self.lang_toggle, "lang")):
            traitlets.link((self.state, name), (widget, "value"))
        self.controls = W.VBox([
            W.HBox([self.budget_slider, self.lang_toggle]),
            W.HBox([self.extra_amount_box, self.extra_month_box]),
            self.strategy_menu,
        ])

    def _month_options(self) -> list[tuple[str, int]]:
        """(calendar month, plan month) for every month of the horizon: what the chart's month axis shows."""
        return [(label, k) for k, label in enumerate(calendar_months(self.start, self.horizon), start=1)]

    def _label_controls(self) -> None:
        lang = self.state.lang
        self.budget_slider.description = t("budget", lang)
        self.extra_amount_box.description = t("ui_extra_amount", lang)
        self.extra_month_box.description = t("ui_extra_month", lang)
        self.strategy_menu.description = t("strategy", lang)
        current = self.state.strategy
        self._holding += 1  # relabelling the menu briefly resets its value: not a change of state
        try:
            self.strategy_menu.options = [(charts.strategy_label(name, lang), name) for name in STRATEGIES]
            self.strategy_menu.value = current
            self.state.strategy = current
        finally:
            self._holding -= 1
            self._dirty = False

    # -- the model -----------------------------------------------------
    def plan_kwargs(self) -> dict:
        """The keyword arguments given to :func:`planner.plan` for the current state."""
        s = self.state
        extra = {s.extra_month: s.extra_amount} if s.extra_amount else None
        return {"extra": extra, "horizon": self.horizon, "start": self.start}

    def set_debts(self, debts) -> None:
        """Replace the debts (e.g. after an edit in a :class:`DebtTable`) and redraw."""
        self.debts = load_debts(debts)
        lo, hi = self._slider_range(minimum_budget(self.debts))
        with self.hold():
            self.budget_slider.max = max(hi, self.budget_slider.max)
            self.budget_slider.min = lo
            self._dirty = True

    def refresh(self) -> None:
        s = self.state
        lang = s.lang
        if self.strategy_menu.description != t("strategy", lang):
            self._label_controls()
        kwargs = self.plan_kwargs()
        if s.budget < self.budget_slider.min:  # set below the slider's range (e.g. below the minimums)
            self.budget_slider.min = s.budget // 50 * 50
            self.budget_slider.value = s.budget
        if s.budget > self.budget_slider.max:  # e.g. from the linked negotiation explorer: the slider shows it
            self.budget_slider.max = int(ceil(s.budget / 100.0)) * 100
            self.budget_slider.value = s.budget
        self.short = None
        try:
            self.comparison = _compare(self.debts, s.budget, **kwargs)
            self.plan = self.comparison[s.strategy]
            self.error = None
        except PlannerError as exc:
            self.plan = self.comparison = None
            self.error = exc
            if isinstance(exc, InfeasibleBudgetError):
                self.short = short_budget(self.debts, s.budget, strategy=s.strategy, lang=lang, start=self.start,
                                          horizon=self.horizon)
        self.notice.value = short_headline_html(self.short, lang) if self.short is not None else ""
        self.canvas.draw(self._paint)
        self.summary.value = self._summary_html()

    def _paint(self, canvas) -> None:
        lang = self.state.lang
        if self.short is not None and self.short.plan is not None:
            # the plan once the asks marked ✓ are granted: the budget as it is then fits
            charts.payoff_timeline(self.short.plan, canvas.main_axes(empty=False), lang=lang, legend=False,
                                   title=short_title(self.short, lang), live=True)
            return
        if self.error is not None:
            _message_axes(canvas, self._error_text())
            return
        # The legend is the coloured swatches in the summary table below the
        # chart: a matplotlib legend would cost more than half of a redraw.
        # Kept Axes as they are: the chart updates the areas and lines it drew there (live=True).
        charts.payoff_timeline(self.plan, canvas.main_axes(empty=False), lang=lang, legend=False, live=True)

    def _error_text(self) -> str:
        lang = self.state.lang
        exc = self.error
        if isinstance(exc, InfeasibleBudgetError):
            return t("ui_infeasible", lang, budget=format_yuan(exc.budget, lang=lang), required=format_yuan(exc.required, lang=lang),
                     shortfall=format_yuan(exc.shortfall, lang=lang), month=exc.month)
        return exc.text(lang)

    def _summary_html(self) -> str:
        lang = self.state.lang
        if self.short is not None:
            return f"<div class='planner-summary'>{short_budget_html(self.short, lang, headline=False)}</div>"
        if self.error is not None:
            return f"<p class='planner-summary' style='color:#D55E00'>{html.escape(self._error_text())}</p>"
        p = self.plan
        headline = t("ui_headline", lang, when=_when(p, lang), months=p.months if p.months is not None else "—",
                     interest=format_yuan(p.total_interest, lang=lang), paid=format_yuan(p.total_paid, lang=lang))
        s = self.state
        if s.extra_amount and p.months is not None and s.extra_month > p.months:
            headline += " · " + t("ui_extra_after_debt_free", lang, amount=format_yuan(s.extra_amount, lang=lang),
                                  when=p.calendar_month(s.extra_month) or str(s.extra_month), free=_when(p, lang))
        strategies = list(self.comparison)
        rows = [[html.escape(charts.strategy_label(q.strategy, lang)), _when(q, lang),
                 "—" if q.months is None else str(q.months), _money(q.total_interest, lang), _money(q.total_paid, lang)]
                for q in strategies]
        compare_table = _table([t("strategy", lang), t("debt_free", lang), t("months", lang), t("total_interest", lang),
                                t("total_paid", lang)], rows, highlight=strategies.index(p))
        debt_rows = [[swatch(k) + html.escape(o.name), t("never", lang) if o.payoff_month is None else (p.calendar_month(o.payoff_month) or str(o.payoff_month)),
                      _money(o.interest, lang), _money(o.paid, lang)] for k, o in enumerate(p.outcomes)]
        debt_table = _table([t("debt", lang), t("debt_free", lang), t("interest", lang), t("paid", lang)], debt_rows)
        return (f"<div class='planner-summary'><p style='font-size:15px'><b>{html.escape(headline)}</b></p>"
                f"<div style='display:flex;gap:32px;flex-wrap:wrap'>{compare_table}{debt_table}</div></div>")

    # -- for tests -----------------------------------------------------
    @property
    def axes(self):
        return self.canvas.axes


# ---------------------------------------------------------------------------
# debt table


EDITABLE = ("balance", "apr", "min_payment")


class _DebtSource(_Driven):
    """A widget that holds debts (``state.debts``) and tells listeners when they change."""

    _listeners: list

    @property
    def debts(self):
        return list(self.state.debts)

    def observe(self, callback) -> None:
        """Call ``callback(debts)`` whenever the debts change (an edit, a successful load)."""
        self._listeners.append(callback)

    def _notify(self, debts) -> None:
        for callback in self._listeners:
            callback(list(debts))


class DebtTableState(traitlets.HasTraits):
    debts = traitlets.List()
    lang = traitlets.Unicode("zh")


class DebtTable(_DebtSource):
    """The loaded debts with true APR and the reference lines crossed; balance, rate and minimum editable.

    >>> from planner import Debt
    >>> table = DebtTable([Debt("Card", 3000, 18, 300)], lang="en")
    >>> table.set_value("Card", "apr", 12)
    >>> table.debts[0].apr
    Decimal('12')
    """

    def __init__(self, debts, *, lang: str = "zh"):
        self._init_batch()
        debts = load_debts(debts)
        self.state = DebtTableState(debts=list(debts), lang=lang)
        self.error = W.HTML()
        self.message = self.error  # a value refused by set() is shown where a refused edit is
        self.grid = W.GridBox(layout=W.Layout(grid_gap="2px 12px", align_items="center"))
        self.note = W.HTML()
        self.widget = W.VBox([self.grid, self.error, self.note])
        self._inputs: dict[tuple[str, str], W.FloatText] = {}
        self._listeners = []
        self.state.observe(self._changed, names=["lang"])
        self.state.observe(self._debts_changed, names=["debts"])
        self.refresh()

    def link(self, explorer) -> None:
        """Make ``explorer`` (anything with ``set_debts``) follow the edits."""
        self.observe(explorer.set_debts)

    def set_value(self, debt: str | int, field: str, value) -> None:
        """Edit one value as a person would in the table (``table.set_value("借呗", "apr", 12)``)."""
        if field not in EDITABLE:
            raise PlannerError("widgets.explorers.these_edited_not", editable=', '.join(EDITABLE), field=field)
        name = debt if isinstance(debt, str) else self.state.debts[debt].name
        if (name, field) not in self._inputs:
            raise PlannerError("widgets.explorers.no_debt_named", name=name)
        box = self._inputs[(name, field)]
        box.value = str(value) if isinstance(box, W.Text) else float(value)

    def _edited(self, name: str, field: str, change) -> None:
        if getattr(self, "_reverting", False):
            return
        debts = list(self.state.debts)
        k = next(i for i, d in enumerate(debts) if d.name == name)
        try:
            if field == "min_payment":
                debts[k] = debts[k].with_(**_minimum_box(change["new"]))
            else:
                debts[k] = debts[k].with_(**{field: _box_value(change["new"], field)})
        except (PlannerError, ArithmeticError, ValueError, TypeError) as exc:
            if not isinstance(exc, PlannerError):  # never a raw InvalidOperation: a message naming the value
                exc = PlannerError("widgets.explorers.cannot_value", change=change['new'], name=name, field=field)
            self.error.value = f"<p style='color:#D55E00'>{html.escape(exc.text(self.state.lang))}</p>"
            widget = self._inputs[(name, field)]
            self._reverting = True
            try:
                old = self.state.debts[k]
                widget.value = _minimum_text(old) if field == "min_payment" else float(getattr(old, field))
            finally:
                self._reverting = False
            return
        self.error.value = ""
        if field == "min_payment":
            self._inputs[(name, field)].tooltip = _minimum_tip(debts[k], self.state.lang)
        self.state.debts = debts

    def _debts_changed(self, change) -> None:
        self._update_rates()
        self._notify(change["new"])

    def refresh(self) -> None:
        lang = self.state.lang
        headers = [t("debt", lang), t("balance", lang), t("apr", lang), t("min_payment", lang),
                   t("ui_true_apr", lang), t("ui_lines_crossed", lang)]
        cells = [W.HTML(f"<b>{html.escape(h)}</b>") for h in headers]
        self._inputs = {}
        self._rate_cells = {}
        for d in self.state.debts:
            cells.append(W.HTML(html.escape(d.name)))
            for field in EDITABLE:
                if field == "min_payment":  # an amount, or a share of the balance with a floor ("10%+100")
                    box = W.Text(value=_minimum_text(d), placeholder=t("ui_min_payment_hint", lang),
                                 tooltip=_minimum_tip(d, lang), continuous_update=False, layout=W.Layout(width="110px"))
                else:
                    box = W.FloatText(value=float(getattr(d, field)), layout=W.Layout(width="110px"))
                box.observe(lambda ch, n=d.name, f=field: self._edited(n, f, ch), names="value")
                self._inputs[(d.name, field)] = box
                cells.append(box)
            rate, lines = W.HTML(), W.HTML()
            self._rate_cells[d.name] = (rate, lines)
            cells.extend([rate, lines])
        self.grid.children = cells
        self.grid.layout.grid_template_columns = "repeat(6, max-content)"
        self._update_rates()

    def _update_rates(self) -> None:
        lang = self.state.lang
        for d in self.state.debts:
            if d.name not in self._rate_cells:
                continue
            rate_cell, lines_cell = self._rate_cells[d.name]
            rate_cell.value, lines_cell.value = rate_cells(d, lang)
        self.note.value = f"<p style='color:#666;font-size:12px'>{html.escape(disclaimer(lang))}</p>"


#: The largest amount (yuan) or rate (percent) a debt-table box takes; the loader refuses
#: a ¥10^15 balance for the same reason.
_BOX_LIMITS = {"balance": Decimal("1e12"), "min_payment": Decimal("1e12"), "apr": Decimal("1000")}


def _minimum_text(debt) -> str:
    """What the minimum box shows: ``"10%+100"`` for a share of the balance, else the amount (``"500"``)."""
    return debt.min_rule if debt.min_percent is not None else _box_text(debt.min_payment)


def _box_text(amount: Decimal) -> str:
    return format(amount.normalize(), "f") if amount else "0"


def _minimum_tip(debt, lang: str) -> str | None:
    """The minimum box's tooltip for a share of the balance, in ``lang``: the rule in words and the first month's minimum."""
    if debt.min_percent is None:
        return None
    return t("ui_min_rule_tip", lang, percent=_box_text(debt.min_percent), basis=t(f"ui_min_basis_{debt.min_basis}", lang),
             floor=format_yuan(debt.min_floor, lang=lang), first=format_yuan(debt.min_payment, lang=lang))


def _minimum_box(raw) -> dict:
    """The ``Debt`` fields for what was typed into the minimum box: ``"10%+100"`` (a share of the
    balance with a floor) or an amount (``"500"``, ``"￥500"``), else PlannerError."""
    from ..money import ParseError, parse_minimum

    text = str(raw)
    try:
        fixed, percent, floor = parse_minimum(text)
    except ParseError as exc:
        from ..errors import message

        reason = exc if "%" in text else message("money.minimum_form", text=text[:40])  # "not a number" alone says less
        raise PlannerError("widgets.explorers.minimum_not_read", reason=reason) from None
    if fixed is None:
        return {"min_percent": percent, "min_floor": floor}
    return {"min_payment": _box_value(fixed, "min_payment")}


def _box_value(raw, field: str) -> Decimal:
    """A number typed into a debt-table box, checked: finite and within a sane range, else PlannerError."""
    value = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
    if not value.is_finite():
        raise PlannerError("widgets.explorers.number_not_2", raw=raw, field=field)
    limit = _BOX_LIMITS[field]
    if abs(value) > limit:
        raise PlannerError("widgets.explorers.too_large_most_check", raw=raw, field=field, limit=limit)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))  # 12.0 from the box is 12
    return value


def rate_cells(debt, lang: str = "en") -> tuple[str, str]:
    """HTML for a debt's true APR and the reference lines it crosses (applicable ones in red)."""
    a = assess(debt)
    rate = f"{a.true_rate.nominal}%"
    if a.penalty_rate is not None:
        rate += f" <span style='color:#D55E00'>({t('ui_overdue_rate', lang, rate=a.penalty_rate)})</span>"
    crossed = []
    for key in a.crossed:
        line = a.line(key)
        if key in a.crossed_applicable:
            crossed.append(f"<span style='color:#D55E00;font-weight:600' title='{html.escape(line.basis(lang))}'>"
                           f"{html.escape(line.label(lang))}</span>")
        else:
            crossed.append(f"<span style='color:#888' title='{html.escape(t('ui_line_not_applicable', lang))}'>"
                           f"{html.escape(line.label(lang))}*</span>")
    return rate, (", ".join(crossed) if crossed else f"<span style='color:#009E73'>{html.escape(t('ui_none_crossed', lang))}</span>")


# ---------------------------------------------------------------------------
# loading a file


class LoaderState(traitlets.HasTraits):
    debts = traitlets.List()
    lang = traitlets.Unicode("zh")
    source = traitlets.Unicode("")


class DebtLoader(_DebtSource):
    """Load a CSV from a path or an upload; show what was understood, problems and warnings.

    The default path is loaded at once, so ``loader.debts`` is ready in the next cell.
    """

    def __init__(self, path=None, *, lang: str = "zh"):
        self._init_batch()
        self.state = LoaderState(lang=lang)
        self.problems: list = []
        self.warnings: list[str] = []
        self.path_box = W.Text(value=str(path or ""), layout=W.Layout(width="420px"))
        self.load_button = W.Button()
        self.upload = W.FileUpload(accept=".csv,.txt", multiple=False)
        self.output = W.HTML()
        self.load_button.on_click(lambda _b: self.load(self.path_box.value))
        self.upload.observe(self._uploaded, names="value")
        self.widget = W.VBox([W.HBox([self.path_box, self.load_button, self.upload]), self.output])
        self.state.observe(self._changed, names=["lang"])
        self._listeners = []
        if path:
            self.load(path)
        else:
            self.refresh()

    def load(self, source, *, name: str | None = None) -> list:
        """Load a path, bytes or text; returns the debts (empty when the file has problems)."""
        self.problems, self.warnings = [], []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                debts = load_debts(source)
            except InputError as exc:
                debts, self.problems = [], list(exc.problems)
                self._error_header = str(exc).splitlines()[:2]
            except PlannerError as exc:
                debts, self.problems = [], [exc]
                self._error_header = []
        self.warnings = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        self.state.source = name or (source if isinstance(source, str) and "\n" not in source else "CSV")
        self.state.debts = debts
        self.refresh()
        if debts:
            self._notify(debts)
        return debts

    def _uploaded(self, change) -> None:
        files = change["new"]
        if files:
            item = files[0]
            self.load(bytes(item["content"]), name=item.get("name", "upload.csv"))

    def refresh(self) -> None:
        lang = self.state.lang
        self.path_box.description = t("ui_path", lang)
        self.load_button.description = t("ui_load", lang)
        self.upload.description = t("ui_upload", lang)
        parts = []
        if self.problems:
            parts.append(f"<p style='color:#D55E00'><b>{html.escape(t('ui_problems', lang, n=len(self.problems)))}</b></p>")
            parts.append("<ul>" + "".join(f"<li><pre style='margin:0;white-space:pre-wrap'>{html.escape(_one_language(p, lang))}</pre></li>"
                                          for p in self.problems) + "</ul>")
        if self.warnings:
            parts.append(f"<p><b>{html.escape(t('warnings', lang))}</b></p><ul>"
                         + "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings) + "</ul>")
        if self.state.debts:
            parts.append(f"<p><b>{html.escape(t('debts_understood', lang, n=len(self.state.debts)))}</b>"
                         f" — {html.escape(self.state.source)}</p>")
            parts.append(debts_html(self.state.debts, lang))
        self.output.value = "".join(parts)


def kind_name(kind: str, lang: str = "zh") -> str:
    """A kind of debt by its name in ``lang`` (from the text catalogue), never its code.

    >>> kind_name("online_loan", "zh"), kind_name("consumer_finance", "en")
    ('网贷', 'consumer finance')
    """
    return t_or(f"report.kind.{kind}", kind, lang)


def _one_language(problem, lang: str) -> str:
    """A problem or error in the chosen language (a message given in both only is shown as given)."""
    if isinstance(problem, Problem):
        return problem.text(lang)
    return str(getattr(problem, lang, None) or problem)


def debts_html(debts, lang: str = "zh") -> str:
    """An HTML table of debts as understood: balance, rates, minimum, overdue, fees, true APR, lines crossed."""
    headers = [t("debt", lang), t("kind", lang), t("balance", lang), t("apr", lang), t("min_payment", lang),
               t("overdue_days", lang), t("fees_owed", lang), t("ui_true_apr", lang), t("ui_lines_crossed", lang)]
    rows = []
    for d in debts:
        rate, lines = rate_cells(d, lang)
        rows.append([html.escape(d.name), html.escape(kind_name(d.kind, lang)), _money(d.balance, lang), f"{d.apr}%",
                     _money(d.min_payment, lang), str(d.overdue_days), _money(d.fees_owed, lang), rate, lines])
    # each total under its own column: the balances, the minimums and the fees (owed in all = balances + fees)
    balances, minimums, fees = (sum((getattr(d, f) for d in debts), Decimal(0)) for f in ("balance", "min_payment", "fees_owed"))
    rows.append([f"<b>{html.escape(t('total', lang))}</b>", "", f"<b>{_money(balances, lang)}</b>", "",
                 f"<b>{_money(minimums, lang)}</b>", "", f"<b>{_money(fees, lang)}</b>", "", ""])
    return _table(headers, rows, align="llrrrrrrl")


# ---------------------------------------------------------------------------
# negotiation explorer

#: The per-debt asks the explorer offers, with their "off" values.
ASK_DEFAULTS = {
    "freeze": 0,  # 停息挂账: months of installments (0 = not asked)
    "extend": 0,  # 展期: new term in months (0 = not asked)
    "rate_cut": 0.0,  # 降息: fraction of the rate cut (0.3 = 30% off)
    "waive": False,  # 减免罚息违约金
    "settle": 0.0,  # 一次性结清: fraction of what is owed paid (0 = not asked)
    "settle_month": 1,
}


class NegotiationState(traitlets.HasTraits):
    budget = traitlets.Int()
    strategy = traitlets.Unicode("avalanche")
    lang = traitlets.Unicode("zh")
    asks = traitlets.Dict()  # debt name -> {ask: value}, only the asks that are on


#: The negotiation grid's columns: debt, freeze, extend, rate cut, waive, settle (842 px with the gaps):
#: JupyterLab at 1280 px with its file browser open gives an output 848 px wide.
ASK_COLUMNS = ("120px", "90px", "90px", "160px", "70px", "262px")
ASK_GAP = 10


def _wrapping(text_html: str) -> str:
    """HTML that wraps within its grid cell (a long debt name, a header) instead of widening the column."""
    return f"<div style='white-space:normal;line-height:1.25;overflow-wrap:anywhere'>{text_html}</div>"


def asks_to_scenario(asks: dict, name: str = "asks"):
    """The :class:`~planner.negotiation.Scenario` for the explorer's per-debt asks.

    Order, per debt: waive fees, cut the rate, freeze, extend, settle (the
    waterfall shows them in this order).

    >>> s = asks_to_scenario({"Card": {"freeze": 60, "waive": True}})
    >>> [(a.action, a.debt) for a in s.adjustments]
    [('waive_fees', 'Card'), ('freeze_interest', 'Card')]
    """
    from ..negotiation import Scenario, extend_term, freeze_interest, reduce_rate, settle, waive_fees

    adjustments = []
    for debt, ask in asks.items():
        ask = {**ASK_DEFAULTS, **ask}
        if ask["waive"]:
            adjustments.append(waive_fees(debt))
        if ask["rate_cut"]:
            adjustments.append(reduce_rate(debt, fraction=Decimal(str(ask["rate_cut"]))))
        if ask["freeze"]:
            adjustments.append(freeze_interest(debt, months=int(ask["freeze"])))
        if ask["extend"]:
            adjustments.append(extend_term(debt, months=int(ask["extend"])))
        if ask["settle"]:
            adjustments.append(settle(debt, fraction=Decimal(str(ask["settle"])), month=int(ask["settle_month"])))
    return Scenario(name, adjustments)


def _negotiation_axes(figure):
    grid = figure.add_gridspec(1, 2, width_ratios=(1.3, 1), left=0.06, right=0.99, top=0.91, bottom=0.2, wspace=0.22)
    return [figure.add_subplot(grid[0]), figure.add_subplot(grid[1])]


class NegotiationExplorer(_Driven):
    """Per-debt asks (freeze with N months, extend the term, cut the rate, waive fees, settle
    with a fraction) and the savings against not negotiating, live.

    >>> from planner import Debt
    >>> ex = NegotiationExplorer([Debt("Card", 12000, 18, 1200, kind="card")], budget=1500, lang="en")
    >>> ex.set_ask("Card", freeze=60)
    >>> ex.result.savings.interest > 0
    True
    """

    def __init__(self, debts, budget=None, *, strategy: str = "avalanche", lang: str = "zh",
                 start: str | None = None, horizon: int = 600):
        self._init_batch()
        self.debts = load_debts(debts)
        self.start = start or next_month()
        self.horizon = horizon
        floor = minimum_budget(self.debts)
        if budget is None:
            budget = opening_budget(floor)
        self.state = NegotiationState(budget=_opening_value(budget, both("field_budget"), 0, int(MAX_MONEY)), strategy=strategy, lang=lang, asks={})
        self.negotiation = None
        self.result = None
        self.error: PlannerError | None = None
        self.canvas = Canvas(figsize=(13, 4.6))
        self._controls: dict[str, dict[str, W.Widget]] = {}
        # From ¥0, as the strategy explorer's: a budget below the minimums is shown as it is, with its shortfall.
        self.budget_slider = W.IntSlider(min=0, max=max(floor * 3, int(budget) + 1000), step=50,
                                         continuous_update=False, layout=W.Layout(width="460px"),
                                         style={"description_width": "110px"})
        self.lang_toggle = W.ToggleButtons(options=LANG_OPTIONS, style={"button_width": "80px"})
        traitlets.link((self.state, "budget"), (self.budget_slider, "value"))
        traitlets.link((self.state, "lang"), (self.lang_toggle, "value"))
        # Fixed column widths (headers and long names wrap): the grid is 928 px wide, so every
        # control fits a 968 px notebook output (JupyterLab at a 1280 px browser width).
        self.grid = W.GridBox(layout=W.Layout(grid_gap=f"2px {ASK_GAP}px", align_items="center",
                                              grid_template_columns=" ".join(ASK_COLUMNS)))
        self.grid.add_class("planner-asks")
        self._build_grid()
        self.summary = W.HTML()
        self.message = W.HTML()  # why a value given to set() or set_ask() was refused
        self.widget = W.VBox([W.HBox([self.budget_slider, self.lang_toggle]), self.message, self.grid, self.canvas.image, self.summary])
        self.state.observe(self._changed, names=["budget", "strategy", "lang", "asks"])
        self.refresh()

    def set(self, **values) -> None:
        """As :meth:`_Driven.set`; ``asks={debt: {ask: value}}`` goes through the controls, as
        :meth:`set_ask` does (every debt not named has its asks turned off), checked first."""
        asks = values.pop("asks", None)
        if asks is not None:
            if not isinstance(asks, dict):
                self._refuse(PlannerError("widgets.explorers.asks_not", asks=asks))
            for debt, ask in asks.items():
                if debt not in self._controls or not isinstance(ask, dict):
                    self._refuse(PlannerError(
                        "widgets.explorers.no_debt_named_asks",
                        name=', '.join(d.name for d in self.debts),
                        debt=debt,
                    ))
                unknown = [k for k in ask if k not in ASK_DEFAULTS]
                if unknown:
                    self._refuse(PlannerError(
                        "widgets.explorers.unknown_ask",
                        ask_defaults=', '.join(ASK_DEFAULTS),
                        unknown=', '.join(unknown),
                    ))
                try:
                    for key, value in ask.items():
                        self._checked_ask(debt, key, value)
                except PlannerError as exc:
                    self._refuse(exc)
        with self.hold():
            super().set(**values)
            if asks is not None:
                off = {"freeze": 0, "extend": 0, "rate_cut": 0, "waive": False, "settle": 0}
                for debt in self._controls:
                    self.set_ask(debt, **{**off, **asks.get(debt, {})})

    # -- asks ------------------------------------------------------------
    def _checked_ask(self, debt: str, key: str, value):
        """An ask's value within its control's range (months, fractions), else PlannerError."""
        if key == "waive":
            return bool(value)
        c = self._controls[debt]
        if key in ("freeze", "extend"):
            box = c[key + "_months"]
            return 0 if not value else _whole_yuan(value, both("field_months"), box.min, box.max, money=False)
        if key == "settle_month":
            return _whole_yuan(value, both("field_settle_month"), 1, self.horizon, money=False)
        control = c["rate_cut"] if key == "rate_cut" else c["settle_fraction"]
        if key == "settle" and not value:
            return 0
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        low = 0.0 if key == "rate_cut" else control.min
        if isinstance(value, bool) or not low <= number <= control.max:
            raise PlannerError("widgets.explorers.fraction_not", low=low, max=control.max, shown=value)
        return number

    def set_ask(self, debt: str, **ask) -> None:
        """Turn asks on or off for one debt, as the controls do: ``set_ask("分期乐", freeze=60, waive=True)``.

        ``freeze``/``extend``: months (0 = off); ``rate_cut``: fraction 0-1;
        ``waive``: bool; ``settle``: fraction 0-1 (0 = off) with ``settle_month``.
        """
        if debt not in self._controls:
            self._refuse(PlannerError(
                "widgets.explorers.no_debt_named_debts",
                name=', '.join(d.name for d in self.debts),
                debt=debt,
            ))
        unknown = [k for k in ask if k not in ASK_DEFAULTS]
        if unknown:
            self._refuse(PlannerError(
                "widgets.explorers.unknown_ask",
                ask_defaults=', '.join(ASK_DEFAULTS),
                unknown=', '.join(unknown),
            ))
        try:
            ask = {key: self._checked_ask(debt, key, value) for key, value in ask.items()}
        except PlannerError as exc:
            self._refuse(exc)
        self._show_message("")
        c = self._controls[debt]
        with self.hold():
            for key, value in ask.items():
                if key in ("freeze", "extend"):
                    if value:
                        c[key + "_months"].value = int(value)
                    c[key].value = bool(value)
                elif key == "settle":
                    if value:
                        c["settle_fraction"].value = float(value)
                    c["settle"].value = bool(value)
                elif key == "settle_month":
                    c["settle_month"].value = int(value)
                elif key == "rate_cut":
                    c["rate_cut"].value = float(value)
                else:
                    c["waive"].value = bool(value)

    def clear_asks(self) -> None:
        with self.hold():
            for d in self.debts:
                self.set_ask(d.name, freeze=0, extend=0, rate_cut=0.0, waive=False, settle=0.0)

    def scenario(self):
        return asks_to_scenario(self.state.asks, t("ui_these_asks", self.state.lang))

    def _build_grid(self) -> None:
        self._headers = [W.HTML(layout=W.Layout(width="auto")) for _ in range(6)]
        cells = list(self._headers)
        box = W.Layout(width="58px")
        tick = W.Layout(width="24px")
        months = [(label, k) for k, label in enumerate(calendar_months(self.start, self.horizon), start=1)]
        for d in self.debts:
            c = {
                "freeze": W.Checkbox(value=False, indent=False, layout=tick),
                "freeze_months": W.BoundedIntText(value=60, min=1, max=60, layout=box),
                "extend": W.Checkbox(value=False, indent=False, layout=tick),
                "extend_months": W.BoundedIntText(value=max(36, d.term_months or 0), min=1, max=120, layout=box),
                "rate_cut": W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, readout_format=".0%",
                                          continuous_update=False, layout=W.Layout(width="150px")),
                "waive": W.Checkbox(value=False, indent=False, layout=tick,
                                    disabled=not (d.fees_owed or (d.is_overdue and d.penalty_apr))),
                "settle": W.Checkbox(value=False, indent=False, layout=tick),
                "settle_fraction": W.FloatSlider(value=0.5, min=0.05, max=1.0, step=0.05, readout_format=".0%",
                                                 continuous_update=False, layout=W.Layout(width="142px")),
                # the month of the settlement as the charts label months (calendar months), not a count
                "settle_month": W.Dropdown(options=months, value=1, layout=W.Layout(width="92px")),
            }
            for widget in c.values():
                widget.observe(lambda _ch, name=d.name: self._read_row(name), names="value")
            self._controls[d.name] = c
            cells += [
                W.HTML(_wrapping(html.escape(d.name))),
                W.HBox([c["freeze"], c["freeze_months"]]),
                W.HBox([c["extend"], c["extend_months"]]),
                c["rate_cut"],
                c["waive"],
                W.HBox([c["settle"], c["settle_fraction"], c["settle_month"]]),
            ]
        self.grid.children = cells

    def _read_row(self, name: str) -> None:
        c = self._controls[name]
        ask = {}
        if c["freeze"].value:
            ask["freeze"] = c["freeze_months"].value
        if c["extend"].value:
            ask["extend"] = c["extend_months"].value
        if c["rate_cut"].value:
            ask["rate_cut"] = round(c["rate_cut"].value, 4)
        if c["waive"].value:
            ask["waive"] = True
        if c["settle"].value:
            ask["settle"] = round(c["settle_fraction"].value, 4)
            ask["settle_month"] = c["settle_month"].value
        asks = {k: v for k, v in self.state.asks.items() if k != name}
        if ask:
            asks[name] = ask
        self.state.asks = {d.name: asks[d.name] for d in self.debts if d.name in asks}  # debt order

    # -- the model -------------------------------------------------------
    def refresh(self) -> None:
        if self.state.budget > self.budget_slider.max:  # e.g. from the linked strategy explorer
            self.budget_slider.max = int(ceil(self.state.budget / 100.0)) * 100
            self.budget_slider.value = self.state.budget
        from ..negotiation import negotiate

        lang = self.state.lang
        self._label(lang)
        self.short = None
        try:
            self.negotiation = negotiate(self.debts, self.state.budget, [self.scenario()], self.state.strategy,
                                         start=self.start, horizon=self.horizon)
            self.result = self.negotiation.results[0]
            self.error = None
        except PlannerError as exc:
            self.negotiation = self.result = None
            self.error = exc
            # below the minimums: the shortfall and the asks that close it, in one language
            self.short = short_budget(self.debts, self.state.budget, strategy=self.state.strategy, lang=lang,
                                      start=self.start, horizon=self.horizon)
        self.asks_plan = self.asks_short = None
        if self.short is not None and self.state.asks:
            # do the asks set in the grid make the budget fit? (the baseline cannot run: no savings to compare)
            from ..engine import plan

            debts, changes = self.scenario().plan_inputs(self.debts)
            try:
                self.asks_plan = plan(debts, self.state.budget, self.state.strategy, changes=changes, start=self.start,
                                      horizon=self.horizon)
            except InfeasibleBudgetError as exc:
                self.asks_short = exc
            except PlannerError:
                pass
        self.canvas.draw(self._paint)
        self.summary.value = self._summary_html()

    def _label(self, lang: str) -> None:
        self.budget_slider.description = t("budget", lang)
        names = ["debt", "action_freeze_interest", "action_extend_term", "ui_rate_cut", "action_waive_fees", "ui_settle_header"]
        for cell, key in zip(self._headers, names):
            cell.value = _wrapping(f"<b>{html.escape(t(key, lang))}</b>")
        # what each unlabelled box of a row holds, shown on hover (the column header names the ask)
        tips = {key: t(f"ui_tip_{key}", lang) for key in ("freeze_months", "extend_months", "rate_cut", "settle_fraction", "settle_month")}
        for c in self._controls.values():
            for key, tip in tips.items():
                if c[key].tooltip != tip:
                    c[key].tooltip = tip

    def _paint(self, canvas) -> None:
        lang = self.state.lang
        if self.asks_plan is not None:
            title = t("ui_asks_fit_title", lang, strategy=charts.strategy_label(self.asks_plan.strategy, lang))
            charts.payoff_timeline(self.asks_plan, canvas.main_axes(), lang=lang, legend=False, title=title)
            return
        if self.short is not None:
            sf = self.short.shortfall
            _message_axes(canvas, t("ui_short_headline", lang, budget=format_yuan(sf.budget, lang=lang), month=sf.month,
                                    when=sf.when, required=format_yuan(sf.required, lang=lang),
                                    amount=format_yuan(sf.amount, lang=lang)))
            return
        if self.error is not None:
            _message_axes(canvas, str(self.error))
            return
        # Kept Axes as they are: the charts update the lines, legend, bars and amounts they drew
        # there before (live=True) rather than making them again; the same drawing.
        lines, waterfall = canvas.reuse_axes("negotiation", _negotiation_axes, empty=False)
        charts.negotiation_compared(self.negotiation, lines, lang=lang, live=True)
        charts.savings_waterfall(self.result, waterfall, lang=lang, title=t("chart_waterfall_title", lang), live=True)

    def _summary_html(self) -> str:
        lang = self.state.lang
        if self.short is not None:
            return f"<div class='planner-summary'>{self._short_html(lang)}</div>"
        if self.error is not None:
            return f"<p class='planner-summary' style='color:#D55E00'>{html.escape(str(self.error))}</p>"
        base, r = self.negotiation.baseline, self.result
        s = r.savings
        headline = t("ui_savings_headline", lang, paid=format_yuan(s.total_paid, lang=lang),
                     interest=format_yuan(s.interest, lang=lang), sooner=sooner_text(s.months, lang))
        headers = ["", t("debt_free", lang), t("months", lang), t("total_interest", lang), t("total_paid", lang),
                   t("ui_forgiven", lang), t("ui_monthly_pressure", lang)]
        rows = []
        for label, p, pressure in ((t("chart_baseline", lang), base, self.negotiation.baseline_pressure),
                                   (t("ui_these_asks", lang), r.plan, r.monthly_pressure)):
            rows.append([html.escape(label), _when(p, lang), "—" if p.months is None else str(p.months),
                         _money(p.total_interest, lang), _money(p.total_paid, lang), _money(p.total_forgiven, lang),
                         _money(pressure, lang)])
        table = _table(headers, rows, highlight=1)
        steps = [[html.escape(charts.adjustment_label(c.adjustment, lang)), _money(c.savings.total_paid, lang),
                  _money(c.savings.interest, lang), _money(c.monthly_pressure, lang)] for c in r.contributions]
        steps_table = _table([t("ui_ask", lang), t("ui_saves_paid", lang), t("ui_saves_interest", lang),
                              t("ui_monthly_pressure", lang)], steps) if steps else ""
        lump = ""
        if r.lump_needed:
            lump = f"<p>{html.escape(t('ui_lump_needed', lang, amount=format_yuan(r.lump_needed, lang=lang)))}</p>"
        return (f"<div class='planner-summary'><p style='font-size:15px'><b>{html.escape(headline)}</b></p>"
                f"{table}{lump}<div style='margin-top:8px'>{steps_table}</div></div>")

    def _short_html(self, lang: str) -> str:
        """Below the minimums: whether the asks set in the grid close the gap, else what to ask (the report's list)."""
        from ..negotiation import monthly_pressure

        money = lambda value: format_yuan(value, lang=lang)  # noqa: E731
        if self.asks_plan is not None:
            p = self.asks_plan
            sf = self.short.shortfall
            debts, _ = self.scenario().plan_inputs(self.debts)
            return ("<p class='planner-shortfall' style='font-size:15px;color:#D55E00'><b>"
                    + html.escape(t("ui_short_headline", lang, budget=money(sf.budget), month=sf.month, when=sf.when,
                                    required=money(sf.required), amount=money(sf.amount))) + "</b></p><p><b>"
                    + html.escape(t("ui_short_asks_fit", lang, pressure=money(monthly_pressure(debts)), budget=money(sf.budget)))
                    + "</b> " + html.escape(t("ui_headline", lang, when=_when(p, lang), months=p.months if p.months is not None else "—",
                                              interest=money(p.total_interest), paid=money(p.total_paid))) + "</p>")
        still = ""
        if self.asks_short is not None:
            e = self.asks_short
            still = ("<p style='color:#D55E00'>" + html.escape(t("ui_short_asks_not_enough", lang, month=e.month,
                                                                 required=money(e.required), amount=money(e.shortfall))) + "</p>")
        return short_budget_html(self.short, lang, chart=False) + still

    @property
    def axes(self):
        return self.canvas.axes

    def set_debts(self, debts) -> None:
        """Replace the debts (after an edit in a :class:`DebtTable`); asks on debts still present are kept."""
        self.debts = load_debts(debts)
        kept = {name: ask for name, ask in self.state.asks.items() if any(d.name == name for d in self.debts)}
        self._controls = {}
        self._build_grid()
        with self.hold():
            for name, ask in kept.items():
                self.set_ask(name, **ask)
            self._dirty = True


# ---------------------------------------------------------------------------
# the counsellor session (notebook 04 and the Voila dashboard)


class SessionState(traitlets.HasTraits):
    lang = traitlets.Unicode("zh")


class CounsellorSession(_Driven):
    """A guided walk through one client's case: debts, budget, strategy, negotiation asks, summary.

    One language toggle drives every part; the debt table feeds both
    explorers; the negotiation uses the budget and strategy chosen above.
    """

    def __init__(self, debts, budget=None, *, lang: str = "zh", start: str | None = None, case_book=None):
        self._init_batch()
        debts = load_debts(debts)
        self.state = SessionState(lang=lang)
        self.table = DebtTable(debts, lang=lang)
        self.explorer = StrategyExplorer(debts, budget, lang=lang, start=start)
        self.negotiation = NegotiationExplorer(debts, self.explorer.state.budget, lang=lang, start=self.explorer.start)
        for part in (self.table, self.explorer, self.negotiation):
            traitlets.link((self.state, "lang"), (part.state, "lang"))
        for name in ("budget", "strategy"):
            traitlets.link((self.explorer.state, name), (self.negotiation.state, name))
        self.table.link(self.explorer)
        self.table.link(self.negotiation)
        self.lang_toggle = W.ToggleButtons(options=LANG_OPTIONS, style={"button_width": "80px"})
        traitlets.link((self.state, "lang"), (self.lang_toggle, "value"))
        self.headings = [W.HTML() for _ in range(5)]
        self.intro = W.HTML()
        self.summary = W.HTML()
        ex, ng = self.explorer, self.negotiation
        from .report_button import report_button

        # The report reads the session when the button is pressed: the debts as edited,
        # the budget and strategy chosen, and the asks set in the negotiation step.
        self.report = report_button(self.report_state)
        # "Save as case": the session as a case of the case book, to follow month by month
        # (notebook 05). The book is the user's default one unless ``case_book`` is given.
        from .case_button import save_case_button

        self.save_case = save_case_button(self.report_state, book=case_book)
        self.widget = W.VBox([
            W.HBox([self.intro, self.lang_toggle]),
            self.headings[0], self.table.widget,
            self.headings[1], W.VBox([ex.budget_slider, W.HBox([ex.extra_amount_box, ex.extra_month_box]), ex.message]),
            self.headings[2], ex.strategy_menu, ex.notice, ex.canvas.image, ex.summary,
            self.headings[3], ng.message, ng.grid, ng.canvas.image, ng.summary,
            self.headings[4], self.summary, self.report, self.save_case,
        ])
        self.widget.add_class("planner-session")
        self.state.observe(self._changed, names=["lang"])
        ex.on_refresh(self.refresh)
        ng.on_refresh(self.refresh)
        self.refresh()

    def report_state(self) -> dict:
        """What the report button hands to :func:`planner.report.build_report`."""
        ng = self.negotiation
        return {
            "debts": self.explorer.debts,
            "budget": self.explorer.state.budget,
            "strategy": self.explorer.state.strategy,
            "lang": self.state.lang,
            "start": self.explorer.start,
            "scenarios": [ng.scenario()] if ng.state.asks else None,
        }

    def set(self, **values) -> None:
        """Set the language (``lang``) or anything the strategy explorer takes (``budget``, ``strategy`` ...).

        Checked first, as :meth:`StrategyExplorer.set` does: a refused value changes nothing.
        """
        lang = values.pop("lang", None)
        if lang is not None:
            try:
                lang = self._checked("lang", lang)
            except PlannerError as exc:
                self.explorer._refuse(exc)
        if values:
            self.explorer.set(**values)
        if lang is not None:
            self.state.lang = lang

    def refresh(self) -> None:
        lang = self.state.lang
        self.report.relabel(lang)  # the report button speaks the session's language
        self.save_case.relabel(lang)  # and so does "save as case"
        self.intro.value = f"<h2 style='margin:4px 0'>{html.escape(t('ui_session_title', lang))}</h2>"
        for k, cell in enumerate(self.headings, start=1):
            cell.value = f"<h3 style='margin:14px 0 4px'>{k}. {html.escape(t(f'ui_step{k}', lang))}</h3>"
        self.summary.value = self._summary_html()

    def _short_summary_html(self, lang: str) -> str:
        """The summary when the budget does not cover the minimums: the shortfall, whom to call first, and then."""
        short, ng = self.explorer.short, self.negotiation
        sf = short.shortfall
        money = lambda value: format_yuan(value, lang=lang)  # noqa: E731
        items = [t("ui_short_headline", lang, budget=money(sf.budget), month=sf.month, when=sf.when,
                   required=money(sf.required), amount=money(sf.amount))]
        if ng.asks_plan is not None:
            items.append(t("ui_summary_short_asks", lang, when=_when(ng.asks_plan, lang)))
        elif short.plan is not None:
            names = ("、" if lang == "zh" else ", ").join(c.name for c in short.calls if c.needed)
            items.append(t("ui_summary_short_calls", lang, names=names, when=_when(short.plan, lang)))
        else:
            items.append(t("ui_short_still", lang, month=sf.still_short_month, required=money(sf.still_required),
                           amount=money(sf.still_short)))
        body = "".join(f"<li>{html.escape(item)}</li>" for item in items)
        return (f"<ul class='planner-session-summary'>{body}</ul>"
                f"<p style='color:#666;font-size:12px'>{html.escape(disclaimer(lang))}</p>")

    def _summary_html(self) -> str:
        lang = self.state.lang
        ex, ng = self.explorer, self.negotiation
        if ex.short is not None:
            return self._short_summary_html(lang)
        if ex.plan is None or ng.result is None:
            return f"<p style='color:#D55E00'>{html.escape(ex._error_text() if ex.error else str(ng.error))}</p>"
        p, r = ex.plan, ng.result
        items = [t("ui_summary_plan", lang, strategy=charts.strategy_label(p.strategy, lang),
                   budget=format_yuan(p.budget, lang=lang), when=_when(p, lang),
                   interest=format_yuan(p.total_interest, lang=lang))]
        if r.contributions:
            items.append(t("ui_summary_asks", lang, paid=format_yuan(r.savings.total_paid, lang=lang),
                           when=_when(r.plan, lang)))
            items += [f"{charts.adjustment_label(c.adjustment, lang)}: {format_yuan(c.savings.total_paid, lang=lang)}"
                      for c in r.contributions]
        else:
            items.append(t("ui_summary_no_asks", lang))
        note = disclaimer(lang)
        body = "".join(f"<li>{html.escape(item)}</li>" for item in items)
        return f"<ul class='planner-session-summary'>{body}</ul><p style='color:#666;font-size:12px'>{html.escape(note)}</p>"


__all__ = [
    "ASK_COLUMNS",
    "ASK_DEFAULTS",
    "CounsellorSession",
    "DebtLoader",
    "DebtTable",
    "DebtTableState",
    "EDITABLE",
    "ExplorerState",
    "LANG_OPTIONS",
    "LoaderState",
    "NegotiationExplorer",
    "NegotiationState",
    "SessionState",
    "StrategyExplorer",
    "asks_to_scenario",
    "debts_html",
    "kind_name",
    "minimum_budget",
    "rate_cells",
    "short_budget",
    "short_budget_html",
    "short_headline_html",
    "short_title",
    "sooner_text",
    "swatch",
]
