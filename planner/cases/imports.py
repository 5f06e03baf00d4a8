"""What ``case import`` accepts: an export checked as strictly as the commands that would have made it.

:func:`check_case_json` is the one place an imported case is checked. It reuses the commands'
own validators (:func:`~planner.cases.model.parse_amount`'s bounds, the month rules of ``pay``
and ``new``, :class:`~planner.negotiation.Adjustment`, :class:`~planner.conduct.Contact`, the
debt loader's :class:`~planner.debt.Debt`), refuses what no command writes (a duplicate payment
row, an agreement index that does not exist, a re-plan debt without its balance, two debts with
one name, an unknown field), and returns the case as clean values for the book to insert. A
refusal names the case and the field (``payments[3].amount``) in Chinese and English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from ..conduct import Contact, Evidence
from ..debt import MAX_MONEY
from ..errors import Message, PlannerError, message
from ..money import to_cents
from ..negotiation import ACTIONS, Adjustment
from ..privacy import same_name
from ..strategies import STRATEGIES
from .clearance import ITEMS as CLEARANCE_ITEMS
from .clearance import check_step_date
from .model import (
    ANSWERS,
    EXPORT_FORMAT,
    _params_to_json,
    _selector_json,
    debt_from_dict,
    debt_to_dict,
)
from .months import (
    check_contact_time,
    check_start,
    month_index,
    month_name,
    parse_contact_time,
)

#: Fields of an exported case (``case_to_json``); anything else is refused.
CASE_FIELDS = {"format", "name", "start", "strategy", "order", "source_name", "source_sha256", "created_at", "updated_at",
               "debts", "budgets", "agreements", "payments", "statements", "replans", "contacts", "asks",
               "budget_statements"}
_MAX_CENTS = to_cents(MAX_MONEY)
#: At most this many rows in one list of one case (a case's whole history is far smaller).
MAX_ROWS = 100_000
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


class _Where:
    """Builds the refusal for case ``case``'s field ``field``."""

    def __init__(self, case: str):
        self.case = case

    def fail(self, field: str, key: str, /, **fields) -> PlannerError:
        """The refusal of ``field``: catalogue text ``key`` (``cases.imports.*``) with ``fields``."""
        what = message(key, **fields)
        what = Message(what.zh.rstrip("。"), what.en)
        return PlannerError("cases.imports.refused", case=self.case, field=field, what=what)

    def run(self, field: str, check, *args, **kwargs):
        """``check(*args)``; its refusal (or a wrong type) named with the case and field."""
        try:
            return check(*args, **kwargs)
        except PlannerError as exc:
            raise self.fail(field, "cases.imports.error", error=exc) from None
        except (KeyError, TypeError, ValueError, ArithmeticError, OverflowError, AttributeError) as exc:
            raise self.fail(field, "cases.imports.missing_or_wrong_type", kind=type(exc).__name__) from None


def _mapping(w: _Where, value, field: str, keys: set[str], optional: set[str] = frozenset()) -> Mapping:
    if not isinstance(value, Mapping):
        raise w.fail(field, "cases.imports.must_be_object")
    unknown = sorted(set(map(str, value)) - keys - set(optional))
    if unknown:
        raise w.fail(f"{field}.{unknown[0]}", "cases.imports.unknown_field")
    missing = sorted(keys - set(value))
    if missing:
        raise w.fail(f"{field}.{missing[0]}", "cases.imports.field_missing")
    return value


def _list(w: _Where, value, field: str) -> list:
    if not isinstance(value, list):
        raise w.fail(field, "cases.imports.must_be_list")
    if len(value) > MAX_ROWS:
        raise w.fail(field, "cases.imports.rows_limit", most=MAX_ROWS)
    return value


def _text(w: _Where, value, field: str, *, none: bool = False, limit: int = 10_000) -> str | None:
    if value is None and none:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise w.fail(field, "cases.imports.text_limit", limit=limit)
    return value


def _stamp(w: _Where, value, field: str, *, none: bool = False) -> str | None:
    if value is None and none:
        return None
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise w.fail(field, "cases.imports.timestamp")
    return value


def _flag(w: _Where, value, field: str) -> bool:
    if not isinstance(value, bool):
        raise w.fail(field, "cases.imports.true_or_false")
    return value


def _cents(w: _Where, value, field: str) -> int:
    """Cents as an export writes them: a whole number from 0 to the largest amount a command accepts."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise w.fail(field, "cases.imports.cents_whole")
    if value < 0:
        raise w.fail(field, "cases.imports.amount_negative")
    if value > _MAX_CENTS:
        raise w.fail(field, "cases.imports.amount_too_large")
    return value


def _month(w: _Where, value, field: str, start: int | None, today: int) -> str:
    """A recorded month: as ``pay`` takes it (not before the case's start, not after this month)."""
    if not isinstance(value, str):
        raise w.fail(field, "cases.imports.month_form")
    index = w.run(field, month_index, value, field)
    if start is not None and index < start:
        raise w.fail(field, "cases.imports.before_start", month=month_name(index), start=month_name(start))
    if index > today:
        raise w.fail(field, "cases.imports.future_month_now", month=month_name(index), today=month_name(today))
    return month_name(index)


def _from_month(w: _Where, value, field: str, start: int) -> str:
    """An agreement's or ask's first month: from the case's start on (it may lie ahead)."""
    if not isinstance(value, str):
        raise w.fail(field, "cases.imports.month_form")
    index = w.run(field, month_index, value, field)
    if index < start:
        raise w.fail(field, "cases.imports.before_start", month=month_name(index), start=month_name(start))
    return month_name(index)


_DEBT_FIELDS = {"name", "kind", "balance", "apr", "min_payment", "fees_owed", "daily_rate", "fee_rate", "term_months", "overdue_days",
                "penalty_apr", "contract_date", "principal", "defer_months", "defer_from", "defer_interest", "settle_month",
                "settle_fraction", "due_day", "priority", "priority_reason", "min_percent", "min_floor", "min_basis", "extra",
                "clearance", "fee_timing", "periods_paid", "prepay_fees"}


def _debt(w: _Where, value, field: str):
    if not isinstance(value, Mapping) or "balance" not in value or "apr" not in value or "min_payment" not in value or "name" not in value:
        raise w.fail(field, "cases.imports.debt_needs")
    unknown = sorted(set(map(str, value)) - _DEBT_FIELDS)
    if unknown:
        raise w.fail(f"{field}.{unknown[0]}", "cases.imports.unknown_field")
    if not isinstance(value["name"], str):
        raise w.fail(f"{field}.name", "cases.imports.must_be_text")
    for key in ("balance", "min_payment", "fees_owed", "principal", "min_floor"):
        if value.get(key) is not None:
            _cents(w, value[key], f"{field}.{key}")
    for key in ("apr", "daily_rate", "fee_rate", "penalty_apr", "settle_fraction", "min_percent"):
        if value.get(key) is not None:
            if not isinstance(value[key], str) or len(value[key]) > 40:
                raise w.fail(f"{field}.{key}", "cases.imports.rate_text")
            try:
                if not Decimal(value[key]).is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise w.fail(f"{field}.{key}", "cases.imports.rate_finite") from None
    for key in ("term_months", "overdue_days", "defer_months", "defer_from", "settle_month", "due_day", "periods_paid"):
        v = value.get(key, 0 if key in ("overdue_days", "defer_months") else 1 if key == "defer_from" else None)
        if (v is not None or key in ("overdue_days", "defer_months", "defer_from")) and (isinstance(v, bool) or not isinstance(v, int)):
            raise w.fail(f"{field}.{key}", "cases.imports.whole_number")
    if not isinstance(value.get("priority", False), bool):
        raise w.fail(f"{field}.priority", "cases.imports.true_or_false")
    if not isinstance(value.get("defer_interest", True), bool):
        raise w.fail(f"{field}.defer_interest", "cases.imports.true_or_false")
    for key in ("kind", "contract_date", "priority_reason", "fee_timing", "prepay_fees", "min_basis"):
        if value.get(key) is not None and not isinstance(value[key], str):
            raise w.fail(f"{field}.{key}", "cases.imports.must_be_text")
    extra = value.get("extra", [])
    if not isinstance(extra, list) or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in extra):
        raise w.fail(f"{field}.extra", "cases.imports.extra_pairs")
    debt = w.run(field, debt_from_dict, value)
    return debt


def _selector(w: _Where, value, field: str):
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return tuple(value)
    raise w.fail(field, "cases.imports.selector")


def _adjustment(w: _Where, row: Mapping, field: str, debts) -> Adjustment:
    if not isinstance(row["action"], str) or row["action"] not in ACTIONS:
        raise w.fail(f"{field}.action", "cases.imports.unknown_action", actions=", ".join(ACTIONS))
    if not isinstance(row["params"], Mapping):
        raise w.fail(f"{field}.params", "cases.imports.must_be_object")
    adjustment = w.run(f"{field}.params", Adjustment, row["action"], _selector(w, row["debt"], f"{field}.debt"), dict(row["params"]))
    w.run(f"{field}.debt", adjustment.selects, list(debts))
    return adjustment


def check_case_json(item, *, today: int, taken) -> dict:
    """Case ``item`` (one case of ``case export``'s JSON) checked and made clean, or a
    :class:`~planner.errors.PlannerError` naming the case and field.

    ``today``: this month's index (later months are the future, as for ``pay``); ``taken``: the
    names already in the book and in this import (compared as :func:`planner.privacy.same_name`).
    """
    if not isinstance(item, Mapping):
        raise PlannerError("cases.imports.import_refused_case_object")
    raw_name = item.get("name")
    w = _Where(str(raw_name)[:80] if isinstance(raw_name, str) else "?")
    if item.get("format") != EXPORT_FORMAT:
        raise w.fail("format", "cases.imports.format", format=EXPORT_FORMAT)
    optional = {"contacts", "asks", "updated_at", "source_name", "source_sha256", "order", "budget_statements"}
    _mapping(w, item, "case", CASE_FIELDS - optional, optional)
    name = _text(w, raw_name, "name", limit=200)
    name = same_name(name)
    if not name:
        raise w.fail("name", "cases.imports.case_needs_name")
    if name in taken:
        raise w.fail("name", "cases.imports.name_taken")
    start_index = w.run("start", month_index, item["start"], "start") if isinstance(item["start"], str) else None
    if start_index is None:
        raise w.fail("start", "cases.imports.month_form")
    w.run("start", check_start, start_index, today)
    start = month_name(start_index)

    raw_debts = _list(w, item["debts"], "debts")
    debts = [_debt(w, d, f"debts[{k}]") for k, d in enumerate(raw_debts)]
    clearance = {}
    for k, (raw, debt) in enumerate(zip(raw_debts, debts)):
        steps = raw.get("clearance")
        if steps is None:
            continue
        if not isinstance(steps, Mapping) or any(key not in CLEARANCE_ITEMS for key in steps):
            raise w.fail(f"debts[{k}].clearance", "cases.imports.clearance_map", items=", ".join(CLEARANCE_ITEMS))
        clearance[debt.name] = {key: w.run(f"debts[{k}].clearance.{key}", check_step_date, v, key) for key, v in steps.items() if v is not None}
    if not debts:
        raise w.fail("debts", "cases.imports.no_debts")
    names = [d.name for d in debts]
    seen: dict[str, int] = {}
    for k, n in enumerate(names):
        key = same_name(n).casefold()
        if key in seen:
            raise w.fail(f"debts[{k}].name", "cases.imports.same_debt_name", other=seen[key], name=n)
        seen[key] = k
    strategy = _text(w, item["strategy"], "strategy", limit=40)
    order = item.get("order")
    if order is not None:
        if not isinstance(order, list) or sorted(map(str, order)) != sorted(names) or not all(isinstance(x, str) for x in order):
            raise w.fail("order", "cases.imports.order_each_once")
        order = list(order)
    if strategy != "custom" and strategy not in STRATEGIES:
        raise w.fail("strategy", "cases.imports.unknown_strategy_choose", strategies=", ".join([*STRATEGIES, "custom"]))
    if strategy == "custom" and not order:
        raise w.fail("order", "cases.imports.custom_needs_order")
    source_name = _text(w, item.get("source_name"), "source_name", none=True, limit=1000)
    source_sha = _text(w, item.get("source_sha256"), "source_sha256", none=True, limit=64)
    if source_sha is not None and not re.fullmatch(r"[0-9a-f]{64}", source_sha):
        raise w.fail("source_sha256", "cases.imports.sha256_hex")

    budgets: dict[str, int] = {}
    for k, b in enumerate(_list(w, item["budgets"], "budgets")):
        b = _mapping(w, b, f"budgets[{k}]", {"month", "amount"})
        month = _from_month(w, b["month"], f"budgets[{k}].month", start_index)
        if month in budgets:
            raise w.fail(f"budgets[{k}].month", "cases.imports.month_twice", month=month)
        budgets[month] = _cents(w, b["amount"], f"budgets[{k}].amount")
    if start not in budgets:
        raise w.fail("budgets", "cases.imports.start_budget_missing", start=start)

    agreements = []
    for k, a in enumerate(_list(w, item["agreements"], "agreements")):
        f = f"agreements[{k}]"
        a = _mapping(w, a, f, {"debt", "action", "params", "from", "confirmed", "created_at"})
        adjustment = _adjustment(w, a, f, debts)
        agreements.append({"debt": _selector_json(adjustment.debt), "action": adjustment.action, "params": _params_to_json(adjustment.params),
                           "from": _from_month(w, a["from"], f"{f}.from", start_index), "confirmed": _flag(w, a["confirmed"], f"{f}.confirmed"),
                           "created_at": _stamp(w, a["created_at"], f"{f}.created_at")})

    def rows(key: str, amount: str) -> list[dict]:
        out, seen_rows = [], set()
        for k, p in enumerate(_list(w, item[key], key)):
            f = f"{key}[{k}]"
            p = _mapping(w, p, f, {"month", "debt", amount})
            month = _month(w, p["month"], f"{f}.month", start_index, today)
            if p["debt"] not in names:
                raise w.fail(f"{f}.debt", "cases.imports.no_such_debt")
            if (month, p["debt"]) in seen_rows:
                raise w.fail(f, "cases.imports.row_twice", month=month, debt=p["debt"])
            seen_rows.add((month, p["debt"]))
            out.append({"month": month, "debt": p["debt"], amount: _cents(w, p[amount], f"{f}.{amount}")})
        return out

    payments, statements = rows("payments", "amount"), rows("statements", "balance")

    replans = []
    last = start_index
    for k, r in enumerate(_list(w, item["replans"], "replans")):
        f = f"replans[{k}]"
        r = _mapping(w, r, f, {"made_at", "reason", "start", "budget", "strategy", "debts", "agreements", "summary"})
        month = _from_month(w, r["start"], f"{f}.start", start_index)
        if month_index(month) < last:
            raise w.fail(f"{f}.start", "cases.imports.replans_in_order")
        last = month_index(month)
        if month_index(month) > today + 1:
            raise w.fail(f"{f}.start", "cases.imports.future_month", month=month)
        r_debts = [_debt(w, d, f"{f}.debts[{j}]") for j, d in enumerate(_list(w, r["debts"], f"{f}.debts"))]
        unknown = [d.name for d in r_debts if d.name not in names]
        if unknown or len({d.name for d in r_debts}) != len(r_debts):
            raise w.fail(f"{f}.debts", "cases.imports.replan_debts")
        if not isinstance(r["strategy"], str) or (r["strategy"] not in STRATEGIES and not (r["strategy"] == "custom" and order)):
            raise w.fail(f"{f}.strategy", "cases.imports.unknown_strategy")
        indexes = _list(w, r["agreements"], f"{f}.agreements")
        if any(isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < len(agreements) for x in indexes) or len(set(indexes)) != len(indexes):
            raise w.fail(f"{f}.agreements", "cases.imports.agreement_indexes", last=len(agreements) - 1)
        summary = _mapping(w, r["summary"], f"{f}.summary", {"months", "debt_free", "total_interest", "total_paid"})
        if not (summary["months"] is None or (isinstance(summary["months"], int) and not isinstance(summary["months"], bool) and 0 <= summary["months"] <= 10_000)):
            raise w.fail(f"{f}.summary.months", "cases.imports.number_of_months")
        _text(w, summary["debt_free"], f"{f}.summary.debt_free", none=True, limit=20)
        for key in ("total_interest", "total_paid"):
            v = summary[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= float(MAX_MONEY) * 100:
                raise w.fail(f"{f}.summary.{key}", "cases.imports.must_be_amount")
        replans.append({"made_at": _stamp(w, r["made_at"], f"{f}.made_at"), "reason": _text(w, r["reason"], f"{f}.reason"), "start": month,
                        "budget": _cents(w, r["budget"], f"{f}.budget"), "strategy": r["strategy"], "debts": [debt_to_dict(d) for d in r_debts],
                        "agreements": list(indexes), "summary": dict(summary)})

    contacts = []
    for k, c in enumerate(_list(w, item.get("contacts") or [], "contacts")):
        f = f"contacts[{k}]"
        c = _mapping(w, c, f, {"at", "debt", "channel", "direction"}, {"zone", "who", "summary", "consent", "evidence", "created_at"})
        if not isinstance(c["at"], str):
            raise w.fail(f"{f}.at", "cases.imports.contact_time")
        when, zone = w.run(f"{f}.at", parse_contact_time, c["at"])
        w.run(f"{f}.at", check_contact_time, when, today)
        zone = _text(w, c.get("zone"), f"{f}.zone", none=True, limit=80) or zone
        if zone is not None:
            from zoneinfo import ZoneInfo

            w.run(f"{f}.zone", ZoneInfo, zone)
        if c["debt"] not in names:
            raise w.fail(f"{f}.debt", "cases.imports.no_such_debt")
        evidence = []
        for j, e in enumerate(_list(w, c.get("evidence") or [], f"{f}.evidence")):
            e = _mapping(w, e, f"{f}.evidence[{j}]", {"file", "sha256", "size"})
            file = _text(w, e["file"], f"{f}.evidence[{j}].file", limit=255)
            if not file or "/" in file or "\\" in file or file in (".", ".."):
                raise w.fail(f"{f}.evidence[{j}].file", "cases.imports.file_name")
            evidence.append(w.run(f"{f}.evidence[{j}]", Evidence, file, e["sha256"], e["size"]))
        contact = w.run(f, Contact, when, c["debt"], c["channel"], c["direction"], _text(w, c.get("summary", ""), f"{f}.summary"),
                        _text(w, c.get("who", ""), f"{f}.who", limit=200), tuple(evidence), _flag(w, c.get("consent", False), f"{f}.consent"))
        contacts.append({"contact": contact, "zone": zone, "created_at": _stamp(w, c.get("created_at"), f"{f}.created_at", none=True)})

    asks = []
    used_agreements = set()
    for k, a in enumerate(_list(w, item.get("asks") or [], "asks")):
        f = f"asks[{k}]"
        a = _mapping(w, a, f, {"debt", "action", "params", "from", "answer", "confirmed", "created_at"}, {"counter", "agreement"})
        adjustment = _adjustment(w, a, f, debts)
        if not isinstance(a["answer"], str) or a["answer"] not in ANSWERS:
            raise w.fail(f"{f}.answer", "cases.imports.answer", answers=Message("、".join(ANSWERS), ", ".join(ANSWERS)))
        agreement = a.get("agreement")
        confirmed = _flag(w, a["confirmed"], f"{f}.confirmed")
        if agreement is not None:
            if isinstance(agreement, bool) or not isinstance(agreement, int) or not 0 <= agreement < len(agreements) or agreement in used_agreements:
                raise w.fail(f"{f}.agreement", "cases.imports.agreement_index")
            if not (a["answer"] == "accepted" and confirmed):
                raise w.fail(f"{f}.agreement", "cases.imports.agreement_needs_confirmed")
            used_agreements.add(agreement)
        asks.append({"debt": _selector_json(adjustment.debt), "action": adjustment.action, "params": _params_to_json(adjustment.params),
                     "from": _from_month(w, a["from"], f"{f}.from", start_index), "answer": a["answer"],
                     "counter": _text(w, a.get("counter", ""), f"{f}.counter"), "confirmed": confirmed, "agreement": agreement,
                     "created_at": _stamp(w, a["created_at"], f"{f}.created_at")})

    budget_statements = []
    for k, b in enumerate(_list(w, item.get("budget_statements") or [], "budget_statements")):
        f = f"budget_statements[{k}]"
        b = _mapping(w, b, f, {"version", "month", "created_at", "lines"}, {"people"})
        from ..budget import Statement

        if isinstance(b["version"], bool) or not isinstance(b["version"], int) or b["version"] != k + 1:
            raise w.fail(f"{f}.version", "cases.imports.version_order", version=k + 1)
        budget_statements.append({"version": b["version"], "month": _from_month(w, b["month"], f"{f}.month", start_index),
                                  "statement": w.run(f, Statement.from_dict, b), "created_at": _stamp(w, b["created_at"], f"{f}.created_at")})

    return {
        "budget_statements": budget_statements,
        "name": name, "start": start, "strategy": strategy, "order": order, "source_name": source_name, "source_sha256": source_sha,
        "created_at": _stamp(w, item["created_at"], "created_at"), "updated_at": _stamp(w, item.get("updated_at"), "updated_at", none=True),
        "debts": debts, "budgets": budgets, "agreements": agreements, "payments": payments, "statements": statements,
        "replans": replans, "contacts": contacts, "asks": asks, "clearance": clearance,
    }


__all__ = ["CASE_FIELDS", "MAX_ROWS", "check_case_json"]
