"""Chinese negation cues before a mention: 没有/无/不/否认… just before it, or a few characters before; and
hedges: doubt (好像, 可能 …) or mildness (有点, 稍微 …).

>>> negated_before("没有发热", 2), negated_before("不怎么发热", 3), negated_before("不怎么发热", 3, max_gap=0)
(True, True, False)
>>> hedge_before("好像有点发烧", 4), hedge_before("有点发烧", 2), hedge_before("发烧，好像", 0)
('好像', '有点', None)

The entity linker allows a short gap ("没有明显腹痛": 明显 between cue and symptom) so that what the patient
denies is not taken as present. Triage allows none: a red flag counts unless the cue is right before it,
since missing an emergency costs more than a false alarm. A gap never crosses punctuation.
"""

from __future__ import annotations

import re
from functools import cache

from wenzhen.retrieval.patterns import CLAUSE_BREAKS, CLAUSE_ENDS, SENSATION

NEGATION_CUES = ("没有", "没", "无", "不", "未", "否认", "并无", "从不", "不是", "差点", "差一点", "险些")
"""Cues that deny what follows: 差点 too (气得差点昏倒: she did not faint)."""
_LONGEST_CUE = max(map(len, NEGATION_CUES))


@cache
def _cues_then_gap(max_gap: int) -> re.Pattern[str]:
    """Every cue with at most ``max_gap`` characters of its clause after it: the gap (overlapping)."""
    return re.compile(f"(?=(?:{'|'.join(NEGATION_CUES)})(?P<gap>[^{CLAUSE_BREAKS}]{{0,{max_gap}}})$)")


TIMES = (
    *("白天", "晚上", "夜里", "夜间", "半夜", "早上", "早晨", "上午", "中午", "下午", "傍晚"),
    *("平时", "以前", "之前", "原来", "本来", "开始", "后来", "现在", "最近", "今天", "昨天", "前天"),
)
"""Times of day or of the illness: a denial of one ends where another begins (白天不咳晚上咳)."""
_CONTRASTS = ("就是", "但是", "可是", "只是", "而是", "不过", *TIMES)
SCOPE_ENDS = re.compile(f"^(?:{SENSATION.pattern}|难受|舒|适|得劲|对劲|事)|{'|'.join(_CONTRASTS)}")
"""What ends a cue's reach in the words after it: the cue denies a word of its own (头不疼就是牙疼, 肚子不舒服
头疼, 身体有点不舒经常头晕, 不适, 不得劲, 不对劲, 没事就头疼: often), a contrast follows it (没发烧，就是…,
不咳嗽但是…, 不咳不过喘), or another time (白天不咳晚上咳)."""


NOT_NEGATIONS = re.compile(
    "动不动|时不时|不时|不停|不断|不止|止不住|忍不住|停不下|不知不觉|无缘无故|不明原因|不知道|不知晓|"
    "不由自主|没完没了|没日没夜|不分昼夜|差不多|不少|不过|不管|"
    "不起|不动|不了|不住|不着|不下|不上来|不上气|不进去|"
    "是不是|会不会|有没有|要不要|能不能|用不用|该不该"
)
"""Words with a cue in them that deny nothing (动不动就出汗, 不停地咳, 无缘无故发烧, 不知道高血压能不能治好),
a verb's "cannot" (抬不起来, 走不动, 好不了, 睡不着, 吃不下, 喘不上气): a complaint, not a denial, and a
question's "or not" (孩子是不是发烧了, 会不会晕: a doubt, :data:`DOUBT_CUES`)."""
_CONTEXT_CHARS = 12


def without_not_negations(text: str) -> str:
    """``text`` with the words of :data:`NOT_NEGATIONS` blotted out, one ``·`` a character (positions kept).

    >>> without_not_negations("不停地咳，不咳")
    '··地咳，不咳'
    """
    return NOT_NEGATIONS.sub(lambda found: "·" * len(found.group()), text)


def negated_before(text: str, start: int, max_gap: int = 3) -> bool:
    """Whether a negation cue ends at most ``max_gap`` characters (no punctuation) before ``text[start]``,
    not counting the cues inside :data:`NOT_NEGATIONS`, and reaches it (:data:`SCOPE_ENDS`, read in the words
    as said: 不过 denies nothing, yet ends a cue's reach).

    >>> negated_before("动不动就一身汗", 4), negated_before("不停地咳嗽", 3), negated_before("不咳嗽", 1)
    (False, False, True)
    >>> negated_before("头不疼就是牙疼", 5), negated_before("没有胸痛胸闷", 4)
    (False, True)
    >>> negated_before("不咳不过喘", 4)
    False
    """
    context = text[max(0, start - _CONTEXT_CHARS) : start]
    window = -(_LONGEST_CUE + max_gap)
    said, cues = context[window:], _cues_then_gap(max_gap).finditer(without_not_negations(context)[window:])
    return any(SCOPE_ENDS.search(said[cue.start("gap") : cue.end("gap")]) is None for cue in cues)


DOUBT_CUES = (
    *("好像", "似乎", "可能", "也许", "大概", "貌似", "估计", "应该", "说不准", "不确定", "不太确定"),
    *("是不是", "会不会", "有没有"),
)
"""The patient is not sure: the symptom counts as weaker evidence."""
MILD_CUES = ("有点", "有些", "稍微", "稍有", "轻微", "略微", "略有")
"""The symptom is there, mildly: it counts as present."""


def hedge_before(text: str, start: int, max_gap: int = 4) -> str | None:
    """The doubt cue (in preference) or mildness cue in the few characters of the clause before
    ``text[start]``."""
    clause = re.split(f"[{CLAUSE_BREAKS}]", text[max(0, start - 5 - max_gap) : start])[-1]
    return next((cue for cue in (*DOUBT_CUES, *MILD_CUES) if cue in clause), None)


def doubtful(hedge: str | None) -> bool:
    return hedge in DOUBT_CUES


NORMAL_CUES = ("正常", "还行", "还好", "挺好", "没问题", "不错", "成形", "通气", "通畅")
"""Words that call something normal (体温正常, 大便还行): what is normal is no complaint."""
_NORMAL = re.compile(f"(?<!不)(?<!不太)(?:{'|'.join(NORMAL_CUES)})|^[^不没未无{CLAUSE_ENDS}]{{2,}}好$")
"""A cue, or 好 closing a clause of two words or more that denies nothing (食欲好, 胃口很好; not 你好, 睡不好,
精神不太好, 还没好, nor 有，吃了药就好: more than a clause)."""


def states_normal(clause: str) -> bool:
    """Whether ``clause`` calls something normal (体温正常), not abnormal (月经不正常).

    >>> said = ("体温正常", "大便还行", "食欲好", "月经不正常", "睡不好", "头痛")
    >>> [states_normal(clause) for clause in said]
    [True, True, True, False, False, False]
    """
    return _NORMAL.search(clause) is not None


_AFTER = re.compile(
    f"^(?:倒是|倒|也|都|是|就)?(?:没有|没|无)(?:了|的|啊|呢|哦|吧)?(?:$|[{CLAUSE_BREAKS}\\s])"
)


def negated_after(text: str, end: int) -> bool:
    """Whether the clause denies what ends at ``text[end]`` right after it, and ends there (咳嗽倒是没有,
    发烧没有，…), not 发烧没有退.

    >>> negated_after("咳嗽倒是没有", 2), negated_after("发烧没有，咳嗽有", 2), negated_after("发烧没有退", 2)
    (True, True, False)
    """
    return _AFTER.match(text[end:]) is not None


def negation_in(gap: str) -> bool:
    """Whether a negation cue in ``gap``, the words a phrasing allows between its parts, reaches its end
    (肚子不疼, 头一点都不疼; not 肚子不疼就是胀: :data:`SCOPE_ENDS`), not counting the cues inside
    :data:`NOT_NEGATIONS` (肚子时不时疼).

    >>> negation_in("不"), negation_in("一点都不"), negation_in("有点"), negation_in("时不时")
    (True, True, False, False)
    >>> negation_in("不疼就是"), negation_in("抬不起来还")
    (False, False)
    """
    return negated_before(gap, len(gap), max_gap=len(gap))
