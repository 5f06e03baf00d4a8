"""Collection-conduct flags (issue 13): times at the edges, counts per day, zones, keywords.

The lines are the data file's (planner/data/collection_rules.toml): quiet hours
22:00-08:00 in the borrower's zone (Asia/Shanghai by default), three contacts a
day from one lender; the sources and their certainty are stated there.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import PlannerError
from planner.conduct import Contact, Evidence, complaint_channels, flag_contacts, flags_by_lender, rules, settings

SH = ZoneInfo("Asia/Shanghai")


def call(h, m, *, day=5, debt="借呗", direction="in", channel="phone", summary="", tz=SH, consent=False):
    return Contact(datetime(2027, 1, day, h, m, tzinfo=tz), debt, channel, direction, summary=summary, consent=consent)


def flags(*contacts, **kw):
    return flag_contacts(list(contacts), **kw)


@pytest.mark.parametrize(("h", "m", "night"), [(21, 59, False), (22, 0, True), (23, 59, True), (0, 0, True),
                                               (7, 59, True), (8, 0, False), (12, 0, False)])
def test_quiet_hours_edges(h, m, night):
    assert ("night" in flags(call(h, m))[0]) is night


def test_night_is_the_borrowers_local_time():
    # 14:30 UTC is 22:30 in Shanghai: at night for the borrower, though mid-afternoon in UTC.
    assert flags(call(14, 30, tz=timezone.utc))[0] == ("night",)
    # 13:59 UTC is 21:59 in Shanghai.
    assert flags(call(13, 59, tz=timezone.utc))[0] == ()
    # A borrower in another zone: 22:30 Shanghai is 15:30 in Berlin (winter): not at night there.
    assert flags(call(22, 30), tz="Europe/Berlin")[0] == ()


def test_our_own_calls_and_consented_calls_are_not_flagged_for_time():
    assert flags(call(23, 0, direction="out"))[0] == ()
    assert flags(call(23, 0, consent=True))[0] == ()


def test_the_fourth_contact_of_a_day_is_flagged_not_the_third():
    day = [call(9 + k, 0) for k in range(5)]
    assert [("too_many" in f) for f in flags(*day)] == [False, False, False, True, True]
    assert [("too_many" in f) for f in flags(*day, max_per_day=4)] == [False, False, False, False, True]


def test_counts_are_per_lender_per_local_day_and_in_time_order():
    # Three calls late on the 5th and one just after midnight: a new day, not a fourth call.
    late = [call(21, 0), call(21, 30), call(21, 50), call(0, 10, day=6)]
    assert ["too_many" in f for f in flags(*late)] == [False, False, False, False]
    # Given out of order, the count still follows the clock: the latest call is the fourth.
    shuffled = [call(12, 0), call(9, 0), call(10, 0), call(11, 0)]
    assert ["too_many" in f for f in flags(*shuffled)] == [True, False, False, False]
    # Another lender's calls are counted apart.
    mixed = [call(9, 0), call(10, 0), call(11, 0), call(12, 0, debt="美团借钱")]
    assert ["too_many" in f for f in flags(*mixed)] == [False] * 4
    # Across midnight in UTC, the borrower's day decides: 15:30 UTC on the 5th is 23:30 on the 5th
    # in Shanghai, 16:30 UTC is 00:30 on the 6th.
    utc = [call(10, 0), call(11, 0), call(15, 30, tz=timezone.utc), call(16, 30, tz=timezone.utc)]
    assert ["too_many" in f for f in flags(*utc)] == [False, False, False, False]


def test_third_party_contacts():
    assert flags(call(10, 0, channel="third_party", direction="out"))[0] == ("third_party",)


@pytest.mark.parametrize(("summary", "rule"), [
    ("催收员说再不还就上门", "threat"),
    ("骂我是老赖", "insult"),
    ("自称是派出所的，说要拘留我", "impersonation"),
    ("说要爆通讯录，告诉你家人", "exposure"),
    ("说要通知你的家人和单位", "exposure"),  # missed by the first word list
    ("Said he would call your colleagues", "exposure"),
    ("Said he would come to your home tonight", "threat"),
    ("Called me a SCUM", "insult"),
    ("Claimed to be from the Court and mentioned a warrant", "impersonation"),
    ("Threatened to message your contacts", "exposure"),
    ("ＰＯＬＩＣＥ will come", "impersonation"),  # full-width letters fold to ASCII
])
def test_keyword_flags_in_both_languages(summary, rule):
    found = flags(call(10, 0, summary=summary))[0]
    assert rule in found
    assert rules()[rule].is_check  # a prompt to check, never a finding


def test_a_polite_call_has_no_flag():
    assert flags(call(10, 0, summary="提醒本月还款日是15号，可以协商分期"))[0] == ()


def test_flags_by_lender_and_complaint_channels():
    cs = [call(23, 0), call(10, 0, summary="要告诉你父母"), call(10, 0, debt="分期乐", summary="打断你的腿")]
    f = flag_contacts(cs)
    by = flags_by_lender(cs, f)
    assert by["借呗"]["night"] == 1 and by["借呗"]["exposure"] == 1 and by["分期乐"]["threat"] == 1
    assert [c["id"] for c in complaint_channels(["night"])] == ["lender", "association", "regulator"]
    assert complaint_channels(["threat"])[-1]["id"] == "police"


def test_every_rule_has_both_languages_a_source_and_a_certainty():
    for r in rules().values():
        assert r.label_zh and r.label_en and r.basis_zh and r.basis_en and r.source
        assert r.certainty in ("primary", "reported")
    assert settings()["max_per_day"] == 3 and "3" in rules()["too_many"].basis("en")


@pytest.mark.parametrize("bad", [
    dict(at=datetime(2027, 1, 5, 22, 0)),  # no zone
    dict(channel="pigeon"),
    dict(direction="sideways"),
    dict(debt=" "),
])
def test_bad_contacts_are_refused_with_a_bilingual_message(bad):
    kw = dict(at=datetime(2027, 1, 5, 22, 0, tzinfo=SH), debt="借呗", channel="phone", direction="in") | bad
    with pytest.raises(PlannerError) as info:
        Contact(**kw)
    assert " / " in str(info.value)


def test_bad_evidence_and_settings_are_refused():
    with pytest.raises(PlannerError):
        Evidence("a.mp3", "not-a-hash", 10)
    with pytest.raises(PlannerError):
        flag_contacts([call(10, 0)], max_per_day=0)
    with pytest.raises(PlannerError):
        flag_contacts([call(10, 0)], tz="Mars/Olympus")


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 24 * 60 - 1)), max_size=30), st.integers(1, 5))
def test_per_day_flags_match_a_direct_count(events, limit):
    """Property: on each (lender, day), exactly max(0, n - limit) contacts are flagged, the latest ones."""
    base = datetime(2027, 1, 5, tzinfo=SH)
    cs = [Contact(base + timedelta(days=d % 2, minutes=minute), f"L{d}", "phone", "in") for d, minute in events]
    f = flag_contacts(cs, max_per_day=limit)
    groups: dict = {}
    for c, found in zip(cs, f):
        groups.setdefault((c.debt, c.at.date()), []).append((c.at, "too_many" in found))
    for items in groups.values():
        flagged = sum(x for _, x in items)
        assert flagged == max(0, len(items) - limit)
        if flagged:  # the flagged ones are never earlier than an unflagged one
            assert min(t for t, x in items if x) >= max(t for t, x in items if not x)


# issue 24, item 12: word boundaries in English, phrases in Chinese, hits and near-misses per rule
HITS_AND_NEAR_MISSES = {
    "threat": (["说要起诉你", "再不还就起诉到法院", "We know where you live, we will visit your house", "he'll KILL you", "they will sue you",
                "说知道你住哪，要去你家"],
               ["improve your skills", "a closer look at the plan", "he was courteous", "beaten track? no", "寄来起诉状副本请核对", "告你一声明天还款日"]),
    "insult": (["骂我是老赖", "说你是人渣", "called me a Loser", "called him a liar twice", "叫我滚开"],
               ["收到很多垃圾短信", "滚动分期的利息", "we are closer to a deal", "a reliable partner", "垃圾分类通知"]),
    "impersonation": (["自称派出所的", "said the Court will send a summons", "mentioned a warrant"],
                      ["he was courteous", "a courtesy call", "the judgement of the counsellor is fine"]),
    "exposure": (["说要通知家人和单位", "要通知你家人", "说要告诉你老婆", "would tell your wife", "will message your contacts"],
                 ["familiar with the account", "a family plan discount", "我们是一家人"]),
}


@pytest.mark.parametrize("rule", sorted(HITS_AND_NEAR_MISSES))
def test_each_keyword_rule_hits_its_phrases_and_not_their_near_misses(rule):
    hits, misses = HITS_AND_NEAR_MISSES[rule]
    for summary in hits:
        assert rule in flags(call(10, 0, summary=summary))[0], summary
    for summary in misses:
        assert rule not in flags(call(10, 0, summary=summary))[0], summary


def test_the_issues_false_positives_raise_nothing():
    for summary in ("courteous", "familiar", "closer", "skills", "垃圾短信", "滚动分期"):
        assert flags(call(10, 0, summary=summary))[0] == (), summary
