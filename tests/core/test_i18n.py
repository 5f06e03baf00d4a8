"""The one translation table: every key in both languages, one lookup."""

import re

import pytest

from planner.errors import PlannerError
from planner.i18n import LANGUAGES, labels, strategy_labels, t
from planner.strategies import STRATEGIES, STRATEGY_LABELS


def test_every_key_has_both_languages():
    table = labels()
    missing = [(key, lang) for key, entry in table.items() for lang in LANGUAGES if not str(entry.get(lang, "")).strip()]
    assert not missing
    assert any(k.startswith("report.") for k in table) and any(k.startswith("report.ask.") for k in table)


#: Texts that leave out a field in one language on purpose: the Chinese letter addresses the
#: lender as 贵司 ("your company") instead of naming it; an import refusal names the Python
#: exception class (TypeError) in English only.
FIELDS_LEFT_OUT = {"letter_intro", "cases.imports.missing_or_wrong_type"}


def test_fields_are_the_same_in_both_languages():
    # {name}, {name!r}, {amount:,.2f}, {{{name}: …}} (a field in literal braces); not {{literal}}
    field = re.compile(r"(?<!\{)(?:\{\{)*\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
    differ = {key for key, entry in labels().items() if set(field.findall(entry["en"])) != set(field.findall(entry["zh"]))}
    assert differ == FIELDS_LEFT_OUT


def test_strategy_labels_come_from_the_table():
    assert STRATEGY_LABELS == strategy_labels()
    assert set(STRATEGIES) <= set(STRATEGY_LABELS)
    assert t("strategy_avalanche", "zh") == STRATEGY_LABELS["avalanche"][0]


def test_unknown_language_is_a_planner_error():
    with pytest.raises(PlannerError):
        t("debt", "fr")
