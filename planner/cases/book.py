"""The case book: clients' cases followed month by month (:class:`CaseBook`, :class:`Case`).

A case holds the debts as loaded when it was opened (with the source file's
name and SHA-256), the budget and its changes, the strategy and the start
month; the agreements reached with lenders (negotiation adjustments from a
calendar month, confirmed in writing or not); what was paid to each debt in
each month; the statement balances lenders reported; and every re-plan.

>>> import tempfile, pathlib
>>> from planner import Debt
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> book = CaseBook(tmp / "book.sqlite", today="2027-06")
>>> case = book.new("Client A", [Debt("Card", 1000, 12, 100)], budget=100, start="2027-01")
>>> case = case.pay("2027-01", {"Card": 100})                 # on plan: 1,000 + 10.00 interest − 100
>>> s = case.status()
>>> s.as_of, s.ahead_by, s.debts[0].actual_balance
('2027-01', Decimal('0.00'), Decimal('910.00'))
>>> book.close()
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from ..conduct import Contact, Evidence, flag_contacts
from ..debt import Debt
from ..engine import plan as engine_plan
from ..errors import InfeasibleBudgetError, Message, PlannerError, message, unknown_debt
from ..money import from_cents, to_cents
from ..negotiation import ACTIONS, Adjustment
from ..privacy import same_name
from ..strategies import STRATEGIES
from .clearance import ITEMS as CLEARANCE_ITEMS
from .clearance import check_step_date, checklists
from .answers import Caseload, Progress, Status, _plan_from, plan_in_force, progress_of, replan_inputs, status_of, track_of
from .model import (
    ANSWERS,
    EXPORT_FORMAT,
    Agreement,
    Ask,
    BudgetStatement,
    ContactRecord,
    CaseData,
    Replan,
    _detail,
    _now,
    _params_to_json,
    _selector_json,
    debt_from_dict,
    debt_to_dict,
    parse_amount,
)
from .months import check_contact_time, check_start, month_index, month_name, parse_contact_time, this_month
from .track import Track

#: The largest case export :meth:`CaseBook.import_` reads (a whole book of cases fits).
MAX_IMPORT_BYTES = 256 * 1024 * 1024
#: The environment variable naming the evidence folder of a PostgreSQL book.
EVIDENCE_ENV = "PLANNER_EVIDENCE_DIR"

# ---------------------------------------------------------------------------
# the book


def _sha256(path: Path) -> str:
    from ..io import MAX_BYTES, read_input

    return hashlib.sha256(read_input(path, limit=MAX_BYTES)).hexdigest()


def _check_strategy(strategy: str, order) -> None:
    if strategy != "custom" and strategy not in STRATEGIES:
        names = ", ".join([*STRATEGIES, "custom"])
        raise PlannerError("cases.book.unknown_strategy_choose", strategy=strategy, names=names)
    if strategy == "custom" and not order:
        raise PlannerError("cases.book.custom_strategy_needs_order")


class CaseBook:
    """A book of cases in SQLite (a path; default: the user's data directory) or PostgreSQL (a URL).

    ``book`` is a path or ``postgresql://user@host/db``; ``None`` uses
    ``$PLANNER_CASEBOOK``, else ``casebook.sqlite`` in the user's data
    directory. ``today`` (a date or ``"2027-06"``) is the month after which
    recorded months are "in the future" (default: the real date). ``create=False``
    refuses a book that does not exist yet instead of making an empty one (every
    command but ``case new`` and ``case import``: a mistyped path makes nothing).
    """

    def __init__(self, book: str | os.PathLike | None = None, *, today=None, evidence_dir=None, create: bool = True):
        from .store import Store

        self._store = Store(book, create=create)
        self.location = self._store.location
        self._today = this_month() if today is None else month_index(today, "today")
        self._real_clock = today is None  # "today" is the real date: a contact a day ahead of the clock is refused too
        self._evidence_dir = evidence_dir
        if self.evidence_folder is not None:  # what an intake killed mid-copy left behind
            _clean_staging(self.evidence_folder)

    @property
    def today(self) -> str:
        """The book's current month, ``YYYY-MM`` (the real one unless ``today`` was given)."""
        return month_name(self._today)

    @property
    def evidence_folder(self) -> Path | None:
        """Where evidence files are kept: ``evidence_dir`` when given; beside an SQLite book,
        ``<book>.evidence/``; for PostgreSQL ``$PLANNER_EVIDENCE_DIR`` (None: not set)."""
        if self._evidence_dir:
            return Path(self._evidence_dir).expanduser()
        if self._store.path is not None:
            return self._store.path.with_name(self._store.path.name + ".evidence")
        env = os.environ.get(EVIDENCE_ENV, "").strip()
        return Path(env).expanduser() if env else None

    @property
    def own_files(self) -> list[Path]:
        """What no document may be written over or into: the SQLite book with its journal, WAL and
        shared-memory files, and the evidence folder (every writer passes these to
        :func:`planner.io.refuse_inputs`, whatever name the book was opened by)."""
        files: list[Path] = []
        if self._store.path is not None:
            book = self._store.path
            files += [book, *(book.with_name(book.name + end) for end in ("-journal", "-wal", "-shm"))]
        if self.evidence_folder is not None:
            files.append(self.evidence_folder)
        return files

    def _require_evidence_folder(self) -> Path:
        folder = self.evidence_folder
        if folder is None:
            raise PlannerError("cases.book.postgresql_postgresql_case_book", evidence_env=EVIDENCE_ENV)
        return folder

    # -- reading ------------------------------------------------------
    def names(self) -> list[str]:
        from . import store as s
        import sqlalchemy as sa

        with self._store.read() as conn:
            return list(conn.execute(sa.select(s.cases.c.name).order_by(s.cases.c.name)).scalars())

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    def __len__(self) -> int:
        return len(self.names())

    def case(self, name: str) -> Case:
        """The case called ``name`` (an unknown name is a bilingual error; a name typed with an
        invisible character or full-width letters finds its case)."""
        try:
            return Case(self, self._load(name))
        except PlannerError:
            if not isinstance(name, str) or same_name(name) == name:
                raise
        return Case(self, self._load(same_name(name)))

    __getitem__ = case

    def _load(self, name: str, conn=None) -> CaseData:
        if conn is None:
            with self._store.read() as conn:
                return self._load(name, conn)
        try:
            return self._load_many(conn, [name])[0]
        except PlannerError:
            raise
        except _DAMAGED as exc:  # a stored row no command would write: a message, not an internal error
            raise PlannerError("cases.book.stored_data_case_damaged", name=name, type_name=type(exc).__name__) from None

    def _load_many(self, conn, names: Sequence[str] | None = None) -> list[CaseData]:
        import sqlalchemy as sa

        from . import store as s

        query = sa.select(s.cases)
        if names is not None:
            query = query.where(s.cases.c.name.in_(list(names)))
        heads = list(conn.execute(query.order_by(s.cases.c.name)))
        if names is not None and len(heads) < len(set(names)):
            raise _unknown_case(sorted(set(names) - {h.name for h in heads})[0])
        ids = [h.id for h in heads]
        by_id: dict[int, dict] = {i: {"debts": [], "budgets": {}, "agreements": [], "payments": {}, "statements": {}, "replans": [], "contacts": [], "asks": [], "clearance": {}, "budget_statements": []} for i in ids}

        def rows(table, order):
            q = sa.select(table)
            if names is not None:
                q = q.where(table.c.case_id.in_(ids))
            return conn.execute(q.order_by(table.c.case_id, *order))

        for r in rows(s.debts, [s.debts.c.position]):
            detail = json.loads(r.detail)
            steps = detail.pop("clearance", None)  # the checklist after clearing, kept with the debt
            if steps:
                by_id[r.case_id]["clearance"][r.name] = {k: str(v) for k, v in steps.items() if k in CLEARANCE_ITEMS and v}
            by_id[r.case_id]["debts"].append(debt_from_dict({"name": r.name, "kind": r.kind, "balance": r.balance, "apr": r.apr, "min_payment": r.min_payment, "fees_owed": r.fees_owed, **detail}))
        for r in rows(s.budgets, [s.budgets.c.month]):
            by_id[r.case_id]["budgets"][r.month] = r.amount
        for r in rows(s.agreements, [s.agreements.c.id]):
            sel = json.loads(r.debt)
            adjustment = Adjustment(r.action, tuple(sel) if isinstance(sel, list) else sel, json.loads(r.params))
            by_id[r.case_id]["agreements"].append(Agreement(r.id, adjustment, r.from_month, bool(r.confirmed), r.created_at))
        for r in rows(s.payments, [s.payments.c.month, s.payments.c.debt]):
            by_id[r.case_id]["payments"][(r.month, r.debt)] = r.amount
        for r in rows(s.statements, [s.statements.c.month, s.statements.c.debt]):
            by_id[r.case_id]["statements"][(r.month, r.debt)] = r.balance
        for r in rows(s.replans, [s.replans.c.id]):
            by_id[r.case_id]["replans"].append(
                Replan(r.id, r.made_at, r.reason, r.start, from_cents(r.budget), r.strategy, tuple(debt_from_dict(x) for x in json.loads(r.debts)), tuple(json.loads(r.agreements)), json.loads(r.summary))
            )
        files: dict[int, list] = {}
        for r in rows(s.evidence, [s.evidence.c.id]):
            files.setdefault(r.contact_id, []).append(Evidence(r.file, r.sha256, int(r.size)))
        for r in rows(s.contacts, [s.contacts.c.at_utc, s.contacts.c.id]):
            contact = Contact(
                _contact_time(r.at_utc, r.utc_offset, r.zone), r.debt, r.channel, r.direction, r.summary, r.who, tuple(files.get(r.id, ())), bool(r.consent)
            )
            by_id[r.case_id]["contacts"].append(ContactRecord(r.id, contact, r.zone, r.created_at))
        for r in rows(s.asks, [s.asks.c.id]):
            sel = json.loads(r.debt)
            adjustment = Adjustment(r.action, tuple(sel) if isinstance(sel, list) else sel, json.loads(r.params))
            by_id[r.case_id]["asks"].append(Ask(r.id, adjustment, r.from_month, r.answer, r.counter, bool(r.confirmed), r.agreement_id, r.created_at))
        from ..budget import Statement

        for r in rows(s.budget_statements, [s.budget_statements.c.version]):
            by_id[r.case_id]["budget_statements"].append(BudgetStatement(r.version, r.month, Statement.from_dict(json.loads(r.statement)), r.created_at))
        out = []
        for h in heads:
            x = by_id[h.id]
            out.append(
                CaseData(
                    name=h.name, start=h.start, strategy=h.strategy, order=tuple(json.loads(h.custom_order)) if h.custom_order else None,
                    source_name=h.source_name, source_sha256=h.source_sha256, created_at=h.created_at, updated_at=h.updated_at,
                    debts=tuple(x["debts"]), budgets=x["budgets"], agreements=tuple(x["agreements"]), payments=x["payments"],
                    statements=x["statements"], replans=tuple(x["replans"]), contacts=tuple(x["contacts"]), asks=tuple(x["asks"]),
                    clearance=x["clearance"],
                    budget_statements=tuple(x["budget_statements"]),
                )
            )
        return out

    def cases(self) -> list[CaseData]:
        """Every case's stored data (a few queries for the whole book)."""
        with self._store.read() as conn:
            return self._load_many(conn)

    # -- writing ------------------------------------------------------
    @contextmanager
    def _write(self, name: str | None = None):
        """A write transaction, with case ``name``'s row locked (``FOR UPDATE`` on PostgreSQL;
        SQLite's ``BEGIN IMMEDIATE`` already holds the book's write lock) and its data read."""
        import sqlalchemy as sa

        from . import store as s

        with self._store.write() as conn:
            data = None
            if name is not None:
                row = conn.execute(sa.select(s.cases.c.id).where(s.cases.c.name == name).with_for_update()).first()
                if row is None:
                    raise _unknown_case(name)
                data = _WithId(self._load(name, conn), row.id)
            yield conn, data

    def _check_month(self, data: CaseData, month: str, what: str = "month") -> str:
        index = month_index(month, what)
        if index < month_index(data.start):
            raise PlannerError(
                "cases.book.before_cases_start_2",
                what=what,
                index=month_name(index),
                start=data.start,
            )
        if index > self._today:
            raise PlannerError(
                "cases.book.future_month",
                what=what,
                index=month_name(index),
                today=month_name(self._today),
            )
        return month_name(index)

    def _validate(self, conn, name: str) -> CaseData:
        """Re-read the case inside the transaction and check that its plan and track still work."""
        data = self._load(name, conn)
        try:
            plan_in_force(data)
        except InfeasibleBudgetError as exc:
            raise PlannerError.like(exc) from None
        track_of(data)
        return data

    def new(self, name: str, debts, budget, strategy: str = "avalanche", *, start=None, order: Sequence[str] | None = None) -> Case:
        """Open a case: ``debts`` (a path, or anything :func:`planner.load_debts` takes) as they are now.

        The source file's name and SHA-256 are kept when ``debts`` is a path.
        """
        import sqlalchemy as sa

        from ..io import load_debts

        if not isinstance(name, str) or not same_name(name) or len(same_name(name)) > 200:
            raise PlannerError("cases.book.case_needs_name_most")
        name = same_name(name)  # NFKC, no zero-width characters: twins that look alike are one client
        source_name = source_sha = None
        if isinstance(debts, (str, os.PathLike)) and not (isinstance(debts, str) and "\n" in debts):
            path = Path(debts)
            loaded = load_debts(path)
            source_name, source_sha = path.name, _sha256(path)
        else:
            loaded = load_debts(debts)
        _check_strategy(strategy, order)
        start_name = month_name(check_start(this_month() if start is None else month_index(start, "start"), self._today))
        cents = parse_amount(budget, "budget")
        engine_plan(loaded, from_cents(cents), strategy, order=order, start=start_name)  # the budget covers the minimums
        taken = PlannerError("cases.book.book_already_case_named", name=name)
        try:
            self._new(name, loaded, strategy, order, start_name, cents, source_name, source_sha, taken)
        except sa.exc.IntegrityError:  # another process took the name in the meantime
            raise taken from None
        return self.case(name)

    def _new(self, name, loaded, strategy, order, start_name, cents, source_name, source_sha, taken) -> None:
        import sqlalchemy as sa

        from . import store as s

        with self._write() as (conn, _):
            if conn.execute(sa.select(s.cases.c.id).where(s.cases.c.name == name)).first() or name in {
                same_name(n) for n in conn.execute(sa.select(s.cases.c.name)).scalars()
            }:
                raise taken
            now = _now()
            case_id = conn.execute(
                s.cases.insert().values(
                    name=name, start=start_name, strategy=strategy, custom_order=json.dumps(list(order), ensure_ascii=False) if order else None,
                    source_name=source_name, source_sha256=source_sha, created_at=now, updated_at=now,
                )
            ).inserted_primary_key[0]
            _insert_debts(conn, case_id, loaded)
            conn.execute(s.budgets.insert().values(case_id=case_id, month=start_name, amount=cents))

    def pay(self, name: str, month, amounts: Mapping[str, object]) -> Case:
        """Record what was paid to each debt in ``month`` (replaces what was recorded for that
        month and debt). ``amounts`` maps a debt name to yuan."""
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            month = self._check_month(data, month)
            names = [d.name for d in data.debts]
            rows = []
            for debt, amount in amounts.items():
                if debt not in names:
                    raise _unknown_debt(debt, names)
                rows.append((debt, parse_amount(amount, f"{month} {debt}")))
            if not rows:
                raise PlannerError("cases.book.no_payment_record")
            for debt, cents in rows:
                conn.execute(sa.delete(s.payments).where(s.payments.c.case_id == data.id, s.payments.c.month == month, s.payments.c.debt == debt))
                conn.execute(s.payments.insert().values(case_id=data.id, month=month, debt=debt, amount=cents))
            self._touch(conn, data.id)
            self._replan_if_stale(conn, name, data, [month])
            self._validate(conn, name)
        return self.case(name)

    def pay_file(self, name: str, path) -> Case:
        """Record the payments in a CSV (``month,debt,amount``; Chinese headers such as
        月份, 平台, 金额 accepted), all in one transaction."""
        from .payments import read_payments

        by_month = read_payments(path)
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            names = [d.name for d in data.debts]
            months: list[str] = []
            for (month, debt, cents, row) in by_month:
                month = self._check_month(data, month, f"{Path(path).name} row {row}")
                if debt not in names:
                    raise _unknown_debt(debt, names, f"{Path(path).name} row {row}")
                conn.execute(sa.delete(s.payments).where(s.payments.c.case_id == data.id, s.payments.c.month == month, s.payments.c.debt == debt))
                conn.execute(s.payments.insert().values(case_id=data.id, month=month, debt=debt, amount=cents))
                months.append(month)
            self._touch(conn, data.id)
            self._replan_if_stale(conn, name, data, months)
            self._validate(conn, name)
        return self.case(name)

    def balance(self, name: str, month, debt: str, balance) -> Case:
        """Record a statement balance: what the lender says ``debt`` owes at the end of ``month``."""
        import sqlalchemy as sa

        from . import store as s

        with self._write(name) as (conn, data):
            month = self._check_month(data, month)
            names = [d.name for d in data.debts]
            if debt not in names:
                raise _unknown_debt(debt, names)
            cents = parse_amount(balance, "balance")
            conn.execute(sa.delete(s.statements).where(s.statements.c.case_id == data.id, s.statements.c.month == month, s.statements.c.debt == debt))
            conn.execute(s.statements.insert().values(case_id=data.id, month=month, debt=debt, balance=cents))
            self._touch(conn, data.id)
            self._replan_if_stale(conn, name, data, [month])
            self._validate(conn, name)
        return self.case(name)

    def agree(self, name: str, debt, action: str, from_month, *, confirmed: bool = False, **params) -> Case:
        """Record an agreement: ``action`` (a negotiation action) on the debts ``debt`` selects,
        in force from the calendar month ``from_month``."""
        if action not in ACTIONS:
            raise PlannerError("cases.book.unknown_action", action=action, actions=', '.join(ACTIONS))
        adjustment = Adjustment(action, debt, {k: v for k, v in params.items() if v is not None})
        with self._write(name) as (conn, data):
            _insert_agreement(conn, data, adjustment, _from_month(data, from_month), confirmed)
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    # -- the budget statement and fair-share offers (issue 26) --------
    def set_statement(self, name: str, statement, month=None, *, people: int = 1) -> Case:
        """Store the client's budget statement (收支表), held from calendar ``month`` (default this
        month): a :class:`~planner.budget.Statement`, or a file or anything
        :func:`planner.io.load_statement` reads. A statement equal to the latest one stored is not
        stored again; a changed one becomes the next version (the earlier ones are kept)."""
        from ..io import load_statement
        from . import store as s

        statement = load_statement(statement, people=people)
        with self._write(name) as (conn, data):
            when = _from_month(data, month_name(self._today) if month is None else month)
            latest = data.budget_statements[-1] if data.budget_statements else None
            if latest is not None and latest.statement == statement:
                return self.case(name)
            conn.execute(s.budget_statements.insert().values(
                case_id=data.id, version=(latest.version + 1) if latest else 1, month=when,
                statement=json.dumps(statement.to_dict(), ensure_ascii=False), created_at=_now(),
            ))
            self._touch(conn, data.id)
        return self.case(name)

    def fair_shares(self, name: str, *, floor=None):
        """The fair-share offers (:func:`planner.offers.fair_shares`) for case ``name``: its debts as
        they stand (the latest re-plan's terms and balances, else as loaded) and what its latest
        budget statement leaves for the debts."""
        from ..offers import DEFAULT_FLOOR, fair_shares

        data = self._load(name)
        if data.budget_statement is None:
            raise PlannerError("cases.book.no_statement", case=name)
        debts = list(data.replans[-1].debts) if data.replans else list(data.debts)
        return fair_shares(debts, data.budget_statement.left_for_debts, floor=DEFAULT_FLOOR if floor is None else floor)

    def accept_offer(self, name: str, offer, from_month=None, *, confirmed: bool = False, frozen: bool = True) -> Case:
        """Record that a lender accepted its fair-share ``offer`` (a :class:`planner.offers.Offer`):
        an ask answered "accepted", through :meth:`ask`. Confirmed in writing, it becomes the case's
        agreement for that lender at once, exactly as :meth:`agree` would record it (interest frozen
        over the offer's months: :meth:`planner.offers.Offer.adjustment`)."""
        adjustment = offer.adjustment(frozen)
        return self.ask(name, adjustment.debt, adjustment.action, from_month, answer="accepted", confirmed=confirmed, **adjustment.params)

    # -- contacts, evidence and asks (issue 13) -------------------------
    def add_contact(self, name: str, debt: str, at, *, channel: str, direction: str, summary: str = "", who: str = "",
                    tz=None, evidence: Sequence = (), consent: bool = False) -> Case:
        """Log a contact with a lender or collector. ``at`` is an aware datetime, or text such as
        ``"2027-01-05 21:40"`` read in ``tz`` (a zone name, default the borrower's zone from the
        conduct data) unless it carries its own offset. ``evidence``: files copied into the
        evidence folder with their SHA-256 and size; if any is refused, nothing is written."""
        from ..io.evidence import stored_path, store_evidence
        from . import store as s

        when, zone = parse_contact_time(at, tz)
        from datetime import datetime, timezone

        check_contact_time(when, self._today, datetime.now(timezone.utc) if self._real_clock else None)
        if isinstance(evidence, (str, os.PathLike)):  # one file, not a list of its name's characters
            evidence = (evidence,)
        contact = Contact(when, debt, channel, direction, str(summary or ""), str(who or ""), (), bool(consent))  # validates
        with self._write(name) as (conn, data):
            names = [d.name for d in data.debts]
            if debt not in names:
                raise _unknown_debt(debt, names)
            placed: list[Path] = []
            kept: list[Evidence] = []
            if evidence:
                folder = self._require_evidence_folder()
                _make_private_folder(folder)
                staging = folder / f".staging-{os.getpid()}-{os.urandom(4).hex()}"
                try:
                    for path in evidence:
                        kept.append(store_evidence(path, staging))
                    for item in kept:  # all accepted: move them into place (the same file twice is kept once)
                        target = stored_path(item, folder)
                        if target.exists():
                            continue
                        os.replace(stored_path(item, staging), target)
                        placed.append(target)
                except BaseException:  # nothing recorded: none of the copies stays either
                    for target in placed:
                        target.unlink(missing_ok=True)
                    raise
                finally:
                    _remove_tree(staging)
            try:
                contact_id = conn.execute(
                    s.contacts.insert().values(
                        case_id=data.id, at_utc=_utc_text(contact.at), utc_offset=int(contact.at.utcoffset().total_seconds() // 60), zone=zone,
                        debt=debt, channel=channel, direction=direction, who=contact.who, summary=contact.summary, consent=contact.consent, created_at=_now(),
                    )
                ).inserted_primary_key[0]
                for item in kept:
                    conn.execute(s.evidence.insert().values(case_id=data.id, contact_id=contact_id, file=item.file, sha256=item.sha256, size=item.size))
                self._touch(conn, data.id)
            except BaseException:
                for target in placed:
                    target.unlink(missing_ok=True)
                raise
        return self.case(name)

    def ask(self, name: str, debt, action: str, from_month=None, *, answer: str = "pending", counter: str = "",
            confirmed: bool = False, **params) -> Case:
        """Record an ask (a negotiation action on ``debt`` from ``from_month``, default this month)
        and its answer. An accepted answer confirmed in writing becomes an agreement at once
        (exactly as :meth:`agree`); an accepted one not yet confirmed is listed as "get it in writing".
        The same ask again (same debt, action, terms and month, not yet an agreement) records its new answer."""
        from . import store as s

        if action not in ACTIONS:
            raise PlannerError("cases.book.unknown_action", action=action, actions=', '.join(ACTIONS))
        _check_answer(answer)
        adjustment = Adjustment(action, debt, {k: v for k, v in params.items() if v is not None})
        with self._write(name) as (conn, data):
            month = _from_month(data, month_name(self._today) if from_month is None else from_month)
            adjustment.selects(list(data.debts))
            same = [
                a for a in data.asks
                if a.agreement_id is None and a.action == action and a.from_month == month
                and _selector_json(a.adjustment.debt) == _selector_json(adjustment.debt)
                and _params_to_json(a.adjustment.params) == _params_to_json(adjustment.params)
            ]
            if same:  # the same ask again: its new answer (a repeated ask is not a second one)
                import sqlalchemy as sa

                agreement_id = _insert_agreement(conn, data, adjustment, month, True) if answer == "accepted" and confirmed else None
                conn.execute(
                    sa.update(s.asks).where(s.asks.c.id == same[-1].id).values(
                        answer=answer, counter=str(counter or ""), confirmed=bool(confirmed), agreement_id=agreement_id, updated_at=_now()
                    )
                )
                self._touch(conn, data.id)
                self._validate(conn, name)
                return self.case(name)
            agreement_id = None
            if answer == "accepted" and confirmed:
                agreement_id = _insert_agreement(conn, data, adjustment, month, True)
            now = _now()
            conn.execute(
                s.asks.insert().values(
                    case_id=data.id, debt=json.dumps(_selector_json(adjustment.debt), ensure_ascii=False), action=action,
                    params=json.dumps(_params_to_json(adjustment.params), ensure_ascii=False), from_month=month, answer=answer,
                    counter=str(counter or ""), confirmed=bool(confirmed), agreement_id=agreement_id, created_at=now, updated_at=now,
                )
            )
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    def answer(self, name: str, ask_id: int, answer: str, *, counter: str = "", confirmed: bool = False) -> Case:
        """Record the lender's answer to an ask (see :meth:`ask`)."""
        import sqlalchemy as sa

        from . import store as s

        _check_answer(answer)
        with self._write(name) as (conn, data):
            found = [a for a in data.asks if a.id == ask_id]
            if not found:
                raise PlannerError("cases.book.case_no_ask_number", ask_id=ask_id)
            old = found[0]
            if old.agreement_id is not None:
                raise PlannerError("cases.book.ask_already_agreement_confirmed", ask_id=ask_id)
            agreement_id = None
            if answer == "accepted" and confirmed:
                agreement_id = _insert_agreement(conn, data, old.adjustment, old.from_month, True)
            conn.execute(
                sa.update(s.asks).where(s.asks.c.id == ask_id, s.asks.c.case_id == data.id).values(
                    answer=answer, counter=str(counter or ""), confirmed=bool(confirmed), agreement_id=agreement_id, updated_at=_now()
                )
            )
            self._touch(conn, data.id)
            self._validate(conn, name)
        return self.case(name)

    # -- after a debt is cleared (issue 26) ------------------------------
    def clear(self, name: str, debt: str, *, proof_asked=None, proof_received=None, report_checked=None, undo: Sequence[str] = ()) -> Case:
        """Record a step of ``debt``'s checklist after clearing, each with its date (a date or
        ``"2027-05-10"``): the settlement proof (结清证明) asked for, received, and the credit
        report (征信报告) checked. ``undo`` names steps to take back (a date entered by mistake).
        The debt must be cleared in the case's recorded track (paid off or settled)."""
        import sqlalchemy as sa

        from . import store as s

        given = {k: v for k, v in (("proof_asked", proof_asked), ("proof_received", proof_received), ("report_checked", report_checked)) if v not in (None, "")}
        undo = [undo] if isinstance(undo, str) else list(undo or ())
        for item in undo:
            if item not in CLEARANCE_ITEMS:
                raise PlannerError("cases.clearance.unknown_step", item=item, choices=", ".join(CLEARANCE_ITEMS))
        if not given and not undo:
            raise PlannerError("cases.clearance.nothing")
        dates = {k: check_step_date(v, "--" + k.replace("_", "-")) for k, v in given.items()}
        with self._write(name) as (conn, data):
            names = [d.name for d in data.debts]
            if debt not in names:
                raise _unknown_debt(debt, names)
            found = [c for c in checklists(data, track_of(data)) if c.debt == debt]
            if not found:
                raise PlannerError("cases.clearance.not_cleared", debt=debt)
            cleared = found[0].cleared
            for item, day in dates.items():
                what = "--" + item.replace("_", "-")
                if day[:7] > month_name(self._today):
                    raise PlannerError("cases.clearance.future_date", what=what, value=day, month=month_name(self._today))
                if day[:7] < cleared:
                    raise PlannerError("cases.clearance.before_cleared", what=what, value=day, month=cleared)
            steps = {**data.clearance.get(debt, {}), **dates}
            for item in undo:
                steps.pop(item, None)
            asked, received = steps.get("proof_asked"), steps.get("proof_received")
            if asked and received and received < asked:
                raise PlannerError("cases.clearance.received_before_asked", asked=asked, received=received)
            row = conn.execute(sa.select(s.debts.c.detail).where(s.debts.c.case_id == data.id, s.debts.c.name == debt)).first()
            detail = json.loads(row.detail)
            detail.pop("clearance", None)
            if steps:
                detail["clearance"] = {k: steps[k] for k in CLEARANCE_ITEMS if steps.get(k)}
            conn.execute(sa.update(s.debts).where(s.debts.c.case_id == data.id, s.debts.c.name == debt).values(detail=json.dumps(detail, ensure_ascii=False)))
            self._touch(conn, data.id)
        return self.case(name)

    def contacts(self, name: str) -> list[dict]:
        """The contact log of case ``name`` with the rules each contact may break (see :func:`contact_log`);
        each evidence file also says whether its stored copy is still the file fingerprinted at intake
        (``"intact"``: True, False when changed or missing, None when the book has no evidence folder)."""
        return self._checked(contact_log(self._load(name)))

    def _checked(self, log: list[dict]) -> list[dict]:
        for c in log:
            for e in c["evidence"]:
                e["intact"] = self.evidence_intact(Evidence(e["file"], e["sha256"], e["size"]))
        return log

    def evidence_intact(self, item: Evidence) -> bool | None:
        """Whether the stored copy of ``item`` still has the bytes fingerprinted at intake
        (False: changed or missing; None: this book has no evidence folder)."""
        from ..io.evidence import verify

        folder = self.evidence_folder
        if folder is None:
            return None
        try:
            return verify(item, folder)
        except (PlannerError, OSError):
            return False

    def replan(self, name: str, *, budget=None, reason: str = "", strategy: str | None = None) -> Case:
        """Re-plan from the actual balances at the latest recorded month, with the agreements
        in force and the current (or a new) budget; kept in the case's history."""
        with self._write(name) as (conn, data):
            self._replan_in(conn, name, data, budget=budget, reason=reason, strategy=strategy)
        return self.case(name)

    def _replan_in(self, conn, name: str, data, *, budget=None, reason: str = "", strategy: str | None = None) -> None:
        from . import store as s

        base, nxt, adjustments, done = replan_inputs(data)
        if not base:
            raise PlannerError("cases.book.every_debt_cleared_nothing", name=name)
        strategy = strategy or (data.replans[-1].strategy if data.replans else data.strategy)
        _check_strategy(strategy, data.order)
        import sqlalchemy as sa

        if budget is not None:
            cents = parse_amount(budget, "budget")
            conn.execute(sa.delete(s.budgets).where(s.budgets.c.case_id == data.id, s.budgets.c.month >= month_name(nxt)))
            conn.execute(s.budgets.insert().values(case_id=data.id, month=month_name(nxt), amount=cents))
            data = _WithId(self._load(name, conn), data.id)
        try:
            p = _plan_from(data, base, nxt, adjustments, strategy)
        except InfeasibleBudgetError as exc:
            raise PlannerError.like(exc) from None
        summary = {"months": p.months, "debt_free": p.debt_free, "total_interest": float(p.total_interest), "total_paid": float(p.total_paid)}
        conn.execute(
            s.replans.insert().values(
                case_id=data.id, made_at=_now(), reason=str(reason or ""), start=month_name(nxt), budget=data.budget_at(month_name(nxt)),
                strategy=strategy, debts=json.dumps([debt_to_dict(d) for d in base], ensure_ascii=False), agreements=json.dumps(list(done)),
                summary=json.dumps(summary),
            )
        )
        self._touch(conn, data.id)

    def _replan_if_stale(self, conn, name: str, data, months) -> None:
        """A payment or statement of a month before the latest re-plan's first month changes the
        balances that re-plan started from: re-plan again from the corrected record (kept in the
        history with the reason), so the plan in force is never stale (issue 24, item 13)."""
        if not data.replans or not months or min(months) >= data.replans[-1].start:
            return
        fresh = _WithId(self._load(name, conn), data.id)
        if not replan_inputs(fresh)[0]:
            return  # every debt cleared: nothing to re-plan
        self._replan_in(conn, name, fresh, reason=f"corrected {min(months)} / 更正 {min(months)}")

    def delete(self, name: str) -> list[Path]:
        """Erase a case: every row, its evidence copies no other case refers to, what an intake killed
        mid-copy left behind; then the file is rebuilt so nothing of it is left (SQLite).

        Returns the files of the case still on disk (empty when everything is gone): an evidence copy
        that could not be removed, or one kept in an evidence folder this book was not given.
        """
        import sqlalchemy as sa

        from ..io.evidence import stored_path
        from . import store as s

        folder = self.evidence_folder
        left: list[Path] = []
        with self._write(name) as (conn, data):
            files = [e for c in data.contacts for e in c.contact.evidence]
            for table in s.CASE_TABLES:
                conn.execute(sa.delete(table).where(table.c.case_id == data.id))
            conn.execute(sa.delete(s.cases).where(s.cases.c.id == data.id))
            # A copy is kept under its SHA-256 and its original suffix: the same file stored as .png by one
            # case and as .jpg by another is two copies, each kept while a case refers to it by that name.
            still = {_stored_name(f, h) for f, h in conn.execute(sa.select(s.evidence.c.file, s.evidence.c.sha256))}
            if folder is not None and folder.is_dir():
                # On SQLite this transaction holds the book's write lock, and every intake runs under it:
                # no intake is under way, so any staging folder and any copy no row names is a leftover.
                own = self._store.is_sqlite and self._evidence_dir is None
                left += _clean_staging(folder, everything=own)
                if own:
                    gone = {stored_path(item, folder).name for item in files}
                    for entry in folder.iterdir():
                        if _STORED.match(entry.name) and entry.name not in still and entry.name not in gone:
                            _unlink(entry, left)
        for item in files:  # after the commit: the copies no other case refers to
            if stored_path(item, ".").name in still:
                continue
            if folder is None:
                left.append(Path(stored_path(item, ".").name))
            else:
                _unlink(stored_path(item, folder), left)
        self._store.vacuum()
        return sorted(set(left))

    def export(self, name: str, path=None) -> dict:
        """One case as JSON (exact: money in cents, rates as text); written to ``path`` when given."""
        from ..io import atomic_write_bytes, output_target, refuse_inputs

        if path is not None:  # refused before anything is read: the book itself, a device, a folder
            refuse_inputs(output_target(path), self.own_files)
        out = case_to_json(self._load(name))
        if path is not None:  # a new file (0600) renamed over the old one: a failure leaves the old export whole
            atomic_write_bytes(path, json.dumps(out, ensure_ascii=False, indent=1).encode("utf-8"), inputs=self.own_files)
        return out

    def import_(self, source) -> list[str]:
        """Cases from :meth:`export`'s JSON (a path, a dict, or a list of dicts), in one transaction:
        all or nothing. Every case is checked as strictly as the commands that would have made it
        (:func:`planner.cases.imports.check_case_json`), then its plan and track are worked out
        inside the transaction, however many cases there are."""
        from .imports import check_case_json

        if isinstance(source, (str, os.PathLike)):
            from ..io import read_input

            try:  # a regular file of bounded size: a FIFO, a device or a folder is refused at once
                text = read_input(source, limit=MAX_IMPORT_BYTES).decode("utf-8")
                source = json.loads(text)
            except FileNotFoundError:
                raise PlannerError("cases.book.file_not_found", source=source) from None
            except RecursionError:
                raise PlannerError("cases.book.json_nested_too_deeply", source=source) from None
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PlannerError("cases.book.not_json_written_planner", source=source, exc=exc) from None
        items = source if isinstance(source, list) else [source]
        import sqlalchemy as sa

        from . import store as s

        names = []
        with self._write() as (conn, _):
            taken = {same_name(n) for n in conn.execute(sa.select(s.cases.c.name)).scalars()}
            try:
                clean = []
                for item in items:
                    case = check_case_json(item, today=self._today, taken=taken)
                    taken.add(case["name"])
                    clean.append(case)
            except RecursionError:
                raise PlannerError("cases.book.import_refused_json_nested") from None
            for case in clean:
                _insert_case(conn, case)
                names.append(case["name"])
            for name in names:
                try:  # what case show and case list will work out
                    data = self._validate(conn, name)
                    status_of(data)
                    contact_log(data)
                except _DAMAGED as exc:
                    if not isinstance(exc, PlannerError):
                        exc = PlannerError("cases.book.data_not_fit_together", type_name=type(exc).__name__)
                    raise PlannerError("cases.book.import_refused_no_case", name=name, what=exc) from None
        return names

    def _touch(self, conn, case_id: int) -> None:
        from . import store as s

        conn.execute(s.cases.update().where(s.cases.c.id == case_id).values(updated_at=_now()))

    # -- answers -------------------------------------------------------
    def status(self, name: str) -> Status:
        return status_of(self._load(name))

    def caseload(self, *, batch: bool | None = None) -> Caseload:
        """Every case at a glance; the projections (a re-plan of each case from its actual
        balances) run through the batch engine :func:`planner.plan_batch` when the book is large."""
        from .caseload import caseload

        try:
            return caseload(self.cases(), batch=batch)
        except _DAMAGED:  # a case the book cannot read: read the others one by one and name it
            pass
        datas, broken = [], []
        for name in self.names():
            try:
                datas.append(self._load(name))
            except _DAMAGED as exc:
                broken.append((name, str(exc) if isinstance(exc, PlannerError) else
                               str(message("cases.caseload.damaged", kind=type(exc).__name__))))
        return caseload(datas, batch=batch, broken=broken)

    def close(self) -> None:
        self._store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<CaseBook {self.location}>"


#: What reading a damaged case raises (a stored value no command would write).
_DAMAGED = (PlannerError, ArithmeticError, ValueError, KeyError, TypeError, OverflowError, IndexError)


class _WithId:
    """A case's data with its row id (inside a write)."""

    def __init__(self, data: CaseData, case_id: int):
        self._data, self.id = data, case_id

    def __getattr__(self, key):
        return getattr(self._data, key)


def _unknown_case(name: str) -> PlannerError:
    return PlannerError("cases.book.no_case_named_book", name=name)


def _unknown_debt(debt: str, names: Sequence[str], where: str = "debt") -> PlannerError:
    return unknown_debt(debt, names, where)


def _check_answer(answer: str) -> None:
    if answer not in ANSWERS:
        raise PlannerError(
            "cases.book.answer",
            answers=Message('、'.join(ANSWERS), ', '.join(ANSWERS)),
            answer=answer,
        )


def _from_month(data, from_month) -> str:
    index = month_index(from_month, "from")
    if index < month_index(data.start):
        raise PlannerError("cases.book.before_cases_start", index=month_name(index), start=data.start)
    return month_name(index)


def _insert_agreement(conn, data, adjustment: Adjustment, month: str, confirmed: bool) -> int:
    """The one path by which an agreement enters the book (:meth:`CaseBook.agree` and an
    accepted, confirmed ask)."""
    from . import store as s

    adjustment.selects(list(data.debts))
    return conn.execute(
        s.agreements.insert().values(
            case_id=data.id, debt=json.dumps(_selector_json(adjustment.debt), ensure_ascii=False), action=adjustment.action,
            params=json.dumps(_params_to_json(adjustment.params), ensure_ascii=False), from_month=month,
            confirmed=bool(confirmed), created_at=_now(),
        )
    ).inserted_primary_key[0]


def _utc_text(when) -> str:
    from datetime import timezone

    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contact_time(at_utc: str, offset: int, zone: str | None):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    when = datetime.strptime(at_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    if zone:
        try:
            local = when.astimezone(ZoneInfo(zone))
            if int(local.utcoffset().total_seconds() // 60) == offset:
                return local
        except Exception:  # noqa: BLE001 - an unknown zone here falls back to the stored offset
            pass
    return when.astimezone(timezone(timedelta(minutes=offset)))


def _make_private_folder(folder: Path) -> None:
    """The evidence folder, created readable by its owner only (0700)."""
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)  # whatever the umask
        elif not folder.is_dir():
            raise PlannerError("cases.book.evidence_folder_not_folder", folder=folder)
    except OSError as exc:
        raise PlannerError("cases.book.cannot_create_evidence_folder", folder=folder, strerror=exc.strerror) from None


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


#: A stored evidence copy: ``<sha256><suffix>`` (see :func:`planner.io.evidence.stored_path`).
_STORED = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")
#: A staging folder older than this is stale whoever made it (a process on another machine).
_STALE_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _clean_staging(folder: Path, *, everything: bool = False) -> list[Path]:
    """Remove the ``.staging-<pid>-<random>`` folders of intakes that died mid-copy (their process is
    gone, or they are a day old; ``everything``: all of them). Returns those that could not be removed."""
    import time

    left: list[Path] = []
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(".staging-")]
    except OSError:
        return left
    for entry in entries:
        try:
            pid = int(entry.name.split("-")[1])
        except (IndexError, ValueError):
            pid = -1
        try:
            old = time.time() - entry.lstat().st_mtime > _STALE_SECONDS
        except OSError:
            continue
        if everything or old or pid <= 0 or not _alive(pid):
            if entry.is_dir() and not entry.is_symlink():
                _remove_tree(entry)
            else:
                entry.unlink(missing_ok=True)
            if os.path.lexists(entry):
                left.append(entry)
    return left


def _stored_name(file: str, sha256: str) -> str | None:
    """The name of the stored copy of a file kept as evidence (None for a row that names no valid copy)."""
    from ..io.evidence import stored_path

    try:
        return stored_path(Evidence(str(file), str(sha256), 0), ".").name
    except PlannerError:
        return None


def _unlink(path: Path, left: list[Path]) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        left.append(path)


def contact_log(data: CaseData) -> list[dict]:
    """The contacts of a case in time order, each as ``{"id", "at" (ISO with offset), "zone", "debt",
    "channel", "direction", "who", "summary", "consent", "evidence": [{"file", "sha256", "size"}],
    "flags": [rule ids]}`` (flags from :func:`planner.conduct.flag_contacts`)."""
    contacts = [c.contact for c in data.contacts]
    flags = flag_contacts(contacts) if contacts else []
    return [
        {
            "id": r.id, "at": r.contact.at.isoformat(), "zone": r.zone, "debt": r.contact.debt, "channel": r.contact.channel,
            "direction": r.contact.direction, "who": r.contact.who, "summary": r.contact.summary, "consent": r.contact.consent,
            "evidence": [{"file": e.file, "sha256": e.sha256, "size": e.size} for e in r.contact.evidence], "flags": list(f),
        }
        for r, f in zip(data.contacts, flags)
    ]


def _debt_detail(d: Debt, steps: Mapping | None = None) -> str:
    """The ``detail`` JSON of a debt row: the Debt's other fields, and its checklist after clearing when it has one."""
    detail = _detail(d)
    if steps:
        detail["clearance"] = {k: steps[k] for k in CLEARANCE_ITEMS if steps.get(k)}
    return json.dumps(detail, ensure_ascii=False)


def _insert_debts(conn, case_id: int, debts: Sequence[Debt], clearance: Mapping | None = None) -> None:
    from . import store as s

    clearance = clearance or {}
    conn.execute(
        s.debts.insert(),
        [
            {
                "case_id": case_id, "position": k, "name": d.name, "kind": d.kind, "balance": to_cents(d.balance), "apr": str(d.apr),
                "min_payment": to_cents(d.min_payment), "fees_owed": to_cents(d.fees_owed), "detail": _debt_detail(d, clearance.get(d.name)),
            }
            for k, d in enumerate(debts)
        ],
    )


def case_to_json(data: CaseData) -> dict:
    position = {a.id: k for k, a in enumerate(data.agreements)}
    return {
        "format": EXPORT_FORMAT,
        "name": data.name,
        "start": data.start,
        "strategy": data.strategy,
        "order": list(data.order) if data.order else None,
        "source_name": data.source_name,
        "source_sha256": data.source_sha256,
        "created_at": data.created_at,
        "updated_at": data.updated_at,
        "debts": [{**debt_to_dict(d), **({"clearance": dict(data.clearance[d.name])} if data.clearance.get(d.name) else {})} for d in data.debts],
        "budgets": [{"month": m, "amount": c} for m, c in sorted(data.budgets.items())],
        "agreements": [
            {
                "debt": _selector_json(a.adjustment.debt), "action": a.action, "params": _params_to_json(a.adjustment.params),
                "from": a.from_month, "confirmed": a.confirmed, "created_at": a.created_at,
            }
            for a in data.agreements
        ],
        "payments": [{"month": m, "debt": d, "amount": c} for (m, d), c in sorted(data.payments.items())],
        "statements": [{"month": m, "debt": d, "balance": c} for (m, d), c in sorted(data.statements.items())],
        "replans": [
            {
                "made_at": r.made_at, "reason": r.reason, "start": r.start, "budget": to_cents(r.budget), "strategy": r.strategy,
                "debts": [debt_to_dict(d) for d in r.debts], "agreements": [position[i] for i in r.agreements if i in position], "summary": r.summary,
            }
            for r in data.replans
        ],
        "contacts": [{k: v for k, v in c.items() if k not in ("id", "flags")} for c in contact_log(data)],
        "asks": [
            {
                "debt": _selector_json(a.adjustment.debt), "action": a.action, "params": _params_to_json(a.adjustment.params), "from": a.from_month,
                "answer": a.answer, "counter": a.counter, "confirmed": a.confirmed,
                "agreement": position.get(a.agreement_id) if a.agreement_id is not None else None, "created_at": a.created_at,
            }
            for a in data.asks
        ],
        "budget_statements": [b.to_dict() for b in data.budget_statements],
    }


def _insert_case(conn, case: dict) -> None:
    """Insert a case checked by :func:`planner.cases.imports.check_case_json`."""
    from . import store as s

    case_id = conn.execute(
        s.cases.insert().values(
            name=case["name"], start=case["start"], strategy=case["strategy"],
            custom_order=json.dumps(case["order"], ensure_ascii=False) if case["order"] else None,
            source_name=case["source_name"], source_sha256=case["source_sha256"], created_at=case["created_at"], updated_at=case["updated_at"],
        )
    ).inserted_primary_key[0]
    _insert_debts(conn, case_id, case["debts"], case.get("clearance"))
    conn.execute(s.budgets.insert(), [{"case_id": case_id, "month": m, "amount": c} for m, c in sorted(case["budgets"].items())])
    ids = []  # the re-plans and asks name agreements by their position in the export
    for a in case["agreements"]:
        ids.append(conn.execute(
            s.agreements.insert().values(
                case_id=case_id, debt=json.dumps(a["debt"], ensure_ascii=False), action=a["action"], params=json.dumps(a["params"], ensure_ascii=False),
                from_month=a["from"], confirmed=a["confirmed"], created_at=a["created_at"],
            )
        ).inserted_primary_key[0])
    if case["payments"]:  # one executemany per table
        conn.execute(s.payments.insert(), [{"case_id": case_id, **p} for p in case["payments"]])
    if case["statements"]:
        conn.execute(s.statements.insert(), [{"case_id": case_id, **x} for x in case["statements"]])
    for r in case["replans"]:
        conn.execute(
            s.replans.insert().values(
                case_id=case_id, made_at=r["made_at"], reason=r["reason"], start=r["start"], budget=r["budget"], strategy=r["strategy"],
                debts=json.dumps(r["debts"], ensure_ascii=False), agreements=json.dumps([ids[k] for k in r["agreements"]]), summary=json.dumps(r["summary"]),
            )
        )
    for c in case["contacts"]:  # evidence by its fingerprint (the files travel separately)
        contact = c["contact"]
        contact_id = conn.execute(
            s.contacts.insert().values(
                case_id=case_id, at_utc=_utc_text(contact.at), utc_offset=int(contact.at.utcoffset().total_seconds() // 60), zone=c["zone"],
                debt=contact.debt, channel=contact.channel, direction=contact.direction, who=contact.who, summary=contact.summary,
                consent=contact.consent, created_at=c["created_at"] or _now(),
            )
        ).inserted_primary_key[0]
        for e in contact.evidence:
            conn.execute(s.evidence.insert().values(case_id=case_id, contact_id=contact_id, file=e.file, sha256=e.sha256, size=e.size))
    for b in case.get("budget_statements", ()):
        conn.execute(s.budget_statements.insert().values(
            case_id=case_id, version=b["version"], month=b["month"], statement=json.dumps(b["statement"].to_dict(), ensure_ascii=False),
            created_at=b["created_at"],
        ))
    for a in case["asks"]:
        conn.execute(
            s.asks.insert().values(
                case_id=case_id, debt=json.dumps(a["debt"], ensure_ascii=False), action=a["action"], params=json.dumps(a["params"], ensure_ascii=False),
                from_month=a["from"], answer=a["answer"], counter=a["counter"], confirmed=a["confirmed"],
                agreement_id=ids[a["agreement"]] if a["agreement"] is not None else None, created_at=a["created_at"], updated_at=a["created_at"],
            )
        )


class Case:
    """One case of a :class:`CaseBook`: its stored data, and methods that record and answer.

    Each recording method writes one transaction and returns the case as it now is.
    """

    def __init__(self, book: CaseBook, data: CaseData):
        self.book = book
        self.data = data

    @property
    def name(self) -> str:
        return self.data.name

    def pay(self, month, amounts: Mapping[str, object]) -> Case:
        return self.book.pay(self.name, month, amounts)

    def pay_file(self, path) -> Case:
        return self.book.pay_file(self.name, path)

    def pay_planned(self, month) -> Case:
        """Record that ``month`` went exactly as the plan in force says (the one-click month)."""
        amounts = {name: amount for name, amount in self.planned_payments(month).items() if amount}
        if not amounts:
            raise PlannerError("cases.book.plan_no_payment_due", month=month)
        return self.pay(month, amounts)

    def balance(self, month, debt: str, balance) -> Case:
        return self.book.balance(self.name, month, debt, balance)

    def agree(self, debt, action: str, from_month, *, confirmed: bool = False, **params) -> Case:
        return self.book.agree(self.name, debt, action, from_month, confirmed=confirmed, **params)

    def add_contact(self, debt: str, at, **kwargs) -> Case:
        return self.book.add_contact(self.name, debt, at, **kwargs)

    def set_statement(self, statement, month=None, *, people: int = 1) -> Case:
        return self.book.set_statement(self.name, statement, month, people=people)

    @property
    def statement(self):
        """The latest budget statement (a :class:`planner.budget.Statement`), or None."""
        return self.data.budget_statement

    def fair_shares(self, *, floor=None):
        return self.book.fair_shares(self.name, floor=floor)

    def accept_offer(self, offer, from_month=None, *, confirmed: bool = False, frozen: bool = True) -> Case:
        return self.book.accept_offer(self.name, offer, from_month, confirmed=confirmed, frozen=frozen)

    def contacts(self) -> list[dict]:
        """The contact log with each contact's flags (see :func:`contact_log`) and whether each
        evidence copy is intact (see :meth:`CaseBook.contacts`)."""
        return self.book._checked(contact_log(self.data))

    def ask(self, debt, action: str, from_month=None, **kwargs) -> Case:
        return self.book.ask(self.name, debt, action, from_month, **kwargs)

    def clear(self, debt: str, **steps) -> Case:
        """Record a step of ``debt``'s checklist after clearing (see :meth:`CaseBook.clear`)."""
        return self.book.clear(self.name, debt, **steps)

    def checklists(self, *, open_only: bool = False):
        """The checklists after clearing of this case's cleared debts (``open_only``: those with a step to do)."""
        from .clearance import open_checklists

        return (open_checklists if open_only else checklists)(self.data, self.track())

    def calendar(self, *, months: int = 12, lang: str = "zh", lead_days: int = 3, default_day: int = 1):
        """The payment calendar of the plan in force from the book's current month (see :func:`planner.calendar.payment_calendar`)."""
        from ..calendar import payment_calendar

        p = self.plan()
        first = max(month_index(p.calendar_month(1)), month_index(self.book.today))
        return payment_calendar(p, months=months, first=month_name(first), lang=lang, lead_days=lead_days, default_day=default_day, key=self.name)

    def answer(self, ask_id: int, answer: str, **kwargs) -> Case:
        return self.book.answer(self.name, ask_id, answer, **kwargs)

    def replan(self, *, budget=None, reason: str = "", strategy: str | None = None) -> Case:
        return self.book.replan(self.name, budget=budget, reason=reason, strategy=strategy)

    def status(self) -> Status:
        return status_of(self.data)

    def progress(self) -> Progress:
        """The data of the progress chart (see :func:`planner.charts` ``progress_chart``)."""
        return progress_of(self.data)

    def plan(self):
        """The plan in force (a :class:`planner.result.Plan`)."""
        return plan_in_force(self.data)

    def track(self) -> Track:
        return track_of(self.data)

    def planned_payments(self, month) -> dict[str, Decimal]:
        """What the plan in force pays each debt in calendar ``month`` (pre-fills a month's form)."""
        p = self.plan()
        k = month_index(month) - month_index(p.calendar_month(1)) + 1
        return {r["debt"]: r["payment"] for r in p.month_rows(k)} if k >= 1 else {}

    def to_json(self) -> dict:
        return case_to_json(self.data)

    def __repr__(self):
        return f"<Case {self.name!r} from {self.data.start}, {len(self.data.debts)} debts>"

    def _repr_html_(self):
        return self.status()._repr_html_()


__all__ = [
    "EVIDENCE_ENV",
    "Case",
    "CaseBook",
    "case_to_json",
    "contact_log",
    "parse_contact_time",
]
