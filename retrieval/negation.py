"""Chinese negation cues before a mention: 没有/无/不/否认… just before it, or a few characters before.

>>> negated_before("没有发热", 2), negated_before("不怎么发热", 3), negated_before("不怎么发热", 3, max_gap=0)
(True, True, False)

The entity linker allows a short gap ("没有明显腹痛": 明显 between cue and symptom) so that what the patient
denies is not taken as present. Triage allows none: a red flag counts unless the cue is right before it,
since missing an emergency costs more than a false alarm. A gap never crosses punctuation.
"""

from __future__ import annotations

import re
from functools import cache

NEGATION_CUES = ("没有", "没", "无", "不", "未", "否认", "并无", "从不", "不是")
_LONGEST_CUE = max(map(len, NEGATION_CUES))


@cache
def _cue_then_gap(max_gap: int) -> re.Pattern[str]:
    return re.compile(f"(?:{'|'.join(NEGATION_CUES)})[^，。,；;！？!?]{{0,{max_gap}}}$")


def negated_before(text: str, start: int, max_gap: int = 3) -> bool:
    """Whether a negation cue ends at most ``max_gap`` characters (no punctuation) before ``text[start]``."""
    window = text[max(0, start - _LONGEST_CUE - max_gap) : start]
    return _cue_then_gap(max_gap).search(window) is not None
