"""Arguments read one way by every command. ``KEY=VALUE`` (``--param``, ``--filter``, ``--set``): the value
is JSON when it parses as JSON (numbers, true/false/null, quoted strings, lists, objects), else the text.
An option with a few allowed values (``--mode``, ``--variant``): one of them, or an error listing them.

>>> parse_assignments(["n=乙肝", "k=3", "ids=[1, 2]", 'year="2023"'], "--param")
{'n': '乙肝', 'k': 3, 'ids': [1, 2], 'year': '2023'}
>>> one_of("--mode", "dense", ("dense", "bm25"))
'dense'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from wenzhen.core.errors import InputError


def parse_assignment(item: str, option: str) -> tuple[str, Any]:
    """One ``KEY=VALUE``; a missing ``=`` or key raises :class:`InputError` naming ``option``."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"{option} {item!r}: expected KEY=VALUE")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def parse_assignments(items: Iterable[str], option: str) -> dict[str, Any]:
    """Every ``KEY=VALUE`` of ``items`` in order (a later key wins)."""
    return dict(parse_assignment(item, option) for item in items)


Choice = TypeVar("Choice", bound=str)


def one_of(option: str, name: str, allowed: tuple[Choice, ...]) -> Choice:
    """``name`` as one of the ``allowed`` values of ``option``, or an :class:`InputError` that lists them."""
    for known in allowed:
        if name == known:
            return known
    raise InputError(f"{option} must be one of {', '.join(allowed)}, not {name!r}")
