"""Rate conversions (pure). Extended by the negotiation work.

>>> round(flat_fee_apr(Decimal("0.6"), 12), 2)   # ICBC's page: 12 periods at 0.6% a month -> 13.03%
Decimal('13.03')
"""

from __future__ import annotations

from decimal import Decimal


def _annuity_rate(principal: float, payment: float, periods: int) -> float:
    """Monthly rate r with principal = sum(payment / (1+r)^k, k=1..periods), by bisection."""
    if payment * periods <= principal:
        return 0.0
    low, high = 0.0, 1.0
    while principal * high / (1 - (1 + high) ** -periods) < payment:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if principal * mid / (1 - (1 + mid) ** -periods) < payment:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def flat_fee_apr(fee_rate: Decimal, periods: int) -> Decimal:
    """Nominal APR (12·r, percent) of a flat monthly fee on the original principal.

    Payment A = P/n + P·f; r solves P = Σ A/(1+r)^k.
    """
    f = float(fee_rate) / 100
    r = _annuity_rate(1.0, 1.0 / periods + f, periods)
    return Decimal(f"{12 * r * 100:.4f}")
