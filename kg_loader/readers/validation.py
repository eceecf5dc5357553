"""Plausibility checks shared by all readers.

>>> implausible_name("2-10天")
'looks like a duration, price or rate, not a name (shifted row?)'
>>> implausible_name("1型糖尿病") is None
True
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_NAME_CHARS = 60
_NOT_A_NAME = re.compile(r"[\d\s\-~～—–至.,，、%％个以上左右约元天日周星期月年小时()（）/:：;；﹝﹞]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"[\s\u3000]+")


@lru_cache(maxsize=65536)
def clean_name(text: str) -> str:
    """Trim (including full-width spaces) and collapse inner whitespace."""
    return _WHITESPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def implausible_name(name: str) -> str | None:
    """Why ``name`` cannot be an entity name, or None when it is plausible."""
    if not name:
        return "empty name"
    if _CONTROL.search(name):
        return "name contains control characters"
    if len(name) > MAX_NAME_CHARS:
        return f"name longer than {MAX_NAME_CHARS} characters"
    if name.endswith(("...", "…")):
        return "name truncated by the crawl (ends with '...')"
    if not _NOT_A_NAME.sub("", name):
        return "looks like a duration, price or rate, not a name (shifted row?)"
    return None
