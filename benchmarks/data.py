"""Synthetic caseloads for the benchmarks: realistic, reproducible, exact.

Balances are whole cents, rates come from a short list of the rates these
borrowers see (credit cards at 18.25%, online loans at 14.6-35.9%), minimums
cover the interest plus 2-5% of the balance, and budgets cover the minimums
plus 10-60%: every portfolio ends within a few years, as most real ones do.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

RATES = ("18.25", "14.6", "23.9", "35.9", "24", "12", "7.3", "32.4")


def arrays(portfolios: int, debts: int, seed: int = 0, paydown=(0.02, 0.05)) -> dict:
    """Long columns (one row per debt) of a caseload, money in cents.

    Each minimum is the first month's interest plus ``paydown`` (a range) of the balance.
    """
    rng = np.random.default_rng(seed)
    n = portfolios * debts
    balance = rng.integers(100_00, 60_000_00, n)
    rate_code = rng.integers(0, len(RATES), n)
    apr = np.array([float(r) for r in RATES])[rate_code]
    interest = np.ceil(balance * apr / 1200).astype(np.int64)
    minimum = interest + (balance * rng.uniform(*paydown, n)).astype(np.int64)
    need = minimum.reshape(portfolios, debts).sum(axis=1)
    budget = (need * rng.uniform(1.1, 1.6, portfolios)).astype(np.int64)
    return {
        "portfolio": np.repeat(np.arange(portfolios), debts),
        "balance": balance,
        "rate_code": rate_code,
        "minimum": minimum,
        "budget": budget,
    }


def book(portfolios: int, debts: int, seed: int = 0):
    """A :class:`planner.batch.Book` directly from arrays (no Debt objects)."""
    from planner.batch import Book

    a = arrays(portfolios, debts, seed)
    n = portfolios * debts
    zeros = np.zeros(n, dtype=np.int64)
    return Book(
        ids=list(range(portfolios)),
        start=np.arange(0, n + 1, debts, dtype=np.int64),
        names=[f"debt{k}" for k in range(debts)],
        name_code=np.tile(np.arange(debts, dtype=np.int64), portfolios),
        balance=a["balance"],
        fees=zeros.copy(),
        minimum=a["minimum"],
        rate_code=a["rate_code"],
        rates=[Decimal(r) for r in RATES],
        budget=a["budget"],
        defer_from=np.ones(n, dtype=np.int64),
        defer_to=np.ones(n, dtype=np.int64),
        defer_interest=np.ones(n, dtype=bool),
        settle_month=zeros.copy(),
        settle_code=np.full(n, -1, dtype=np.int64),
    )


def table(portfolios: int, debts: int, seed: int = 0):
    """The same caseload as the long table ``planner batch`` reads."""
    import pandas as pd

    a = arrays(portfolios, debts, seed)
    return pd.DataFrame(
        {
            "portfolio_id": a["portfolio"],
            "name": np.tile(np.array([f"debt{k}" for k in range(debts)], dtype=object), portfolios),
            "balance": a["balance"] / 100,
            "apr": np.array([float(r) for r in RATES])[a["rate_code"]],
            "min_payment": a["minimum"] / 100,
            "budget": np.repeat(a["budget"] / 100, debts),
        }
    )


def debts(count: int, seed: int = 0, paydown=(0.02, 0.05)):
    """One portfolio of ``count`` debts as :class:`planner.Debt` objects, and a budget (yuan)."""
    from planner import Debt

    a = arrays(1, count, seed, paydown)
    out = [
        Debt(f"debt{k}", Decimal(int(a["balance"][k])) / 100, Decimal(RATES[a["rate_code"][k]]), Decimal(int(a["minimum"][k])) / 100)
        for k in range(count)
    ]
    return out, Decimal(int(a["budget"][0])) / 100
