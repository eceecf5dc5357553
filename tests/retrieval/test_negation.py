"""Negation cues before a mention: the linker's short gap and triage's none."""

from __future__ import annotations

import pytest

from wenzhen.retrieval.negation import doubtful, hedge_before, negated_before


@pytest.mark.parametrize(
    ("text", "term", "linker", "triage"),
    [
        ("没有发热", "发热", True, True),
        ("否认胸痛", "胸痛", True, True),
        ("不是胸痛", "胸痛", True, True),
        ("没有明显腹痛", "腹痛", True, False),  # a gap: the linker reads it as denied, triage still flags it
        ("不太头痛", "头痛", True, False),
        ("没有发烧，头痛", "头痛", False, False),  # the cue belongs to the clause before the comma
        ("发热三天", "发热", False, False),
        ("无意中发现胸痛很久了", "胸痛", False, False),  # the cue is too far before the term
        ("动不动就一身汗", "一身汗", False, False),  # 动不动: often, not a denial
        ("不停地咳嗽", "咳嗽", False, False),
        ("无缘无故发烧", "发烧", False, False),
        ("动不动就不出汗", "出汗", True, True),  # a cue after the idiom still counts
        ("头不疼就是牙疼", "牙疼", False, False),  # the cue denies 疼, the head's; 就是: but
        ("肚子不疼胸口疼", "胸口疼", False, False),
        ("肚子不舒服头疼", "头疼", False, False),
        ("最近身体有点不舒经常头晕", "头晕", False, False),  # 不舒(服), a complaint cut short; was denied
        ("有点不适头晕", "头晕", False, False),
        ("身体不得劲头晕", "头晕", False, False),
        ("没事就头疼", "头疼", False, False),  # 没事就: often
        ("没发烧但是咳嗽", "咳嗽", False, False),
        ("不咳不过喘", "喘", False, False),  # 不过: but, though its 不 denies nothing; was denied
        ("孩子是不是发烧了", "发烧", False, False),  # a question: a doubt (below), no denial; was denied
        ("会不会晕", "晕", False, False),
        ("有没有发烧不知道", "发烧", False, False),
        ("没有胸痛胸闷", "胸闷", True, False),  # a list of what is denied: the cue reaches both
        ("没有不舒服", "舒服", True, True),
        ("白天不咳晚上咳", "咳", False, False),  # another time: the denial was the day's; was denied
        ("早上不晕下午晕", "晕", False, False),
        ("白天晚上都不咳", "咳", True, True),  # every time named is denied
        ("完全没好转 鼻塞", "鼻塞", False, False),  # a space written for a comma ends it; was denied
        ("气得差点昏倒", "昏倒", True, True),  # nearly: she did not faint; was a call-120 reply
        ("差一点就晕倒了", "晕倒", True, False),
    ],
)
def test_cue_and_gap(text: str, term: str, linker: bool, triage: bool) -> None:
    start = text.rindex(term)  # the last: 白天不咳晚上咳
    assert negated_before(text, start) is linker
    assert negated_before(text, start, max_gap=0) is triage


def test_start_of_text_is_not_negated() -> None:
    assert not negated_before("胸痛", 0)


def test_a_question_s_or_not_is_a_doubt() -> None:
    text = "孩子是不是发烧了"
    assert hedge_before(text, text.index("发烧")) == "是不是"
    assert doubtful(hedge_before(text, text.index("发烧")))
    assert hedge_before("有点发烧", 2) == "有点" and not doubtful("有点")
