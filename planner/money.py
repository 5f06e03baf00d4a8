"""Exact money: parsing, the one rounding rule, and integer cents.

Inside the engine every amount is an ``int`` of cents (分). At the edges money
is a :class:`~decimal.Decimal` of yuan with two places. The single rounding
rule is half-up to the cent (四舍五入), applied by :func:`round_cents` and
:func:`half_up` (:func:`div_round` for signed amounts); nothing else in the package rounds money.

>>> parse_money("￥12,000")
Decimal('12000.00')
>>> parse_money("1.2万")
Decimal('12000.00')
>>> parse_rate("0.05%/日")
(Decimal('0.05'), 'day')
>>> to_cents(Decimal("0.125"))   # half-up: 12.5 cents becomes 13
13
>>> div_round(5, 2)
3
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

_CURRENCY = re.compile(r"^(?:rmb|cny)|^[¥$]|元$|(?:rmb|cny)$", re.IGNORECASE)
_UNITS = {"万": Decimal(10000), "千": Decimal(1000), "w": Decimal(10000), "k": Decimal(1000)}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_PER_DAY = re.compile(r"(?:/|每|per\s*)?(?:日|天|day|d)$", re.IGNORECASE)
_PER_MONTH = re.compile(r"(?:/|每|per\s*)?(?:月|month|mo|m)$", re.IGNORECASE)
_PER_YEAR = re.compile(r"(?:/|每|per\s*)?(?:年|year|yr|y|pa)$", re.IGNORECASE)


class ParseError(ValueError):
    """A single value that cannot be read; the loader adds row and column.

    Made from a key of the error catalogue and its fields, as a
    :class:`~planner.errors.PlannerError` is (:attr:`key`, :attr:`fields`, :attr:`zh`, :attr:`en`);
    ``str()`` is the English text.

    >>> ParseError("money.parse.not_number").zh
    '不是数字'
    """

    def __init__(self, key: str, en: str | None = None, /, **fields):
        from .errors import catalogue, render

        if en is None and key in catalogue():
            self.key, self.fields = key, fields
            self.zh, self.en = render(key, "zh", **fields), render(key, "en", **fields)
        else:  # a text written out, (zh, en): tests/core/test_error_keys.py keeps planner/ from doing this
            self.key, self.fields = None, {}
            self.zh, self.en = key, key if en is None else en
        super().__init__(self.en)


class SubCentError(ParseError):
    """An amount with a fraction of a cent (``"0.001"``) where money is taken exactly."""

    def __init__(self):
        super().__init__("money.parse.sub_cent")


class SeparatorError(ParseError):
    """A comma (or space) inside a number that is not a thousands separator: ``"1,2"``, ``"12.000,50"``."""

    def __init__(self):
        super().__init__("money.parse.separator")


# A run of digits with separators in it, and the only shapes a thousands separator takes:
# one kind of separator, a first group of one to three digits, then groups of exactly three.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[, ][0-9]+)+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+")


def _ungroup(s: str) -> str:
    """``s`` without its thousands separators; other commas and spaces between digits are refused.

    Spaces that do not stand between two digits are only spacing ("RMB 500", "18 %") and are
    dropped; a comma elsewhere stays for the number parser to refuse.

    >>> _ungroup("12,000.50"), _ungroup("¥1 234 567"), _ungroup("RMB 500")
    ('12000.50', '¥1234567', 'RMB500')
    >>> _ungroup("1,2")
    Traceback (most recent call last):
    ...
    planner.money.SeparatorError: a comma (or space) in a number is only a thousands separator, in groups of three digits as in 12,000; write decimals with a point, e.g. 1.2 or 12000.50.
    """
    s = re.sub(r"(?<![0-9]) +| +(?![0-9])", "", s)
    out, last = [], 0
    for m in _DIGIT_RUN.finditer(s):
        before = s[: m.start()].rstrip()
        if not _GROUPED.fullmatch(m[0]) or before.endswith((".", ",")) or s[m.end() : m.end() + 1] == ",":
            raise SeparatorError()
        out.append(s[last : m.start()] + m[0].replace(",", "").replace(" ", ""))
        last = m.end()
    s = "".join(out) + s[last:]
    if "," in s:
        raise SeparatorError()
    return s


#: Code points that show nothing (Unicode's Default_Ignorable_Code_Point, DerivedCoreProperties.txt,
#: Unicode 15): zero-width space and joiners, a BOM inside a cell, bidi marks, the soft hyphen,
#: variation selectors, Hangul fillers, tags. Every other format character (category Cf) goes too.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_IGNORABLE = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _IGNORABLE_RANGES) + "]")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or bool(_IGNORABLE.match(ch))


def normalise(text: str) -> str:
    """The one normalisation of every cell, header and name: NFKC (full-width digits, ％ and ￥
    become ASCII), invisible characters removed (zero-width space, a BOM inside a cell, other
    format characters: "a", "a\u200b" and "\ufeffa" are one name), then trimmed.

    Parameters
    ----------
    text : str
        A cell, header or name as read.

    Returns
    -------
    str
        The NFKC form without invisible characters, stripped of surrounding white space.

    Examples
    --------
    >>> normalise("\ufeff借呗\u200b "), normalise("１２，０００"), normalise("a\u2060b")
    ('借呗', '12,000', 'ab')
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = "".join(ch for ch in text if not _invisible(ch))
    return text.strip()


#: No amount or rate a person writes has more significant digits or decimal places
#: than this, nor more digits before the point than ``MAX_INTEGER_DIGITS``. Beyond
#: that a number is a typo or hostile: "1e999999" overflows the decimal context, and
#: "1e-9999999" as a rate would make the exact monthly ratio an integer of millions
#: of digits (a hang).
MAX_DIGITS = 30
MAX_INTEGER_DIGITS = 20


def reasonable(value: Decimal) -> bool:
    """Whether a finite Decimal has a sane size (see :data:`MAX_DIGITS`).

    Parameters
    ----------
    value : Decimal
        Any Decimal; NaN and infinities are not reasonable.

    Returns
    -------
    bool
        True when ``value`` is finite, has at most :data:`MAX_DIGITS` significant digits and
        decimal places, and at most :data:`MAX_INTEGER_DIGITS` digits before the point.

    Examples
    --------
    >>> reasonable(Decimal("12000.50")), reasonable(Decimal("1e999999")), reasonable(Decimal("1e-99"))
    (True, False, False)
    >>> reasonable(Decimal("NaN"))
    False
    """
    if not value.is_finite():
        return False
    _, digits, exponent = value.as_tuple()
    zeros = 0  # trailing zeros are not significant: 1.500 has two digits and one place
    while zeros < len(digits) - 1 and digits[-1 - zeros] == 0:
        zeros += 1
    significant, exponent = len(digits) - zeros, exponent + zeros
    if not any(digits):
        return exponent >= -MAX_DIGITS
    return significant <= MAX_DIGITS and exponent >= -MAX_DIGITS and exponent + significant <= MAX_INTEGER_DIGITS


def _decimal(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise ParseError("money.parse.not_number")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex rules this out
        raise ParseError("money.parse.not_number") from None
    if not value.is_finite():  # pragma: no cover - the regex rules this out
        raise ParseError("money.parse.not_finite_number")
    if not reasonable(value):
        raise ParseError("money.parse.too_many_digits")
    return value


def parse_number(text: str) -> Decimal:
    """A plain number, allowing thousands separators: ``"1,234.5"``.

    Parameters
    ----------
    text : str
        The number as written; it is passed through :func:`normalise` first (full-width digits are read).

    Returns
    -------
    Decimal
        The exact value, not rounded.

    Raises
    ------
    ParseError
        When ``text`` is not a finite number of reasonable size (:func:`reasonable`).
    SeparatorError
        (a ParseError) When a comma or space inside the number is not a thousands separator.

    Examples
    --------
    >>> parse_number("1,234.5"), parse_number("１２")
    (Decimal('1234.5'), Decimal('12'))
    >>> parse_number("abc")
    Traceback (most recent call last):
    ...
    planner.money.ParseError: not a number
    """
    s = _ungroup(normalise(text))
    if s.lower() in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity"}:
        raise ParseError("money.parse.not_finite_number")
    return _decimal(s)


# A date, optionally with a time of day as spreadsheets and Parquet timestamps write it
# ("2023/5/10 0:00", "2023-05-10 00:00:00"): the day is what counts.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str) -> date:
    """A calendar date as people write it: ``2023-05-10``, ``2023/5/10``, ``2023年5月10日``, ``20230510``.

    >>> parse_date("2023年5月10日"), parse_date(" 2023/5/10 "), parse_date("2023-05-10 00:00:00")
    (datetime.date(2023, 5, 10), datetime.date(2023, 5, 10), datetime.date(2023, 5, 10))
    """
    s = normalise(str(text))
    m = _DATE.match(s) or _COMPACT_DATE.match(s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise ParseError("money.parse.not_date")


def as_date(value, what: str) -> date:
    """A date given to the Python API: a ``date`` (a ``datetime`` keeps its day) or text :func:`parse_date` reads.

    Anything else is a :class:`~planner.errors.PlannerError` naming ``what``.

    >>> as_date("2018-06-01", "contract_date")
    datetime.date(2018, 6, 1)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        try:
            return value.to_pydatetime().date()
        except (ValueError, TypeError):
            pass
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ParseError:
            pass
    from .errors import PlannerError

    raise PlannerError("money.not_date_write", what=what, shown=str(value)[:40], column=what, value=value)


def parse_money(text: str, *, exact: bool = False) -> Decimal:
    """Yuan as written in a spreadsheet, to a Decimal with two places.

    Accepts "12000", "￥12,000", "¥12,000.50", "12000元", "1.2万", "RMB 500".
    Rounds half-up to the cent; with ``exact``, an amount with a fraction of a
    cent ("0.001") is refused instead (:class:`SubCentError`).

    Parameters
    ----------
    text : str
        An amount of yuan, with or without a currency sign, thousands separators or
        a unit (万, 千, w, k).

    Returns
    -------
    Decimal
        Yuan, quantized to two places half-up (:func:`round_cents`).

    Raises
    ------
    ParseError
        When ``text`` is not a finite amount of reasonable size, or (:class:`SeparatorError`)
        has a comma that is not a thousands separator.

    Examples
    --------
    >>> parse_money("￥12,000"), parse_money("1.2万"), parse_money("RMB 500")
    (Decimal('12000.00'), Decimal('12000.00'), Decimal('500.00'))
    >>> parse_money("0.125")
    Decimal('0.13')
    >>> parse_money("inf")
    Traceback (most recent call last):
    ...
    planner.money.ParseError: not a finite amount
    """
    s = _ungroup(normalise(text))
    s = _CURRENCY.sub("", s)
    s = _CURRENCY.sub("", s)  # both a leading ¥ and a trailing 元
    scale = Decimal(1)
    if s and s[-1].lower() in _UNITS:
        scale = _UNITS[s[-1].lower()]
        s = s[:-1]
    if s.lower() in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity"}:
        raise ParseError("money.parse.not_finite_amount")
    value = _decimal(s) * scale
    rounded = round_cents(value)
    if exact and rounded != value:
        raise SubCentError()
    return rounded


def parse_rate(text: str) -> tuple[Decimal, str | None]:
    """A rate in percent points and the period it is quoted for.

    Returns ``(value, period)`` where ``period`` is ``"day"``, ``"month"``,
    ``"year"`` or ``None`` when the text does not say. ``"18%"`` and ``"18"``
    both give 18; ``"万5"`` (five per ten thousand) gives 0.05.

    Parameters
    ----------
    text : str
        A rate as written: ``"18%"``, ``"0.05%/日"``, ``"年化24%"``, ``"万5"``, ``"千1"``.

    Returns
    -------
    tuple of (Decimal, str or None)
        The rate in percent points (not converted to a year) and its period.

    Raises
    ------
    ParseError
        When the rate is not a finite number of reasonable size.

    Examples
    --------
    >>> parse_rate("18%"), parse_rate("万5")
    ((Decimal('18'), None), (Decimal('0.05'), None))
    >>> parse_rate("0.05%/日"), parse_rate("年化24%"), parse_rate("1.5%/月")
    ((Decimal('0.05'), 'day'), (Decimal('24'), 'year'), (Decimal('1.5'), 'month'))
    >>> parse_rate("x%")
    Traceback (most recent call last):
    ...
    planner.money.ParseError: not a number
    """
    s = _ungroup(normalise(text))
    period = None
    for name, pattern in (("day", _PER_DAY), ("month", _PER_MONTH), ("year", _PER_YEAR)):
        m = pattern.search(s)
        if m and m.start() > 0:
            period, s = name, s[: m.start()]
            break
    for prefix, period_name in (("年化", "year"), ("日", "day"), ("月", "month"), ("年", "year")):  # 年化 before 年
        if s.startswith(prefix) and len(s) > len(prefix) and period is None:
            period, s = period_name, s[len(prefix):]
    if s.startswith("万") and len(s) > 1:  # 万5 = 5 per 10,000 = 0.05%
        return _decimal(s[1:]) / 100, period
    if s.startswith("千") and len(s) > 1:  # 千1 = 1 per 1,000 = 0.1%
        return _decimal(s[1:]) / 10, period
    s = s.rstrip("%")
    if s.lower() in {"nan", "inf", "-inf", "+inf", "infinity"}:
        raise ParseError("money.parse.not_finite_rate")
    return _decimal(s), period


_MIN_PREFIX = re.compile(r"^(?:最低还款额|最低还款|最低额|最低|min(?:imum)?)\s*[:：]?\s*", re.IGNORECASE)
_MIN_SHARE = re.compile(r"^([^%+]+)%\s*(?:\+\s*(.+))?$")


def parse_minimum(text: str) -> tuple[Decimal | None, Decimal | None, Decimal]:
    """A minimum payment as written: a fixed amount, or a share of the balance with a floor.

    Returns ``(fixed, percent, floor)``: ``fixed`` yuan for an amount (``"500"``,
    ``"￥1,200"``), else ``None`` with ``percent`` the share in percent points and
    ``floor`` the least minimum in yuan (0 when none is written). Forms: ``"10%"``,
    ``"10%+50"`` (share plus floor; ``"10% + ¥50"`` too) and the same after ``最低`` or
    ``最低还款`` (``"最低10%+100"``). How the share is applied is :func:`planner.debt.minimum_due`.

    Parameters
    ----------
    text : str
        The minimum as written in a cell: an amount of money, or a share in percent with an
        optional floor, optionally after ``最低`` / ``最低还款``.

    Returns
    -------
    tuple of (Decimal or None, Decimal or None, Decimal)
        ``(fixed, percent, floor)``: ``fixed`` in yuan (to the cent) and ``percent`` ``None``
        for an amount; ``fixed`` ``None``, ``percent`` in percent points and ``floor`` in yuan
        for a share.

    Raises
    ------
    ParseError
        When the share is not a number above 0 and at most 100, or the floor or the
        amount is not an amount of money.

    Examples
    --------
    >>> parse_minimum("500"), parse_minimum("10%+50"), parse_minimum("最低5%")
    ((Decimal('500.00'), None, Decimal('0.00')), (None, Decimal('10'), Decimal('50.00')), (None, Decimal('5'), Decimal('0.00')))
    >>> parse_minimum("150%")
    Traceback (most recent call last):
    ...
    planner.money.ParseError: the minimum's share of the balance must be above 0% and at most 100%: '150%'
    """
    from .errors import message

    s = _MIN_PREFIX.sub("", normalise(text))
    match = _MIN_SHARE.match(s)
    if match is None:
        if "%" in s:
            raise ParseError(*message("money.minimum_form", text=text))
        return parse_money(s), None, Decimal("0.00")
    try:
        percent = _decimal(match.group(1).strip())
    except ParseError:
        raise ParseError(*message("money.minimum_form", text=text)) from None
    if not 0 < percent <= 100:
        raise ParseError(*message("money.minimum_share_range", text=text))
    floor = Decimal("0.00")
    if match.group(2) is not None:
        try:
            floor = parse_money(match.group(2).strip())
        except ParseError:
            raise ParseError(*message("money.minimum_form", text=text)) from None
        if floor < 0:
            raise ParseError(*message("money.minimum_form", text=text))
    return None, percent, floor


def format_minimum(percent: Decimal, floor: Decimal) -> str:
    """A share-of-balance minimum as :func:`parse_minimum` reads it back: ``"10%"``, ``"10%+50"``.

    Parameters
    ----------
    percent : Decimal
        The share of the balance, in percent points (``10`` is 10%).
    floor : Decimal
        The least minimum in yuan; 0 for none (then no ``+floor`` is written).

    Returns
    -------
    str
        ``"<percent>%"`` or ``"<percent>%+<floor>"``, both without trailing zeros.

    Examples
    --------
    >>> format_minimum(Decimal("10"), Decimal("50.00")), format_minimum(Decimal("2.5"), Decimal("0"))
    ('10%+50', '2.5%')
    """
    share = f"{_plain(percent)}%"
    return share if not floor else f"{share}+{_plain(floor)}"


def _plain(value: Decimal) -> str:
    """``value`` without trailing zeros and never in exponent form: ``50.00`` -> ``"50"``, ``12.50`` -> ``"12.5"``."""
    return format(value.normalize(), "f")


def looks_like_fraction(text: str, value: Decimal) -> bool:
    """Whether a yearly rate cell probably meant ``0.18`` as 18%: above 0, below 1, and written
    with neither a percent sign nor a period ("0.5%", "0.05%/日" say what they mean).

    >>> looks_like_fraction("0.18", Decimal("0.18")), looks_like_fraction("0.5%", Decimal("0.5"))
    (True, False)
    """
    if not 0 < value < 1:
        return False
    s = normalise(str(text))
    if "%" in s or "‰" in s:
        return False
    return not any(p.search(s) for p in (_PER_DAY, _PER_MONTH, _PER_YEAR))


def fraction_warning(where_zh: str, where_en: str, text: str, value: Decimal) -> str:
    """The bilingual warning for a rate that :func:`looks_like_fraction`; ``where_*`` names the file and row.

    >>> print(fraction_warning("第 2 行", "row 2", "0.18", Decimal("0.18")))
    第 2 行的年化利率 0.18 小于 1。利率按百分数读取：0.18 表示 0.18%，若指 18% 请写 18。 / row 2: the yearly rate 0.18 is below 1. Rates are percent points: 0.18 means 0.18%; write 18 for 18%.
    """
    meant = f"{(value * 100).normalize():f}"
    return (
        f"{where_zh}的年化利率 {text} 小于 1。利率按百分数读取：{text} 表示 {value}%，若指 {meant}% 请写 {meant}。"
        f" / {where_en}: the yearly rate {text} is below 1. Rates are percent points: {text} means {value}%; "
        f"write {meant} for {meant}%."
    )


def is_numpy_bool(value) -> bool:
    """Whether ``value`` is numpy's boolean scalar (``np.True_``), without importing numpy."""
    return type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")


def as_decimal(value, what: str) -> Decimal:
    """A number given to the Python API as an exact Decimal, or a :class:`~planner.errors.PlannerError`
    naming ``what``: never a decimal signal, TypeError or AttributeError.

    Accepts Decimal, int (numpy integers too), float (numpy floats too, through their
    shortest repr: 5000.5 is 5000.5) and text of a plain number; refuses booleans,
    NaN, infinities and numbers of unreasonable size (:func:`reasonable`).

    >>> import numpy as np
    >>> as_decimal(np.float64(5000.5), "balance"), as_decimal(np.int64(7), "months"), as_decimal(" 12.5 ", "apr")
    (Decimal('5000.5'), Decimal('7'), Decimal('12.5'))
    """
    from .errors import PlannerError

    shown = str(value)[:40]
    if isinstance(value, bool) or is_numpy_bool(value):
        raise PlannerError("money.not_number", what=what, shown=shown, column=what, value=value)
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, numbers.Integral):
            result = Decimal(int(value))
        elif isinstance(value, numbers.Real):
            result = Decimal(repr(float(value)))
        elif isinstance(value, str):
            result = Decimal(value.strip())
        else:
            raise TypeError
    except (ArithmeticError, TypeError, ValueError, OverflowError):
        raise PlannerError("money.not_number", what=what, shown=shown, column=what, value=value) from None
    if not result.is_finite():
        raise PlannerError("money.not_finite_number", what=what, shown=shown, column=what, value=value)
    if not reasonable(result):  # 1e999999 would overflow, 1e-9999999 as a rate would hang the engine
        raise PlannerError("money.too_many_digits_implausibly", what=what, shown=shown, column=what, value=value)
    return result


def to_cents(amount: Decimal | int | str) -> int:
    """Yuan to integer cents, half-up.

    An amount that is not a finite number of sane size (NaN, infinity,
    ``1e999999``) raises :class:`~planner.errors.PlannerError`, not a decimal
    signal deep inside the engine.

    Parameters
    ----------
    amount : Decimal, int, float or str
        Yuan. A float is read through its shortest repr (2.675 is 2.675); numpy
        integers are accepted.

    Returns
    -------
    int
        Cents, rounded half-up (away from zero at half a cent).

    Raises
    ------
    PlannerError
        When ``amount`` is not a number, not finite, or 10**25 yuan or more in size.

    Examples
    --------
    >>> to_cents(Decimal("0.125")), to_cents(2.675), to_cents("12.345"), to_cents(Decimal("-0.005"))
    (13, 268, 1235, -1)
    >>> to_cents("NaN")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 不是合理的金额：'NaN' / not a plausible amount of money: 'NaN'
    """
    try:
        # A float goes through its shortest repr: 2.675 means 2.675, not 2.67499999...
        if isinstance(amount, float):
            value = Decimal(float.__repr__(amount))
        elif isinstance(amount, numbers.Integral):  # numpy integers too
            value = Decimal(int(amount))
        else:
            value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        value = Decimal("NaN")
    # The default decimal context (28 digits) holds yuan to the cent below 10^25;
    # required_budget's search doubles budgets far past any real debt, so not lower.
    if not value.is_finite() or abs(value) >= Decimal(10) ** 25:
        from .errors import PlannerError

        raise PlannerError("money.not_plausible_amount_money", amount=str(amount)[:40], value=amount)
    return int(round_cents(value) * 100)


def from_cents(cents: int) -> Decimal:
    """Integer cents to yuan as a Decimal with two places, exactly at any size.

    (Dividing in the decimal context would fail past 28 digits: a debt left
    unpaid for decades at a high rate grows that large.)

    Parameters
    ----------
    cents : int
        Cents, of any size and sign.

    Returns
    -------
    Decimal
        Yuan with exactly two places.

    Examples
    --------
    >>> from_cents(123456), from_cents(-5), from_cents(10**40)
    (Decimal('1234.56'), Decimal('-0.05'), Decimal('100000000000000000000000000000000000000.00'))
    """
    return Decimal(f"{int(cents)}E-2")


def round_cents(amount: Decimal) -> Decimal:
    """The one rounding rule: half-up to the cent.

    Parameters
    ----------
    amount : Decimal
        Yuan, at any precision.

    Returns
    -------
    Decimal
        Yuan with two places; a half cent rounds away from zero.

    Examples
    --------
    >>> round_cents(Decimal("2.675")), round_cents(Decimal("-2.675")), round_cents(Decimal("1.004"))
    (Decimal('2.68'), Decimal('-2.68'), Decimal('1.00'))
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up, for ``numerator >= 0`` and ``denominator > 0``.

    The one rounding rule in integers: interest (``half_up(balance * num, den)``
    with :func:`rate_ratio`) and settlement amounts in both engines. The batch
    kernel compiles this same function with numba.

    Parameters
    ----------
    numerator : int
        Non-negative; for signed amounts use :func:`div_round`.
    denominator : int
        Positive. Neither is checked (the function stays numba-compilable).

    Returns
    -------
    int
        The quotient rounded to the nearest integer, halves up.

    Examples
    --------
    >>> half_up(5, 2), half_up(4, 3), half_up(0, 7)
    (3, 1, 0)
    """
    return (2 * numerator + denominator) // (2 * denominator)


def div_round(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up (away from zero at .5), in integers.

    Parameters
    ----------
    numerator : int
        Any sign.
    denominator : int
        Must be positive.

    Returns
    -------
    int
        The quotient rounded to the nearest integer, halves away from zero.

    Raises
    ------
    ValueError
        When ``denominator`` is zero or negative.

    Examples
    --------
    >>> div_round(5, 2), div_round(-5, 2), div_round(7, 3)
    (3, -3, 2)
    >>> div_round(1, 0)
    Traceback (most recent call last):
    ...
    ValueError: denominator must be positive
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return half_up(numerator, denominator)
    return -half_up(-numerator, denominator)


def rate_ratio(percent_per_year: Decimal) -> tuple[int, int]:
    """A yearly rate in percent as an exact monthly ratio ``(num, den)``.

    Monthly interest on ``b`` cents is ``div_round(b * num, den)``.

    Parameters
    ----------
    percent_per_year : Decimal
        A nominal yearly rate in percent points (18 for 18%).

    Returns
    -------
    tuple of (int, int)
        ``num / den == percent_per_year / 1200`` exactly, in lowest terms.

    Examples
    --------
    >>> rate_ratio(Decimal("18"))
    (3, 200)
    >>> rate_ratio(Decimal("4.35")), rate_ratio(Decimal("0"))
    ((29, 8000), (0, 1))
    """
    num, den = Decimal(percent_per_year).as_integer_ratio()
    den *= 1200
    from math import gcd

    g = gcd(num, den) or 1
    return num // g, den // g


def format_yuan(amount: Decimal | int | float, *, lang: str = "en", short: bool = False) -> str:
    """Money for people: ``¥12,000.00``; with ``short``, ``¥1.2万`` in Chinese.

    Parameters
    ----------
    amount : Decimal, int or float
        Yuan.
    lang : str, default "en"
        ``"zh"`` shortens with 万 and 亿; anything else with k and M. Only used with ``short``.
    short : bool, default False
        A rounded short form for charts and summaries instead of the full amount to the cent.

    Returns
    -------
    str
        The amount with a ¥ sign.

    Examples
    --------
    >>> format_yuan(Decimal("12345.6"))
    '¥12,345.60'
    >>> format_yuan(Decimal("12345.6"), lang="zh", short=True)
    '¥1.23万'
    >>> format_yuan(Decimal("12345.6"), short=True)
    '¥12.3k'
    >>> format_yuan(Decimal("3e8"), lang="zh", short=True), format_yuan(500, short=True)
    ('¥3亿', '¥500')
    """
    value = Decimal(str(amount))
    if not short:
        return f"¥{value:,.2f}"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if lang == "zh":
        if value >= 100_000_000:
            return f"{sign}¥{value / 100_000_000:.2f}亿".replace(".00亿", "亿")
        if value >= 10_000:
            return f"{sign}¥{value / 10_000:.2f}万".replace(".00万", "万")
        return f"{sign}¥{value:,.0f}"
    if value >= 1_000_000:
        return f"{sign}¥{value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"{sign}¥{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{sign}¥{value:,.0f}"


__all__ = [
    "CENT",
    "MAX_DIGITS",
    "MAX_INTEGER_DIGITS",
    "ParseError",
    "SubCentError",
    "div_round",
    "format_minimum",
    "format_yuan",
    "from_cents",
    "half_up",
    "normalise",
    "parse_minimum",
    "parse_money",
    "parse_number",
    "parse_rate",
    "rate_ratio",
    "reasonable",
    "round_cents",
    "to_cents",
]
