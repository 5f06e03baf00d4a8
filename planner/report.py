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
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import InfeasibleBudgetError, PlannerError
from .loader import column_letter
from .money import format_yuan

#: Chromium flags for printing the report (a fresh container has no sandbox or GPU).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


# ---------------------------------------------------------------------------
# texts


@cache
def _texts() -> dict:
    text = resources.files("planner").joinpath("data/report.toml").read_text("utf-8")
    return tomllib.loads(text)


def text(key: str, lang: str = "en", **fields) -> str:
    """A report text from ``data/report.toml`` in ``lang``, formatted with ``fields``.

    >>> text("anon_debt", "zh", letter="A")
    '平台A'
    """
    if lang not in ("en", "zh"):
        raise PlannerError(f"未知语言 / unknown language {lang!r}; use zh or en")
    entry = _texts()["text"][key]
    return entry[lang].format(**fields) if fields else entry[lang]


def _param(key: str):
    return _texts()["params"][key]


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


# ---------------------------------------------------------------------------
# building


def _next_month() -> str:
    today = date.today()
    y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{y}-{m:02d}"


def _anonymise(debts, scenarios, lang):
    """Rename debts to 平台A / Lender A, drop extra columns, and rename the scenarios' references."""
    from .negotiation import Adjustment, Scenario

    names = {d.name: text("anon_debt", lang, letter=column_letter(k)) for k, d in enumerate(debts)}
    debts = [d.with_(name=names[d.name], extra=()) for d in debts]

    def scrub(s: str) -> str:
        for old in sorted(names, key=len, reverse=True):
            s = s.replace(old, names[old])
        return s

    def selector(sel):
        if isinstance(sel, str):
            return names.get(sel, sel)
        return tuple(names.get(x, x) for x in sel)

    renamed = None
    if scenarios is not None:
        renamed = [
            Scenario(scrub(s.name), tuple(Adjustment(a.action, selector(a.debt), a.params) for a in s.adjustments), "", s.lump)
            for s in scenarios
        ]
    return debts, renamed, names


def _debt_rows(debts, lang) -> tuple[DebtRow, ...]:
    from .negotiation import overdue_cost
    from .references import assess

    rows = []
    for d in debts:
        a = assess(d)
        crossed = tuple((a.line(k).label(lang), k in a.crossed_applicable) for k in a.crossed)
        rows.append(
            DebtRow(
                name=d.name,
                kind=_texts()["kinds"].get(d.kind, _texts()["kinds"]["other"])[lang],
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
    from .negotiation import cap_rate, freeze_interest, waive_fees
    from .rates import installment
    from .references import assess
    from .money import from_cents, to_cents

    asks = _texts()["asks"]
    adjustments, said, basis, writing = [], [], [], []

    def add(key, adjustment, **fields):
        adjustments.append(adjustment)
        said.append(asks[key]["ask"][lang].format(**fields))
        basis.append(asks[key]["basis"][lang])
        writing.append(asks[key]["writing"][lang])

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
    do not fit). A budget that is not an amount of at least 0 raises
    :class:`~planner.errors.PlannerError`.
    """
    if not isinstance(lang, str) or lang not in ("zh", "en"):
        raise PlannerError(f"lang 应为 \"zh\" 或 \"en\" / lang must be \"zh\" or \"en\": {str(lang)[:40]!r}")
    from .engine import compare
    from .loader import load_debts
    from .money import round_cents
    from .negotiation import Scenario, affordability, load_scenarios, monthly_pressure, negotiate, price_agency
    from .references import disclaimer
    from .strategies import STRATEGIES
    from .charts import strategy_label

    text("title", lang)  # validates lang
    debts = load_debts(debts)
    given = budget
    try:
        budget = round_cents(Decimal(str(budget)))
    except ArithmeticError:
        budget = None
    if budget is None or not budget.is_finite() or budget < 0:
        raise PlannerError(f"预算应为不小于 0 的金额：{given} / the budget must be an amount of at least 0: {given}")
    loaded = None
    if scenarios is not None:
        loaded = scenarios if isinstance(scenarios, (list, tuple)) else load_scenarios(scenarios)
    names = {d.name: d.name for d in debts}
    if anonymise:
        debts, loaded, names = _anonymise(debts, loaded, lang)
        client = None
    else:
        debts = [d.with_(extra=()) for d in debts]
    start = start or _next_month()
    made_on = str(made_on or date.today().isoformat())
    kwargs = {"start": start, "horizon": horizon}

    # 2. budget
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

    # 3. the plan
    if strategy is not None and strategy not in STRATEGIES:
        raise PlannerError(f"未知策略 / unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    try:
        comparison = compare(debts, budget, list(STRATEGIES), **kwargs)
    except InfeasibleBudgetError as exc:
        head = dict(lang=lang, client=client, made_on=made_on, anonymised=anonymise, names=names,
                    debts=_debt_rows(debts, lang), budget=budget, minimums=minimums, affordability=afford,
                    income=inc, essentials=ess)
        return _short_report(debts, budget, exc, head=head, notes=notes, loaded=loaded, scenarios=scenarios,
                             strategy=strategy, kwargs=kwargs)
    chosen = comparison[strategy] if strategy else comparison.best
    rows = tuple(
        StrategyRow(p.strategy, strategy_label(p.strategy, lang), p.months, p.debt_free, p.total_interest, p.strategy == chosen.strategy)
        for p in comparison
    )
    why = _why(chosen, comparison, lang, horizon)
    first = tuple(range(1, min(int(_param("first_months")), chosen.columns.months_run) + 1))

    # 4. the call list: each lender's asks through the same engine
    asked = [(d, *_asks_for(d, stretched, lang)) for d in debts]
    asked = [x for x in asked if x[1]]
    per_debt = [Scenario(d.name, tuple(adj)) for d, adj, *_ in asked]
    result = negotiate(debts, budget, per_debt, chosen.strategy, **kwargs) if per_debt else None
    by_debt = {d.name: d for d in debts}
    calls = []
    for d, adj, said, basis, writing in asked:
        r = result[d.name]
        before, after = monthly_pressure(debts), r.monthly_pressure
        calls.append(
            Call(0, d.name, tuple(said), tuple(basis), tuple(writing), r.savings.total_paid, r.savings.interest,
                 r.savings.months, (before, after) if before != after else None, tuple(adj))
        )
    # Overdue first (stop the penalties and the calls), then the largest saving.
    calls.sort(key=lambda c: (-by_debt[c.name].overdue_days, -c.saving, c.name))
    calls = tuple(dataclasses.replace(c, rank=k) for k, c in enumerate(calls, start=1))
    called = {c.name for c in calls}
    keep = tuple(d.name for d in debts if d.name not in called)

    # 5. negotiated against not negotiated
    all_asks = Scenario(text("negotiated", lang), tuple(a for c in calls for a in c.adjustments)) if calls else None
    file_scenarios = list(loaded or [])
    run = ([all_asks] if all_asks else []) + file_scenarios
    negotiated = negotiate(debts, budget, run, chosen.strategy, **kwargs) if run else None
    headline = None
    if negotiated is not None:
        candidates = list(negotiated) if not file_scenarios else [negotiated[s.name] for s in file_scenarios]
        headline = max(candidates, key=lambda r: r.savings.total_paid)
    scenario_rows = []
    if negotiated is not None:
        base = negotiated.baseline
        scenario_rows.append(ScenarioRow(text("baseline", lang), base.months, base.debt_free, base.total_interest, base.total_paid,
                                         negotiated.baseline_pressure, None))
        for r in negotiated:
            p = r.plan
            scenario_rows.append(ScenarioRow(r.name, p.months, p.debt_free, p.total_interest, p.total_paid, r.monthly_pressure,
                                             r.savings.total_paid, r is headline))
    note = text("scenario_from_calls", lang)
    if file_scenarios:
        source = scenarios if isinstance(scenarios, (str, os.PathLike)) and "\n" not in str(scenarios) else ""
        note += " " + text("scenario_from_file", lang, file=Path(str(source)).name if source else "—")
    waterfall = ()
    if headline is not None and not file_scenarios:
        # The asks are grouped by call, in call order: one bar per lender.
        steps = iter(headline.contributions)
        waterfall = tuple(
            (_bar_label(c.rank, c.name, lang), sum((next(steps).savings.total_paid for _ in c.adjustments), Decimal("0.00"))) for c in calls
        )
    elif headline is not None:
        waterfall = tuple((_step_label(c.adjustment, debts, lang), c.savings.total_paid) for c in headline.contributions)

    # 6. rights and warnings, with the agency priced
    agency = None
    total_owed = sum((d.owed for d in debts), Decimal("0.00"))
    if headline is not None:
        agency = price_agency(headline.savings.total_paid, total_owed, fee_percent=_param("agency_fee_percent"))
    rights = tuple(item[lang] for item in _texts()["rights"])

    return Report(
        lang=lang, client=client, made_on=made_on, start=chosen.calendar_month(1) or start, anonymised=anonymise,
        names=names, debts=_debt_rows(debts, lang), budget=budget, minimums=minimums, affordability=afford,
        income=inc, essentials=ess, budget_notes=tuple(notes), strategies=rows, recommended=chosen.strategy, why=why,
        plan=chosen, first_months=first, calls=calls, keep_paying=keep, scenarios=tuple(scenario_rows), scenario_note=note,
        headline_result=headline, waterfall=waterfall, agency=agency, rights=rights,
        disclaimer=text("not_legal_advice", lang) + " " + disclaimer(lang),
    )


def _relief_for(debt, lang: str):
    """The asks that lower one debt's monthly payment: (adjustments, ask texts, basis texts, writing texts).

    Overdue penalties and fees waived; a card's balance frozen into 60
    installments (个性化分期); any other debt's rate cut to the line it
    crosses, then its term extended (展期) to twice the months left, at most
    ``extend_term_max_months``, when that lowers the payment.
    """
    from .negotiation import Scenario, extend_term

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
            texts = _texts()["asks"]["extend_term"]
            adjustments.append(ask)
            said.append(texts["ask"][lang].format(before_months=left or "—", months=months,
                                                  before=_yuan(now.min_payment), payment=_yuan(longer.min_payment)))
            basis.append(texts["basis"][lang])
            writing.append(texts["writing"][lang])
    return adjustments, said, basis, writing


def _smallest_budget(debts, kwargs):
    """The least budget (to the cent) that pays every month's minimums, and the minimums-only plan with it."""
    from .engine import plan
    from .negotiation import monthly_pressure

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
    from .charts import strategy_label
    from .engine import compare, plan, required_budget
    from .negotiation import Scenario, monthly_pressure, price_agency
    from .references import disclaimer
    from .strategies import STRATEGIES

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

    current, comparison, needed = list(debts), None, None
    for k, c in enumerate(calls, start=1):
        current = Scenario(c.name, c.adjustments).apply(current)
        if monthly_pressure(current) <= budget:
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
        first = tuple(range(1, min(int(_param("first_months")), chosen.columns.months_run) + 1))
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
        source = scenarios if isinstance(scenarios, (str, os.PathLike)) and "\n" not in str(scenarios) else ""
        note += " " + text("scenario_from_file", lang, file=Path(str(source)).name if source else "—")
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
        headline_result=None, waterfall=waterfall, agency=agency, rights=tuple(item[lang] for item in _texts()["rights"]),
        disclaimer=text("not_legal_advice", lang) + " " + disclaimer(lang), shortfall=shortfall,
    )


def _why(chosen, comparison, lang: str, horizon: int) -> str:
    from .charts import strategy_label

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
    return text("why_best", lang, other=strategy_label(runner.strategy, lang),
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
    from .i18n import labels, t

    key = f"action_{adjustment.action}"
    action = t(key, lang) if key in labels() else adjustment.action
    try:
        who = adjustment.selects(debts)
    except PlannerError:
        who = []
    who_text = ("、" if lang == "zh" else ", ").join(who) if len(who) <= 2 else ("*" if adjustment.debt == "*" else str(adjustment.debt))
    return f"{who_text}: {action}" if lang == "en" else f"{who_text}：{action}"


# ---------------------------------------------------------------------------
# rendering


def _png(draw, size: tuple[float, float]) -> str:
    """Draw on a fresh (pyplot-free) figure and return it as a base64 PNG."""
    import base64
    import io

    from matplotlib.figure import Figure

    from .charts import chart_style

    with chart_style():
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(report: Report) -> dict[str, str]:
    """The report's charts as base64 PNGs: ``timeline`` (when there is a plan) and (when there are asks) ``savings``."""
    from . import charts as c

    def timeline(ax):
        from matplotlib.ticker import MaxNLocator

        c.payoff_timeline(report.plan, ax, lang=report.lang)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=7, ncols=3)

    out = {"timeline": _png(timeline, (6.4, 3.6))} if report.plan is not None else {}
    if report.waterfall and report.shortfall is not None:
        # Budget below the minimums: the bars are what each call takes off the month-1 minimums.
        def cuts(ax):
            c.savings_waterfall(list(report.waterfall), ax, lang=report.lang, title=report.t("pressure_chart_title"))
            ax.set_ylabel(report.t("pressure_axis"))
            amount = report.shortfall.amount  # the cut the budget needs: the bars that cross it make the plan fit
            low, high = ax.get_ylim()
            ax.set_ylim(low, max(high, float(amount) * 1.1))
            ax.axhline(float(amount), color=c.PALETTE[3], linestyle="--", linewidth=1)
            ax.text(0.5, float(amount), " " + report.t("short_cell", amount=_yuan(amount)), color=c.PALETTE[3],
                    fontsize=7, va="bottom", ha="left")

        out["savings"] = _png(cuts, (6.4, 3.0))
    elif report.waterfall:
        out["savings"] = _png(lambda ax: c.savings_waterfall(list(report.waterfall), ax, lang=report.lang), (6.4, 3.0))
    return out


def _months_label(report: Report, month: int) -> str:
    return report.plan.calendar_month(month) or str(month)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (UTF-8 text)."""
    import jinja2

    from .charts import strategy_label

    source = resources.files("planner").joinpath("templates/report.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["yuan"] = _yuan
    env.filters["pct"] = _pct
    template = env.from_string(source)
    p = report.plan
    totals = {
        "owed": sum((d.owed for d in report.debts), Decimal("0.00")),
        "minimum": sum((d.minimum for d in report.debts), Decimal("0.00")),
        "overdue_cost": sum((d.overdue_cost for d in report.debts), Decimal("0.00")),
    }
    month_table = [
        {"name": d.name, "cells": [report.payments(m).get(d.name) for m in report.first_months]} for d in report.debts
    ]
    month_totals = [sum(report.payments(m).values(), Decimal("0.00")) for m in report.first_months]
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
        p=p,
        lang=report.lang,
        html_lang="zh-CN" if report.lang == "zh" else "en",
        totals=totals,
        charts=charts(report),
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
    )


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
    from .fonts import bundled_font_path

    path = bundled_font_path()
    if path is None:
        return env
    conf = Path(tempfile.gettempdir()) / "planner-fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(path).parent}</dir></fontconfig>",
        "utf-8",
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
            raise PlannerError("生成 PDF 需要 playwright（pip install playwright）/ a PDF needs playwright: pip install playwright") from None
        if not Path(CHROMIUM).exists():
            raise PlannerError(
                f"生成 PDF 需要 Chromium（{CHROMIUM}）：运行 scripts/install-system-deps.sh，或改为输出 .html 后用浏览器打印 / "
                f"a PDF needs Chromium at {CHROMIUM}: run scripts/install-system-deps.sh, or write .html and print it from a browser"
            )
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), env=_fontconfig_env())
                try:
                    page = browser.new_page()
                    page.route("**/*", lambda route: route.abort())  # nothing is fetched or sent
                    return action(page)
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise PlannerError(f"Chromium 出错 / Chromium failed: {str(exc).splitlines()[0]}") from None

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
    """A full-page PNG of the report as a browser shows it (for the README and checks)."""
    document = report_or_html if isinstance(report_or_html, str) else render_html(report_or_html)

    def shot(page):
        page.set_viewport_size({"width": width, "height": 1200})
        page.set_content(document, wait_until="load")
        return page.screenshot(full_page=True, type="png")

    from .export import atomic_write_bytes

    return atomic_write_bytes(path, _chromium(shot))


def write_report(report: Report, path, *, inputs=()) -> Path:
    """Write ``report`` to ``path``: a PDF when it ends in ``.pdf``, else HTML.

    Atomic (a temporary file renamed into place), and never over one of ``inputs``.
    """
    from .export import atomic_write_bytes, refuse_inputs

    target = Path(path)
    refuse_inputs(target, inputs)  # before the (slow) rendering, not only at the write
    if target.suffix.lower() == ".pdf":
        data = render_pdf(report)
    elif target.suffix.lower() in (".html", ".htm"):
        data = render_html(report).encode("utf-8")
    else:
        raise PlannerError(f"输出文件应以 .html 或 .pdf 结尾 / the output should end in .html or .pdf: {target}")
    return atomic_write_bytes(target, data, inputs=inputs)


# ---------------------------------------------------------------------------
# the notebook button


def _state_value(state, key, default=None):
    if callable(state):
        state = state()
    if isinstance(state, dict):
        return state.get(key, default)
    return getattr(state, key, default)


def report_button(state, *, path: str = "report.html", description: str | None = None):
    """A one-button export for the counsellor notebook.

    ``state`` is a dict, an object with attributes, or a function returning
    either, read when the button is pressed: ``debts`` and ``budget``
    (required), optional ``lang``, ``scenarios``, ``client``, ``anonymise``,
    ``income``, ``essentials``, ``strategy``, ``start``. Returns an ipywidgets
    box: the button, the output file name (``.html`` or ``.pdf``), and a
    status line with a download link (a ``data:`` link, nothing is sent).
    """
    import base64

    import ipywidgets as w

    lang0 = _state_value(state, "lang", "zh") or "zh"
    button = w.Button(description=description or text("title", lang0), icon="file", button_style="primary",
                      layout=w.Layout(width="auto"))
    name = w.Text(value=path, layout=w.Layout(width="16em"))
    status = w.HTML()

    def click(_=None):
        import html as html_mod

        get = lambda k, d=None: _state_value(state, k, d)  # noqa: E731
        try:
            report = build_report(
                get("debts"), get("budget"), scenarios=get("scenarios"), lang=get("lang", "zh") or "zh",
                client=get("client"), anonymise=bool(get("anonymise", False)), income=get("income"),
                essentials=get("essentials"), strategy=get("strategy"), start=get("start"),
            )
            written = write_report(report, name.value)
        except PlannerError as exc:
            status.value = f"<pre style='color:#b00'>{html_mod.escape(str(exc))}</pre>"
            return None
        data = written.read_bytes()
        mime = "application/pdf" if written.suffix.lower() == ".pdf" else "text/html"
        link = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        status.value = (
            f"✓ {html_mod.escape(str(written))} ({len(data) // 1024} KB) · "
            f"<a download='{html_mod.escape(written.name)}' href='{link}'>⬇ {html_mod.escape(written.name)}</a>"
        )
        return written

    button.on_click(click)
    box = w.VBox([w.HBox([button, name]), status])
    box.click = click  # drivable from tests without a browser
    return box


# ---------------------------------------------------------------------------
# the command line


def register(subparsers) -> None:
    """Add ``planner report`` to the command line (see :data:`planner.cli._EXTENSIONS`)."""
    from .cli import _money_arg, _next_month

    p = subparsers.add_parser("report", help="the counsellor's session report, HTML or PDF / 咨询报告与行动方案")
    p.add_argument("debts", help="CSV file of debts (UTF-8 or GBK; Chinese headers accepted)")
    p.add_argument("--encoding", help="force the file's encoding")
    p.add_argument("--budget", type=_money_arg, required=True, help="monthly budget for all debts, e.g. 6000")
    p.add_argument("--scenarios", help="negotiation scenarios (TOML) to compare in part 5")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report (default zh)")
    p.add_argument("--client", help="the client's name, shown at the top (left out with --anonymise)")
    p.add_argument("--anonymise", "--anonymize", action="store_true", help="replace lender names (平台A / Lender A), drop the client's name")
    p.add_argument("--income", type=_money_arg, help="monthly take-home pay (for the 30%% line)")
    p.add_argument("--essentials", type=_money_arg, help="monthly essential spending (for the emergency fund)")
    p.add_argument("--strategy", help="force a strategy (default: least interest among those that finish)")
    p.add_argument("--start", default=_next_month(), help="calendar month of month 1, e.g. 2026-12 (default: next month)")
    p.add_argument("--out", required=True, help="output file: report.html or report.pdf")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from .cli import _load

    args.format = "table"
    debts = _load(args)
    report = build_report(
        debts, args.budget, scenarios=args.scenarios, lang=args.lang, client=args.client, anonymise=args.anonymise,
        income=args.income, essentials=args.essentials, strategy=args.strategy, start=args.start,
    )
    inputs = [args.debts] + ([args.scenarios] if args.scenarios else [])
    written = write_report(report, args.out, inputs=inputs)
    print(f"{written} ({written.stat().st_size // 1024} KB)")
    if report.shortfall is not None:  # exit 0: the report is what such a client needs, but say so
        print(report.t("cli_short", amount=_yuan(report.shortfall.amount)))
    return 0


__all__ = [
    "Call",
    "DebtRow",
    "Report",
    "ScenarioRow",
    "StrategyRow",
    "build_report",
    "charts",
    "render_html",
    "render_pdf",
    "report_button",
    "screenshot",
    "text",
    "write_report",
]
