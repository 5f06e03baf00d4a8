"""Charts of finished results, in Chinese or English.

Every function takes a result the core already computed (a
:class:`~planner.result.Plan`, a :class:`~planner.result.Comparison`, a
negotiation comparison), an optional matplotlib ``ax`` and ``lang``
(``"en"`` or ``"zh"``), draws on that Axes (a new figure when ``ax`` is
``None``) and returns it. Nothing here simulates, calls ``plt.show()`` or
touches global ``rcParams``: styling is applied by ``chart_style()`` while the
artists are made. Labels come from the one translation table
(``planner/data/labels.toml``), money from :func:`planner.money.format_yuan`,
colours from the Okabe-Ito palette (safe for colour-blind readers and in
grey print), with hatching once the colours run out.

>>> from planner import Debt, plan
>>> p = plan([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], budget=1500, start="2027-01")
>>> ax = payoff_timeline(p, lang="zh")
>>> ax.get_title(loc="left")
'各笔债务余额：雪崩法（先还利率最高）'
>>> [float(y) for y in total_line(ax).get_ydata()[:2]]  # month 1: 8000 + 45 + 100 interest - 1500 paid
[8000.0, 6645.0]
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..i18n import t, t_or
from ..money import format_yuan, to_cents
from ..strategies import STRATEGY_LABELS
from .style import HATCHES, MUTED, PALETTE, TOTAL_COLOR, chart_style, style_ticks

_TRAILING_ZEROS = re.compile(r"\.(\d*?)0+(万|亿)")


# ---------------------------------------------------------------------------
# shared helpers


def _axes(ax, figsize=(9, 4.8)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def debt_style(index: int) -> dict:
    """Colour and hatch for the debt at ``index`` (stable across charts)."""
    return {
        "color": PALETTE[index % len(PALETTE)],
        "hatch": HATCHES[(index // len(PALETTE)) % len(HATCHES)],
    }


def strategy_label(name: str, lang: str = "en") -> str:
    """A strategy's name for people: ``"Avalanche (highest rate first)"``.

    >>> strategy_label("snowball", "zh")
    '雪球法（先还余额最小）'
    >>> strategy_label("my_order")
    'my_order'
    """
    if name in STRATEGY_LABELS:
        zh, en = STRATEGY_LABELS[name]
        return zh if lang == "zh" else en
    return name


def money_tick(value, lang: str = "en") -> str:
    """Short money for axis ticks: ``¥12k``; ``¥1.5万`` in Chinese.

    >>> money_tick(15000, "zh"), money_tick(15000, "en"), money_tick(0, "zh")
    ('¥1.5万', '¥15k', '¥0')
    """
    value = Decimal(str(round(float(value), 2)))
    if value == 0:
        value = Decimal(0)  # never "-¥0"
    text = format_yuan(value, lang=lang, short=True)
    return _TRAILING_ZEROS.sub(lambda m: ("." + m.group(1) if m.group(1) else "") + m.group(2), text)


def _money_axis(axis, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: money_tick(v, lang)))


def month_label(plan, month: int, lang: str = "en") -> str:
    """A plan month for people: the calendar month when the plan has a start, else "month 7"."""
    month = int(month)
    return plan.calendar_month(month) or t("month_n", lang, n=month)


def _month_axis(axis, plan, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    if plan.start is not None:
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: plan.calendar_month(int(round(v))) or ""))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(round(v))}"))
        axis.set_label_text(t("month", lang))


def _when(plan, lang: str) -> str:
    if plan.months is None:
        return t("chart_never_within", lang, months=plan.horizon)
    return month_label(plan, plan.months, lang) if plan.months else t("chart_nothing_owed", lang)


def _titled(title: str, detail: str, lang: str) -> str:
    return f"{title}：{detail}" if lang == "zh" else f"{title}: {detail}"


def total_line(ax):
    """The Line2D a chart drew for a total (its ``gid`` is ``"total"``), or ``None``."""
    return next((line for line in ax.get_lines() if line.get_gid() == "total"), None)


def clear_chart(ax):
    """Return ``ax`` to what a chart function expects of a new Axes; returns ``ax``.

    Removes data artists, texts and legend, empties the titles and axis labels,
    forgets the data limits, turns autoscaling back on and restarts the colour
    cycle. Ticks, locators and formatters stay: every chart function sets its own.
    """
    for artist in [*ax.patches, *ax.lines, *ax.texts, *ax.collections, *ax.artists, *ax.images, *ax.tables]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for loc in ("left", "center", "right"):
        if ax.get_title(loc=loc):
            ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.relim()
    ax.set_autoscale_on(True)
    ax.set_prop_cycle(None)
    if hasattr(ax, _LIVE):
        delattr(ax, _LIVE)
    return ax


#: Attribute of an Axes holding what a chart function called with ``live=True`` drew there.
_LIVE = "_planner_live"


def _held(ax, key):
    """The artists a ``live=True`` call left on ``ax`` with the same ``key`` (still on it), else ``None``.

    When ``ax`` holds another live drawing (another chart, or one of another shape), it is
    cleared (:func:`clear_chart`) so the chart is drawn as on a new Axes.
    """
    held = getattr(ax, _LIVE, None)
    if held is None:
        return None
    if held[0] == key and all(getattr(a, "axes", None) is ax for a in held[2]) and ax.get_legend() is held[1]:
        return held[2]
    clear_chart(ax)
    return None


def _hold(ax, key, artists) -> None:
    setattr(ax, _LIVE, (key, ax.get_legend(), tuple(artists)))


def _rescaled(ax) -> None:
    """After artists were updated in place: data limits and autoscaling as adding them anew gives."""
    ax.relim()
    ax.set_autoscale_on(True)
    ax.autoscale_view()


def _outlines(xs, series):
    """The stacked areas' outlines: ``(index, outline)`` for each series with a non-zero value, and the totals."""
    below, out = [0.0] * len(xs), []
    for k, values in enumerate(series):
        above = [b + v for b, v in zip(below, values)]
        if any(values):
            out.append((k, list(zip(xs, above)) + list(zip(reversed(xs), reversed(below)))))
        below = above
    return out, below


def _stack_limits(ax, totals) -> None:
    top = max(totals, default=0.0)
    ax.set_ylim(0, top * 1.05 if top > 0 else 1)


def _stack(ax, outlines, totals, labels, styles=None) -> list:
    """Stacked areas (:func:`_outlines`) as plain polygons (much faster than ``stackplot`` when
    redrawn live), the y limits from the ``totals``; returns the polygons.

    ``styles`` (one dict of ``color`` and ``hatch`` per series) defaults to :func:`debt_style` by position.
    """
    from matplotlib.patches import Polygon

    polygons = []
    for k, outline in outlines:
        style = styles[k] if styles is not None else debt_style(k)
        # add_artist, not add_patch: the limits are set below, and add_patch's
        # exact extent computation is the slowest step of a live redraw.
        polygons.append(ax.add_artist(Polygon(outline, closed=True, facecolor=style["color"], hatch=style["hatch"],
                                              edgecolor="white" if style["hatch"] else "none", linewidth=0,
                                              label=labels[k])))
    _stack_limits(ax, totals)
    return polygons


def group_small(series, labels, max_items: int, lang: str = "en"):
    """At most ``max_items`` series: the ``max_items - 1`` largest at month 0 in their own order, the rest summed.

    The summed series comes last, labelled "the other N" (其余 N 笔), so a chart of hundreds of
    debts draws a dozen areas and can name each in its legend; the total is unchanged.
    Returns ``(series, labels, styles)``: styles as :func:`debt_style` gives them (without its
    grey) and :data:`MUTED` grey for the rest.

    >>> series, labels, _ = group_small([[5, 0], [1, 1], [9, 4], [2, 2]], ["a", "b", "c", "d"], 3, "zh")
    >>> series, labels
    ([[5, 0], [9, 4], [3, 3]], ['a', 'c', '其余 2 笔'])
    """
    series, labels = list(series), list(labels)
    if len(series) <= max_items:
        return series, labels, [debt_style(k) for k in range(len(series))]
    largest = sorted(range(len(series)), key=lambda k: -(series[k][0] if len(series[k]) else 0))[: max(max_items - 1, 0)]
    keep = sorted(largest)
    kept = set(keep)
    rest = [series[k] for k in range(len(series)) if k not in kept]
    others = [sum(values) for values in zip(*rest)]
    # The palette's own grey (its last colour) would read as part of the grey "others": skip it.
    named = [style for style in map(debt_style, range(2 * len(keep))) if style["color"] != PALETTE[-1]]
    styles = named[: len(keep)] + [{"color": MUTED, "hatch": None}]
    return ([series[k] for k in keep] + [others], [labels[k] for k in keep] + [t("chart_others", lang, n=len(rest))], styles)


def _balances(plan):
    """Month numbers and, per debt, the owed balance at each month's end (month 0 = now).

    The numbers of ``plan.balances()``, read from the exact schedule without pandas
    (importing it is most of a report's fixed cost).
    """
    c = plan.cents()
    months = list(range(plan.months_run + 1))
    series = [[0.0] * len(months) for _ in plan.debts]
    for i, owed in enumerate(c["start_owed"]):
        series[i][0] = owed / 100
    for m, i, closing, fees in zip(c["month"], c["debt"], c["closing"], c["fees"]):
        series[i][m] = (closing + fees) / 100
    return months, series


# ---------------------------------------------------------------------------
# plans


def payoff_timeline(plan, ax=None, *, lang: str = "en", legend: bool = True, max_items: int | None = None,
                    title: str | None = None, live: bool = False):
    """Balances by debt over time (stacked), the debt-free month marked; ``title`` replaces the
    default one (the strategy's name).

    The black line on top is the total owed; its y-data equal
    ``plan.balances().sum(axis=1)``. With ``max_items``, a plan of more debts
    shows the ``max_items - 1`` largest and one grey area for the others
    (:func:`group_small`): drawing time and the legend stay those of a dozen debts.

    ``live=True``: as in :func:`negotiation_compared`, when ``ax`` holds this chart from an
    earlier live call with the same areas (debts, styles), marks and language, the areas, the
    total line and the debt-free mark are updated in place (``set_xy``, ``set_data``,
    ``set_text``) rather than made again; the drawing is the same.
    """
    with chart_style():
        ax = _axes(ax)
        months, series = _balances(plan)
        labels, styles = [d.name for d in plan.debts], None
        if max_items is not None and len(series) > max_items:
            series, labels, styles = group_small(series, labels, max_items, lang)
        outlines, totals = _outlines(months, series)
        mark = "free" if plan.months else "never" if plan.months is None else None
        key = ("payoff_timeline", lang, legend, tuple(labels), None if styles is None else repr(styles),
               tuple(k for k, _ in outlines), mark)
        held = _held(ax, key) if live else None
        when = t("chart_debt_free_at", lang, when=_when(plan, lang)) if mark == "free" else _when(plan, lang)
        if held is not None:
            n = len(outlines)
            polygons, total, marks = held[:n], held[n], held[n + 1:]
            for polygon, (_k, outline) in zip(polygons, outlines):
                polygon.set_xy(outline)
            _stack_limits(ax, totals)
            total.set_data(months, totals)
            if mark == "free":
                line, note = marks
                line.set_xdata([plan.months, plan.months])
                note.xy = (plan.months, 0.5)
                note.set_text(when)
            elif mark == "never":
                marks[0].set_text(when)
        else:
            drawn = _stack(ax, outlines, totals, labels, styles)
            drawn.append(ax.plot(months, totals, color=TOTAL_COLOR, linewidth=1.4, label=t("total", lang), gid="total")[0])
            if mark == "free":
                drawn.append(ax.axvline(plan.months, color=TOTAL_COLOR, linestyle="--", linewidth=1))
                drawn.append(ax.annotate(
                    when, xy=(plan.months, 0.5), xycoords=("data", "axes fraction"), xytext=(-5, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=10,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                ))
            elif mark == "never":
                drawn.append(ax.text(0.99, 0.98, when, transform=ax.transAxes, ha="right", va="top", color="#D55E00"))
        if title is None:
            title = _titled(t("chart_timeline_title", lang), strategy_label(plan.strategy, lang), lang)
        ax.set_title(title, loc="left", y=1.01)
        ax.set_ylabel(t("chart_owed_axis", lang))
        ax.set_xlim(0, max(months[-1] if months else 1, 1) + 0.5)
        _money_axis(ax.yaxis, lang)
        _month_axis(ax.xaxis, plan, lang)
        if legend and held is None:  # held: the same labels, the legend as it was
            ax.legend(loc="upper right", ncols=2 if len(labels) > 5 else 1, fontsize=8)
        if live and held is None:
            _hold(ax, key, drawn)
        return style_ticks(ax)


def payment_plan(plan, ax=None, *, lang: str = "en", legend: bool = True):
    """What is paid to each debt each month (stacked bars), with the monthly budget as a step line."""
    with chart_style():
        ax = _axes(ax)
        n_months = plan.months_run
        months = list(range(1, n_months + 1))
        paid = plan.payments_by_month()
        bottom = [0.0] * n_months
        for k, d in enumerate(plan.debts):
            if not any(paid[k]):
                continue
            style = debt_style(k)
            ax.bar(months, paid[k], bottom=bottom, width=0.85, color=style["color"], hatch=style["hatch"],
                   edgecolor="white" if style["hatch"] else None, linewidth=0, label=d.name)
            bottom = [b + v for b, v in zip(bottom, paid[k])]
        budget, level = [], float(plan.budget)
        for m in months:
            level = float(plan.budget_changes.get(m, level))
            budget.append(level + float(plan.extra.get(m, 0)))
        if months:
            ax.step(months, budget, where="mid", color=TOTAL_COLOR, linewidth=1.2, linestyle="--",
                    label=t("budget", lang), gid="budget")
        ax.set_title(t("chart_payments_title", lang), loc="left")
        ax.set_ylabel(t("chart_paid_axis", lang))
        ax.set_xlim(0.4, max(n_months, 1) + 0.6)
        _money_axis(ax.yaxis, lang)
        _month_axis(ax.xaxis, plan, lang)
        if legend:  # beside the bars: they fill the budget up to the top, where a legend inside would cover them
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        return style_ticks(ax)


def payoff_segments(plan) -> dict[str, dict[str, list[int]]]:
    """For each debt, the months it received extra money, minimum only, or was settled/cleared.

    Extra money is what was paid above ``min(minimum, amount due)``. Derived
    from the finished schedule; used by :func:`payoff_order`.
    """
    prev_fees = [to_cents(d.fees_owed) for d in plan.debts]
    out = {d.name: {"extra": [], "minimum": [], "settled": [], "cleared": []} for d in plan.debts}
    for r in plan.schedule_rows():
        i, m = r.debt, r.month
        entry = out[plan.debts[i].name]
        if r.forgiven:
            entry["settled"].append(m)
        else:
            due = r.opening + r.interest + prev_fees[i]
            minimum = min(to_cents(plan.debts[i].min_payment), due)
            if r.payment > minimum:
                entry["extra"].append(m)
            elif r.payment > 0:
                entry["minimum"].append(m)
        prev_fees[i] = r.fees
    for o in plan.outcomes:
        if o.payoff_month:
            out[o.name]["cleared"].append(o.payoff_month)
    return out


def _runs(months: list[int]) -> list[tuple[float, float]]:
    runs: list[tuple[float, float]] = []
    for m in sorted(months):
        if runs and runs[-1][0] + runs[-1][1] == m - 0.5:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((m - 0.5, 1.0))
    return runs


def payoff_order(plan, ax=None, *, lang: str = "en", legend: bool = True):
    """Which debt receives the extra money each month, and when each is cleared.

    One row per debt, in the plan's priority order (first at the top): a
    solid bar while it gets money above its minimum, a light bar while it
    gets only the minimum, a dot in the month it is cleared, a star for a
    settlement.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    with chart_style():
        ax = _axes(ax, figsize=(9, 0.45 * len(plan.debts) + 1.8))
        segments = payoff_segments(plan)
        names = list(plan.priority) + [d.name for d in plan.debts if d.name not in plan.priority]
        index = {d.name: k for k, d in enumerate(plan.debts)}
        for row, name in enumerate(names):
            y = len(names) - 1 - row
            style = debt_style(index[name])
            seg = segments[name]
            ax.broken_barh(_runs(seg["minimum"]), (y - 0.18, 0.36), facecolors=MUTED, linewidth=0)
            ax.broken_barh(_runs(seg["extra"]), (y - 0.32, 0.64), facecolors=style["color"],
                           hatch=style["hatch"], edgecolor="white" if style["hatch"] else None, linewidth=0)
            for m in seg["cleared"]:
                ax.plot([m + 0.5], [y], marker="o", color=TOTAL_COLOR, markersize=6, linestyle="none")
            for m in seg["settled"]:
                ax.plot([m], [y], marker="*", color=TOTAL_COLOR, markersize=11, linestyle="none")
        ax.set_yticks(range(len(names)), list(reversed(names)))
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.set_xlim(0.4, max(plan.months_run, 1) + 1)
        ax.grid(False)
        ax.grid(True, axis="x", alpha=0.3)
        _month_axis(ax.xaxis, plan, lang)
        ax.set_title(f"{t('chart_order_title', lang)} · {strategy_label(plan.strategy, lang)}", loc="left")
        if legend:
            from matplotlib.legend_handler import HandlerTuple

            handles = [
                tuple(Patch(facecolor=c) for c in PALETTE[:3]),
                Patch(facecolor=MUTED),
                Line2D([], [], marker="o", color=TOTAL_COLOR, linestyle="none"),
            ]
            labels = [t("chart_order_extra", lang), t("chart_order_minimum", lang), t("chart_order_cleared", lang)]
            if any(seg["settled"] for seg in segments.values()):
                handles.append(Line2D([], [], marker="*", color=TOTAL_COLOR, markersize=11, linestyle="none"))
                labels.append(t("chart_order_settled", lang))
            ax.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, loc="upper center",
                      bbox_to_anchor=(0.5, -0.1), ncols=len(handles), fontsize=8)
        return style_ticks(ax)


# ---------------------------------------------------------------------------
# comparisons


def strategies_compared(comparison, ax=None, *, lang: str = "en", legend: bool = True):
    """Total owed over time under each strategy, each line ending at its debt-free month.

    Each line's ``gid`` is the strategy name; the legend gives the debt-free
    month and the total interest.
    """
    with chart_style():
        ax = _axes(ax)
        plans = list(comparison)
        first = plans[0] if plans else None
        for k, p in enumerate(plans):
            frame = p.balances()
            totals = frame.sum(axis=1)
            label = f"{strategy_label(p.strategy, lang)} — {_when(p, lang)}, {t('interest', lang)} {format_yuan(p.total_interest, lang=lang, short=True)}"
            style = "--" if p.strategy == "minimum_only" else "-"
            ax.plot(list(frame.index), totals.tolist(), color=PALETTE[k % len(PALETTE)], linewidth=1.8,
                    linestyle=style, label=label, gid=p.strategy)
            if p.months:
                ax.plot([p.months], [0], marker="o", color=PALETTE[k % len(PALETTE)], linestyle="none")
        ax.set_title(t("chart_compare_title", lang), loc="left")
        ax.set_ylabel(t("chart_owed_axis", lang))
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        _money_axis(ax.yaxis, lang)
        if first is not None:
            _month_axis(ax.xaxis, first, lang)
        if legend:
            ax.legend(loc="upper right", fontsize=8)
        return style_ticks(ax)


def interest_compared(comparison, ax=None, *, lang: str = "en"):
    """Total interest per strategy side by side (horizontal bars), the cheapest highlighted."""
    with chart_style():
        ax = _axes(ax, figsize=(7, 0.5 * len(comparison) + 1.5))
        plans = list(comparison)
        best = comparison.best if plans else None
        names = [strategy_label(p.strategy, lang) for p in plans]
        values = [float(p.total_interest) for p in plans]
        ys = list(range(len(plans)))[::-1]
        colors = [PALETTE[0] if p is best else MUTED for p in plans]
        bars = ax.barh(ys, values, color=colors, height=0.6)
        for bar, p in zip(bars, plans):
            bar.set_gid(p.strategy)
        top = max(values, default=0) or 1
        for y, v, p in zip(ys, values, plans):
            ax.text(v + top * 0.01, y, f"{format_yuan(p.total_interest, lang=lang)} · {_when(p, lang)}",
                    va="center", fontsize=8)
        ax.set_yticks(ys, names)
        ax.set_xlim(0, top * 1.45)
        ax.grid(False)
        ax.set_title(t("chart_interest_title", lang), loc="left")
        _money_axis(ax.xaxis, lang)
        return style_ticks(ax)


# ---------------------------------------------------------------------------
# negotiation


def _scenario_items(result):
    """``(name, plan)`` for the baseline (name ``None``) and each scenario of a negotiation."""
    return [(None, result.baseline)] + [(r.name, r.plan) for r in result]


def adjustment_label(adjustment, lang: str = "en") -> str:
    """A short label for an ask: ``"停息挂账 60期 · 信用卡"``, ``"Cap rate 24% · 分期乐"``.

    >>> from planner.negotiation import freeze_interest, cap_rate
    >>> adjustment_label(freeze_interest("kind:card", months=60), "zh")
    '停息挂账 60期 · 信用卡'
    >>> adjustment_label(cap_rate(["A", "B"], line="4xLPR"), "en")
    'Cap rate 4 × LPR · A, B'
    """
    parts = [adjustment.action_label(lang)]
    params = adjustment.params
    if "months" in params:
        parts.append(t("chart_n_months", lang, n=params["months"]))
    if "line" in params:
        line = str(params["line"])
        parts.append("4 × LPR" if line.lower() == "4xlpr" else f"{line}%")
    if "apr" in params:
        parts.append(f"{params['apr']}%")
    if "fraction" in params:
        parts.append(f"{Decimal(str(params['fraction'])) * 100:.0f}%")
    sel = adjustment.debt
    if sel == "*":
        who = t("chart_all_debts", lang)
    elif sel == "overdue":
        who = t("chart_overdue_debts", lang)
    elif isinstance(sel, str) and sel.startswith("kind:"):
        who = t_or(f"kind_{sel[5:]}", sel[5:], lang)
    else:
        who = sel if isinstance(sel, str) else ("、" if lang == "zh" else ", ").join(sel)
    return f"{' '.join(parts)} · {who}"


def negotiation_compared(result, ax=None, *, lang: str = "en", legend: bool = True, live: bool = False):
    """Total owed over time: the baseline against each negotiated scenario.

    ``result`` is what :func:`planner.negotiation.negotiate` returns (a
    :class:`~planner.negotiation.Negotiation`: ``baseline`` and the scenario results).
    Each line's ``gid`` is ``"baseline"`` or the scenario's name.

    ``live=True`` (a widget redrawing on its own Axes): when ``ax`` holds this chart from
    an earlier live call with the same lines (names, styles) and language, its lines and
    legend are updated in place (new data and labels) rather than made again: the same
    drawing as on a new Axes, without making the artists and the legend anew.
    """
    with chart_style():
        ax = _axes(ax)
        items = []
        for k, (name, p) in enumerate(_scenario_items(result)):
            months, series = _balances(p)
            # The sums of p.balances().sum(axis=1), without a DataFrame: each month's balances
            # added in debt order (what pandas does along a row of one float block).
            totals = [sum(owed) for owed in zip(*series)] if series else [0.0] * len(months)
            label = t("chart_baseline", lang) if name is None else name
            label = f"{label} — {_when(p, lang)}, {t('total_paid', lang)} {format_yuan(p.total_paid, lang=lang, short=True)}"
            style = {"color": TOTAL_COLOR if name is None else PALETTE[(k - 1) % len(PALETTE)],
                     "linewidth": 2 if name else 1.6, "linestyle": "--" if name is None else "-",
                     "gid": "baseline" if name is None else name}
            items.append((months, totals, label, style))
        key = ("negotiation_compared", lang, legend, tuple(tuple(style.items()) for *_, style in items))
        lines = _held(ax, key) if live else None
        kept = lines is not None
        if kept:
            for line, (xs, ys, label, _style) in zip(lines, items):
                line.set_data(xs, ys)
                line.set_label(label)
            _rescaled(ax)
        else:
            lines = [ax.plot(xs, ys, label=label, **style)[0] for xs, ys, label, style in items]
        # y given: nothing sits above the Axes, so this is where matplotlib would place it, and
        # a live redraw does not measure the y axis' labels again to find that out
        ax.set_title(t("chart_negotiation_title", lang), loc="left", y=1.0)
        ax.set_ylabel(t("chart_owed_axis", lang))
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        _money_axis(ax.yaxis, lang)
        _month_axis(ax.xaxis, _scenario_items(result)[0][1], lang)
        if legend and kept:  # the legend kept too: the same handles, new labels
            for text, (*_, label, _style) in zip(ax.get_legend().get_texts(), items):
                text.set_text(label)
        elif legend:
            ax.legend(loc="upper right", fontsize=8)
        if live:
            _hold(ax, key, lines)
        return style_ticks(ax)


def savings_waterfall(steps, ax=None, *, lang: str = "en", title: str | None = None, live: bool = False):
    """A waterfall of savings by adjustment, in the order they were taken, ending with the total.

    ``steps`` is a :class:`~planner.negotiation.ScenarioResult` (its
    contributions: what each ask saves in total paid, settlements included)
    or a sequence of ``(label, saving)`` pairs (yuan; negative is a cost).
    Bar ``gid``: ``"step1"``, ``"step2"``, ... and ``"total"``.

    ``live=True``: as in :func:`negotiation_compared`, a waterfall of as many bars, of the
    same colours, drawn by an earlier live call on ``ax`` is updated in place (bar heights,
    amounts and their places) rather than made again; the drawing is the same.
    """
    if hasattr(steps, "contributions"):
        title = title or _titled(t("chart_waterfall_title", lang), steps.name, lang)
        pairs = [(adjustment_label(c.adjustment, lang), float(c.savings.total_paid)) for c in steps.contributions]
    else:
        pairs = [(str(label), float(saving)) for label, saving in steps]
    with chart_style():
        ax = _axes(ax, figsize=(9, 4.5))
        bottoms, running = [], 0.0
        for _label, saving in pairs:
            bottoms.append(running)
            running += saving
        crowded = len(pairs) >= 10  # a dozen bars: smaller text and a short total, or neighbours overlap
        end = len(pairs) + 1
        heights, bottoms = [saving for _, saving in pairs] + [running], bottoms + [0.0]
        colors = [PALETTE[2] if saving >= 0 else PALETTE[3] for _, saving in pairs] + [PALETTE[0]]
        amounts = [(x, bottom + max(saving, 0), money_tick(saving, lang))
                   for x, ((_label, saving), bottom) in enumerate(zip(pairs, bottoms), start=1)]
        steps_at = [([x + 0.3, x + 0.7], [bottom + saving] * 2) for x, ((_label, saving), bottom) in enumerate(zip(pairs, bottoms), start=1)]
        total = money_tick(running, lang) if crowded else format_yuan(Decimal(str(round(running, 2))), lang=lang)
        key = ("savings_waterfall", lang, tuple(colors))
        held = _held(ax, key) if live else None
        if held is not None:
            n = len(pairs)
            bars, texts, marks, total_text = held[:end], held[end:end + n], held[end + n:end + 2 * n], held[end + 2 * n]
            for bar, height, bottom in zip(bars, heights, bottoms):
                bar.set_y(bottom)
                bar.set_height(height)
                bar.sticky_edges.y[:] = [bottom]  # as bar() sets it
            for text, (x, y, amount) in zip(texts, amounts):
                text.set_position((x, y))
                text.set_text(amount)
            for line, (xs, ys) in zip(marks, steps_at):
                line.set_data(xs, ys)
            total_text.set_position((end, max(running, 0)))
            total_text.set_text(total)
            _rescaled(ax)
        else:
            # One bar() call for every bar (the same rectangles, in the same order, as one call per bar).
            bars = ax.bar(range(1, end + 1), heights, bottom=bottoms, color=colors, width=0.6)
            for x, bar in enumerate(bars, start=1):
                bar.set_gid("total" if x == end else f"step{x}")
            texts, marks = [], []
            for (x, y, amount), (xs, ys) in zip(amounts, steps_at):
                texts.append(ax.text(x, y, amount, ha="center", va="bottom", fontsize=6.5 if crowded else 8))
                marks.append(ax.plot(xs, ys, color=MUTED, linewidth=0.8)[0])
            total_text = ax.text(end, max(running, 0), total, ha="center", va="bottom", fontsize=7.5 if crowded else 9)
        labels = [label for label, _ in pairs] + [t("chart_savings_total", lang)]
        width = 16 if end <= 5 else 8 if crowded else 12
        ax.set_xticks(range(1, end + 1), [_wrap(label, width) for label in labels], fontsize=8 if end <= 6 else 6.5 if crowded else 7)
        if held is None:
            ax.axhline(0, color=TOTAL_COLOR, linewidth=0.8)
        low, high = ax.get_ylim()
        if not pairs or max(abs(v) for _, v in pairs) < 1:
            # Nothing saved (no asks yet): a plain ¥0-¥100 axis, not "¥0 ¥0 ¥0 -¥0".
            low, high = 0.0, 100.0
        if not pairs and held is None:
            ax.text(0.5, 0.6, t("chart_no_asks", lang), transform=ax.transAxes, ha="center", va="center",
                    color=MUTED, fontsize=10, gid="no_asks")
        ax.set_ylim(min(low, 0), high + (high - min(low, 0)) * 0.08)
        ax.set_title(title or t("chart_waterfall_title", lang), loc="left", y=1.0)  # as in negotiation_compared
        ax.set_ylabel(t("chart_saved_axis", lang))
        _money_axis(ax.yaxis, lang)
        if live and held is None:
            _hold(ax, key, [*bars, *texts, *marks, total_text])
        return style_ticks(ax)


def _wrap(label: str, width: int = 16) -> str:
    """Break a long tick label on its " · ", then on spaces, then (Chinese has none) every few characters.

    Width counts a Chinese character as two.

    >>> _wrap("一次性结清 40% · 招商银行信用卡", 12)
    '一次性结清\\n40%\\n招商银行\\n信用卡'
    >>> _wrap("Freeze interest 60 months · credit cards")
    'Freeze interest\\n60 months\\ncredit cards'
    >>> _wrap("4\\n安逸花(马\\n上消费金融", 10)
    '4\\n安逸花(马\\n上消费金融'
    """
    import unicodedata

    def size(text):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    lines = []
    for part in label.replace("\n", " · ").split(" · "):  # a line break already given is kept
        line = ""
        for word in part.split(" "):
            if size(word) > width:  # a long Chinese run: cut into equal pieces
                if line:
                    lines.append(line)
                    line = ""
                pieces = -(-size(word) // width)
                step = -(-len(word) // pieces)
                chunks = [word[i:i + step] for i in range(0, len(word), step)]
                lines.extend(chunks[:-1])
                line = chunks[-1]
            elif not line:
                line = word
            elif size(line) + 1 + size(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return "\n".join(lines)


__all__ = [
    "adjustment_label",
    "clear_chart",
    "debt_style",
    "group_small",
    "interest_compared",
    "money_tick",
    "month_label",
    "negotiation_compared",
    "payment_plan",
    "payoff_order",
    "payoff_segments",
    "payoff_timeline",
    "savings_waterfall",
    "strategies_compared",
    "strategy_label",
    "total_line",
]
