"""The counsellor's session report: what is owed, the plan, whom to call and what to ask.

:func:`build_report` is pure: from debts, a budget, optional scenarios and a
language it computes a :class:`Report` (every number through the same engine
as ``planner plan`` and ``planner negotiate``). :func:`render_html` turns it
into ONE self-contained HTML file (charts embedded as PNG data, no outside
fonts, links or scripts) laid out for two A4 pages; :func:`render_pdf` prints
that HTML with headless Chromium; :func:`write_report` writes either, atomically
and never over an input. Every text for people is in ``data/report.toml``
(Chinese and English); nothing here is legal advice and the report says so.

When the budget is below the minimum payments the report is built anyway
(:class:`Shortfall`): it says how much is missing, lists the asks that lower
the monthly payments most, and shows the plan once enough of them are granted.

>>> from planner import Debt
>>> debts = [Debt("Card", 3000, 18, 300, kind="card"), Debt("Loan", 5000, 30, 500, kind="online_loan")]
>>> r = build_report(debts, 1500, lang="en", start="2027-01", made_on="2026-12-01")
>>> r.plan.months, r.plan.debt_free, [c.name for c in r.calls]
(6, '2027-06', ['Loan'])
>>> r.calls[0].asks[0]
'Ask to cut the rate to 24% a year (now 30.00%)'
>>> build_report(debts, 1500, lang="en", anonymise=True).names
{'Card': 'Lender A', 'Loan': 'Lender B'}
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..datafiles import report_table
from ..errors import InfeasibleBudgetError, PlannerError
from ..i18n import labels, t
from ..io import column_letter
from ..money import format_yuan
from ..result import next_month

#: Where Chromium is looked for when ``PLANNER_CHROMIUM`` is not set (Debian's package).
CHROMIUM = "/usr/bin/chromium"
#: Chromium flags for printing the report: no GPU, and nothing fetched in the background.
#: ``--no-sandbox`` is added only for root (:func:`chromium_args`), where Chromium refuses
#: to start with its sandbox.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> str:
    """The Chromium that prints reports: ``$PLANNER_CHROMIUM``, else Debian's, else ``chromium`` on the PATH."""
    import os
    import shutil

    chosen = os.environ.get("PLANNER_CHROMIUM")
    if chosen:
        return chosen
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser") or CHROMIUM


def chromium_args() -> list[str]:
    """:data:`CHROMIUM_ARGS`, with ``--no-sandbox`` only when running as root (a container's usual user)."""
    import os

    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return (["--no-sandbox"] if root else []) + list(CHROMIUM_ARGS)


# ---------------------------------------------------------------------------
# texts


def text(key: str, lang: str = "en", **fields) -> str:
    """A report text: shorthand for :func:`planner.i18n.t` of ``"report." + key``.

    >>> text("anon_debt", "zh", letter="A")
    '平台A'
    """
    return t(f"report.{key}", lang, **fields)


def _param(key: str):
    return report_table()["params"][key]


def _kind(kind: str, lang: str) -> str:
    key = f"report.kind.{kind}"
    return t(key if key in labels() else "report.kind.other", lang)


def _rights(lang: str) -> tuple[str, ...]:
    return tuple(t(key, lang) for key in labels() if key.startswith("report.rights."))


def _ask(ask: str, part: str, lang: str, **fields) -> str:
    return t(f"report.ask.{ask}.{part}", lang, **fields)


def _yuan(amount) -> str:
    return format_yuan(Decimal(amount))


def _pct(value: Decimal) -> str:
    return f"{Decimal(value):.2f}%"


# ---------------------------------------------------------------------------
# the model


@dataclass(frozen=True)
class DebtRow:
    """Part 1: one debt as understood."""

    name: str
    kind: str
    owed: Decimal
    minimum: Decimal
    true_apr: Decimal  # IRR based, 12·r, contract rate
    charged_apr: Decimal | None  # the penalty rate while overdue, when it differs
    overdue_days: int
    overdue_cost: Decimal  # penalty interest above the contract rate, per month
    lines: tuple[tuple[str, bool], ...]  # (label, applies) of the lines crossed


@dataclass(frozen=True)
class StrategyRow:
    """Part 3: one strategy of the comparison."""

    key: str
    label: str
    months: int | None
    debt_free: str | None
    total_interest: Decimal
    recommended: bool


@dataclass(frozen=True)
class Call:
    """Part 4: one lender to call, what to ask, what it saves (the same plan, that ask granted)."""

    rank: int
    name: str
    asks: tuple[str, ...]
    basis: tuple[str, ...]
    writing: tuple[str, ...]
    saving: Decimal  # total paid, against the plan without negotiation
    interest_saving: Decimal
    months_sooner: int | None
    pressure: tuple[Decimal, Decimal] | None  # month-1 minimum before and after, when it changes
    adjustments: tuple = field(default=(), repr=False)
    cut: Decimal | None = None  # budget below the minimums: what the asks take off the month-1 minimums
    needed: bool = False  # budget below the minimums: among the calls that make the plan fit


@dataclass(frozen=True)
class ScenarioRow:
    """Part 5: the baseline or one negotiated scenario."""

    name: str
    months: int | None
    debt_free: str | None
    total_interest: Decimal
    total_paid: Decimal
    pressure: Decimal
    saving: Decimal | None  # None for the baseline
    headline: bool = False
    short: Decimal | None = None  # the budget does not cover this scenario's minimums by this much


@dataclass(frozen=True)
class Shortfall:
    """Parts 2 to 5 when the budget does not cover the minimum payments.

    ``asks_needed``: calls 1 to ``asks_needed`` of the call list make the plan
    fit (None when even all of them do not; then ``still_short`` says by how
    much, in month ``still_short_month``).
    """

    budget: Decimal
    required: Decimal  # the minimum payments due in `month`
    amount: Decimal  # required − budget
    month: int
    when: str  # calendar month of `month`
    smallest_budget: Decimal  # the least budget that pays every month's minimums
    baseline: object | None  # planner.result.Plan: minimums only, with smallest_budget
    target_months: int
    target_budget: Decimal | None  # debt-free within target_months (planner.required_budget)
    asks_needed: int | None
    pressure_after: Decimal  # month-1 minimums with the calls granted (all of them when none fits)
    calls_label: str  # "calls 1–2"
    still_short: Decimal | None = None
    still_short_month: int | None = None
    still_required: Decimal | None = None

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("month", "when", "target_months", "asks_needed", "still_short_month")}
        for k in ("budget", "required", "amount", "smallest_budget", "target_budget", "pressure_after", "still_short"):
            v = getattr(self, k)
            out[k] = None if v is None else float(v)
        return out


@dataclass
class Report:
    """Everything the session report shows, already computed. Render with :func:`render_html`."""

    lang: str
    client: str | None
    made_on: str
    start: str
    anonymised: bool
    names: dict[str, str]  # original name -> name shown (identity unless anonymised)
    debts: tuple[DebtRow, ...]
    budget: Decimal
    minimums: Decimal
    affordability: object | None  # planner.negotiation.Affordability, when income and essentials are given
    income: Decimal | None
    essentials: Decimal | None
    budget_notes: tuple[str, ...]
    strategies: tuple[StrategyRow, ...]
    recommended: str
    why: str
    plan: object | None  # planner.result.Plan: the recommended plan (negotiated when the budget is short; None when nothing fits)
    first_months: tuple[int, ...]
    calls: tuple[Call, ...]
    keep_paying: tuple[str, ...]
    scenarios: tuple[ScenarioRow, ...]
    scenario_note: str
    headline_result: object | None  # planner.negotiation.ScenarioResult shown in the waterfall
    waterfall: tuple[tuple[str, Decimal], ...]
    agency: object | None  # planner.negotiation.AgencyQuote
    rights: tuple[str, ...]
    disclaimer: str
    shortfall: Shortfall | None = None  # set when the budget does not cover the minimum payments
    statement: object | None = None  # planner.budget.Statement, when one is given
    offers: object | None = None  # planner.offers.FairShare: with a statement, or when the budget is short

    def t(self, key: str, **fields) -> str:
        return text(key, self.lang, **fields)

    def payments(self, month: int) -> dict[str, Decimal]:
        """What the plan pays each debt (shown names) in ``month``."""
        if self.plan is None:
            return {}
        return {row["debt"]: row["payment"] for row in self.plan.month_rows(month)}

    def to_dict(self) -> dict:
        """The key numbers, JSON-ready (money as floats of yuan)."""
        p = self.plan

        def num(v):
            return None if v is None else float(v)

        return {
            "lang": self.lang,
            "strategy": p.strategy if p is not None else None,
            "budget": float(self.budget),
            "months": p.months if p is not None else None,
            "debt_free": p.debt_free if p is not None else None,
            "total_interest": num(p.total_interest) if p is not None else None,
            "total_paid": num(p.total_paid) if p is not None else None,
            "first_months": {m: {k: float(v) for k, v in self.payments(m).items()} for m in self.first_months},
            "calls": [
                {"name": c.name, "asks": list(c.asks), "saving": num(c.saving), "months_sooner": c.months_sooner,
                 "cut": num(c.cut), "needed": c.needed}
                for c in self.calls
            ],
            "scenarios": [
                {"name": s.name, "months": s.months, "total_paid": float(s.total_paid), "saving": num(s.saving), "short": num(s.short)}
                for s in self.scenarios
            ],
            "shortfall": self.shortfall.to_dict() if self.shortfall is not None else None,
        }

    def _repr_html_(self) -> str:
        """A short summary for a notebook: the strategies, the calls, the disclaimer (the full report is
        :func:`~planner.report.render_html`)."""
        import html

        def esc(value) -> str:
            return html.escape(str(value))

        never = t("never", self.lang)
        recommended = next((r.label for r in self.strategies if r.recommended), self.recommended)
        strategies = "".join(
            f"<tr><td>{'<b>' if r.recommended else ''}{esc(r.label)}{'</b>' if r.recommended else ''}</td>"
            f"<td>{never if r.months is None else r.months}</td><td>{esc(r.debt_free or '')}</td><td>{esc(_yuan(r.total_interest))}</td></tr>"
            for r in self.strategies
        )
        calls = "".join(f"<li>{esc(c.name)}: {esc('; '.join(c.asks))} ({esc(_yuan(c.saving))})</li>" for c in self.calls)
        head = "".join(f"<th>{esc(self.t(k))}</th>" for k in ("col_strategy", "col_months", "col_debt_free", "col_interest"))
        return (
            f"<p><b>{esc(self.t('title'))}</b></p><p>{esc(self.t('recommended', strategy=recommended))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{strategies}</tbody></table>"
            + (f"<p>{esc(self.t('s4'))}</p><ol>{calls}</ol>" if calls else "")
            + f"<p style='color:#666;font-size:12px'>{esc(self.disclaimer)}</p>"
        )


# ---------------------------------------------------------------------------
# building


def _anonymise(debts, scenarios, lang, client=None):
    """Rename debts to 平台A / Lender A, drop extra columns, and rename the scenarios' references.

    A scenario's name loses every lender's name and the client's (``client``); its
    description (free text) is dropped.
    """
    from ..negotiation import Adjustment, Scenario
    from ..privacy import scrub as scrub_text

    names = {d.name: text("anon_debt", lang, letter=column_letter(k)) for k, d in enumerate(debts)}
    debts = [d.with_(name=names[d.name], extra=()) for d in debts]
    replace = dict(names)
    if client and str(client).strip():
        replace[str(client).strip()] = text("anon_client", lang)

    def scrub(s: str) -> str:  # the one scrubber: names in any letter case, ID, card and phone numbers
        return scrub_text(s, (), lang, renames=replace)

    def selector(sel):
        if isinstance(sel, str):
            return names.get(sel, sel)
        return tuple(names.get(x, x) for x in sel)

    renamed = None
    if scenarios is not None:
        renamed = [
            Scenario(scrub(s.name), tuple(Adjustment(a.action, selector(a.debt), a.params, a.from_month) for a in s.adjustments), "", s.lump)
            for s in scenarios
        ]
    return debts, renamed, names


#: How many lenders' asks the report plans at once (memory: this many plans of all the debts).
_CALLS_PER_CHUNK = 16


def _scenario_source(scenarios, anonymise: bool, lang: str) -> str:
    """The scenario file's name for the report: withheld when anonymised (a name like 王小明_scenarios.toml)."""
    if anonymise:
        return text("file_withheld", lang)
    source = scenarios if isinstance(scenarios, (str, os.PathLike)) and "\n" not in str(scenarios) else ""
    return Path(str(source)).name if source else "—"


def _debt_rows(debts, lang) -> tuple[DebtRow, ...]:
    from ..negotiation import overdue_cost
    from ..references import assess

    rows = []
    for d in debts:
        a = assess(d)
        crossed = tuple((a.line(k).label(lang), k in a.crossed_applicable) for k in a.crossed)
        rows.append(
            DebtRow(
                name=d.name,
                kind=_kind(d.kind, lang),
                owed=d.owed,
                minimum=d.min_payment,
                true_apr=a.true_rate.nominal,
                charged_apr=a.penalty_rate,
                overdue_days=d.overdue_days,
                overdue_cost=overdue_cost(d).penalty_extra_per_month,
                lines=crossed,
            )
        )
    return tuple(rows)


def _asks_for(debt, stretched: bool, lang: str):
    """The asks for one debt: (adjustments, ask texts, basis texts, writing texts).

    Overdue with penalty or fees -> waive them; a card when the budget is
    stretched -> personalised installments (停息挂账); otherwise a contract
    rate above a line that applies to this kind of lender -> cut to that line
    (24% for licensed lenders, 4 × LPR for private lending).
    """
    from ..negotiation import cap_rate, freeze_interest, waive_fees
    from ..rates import installment
    from ..references import assess
    from ..money import from_cents, to_cents

    adjustments, said, basis, writing = [], [], [], []

    def add(key, adjustment, **fields):
        adjustments.append(adjustment)
        said.append(_ask(key, "ask", lang, **fields))
        basis.append(_ask(key, "basis", lang))
        writing.append(_ask(key, "writing", lang))

    penalty = debt.is_overdue and debt.penalty_apr is not None and debt.penalty_apr > debt.apr
    if debt.is_overdue and (penalty or debt.fees_owed > 0):
        add("waive_fees", waive_fees(debt.name), fees=_yuan(debt.fees_owed), apr=f"{debt.apr:.2f}")
    a = assess(debt)
    rate = a.true_rate.nominal
    over = [x for x in a.lines if x.applies and rate > x.rate]
    if debt.kind == "card" and stretched:
        months = int(_param("card_installment_months"))
        owed = debt.balance + (debt.fees_owed if not adjustments else 0)
        add("card_installment", freeze_interest(debt.name, months=months),
            months=months, payment=_yuan(from_cents(installment(to_cents(owed), months))))
    elif any(x.key == "36" for x in over):
        add("cap_36", cap_rate(debt.name, line="24"), apr=f"{rate:.2f}")
    elif any(x.key == "24" for x in over):
        add("cap_24", cap_rate(debt.name, line="24"), apr=f"{rate:.2f}")
    elif any(x.key == "4xLPR" for x in over):
        line = a.line("4xLPR").rate
        add("cap_4xlpr", cap_rate(debt.name, line="4xLPR"), line=f"{line:.2f}", apr=f"{rate:.2f}")
    return adjustments, said, basis, writing


def build_report(
    debts,
    budget,
    *,
    scenarios=None,
    lang: str = "zh",
    client: str | None = None,
    anonymise: bool = False,
    income=None,
    essentials=None,
    strategy: str | None = None,
    start: str | None = None,
    made_on: str | date | None = None,
    horizon: int = 600,
    engine: str = "batch",
    statement=None,
) -> Report:
    """Compute the session report.

    ``debts``: anything :func:`planner.load_debts` reads. ``scenarios``: a
    TOML path or text, or a list of :class:`planner.Scenario` (part 5 then
    compares them too). ``strategy``: force one (default: the one with the
    least interest among those that finish). ``anonymise`` replaces the
    lenders' names and drops the client's. A budget below the minimum
    payments still makes a report: ``report.shortfall`` says by how much,
    part 4 lists the asks that lower the monthly payments, and ``report.plan``
    is the plan once enough of them are granted (None when even all of them
    do not fit).

    Parameters
    ----------
    debts : list of Debt, path, bytes, str or DataFrame
    budget : number or str
        Yuan a month.
    scenarios : list of Scenario, or a TOML path or text, optional
    lang : {"zh", "en"}, default "zh"
    client : str, optional
    anonymise : bool, default False
    income, essentials : number, optional
        Monthly take-home pay and essential spending (the budget check of part 2).
    strategy : str, optional
    start : str, optional
        The calendar month of month 1 (default: next month).
    made_on : str or date, optional
    horizon : int, default 600
    engine : {"batch", "single"}, default "batch"
        How the what-if plans of parts 4 and 5 (one per lender, one per ask) are
        run: ``"batch"`` plans them together with :mod:`planner.batch` (time
        and memory grow linearly with the debts), ``"single"`` one by one with
        :func:`planner.negotiate`, the reference. The report is the same. Without numba
        (the batch extra) the report runs "single".
    statement : Statement, path or anything :func:`planner.io.load_statement` reads, optional
        The client's budget statement (收支表): shown in part 2, its income and spending are the
        income and essentials unless given, and the fair-share offers (``report.offers``) split what
        it leaves for the debts. Without one, the offers split the budget when it is short.

    Returns
    -------
    Report
        Render it with :func:`~planner.report.render_html` or :func:`~planner.report.write_report`.

    Raises
    ------
    PlannerError
        For a budget that is not an amount of at least 0, an unknown language or engine.
    InputError
        When the debts or scenarios cannot be read.

    Examples
    --------
    >>> from planner import Debt
    >>> r = build_report([Debt("Card", 3000, 18, 300, kind="card")], 1000, lang="en", start="2027-01")
    >>> r.plan.months, r.recommended
    (4, 'avalanche')
    """
    _check_options(lang, engine)
    text("title", lang)  # validates lang
    if statement is not None:
        from ..io import load_statement

        statement = load_statement(statement)
        if income is None and essentials is None:
            income, essentials = statement.income, statement.spending
    debts, budget, loaded, names = _read_inputs(debts, budget, scenarios, anonymise, lang, client)
    if anonymise:
        client = None
    start = start or next_month()
    made_on = str(made_on or date.today().isoformat())
    kwargs = {"start": start, "horizon": horizon}
    money = _budget_part(debts, budget, income, essentials, lang)  # part 2
    comparison = _compare_strategies(debts, budget, strategy, kwargs)  # part 3
    if isinstance(comparison, InfeasibleBudgetError):
        head = dict(lang=lang, client=client, made_on=made_on, anonymised=anonymise, names=names,
                    debts=_debt_rows(debts, lang), budget=budget, minimums=money.minimums, affordability=money.afford,
                    income=money.income, essentials=money.essentials)
        return _with_offers(_short_report(debts, budget, comparison, head=head, notes=money.notes, loaded=loaded,
                                          scenarios=scenarios, strategy=strategy, kwargs=kwargs), debts, statement)
    chosen = comparison[strategy] if strategy else comparison.best
    rows, why, first = _plan_part(comparison, chosen, lang, horizon)
    calls, keep, batch = _call_list(debts, budget, chosen, money.stretched, lang, engine, kwargs)  # part 4
    scenario_part = _scenario_part(debts, budget, chosen, calls, loaded, scenarios, batch, money.minimums, anonymise, lang, kwargs)  # part 5
    headline = scenario_part.headline
    agency = _agency(debts, headline)  # part 6
    return _with_offers(Report(
        lang=lang, client=client, made_on=made_on, start=chosen.calendar_month(1) or start, anonymised=anonymise,
        names=names, debts=_debt_rows(debts, lang), budget=budget, minimums=money.minimums, affordability=money.afford,
        income=money.income, essentials=money.essentials, budget_notes=tuple(money.notes), strategies=rows,
        recommended=chosen.strategy, why=why, plan=chosen, first_months=first, calls=calls, keep_paying=keep,
        scenarios=scenario_part.rows, scenario_note=scenario_part.note, headline_result=headline,
        waterfall=scenario_part.waterfall, agency=agency, rights=_rights(lang),
        disclaimer=text("not_legal_advice", lang) + " " + _disclaimer(lang),
    ), debts, statement)


def _check_options(lang, engine) -> None:
    """Refuse an unknown language or engine."""
    if not isinstance(lang, str) or lang not in ("zh", "en"):
        raise PlannerError("report.model.lang_zh_en", language=str(lang)[:40])
    if not isinstance(engine, str) or engine not in ("batch", "single"):
        raise PlannerError("report.model.engine_batch_single", engine=str(engine)[:40])


def _read_inputs(debts, budget, scenarios, anonymise: bool, lang: str, client):
    """Part 1's inputs: the debts read, the budget in exact yuan (refused below 0), the scenarios read,
    the names shown (anonymised when asked: lenders renamed, the client dropped)."""
    from ..io import load_debts, load_scenarios
    from ..money import round_cents

    debts = load_debts(debts)
    given = budget
    try:
        budget = round_cents(Decimal(str(budget)))
    except ArithmeticError:
        budget = None
    if budget is None or not budget.is_finite() or budget < 0:
        raise PlannerError("report.model.budget_amount_least", given=given)
    loaded = None
    if scenarios is not None:
        loaded = scenarios if isinstance(scenarios, (list, tuple)) else load_scenarios(scenarios)
    names = {d.name: d.name for d in debts}
    if anonymise:
        debts, loaded, names = _anonymise(debts, loaded, lang, client)
    else:
        debts = [d.with_(extra=()) for d in debts]
    return debts, budget, loaded, names


@dataclass(frozen=True)
class _BudgetPart:
    """Part 2 as computed: the minimums, the notes shown, the affordability check, and whether the budget is stretched."""

    minimums: Decimal
    notes: list
    afford: object
    income: Decimal | None
    essentials: Decimal | None
    stretched: bool


def _budget_part(debts, budget: Decimal, income, essentials, lang: str) -> _BudgetPart:
    """Part 2, the budget: minimums and slack, income and essentials when given, the emergency fund, a stretched budget."""
    from ..money import round_cents
    from ..negotiation import affordability, monthly_pressure

    minimums = monthly_pressure(debts)
    slack = budget - minimums
    line = int(_param("payment_share_line"))
    notes = [text("budget_line", lang, budget=_yuan(budget), minimums=_yuan(minimums), slack=_yuan(max(slack, Decimal(0))))]
    afford = None
    inc = ess = None
    if income is not None and essentials is not None:
        afford = affordability(income, essentials, budget)
        inc, ess = afford.income, afford.essentials
        notes.append(text("income_line", lang, income=_yuan(inc), essentials=_yuan(ess), available=_yuan(afford.available)))
        if not afford.feasible:
            notes.append(text("budget_above_available", lang))
        share = f"{afford.share_of_income * 100:.1f}" if afford.share_of_income is not None else "—"
        notes.append(text("share_over" if afford.over_limit else "share_ok", lang, share=share, line=line))
    else:
        if income is not None:
            inc = round_cents(Decimal(str(income)))
        needed = round_cents(budget * 100 / line)
        notes.append(text("no_income", lang, line=line, budget=_yuan(budget), needed=_yuan(needed)))
    months_fund = int(_param("emergency_months"))
    if afford is not None:
        notes.append(text("emergency", lang, months=months_fund, amount=_yuan(afford.emergency_fund)))
    elif essentials is not None:
        ess = round_cents(Decimal(str(essentials)))
        notes.append(text("emergency", lang, months=months_fund, amount=_yuan(ess * months_fund)))
    else:
        notes.append(text("emergency_unknown", lang, months=months_fund))
    stretched_percent = Decimal(str(_param("stretched_slack_percent")))
    stretched = slack < minimums * stretched_percent / 100 or any(d.is_overdue for d in debts) or bool(afford and afford.over_limit)
    if 0 <= slack < minimums * stretched_percent / 100:
        notes.append(text("stretched", lang, percent=stretched_percent))
    return _BudgetPart(minimums, notes, afford, inc, ess, stretched)


def _compare_strategies(debts, budget: Decimal, strategy: str | None, kwargs: dict):
    """Part 3's comparison of every strategy, or the :class:`InfeasibleBudgetError` when the budget is below the minimums."""
    from ..engine import compare
    from ..strategies import STRATEGIES

    if strategy is not None and strategy not in STRATEGIES:
        raise PlannerError(
            "report.model.unknown_strategy_choose",
            strategies=', '.join(STRATEGIES),
            strategy=strategy,
        )
    try:
        return compare(debts, budget, list(STRATEGIES), **kwargs)
    except InfeasibleBudgetError as exc:
        return exc


def _plan_part(comparison, chosen, lang: str, horizon: int) -> tuple:
    """Part 3, the plan: one row per strategy, why the chosen one, its first months."""
    from ..charts import strategy_label

    rows = tuple(
        StrategyRow(p.strategy, strategy_label(p.strategy, lang), p.months, p.debt_free, p.total_interest, p.strategy == chosen.strategy)
        for p in comparison
    )
    why = _why(chosen, comparison, lang, horizon)
    first = tuple(range(1, min(int(_param("first_months")), chosen.months_run) + 1))
    return rows, why, first


def _call_list(debts, budget: Decimal, chosen, stretched: bool, lang: str, engine: str, kwargs: dict) -> tuple:
    """Part 4, the call list: each lender's asks through the same engine, ranked (overdue first, then the
    largest saving); the debts to keep paying as planned; whether the batch engine planned them."""
    from ..batch import available as batch_available, batch_strategies

    asked = [(d, *_asks_for(d, stretched, lang)) for d in debts]
    asked = [x for x in asked if x[1]]
    by_debt = {d.name: d for d in debts}
    # The batch path replaces one debt per ask: every ask must name its own debt only (a lender
    # called "overdue" or "kind:card" would select others; such reports take the reference path).
    batch = engine == "batch" and batch_available() and chosen.strategy in batch_strategies() and all(_names_itself(d.name) for d, *_ in asked)
    if batch:
        calls = _calls_batch(debts, asked, budget, chosen, kwargs)
    else:
        calls = _calls_single(debts, asked, budget, chosen, kwargs)
    # Overdue first (stop the penalties and the calls), then the largest saving.
    calls.sort(key=lambda c: (-by_debt[c.name].overdue_days, -c.saving, c.name))
    calls = tuple(dataclasses.replace(c, rank=k) for k, c in enumerate(calls, start=1))
    called = {c.name for c in calls}
    keep = tuple(d.name for d in debts if d.name not in called)
    return calls, keep, batch


@dataclass(frozen=True)
class _ScenarioPart:
    """Part 5 as computed: the rows (baseline first), the note under them, the headline result and its waterfall."""

    rows: tuple
    note: str
    headline: object
    waterfall: tuple


def _scenario_part(debts, budget: Decimal, chosen, calls: tuple, loaded, scenarios, batch: bool, minimums: Decimal,
                   anonymise: bool, lang: str, kwargs: dict) -> _ScenarioPart:
    """Part 5, negotiated against not negotiated: every ask of the call list together, then the file's scenarios;
    the headline (the file's best, else every ask) and what each call or step saves."""
    from ..negotiation import Scenario, negotiate

    all_asks = Scenario(text("negotiated", lang), tuple(a for c in calls for a in c.adjustments)) if calls else None
    file_scenarios = list(loaded or [])
    results = []
    if batch and all_asks is not None:
        if any(f.name == all_asks.name for f in file_scenarios):
            raise PlannerError("report.model.two_scenarios_same_name")  # as negotiate() says
        results.append(_every_ask_batch(debts, all_asks, budget, chosen, kwargs))
        run = file_scenarios
    else:
        run = ([all_asks] if all_asks else []) + file_scenarios
    if run:
        results += list(negotiate(debts, budget, run, chosen.strategy, **kwargs))
    headline = None
    if results:
        candidates = results if not file_scenarios else results[len(results) - len(file_scenarios):]
        headline = max(candidates, key=lambda r: r.savings.total_paid)
    scenario_rows = []
    if results:
        # The baseline of every scenario is the recommended plan (the same debts, budget and strategy).
        scenario_rows.append(ScenarioRow(text("baseline", lang), chosen.months, chosen.debt_free, chosen.total_interest,
                                         chosen.total_paid, minimums, None))
        for r in results:
            p = r.plan
            scenario_rows.append(ScenarioRow(r.name, p.months, p.debt_free, p.total_interest, p.total_paid, r.monthly_pressure,
                                             r.savings.total_paid, r is headline))
    note = text("scenario_from_calls", lang)
    if file_scenarios:
        note += " " + text("scenario_from_file", lang, file=_scenario_source(scenarios, anonymise, lang))
    waterfall = ()
    if headline is not None and not file_scenarios:
        # The asks are grouped by call, in call order: one bar per lender.
        steps = iter(headline.contributions)
        waterfall = tuple(
            (_bar_label(c.rank, c.name, lang), sum((next(steps).savings.total_paid for _ in c.adjustments), Decimal("0.00"))) for c in calls
        )
    elif headline is not None:
        waterfall = tuple((_step_label(c.adjustment, debts, lang), c.savings.total_paid) for c in headline.contributions)
    return _ScenarioPart(tuple(scenario_rows), note, headline, waterfall)


def _agency(debts, headline):
    """Part 6: what a debt agency would charge for the headline's saving (``None`` without one)."""
    from ..negotiation import price_agency

    if headline is None:
        return None
    total_owed = sum((d.owed for d in debts), Decimal("0.00"))
    return price_agency(headline.savings.total_paid, total_owed, fee_percent=_param("agency_fee_percent"))


def _disclaimer(lang: str) -> str:
    """The reference lines' disclaimer (:func:`planner.references.disclaimer`)."""
    from ..references import disclaimer

    return disclaimer(lang)


def _with_offers(report: Report, debts, statement) -> Report:
    """``report`` with the budget statement and the fair-share offers (by the names the report shows):
    what the statement leaves for the debts, else the budget when it is short of the minimums."""
    from dataclasses import replace

    from ..offers import fair_shares

    if statement is None and report.budget >= report.minimums:
        return report
    shown = [d.with_(name=report.names.get(d.name, d.name)) for d in debts]
    available = statement.left_for_debts if statement is not None else report.budget
    return replace(report, statement=statement, offers=fair_shares(shown, available))


def _names_itself(name: str) -> bool:
    """Whether an ask on the debt ``name`` selects that debt alone (no selector condition can be read in the name).

    >>> _names_itself("借呗"), _names_itself("overdue"), _names_itself("A & kind:card")
    (True, False, False)
    """
    lowered = name.strip().lower()
    return lowered not in ("*", "overdue") and "&" not in name and "kind:" not in lowered and not (
        "apr" in lowered and ("<" in name or ">" in name))


def _scenario_failed(name: str, debts, budget, strategy: str, kwargs) -> PlannerError:
    """The error :func:`planner.negotiate` raises for a scenario whose plan the budget does not cover."""
    from ..engine import plan

    try:
        plan(debts, budget, strategy, **kwargs)
    except InfeasibleBudgetError as exc:
        return PlannerError("report.model.scenario_2", name=name, exc=exc)
    return PlannerError("report.model.scenario", name=name)  # pragma: no cover - the engines agree


def _savings(before, after):
    """What ``after`` saves against ``before`` (each a Plan or a what-if's totals), as negotiate() counts it."""
    from ..negotiation import Savings

    months = None if before.months is None or after.months is None else before.months - after.months
    return Savings(before.total_interest - after.total_interest, before.total_paid - after.total_paid, months)


def _calls_single(debts, asked, budget, chosen, kwargs) -> list[Call]:
    """Part 4 with one plan per lender through :func:`planner.negotiate` (the reference for :func:`_calls_batch`)."""
    from ..negotiation import Scenario, monthly_pressure, negotiate

    calls = []
    before = monthly_pressure(debts)
    # Each lender's asks run as their own scenario, a chunk at a time: only the numbers are
    # kept, so memory holds a chunk's plans, not one full plan per lender.
    for start_at in range(0, len(asked), _CALLS_PER_CHUNK):
        chunk = asked[start_at:start_at + _CALLS_PER_CHUNK]
        result = negotiate(debts, budget, [Scenario(d.name, tuple(adj)) for d, adj, *_ in chunk], chosen.strategy, **kwargs)
        for d, adj, said, basis, writing in chunk:
            r = result[d.name]
            after = r.monthly_pressure
            calls.append(
                Call(0, d.name, tuple(said), tuple(basis), tuple(writing), r.savings.total_paid, r.savings.interest,
                     r.savings.months, (before, after) if before != after else None, tuple(adj))
            )
        del result
    return calls


def _calls_batch(debts, asked, budget, chosen, kwargs) -> list[Call]:
    """Part 4 with every lender's what-if planned by the batch engine (:mod:`.whatif`), equal to :func:`_calls_single`.

    A lender's asks change that lender's debt only, so each what-if is the debts
    with one of them replaced, and its month-1 minimums are today's with that
    debt's own minimum replaced.
    """
    import numpy as np

    from ..negotiation import Scenario, monthly_pressure
    from .whatif import Totals, what_if_totals

    n = len(debts)
    position = {d.name: k for k, d in enumerate(debts)}
    changed = [Scenario(d.name, tuple(adj)).apply([d])[0] for d, adj, *_ in asked]

    def what_ifs():
        for k, (d, *_) in enumerate(asked):
            rows = np.arange(n)
            rows[position[d.name]] = n + k
            yield rows

    totals = what_if_totals(debts, changed, what_ifs(), budget, chosen.strategy, horizon=kwargs["horizon"])
    base = Totals(chosen.months, chosen.total_interest, chosen.total_paid)  # each a pass over the plan: once
    before = monthly_pressure(debts)
    calls = []
    for (d, adj, said, basis, writing), new, got in zip(asked, changed, totals):
        if got.infeasible:
            raise _scenario_failed(d.name, [new if x.name == d.name else x for x in debts], budget, chosen.strategy, kwargs)
        saved = _savings(base, got)
        after = before - monthly_pressure([d]) + monthly_pressure([new])
        calls.append(
            Call(0, d.name, tuple(said), tuple(basis), tuple(writing), saved.total_paid, saved.interest, saved.months,
                 (before, after) if before != after else None, tuple(adj))
        )
    return calls


def _every_ask_batch(debts, scenario, budget, chosen, kwargs):
    """The scenario of every ask (all asks made in month 1, each on one named debt), as
    :func:`planner.negotiate` computes it, with the plan of each step from the batch engine.

    Returns the :class:`planner.negotiation.ScenarioResult`: its plan (all asks granted) from
    the single engine, its contributions (one per ask, in order) from the what-if totals.
    """
    import numpy as np

    from ..engine import plan
    from ..negotiation import Contribution, ScenarioResult, monthly_pressure
    from .whatif import Totals, what_if_totals

    n = len(debts)
    position = {d.name: k for k, d in enumerate(debts)}
    current = list(debts)
    changed, pressures = [], []
    total = monthly_pressure(debts)
    for a in scenario.adjustments:  # each ask names one debt and starts in month 1 (see _asks_for)
        i = position[a.debt]
        new = a.apply([current[i]])[0]
        total += monthly_pressure([new]) - monthly_pressure([current[i]])
        current[i] = new
        changed.append(new)
        pressures.append(total)

    def what_ifs():
        rows = np.arange(n)
        for k, a in enumerate(scenario.adjustments):
            rows[position[a.debt]] = n + k
            yield rows.copy()

    totals = what_if_totals(debts, changed, what_ifs(), budget, chosen.strategy, horizon=kwargs["horizon"])
    contributions, before = [], Totals(chosen.months, chosen.total_interest, chosen.total_paid)
    for k, (a, got) in enumerate(zip(scenario.adjustments, totals), start=1):
        if got.infeasible:
            raise _scenario_failed(scenario.name, scenario.steps(debts)[k], budget, chosen.strategy, kwargs)
        contributions.append(Contribution(k, a.describe(), a, _savings(before, got), pressures[k - 1]))
        before = got
    final = plan(current, budget, chosen.strategy, **kwargs)
    return ScenarioResult(scenario=scenario, debts=tuple(current), plan=final, monthly_pressure=total,
                          savings=_savings(chosen, final), contributions=tuple(contributions))


def _relief_for(debt, lang: str):
    """The asks that lower one debt's monthly payment: (adjustments, ask texts, basis texts, writing texts).

    Overdue penalties and fees waived; a card's balance frozen into 60
    installments (个性化分期); any other debt's rate cut to the line it
    crosses, then its term extended (展期) to twice the months left, at most
    ``extend_term_max_months``, when that lowers the payment.
    """
    from ..negotiation import Scenario, extend_term

    adjustments, said, basis, writing = _asks_for(debt, True, lang)
    if debt.kind == "card":
        return adjustments, said, basis, writing
    now = Scenario(debt.name, tuple(adjustments)).apply([debt])[0] if adjustments else debt
    left = now.term_months
    if left:
        months = min(left * int(_param("extend_term_factor")), int(_param("extend_term_max_months")))
    else:
        months = int(_param("extend_term_default_months"))
    if months > (left or 0):
        ask = extend_term(debt.name, months=months)
        longer = ask.apply([now])[0]
        if longer.min_payment < now.min_payment:
            adjustments.append(ask)
            said.append(_ask("extend_term", "ask", lang, before_months=left or "—", months=months,
                             before=_yuan(now.min_payment), payment=_yuan(longer.min_payment)))
            basis.append(_ask("extend_term", "basis", lang))
            writing.append(_ask("extend_term", "writing", lang))
    return adjustments, said, basis, writing


def _smallest_budget(debts, kwargs):
    """The least budget (to the cent) that pays every month's minimums, and the minimums-only plan with it."""
    from ..engine import plan
    from ..negotiation import monthly_pressure

    need = monthly_pressure(debts)
    for _ in range(1000):  # each round raises the budget to a month's minimums; they only ever fall after month 1
        try:
            return need, plan(debts, need, "minimum_only", **kwargs)
        except InfeasibleBudgetError as exc:
            need = max(exc.required, need + Decimal("0.01"))
    return need, None  # pragma: no cover - the rounds above always end


def _calls_label(k: int, lang: str) -> str:
    return text("calls_one", lang) if k == 1 else text("calls_range", lang, k=k)


def _short_report(debts, budget, exc, *, head, notes, loaded, scenarios, strategy, kwargs) -> Report:
    """The report when ``budget`` does not cover the minimum payments (``exc`` from the baseline plan).

    Part 4 ranks each lender's relief asks by how much they take off the
    month-1 minimums; calls are granted in that order until the plan runs
    within the budget (every month, through the same engine); part 3 then shows
    that plan. Part 5 compares it with paying today's minimums, with the
    budget that pays them.
    """
    from ..charts import strategy_label
    from ..engine import compare, plan, required_budget
    from ..negotiation import Scenario, monthly_pressure, price_agency
    from ..references import disclaimer
    from ..strategies import STRATEGIES

    lang = head["lang"]
    smallest, baseline = _smallest_budget(debts, kwargs)
    start = (baseline.calendar_month(1) if baseline is not None else None) or kwargs["start"]
    when = (baseline.calendar_month(exc.month) if baseline is not None else None) or str(exc.month)
    notes = [text("budget_short", lang, budget=_yuan(budget), month=exc.month, when=when, required=_yuan(exc.required),
                  amount=_yuan(exc.shortfall))] + list(notes[1:])
    target = int(_param("target_months"))
    try:
        target_budget = required_budget(debts, target, strategy or "avalanche", start=kwargs["start"])
    except PlannerError:
        target_budget = None

    # 4. the asks that lower the monthly payments, largest cut first
    calls = []
    for d in debts:
        adj, said, basis, writing = _relief_for(d, lang)
        if not adj:
            continue
        before = monthly_pressure([d])
        after = monthly_pressure(Scenario(d.name, tuple(adj)).apply([d]))
        calls.append(Call(0, d.name, tuple(said), tuple(basis), tuple(writing), None, None, None,
                          (before, after) if before != after else None, tuple(adj), cut=before - after))
    overdue = {d.name: d.overdue_days for d in debts}
    calls.sort(key=lambda c: (-c.cut, -overdue[c.name], c.name))

    def runs(ds):
        try:
            return compare(ds, budget, list(STRATEGIES), **kwargs)
        except InfeasibleBudgetError:
            return None

    # A call's asks change its own debt only: replace that debt and its share of the month-1
    # minimums, rather than re-reading every debt after each call (quadratic for 1,000 debts).
    current, comparison, needed = list(debts), None, None
    position = {d.name: k for k, d in enumerate(debts)}
    shares = [monthly_pressure([d]) for d in debts]
    pressure = sum(shares, Decimal("0.00"))
    for k, c in enumerate(calls, start=1):
        if _names_itself(c.name):
            i = position[c.name]
            current[i] = Scenario(c.name, c.adjustments).apply([current[i]])[0]
            share = monthly_pressure([current[i]])
            pressure += share - shares[i]
            shares[i] = share
        else:  # a name that reads as a selector: the asks may reach other debts
            current = Scenario(c.name, c.adjustments).apply(current)
            shares = [monthly_pressure([d]) for d in current]
            pressure = sum(shares, Decimal("0.00"))
        if pressure <= budget:
            comparison = runs(current)
            if comparison is not None:
                needed = k
                break
    calls = tuple(dataclasses.replace(c, rank=k, needed=needed is not None and k <= needed) for k, c in enumerate(calls, start=1))
    called = {c.name for c in calls}
    keep = tuple(d.name for d in debts if d.name not in called)
    label = _calls_label(needed or len(calls), lang)

    # 3. the plan those calls make possible
    chosen, rows, why, first = None, (), "", ()
    still = None
    if comparison is not None:
        chosen = comparison[strategy] if strategy else comparison.best
        rows = tuple(
            StrategyRow(p.strategy, strategy_label(p.strategy, lang), p.months, p.debt_free, p.total_interest, p.strategy == chosen.strategy)
            for p in comparison
        )
        why = _why(chosen, comparison, lang, kwargs["horizon"])
        first = tuple(range(1, min(int(_param("first_months")), chosen.months_run) + 1))
    else:
        try:
            plan(current, budget, "minimum_only", **kwargs)
        except InfeasibleBudgetError as e:
            still = e
    shortfall = Shortfall(
        budget=budget, required=exc.required, amount=exc.shortfall, month=exc.month, when=when, smallest_budget=smallest,
        baseline=baseline, target_months=target, target_budget=target_budget, asks_needed=needed,
        pressure_after=monthly_pressure(current), calls_label=label,
        still_short=still.shortfall if still else None, still_short_month=still.month if still else None,
        still_required=still.required if still else None,
    )

    # 5. the negotiated plan against paying today's minimums (with the budget that pays them)
    scenario_rows = []
    if baseline is not None:
        scenario_rows.append(ScenarioRow(text("baseline_minimums", lang), baseline.months, baseline.debt_free,
                                         baseline.total_interest, baseline.total_paid, monthly_pressure(debts), None))

    def saved(p):
        return baseline.total_paid - p.total_paid if baseline is not None else None

    if calls:
        name = text("negotiated_calls", lang, calls=label)
        if chosen is not None:
            scenario_rows.append(ScenarioRow(name, chosen.months, chosen.debt_free, chosen.total_interest, chosen.total_paid,
                                             shortfall.pressure_after, saved(chosen), True))
        else:
            scenario_rows.append(ScenarioRow(name, None, None, Decimal("0.00"), Decimal("0.00"), shortfall.pressure_after, None,
                                             short=shortfall.still_short))
    for s in loaded or []:
        ds = s.apply(debts)
        try:
            p = plan(ds, budget, chosen.strategy if chosen is not None else (strategy or "avalanche"), **kwargs)
        except InfeasibleBudgetError as e:
            scenario_rows.append(ScenarioRow(s.name, None, None, Decimal("0.00"), Decimal("0.00"), monthly_pressure(ds), None, short=e.shortfall))
            continue
        scenario_rows.append(ScenarioRow(s.name, p.months, p.debt_free, p.total_interest, p.total_paid, monthly_pressure(ds), saved(p)))
    if baseline is not None:
        note = text("scenario_short_note", lang, need=_yuan(smallest), amount=_yuan(smallest - budget), budget=_yuan(budget))
    else:
        note = text("baseline_infeasible", lang)
    if loaded:
        note += " " + text("scenario_from_file", lang, file=_scenario_source(scenarios, head["anonymised"], lang))
    waterfall = tuple((_bar_label(c.rank, c.name, lang), c.cut) for c in calls if c.cut)

    # 6. the agency, priced against what the calls save over paying today's minimums
    agency = None
    if chosen is not None and baseline is not None and saved(chosen) > 0:
        total_owed = sum((d.owed for d in debts), Decimal("0.00"))
        agency = price_agency(saved(chosen), total_owed, fee_percent=_param("agency_fee_percent"))
    return Report(
        **head, start=start, budget_notes=tuple(notes), strategies=rows,
        recommended=chosen.strategy if chosen is not None else (strategy or "avalanche"), why=why, plan=chosen,
        first_months=first, calls=calls, keep_paying=keep, scenarios=tuple(scenario_rows), scenario_note=note,
        headline_result=None, waterfall=waterfall, agency=agency, rights=_rights(lang),
        disclaimer=text("not_legal_advice", lang) + " " + disclaimer(lang), shortfall=shortfall,
    )


def _why(chosen, comparison, lang: str, horizon: int) -> str:
    from ..charts import strategy_label

    finishing = [p for p in comparison if p.months is not None]
    if chosen.months is None or not finishing:
        return text("why_none_finish", lang, horizon=horizon)
    others = sorted((p for p in finishing if p.strategy not in (chosen.strategy, "minimum_only")), key=lambda p: p.total_interest)
    baseline = next((p for p in comparison if p.strategy == "minimum_only"), None)
    if chosen is not comparison.best:
        best = comparison.best
        return text("why_chosen", lang, other=strategy_label(best.strategy, lang), saving=_yuan(chosen.total_interest - best.total_interest))
    if not others:
        return text("why_best_alone", lang)
    runner = others[0]
    if runner.total_interest == chosen.total_interest:
        return text("why_best_alone", lang) + " " + text("why_tie", lang, other=strategy_label(runner.strategy, lang))
    sooner = (baseline.months - chosen.months) if baseline is not None and baseline.months is not None else 0
    key = "why_best" if sooner > 1 else "why_best_1" if sooner == 1 else "why_best_same"  # never "0 months sooner"
    return text(key, lang, other=strategy_label(runner.strategy, lang),
                saving=_yuan(runner.total_interest - chosen.total_interest), sooner=sooner)


def _bar_label(rank: int, name: str, lang: str) -> str:
    r"""A short waterfall label: Chinese names cut into lines of five characters (at most two).

    >>> _bar_label(4, "安逸花(马上消费金融)", "zh")
    '4\n安逸花(马\n上消费金融'
    """
    if lang != "zh":
        return f"{rank}. {name}"
    lines = [name[k:k + 5] for k in range(0, len(name), 5)][:2]
    return "\n".join([str(rank), *lines])


def _step_label(adjustment, debts, lang: str) -> str:
    action = adjustment.action_label(lang)
    try:
        who = adjustment.selects(debts)
    except PlannerError:
        who = []
    who_text = ("、" if lang == "zh" else ", ").join(who) if len(who) <= 2 else ("*" if adjustment.debt == "*" else str(adjustment.debt))
    return f"{who_text}: {action}" if lang == "en" else f"{who_text}：{action}"


__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "Call",
    "DebtRow",
    "Report",
    "ScenarioRow",
    "Shortfall",
    "StrategyRow",
    "build_report",
    "text",
]
