"""Labels in English and Chinese, from one table (``data/labels.toml``).

>>> t("total_interest", "zh")
'总利息'
>>> t("never_paid_note", "en", name="A", horizon=600, amount="¥10")
'A is never paid off within 600 months; a monthly payment of ¥10 would clear it.'
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh")


@cache
def labels() -> dict[str, dict[str, str]]:
    text = resources.files("planner").joinpath("data/labels.toml").read_text("utf-8")
    return tomllib.loads(text)


def t(key: str, lang: str = "en", **fields) -> str:
    """The label ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fields``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGUAGES}")
    entry = labels()[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text
