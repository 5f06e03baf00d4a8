"""Collection conduct (催收行为): contacts with lenders and collectors, and the reference lines they may cross.

A :class:`Contact` is one call, message, visit or letter, with its time and zone.
:func:`flag_contacts` marks each contact with the ids of the rules in
``data/collection_rules.toml`` it may break:

* ``night``: the collector contacted the borrower between 22:00 and 08:00
  (the borrower's local time) without consent;
* ``too_many``: the (n+1)-th and later contacts from one lender in one local
  day (n = ``max_per_day``, three by default);
* ``third_party``: the collector contacted someone unrelated to the debt;
* ``threat``, ``insult``, ``impersonation``, ``exposure``: the summary has
  words from that rule's list: a prompt to check the record, never a finding.

Only contacts the other side started (``direction="in"``, or a third party
contacted) count for the time and count rules. Pure: no files, no printing.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> sh = ZoneInfo("Asia/Shanghai")
>>> calls = [Contact(datetime(2027, 1, 5, 21, 59, tzinfo=sh), "借呗", "phone", "in"),
...          Contact(datetime(2027, 1, 5, 22, 0, tzinfo=sh), "借呗", "phone", "in", summary="说要爆通讯录")]
>>> flag_contacts(calls)
[(), ('night', 'exposure')]
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .datafiles import read_toml
from .errors import PlannerError

#: How a contact was made. ``third_party``: the collector called or visited someone else (family, employer).
CHANNELS = ("phone", "sms", "app_chat", "letter", "visit", "third_party")
#: ``in``: they contacted us; ``out``: we contacted them.
DIRECTIONS = ("in", "out")
#: Order of the rules in every list and report.
RULE_ORDER = ("night", "too_many", "third_party", "threat", "insult", "impersonation", "exposure")


@dataclass(frozen=True)
class Evidence:
    """A file kept as evidence: its name, SHA-256 (hex) and size in bytes when it was added."""

    file: str
    sha256: str
    size: int

    def __post_init__(self):
        digest = str(self.sha256).lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise PlannerError("conduct.evidence_sha_hex_digits", sha256=self.sha256)
        object.__setattr__(self, "sha256", digest)
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise PlannerError("conduct.evidence_size_whole_number", size=self.size)


@dataclass(frozen=True)
class Contact:
    """One contact with a lender or collector.

    ``at`` is an aware datetime (a time with its zone: ``2027-01-05 21:40+08:00``);
    ``debt`` names the lender as on the debt list; ``who`` is the caller's name or
    number as given; ``consent``: the borrower agreed to be contacted at that hour.
    """

    at: datetime
    debt: str
    channel: str
    direction: str
    summary: str = ""
    who: str = ""
    evidence: tuple[Evidence, ...] = ()
    consent: bool = False

    def __post_init__(self):
        if not isinstance(self.at, datetime):
            raise PlannerError("conduct.contacts_time_date_time", at=self.at)
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise PlannerError("conduct.contacts_time_needs_time", at=self.at.isoformat())
        if not isinstance(self.debt, str) or not self.debt.strip():
            raise PlannerError("conduct.contact_needs_lenders_name")
        if self.channel not in CHANNELS:
            raise PlannerError("conduct.unknown_channel", channel=self.channel, channels=', '.join(CHANNELS))
        if self.direction not in DIRECTIONS:
            raise PlannerError("conduct.direction_they_contacted_us", direction=self.direction)
        evidence = (self.evidence,) if isinstance(self.evidence, (str, Evidence)) else tuple(self.evidence)
        if not all(isinstance(e, Evidence) for e in evidence):  # a file name is not a list of its characters
            raise PlannerError("conduct.contacts_evidence_list_evidence")
        object.__setattr__(self, "evidence", evidence)

    @property
    def started_by_them(self) -> bool:
        """Whether the other side made this contact (the rules on time and count apply)."""
        return self.direction == "in" or self.channel == "third_party"


@dataclass(frozen=True)
class ConductRule:
    """One reference line for collection conduct, with its source and how sure that source is."""

    id: str
    kind: str
    label_zh: str
    label_en: str
    basis_zh: str
    basis_en: str
    source: str
    certainty: str
    words_zh: tuple[str, ...] = ()
    words_en: tuple[str, ...] = ()
    #: Phrases that contain one of the words but mean something else (垃圾短信 is spam, not an insult).
    unless: tuple[str, ...] = ()

    def matches(self, summary: str) -> bool:
        """Whether ``summary`` has one of the rule's words: Chinese words as phrases, English words
        as whole words (with an ending -s, -es, -d, -ed or -ing), ignoring letter case and width;
        the ``unless`` phrases are taken out first.

        >>> r = rules()["threat"]
        >>> r.matches("He said he would KILL me"), r.matches("improve your skills")
        (True, False)
        """
        return bool(_matcher(self.id).search(_without(self.id, _fold(summary))))

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def basis(self, lang: str = "en", max_per_day: int | None = None) -> str:
        text = self.basis_zh if lang == "zh" else self.basis_en
        return text.replace("{n}", str(max_per_day or settings()["max_per_day"]))

    def source_in(self, lang: str = "en") -> str:
        """The source's name in ``lang`` (the data file writes it ``"中文 / English"``)."""
        import re

        parts = re.split(r"\s?/\s", self.source, maxsplit=1)
        zh, en = parts[0], parts[-1]
        return (zh if lang == "zh" else en).strip()

    @property
    def is_check(self) -> bool:
        """A keyword rule: it asks a person to check the record; it is never a finding."""
        return self.kind == "keyword"


@cache
def _table() -> dict:
    return read_toml("collection_rules.toml")


@cache
def rules() -> dict[str, ConductRule]:
    """The conduct rules by id, in :data:`RULE_ORDER`."""
    out = {}
    for rid in RULE_ORDER:
        r = _table()["rules"][rid]
        words = r.get("words", {})
        out[rid] = ConductRule(
            rid, r["kind"], r["label"]["zh"], r["label"]["en"], r["basis"]["zh"], r["basis"]["en"], r["source"],
            r["certainty"], tuple(words.get("zh", ())), tuple(words.get("en", ())), tuple(r.get("unless", ())),
        )
    return out


def settings() -> dict:
    """``timezone``, ``quiet_start``, ``quiet_end`` and ``max_per_day`` from the data file."""
    return dict(_table()["settings"])


def complaint_channels(rule_ids: Iterable[str] = ()) -> list[dict]:
    """Where a complaint can go, most direct first; the police only when a threat was flagged.

    Parameters
    ----------
    rule_ids : iterable of str, default ()
        The ids of the rules flagged (see :func:`flag_contacts`); a channel with a ``when``
        in ``data/collection_rules.toml`` is listed only when its rule is among them.

    Returns
    -------
    list of dict
        Each channel's ``id`` with its ``zh`` and ``en`` description.

    Examples
    --------
    >>> [c["id"] for c in complaint_channels()]
    ['lender', 'association', 'regulator']
    >>> [c["id"] for c in complaint_channels(["night", "threat"])]
    ['lender', 'association', 'regulator', 'police']
    >>> complaint_channels()[0]["en"]
    "The lender's own complaint channel (in-app support or its official complaint line)"
    """
    wanted = set(rule_ids)
    return [c for c in _table()["complaint_channels"] if "when" not in c or c["when"] in wanted]


def disclaimer(lang: str = "en") -> str:
    """"These are reference lines for collection conduct, not legal advice ..." in ``lang``.

    Parameters
    ----------
    lang : str, default "en"
        ``"zh"`` for Chinese; anything else gives English.

    Returns
    -------
    str
        The disclaimer shown with every conduct report.

    Examples
    --------
    >>> disclaimer()
    'These are reference lines for collection conduct, not legal advice: check the original records before complaining, and ask a lawyer where needed.'
    >>> disclaimer("zh")
    '以上为催收行为参考线，不构成法律意见；投诉前请核对原始记录，必要时咨询律师。'
    """
    return _table()["disclaimer"]["zh" if lang == "zh" else "en"]


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def _zone(tz) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise PlannerError("conduct.unknown_time_zone_name", tz=tz) from None


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)


@cache
def _matcher(rule_id: str):
    """One pattern per rule: its Chinese words as phrases, its English words on word boundaries."""
    import re

    r = rules()[rule_id]
    parts = [re.escape(_fold(w)) for w in r.words_zh]
    for w in r.words_en:
        body = r"\s+".join(re.escape(p) for p in _fold(w).split())
        parts.append(r"(?<![a-z0-9])" + body + r"(?:s|es|d|ed|ing)?(?![a-z0-9])")
    return re.compile("|".join(parts) or "(?!)")


def _without(rule_id: str, text: str) -> str:
    for phrase in rules()[rule_id].unless:
        text = text.replace(_fold(phrase), " ")
    return text


def _keyword_rules(summary: str) -> list[str]:
    return [r.id for r in rules().values() if r.is_check and r.matches(summary)]


def flag_contacts(contacts: Sequence[Contact], *, tz=None, max_per_day: int | None = None) -> list[tuple[str, ...]]:
    """The ids of the rules each contact may break, in the order of ``contacts``.

    ``tz``: the borrower's time zone (default ``Asia/Shanghai``, from the data
    file); ``max_per_day``: contacts from one lender allowed in one local day
    before the next ones are flagged (default 3). A day runs from 00:00 to
    24:00 local time; contacts are counted in time order whatever the order given.

    Parameters
    ----------
    contacts : sequence of Contact
        The contacts, in any order.
    tz : str or ZoneInfo, optional
        The borrower's time zone, for the night and per-day rules.
    max_per_day : int, optional
        Contacts the other side may start per lender and local day (1 or more).

    Returns
    -------
    list of tuple of str
        One tuple per contact, its rule ids in :data:`RULE_ORDER`; ``()`` when none.

    Raises
    ------
    PlannerError
        When a contact is not a :class:`Contact`, ``max_per_day`` is not a whole number from 1,
        or ``tz`` is not a known time zone.

    Examples
    --------
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> calls = [Contact(datetime(2027, 1, 5, 9, m, tzinfo=sh), "借呗", "phone", "in") for m in range(3)]
    >>> flag_contacts(calls), flag_contacts(calls, max_per_day=2)
    ([(), (), ()], [(), (), ('too_many',)])
    >>> late = [Contact(datetime(2027, 1, 5, 15, 0, tzinfo=ZoneInfo("UTC")), "借呗", "phone", "in")]
    >>> flag_contacts(late), flag_contacts(late, tz="UTC")   # 23:00 in Shanghai, 15:00 in UTC
    ([('night',)], [()])
    >>> flag_contacts(calls, max_per_day=0)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 每天次数上限应为正整数：0 / max_per_day must be a whole number from 1: 0
    """
    s = settings()
    zone = _zone(tz or s["timezone"])
    limit = s["max_per_day"] if max_per_day is None else max_per_day
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise PlannerError("conduct.max_per_day_whole", limit=limit)
    quiet_start, quiet_end = _clock(s["quiet_start"]), _clock(s["quiet_end"])
    contacts = list(contacts)
    for c in contacts:
        if not isinstance(c, Contact):
            raise PlannerError("conduct.not_contact", c=c)
    counts: Counter[tuple[str, date]] = Counter()
    too_many: set[int] = set()
    for k in sorted(range(len(contacts)), key=lambda k: contacts[k].at):
        c = contacts[k]
        if not c.started_by_them:
            continue
        day = (c.debt, c.at.astimezone(zone).date())
        counts[day] += 1
        if counts[day] > limit:
            too_many.add(k)
    out = []
    for k, c in enumerate(contacts):
        found = set()
        local = c.at.astimezone(zone).time()
        if c.started_by_them and not c.consent and (local >= quiet_start or local < quiet_end):
            found.add("night")
        if k in too_many:
            found.add("too_many")
        if c.channel == "third_party":
            found.add("third_party")
        found.update(_keyword_rules(c.summary))
        out.append(tuple(r for r in RULE_ORDER if r in found))
    return out


def flags_by_lender(contacts: Sequence[Contact], flags: Sequence[tuple[str, ...]]) -> dict[str, Counter]:
    """For each lender, how many of its contacts each rule flagged (for a status line or a caseload).

    Parameters
    ----------
    contacts : sequence of Contact
        The contacts.
    flags : sequence of tuple of str
        Their rule ids, as :func:`flag_contacts` returns them for ``contacts``.

    Returns
    -------
    dict of str to Counter
        By lender (``Contact.debt``), the count of each rule id; lenders with nothing flagged
        are left out.

    Examples
    --------
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> calls = [Contact(datetime(2027, 1, 5, 9, m, tzinfo=sh), "借呗", "phone", "in") for m in range(3)]
    >>> calls.append(Contact(datetime(2027, 1, 5, 9, 0, tzinfo=sh), "Card", "sms", "in"))
    >>> flags_by_lender(calls, flag_contacts(calls, max_per_day=2))
    {'借呗': Counter({'too_many': 1})}
    """
    out: dict[str, Counter] = {}
    for c, found in zip(contacts, flags):
        if found:
            out.setdefault(c.debt, Counter()).update(found)
    return out


__all__ = [
    "CHANNELS",
    "DIRECTIONS",
    "RULE_ORDER",
    "ConductRule",
    "Contact",
    "Evidence",
    "complaint_channels",
    "disclaimer",
    "flag_contacts",
    "flags_by_lender",
    "rules",
    "settings",
]
