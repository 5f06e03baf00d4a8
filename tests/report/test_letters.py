"""Written requests and complaint packs (issue 13): the engine's numbers, escaping, anonymising."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from planner import Debt, PlannerError, plan
from planner.conduct import Contact, Evidence
from planner.negotiation import Scenario, extend_term, freeze_interest, reduce_rate, settle, waive_fees
from planner.report.letters import complaint_pack, proposal, request_letter, scrub

SH = ZoneInfo("Asia/Shanghai")
CARD = Debt("招商银行信用卡", 7500, 18, 750, kind="card")
LOAN = Debt("分期乐", 6000, "35.9", "354.02", kind="online_loan", overdue_days=45, penalty_apr="53.85", fees_owed=360)


@pytest.mark.parametrize("ask", [freeze_interest("*", months=24), extend_term("*", months=36), reduce_rate("*", apr=24),
                                 waive_fees("*"), settle("*", fraction="0.4", month=2)])
@pytest.mark.parametrize("debt", [CARD, LOAN], ids=["card", "loan"])
def test_the_proposal_is_the_engines(debt, ask):
    """The letter's installment, number of payments and first month are the plan of the same
    scenario on the same engine, paying the new minimum."""
    p = proposal(debt, ask, "2027-01")
    adjusted = Scenario("ask", [ask]).apply([debt])[0]
    engine = plan([adjusted], adjusted.min_payment, "minimum_only", start="2027-01")
    assert p.installment == adjusted.min_payment
    assert p.payments == engine.months and p.first_month == "2027-01"
    assert p.plan.total_paid == engine.total_paid and p.plan.reconciles


def test_freeze_24_is_balance_over_24():
    # DOMAIN.md: 停息挂账 repays the principal in equal installments; 7,500 / 24 = 312.50 exactly.
    p = proposal(CARD, freeze_interest("*", months=24), "2027-01")
    assert (p.installment, p.payments) == (Decimal("312.50"), 24)
    assert p.sentence("zh") == "停息后分 24 期，每期 ¥312.50，首期 2027-01"
    assert p.sentence("en") == "Stop interest and repay in 24 installments of ¥312.50, the first in 2027-01"
    assert p.interest_saved > 0


def test_settlement_sentence_states_lump_and_forgiven():
    p = proposal(CARD, settle("*", fraction="0.4", month=1), "2027-01")
    # The engine's rule (README, Conventions): a settlement pays its fraction of what is owed at the
    # start of that month and the rest is forgiven: 40% of 7,500 is 3,000, and 4,500 is waived.
    assert (p.plan.total_paid, p.plan.total_forgiven) == (Decimal("3000.00"), Decimal("4500.00"))
    assert p.sentence("zh") == "一次性结清：2027-01 支付 ¥3,000.00（欠款的 40%），其余 ¥4,500.00 予以减免"


def test_letter_has_every_part_and_escapes_what_the_user_typed():
    p = proposal(LOAN, freeze_interest("*", months=24), "2027-01")
    doc = request_letter(p, lang="zh", client="王小明", hardship="失业三个月 <script>alert(1)</script>",
                         income=8000, essentials=4500, made_on=date(2026, 12, 1))
    text, page = doc.text(), doc.html()
    for part in ("分期乐", "王小明", "失业三个月", "停息后分 24 期", "30%", "书面", "24%", "2026-12-01"):
        assert part in text
    # The contract rate and the penalty rate charged while overdue are shown apart, each named.
    assert "年化利率% | 35.90" in text and "逾期罚息年利率% | 53.85" in text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from outside
    assert "default-src 'none'" in page


def test_anonymise_removes_the_name_and_phone_numbers_everywhere():
    p = proposal(CARD, freeze_interest("*", months=24), "2027-01")
    doc = request_letter(p, lang="en", client="王小明", hardship="王小明 lost his job; call 138 1234 5678 or +86-13912345678",
                         anonymise=True)
    for rendered in (doc.text(), doc.html()):
        assert "王小明" not in rendered and "5678" not in rendered
    assert scrub("座机 021-87654321，手机13812345678", (), "zh") == "座机 【电话】，手机【电话】"


def contact(h, m, summary="", *, channel="phone", evidence=()):
    return Contact(datetime(2027, 1, 5, h, m, tzinfo=SH), "分期乐", channel, "in", summary=summary,
                   who="催收员 13800001111", evidence=evidence)


def test_complaint_pack_lists_flagged_contacts_with_rules_hashes_and_where_to_send():
    ev = Evidence("王小明-录音.mp3", "ab" * 32, 1234)
    cs = [contact(10, 0, "提醒还款"), contact(22, 30, "威胁要上门", evidence=(ev,)), contact(12, 0, channel="third_party")]
    doc = complaint_pack(cs, "分期乐", lang="zh", client="王小明")
    text = doc.text()
    assert "2027-01-05 22:30 +08:00" in text and "ab" * 32 in text and "| 1234 |" in text
    assert "夜间催收" in text and "可能有威胁" in text and "联系无关第三方" in text
    assert "提醒还款" not in text  # an unflagged contact is not in the timeline
    assert "12378" in text and "110" in text  # regulator line, police for a threat
    assert text.count("据转述") == 1  # which sources are second-hand is said once, in a note
    anon = complaint_pack(cs, "分期乐", lang="en", client="王小明", anonymise=True)
    for rendered in (anon.text(), anon.html()):
        assert "王小明" not in rendered and "13800001111" not in rendered
        assert "evidence-2-1.mp3" in rendered and "ab" * 32 in rendered


def test_complaint_pack_for_an_unknown_lender_is_refused():
    with pytest.raises(PlannerError, match="no contacts recorded"):
        complaint_pack([contact(10, 0)], "借呗")


# ---------------------------------------------------------------------------
# issue 23, item 14: documents a regulator or a lender reads


def test_complaint_pack_times_headers_and_fingerprints_read_cleanly():
    ev = Evidence("录音.mp3", "cd" * 32, 99)
    cs = [contact(22, 15, "威胁要上门", evidence=(ev,)), contact(23, 0, "半夜来电")]
    zh = complaint_pack(cs, "分期乐", lang="zh", client="王小明")
    page = zh.html()
    # a time never breaks inside: the cell does not wrap, and the offset is written out (CST is ambiguous)
    assert '<td class="nb">2027-01-05 22:15 +08:00</td>' in page and "CST" not in page
    assert "th{background:#f3f6f9;white-space:nowrap" in page  # headers such as 联系人 stay on one line
    assert "word-break:break-all}" not in page.split(".fp{")[0]  # only fingerprints may break anywhere
    # the timeline shows a short fingerprint; the full one is in the list at the end, in small type
    timeline = page.split("<h2>时间线</h2>")[1].split("<h2>")[0]
    assert "cd" * 32 not in timeline and "cd" * 6 + "…" in timeline
    assert f'<td class="fp">{"cd" * 32}</td>' in page
    # a Chinese document: sources in Chinese, and "as reported" said once
    rules_part = page.split("<h2>涉及的规范</h2>")[1].split("<h2>")[0]
    assert "NIFA" not in rules_part and "China Banking" not in rules_part
    assert (rules_part.count("据转述") + rules_part.count("原文未核对")) <= 2 and rules_part.count("原文未核对") == 1
    en = complaint_pack(cs, "分期乐", lang="en", client="王小明").html()
    en_rules = en.split("The rules concerned</h2>")[1].split("<h2>")[0]
    assert "《" not in en_rules and en_rules.count("as reported") == 1


def test_an_anonymised_letter_does_not_name_the_client_twice_or_say_a_tool_wrote_it():
    p = proposal(CARD, freeze_interest("*", months=24), "2027-01")
    for lang in ("zh", "en"):
        for anonymise in (True, False):
            text = request_letter(p, lang=lang, client="王小明", anonymise=anonymise).text()
            assert "本人【本人】" not in text and "[client], [client]" not in text
            assert "工具" not in text and "debt-planner" not in text and "generated" not in text.lower() and "tool" not in text.lower()
    anon = request_letter(p, lang="zh", client="王小明", anonymise=True).text()
    assert "【本人】" not in anon and "本人就在招商银行信用卡的借款向贵司" in anon and "王小明" not in anon


def test_a_case_letter_never_proposes_a_first_instalment_in_a_month_already_past(tmp_path):
    from planner.cases import CaseBook
    from planner.report.letters import case_letter

    book = CaseBook(tmp_path / "b.sqlite", today="2027-06")
    case = book.new("R", [CARD], 1000, start="2027-01")
    case = case.ask(CARD.name, "freeze_interest", "2027-02", months=24)
    _, prop = case_letter(case, CARD.name, lang="zh")
    assert prop.first_month == "2027-06"  # asked for 2027-02, written in 2027-06
    case = case.ask(CARD.name, "extend_term", "2027-09", months=36)
    _, prop = case_letter(case, CARD.name, lang="zh")
    assert prop.first_month == "2027-09"  # a month still to come stays as asked
    book.close()


def test_a_letter_made_today_never_proposes_a_month_already_past():
    p = proposal(CARD, freeze_interest("*", months=24), "2025-01")
    text = request_letter(p, lang="zh", made_on=date(2026, 12, 6)).text()
    assert "首期 2026-12" in text and "2025-01" not in text


# issue 24, item 4: every identifier the hostile corpus found in an anonymised letter or pack
LEAKS = ("11010519491231002X", "6222 0212 3456 7890 128", "139.1234.5678", "１３９１２３４５６７８", "(010) 6552 1234", "0755-8888 9999")


def test_anonymised_documents_leak_no_id_card_phone_or_name_in_another_case():
    summary = "催收员说知道身份证 " + "，".join(LEAKS) + "，还说 WANG XIAOMING 要上门"
    cs = [Contact(datetime(2027, 1, 5, 22, 30, tzinfo=SH), "分期乐 0755-8888 9999", "phone", "in", summary=summary, who="139 1234 5678")]
    for lang in ("zh", "en"):
        doc = complaint_pack(cs, "分期乐 0755-8888 9999", lang=lang, client="Wang Xiaoming", anonymise=True)
        for rendered in (doc.text(), doc.html()):
            for leak in (*LEAKS, "WANG XIAOMING", "1234 5678", "8888 9999"):
                assert leak not in rendered, (lang, leak)
    p = proposal(CARD, freeze_interest("*", months=24), "2027-01")
    doc = request_letter(p, lang="zh", client="Wang Xiaoming", hardship="wang xiaoming，卡号 6222-0212-3456-7890-128，电话 +86 139 1234 5678",
                         anonymise=True)
    for leak in ("wang xiaoming", "6222-0212", "139 1234"):
        assert leak not in doc.text() and leak not in doc.html()
