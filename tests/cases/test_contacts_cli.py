"""``planner case contact/contacts/ask/letter/complaint`` (issue 13) on the command line.

Reference values: :func:`planner.report.letters.proposal` (the engine) for the letter's
numbers, the conduct data's quiet hours (22:00, Asia/Shanghai) for the flags.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner import load_debts
from planner.cli import main
from planner.negotiation import Adjustment
from planner.report.letters import proposal

SAMPLE = str(Path(__file__).resolve().parents[2] / "sample_data" / "debts_zh.csv")
DEBT = load_debts(SAMPLE)[0]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _new(capsys, book):
    assert run(capsys, "case", "new", "王小明", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book)[0] == 0


def test_contacts_json_and_night_flags(capsys, tmp_path):
    book = str(tmp_path / "book.sqlite")
    _new(capsys, book)
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"png bytes")
    for at in ("2025-01-05 21:59", "2025-01-05 22:00"):
        code, _, err = run(capsys, "case", "contact", "王小明", "--debt", DEBT.name, "--at", at, "--channel", "phone", "--direction", "in",
                           "--summary", "催款", "--who", "13812345678", "--evidence", str(shot), "--book", book)
        assert code == 0, err
    code, out, _ = run(capsys, "case", "contacts", "王小明", "--format", "json", "--book", book)
    log = json.loads(out)
    assert code == 0 and [c["flags"] for c in log] == [[], ["night"]]
    assert log[0]["at"] == "2025-01-05T21:59:00+08:00" and log[0]["debt"] == DEBT.name
    assert set(log[0]) >= {"at", "debt", "channel", "direction", "summary", "evidence", "flags"}
    assert set(log[0]["evidence"][0]) == {"file", "sha256", "size", "intact"} and log[0]["evidence"][0]["size"] == 9
    # the same in another zone: 22:00 in Shanghai is 14:00 UTC
    assert run(capsys, "case", "contact", "王小明", "--debt", DEBT.name, "--at", "2025-01-06 13:59", "--tz", "UTC", "--channel", "sms",
               "--direction", "in", "--book", book)[0] == 0
    log = json.loads(run(capsys, "case", "contacts", "王小明", "--format", "json", "--book", book)[1])
    assert log[-1]["at"] == "2025-01-06T13:59:00+00:00" and log[-1]["flags"] == []
    # bad input: exit 2, bilingual, nothing changed
    for bad in (["--at", "yesterday"], ["--at", "2025-01-05 10:00", "--tz", "Mars/Base"], ["--at", "2025-01-05 10:00", "--evidence", str(tmp_path)],
                ["--at", "2025-01-05 10:00", "--evidence", "/dev/null"], ["--at", "2025-01-05 10:00", "--debt", "nobody"]):
        args = ["case", "contact", "王小明", "--debt", DEBT.name, "--channel", "phone", "--direction", "in", *bad, "--book", book]
        code, _, err = run(capsys, *args)
        assert code == 2 and " / " in err and "Traceback" not in err, (bad, err)
    assert len(json.loads(run(capsys, "case", "contacts", "王小明", "--format", "json", "--book", book)[1])) == 3
    # the complaint pack (plain text) lists the flagged call with its hash, anonymised on request
    out_file = tmp_path / "王小明-13812345678-complaint.txt"
    code, out, err = run(capsys, "case", "complaint", "王小明", "--debt", DEBT.name, "--out", str(out_file), "--anonymise", "--book", book)
    assert code == 0, err
    written = Path(out.strip())
    assert "王小明" not in written.name and "13812345678" not in written.name
    text = written.read_text(encoding="utf-8")
    assert log[1]["evidence"][0]["sha256"] in text and "王小明" not in text and "13812345678" not in text


def test_the_letter_has_the_engines_numbers(capsys, tmp_path):
    book = str(tmp_path / "book.sqlite")
    _new(capsys, book)
    assert run(capsys, "case", "balance", "王小明", "--month", "2025-02", "--debt", DEBT.name, "--balance", "11000", "--book", book)[0] == 0
    code, _, err = run(capsys, "case", "ask", "王小明", "--debt", DEBT.name, "--action", "freeze_interest", "--months", "24", "--from", "2025-03", "--book", book)
    assert code == 0, err
    out_file = tmp_path / "letter.txt"
    code, out, err = run(capsys, "case", "letter", "王小明", "--debt", DEBT.name, "--out", str(out_file), "--lang", "zh", "--book", book)
    assert code == 0, err
    # asked from 2025-03, a month now past: the letter proposes the first instalment this month
    from planner.cases.months import month_name, this_month

    expected = proposal(DEBT.with_(balance=11000), Adjustment("freeze_interest", DEBT.name, {"months": 24}), month_name(this_month()))
    text = out_file.read_text(encoding="utf-8")
    assert expected.sentence("zh") in text and "王小明" in text
    # the hardship in the client's words and the affordability figures (6,000 - 3,500 = 2,500; 30% line 1,800)
    full = tmp_path / "full.txt"
    code, _, err = run(capsys, "case", "letter", "王小明", "--debt", DEBT.name, "--out", str(full), "--hardship", "八月失业，打零工",
                       "--income", "6000", "--essentials", "3500", "--book", book)
    assert code == 0, err
    text = full.read_text(encoding="utf-8")
    assert "八月失业，打零工" in text and "¥2,500.00" in text and "¥1,800.00" in text
    code, _, err = run(capsys, "case", "letter", "王小明", "--debt", DEBT.name, "--out", str(tmp_path / "half.txt"), "--income", "6000", "--book", book)
    assert code == 2 and "essential" in err and not (tmp_path / "half.txt").exists()
    html = tmp_path / "letter.html"
    assert run(capsys, "case", "letter", "王小明", "--debt", DEBT.name, "--out", str(html), "--anonymise", "--book", book)[0] == 0
    assert "王小明" not in html.read_text(encoding="utf-8")
    # a wrong suffix, or no ask for the debt: exit 2, nothing written
    assert run(capsys, "case", "letter", "王小明", "--debt", DEBT.name, "--out", str(tmp_path / "x.doc"), "--book", book)[0] == 2
    other = load_debts(SAMPLE)[1].name
    code, _, err = run(capsys, "case", "letter", "王小明", "--debt", other, "--out", str(tmp_path / "y.txt"), "--book", book)
    assert code == 2 and "no pending or accepted ask" in err
    assert not (tmp_path / "x.doc").exists() and not (tmp_path / "y.txt").exists()
    # accepted but not in writing: listed; then confirmed: the agreement is in force
    assert run(capsys, "case", "ask", "王小明", "--debt", other, "--action", "freeze_interest", "--months", "12", "--from", "2025-03",
               "--answer", "accepted", "--book", book)[0] == 0
    status = json.loads(run(capsys, "case", "show", "王小明", "--format", "json", "--book", book)[1])
    assert [a["debt"] for a in status["get_in_writing"]] == [other] and status["agreements"] == []
    assert run(capsys, "case", "ask", "王小明", "--debt", other, "--action", "freeze_interest", "--months", "12", "--from", "2025-03",
               "--answer", "accepted", "--confirmed", "--book", book)[0] == 0
    status = json.loads(run(capsys, "case", "show", "王小明", "--format", "json", "--book", book)[1])
    assert status["agreements"][0]["confirmed"] is True and status["get_in_writing"] == []


def test_the_follow_up_report_has_the_contact_history(capsys, tmp_path):
    book = str(tmp_path / "book.sqlite")
    _new(capsys, book)
    assert run(capsys, "case", "contact", "王小明", "--debt", DEBT.name, "--at", "2025-01-05 23:30", "--channel", "phone", "--direction", "in",
               "--summary", "<b>威胁</b> 要告诉你家人", "--book", book)[0] == 0
    out = tmp_path / "follow.html"
    code, _, err = run(capsys, "case", "report", "王小明", "--out", str(out), "--lang", "zh", "--book", book)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "联系记录" in html and "2025-01-05 23:30 +08:00" in html
    assert "&lt;b&gt;威胁&lt;/b&gt;" in html and "<b>威胁" not in html  # what the user typed is escaped


def test_evidence_folder_on_both_databases(capsys, book_location, tmp_path, monkeypatch):
    monkeypatch.delenv("PLANNER_EVIDENCE_DIR", raising=False)
    _new(capsys, book_location)
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"png")
    args = ["case", "contact", "王小明", "--debt", DEBT.name, "--at", "2025-01-05 10:00", "--channel", "phone", "--direction", "in",
            "--evidence", str(shot), "--book", book_location]
    if "://" in book_location:  # PostgreSQL: no folder beside the book, so one must be given
        code, _, err = run(capsys, *args)
        assert code == 2 and "PLANNER_EVIDENCE_DIR" in err
        assert json.loads(run(capsys, "case", "contacts", "王小明", "--format", "json", "--book", book_location)[1]) == []
        args += ["--evidence-dir", str(tmp_path / "ev")]
    assert run(capsys, *args)[0] == 0
    (c,) = json.loads(run(capsys, "case", "contacts", "王小明", "--format", "json", "--book", book_location)[1])
    assert c["evidence"][0]["size"] == 3


def test_anonymise_scrubs_ids_cards_phones_and_the_name_in_any_case_and_the_file_name(capsys, tmp_path):
    """Issue 24, item 4: the hostile corpus's leaks, from the command line."""
    book = str(tmp_path / "book.sqlite")
    assert run(capsys, "case", "new", "Wang Xiaoming", "--debts", SAMPLE, "--budget", "6000", "--start", "2025-01", "--book", book)[0] == 0
    leaks = ("11010519491231002X", "6222 0212 3456 7890 128", "139.1234.5678", "１３９１２３４５６７８", "(010) 6552 1234", "0755-8888 9999")
    code, _, err = run(capsys, "case", "contact", "Wang Xiaoming", "--debt", DEBT.name, "--at", "2025-01-05 23:00", "--channel", "phone",
                       "--direction", "in", "--summary", "WANG XIAOMING " + " ".join(leaks), "--who", "+86 139 1234 5678", "--book", book)
    assert code == 0, err
    out_file = tmp_path / "wang xiaoming 11010519491231002X 139.1234.5678.txt"
    code, out, err = run(capsys, "case", "complaint", "Wang Xiaoming", "--debt", DEBT.name, "--out", str(out_file), "--anonymise", "--book", book)
    assert code == 0, err
    written = Path(out.strip())
    assert written.name == "client ID-number phone.txt" and not out_file.exists()
    text = written.read_text(encoding="utf-8")
    for leak in (*leaks, "WANG XIAOMING", "Wang Xiaoming", "1234 5678"):
        assert leak not in text, leak


def test_the_contact_log_reads_in_one_language_without_codes(capsys, tmp_path):
    # case contacts, contact and show printed channel, direction and rule codes (phone, in, third_party, night)
    import re

    book = str(tmp_path / "book.sqlite")
    _new(capsys, book)
    for at, channel, summary in (("2025-01-05 22:30", "phone", "说要通知你的家人和单位"), ("2025-01-06 10:00", "third_party", "打给了我母亲")):
        code, out, err = run(capsys, "case", "contact", "王小明", "--debt", DEBT.name, "--at", at, "--channel", channel,
                             "--direction", "in", "--summary", summary, "--book", book, "--lang", "zh")
        assert code == 0, err
        assert out.startswith("已记录。可能违反：") and not re.search(r"[A-Za-z_]{4,}", out), out
    for lang in ("zh", "en"):
        table = run(capsys, "case", "contacts", "王小明", "--book", book, "--lang", lang)[1]
        shown = run(capsys, "case", "show", "王小明", "--book", book, "--lang", lang)[1].splitlines()[-1]
        for text in (table, shown):
            # Chinese: no Latin words at all; English: no snake_case codes nor the old one-word headers
            codes = r"[A-Za-z]{2,}" if lang == "zh" else r"\w+_\w+|\bdir\b|\bflags\b"
            assert not re.search(codes, text), text
        if lang == "zh":
            assert "方式" in table and "电话" in table and "联系无关第三方" in table and "夜间" in shown
        else:
            assert "phone call" in table and "incoming" in table and "third party" in table.lower()
