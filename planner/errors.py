"""Every error and warning the planner raises, in one module.

All errors derive from :class:`PlannerError`, itself a :class:`ValueError`, so
callers can catch one class. Messages that a person reads are bilingual
(Chinese first, then English) and name the file, row, column and value, and
say how to fix the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from .display import escape_controls


class PlannerError(ValueError):
    """Base class of every error the planner raises on purpose.

    Carries the message in both languages, :attr:`zh` and :attr:`en`, and where
    known the :attr:`file`, :attr:`row`, :attr:`column` and :attr:`value` it is
    about (``None`` when not known). ``str(exc)`` is ``"zh / en"``.

    Parameters
    ----------
    zh : str
        The message in Chinese; or, with no ``en``, the whole (already
        bilingual) message, which is then both :attr:`zh` and :attr:`en`.
    en : str, optional
        The message in English.
    file, row, column, value : optional
        Where the problem is, as far as the raiser knows.

    Examples
    --------
    >>> e = PlannerError("不是数字", "not a number: 'x'", column="apr", value="x")
    >>> str(e), e.en, e.column, e.row
    ("不是数字 / not a number: 'x'", "not a number: 'x'", 'apr', None)
    >>> PlannerError("预算不足 / budget too low").zh
    '预算不足 / budget too low'
    """

    def __init__(self, zh: str = "", en: str | None = None, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None):
        self.zh = zh
        self.en = zh if en is None else en
        self.file, self.row, self.column, self.value = file, row, column, value
        super().__init__(zh if en is None else f"{zh} / {en}")

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
        head_zh = f"{source}：" if source else ""
        head_en = f"{source}: " if source else ""
        header = (
            f"{head_zh}发现 {n} 个问题，请修改后重试。\n"
            f"{head_en}{n} problem{'s' if n != 1 else ''} found; please fix and try again."
        )
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{header}\n{body}")
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
        zh = (
            f"第 {month} 个月的预算 ¥{budget:,.2f} 不够支付最低还款合计 ¥{required:,.2f}，"
            f"还差 ¥{self.shortfall:,.2f}。请提高预算，或先与贷款方协商降低月供。"
        )
        en = (
            f"The budget of ¥{budget:,.2f} in month {month} does not cover the minimum "
            f"payments of ¥{required:,.2f}: it is ¥{self.shortfall:,.2f} short. Raise the "
            f"budget, or negotiate lower monthly payments first."
        )
        super().__init__(f"{zh}\n{en}")
        self.zh, self.en = zh, en


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
    at = f"{where}：" if where else ""
    at_en = f"{where}: " if where else ""
    if close:
        return PlannerError(f"{at}找不到债务「{name}」；是否指「{close[0]}」？ / {at_en}no debt named {name!r}; did you mean {close[0]!r}?")
    return PlannerError(
        f"{at}找不到债务「{name}」；请按债务清单上的名称填写（planner case show 可查看）。 / "
        f"{at_en}no debt named {name!r}; give the name as on the debt list (see planner case show)."
    )


__all__ = [
    "InfeasibleBudgetError",
    "InputError",
    "PlannerError",
    "PlannerWarning",
    "Problem",
    "unknown_debt",
]
