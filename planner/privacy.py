"""Anonymising text: the one scrubber every ``--anonymise`` path uses (letters, complaint packs,
reports, output file names; the CLI and the widgets alike).

:func:`scrub` replaces, in any text:

- resident ID numbers (身份证号): 18 characters whose ISO 7064 MOD 11-2 check character is right
  (the last may be ``X``), and the old 15-digit numbers (a plausible birth date ``YYMMDD`` at
  positions 7-12);
- bank card numbers: 13 to 19 digits that pass the Luhn check and start with 3, 4, 5 or 6 (the
  banking and card issuers' first digits: UnionPay 62, Visa 4, Mastercard 5, Amex/JCB 3);
- phone numbers as people write them in China: mobiles (``13912345678``, ``139 1234 5678``,
  ``139-1234-5678``, ``139.1234.5678``, ``+86 139…``, ``0086…``) and landlines with their area
  code (``010-65521234``, ``(010) 6552 1234``, ``0755-8888 9999``);
- the client's name (``names``) in any letter case, and other names given with their placeholder
  (``renames``: the report's lenders become 平台A / Lender A).

The text is compared after folding (NFKC, so full-width ``１３９…`` and ``（０１０）`` count as
digits and brackets; letter case ignored; zero-width characters skipped), and the parts found
are replaced in the text as written. A number may be grouped with spaces, dashes or dots; a
number that fails its check (an 18-digit number with a wrong check character, an amount such as
``12,000.00``, a date) is kept. Landline numbers without their area code (8 digits) are kept:
they cannot be told from dates and amounts.

>>> scrub("王小明 13812345678 / 010-12345678", ("王小明",), "en")
'[client] [phone] / [phone]'
>>> scrub("ID 11010519491231002X, card 6222 0212 3456 7890 128, amount 12,000.00", (), "en")
'ID [ID number], card [card number], amount 12,000.00'
"""

from __future__ import annotations

import re
import unicodedata

from .i18n import t

#: Characters that show nothing: skipped when text is compared.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f")
#: Dashes people type between digit groups, folded to "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")

#: A run of digit groups joined by spaces, dashes or dots, maybe with "+" and brackets (in folded text).
_RUN = re.compile(r"(?<![0-9])\+?\(?\+?[0-9]+(?:\)?(?:[ \t]*[-.][ \t]*|[ \t]+|\)[ \t]*|)\(?[0-9]+)*x?(?![0-9])")
_GROUP = re.compile(r"[0-9]+x?")
#: ISO 7064 MOD 11-2 weights of a resident ID number's first 17 digits, and the check characters.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for comparison (NFKC, case folded, dashes unified, invisible characters
    dropped), with the index in ``text`` of each folded character.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    tuple of (str, list of int)
        The folded text, and for each of its characters the index in ``text`` of the character
        it came from (one character may fold to several).

    Examples
    --------
    >>> fold("Ａ\u200bb－１")
    ('ab-1', [0, 2, 3, 4])
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        for c in unicodedata.normalize("NFKC", ch).casefold().translate(_DASHES):
            if c in _INVISIBLE:
                continue
            out.append(c)
            where.append(i)
    return "".join(out), where


def same_name(name: str) -> str:
    """The form two names are compared in: NFKC, zero-width characters dropped, spaces trimmed
    and collapsed (``"王\u200b小明 "`` and ``"王小明"`` are one client). Letter case is kept.

    Parameters
    ----------
    name : str
        A client's name as written (anything else is made text first).

    Returns
    -------
    str
        The name in the form compared: equal forms are the same client.

    Examples
    --------
    >>> same_name(" 王\u200b小明\u3000") == "王小明"
    True
    """
    text = "".join(ch for ch in unicodedata.normalize("NFKC", str(name)) if ch not in _INVISIBLE)
    return " ".join(text.split())


def valid_resident_id(digits: str) -> bool:
    """True for an 18-character resident ID number with the right MOD 11-2 check character, or a
    15-digit old one with a plausible birth date (case of ``x`` ignored).

    Parameters
    ----------
    digits : str
        The ID number as found (no spaces or dashes).

    Returns
    -------
    bool

    Examples
    --------
    >>> valid_resident_id("11010519491231002X"), valid_resident_id("110105194912310021")
    (True, False)
    """
    s = digits.casefold()
    if len(s) == 18 and s[:17].isdigit() and s[0] != "0":
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS))
        return _ID_CHECK[total % 11] == s[17] and _plausible_date(s[10:14])
    if len(s) == 15 and s.isdigit() and s[0] != "0":
        return _plausible_date(s[8:12])
    return False


def _plausible_date(mmdd: str) -> bool:
    month, day = int(mmdd[:2]), int(mmdd[2:])
    return 1 <= month <= 12 and 1 <= day <= 31


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` pass the Luhn check (bank card numbers).

    Parameters
    ----------
    digits : str
        The number's digits only (anything else is False).

    Returns
    -------
    bool

    Examples
    --------
    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    if not digits.isdigit():
        return False
    total = 0
    for k, c in enumerate(reversed(digits)):
        d = int(c)
        if k % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _phone(digits: str, prefixed: bool) -> bool:
    if not digits.isdigit():
        return False
    for country in ("0086", "86"):
        if digits.startswith(country) and len(digits) > len(country) + 8:
            rest = digits[len(country):]
            if re.fullmatch(r"1[3-9][0-9]{9}", rest) or (prefixed and re.fullmatch(r"0?[1-9][0-9]{8,10}", rest)):
                return True
    return bool(re.fullmatch(r"1[3-9][0-9]{9}|0[1-9][0-9]{8,10}", digits))


def _kind(digits: str, prefixed: bool) -> str | None:
    """``"id"``, ``"card"``, ``"phone"`` or None for a string of digits (maybe ending in ``x``)."""
    if valid_resident_id(digits):
        return "id"
    if 13 <= len(digits) <= 19 and digits[0] in "3456" and luhn_valid(digits):
        return "card"
    if _phone(digits, prefixed):
        return "phone"
    return None


def _numbers(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every identifier number in folded text (spans in the folded text)."""
    found = []
    for run in _RUN.finditer(folded):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _GROUP.finditer(run.group())]
        groups = [g for k, g in enumerate(groups) if not g[2].endswith("x") or k == len(groups) - 1]
        n = len(groups)
        # The most digits covered by identifiers among groups k.. (groups are never split).
        best = [0] * (n + 1)
        choice: list[tuple[int, str] | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i], choice[i] = best[i + 1], None
            digits = ""
            for j in range(i, n):
                digits += groups[j][2]
                if len(digits) > 22:
                    break
                kind = _kind(digits, prefixed=i == 0 and run.group().lstrip("(").startswith("+"))
                if kind and len(digits) + best[j + 1] > best[i]:
                    best[i], choice[i] = len(digits) + best[j + 1], (j, kind)
        i = 0
        while i < n:
            if choice[i] is None:
                i += 1
                continue
            j, kind = choice[i]
            start = run.start() if i == 0 else groups[i][0]
            end = groups[j][1]
            if folded[end:end + 1] == ")" and "(" in folded[start:groups[i][0]]:
                end += 1
            found.append((start, end, kind))
            i = j + 1
    return found


def _name_pattern(name: str) -> re.Pattern | None:
    folded, _ = fold(same_name(name))
    pieces = folded.split()
    if not pieces:
        return None
    body = r"\s*".join(re.escape(p) for p in pieces)
    head = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", folded) else ""
    tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", folded) else ""
    return re.compile(head + body + tail)


def scrub(text: str, names=(), lang: str = "en", *, renames: dict | None = None) -> str:
    """``text`` with ID numbers, bank card numbers, phone numbers, each of ``names`` (the
    client's: any letter case) and each key of ``renames`` (replaced by its value) replaced.

    Parameters
    ----------
    text : str
    names : iterable of str
        The client's name (and any other name to hide), replaced by 【本人】 / [client].
    lang : {"zh", "en"}
        The language of the placeholders.
    renames : dict, optional
        ``{name: placeholder}``: other names with their own placeholder.

    Returns
    -------
    str
        ``text`` as written with each find replaced by its placeholder (overlapping finds
        become one); ``text`` unchanged when nothing is found.

    Examples
    --------
    >>> scrub("WANG Xiaoming: ｔｅｌ １３９．１２３４．５６７８, (010) 6552 1234", ("wang xiaoming",), "en")
    '[client]: ｔｅｌ [phone], [phone]'
    """
    text = str(text)
    folded, where = fold(text)
    spans: list[tuple[int, int, str]] = []
    for start, end, kind in _numbers(folded):
        spans.append((start, end, t(f"letter_{kind}", lang)))
    swaps = [(n, t("letter_client", lang)) for n in (names or ()) if n is not None]
    swaps += [(str(k), str(v)) for k, v in (renames or {}).items() if k is not None]
    patterns = [(p, v) for n, v in swaps if (p := _name_pattern(str(n)))]
    patterns.sort(key=lambda pv: len(pv[0].pattern), reverse=True)
    for pattern, placeholder in patterns:
        spans += [(m.start(), m.end(), placeholder) for m in pattern.finditer(folded) if m.end() > m.start()]
    if not spans:
        return text
    # Back to the text as written; overlapping finds become one (the first placeholder wins).
    original = sorted(((where[a], where[b - 1] + 1, v) for a, b, v in spans), key=lambda s: (s[0], -s[1]))
    merged: list[list] = []
    for a, b, v in original:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b, v])
    out, last = [], 0
    for a, b, v in merged:
        out += [text[last:a], v]
        last = b
    out.append(text[last:])
    return "".join(out)


def scrub_file_name(name: str, names=()) -> str:
    """A file name (no folder) with :func:`scrub`'s finds replaced by plain words (``client``,
    ``phone``, ``ID-number``, ``card-number``); ``"document"`` when nothing is left.

    Parameters
    ----------
    name : str
        The file name, with its suffix.
    names : iterable of str
        The client's name (and any other name to hide), replaced by ``client``.

    Returns
    -------
    str
        The scrubbed stem (:func:`scrub_file_stem`) with the suffix as it was.

    Examples
    --------
    >>> scrub_file_name("王小明_13912345678_letter.html", ("王小明",))
    'client_phone_letter.html'
    """
    stem, dot, suffix = str(name).rpartition(".")
    if not dot or not stem or re.search(r"[\s/\\]", suffix):
        stem, suffix = str(name), ""
    clean = scrub_file_stem(stem, names) or "document"
    return f"{clean}.{suffix}" if suffix else clean


def scrub_file_stem(stem: str, names=()) -> str:
    """A part of a file name (no suffix) with :func:`scrub`'s finds replaced by plain words and
    no slash left; ``""`` when nothing is left.

    Parameters
    ----------
    stem : str
        Part of a file name, without its suffix.
    names : iterable of str
        The client's name (and any other name to hide), replaced by ``client``.

    Returns
    -------
    str
        The scrubbed stem, stripped, with slashes and backslashes as ``_``.

    Examples
    --------
    >>> scrub_file_stem("王小明-letter-13812345678", ("王小明",))
    'client-letter-phone'
    """
    clean = scrub(str(stem), names, "en")
    clean = re.sub(r"\[([^\]]*)\]", lambda m: m.group(1).replace(" ", "-"), clean).replace("/", "_").replace("\\", "_")
    return clean.strip()


__all__ = ["fold", "luhn_valid", "same_name", "scrub", "scrub_file_name", "scrub_file_stem", "valid_resident_id"]
