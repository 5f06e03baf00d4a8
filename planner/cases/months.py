"""Calendar months as whole numbers: ``"2027-03"`` <-> 2027·12 + 2.

>>> month_index("2027-03"), month_name(month_index("2027-03") + 10)
(24326, '2028-01')
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import PlannerError

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


def month_index(text, what: str = "month") -> int:
    """``"2027-03"`` (also ``2027/3``, ``2027年3月``) or a date as a month index."""
    if isinstance(text, date):
        return text.year * 12 + text.month - 1
    m = _MONTH.match(str(text)) if isinstance(text, str) else None
    if m:
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and 1900 <= y <= 2200:
            return y * 12 + mo - 1
    raise PlannerError(
        f"{what}：月份 “{str(text)[:40]}” 应写成 2027-03 这样的年-月。 / {what}: the month {str(text)[:40]!r} should look like 2027-03 (year-month)."
    )


def month_name(index: int) -> str:
    """A month index as ``"2027-03"``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def this_month(today: date | None = None) -> int:
    return month_index(today or date.today())


__all__ = [
    "month_index",
    "month_name",
    "this_month",
]
