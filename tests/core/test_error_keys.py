"""Errors are catalogue keys, rendered per language: ``err.zh`` in Chinese, ``err.en`` in English.

Two checks: every key the code raises exists in ``data/errors.toml`` with both languages, and
every error a sample of bad inputs raises has an English text with no Chinese in it (beyond
values quoted from the input) and a Chinese text.
"""

import ast
import pickle
import re
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from planner import Debt, PlannerError, compare, load_debts, plan
from planner.errors import InfeasibleBudgetError, InputError, Message, Problem, catalogue, message
from planner.i18n import labels, t

PACKAGE = Path(__file__).resolve().parents[2] / "planner"
CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
INPUT_FORMS = re.compile(r"[￥¥][\d,.]+|[\d.,]+\s?[万千元]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _calls():
    """(file, line, name, first argument) of every PlannerError / Problem call in planner/."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in {"PlannerError", "Problem", "Problem.of", "message"}:
                    yield path.relative_to(PACKAGE.parent), node.lineno, name, node.args[0] if node.args else None


def test_every_key_raised_is_in_the_catalogue_with_both_languages():
    table = catalogue()
    keys = [(f, line, a.value) for f, line, name, a in _calls() if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    assert len(keys) > 300
    missing = [k for k in keys if k[2] not in table]
    assert not missing
    assert all(table[k].get("en", "").strip() and table[k].get("zh", "").strip() for _, _, k in keys)


def test_no_text_is_written_out_in_code():
    """PlannerError and Problem take a key (a string literal), never a text or a "zh / en" string.

    Problem(zh, en) built from an error's own texts is Problem.from_error; the few helpers that
    pass a pair on (a validator's refusal built from two texts) are listed with their reason."""
    written = [
        f"{f}:{line}" for f, line, name, a in _calls()
        if name in ("PlannerError", "Problem") and not (isinstance(a, ast.Constant) and a.value in catalogue())
    ]
    allowed: set[str] = set()  # no helper passes a (zh, en) pair on any more
    left = [w for w in written if w.split(":")[0] not in allowed]
    assert not left, left


#: Helpers that build an error from a catalogue key and fields: the argument that is the key.
KEYED_HELPERS = {"w.fail": 1, "self.fail": 1, "_param_error": 3, "_refuse": 1}


def test_keyed_helpers_take_catalogue_keys():
    """The refusal helpers of case import, negotiation parameters and evidence files take a key
    in the catalogue (a string literal), never a (zh, en) pair of texts."""
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in KEYED_HELPERS:
                at = KEYED_HELPERS[ast.unparse(node.func)]
                calls.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[at] if len(node.args) > at else None))
    assert len(calls) > 70
    bad = [where for where, a in calls if not (isinstance(a, ast.Constant) and a.value in catalogue())]
    assert not bad, bad


def test_texts_have_no_chinese_in_english():
    # Chinese in an English text is allowed where it names what to write in a file (a column header,
    # a word a cell may hold such as 收入 or 是/否, an amount as typed such as ￥1,200 or 1.2万).
    allowed = {
        "cases.payments.missing_columns",
        "io.loader.not_due_day", "io.loader.fee_timing", "io.loader.prepay_fees", "io.loader.not_priority", "io.loader.money_not_amount", "io.loader.not_rate",
        "io.loader.not_daily_rate",
        "io.statement.header", "io.statement.kind", "io.statement.category", "io.statement.amount",
        "budget.unknown_kind", "budget.unknown_category", "budget.not_monthly_amount",
        "cli.common.names",  # debt names as typed (借呗,美团借钱)
    }
    bad = [k for k, e in catalogue().items() if k not in allowed and CJK.search(e["en"])]
    assert not bad


def test_errors_are_in_labels_too():
    assert labels()["engine.budget_negative"] == catalogue()["engine.budget_negative"]
    assert t("engine.budget_negative", "zh", budget=-1) == "预算不能为负数：-1"


def _english_is_english(err: PlannerError) -> None:
    """``err.en`` with values quoted from the input taken out has no Chinese; ``err.zh`` has some."""
    quoted = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|「[^」]*」|\([^()]*[\u4e00-\u9fff][^()]*\)")
    # Examples of what may be typed ("￥12,000 or 1.2万") are input forms, not Chinese prose.
    en = INPUT_FORMS.sub("", quoted.sub("", err.en))
    for value in (err.value, err.column, err.file):
        if value is not None:
            en = en.replace(str(value), "")
    assert not CJK.search(en), err.en
    assert CJK.search(err.zh), err.zh
    assert str(err) in (f"{err.zh} / {err.en}", f"{err.zh}\n{err.en}") or isinstance(err, InputError)


def _raised(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except PlannerError as exc:
            return exc
    return None


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.csv")), ids=lambda p: p.name)
def test_bad_inputs_give_one_language_each(path):
    err = _raised(lambda: load_debts(path))
    if err is None:
        pytest.skip("loads (with a warning)")
    _english_is_english(err)
    for problem in getattr(err, "problems", []):
        assert CJK.search(problem.zh) and problem.en.strip()
        assert problem.text("en").startswith(("row", "column", "value")) or problem.text("en") == problem.en


DEBTS = [Debt("A", 10000, 18, 300), Debt("B", 5000, 24, 200)]


@pytest.mark.parametrize("call", [
    lambda: plan(DEBTS, 1000, strategy="x"),
    lambda: plan(DEBTS, -5),
    lambda: plan(DEBTS, 1000, horizon=0),
    lambda: plan(DEBTS, 1000, horizon=5000),
    lambda: plan(DEBTS, 100),
    lambda: plan(DEBTS, 1000, extra={700: 5}),
    lambda: compare(DEBTS, 1000, strategies=["avalanche"], order=["A"]),
    lambda: Debt("A", -5, 18, 100),
    lambda: Debt("A", 100, 18, 10, kind="nonsense"),
], ids=["strategy", "negative-budget", "horizon-0", "horizon-big", "infeasible", "extra-beyond", "order", "debt", "kind"])
def test_core_errors_give_one_language_each(call):
    err = _raised(call)
    assert err is not None
    _english_is_english(err)
    assert err.key in catalogue()


def test_unknown_strategy_english_is_english():
    err = _raised(lambda: plan(DEBTS, 1000, strategy="x"))
    assert err.en.startswith("unknown strategy 'x'") and "未知策略" in err.zh and "unknown" not in err.zh
    assert err.key == "strategies.unknown_strategy_choose" and err.fields["strategy"] == "x"


def test_case_book_error_gives_one_language_each(tmp_path):
    from planner.cases import CaseBook

    book = CaseBook(tmp_path / "book.sqlite")
    book.new("C", DEBTS, 1000)
    for call in (lambda: book.case("nobody"), lambda: book.new("C", DEBTS, 1000), lambda: book.new("D", DEBTS, 10)):
        err = _raised(call)
        assert err is not None
        _english_is_english(err)


def test_nested_errors_stay_in_their_language():
    inner = PlannerError("engine.budget_negative", budget=-1)
    outer = PlannerError("engine.in_month", m=3, exc=inner)
    assert outer.zh == "第 3 个月：预算不能为负数：-1" and outer.en == "month 3: the budget cannot be negative: -1"
    assert str(message("engine.in_month", m=3, exc=Message("甲", "a"))) == "第 3 个月：甲 / month 3: a"


def test_keys_and_fields_survive_pickling():
    for err in (PlannerError("engine.budget_negative", budget=Decimal(-1), value=-1),
                InfeasibleBudgetError(Decimal(100), Decimal(150), month=2),
                InputError([Problem.of("io.loader.too_many_rows", 3, "name", "x", max_debts=10)], "f.csv"),
                PlannerError.like(InfeasibleBudgetError(Decimal(1), Decimal(2)))):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err)
        assert (str(again), again.zh, again.en, again.key, again.fields, again.value) == (
            str(err), err.zh, err.en, err.key, err.fields, err.value)
