"""A reply to a closed question read in the words patients use (no graph: the symptom's names are given)."""

from __future__ import annotations

import pytest

from wenzhen.agent.closed_answer import ClosedAnswer, read_closed_answer

FEVER = ("发热", "发烧", "身上烫")
COUGH = ("咳嗽",)
DIARRHOEA = ("腹泻", "拉肚子", "稀便")
HEADACHE = ("头痛", "头疼")


@pytest.mark.parametrize(
    ("reply", "names", "present"),
    [
        ("有的", FEVER, True),
        ("没有", FEVER, False),
        ("烧过，现在退了", FEVER, True),  # the symptom's own word, echoed
        ("晚上咳得厉害", COUGH, True),
        ("一点都不咳", COUGH, False),
        ("不停地咳", COUGH, True),  # 不停: no denial
        ("一天拉好几次", DIARRHOEA, True),
        ("没拉", DIARRHOEA, False),
        ("疼，太阳穴那里", HEADACHE, True),
        ("38度5", FEVER, True),  # a thermometer reading answers a question about fever
        ("量了36度8", FEVER, False),
        ("三十八度五", FEVER, True),  # in Chinese numerals
        ("量了三十六度八", FEVER, False),
        ("三十七度半", FEVER, True),
        ("体温37.5", FEVER, True),
        ("体温正常", FEVER, False),
        ("大便还行", DIARRHOEA, False),
        ("当然有", FEVER, True),
        ("这个倒没有", FEVER, False),
        ("莫得", FEVER, False),
        ("前两天有，现在没有了", FEVER, True),  # it was there
        ("还好，不怎么咳", COUGH, False),
        ("有点咳，别的还好", COUGH, True),
        ("有，吃了药就好", HEADACHE, True),  # a clause ending in 好 calls it normal, not a reply of two
        ("食欲好", ("食欲不振", "没胃口"), False),
    ],
)
def test_a_reply_says_yes_or_no(reply: str, names: tuple[str, ...], present: bool) -> None:
    answer = read_closed_answer(reply, names)
    assert answer is not None and answer.present is present and answer.certain


def test_not_knowing_is_no_answer_either_way() -> None:
    assert read_closed_answer("不知道", FEVER) == ClosedAnswer(None)  # was read as a no: it starts with 不
    assert read_closed_answer("不太清楚，没量", FEVER) == ClosedAnswer(None)


def test_a_doubt_makes_the_answer_uncertain() -> None:
    assert read_closed_answer("应该没有吧", FEVER) == ClosedAnswer(False, certain=False)
    assert read_closed_answer("好像烧过", FEVER) == ClosedAnswer(True, certain=False)


def test_another_symptom_is_no_echo_and_a_reply_may_say_nothing() -> None:
    assert read_closed_answer("肚子疼", HEADACHE, masked=[(0, 3)]) is None  # 疼, but the linker's 腹痛
    assert read_closed_answer("肚子疼", HEADACHE) == ClosedAnswer(True)  # unmasked, 疼 would echo
    assert read_closed_answer("在医院看过了", FEVER) is None
