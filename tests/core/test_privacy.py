"""The one scrubber of every ``--anonymise`` path (issue 24, item 4): resident ID numbers with their
MOD 11-2 check character, bank cards with the Luhn check, phones in the common Chinese formats, the
client's name in any letter case; near-misses kept.

Reference values: GB 11643-1999 (ISO 7064 MOD 11-2) for the ID check character, with the
standard's own example 11010519491231002X; ISO/IEC 7812 (Luhn) for card numbers, with the
test number 4111 1111 1111 1111.
"""

from __future__ import annotations

import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from planner.privacy import fold, luhn_valid, same_name, scrub, scrub_file_name, valid_resident_id

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def luhn_digit(body: str) -> str:
    return next(d for d in "0123456789" if luhn_valid(body + d))


FULL_WIDTH = str.maketrans("0123456789()+- X", "０１２３４５６７８９（）＋－\u3000Ｘ")


@st.composite
def resident_ids(draw):
    area = draw(st.integers(110000, 829999))
    year = draw(st.integers(1930, 2020))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    seq = draw(st.integers(0, 999))
    body = f"{area}{year}{month:02d}{day:02d}{seq:03d}"
    number = body + id_check(body)
    if number.endswith("X") and draw(st.booleans()):
        number = number[:-1] + "x"
    return number


@st.composite
def old_resident_ids(draw):
    area = draw(st.integers(110000, 829999))
    return f"{area}{draw(st.integers(30, 99))}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}{draw(st.integers(0, 999)):03d}"


@st.composite
def card_numbers(draw):
    length = draw(st.integers(13, 19))
    prefix = draw(st.sampled_from(["62", "4", "51", "55", "37", "35", "6011"]))
    body = prefix + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - len(prefix) - 1,
                                          max_size=length - len(prefix) - 1)))
    digits = body + luhn_digit(body)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(digits[k:k + 4] for k in range(0, len(digits), 4))


@st.composite
def phone_numbers(draw):
    mobile = draw(st.sampled_from("3456789")) and f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 999_999_999)):09d}"
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    landline_area = draw(st.sampled_from(["010", "021", "020", "0755", "0571", "028"]))
    local = f"{draw(st.integers(2, 8))}{draw(st.integers(0, 9_999_999 if len(landline_area) == 3 else 999_999)):0{7 if len(landline_area) == 3 else 6}d}"
    half = len(local) // 2
    forms = [
        mobile, f"{a} {b} {c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+86 {a} {b} {c}", f"+86-{mobile}", f"+86{mobile}", f"0086 {mobile}",
        f"{landline_area}-{local}", f"({landline_area}) {local[:half]} {local[half:]}", f"{landline_area}-{local[:half]} {local[half:]}",
        f"{landline_area} {local}",
    ]
    return draw(st.sampled_from(forms))


def maybe_full_width(draw, text: str) -> str:
    return text.translate(FULL_WIDTH) if draw(st.booleans()) else text


#: Text around an identifier: anything, kept apart from it by a space (a digit run would make it another number).
around = st.text(max_size=30)


def digits_of(s: str) -> str:
    return "".join(c for c in fold(s)[0] if c.isdigit() or c == "x")


@given(st.data(), st.one_of(resident_ids(), old_resident_ids(), card_numbers(), phone_numbers()), around, around)
def test_any_identifier_in_any_text_is_removed(data, number, before, after):
    written = maybe_full_width(data.draw, number)
    out = scrub(f"{before} {written} {after}", (), "en")
    assume(digits_of(number) not in digits_of(before + after))
    assert written not in out
    # Not even its digits in a row (after folding full-width digits) survive.
    assert digits_of(number) not in digits_of(out)


@given(resident_ids(), st.sampled_from("0123456789X"))
def test_an_id_number_with_a_wrong_check_character_is_kept(number, wrong):
    assume(wrong != number[-1].upper())
    near = number[:-1] + wrong
    assume(not luhn_valid(near) or near[0] not in "3456")  # not a card number either
    assert scrub(f"编号 {near} 。", (), "zh") == f"编号 {near} 。"


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_amounts_and_dates_are_kept(yuan, cents):
    for text in (f"欠款 {yuan:,}.{cents:02d} 元", f"¥{yuan:,}.{cents:02d}", "2026-05-05 21:40", "12,000.00", "年化 18.25%", "12378"):
        assert scrub(text, ("王小明",), "zh") == text


def test_the_formats_from_the_issue():
    for written in ("139.1234.5678", "139 1234 5678", "+86 139 1234 5678", "１３９１２３４５６７８", "(010) 6552 1234",
                    "0755-8888 9999", "010-65521234", "（０１０）６５５２　１２３４", "13912345678"):
        assert scrub(f"电话{written}，", (), "zh") == "电话【电话】，", written
    assert scrub("身份证 11010519491231002X", (), "zh") == "身份证 【身份证号】"
    assert scrub("card 4111 1111 1111 1111.", (), "en") == "card [card number]."
    assert scrub("card 4111-1111-1111-1112.", (), "en") == "card 4111-1111-1111-1112."  # Luhn fails: kept


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8), st.text(alphabet="王小明李华张伟", min_size=2, max_size=4),
       st.lists(st.booleans(), min_size=8, max_size=8), around)
def test_the_clients_name_in_any_letter_case_is_removed(latin, chinese, upper, text):
    name = f"{latin.title()} {chinese}"
    cased = "".join(c.upper() if u else c for c, u in zip(latin, upper * 2))
    written = f"{text} {cased}  {chinese[0]}\u200b{chinese[1:]} {text}"
    out = scrub(written, (name,), "en")
    assert cased not in out.replace(text, "") and chinese not in fold(out.replace(text, ""))[0]


def test_latin_names_match_whole_words_only():
    assert scrub("Li called; Lily paid; LI wrote", ("Li",), "en") == "[client] called; Lily paid; [client] wrote"


def test_file_names_lose_names_and_numbers():
    assert scrub_file_name("Wang_13912345678_11010519491231002X.pdf", ("wang",)) == "client_phone_ID-number.pdf"
    assert scrub_file_name("王小明.txt", ("王小明",)) == "client.txt"
    assert scrub_file_name("letter.html", ("王小明",)) == "letter.html"


def test_fold_and_same_name():
    assert same_name("王\u200b小明") == same_name("王小明 ") == unicodedata.normalize("NFKC", "王小明")
    assert valid_resident_id("11010519491231002X") and not valid_resident_id("110105194912310021")
