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
    """:func:`planner.engine.plan` on ``load_debts(debts)``."""
    return engine.plan(load_debts(debts), budget, strategy, **kwargs)


def compare(debts, budget, strategies=None, **kwargs) -> Comparison:
    """:func:`planner.engine.compare` on ``load_debts(debts)``."""
    return engine.compare(load_debts(debts), budget, strategies, **kwargs)


def required_budget(debts, months: int, strategy="avalanche", **kwargs) -> Decimal:
    """:func:`planner.engine.required_budget` on ``load_debts(debts)``."""
    return engine.required_budget(load_debts(debts), months, strategy, **kwargs)


def negotiate(debts, budget, scenarios, strategy="avalanche", **plan_kwargs) -> Negotiation:
    """:func:`planner.negotiation.negotiate` on ``load_debts(debts)``; ``scenarios`` may be a TOML file."""
    if not isinstance(scenarios, (list, tuple)):
        scenarios = load_scenarios(scenarios)
    return negotiation.negotiate(load_debts(debts), budget, scenarios, strategy, **plan_kwargs)


__all__ = ["compare", "negotiate", "plan", "required_budget"]
