"""Every error and warning the planner raises, in one module.

All errors derive from :class:`PlannerError`, itself a :class:`ValueError`, so
callers can catch one class. An error is made from a key of the error catalogue
(``data/errors.toml``) and fields; it carries its message in each language,
:attr:`PlannerError.zh` and :attr:`PlannerError.en`, and ``str()`` shows both
(Chinese first). A message names the file, row, column and value, and says how
to fix the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from .datafiles import read_toml

from .display import escape_controls


#: Where error texts live: ``data/errors.toml``, one table per module, each text ``{en, zh}``.
ERRORS_FILE = "errors.toml"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every error text, flattened: ``{"engine.horizon_range": {"en": ..., "zh": ...}}``.

    Read from ``data/errors.toml`` through :mod:`planner.datafiles` (not :mod:`planner.i18n`,
    which imports this module); :func:`planner.i18n.labels` merges the same table, so
    :func:`planner.i18n.t` looks these keys up too.

    >>> catalogue()["engine.budget_negative"]["en"]
    'the budget cannot be negative: {budget}'
    """
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict) -> None:
        for name, entry in table.items():
            key = f"{prefix}.{name}" if prefix else name
            if isinstance(entry, dict) and isinstance(entry.get("en"), str):
                out[key] = entry
            elif isinstance(entry, dict):
                walk(key, entry)

    walk("", read_toml(ERRORS_FILE))
    return out


def _in(lang: str, value):
    """``value`` in ``lang`` when it carries both languages (a :class:`Message`, a
    :class:`PlannerError`, a ``ParseError``: anything with ``zh`` and ``en`` texts)."""
    zh, en = getattr(value, "zh", None), getattr(value, "en", None)
    if isinstance(zh, str) and isinstance(en, str):
        return zh if lang == "zh" else en
    return value


def render(key: str, lang: str, /, **fields) -> str:
    """The error text ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``fields``.

    A field that carries both languages (a :class:`Message`, a :class:`PlannerError`)
    is put in as its text in ``lang``, so a message built from parts stays in one language.

    Parameters
    ----------
    key : str
        A key of :func:`catalogue` (``data/errors.toml``).
    lang : {"zh", "en"}
        The language of the text.
    **fields
        The values the text names (``{budget}``).

    Returns
    -------
    str
        The text in ``lang``, its fields filled in.

    Raises
    ------
    KeyError
        For a key that is not in the catalogue, a language it has no text in, or a field
        the text names that is not given.

    Examples
    --------
    >>> render("engine.budget_negative", "zh", budget=-1)
    '预算不能为负数：-1'
    """
    text = catalogue()[key][lang]
    if not fields:
        return text
    return text.format(**{name: _in(lang, value) for name, value in fields.items()})


class Message(NamedTuple):
    """A text in both languages: :attr:`zh` and :attr:`en`; ``str()`` is ``"zh / en"``.

    Used where a message is built from parts (a field of another message, a warning).

    >>> m = message("engine.budget_negative", budget=-1)
    >>> m.en, str(m)
    ('the budget cannot be negative: -1', '预算不能为负数：-1 / the budget cannot be negative: -1')
    """

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def text(self, lang: str = "en") -> str:
        """The message in one language."""
        return self.zh if lang == "zh" else self.en


def message(key: str, /, **fields) -> Message:
    """The catalogue text ``key`` in both languages, as a :class:`Message`.

    Parameters
    ----------
    key : str
        A key of :func:`catalogue` (``data/errors.toml``).
    **fields
        The values the texts name (``{budget}``); one that carries both languages
        (a :class:`Message`, a :class:`PlannerError`) is put in per language.

    Returns
    -------
    Message
        The text in Chinese (:attr:`Message.zh`) and in English (:attr:`Message.en`).

    Raises
    ------
    KeyError
        For a key that is not in the catalogue, or a field its texts name that is not given.

    Examples
    --------
    >>> message("engine.budget_negative", budget=-1).en
    'the budget cannot be negative: -1'
    """
    return Message(render(key, "zh", **fields), render(key, "en", **fields))


class PlannerError(ValueError):
    """Base class of every error the planner raises on purpose.

    Made from a key of the error catalogue (``data/errors.toml``) and the fields its
    texts name; carries the message in each language, :attr:`zh` and :attr:`en`
    (each in that one language, so a widget in Chinese shows only :attr:`zh`), the
    :attr:`key` and :attr:`fields`, and where known the :attr:`file`, :attr:`row`,
    :attr:`column` and :attr:`value` it is about (``None`` when not known).
    ``str(exc)`` is ``"zh / en"``.

    Parameters
    ----------
    key : str
        A key of :func:`catalogue`.
    file, row, column, value : optional
        Where the problem is, as far as the raiser knows (also usable in the texts).
    **fields
        The values the texts name (``{budget}``); one that carries both languages
        (a :class:`Message`, another :class:`PlannerError`) is put in per language.

    Examples
    --------
    >>> e = PlannerError("engine.budget_negative", budget=-1, value=-1)
    >>> str(e)
    '预算不能为负数：-1 / the budget cannot be negative: -1'
    >>> e.key, e.fields, e.en, e.value
    ('engine.budget_negative', {'budget': -1}, 'the budget cannot be negative: -1', -1)
    """

    def __init__(self, key: str = "", en: str | None = None, /, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None, **fields):
        self.file, self.row, self.column, self.value = file, row, column, value
        if en is None and key in catalogue():
            self.key, self.fields = key, fields
            names = {"file": file, "row": row, "column": column, "value": value, **fields}
            self.zh, self.en = render(key, "zh", **names), render(key, "en", **names)
            super().__init__(f"{self.zh} / {self.en}")
        else:
            # Not a key: a text written out, (zh, en) or one text for both (as before the
            # catalogue; tests/core/test_error_keys.py keeps planner/ itself from doing this).
            self.key, self.fields = None, fields
            self.zh, self.en = key, key if en is None else en
            super().__init__(key if en is None else f"{key} / {en}")

    def text(self, lang: str = "en") -> str:
        """The message in one language (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en

    @classmethod
    def like(cls, exc: PlannerError) -> PlannerError:
        """A plain error of this class saying what ``exc`` says: its texts, key, fields and place
        (a subclass's own state, such as a shortfall, left behind).

        >>> PlannerError.like(InfeasibleBudgetError(100, 150)).en.startswith("The budget of ¥100.00")
        True
        """
        new = cls.__new__(cls)
        ValueError.__init__(new, *exc.args)
        new.zh, new.en = exc.zh, exc.en
        new.key, new.fields = getattr(exc, "key", None), dict(getattr(exc, "fields", None) or {})
        new.file, new.row, new.column, new.value = exc.file, exc.row, exc.column, exc.value
        return new

    def __reduce__(self):  # keep the fields across processes (batch workers)
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls, args, state):
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what is wrong, how to fix it.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1
    when it is the first line), or ``None`` for a problem with the whole file.
    """

    zh: str
    en: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    #: The catalogue key and fields it was made from (:meth:`of`), ``None`` for a copied text.
    key: str | None = field(default=None, compare=False)
    fields: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, key: str, row: int | None = None, column: str | None = None, value: str | None = None,
           /, **fields) -> Problem:
        """The problem ``key`` of the error catalogue, rendered in each language with ``fields``.

        >>> Problem.of("io.loader.too_many_rows", 2, "name", max_debts=500).en
        "too many rows (more than 500 debts). List one person's debts; for many portfolios use `planner batch`."
        """
        return cls(render(key, "zh", **fields), render(key, "en", **fields), row, column, value, key, fields)

    @classmethod
    def from_error(cls, exc, row: int | None = None, column: str | None = None, value: str | None = None) -> Problem:
        """The problem an error (a :class:`PlannerError`, a ``ParseError``) describes, at a place."""
        return cls(exc.zh, exc.en, row, column, value, getattr(exc, "key", None), dict(getattr(exc, "fields", {})))

    def text(self, lang: str = "en") -> str:
        """The problem in one language (``"zh"`` or ``"en"``), where it is first.

        >>> Problem("不是金额", "not an amount", row=2, column="balance", value="abc").text("zh")
        '第 2 行，列「balance」，值 “abc”：不是金额'
        """
        zh, en = str(self).split("\n    ", 1)
        return zh if lang == "zh" else en

    def __str__(self) -> str:
        where_zh, where_en = [], []
        if self.row is not None:
            where_zh.append(f"第 {self.row} 行")
            where_en.append(f"row {self.row}")
        if self.column is not None:
            column = escape_controls(self.column)  # a header from the file: never raw control characters
            where_zh.append(f"列「{column}」")
            where_en.append(f"column '{column}'")
        if self.value is not None:
            shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
            where_zh.append(f"值 “{escape_controls(shown)}”")
            where_en.append(f"value {shown!r}")
        prefix_zh = "，".join(where_zh)
        prefix_en = ", ".join(where_en)
        zh = f"{prefix_zh}：{self.zh}" if prefix_zh else self.zh
        en = f"{prefix_en}: {self.en}" if prefix_en else self.en
        return f"{zh}\n    {en}"


class InputError(PlannerError):
    """A file or table of debts (or scenarios) that cannot be used as given.

    Holds every problem found, not only the first, in :attr:`problems` (a long
    table lists the first few and counts the rest: :attr:`total`).
    """

    def __init__(self, problems: list[Problem], source: str | None = None, total: int | None = None):
        self.problems = list(problems)
        self.source = source
        #: How many problems there are; more than listed when a long table lists only the first few.
        self.total = len(self.problems) if total is None else total
        n = self.total
        where = {"zh": f"{source}：" if source else "", "en": f"{source}: " if source else ""}
        key = "errors.problems_found" if n != 1 else "errors.problem_found"
        head = {lang: where[lang] + render(key, lang, n=n) for lang in ("zh", "en")}
        super().__init__(key, n=n)
        self.zh, self.en = ("\n".join([head[lang], *(f"  - {p.text(lang)}" for p in self.problems)]) for lang in ("zh", "en"))
        body = "\n".join(f"  - {p}" for p in self.problems)
        self.args = (f"{head['zh']}\n{head['en']}\n{body}",)
        self.file = source


class InfeasibleBudgetError(PlannerError):
    """The monthly budget does not cover the minimum payments.

    :attr:`shortfall` is how much more is needed (a Decimal, in yuan), and
    :attr:`month` the first month where the budget falls short.
    """

    def __init__(self, budget, required, month: int = 1):
        self.budget = budget
        self.required = required
        self.shortfall = required - budget
        self.month = month
        super().__init__("errors.budget_short", budget=budget, required=required, shortfall=self.shortfall, month=month)
        self.args = (f"{self.zh}\n{self.en}",)


class PlannerWarning(UserWarning):
    """Input that is valid but looks wrong (for example 0.18 meant as 18%)."""


def unknown_debt(name, names, where: str = "") -> PlannerError:
    """The refusal of a debt name a case does not have: it suggests the closest name, if one is
    close (difflib), and never lists every debt of the case.

    Parameters
    ----------
    name : str
        The name as typed.
    names : iterable of str
        The debts of the case (only the closest one is ever shown).
    where : str, optional
        Where the name was typed (a file and row), put before the message.

    Returns
    -------
    PlannerError
        The bilingual refusal; the caller stops with it.

    Examples
    --------
    >>> str(unknown_debt("Jiebei", ["Jiebai", "Huabei"]))
    "找不到债务「Jiebei」；是否指「Jiebai」？ / no debt named 'Jiebei'; did you mean 'Jiebai'?"
    """
    import difflib

    close = difflib.get_close_matches(str(name), [str(n) for n in names], n=1, cutoff=0.5)
    at = Message(f"{where}：", f"{where}: ") if where else Message("", "")
    if close:
        return PlannerError("errors.unknown_debt_close", at=at, name=name, close=close[0])
    return PlannerError("errors.unknown_debt", at=at, name=name)


__all__ = [
    "InfeasibleBudgetError",
    "InputError",
    "Message",
    "PlannerError",
    "PlannerWarning",
    "Problem",
    "catalogue",
    "message",
    "render",
    "unknown_debt",
]
