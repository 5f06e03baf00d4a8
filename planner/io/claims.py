"""A lender's statement (核对欠款金额) from a small CSV or JSON file: :func:`load_claim`.

CSV, one line of the statement a row, ``item,amount[,date]`` (a header row ``item,amount,date``
or ``项目,金额,日期`` is optional; UTF-8 or GBK)::

    账单日,,2024-07-01
    本金,8000
    利息,1500
    罚息,300
    服务费,300
    合计,10100
    还款,3000,2024-04-01

The items ``本金``/principal, ``利息``/interest, ``合计``/total, ``还款``/payment (with its
date) and ``账单日``/as_of (the date in the third cell) are known by the names in
``planner/data/claim_items.toml``; any other item is a fee or penalty under its own name.
JSON: ``{"as_of": "2024-07-01", "principal": 8000, "interest": 1500, "fees": {"罚息": 300},
"total": 10100, "payments": [{"date": "2024-04-01", "amount": 3000}]}`` (``fees`` may be
one number). Amounts as the loaders read them (``"￥8,000"``, ``"1.2万"``).

>>> c = load_claim("账单日,,2024-07-01\\n本金,8000\\n利息,1500\\n罚息,300\\n还款,3000,2024-04-01\\n")
>>> c.as_of, c.principal, c.fees, [p.amount for p in c.payments]
(datetime.date(2024, 7, 1), Decimal('8000.00'), (('罚息', Decimal('300.00')),), [Decimal('3000.00')])
"""

from __future__ import annotations

import csv
import io
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path

from ..claims import Claim, Payment
from ..errors import PlannerError
from ..money import ParseError, as_date, normalise, parse_date, parse_money
from .inputs import read_input
from .loader import decode

#: Largest statement file read (a statement is a few lines).
MAX_CLAIM_BYTES = 1_000_000


@cache
def _items() -> dict[str, str]:
    import tomllib

    data = tomllib.loads(resources.files("planner").joinpath("data/claim_items.toml").read_text("utf-8"))
    return {_key(alias): kind for kind, aliases in data.items() for alias in aliases}


def _key(item: str) -> str:
    return normalise(item).lower().replace(" ", "_")


def _kind(item: str) -> str:
    """What a statement line is (``principal``, ``interest``, ``total``, ``payment``, ``as_of``,
    ``header``), or ``fee`` for anything else."""
    return _items().get(_key(item), "fee")


def load_claim(source, *, as_of=None, encoding: str | None = None) -> Claim:
    """A :class:`~planner.claims.Claim` from a CSV or JSON file path, or CSV/JSON text.

    ``as_of`` (a date) is used when the statement gives none, and wins over it when given.
    Raises :class:`~planner.errors.PlannerError` naming the file, the row and the value.
    """
    if isinstance(source, (str, os.PathLike)) and ("\n" not in str(source)) and not str(source).lstrip().startswith("{"):
        label = str(source)
        text = decode(read_input(source, limit=MAX_CLAIM_BYTES), label, encoding)
        is_json = Path(label).suffix.lower() == ".json"
    else:
        label = "statement"
        text = source.decode(encoding or "utf-8") if isinstance(source, bytes) else str(source)
        is_json = text.lstrip().startswith("{")
    text = text.lstrip("\ufeff")
    return _from_json(text, label, as_of) if is_json else _from_csv(text, label, as_of)


def _money(value, label: str, row, what: str):
    try:
        return parse_money(str(value))
    except ParseError as exc:
        raise PlannerError("claims.statement_row", file=label, row=row, reason=exc.en, value=str(value)[:40]) from None


def _date(value, label: str, row):
    try:
        return parse_date(normalise(str(value)))
    except ParseError as exc:
        raise PlannerError("claims.statement_row", file=label, row=row, reason=exc.en, value=str(value)[:40]) from None


def _build(label, as_of, stated_as_of, principal, interest, fees, total, payments) -> Claim:
    day = as_date(as_of, "--as-of") if as_of is not None else stated_as_of
    if day is None:
        raise PlannerError("claims.statement_no_date", file=label)
    if principal is None:
        raise PlannerError("claims.statement_no_principal", file=label)
    return Claim(day, principal, interest if interest is not None else 0, tuple(fees), total, tuple(payments))


def _from_csv(text: str, label: str, as_of) -> Claim:
    principal = interest = total = stated = None
    fees, payments = [], []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [normalise(c) for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        kind = _kind(cells[0])
        if kind == "header":
            continue
        amount = cells[1] if len(cells) > 1 else ""
        when = cells[2] if len(cells) > 2 else ""
        if kind == "as_of":
            stated = _date(when or amount, label, number)
            continue
        if not amount:
            raise PlannerError("claims.statement_row", file=label, row=number, reason="no amount", value=",".join(cells))
        value = _money(amount, label, number, kind)
        if kind == "payment":
            if not when:
                raise PlannerError("claims.statement_row", file=label, row=number, reason="a payment needs its date", value=",".join(cells))
            payments.append(Payment(_date(when, label, number), value))
        elif kind == "principal":
            principal = value
        elif kind == "interest":
            interest = value
        elif kind == "total":
            total = value
        else:
            fees.append((cells[0], value))
    return _build(label, as_of, stated, principal, interest, fees, total, payments)


def _from_json(text: str, label: str, as_of) -> Claim:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlannerError("claims.statement_unreadable", file=label, reason=f"JSON, line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PlannerError("claims.statement_unreadable", file=label, reason="expected a JSON object {...}")
    get = lambda key: _money(data[key], label, key, key) if data.get(key) is not None else None  # noqa: E731
    fees = data.get("fees") or {}
    if isinstance(fees, dict):
        fees = [(normalise(str(k)), _money(v, label, f"fees.{k}", "fee")) for k, v in fees.items()]
    else:
        fees = [("", _money(fees, label, "fees", "fee"))]
    payments = []
    for k, p in enumerate(data.get("payments") or [], start=1):
        if not isinstance(p, dict) or "date" not in p or "amount" not in p:
            raise PlannerError("claims.statement_row", file=label, row=f"payments[{k}]", reason="expected {\"date\", \"amount\"}", value=str(p)[:40])
        payments.append(Payment(_date(p["date"], label, f"payments[{k}]"), _money(p["amount"], label, f"payments[{k}]", "payment")))
    stated = _date(data["as_of"], label, "as_of") if data.get("as_of") else None
    return _build(label, as_of, stated, get("principal"), get("interest"), fees, get("total"), payments)


__all__ = ["MAX_CLAIM_BYTES", "load_claim"]
