"""Repayment strategies: each one an ordering of the debts, defined once as sort keys.

A strategy receives the debts and returns them in the order that extra money
goes to them (the order is fixed at the start of the plan). ``minimum_only``
returns an empty order: nothing beyond the minimums is paid.

A strategy is a tuple of :class:`Key` (a debt field and a direction) made into
a function by :func:`by_keys`. Both engines read the same keys: the single engine
sorts :class:`~planner.debt.Debt` objects with :func:`sort_key`; the batch engine
turns each field into a numpy column and sorts within every portfolio
(``planner.batch``). Adding a strategy is one call to :func:`register` (or one
line in :data:`STRATEGIES` here); ``plan``, ``compare``, ``plan_batch``,
``planner batch`` and the widgets then offer it with no other edit.

>>> from planner.debt import Debt
>>> ds = [Debt("A", 1000, 10, 50), Debt("B", 500, 30, 50), Debt("C", 200, 20, 20)]
>>> [d.name for d in avalanche(ds)]
['B', 'C', 'A']
>>> [d.name for d in snowball(ds)]
['C', 'B', 'A']
>>> avalanche.keys
(Key(field='rate', descending=True), Key(field='owed', descending=False), Key(field='name', descending=False))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .debt import Debt
from .errors import PlannerError
from .i18n import strategy_labels
from .money import normalise

Strategy = Callable[[Sequence[Debt]], list[Debt]]


def _cash_flow_index(d: Debt):
    # exact: balance / minimum as a Fraction; no minimum sorts after every ratio
    if d.min_payment > 0:
        return (0, Fraction(d.owed) / Fraction(d.min_payment))
    return (1, Fraction(0))


#: The debt fields a strategy can sort on, each as the single engine reads it from a
#: :class:`Debt`. The batch engine computes the same field for every debt of a book in
#: ``planner/batch/kernel.py`` (one numpy column per field, equal ordering, tested).
FIELDS: dict[str, Callable[[Debt], object]] = {
    "rate": lambda d: d.effective_apr,  # the yearly rate charged (penalty rate while overdue)
    "owed": lambda d: d.owed,  # balance + fees
    "monthly_interest": lambda d: d.monthly_interest,  # first month's interest, in cents
    "cash_flow_index": _cash_flow_index,  # owed / minimum payment (no minimum: last)
    "name": lambda d: d.name,  # the tie-breaker of last resort
}


@dataclass(frozen=True)
class Key:
    """One sort key of a strategy: a field of :data:`FIELDS`, ascending unless ``descending``."""

    field: str
    descending: bool = False

    def __post_init__(self):
        if self.field not in FIELDS:
            raise PlannerError("strategies.unknown_sort_field_choose", fields=', '.join(FIELDS), field=self.field)
        if self.descending and self.field in ("name", "cash_flow_index"):
            raise PlannerError("strategies.field_sorts_ascending", field=self.field)


def sort_key(keys: Sequence[Key]) -> Callable[[Debt], tuple]:
    """The Python sort key of a strategy's keys (what the single engine sorts by).

    Parameters
    ----------
    keys : sequence of Key
        The strategy's keys, most significant first.

    Returns
    -------
    callable
        ``key(debt) -> tuple`` of the fields of :data:`FIELDS`, a descending field negated.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> sort_key([Key("rate", True), Key("name")])(Debt("A", 1000, 10, 50))
    (Decimal('-10'), 'A')
    """
    getters = [(FIELDS[k.field], k.descending) for k in keys]

    def key(d: Debt) -> tuple:
        return tuple(-get(d) if desc else get(d) for get, desc in getters)

    return key


def by_keys(name: str, *keys: Key, doc: str = "") -> Strategy:
    """A strategy function sorting by ``keys``; the keys travel with it as ``.keys``.

    With no keys, the strategy pays minimums only (an empty priority order).

    Parameters
    ----------
    name : str
        The function's ``__name__`` (the strategy's name in results).
    *keys : Key
        Sort keys, most significant first.
    doc : str, default ""
        The function's docstring.

    Returns
    -------
    Strategy
        ``order(debts) -> list of Debt`` with a ``keys`` attribute; it does not register itself
        (see :func:`register`).

    Examples
    --------
    >>> from planner.debt import Debt
    >>> ds = [Debt("A", 1000, 10, 50), Debt("B", 500, 30, 50), Debt("C", 200, 20, 20)]
    >>> smallest = by_keys("smallest", Key("owed"))
    >>> [d.name for d in smallest(ds)], smallest.keys
    (['C', 'B', 'A'], (Key(field='owed', descending=False),))
    >>> by_keys("nothing")(ds)
    []
    """
    key = sort_key(keys)

    def order(debts: Sequence[Debt]) -> list[Debt]:
        return sorted(debts, key=key) if keys else []

    order.__name__ = order.__qualname__ = name
    order.__doc__ = doc
    order.keys = tuple(keys)
    return order


avalanche = by_keys("avalanche", Key("rate", True), Key("owed"), Key("name"),
                    doc="Highest rate first (the cheapest way out); ties: smaller balance, then name.")
snowball = by_keys("snowball", Key("owed"), Key("rate", True), Key("name"),
                   doc="Smallest balance first (quick wins); ties: higher rate, then name.")
minimum_only = by_keys("minimum_only", doc="The baseline: minimums only; the rest of the budget is not spent.")
cash_flow_index = by_keys("cash_flow_index", Key("cash_flow_index"), Key("rate", True), Key("name"),
                          doc="Smallest balance / minimum payment first: frees monthly cash soonest.")
highest_interest_cost = by_keys("highest_interest_cost", Key("monthly_interest", True), Key("rate", True), Key("name"),
                                doc="Largest first-month interest first; ties: higher rate, then name.")


def custom(order: Sequence[str]) -> Strategy:
    """A strategy that follows the names given; debts not named follow in avalanche order.

    Parameters
    ----------
    order : sequence of str
        Debt names, first paid first; a repeated name counts once. Names are taken as they
        are (:func:`get_strategy` normalises them first).

    Returns
    -------
    Strategy
        A function named ``custom``.

    Raises
    ------
    PlannerError
        Raised by the returned function, when ``order`` names a debt it is not given.

    Examples
    --------
    >>> from planner.debt import Debt
    >>> ds = [Debt("A", 1000, 10, 50), Debt("B", 500, 30, 50), Debt("C", 200, 20, 20)]
    >>> [d.name for d in custom(["C"])(ds)]    # then B and A by rate
    ['C', 'B', 'A']
    >>> custom(["C"])(ds[:2])
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 自定义顺序中有未知的债务：C；已有：A, B / unknown debts in the custom order: C; known: A, B
    """
    order = list(order)

    def by_order(debts: Sequence[Debt]) -> list[Debt]:
        by_name = {d.name: d for d in debts}
        unknown = [n for n in order if n not in by_name]
        if unknown:
            raise PlannerError(
                "strategies.unknown_debts_custom_order",
                by_name=', '.join(by_name),
                unknown=', '.join(unknown),
            )
        named = [by_name[n] for n in dict.fromkeys(order)]
        return named + [d for d in avalanche(debts) if d.name not in set(order)]

    by_order.__name__ = "custom"
    return by_order


#: Every strategy by name (built-in and registered). ``custom`` needs an order: see :func:`get_strategy`.
STRATEGIES: dict[str, Strategy] = {
    "avalanche": avalanche,
    "snowball": snowball,
    "minimum_only": minimum_only,
    "cash_flow_index": cash_flow_index,
    "highest_interest_cost": highest_interest_cost,
}

#: Strategy names with labels for people.
STRATEGY_LABELS = strategy_labels()  # {name: (zh, en)}, from data/labels.toml


def get_strategy(strategy: str | Strategy, order: Sequence[str] | None = None) -> tuple[str, Strategy]:
    """``(name, function)`` for a strategy name (or a function); ``custom`` takes ``order``.

    Parameters
    ----------
    strategy : str or Strategy
        A name in :data:`STRATEGIES`, ``"custom"``, or a strategy function (returned as it is,
        named by its ``__name__``).
    order : sequence of str or str, optional
        For ``"custom"`` only: debt names, or one comma-separated string; each name is
        normalised as the loaders normalise names and blanks are dropped.

    Returns
    -------
    tuple of (str, Strategy)
        The strategy's name and function.

    Raises
    ------
    PlannerError
        When ``strategy`` is not a name or function, is an unknown name, or is ``"custom"``
        without an order of names; or when an order is given with another strategy (it would
        be ignored).

    Examples
    --------
    >>> get_strategy("snowball")
    ('snowball', <function snowball ...>)
    >>> from planner.debt import Debt
    >>> name, order = get_strategy("custom", "C, A")
    >>> name, [d.name for d in order([Debt("A", 1000, 10, 50), Debt("B", 500, 30, 50), Debt("C", 200, 20, 20)])]
    ('custom', ['C', 'A', 'B'])
    >>> get_strategy("nope")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 未知策略 'nope'；可选：avalanche, snowball, ... custom / unknown strategy 'nope'; choose one of: avalanche, snowball, ... custom
    """
    custom_named = isinstance(strategy, str) and strategy == "custom"  # never bool() of an odd value (pd.NA, an array)
    if not custom_named and order is not None and not (isinstance(order, (list, tuple, str)) and not order):
        shown = strategy if isinstance(strategy, str) else getattr(strategy, "__name__", "a function")
        raise PlannerError("strategies.order_order_order_given", shown=shown, value=order)
    if callable(strategy):
        return getattr(strategy, "__name__", "custom"), strategy
    names = ", ".join([*STRATEGIES, "custom"])
    if not isinstance(strategy, str):
        raise PlannerError("strategies.strategy_name_choose", names=names, strategy=str(strategy)[:40])
    if strategy == "custom":
        if isinstance(order, str):
            order = order.split(",")
        try:  # names normalised as the loaders normalise them
            order = [name for name in (normalise(x) for x in (order if order is not None else [])) if name]
        except TypeError:
            raise PlannerError("strategies.custom_order_list_debt", order=str(order)[:40]) from None
        if not order:
            raise PlannerError("strategies.custom_strategy_needs_order")
        return "custom", custom(order)
    try:
        return strategy, STRATEGIES[strategy]
    except KeyError:
        names = ", ".join([*STRATEGIES, "custom"])
        raise PlannerError("strategies.unknown_strategy_choose", names=names, strategy=strategy) from None


def register(name: str, *keys: Key, label: tuple[str, str] | None = None, doc: str = "") -> Strategy:
    """Add a strategy sorting by ``keys``; both engines, the CLI and the widgets then offer it.

    Parameters
    ----------
    name : str
        A new name: a Python identifier, not ``"custom"`` and not already in :data:`STRATEGIES`.
    *keys : Key
        Sort keys, most significant first; none pays minimums only.
    label : tuple of (str, str), optional
        The (zh, en) label for people; default the name in both.
    doc : str, default ""
        The strategy's description.

    Returns
    -------
    Strategy
        The new strategy function (from :func:`by_keys`), now in :data:`STRATEGIES`.

    Raises
    ------
    PlannerError
        When ``name`` is not an identifier, is ``"custom"`` or is taken.

    Examples
    --------
    >>> register("largest_first", Key("owed", True), Key("name"), label=("先还余额最大", "Largest balance first"))
    <function largest_first ...>
    >>> from planner.debt import Debt
    >>> [d.name for d in STRATEGIES["largest_first"]([Debt("A", 10, 0, 1), Debt("B", 20, 0, 1)])]
    ['B', 'A']
    >>> unregister("largest_first")
    >>> register("avalanche")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerError: 策略名称 'avalanche' 无效或已存在 / the strategy name 'avalanche' is invalid or taken
    """
    if not isinstance(name, str) or not name.isidentifier() or name == "custom" or name in STRATEGIES:
        raise PlannerError("strategies.strategy_name_invalid_taken", name=name)
    STRATEGIES[name] = fn = by_keys(name, *keys, doc=doc)
    STRATEGY_LABELS[name] = label or (name, name)
    return fn


def unregister(name: str) -> None:
    """Remove a strategy added with :func:`register`.

    Parameters
    ----------
    name : str
        The strategy's name; a name that is not there is ignored. (A built-in name is
        removed too: only unregister what you registered.)

    Returns
    -------
    None

    Examples
    --------
    >>> _ = register("oldest_name_first", Key("name"))
    >>> "oldest_name_first" in STRATEGIES
    True
    >>> unregister("oldest_name_first"); "oldest_name_first" in STRATEGIES
    False
    >>> unregister("never_registered")
    """
    STRATEGIES.pop(name, None)
    STRATEGY_LABELS.pop(name, None)


__all__ = [
    "FIELDS",
    "Key",
    "STRATEGIES",
    "STRATEGY_LABELS",
    "Strategy",
    "by_keys",
    "custom",
    "get_strategy",
    "register",
    "sort_key",
    "unregister",
]
