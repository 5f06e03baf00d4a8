r"""Text that is safe to show on a terminal.

A name read from a hostile or damaged file may hold terminal control characters: ESC
(which starts a sequence that moves the cursor, recolours or clears the screen), BEL,
backspace, carriage return, the C1 controls (U+0080-U+009F), bidirectional overrides
(U+202E turns the rest of the line round) or line separators. :func:`escape_controls`
shows each one as a visible ``\uXXXX`` escape (the form JSON uses, so an escaped JSON
text still parses to the original), everything else unchanged.

>>> escape_controls("借呗\x1b[2J")
'借呗\\u001b[2J'
>>> escape_controls("a\nb"), escape_controls("a\nb", keep_newlines=True)
('a\\u000ab', 'a\nb')
>>> escape_controls("\u202eevil"), escape_controls("招商银行信用卡")
('\\u202eevil', '招商银行信用卡')
"""

from __future__ import annotations

import re
import unicodedata

# Unicode categories Cc (C0, DEL, C1), Cf (format: bidi marks, overrides and isolates,
# zero-width characters, BOM, tags) and Zl/Zp (line and paragraph separators), as of
# Unicode 14, written out so importing this module costs nothing. The zero-width joiner
# U+200D (emoji sequences) is kept.
_UNSAFE = (
    r"\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200c"
    r"\u200e-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_PATTERN = re.compile(f"[{_UNSAFE}]")
_PATTERN_KEEP_NL = re.compile("[" + _UNSAFE.replace(r"\x00-\x1f", r"\x00-\x09\x0b-\x1f", 1) + "]")
_ZWJ = "\u200d"


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape_controls(text, *, keep_newlines: bool = False) -> str:
    """``text`` with every control, format and bidi character shown as ``\\uXXXX``.

    ``keep_newlines`` keeps ``\\n`` (for a message of several lines); a table cell escapes it too.

    Parameters
    ----------
    text : str
        Any text (anything else is made text first).
    keep_newlines : bool, default False
        Leave ``\\n`` as it is.

    Returns
    -------
    str
        ``text`` with each unsafe character as ``\\uXXXX`` (``\\UXXXXXXXX`` beyond U+FFFF).

    Examples
    --------
    >>> print(escape_controls("借呗\\x1b[2J"))
    借呗\\u001b[2J
    """
    text = str(text)
    pattern = _PATTERN_KEEP_NL if keep_newlines else _PATTERN
    return pattern.sub(_escape, text)


def has_controls(text) -> bool:
    """Whether :func:`escape_controls` would change ``text``.

    Parameters
    ----------
    text : str
        Any text (anything else is made text first).

    Returns
    -------
    bool
        True when ``text`` holds a control, format, bidi or line-separator character
        (``\\n`` included).

    Examples
    --------
    >>> has_controls("借呗\\x1b[2J"), has_controls("招商银行")
    (True, False)
    """
    return bool(_PATTERN.search(str(text)))


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: 2 for wide (CJK) characters, 0 for combining marks.

    Parameters
    ----------
    text : str
        The text as shown (escape controls first: :func:`escape_controls`).

    Returns
    -------
    int
        Its width in terminal columns.

    Examples
    --------
    >>> display_width("招商银行"), display_width("Card 1")
    (8, 6)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == _ZWJ:
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


__all__ = [
    "display_width",
    "escape_controls",
    "has_controls",
]
