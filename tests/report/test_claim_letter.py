"""The dispute letter (费用明细与异议申请): zh and en, only that lender, art. 561, the disclaimer;
the statement file reader; ``planner check --debt`` and ``planner case check`` never write over a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from planner import Debt
from planner.claims import Claim, Payment, check_claim
from planner.cli import main
from planner.errors import PlannerError
from planner.io.claims import load_claim
from planner.report.letters import claim_letter, write_new_document

DEBTS = "name,balance,apr,min_payment,kind,contract_date\n某网贷,10000,36,500,online_loan,2024-01-01\n招商银行信用卡,5000,18,500,card,2023-01-01\n"
STATEMENT = "项目,金额,日期\n账单日,,2024-07-01\n本金,8000\n利息,1500\n罚息,300\n服务费,300\n合计,10100\n还款,3000,2024-04-01\n"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def the_check():
    d = Debt("某网贷", 10000, 36, 500, kind="online_loan", contract_date="2024-01-01")
    return check_claim(d, Claim("2024-07-01", principal=8000, interest=1500, fees={"罚息": 300, "服务费": 300},
                                payments=[Payment("2024-04-01", 3000)]))


@pytest.mark.parametrize("lang, title, art, advice", [
    ("zh", "费用明细与异议申请", "第五百六十一条", "不构成法律意见"),
    ("en", "Request for an itemised account", "art. 561", "not legal advice"),
])
def test_the_letter_in_each_language(lang, title, art, advice):
    doc = claim_letter(the_check(), lang=lang, client="王小明", made_on=date(2026, 12, 6))
    text = doc.text()
    assert text.startswith(title) and art in text and advice in doc.footer
    assert "¥1,493.64" in text and "¥2,046.99" in text  # the difference and what is above the 24% line
    assert "罚息" in text and "服务费" in text  # each fee named as the statement names it
    assert "王小明" in text and "2026-12-06" in text
    html = doc.html()
    assert "default-src 'none'" in html and title in html


def test_the_letter_names_only_its_lender_and_anonymises_the_client():
    text = claim_letter(the_check(), lang="zh", client="王小明", anonymise=True).text()
    assert "某网贷" in text and "招商银行" not in text and "王小明" not in text


def test_the_statement_file_in_csv_and_json(tmp_path):
    csv_claim = load_claim(STATEMENT)
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"as_of": "2024-07-01", "principal": "￥8,000", "interest": 1500, "fees": {"罚息": 300, "服务费": 300},
                                "total": 10100, "payments": [{"date": "2024-04-01", "amount": 3000}]}, ensure_ascii=False), encoding="utf-8")
    assert load_claim(str(path)) == csv_claim
    assert csv_claim.fees_total == 600 and csv_claim.stated_total == 10100
    with pytest.raises(PlannerError) as caught:
        load_claim("本金,8000\n还款,3000\n")
    assert caught.value.key == "claims.statement_row"
    with pytest.raises(PlannerError) as caught:
        load_claim("本金,8000\n")
    assert caught.value.key == "claims.statement_no_date"


def test_write_new_document_never_writes_over_a_file(tmp_path):
    target = tmp_path / "letter.html"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(PlannerError) as caught:
        write_new_document(claim_letter(the_check()), target)
    assert caught.value.key == "claims.letter_exists" and target.read_text(encoding="utf-8") == "mine"
    fresh = write_new_document(claim_letter(the_check(), lang="en"), tmp_path / "new.txt")
    assert fresh.read_text(encoding="utf-8").startswith("Request for an itemised account")


def test_planner_check_debt_prints_the_comparison_and_refuses_to_overwrite(capsys, tmp_path):
    debts = tmp_path / "debts.csv"
    debts.write_text(DEBTS, encoding="utf-8")
    statement = tmp_path / "statement.csv"
    statement.write_text(STATEMENT, encoding="utf-8")
    letter = tmp_path / "letter.html"
    code, out, err = run(capsys, "check", debts, "--debt", "某网贷", "--statement", statement, "--letter", letter, "--lang", "zh", "--client", "王小明")
    assert code == 0, err
    assert "+¥1,493.64" in out and "按24%参考线" in out and str(letter) in out
    written = letter.read_text(encoding="utf-8")
    assert "费用明细与异议申请" in written and "招商银行信用卡" not in written
    code, out, err = run(capsys, "check", debts, "--debt", "某网贷", "--claimed-principal", "8000", "--as-of", "2024-07-01",
                         "--payment", "2024-04-01:3000", "--letter", letter)
    assert code == 2 and "already exists" in err and "已存在" in err and out == ""
    assert letter.read_text(encoding="utf-8") == written
    code, out, _ = run(capsys, "check", debts, "--debt", "某网贷", "--claimed-principal", "8000", "--claimed-interest", "1500",
                       "--claimed-fees", "600", "--as-of", "2024-07-01", "--payment", "2024-04-01:3000", "--format", "json")
    data = json.loads(out)
    assert data["contract"]["total"] == 8606.36 and data["lines"]["24"]["above"] == 2046.99
    code, _, err = run(capsys, "check", debts, "--debt", "某网贷", "--statement", statement, "--claimed-principal", "1")
    assert code == 2 and "not both" in err


def test_planner_case_check_uses_the_books_payments(capsys, tmp_path):
    """The case starts 2025-01 with 某网贷 at ¥10,000 and 36%; ¥800 recorded for 2025-01 (paid on
    the month's last day, 01-31, as the debt has no due day); statement of 2025-03-01.

    01-01 → 01-31, 30 days: 10,000 × 0.36 × 30 / 365 = 295.890… → 295.89; principal 9,495.89.
    01-31 → 03-01, 29 days: 9,495.89 × 0.36 × 29 / 365 = 271.605… → 271.61; total 9,767.50.
    The book's own month (interest 10,000 × 3% = 300, then the payment) leaves 9,500; a statement
    balance of 9,800 there is 300 of unexplained charges, which the check reports."""
    debts = tmp_path / "debts.csv"
    debts.write_text(DEBTS, encoding="utf-8")
    book = tmp_path / "book.sqlite"
    assert run(capsys, "case", "new", "C", "--debts", debts, "--budget", "2000", "--start", "2025-01", "--book", book)[0] == 0
    assert run(capsys, "case", "pay", "C", "--month", "2025-01", "--debt", "某网贷", "--amount", "800", "--book", book)[0] == 0
    assert run(capsys, "case", "balance", "C", "--month", "2025-01", "--debt", "某网贷", "--balance", "9800", "--book", book)[0] == 0
    code, out, err = run(capsys, "case", "check", "C", "某网贷", "--claimed-principal", "9700", "--claimed-interest", "400",
                         "--as-of", "2025-03-01", "--format", "json", "--book", book)
    assert code == 0, err
    data = json.loads(out)
    assert data["contract"]["principal"] == 9495.89 and data["contract"]["interest"] == 271.61
    assert data["case_unexplained_charges"] == 300.0 and data["since"] == "2025-01-01"
    letter = tmp_path / "dispute.txt"
    letter.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "case", "check", "C", "某网贷", "--claimed-principal", "9700", "--as-of", "2025-03-01",
                       "--letter", letter, "--book", book)
    assert code == 2 and "already exists" in err
    code, out, err = run(capsys, "case", "check", "C", "某网贷", "--claimed-principal", "9700", "--as-of", "2025-03-01",
                         "--letter", tmp_path / "new.txt", "--lang", "en", "--book", book)
    assert code == 0, err
    assert "unexplained charges" in out
    assert "Request for an itemised account" in Path(tmp_path / "new.txt").read_text(encoding="utf-8")
