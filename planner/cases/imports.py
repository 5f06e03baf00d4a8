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
from ..errors import Message, PlannerError
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

    def fail(self, field: str, zh: str, en: str) -> PlannerError:
        what = Message(zh.rstrip("。"), en)
        return PlannerError("cases.imports.refused", case=self.case, field=field, what=what)

    def run(self, field: str, check, *args, **kwargs):
        """``check(*args)``; its refusal (or a wrong type) named with the case and field."""
        try:
            return check(*args, **kwargs)
        except PlannerError as exc:
            raise self.fail(field, exc.zh, exc.en) from None
        except (KeyError, TypeError, ValueError, ArithmeticError, OverflowError, AttributeError) as exc:
            raise self.fail(field, "缺少或类型不对", f"missing or of the wrong type ({type(exc).__name__})") from None


def _mapping(w: _Where, value, field: str, keys: set[str], optional: set[str] = frozenset()) -> Mapping:
    if not isinstance(value, Mapping):
        raise w.fail(field, "应为对象 {…}", "must be an object {…}")
    unknown = sorted(set(map(str, value)) - keys - set(optional))
    if unknown:
        raise w.fail(f"{field}.{unknown[0]}", "未知字段", "unknown field")
    missing = sorted(keys - set(value))
    if missing:
        raise w.fail(f"{field}.{missing[0]}", "缺少此字段", "this field is missing")
    return value


def _list(w: _Where, value, field: str) -> list:
    if not isinstance(value, list):
        raise w.fail(field, "应为列表 […]", "must be a list […]")
    if len(value) > MAX_ROWS:
        raise w.fail(field, f"超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows")
    return value


def _text(w: _Where, value, field: str, *, none: bool = False, limit: int = 10_000) -> str | None:
    if value is None and none:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise w.fail(field, f"应为文字（最多 {limit} 字）", f"must be text (at most {limit} characters)")
    return value


def _stamp(w: _Where, value, field: str, *, none: bool = False) -> str | None:
    if value is None and none:
        return None
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise w.fail(field, "应为时间戳，例如 2027-01-05T08:00:00Z", "must be a timestamp such as 2027-01-05T08:00:00Z")
    return value


def _flag(w: _Where, value, field: str) -> bool:
    if not isinstance(value, bool):
        raise w.fail(field, "应为 true 或 false", "must be true or false")
    return value


def _cents(w: _Where, value, field: str) -> int:
    """Cents as an export writes them: a whole number from 0 to the largest amount a command accepts."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise w.fail(field, "金额应为整数（分）", "an amount must be a whole number of cents")
    if value < 0:
        raise w.fail(field, "金额不能为负数", "an amount cannot be negative")
    if value > _MAX_CENTS:
        raise w.fail(field, "金额大得不合理", "the amount is implausibly large")
    return value


def _month(w: _Where, value, field: str, start: int | None, today: int) -> str:
    """A recorded month: as ``pay`` takes it (not before the case's start, not after this month)."""
    if not isinstance(value, str):
        raise w.fail(field, "月份应写成 2027-03", "a month must look like 2027-03")
    index = w.run(field, month_index, value, field)
    if start is not None and index < start:
        raise w.fail(field, f"{month_name(index)} 早于本案开始的月份 {month_name(start)}", f"{month_name(index)} is before the case's start, {month_name(start)}")
    if index > today:
        raise w.fail(field, f"{month_name(index)} 还没到（本月是 {month_name(today)}）", f"{month_name(index)} is in the future (this month is {month_name(today)})")
    return month_name(index)


def _from_month(w: _Where, value, field: str, start: int) -> str:
    """An agreement's or ask's first month: from the case's start on (it may lie ahead)."""
    if not isinstance(value, str):
        raise w.fail(field, "月份应写成 2027-03", "a month must look like 2027-03")
    index = w.run(field, month_index, value, field)
    if index < start:
        raise w.fail(field, f"{month_name(index)} 早于本案开始的月份 {month_name(start)}", f"{month_name(index)} is before the case's start, {month_name(start)}")
    return month_name(index)


_DEBT_FIELDS = {"name", "kind", "balance", "apr", "min_payment", "fees_owed", "daily_rate", "fee_rate", "term_months", "overdue_days",
                "penalty_apr", "contract_date", "principal", "defer_months", "defer_from", "defer_interest", "settle_month",
                "settle_fraction", "due_day", "priority", "priority_reason", "min_percent", "min_floor", "min_basis", "extra",
                "clearance", "fee_timing", "periods_paid", "prepay_fees"}


def _debt(w: _Where, value, field: str):
    if not isinstance(value, Mapping) or "balance" not in value or "apr" not in value or "min_payment" not in value or "name" not in value:
        raise w.fail(field, "债务需要 name、balance、apr、min_payment", "a debt needs name, balance, apr and min_payment")
    unknown = sorted(set(map(str, value)) - _DEBT_FIELDS)
    if unknown:
        raise w.fail(f"{field}.{unknown[0]}", "未知字段", "unknown field")
    if not isinstance(value["name"], str):
        raise w.fail(f"{field}.name", "应为文字", "must be text")
    for key in ("balance", "min_payment", "fees_owed", "principal", "min_floor"):
        if value.get(key) is not None:
            _cents(w, value[key], f"{field}.{key}")
    for key in ("apr", "daily_rate", "fee_rate", "penalty_apr", "settle_fraction", "min_percent"):
        if value.get(key) is not None:
            if not isinstance(value[key], str) or len(value[key]) > 40:
                raise w.fail(f"{field}.{key}", "利率应为数字文字，例如 \"18\"", "a rate must be decimal text such as \"18\"")
            try:
                if not Decimal(value[key]).is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise w.fail(f"{field}.{key}", "利率应为有限的数字", "a rate must be a finite number") from None
    for key in ("term_months", "overdue_days", "defer_months", "defer_from", "settle_month", "due_day", "periods_paid"):
        v = value.get(key, 0 if key in ("overdue_days", "defer_months") else 1 if key == "defer_from" else None)
        if (v is not None or key in ("overdue_days", "defer_months", "defer_from")) and (isinstance(v, bool) or not isinstance(v, int)):
            raise w.fail(f"{field}.{key}", "应为整数", "must be a whole number")
    if not isinstance(value.get("priority", False), bool):
        raise w.fail(f"{field}.priority", "应为 true 或 false", "must be true or false")
    if not isinstance(value.get("defer_interest", True), bool):
        raise w.fail(f"{field}.defer_interest", "应为 true 或 false", "must be true or false")
    for key in ("kind", "contract_date", "priority_reason", "fee_timing", "prepay_fees", "min_basis"):
        if value.get(key) is not None and not isinstance(value[key], str):
            raise w.fail(f"{field}.{key}", "应为文字", "must be text")
    extra = value.get("extra", [])
    if not isinstance(extra, list) or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in extra):
        raise w.fail(f"{field}.extra", "应为 [名称, 值] 文字对的列表", "must be a list of [name, value] text pairs")
    debt = w.run(field, debt_from_dict, value)
    return debt


def _selector(w: _Where, value, field: str):
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return tuple(value)
    raise w.fail(field, "应为债务名称或名称列表", "must be a debt's name or a list of names")


def _adjustment(w: _Where, row: Mapping, field: str, debts) -> Adjustment:
    if not isinstance(row["action"], str) or row["action"] not in ACTIONS:
        raise w.fail(f"{field}.action", f"未知的调整；可用：{', '.join(ACTIONS)}", f"unknown action; use one of: {', '.join(ACTIONS)}")
    if not isinstance(row["params"], Mapping):
        raise w.fail(f"{field}.params", "应为对象 {…}", "must be an object {…}")
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
        raise w.fail("format", f"应为 {EXPORT_FORMAT}（planner case export 写出的格式）", f"must be {EXPORT_FORMAT} (the format planner case export writes)")
    optional = {"contacts", "asks", "updated_at", "source_name", "source_sha256", "order", "budget_statements"}
    _mapping(w, item, "case", CASE_FIELDS - optional, optional)
    name = _text(w, raw_name, "name", limit=200)
    name = same_name(name)
    if not name:
        raise w.fail("name", "案例需要名称", "a case needs a name")
    if name in taken:
        raise w.fail("name", "案例簿（或这次导入）中已有同名案例；请先删除或改名", "the book (or this import) already has a case of that name; delete or rename it first")
    start_index = w.run("start", month_index, item["start"], "start") if isinstance(item["start"], str) else None
    if start_index is None:
        raise w.fail("start", "月份应写成 2027-03", "a month must look like 2027-03")
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
            raise w.fail(f"debts[{k}].clearance", f"应为 {{{', '.join(CLEARANCE_ITEMS)}: 日期}}", f"must map {', '.join(CLEARANCE_ITEMS)} to dates")
        clearance[debt.name] = {key: w.run(f"debts[{k}].clearance.{key}", check_step_date, v, key) for key, v in steps.items() if v is not None}
    if not debts:
        raise w.fail("debts", "案例至少需要一笔债务", "a case needs at least one debt")
    names = [d.name for d in debts]
    seen: dict[str, int] = {}
    for k, n in enumerate(names):
        key = same_name(n).casefold()
        if key in seen:
            raise w.fail(f"debts[{k}].name", f"与 debts[{seen[key]}] 同名：{n}", f"the same name as debts[{seen[key]}]: {n!r}")
        seen[key] = k
    strategy = _text(w, item["strategy"], "strategy", limit=40)
    order = item.get("order")
    if order is not None:
        if not isinstance(order, list) or sorted(map(str, order)) != sorted(names) or not all(isinstance(x, str) for x in order):
            raise w.fail("order", "应列出本案每笔债务各一次", "must list each of the case's debts once")
        order = list(order)
    if strategy != "custom" and strategy not in STRATEGIES:
        raise w.fail("strategy", f"未知策略；可选：{', '.join([*STRATEGIES, 'custom'])}", f"unknown strategy; choose one of: {', '.join([*STRATEGIES, 'custom'])}")
    if strategy == "custom" and not order:
        raise w.fail("order", "自定义顺序需要给出债务名称", "the custom strategy needs an order of debt names")
    source_name = _text(w, item.get("source_name"), "source_name", none=True, limit=1000)
    source_sha = _text(w, item.get("source_sha256"), "source_sha256", none=True, limit=64)
    if source_sha is not None and not re.fullmatch(r"[0-9a-f]{64}", source_sha):
        raise w.fail("source_sha256", "应为 64 位十六进制", "must be 64 hex digits")

    budgets: dict[str, int] = {}
    for k, b in enumerate(_list(w, item["budgets"], "budgets")):
        b = _mapping(w, b, f"budgets[{k}]", {"month", "amount"})
        month = _from_month(w, b["month"], f"budgets[{k}].month", start_index)
        if month in budgets:
            raise w.fail(f"budgets[{k}].month", f"{month} 重复", f"{month} appears twice")
        budgets[month] = _cents(w, b["amount"], f"budgets[{k}].amount")
    if start not in budgets:
        raise w.fail("budgets", f"缺少开始月份 {start} 的预算", f"the budget of the start month {start} is missing")

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
                raise w.fail(f"{f}.debt", "本案没有这笔债务", "this case has no such debt")
            if (month, p["debt"]) in seen_rows:
                raise w.fail(f, f"{month} {p['debt']} 重复", f"{month} {p['debt']} appears twice")
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
            raise w.fail(f"{f}.start", "重新规划应按时间先后排列", "re-plans must be in time order")
        last = month_index(month)
        if month_index(month) > today + 1:
            raise w.fail(f"{f}.start", f"{month} 还没到", f"{month} is in the future")
        r_debts = [_debt(w, d, f"{f}.debts[{j}]") for j, d in enumerate(_list(w, r["debts"], f"{f}.debts"))]
        unknown = [d.name for d in r_debts if d.name not in names]
        if unknown or len({d.name for d in r_debts}) != len(r_debts):
            raise w.fail(f"{f}.debts", "应为本案的债务，各一次", "must be the case's debts, each once")
        if not isinstance(r["strategy"], str) or (r["strategy"] not in STRATEGIES and not (r["strategy"] == "custom" and order)):
            raise w.fail(f"{f}.strategy", "未知策略", "unknown strategy")
        indexes = _list(w, r["agreements"], f"{f}.agreements")
        if any(isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < len(agreements) for x in indexes) or len(set(indexes)) != len(indexes):
            raise w.fail(f"{f}.agreements", f"应为已有协议的编号（0 到 {len(agreements) - 1}），各一次",
                         f"must be indexes of the case's agreements (0 to {len(agreements) - 1}), each once")
        summary = _mapping(w, r["summary"], f"{f}.summary", {"months", "debt_free", "total_interest", "total_paid"})
        if not (summary["months"] is None or (isinstance(summary["months"], int) and not isinstance(summary["months"], bool) and 0 <= summary["months"] <= 10_000)):
            raise w.fail(f"{f}.summary.months", "应为月数", "must be a number of months")
        _text(w, summary["debt_free"], f"{f}.summary.debt_free", none=True, limit=20)
        for key in ("total_interest", "total_paid"):
            v = summary[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= float(MAX_MONEY) * 100:
                raise w.fail(f"{f}.summary.{key}", "应为金额", "must be an amount")
        replans.append({"made_at": _stamp(w, r["made_at"], f"{f}.made_at"), "reason": _text(w, r["reason"], f"{f}.reason"), "start": month,
                        "budget": _cents(w, r["budget"], f"{f}.budget"), "strategy": r["strategy"], "debts": [debt_to_dict(d) for d in r_debts],
                        "agreements": list(indexes), "summary": dict(summary)})

    contacts = []
    for k, c in enumerate(_list(w, item.get("contacts") or [], "contacts")):
        f = f"contacts[{k}]"
        c = _mapping(w, c, f, {"at", "debt", "channel", "direction"}, {"zone", "who", "summary", "consent", "evidence", "created_at"})
        if not isinstance(c["at"], str):
            raise w.fail(f"{f}.at", "应为带时区的时间，例如 2027-01-05T21:40:00+08:00", "must be a time with its offset, e.g. 2027-01-05T21:40:00+08:00")
        when, zone = w.run(f"{f}.at", parse_contact_time, c["at"])
        w.run(f"{f}.at", check_contact_time, when, today)
        zone = _text(w, c.get("zone"), f"{f}.zone", none=True, limit=80) or zone
        if zone is not None:
            from zoneinfo import ZoneInfo

            w.run(f"{f}.zone", ZoneInfo, zone)
        if c["debt"] not in names:
            raise w.fail(f"{f}.debt", "本案没有这笔债务", "this case has no such debt")
        evidence = []
        for j, e in enumerate(_list(w, c.get("evidence") or [], f"{f}.evidence")):
            e = _mapping(w, e, f"{f}.evidence[{j}]", {"file", "sha256", "size"})
            file = _text(w, e["file"], f"{f}.evidence[{j}].file", limit=255)
            if not file or "/" in file or "\\" in file or file in (".", ".."):
                raise w.fail(f"{f}.evidence[{j}].file", "应为文件名（不含文件夹）", "must be a file name (no folder)")
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
            raise w.fail(f"{f}.answer", f"应为 {'、'.join(ANSWERS)} 之一", f"must be one of {', '.join(ANSWERS)}")
        agreement = a.get("agreement")
        confirmed = _flag(w, a["confirmed"], f"{f}.confirmed")
        if agreement is not None:
            if isinstance(agreement, bool) or not isinstance(agreement, int) or not 0 <= agreement < len(agreements) or agreement in used_agreements:
                raise w.fail(f"{f}.agreement", "应为已有协议的编号（每个协议最多一个请求）", "must be the index of one of the case's agreements (one ask each)")
            if not (a["answer"] == "accepted" and confirmed):
                raise w.fail(f"{f}.agreement", "只有已接受并书面确认的请求才有协议", "only an ask accepted and confirmed in writing has an agreement")
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
            raise w.fail(f"{f}.version", f"应为 {k + 1}（按顺序编号）", f"must be {k + 1} (numbered in order)")
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
