"""Negotiation scenarios from a TOML file (see docs/negotiation.md, "Scenario file (TOML)")."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from ..errors import InputError, Problem
from ..negotiation import Scenario, scenarios_from_dict
from .inputs import read_input


def load_scenarios(source) -> list[Scenario]:
    """Scenarios from a TOML file (path), TOML text, or a parsed dict.

    One ``[[scenario]]`` table each, with ``name``, optional ``description``
    and ``lump``, and ``[[scenario.adjust]]`` tables with ``debt``,
    ``action`` and the action's parameters. Every problem in the file is
    reported at once, in Chinese and English.

    Parameters
    ----------
    source : path, str or dict
        A ``.toml`` file, TOML text, or the parsed table.

    Returns
    -------
    list of Scenario

    Raises
    ------
    InputError
        Listing every problem in the file (file, table, key and value).

    Examples
    --------
    >>> text = '''
    ... [[scenario]]
    ... name = "cap"
    ... [[scenario.adjust]]
    ... debt = "*"
    ... action = "cap_rate"
    ... line = "24"
    ... '''
    >>> load_scenarios(text)[0].adjustments[0].params
    {'line': '24'}
    """
    label = "scenarios"
    if isinstance(source, Mapping):
        data = dict(source)
    else:
        if isinstance(source, (PathLike, str)) and not (isinstance(source, str) and ("\n" in source or "=" in source)):
            path = Path(source)
            label = str(path)
            raw = read_input(path, limit=1024 * 1024, label=label)  # a FIFO, a device or a folder is refused at once
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(
                    [Problem.of("io.scenarios.toml_file_utf_save")], label
                ) from None
        elif isinstance(source, bytes):
            text = source.decode("utf-8-sig", errors="replace")
        else:
            text = str(source)
        try:
            data = tomllib.loads(text)
        except RecursionError:  # arrays or inline tables nested thousands deep: tomllib recurses
            raise InputError(
                [
                    Problem.of("io.scenarios.toml_nested_too_deeply")
                ],
                label,
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(
                [
                    Problem.of("io.scenarios.malformed_toml_check_quotes", exc=exc)
                ],
                label,
            ) from None
    try:
        return scenarios_from_dict(data, label)
    except RecursionError:  # a parsed dict nested too deeply to show in a message
        raise InputError([Problem.of("io.scenarios.scenario_data_nested_too")], label) from None


__all__ = [
    "load_scenarios",
]
