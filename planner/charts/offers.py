"""The fair-share chart: what each lender is offered against its minimum due (a finished
:class:`planner.offers.FairShare`; nothing is computed here).

>>> from planner import Debt
>>> from planner.offers import fair_shares
>>> ax = shares_chart(fair_shares([Debt("A", 6000, 18, 600), Debt("B", 3000, 18, 300)], 600), lang="zh")
>>> ax.get_title(loc="left"), [round(b.get_width()) for b in ax.patches if b.get_gid() == "offer"]
('按比例分配：每月提议', [400, 200])
"""

from __future__ import annotations

from ..i18n import t
from ..money import format_yuan
from .style import MUTED, PALETTE, chart_style, style_ticks


def shares_chart(shares, ax=None, *, lang: str = "en", max_items: int = 20):
    """Horizontal bars, one per lender: its minimum due (pale) and the offer (coloured, labelled with
    the amount and the share of what it owes). Priority debts are marked. Returns the Axes.

    Parameters
    ----------
    shares : planner.offers.FairShare
    ax : matplotlib Axes, optional
        Drawn on; a new figure when None.
    lang : {"en", "zh"}
    max_items : int, default 20
        At most this many lenders are drawn (the table names every one).
    """
    with chart_style():
        if ax is None:
            import matplotlib.pyplot as plt

            n = min(len(shares.offers), max_items)
            _, ax = plt.subplots(figsize=(8, 1.2 + 0.42 * n), layout="constrained")
        offers = list(shares.offers)[:max_items]
        ys = list(range(len(offers)))[::-1]
        ax.barh(ys, [float(o.minimum) for o in offers], height=0.7, color=MUTED, alpha=0.35, label=t("chart_shares_minimum", lang), gid="minimum")
        bars = ax.barh(ys, [float(o.monthly) for o in offers], height=0.45, color=[PALETTE[5] if o.priority else PALETTE[0] for o in offers],
                       label=t("chart_shares_offer", lang))
        for bar in bars:
            bar.set_gid("offer")
        top = max([float(o.minimum) for o in offers] + [1.0])
        for y, o in zip(ys, offers):
            share = f" · {o.share * 100:.2f}%" if o.share is not None and not o.priority else ""
            ax.text(float(o.monthly) + top * 0.01, y, f"{format_yuan(o.monthly)}{share}", va="center", fontsize=8)
        ax.set_yticks(ys, [(o.debt + (" ★" if o.priority else "")) for o in offers])
        ax.set_xlim(0, top * 1.25)
        ax.set_xlabel(t("chart_shares_axis", lang))
        ax.set_title(t("chart_shares_title", lang), loc="left")
        ax.legend(loc="lower right", fontsize=8)
        return style_ticks(ax)


__all__ = ["shares_chart"]
