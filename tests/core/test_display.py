"""Terminal control characters are shown escaped (planner.display)."""

from planner.display import escape_controls


def test_escape_controls_covers_c0_c1_and_bidi():
    for ch in [*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0)), "\u202a", "\u202e", "\u2066", "\u2069",
               "\u200e", "\u061c", "\u2028", "\u2029", "\ufeff", "\u200b"]:
        shown = escape_controls("a" + ch + "b")
        assert ch not in shown and shown.startswith("a\\u") and shown.endswith("b")
    assert escape_controls("招商银行信用卡 ¥1,000 (A)") == "招商银行信用卡 ¥1,000 (A)"
    assert escape_controls("a\nb", keep_newlines=True) == "a\nb"

