"""Plausibility checks shared by all readers.

>>> implausible_name("2-10天")
'looks like a duration, price or rate, not a name (shifted row?)'
>>> implausible_name("1型糖尿病") is None
True
>>> implausible_name("Gardne"), implausible_name("胆道蛔虫病与")[:24]
('name cut short by the crawl (6 characters, ending mid-name)', 'name cut short by the cr')

The 39.net crawl cut names longer than six characters to their first six and "..."; converted files lost
the dots. Such a cut is recognised when the six characters end on a joining mark (和, 与, 及, 并, 伴, 或, 、,
-, /) or are a bare Latin word that is not an acronym (an eponym without its 病 or 综合征): "Gardne",
"肛管、直肠、". A cut in the middle of a Chinese word ("钩虫性十二指") cannot be told from a real name here.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_NAME_CHARS = 60
_NOT_A_NAME = re.compile(r"[\d\s\-~～—–至.,，、%％个以上左右约元天日周星期月年小时()（）/:：;；﹝﹞]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"[\s\u3000]+")
CRAWL_CUT_CHARS = 6
_JOINING_END = re.compile(r"[和与及并伴或、\-/／]$")
_BARE_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*")


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
    if len(name) == CRAWL_CUT_CHARS and (
        _JOINING_END.search(name) or (_BARE_LATIN_WORD.fullmatch(name) and not name.isupper())
    ):
        return "name cut short by the crawl (6 characters, ending mid-name)"
    if not _NOT_A_NAME.sub("", name):
        return "looks like a duration, price or rate, not a name (shifted row?)"
    return None
