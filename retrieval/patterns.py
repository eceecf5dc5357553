"""Patterns for how people put things: a term with ``*`` gaps and ``{a|b}`` choices, matched on folded text.

>>> bool(compile_term("{肚子|肚皮}*疼").search(fold("肚子一抽一抽地疼")))
True
>>> fold("被蜂蛰了 ＣＨＥＳＴ")
'被蜂蜇了 chest'

Shared by red-flag triage and the symptom linker: a ``*`` spans up to :data:`GAP_CHARS` characters, never
past the end of a clause; no piece of a term begins or ends inside one of a few words (:func:`cuts_words`:
查出血压高 has no 出血, 手指头疼 no 头疼); text is compared after folding full-width forms, case and variant
characters.
"""

from __future__ import annotations

import re
import unicodedata

GAP_CHARS = 6
"""How many characters a ``*`` in a term spans, never past the end of a clause."""
CLAUSE_BREAKS = "，。！？；,.!?; \u3000"
"""What ends a clause and the reach of a denial in it: punctuation, or a space, which many patients write
for a comma (用药六天了完全没好转 鼻塞睡觉的时候偶尔一点点: 鼻塞 is not denied)."""
CLAUSE_ENDS = CLAUSE_BREAKS + "、\n"
"""What ends a clause that a phrasing, a ``*`` gap or a comparison by meaning reads: 、 too, though a denial
reaches over it, to every item of a list (没有头疼、头晕)."""
CLAUSE = re.compile(f"[^{CLAUSE_ENDS}]+")
"""A clause, as the linker's meaning layer and triage read one: up to punctuation or a space."""
SENTENCE_ENDS = "。！？!?；;"
"""What ends a sentence (and a line end)."""
VARIANTS = str.maketrans(
    "蛰頭嘔發燒氣暈藥農喫脣裏麼腫頸臉說話難過嚨緊醫癇瘋吐墜禍車庝涨",
    "蜇头呕发烧气晕药农吃唇里么肿颈脸说话难过咙紧医痫疯吐坠祸车疼胀",
)
"""Variant and traditional characters patients type, folded to the ones the rules use (and 庝, typed for
疼; 涨, for 胀: 胃部涨的特别厉害)."""


def fold(text: str) -> str:
    """Text as rules compare it: full-width forms folded (NFKC), lower case, variant characters unified."""
    return unicodedata.normalize("NFKC", text).lower().translate(VARIANTS)


WORDS_NOT_CUT = re.compile("血(?:压|糖|脂|常规|小板|型|管|液|红蛋白|清|象|氧|钾|钠|钙)|酒精性|电焊")
"""Words no piece of a term begins or ends inside: measures and tests that open with 血 (查出血压高 tells
of no 出血, 大便化验出血红蛋白 of no 大便…红, 血压又飙 of no 血…飙), 酒精性 (酒精性肝硬化吃什么: no
吃…酒精) and 电焊 (碰触电焊机: no 触电)."""
WORDS_NOT_BEGUN_INSIDE = re.compile("[上下里外前后侧对表]面|[里外]头|[指趾骨舌乳奶拳]头")
"""Words no piece of a term begins inside, though one may end inside them (胸骨后|面): where a thing is
(右胁下面痛 is no 面痛; 胃里头疼 no 头疼) and things called …头 (手指头疼, 骨头疼: no 头疼)."""
_LONGEST_WORD = 4
"""The length of the longest word of :data:`WORDS_NOT_CUT` and :data:`WORDS_NOT_BEGUN_INSIDE` (血红蛋白)."""


def begins_inside_word(text: str, position: int) -> bool:
    """Whether a piece of a term beginning at ``position`` of ``text`` would begin inside a word.

    >>> begins_inside_word("手指头疼", 2), begins_inside_word("查出血压高", 3), begins_inside_word("头疼", 0)
    (True, True, False)
    """
    return _inside(WORDS_NOT_BEGUN_INSIDE, text, position) or _inside(WORDS_NOT_CUT, text, position)


def ends_inside_word(text: str, position: int) -> bool:
    """Whether a piece of a term ending at ``position`` of ``text`` would end inside a word.

    >>> ends_inside_word("查出血压高", 3), ends_inside_word("大便出血红蛋白", 5)
    (True, True)
    >>> ends_inside_word("下面出血了", 4)
    False
    """
    return _inside(WORDS_NOT_CUT, text, position)


def _inside(words: re.Pattern[str], text: str, position: int) -> bool:
    return any(
        (word := words.match(text, start)) is not None and word.end() > position
        for start in range(max(0, position - _LONGEST_WORD + 1), position)
    )


def cuts_words(text: str, found: re.Match[str]) -> bool:
    """Whether a piece of a term found in ``text`` begins or ends inside a word: the term's ends, or those of
    a ``*`` gap (血*飙 in 血压又飙: the 血 of 血压).

    >>> spurts = compile_term("血*飙")
    >>> cuts_words("血压又飙", spurts.search("血压又飙")), cuts_words("血往外飙", spurts.search("血往外飙"))
    (True, False)
    """
    gaps = [found.span(gap) for gap in range(1, found.re.groups + 1) if found.start(gap) >= 0]
    begins = [found.start(), *(end for _, end in gaps)]
    ends = [found.end(), *(start for start, _ in gaps)]
    return any(begins_inside_word(text, at) for at in begins) or any(
        ends_inside_word(text, at) for at in ends
    )


SENSATION = re.compile("[疼痛痒酸胀麻]")
"""What is felt (疼, 痛, 痒, 酸, 胀, 麻): said of a place, the one nearest it."""


def felt(text: str) -> frozenset[str]:
    """What ``text`` says is felt, 疼 and 痛 as one.

    >>> sorted(felt("头痛，腿又酸又疼"))
    ['疼', '酸']
    """
    return frozenset(SENSATION.findall(text.replace("痛", "疼")))


_CHOICE = re.compile(r"\{([^{}]*)\}")


_NUMBER_RANGE = re.compile(r"#(\d+)-(\d+)")
NUMBERS_IN_A_RANGE = 1000
"""The most whole numbers a ``{#low-high}`` choice may span."""


def _choice(inside: str) -> str:
    """The pattern of a ``{…}`` choice: ``a|b`` (the longest first: 腿肚子 before 腿) or ``#low-high``."""
    numbers = _NUMBER_RANGE.fullmatch(inside)
    if numbers is None:
        longest_first = sorted(inside.split("|"), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(a) for a in longest_first) + ")"
    low, high = int(numbers.group(1)), int(numbers.group(2))
    if not 0 <= high - low < NUMBERS_IN_A_RANGE:
        raise ValueError(f"{{{inside}}}: a range of 1 to {NUMBERS_IN_A_RANGE} whole numbers, low-high")
    return "(?<![0-9])(?:" + "|".join(str(n) for n in range(high, low - 1, -1)) + ")"


def compile_term(term: str) -> re.Pattern[str]:
    """A rule term as a pattern: ``*`` is a gap of up to :data:`GAP_CHARS` characters within one clause, as
    short as will match, and a group of its own (what the gaps hold: ``match.groups()``); ``{a|b}`` one of
    the alternatives, the longest tried first (so a gap holds no part of a longer one); ``{#180-299}`` a
    whole number in that range, not the tail of a longer one.

    >>> compile_term("{说话|讲话}*不清").search("讲话有点不清楚").groups()
    ('有点',)
    >>> compile_term("{腿|腿肚子}*疼").search("腿肚子疼").groups()
    ('',)
    >>> [bool(compile_term("血压*{#180-299}").search(t)) for t in ("血压180/120", "血压到了260", "血压150")]
    [True, True, False]
    """
    gap = f"([^{CLAUSE_ENDS}]{{0,{GAP_CHARS}}}?)"

    def part(text: str) -> str:
        pieces, position = [], 0
        for choice in _CHOICE.finditer(text):
            pieces.append(re.escape(text[position : choice.start()]))
            pieces.append(_choice(choice.group(1)))
            position = choice.end()
        pieces.append(re.escape(text[position:]))
        return "".join(pieces)

    folded = fold(term)
    before = "(?<![0-9])" if folded[:1].isdigit() else ""  # 84 (消毒液) is not in 血糖高达284
    after = "(?![0-9])" if folded[-1:].isdigit() else ""
    return re.compile(before + gap.join(part(piece) for piece in folded.split("*")) + after)


def fold_keeping_length(text: str) -> str:
    """:func:`fold`, one character for one, so that positions in the folded text are positions in ``text``."""
    return "".join(fold(char)[:1] or char for char in text)


def is_pattern(term: str) -> bool:
    """Whether ``term`` uses ``*`` or ``{a|b}`` (else it is a literal phrase)."""
    return "*" in term or "{" in term
