"""The front door: the core's planning functions, taking debts in any form the io layer reads.

:func:`planner.engine.plan` and its neighbours in the core take a list of
:class:`~planner.debt.Debt` (and scenarios as objects) and never touch a file.
The functions here, exported as ``planner.plan``, ``planner.compare``,
``planner.required_budget`` and ``planner.negotiate``, first load whatever
they are given (a CSV or Excel path, bytes, a DataFrame, a list of debts; a
scenario TOML file) with :func:`planner.io.load_debts` and
:func:`planner.io.load_scenarios`, then call the core.

>>> from planner import plan
>>> plan(b"name,balance,apr,min_payment\\nCard,3000,18,300\\n", budget=1000).months
4
"""

from __future__ import annotations

from decimal import Decimal

from . import engine, negotiation
from .io import load_debts, load_scenarios
from .negotiation import Negotiation
from .result import Comparison, Plan


def plan(debts, budget, strategy="avalanche", **kwargs) -> Plan:
    """Simulate repaying ``debts`` with ``budget`` a month: :func:`planner.engine.plan` on ``load_debts(debts)``.

    Parameters
    ----------
    debts : list of Debt, path, bytes, str or DataFrame
        The debts, in any form :func:`planner.io.load_debts` reads.
    budget : number or str
        Yuan a month for all the debts together.
    strategy : str or callable, default "avalanche"
        A name in :data:`planner.STRATEGIES`, or a function ordering the debts.
    **kwargs
        ``order`` (for ``"custom"``), ``extra`` ({month: yuan}), ``budget_changes``
        ({month: new budget}), ``horizon`` (months, default 600), ``start`` ("2026-12").

    Returns
    -------
    Plan
        The schedule and its summaries.

    Raises
    ------
    InputError
        When the debts cannot be read (every problem listed).
    InfeasibleBudgetError
        When a month's budget does not cover the minimum payments.

    Examples
    --------
    >>> from planner import Debt
    >>> p = plan([Debt("Card", 3000, 18, 300)], 1000, start="2027-01")
    >>> p.months, p.debt_free, p.total_interest
    (4, '2027-04', Decimal('93.20'))
    """
    return engine.plan(load_debts(debts), budget, strategy, **kwargs)


def compare(debts, budget, strategies=None, **kwargs) -> Comparison:
    """The same debts and budget under several strategies: :func:`planner.engine.compare` on ``load_debts(debts)``.

    Parameters
    ----------
    debts : list of Debt, path, bytes, str or DataFrame
        The debts, in any form :func:`planner.io.load_debts` reads.
    budget : number or str
        Yuan a month.
    strategies : list of str, optional
        Strategy names (default: every one in :data:`planner.STRATEGIES` but ``custom``).
    **kwargs
        As for :func:`plan`.

    Returns
    -------
    Comparison
        One :class:`Plan` per strategy.

    Raises
    ------
    InputError
        When the debts cannot be read.
    InfeasibleBudgetError
        When the budget does not cover the minimum payments.

    Examples
    --------
    >>> from planner import Debt
    >>> c = compare([Debt("Card", 3000, 18, 300), Debt("Loan", 5000, 24, 500)], 1500, ["avalanche", "snowball"])
    >>> [p.months for p in c]
    [6, 6]
    """
    return engine.compare(load_debts(debts), budget, strategies, **kwargs)


def required_budget(debts, months: int, strategy="avalanche", **kwargs) -> Decimal:
    """The smallest whole-yuan monthly budget that clears ``debts`` within ``months``: :func:`planner.engine.required_budget`.

    Parameters
    ----------
    debts : list of Debt, path, bytes, str or DataFrame
        The debts, in any form :func:`planner.io.load_debts` reads.
    months : int
        The target number of months.
    strategy : str or callable, default "avalanche"
    **kwargs
        As for :func:`plan`.

    Returns
    -------
    Decimal
        Whole yuan a month.

    Raises
    ------
    InputError
        When the debts cannot be read.

    Examples
    --------
    >>> from planner import Debt
    >>> required_budget([Debt("Card", 3000, 18, 300)], 6)
    Decimal('527')
    """
    return engine.required_budget(load_debts(debts), months, strategy, **kwargs)


def negotiate(debts, budget, scenarios, strategy="avalanche", **plan_kwargs) -> Negotiation:
    """A baseline plan and the same debts under each negotiated scenario: :func:`planner.negotiation.negotiate`.

    Parameters
    ----------
    debts : list of Debt, path, bytes, str or DataFrame
        The debts, in any form :func:`planner.io.load_debts` reads.
    budget : number or str
        Yuan a month.
    scenarios : list of Scenario, or a TOML path, text or dict
        Read with :func:`planner.io.load_scenarios` unless already a list.
    strategy : str or callable, default "avalanche"
    **plan_kwargs
        As for :func:`plan`.

    Returns
    -------
    Negotiation
        ``baseline`` and one :class:`~planner.negotiation.ScenarioResult` per scenario.

    Raises
    ------
    InputError
        When the debts or the scenarios cannot be read.
    PlannerError
        When the budget does not cover the minimum payments of the baseline or of a
        scenario (the message names which).

    Examples
    --------
    >>> from planner import Debt, Scenario
    >>> from planner.negotiation import cap_rate
    >>> n = negotiate([Debt("Loan", 5000, 36, 500)], 800, [Scenario("cap", (cap_rate("Loan", line=24),))])
    >>> n["cap"].savings.interest > 0
    True
    """
    if not isinstance(scenarios, (list, tuple)):
        scenarios = load_scenarios(scenarios)
    return negotiation.negotiate(load_debts(debts), budget, scenarios, strategy, **plan_kwargs)


__all__ = ["compare", "negotiate", "plan", "required_budget"]
