"""A patient's reply to a closed question ("有没有发热？") read as yes, no or not sure, in the words
patients use: not only 有的 / 没有, but the symptom's own word echoed (烧过, 晚上咳, 不咳), a thermometer
reading (38度), a "normal" (体温正常, 大便还行), a yes or no anywhere in the reply (当然有, 这个倒没有,
莫得) and "don't know".

>>> fever = ("发热", "发烧", "低烧")
>>> [read_closed_answer(text, fever).present for text in ("烧过，最高38度5", "量了36度8", "那倒没有", "有啊")]
[True, False, False, True]
>>> read_closed_answer("不知道，没量", fever)
ClosedAnswer(present=None, certain=True)
>>> read_closed_answer("应该没有", fever), read_closed_answer("体温正常", fever).present
(ClosedAnswer(present=False, certain=False), False)
>>> read_closed_answer("晚上咳得厉害", ("咳嗽",)).present, read_closed_answer("一点都不咳", ("咳嗽",)).present
(True, False)

The reply is read in this order, the first that speaks deciding: not sure; a temperature (a question about
fever: 37.3 ℃ and above is fever, as Chinese clinical practice counts it); a clause that echoes a character
of the symptom's names (its own or narrower ones: 烧 for 发热, 咳 for 咳嗽, 拉 for 腹泻) — a yes, unless
negated right before it or said to be normal; a clause saying something is normal; the first yes or no cue.
Characters that name body parts or nothing in particular (头, 肚, 发, 有 …) are never echoes, and
``masked`` spans (other symptoms the linker found) are not read for echoes: "肚子疼" answers a question about
头痛 with nothing. A doubt cue anywhere (好像, 应该, 估计 …) makes the answer uncertain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wenzhen.agent.numerals import number
from wenzhen.retrieval.negation import DOUBT_CUES, negated_before, states_normal, without_not_negations
from wenzhen.retrieval.patterns import CLAUSE_ENDS

FEVER_NAMES = frozenset({"发热", "发烧"})
"""A question about any of these is a question about fever, which a temperature answers."""
FEVER_FROM = 37.3
"""℃: the least temperature counted as fever."""
_TEMPERATURE = re.compile(
    r"(3[4-9]|4[0-2]|[三四]十[一二三四五六七八九]?)(?:\s*(?:度|℃|°C?)\s*([0-9一二三四五六七八九]|半)?|\.([0-9]))"
)
"""38度, 38.5, 三十八度五 (a tenth after 度)."""
_UNSURE = re.compile(r"不清楚|不知道|不晓得|说不清|说不好|说不上|不确定|记不清|没注意|没留意|没量")
_YES = re.compile(r"有|是|对|嗯|会|经常|偶尔|当然|确实|一直|天天|总是|老是|yes", re.IGNORECASE)
_NO = re.compile(r"没|无|不|否|未|木有|莫得|冇|no\b", re.IGNORECASE)
_DOUBT = re.compile("|".join(DOUBT_CUES))
_CLAUSE = re.compile(f"[^{CLAUSE_ENDS}\\s]+")
NOT_ECHOES = frozenset(
    "头脑袋颈脖胸腹肚胃背腰手脚足腿臂眼睛耳鼻口嘴舌牙喉咙嗓心肝肺肾脾胆肠皮肤身体上下左右前后全部骨关节肌肉"
    "大小高低便子儿发出现起来有没不无是的了得很太常经偶性状症感觉一点些阵时次明显严重持续反复轻重度加剧伴"
)
"""Characters that are no echo of a symptom: body parts and words that say nothing in particular."""


@dataclass(frozen=True)
class ClosedAnswer:
    present: bool | None
    """Yes, no, or None: the patient does not know (an answer that tells nothing)."""
    certain: bool = True


def read_closed_answer(
    text: str, names: Iterable[str], masked: Sequence[tuple[int, int]] = ()
) -> ClosedAnswer | None:
    """The reply ``text`` to a closed question about a symptom called ``names``, or None if it says nothing
    about it; ``masked``: spans of ``text`` not to read for echoes."""
    names = set(names)
    certain = not _DOUBT.search(text)
    if _UNSURE.search(text) and not _YES.match(text):
        return ClosedAnswer(None)
    present = _temperature(text) if names & FEVER_NAMES else None
    if present is None:
        present = _echoed(text, _echo_characters(names), masked)
    if present is None and states_normal(text):
        present = False
    if present is None:
        present = _first_cue(text)
    return None if present is None else ClosedAnswer(present, certain)


def _echo_characters(names: Iterable[str]) -> frozenset[str]:
    return frozenset(c for name in names for c in name if c not in NOT_ECHOES and "\u4e00" <= c <= "\u9fff")


def _temperature(text: str) -> bool | None:
    found = _TEMPERATURE.search(text)
    if found is None:
        return None
    whole, after_du, after_dot = found.groups()
    tenths = 5 if after_du == "半" else number(after_du or after_dot or "0")
    degrees = number(whole) + tenths / 10
    return degrees >= FEVER_FROM if 34 <= degrees < 43 else None


def _echoed(text: str, echoes: frozenset[str], masked: Sequence[tuple[int, int]]) -> bool | None:
    """Yes if a clause echoes the symptom plainly; no if every echoing clause denies it or calls it normal."""
    said: list[bool] = []
    for clause in _CLAUSE.finditer(text):
        hits = [
            i
            for i in range(clause.start(), clause.end())
            if text[i] in echoes and not any(start <= i < end for start, end in masked)
        ]
        if hits:
            denied = states_normal(clause.group()) or any(negated_before(text, i) for i in hits)
            said.append(not denied)
    return any(said) if said else None


def _first_cue(text: str) -> bool | None:
    """The earliest yes or no cue, no on a tie (a no cue inside 不停, 不断 … is none)."""
    plain = without_not_negations(text)
    cues = [(m.start(), said) for said, m in ((False, _NO.search(plain)), (True, _YES.search(plain))) if m]
    return min(cues)[1] if cues else None
