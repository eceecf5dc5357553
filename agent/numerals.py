"""Numbers as patients write them: digits or Chinese numerals (六十八岁, 三十八度五, 两个月).

>>> [number(text) for text in ("68", "六十八", "十五", "两", "一百零二", "二〇")]
[68, 68, 15, 2, 102, 20]
"""

from __future__ import annotations

NUMERAL = "零〇一二两三四五六七八九十百"
"""Characters of a Chinese numeral, for a pattern's character class: f"[{NUMERAL}]+"."""
COUNT = rf"\d+|[{NUMERAL}]+"
"""A number as a pattern's alternatives, digits or a Chinese numeral: f"(?:{COUNT})天"."""
YEARS = rf"\d{{1,3}}|[{NUMERAL}]{{1,4}}"
"""An age or a bound of ages in years (68, 六十八), as a pattern's alternatives: f"({YEARS})岁"."""
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def number(text: str) -> int:
    """The value of ``text``: Arabic digits, or a Chinese numeral below 1,000 (十五, 六十八, 一百零二), or
    one written digit by digit (二〇). Raises ValueError for anything else."""
    if not text:
        raise ValueError("not a number: ''")
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in "十百":
            total += (1 if digit is None else digit) * (10 if c == "十" else 100)
            digit = None
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + (digit or 0)
