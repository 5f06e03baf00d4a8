"""Every text shown to people, in English and Chinese, through one lookup: :func:`t`.

The table is ``data/labels.toml`` (CLI, charts, widgets, strategy names) with the
error texts of ``data/errors.toml`` (keys such as ``engine.budget_negative``, see
:func:`planner.errors.catalogue`) and the texts of ``data/report.toml`` under ``report.`` keys: ``report.<key>`` for
its ``[text]``, ``report.kind.<kind>``, ``report.ask.<ask>.<part>`` and
``report.rights.<n>``. Every key has both languages (a test checks it).

>>> t("total_interest", "zh")
'总利息'
>>> t("never_paid_note", "en", name="A", horizon=600, amount="¥10")
'A is never paid off within 600 months; a monthly payment of ¥10 would clear it.'
>>> t("report.anon_debt", "zh", letter="A")
'平台A'
"""

from __future__ import annotations

from functools import cache

from .datafiles import read_toml, report_table
from .errors import Message, PlannerError, catalogue

LANGUAGES = ("en", "zh")

#: Strategy names are labelled by the keys ``strategy_<name>``.
STRATEGY_PREFIX = "strategy_"


def _report_labels() -> dict[str, dict[str, str]]:
    table = report_table()
    out = {f"report.{key}": entry for key, entry in table["text"].items()}
    out.update({f"report.kind.{key}": entry for key, entry in table["kinds"].items()})
    for ask, parts in table["asks"].items():
        out.update({f"report.ask.{ask}.{part}": entry for part, entry in parts.items()})
    out.update({f"report.rights.{n}": entry for n, entry in enumerate(table["rights"])})
    return out


@cache
def labels() -> dict[str, dict[str, str]]:
    """The whole table: ``{key: {"en": ..., "zh": ...}}``.

    Returns
    -------
    dict
        Every key of ``data/labels.toml``, of ``data/errors.toml`` and the ``report.*`` keys.

    Examples
    --------
    >>> labels()["debt"]
    {'en': 'Debt', 'zh': '债务'}
    """
    table = dict(read_toml("labels.toml"))  # a copy: read_toml's result is cached
    table.update(_report_labels())
    errors = catalogue()
    if clash := table.keys() & errors.keys():
        raise KeyError(f"keys in both labels.toml and errors.toml: {sorted(clash)}")
    table.update(errors)
    return table


def t(key: str, lang: str = "en", **fields) -> str:
    """The label ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fields``.

    Parameters
    ----------
    key : str
        A key of :func:`labels`.
    lang : {"en", "zh"}
    **fields
        Values for the ``{name}`` fields of the text.

    Returns
    -------
    str

    Raises
    ------
    PlannerError
        For a language other than ``"en"`` or ``"zh"`` (a ``ValueError``).
    KeyError
        For a key that is not in the table.

    Examples
    --------
    >>> t("debt", "zh")
    '债务'
    """
    if lang not in LANGUAGES:
        raise PlannerError("i18n.unknown_language", lang=lang, languages=LANGUAGES, value=lang)
    entry = labels()[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text


def t_or(key: str, default: str, lang: str = "en") -> str:
    """:func:`t` for a key that may be missing: ``default`` then.

    Parameters
    ----------
    key : str
    default : str
        Returned as it is when ``key`` is not in the table.
    lang : {"en", "zh"}

    Returns
    -------
    str

    Examples
    --------
    >>> t_or("action_cap_rate", "cap_rate", "zh"), t_or("action_mine", "mine")
    ('利率封顶', 'mine')
    """
    return t(key, lang) if key in labels() else default


def both(key: str, **fields) -> Message:
    """The label ``key`` in both languages, as a :class:`~planner.errors.Message`: a field of an
    error that is put in per language (``PlannerError(..., what=both("clearance_proof_asked"))``).

    Parameters
    ----------
    key : str
        A key of :func:`labels`.
    **fields
        Values for the ``{name}`` fields of the text.

    Returns
    -------
    Message
        The label in Chinese and in English (a text missing in Chinese is the English one).

    Raises
    ------
    KeyError
        For a key that is not in the table.

    Examples
    --------
    >>> both("debt")
    Message(zh='债务', en='Debt')
    """
    return Message(t(key, "zh", **fields), t(key, "en", **fields))


def strategy_labels() -> dict[str, tuple[str, str]]:
    """``{strategy: (zh, en)}`` for every ``strategy_<name>`` key, in table order.

    Returns
    -------
    dict
        A new dict each call (``planner.strategies.STRATEGY_LABELS`` keeps one).

    Examples
    --------
    >>> strategy_labels()["avalanche"]
    ('雪崩法（先还利率最高）', 'Avalanche (highest rate first)')
    """
    return {
        key[len(STRATEGY_PREFIX):]: (entry["zh"], entry["en"])
        for key, entry in labels().items()
        if key.startswith(STRATEGY_PREFIX)
    }


__all__ = ["LANGUAGES", "both", "labels", "strategy_labels", "t", "t_or"]
