"""The inquiry policy on a small hand-made disease table: posterior, question choice, stopping."""

from __future__ import annotations

import pytest

from wenzhen.agent.inquiry import (
    Answered,
    BodyPartDenied,
    BodyParts,
    BodyPartUnknown,
    DiseaseIndex,
    InquiryParameters,
    InquiryPolicy,
    InquiryState,
    Located,
    NothingElse,
    Observation,
    Question,
    Ranked,
    Volunteered,
)
from wenzhen.core.errors import ResourceMissing
from wenzhen.retrieval.kg import DiseaseProfile

PROFILES = [
    DiseaseProfile("肝癌", ("肝区疼痛", "乏力", "消瘦", "黄疸")),
    DiseaseProfile("肝硬化", ("乏力", "腹水", "黄疸")),
    DiseaseProfile("胆囊炎", ("右上腹痛", "发热", "黄疸")),
    DiseaseProfile("胃炎", ("上腹痛", "恶心")),
    DiseaseProfile("感冒", ("发热", "咳嗽", "流涕")),
    DiseaseProfile("无症状病", ()),
]


def policy(**changes: object) -> InquiryPolicy:
    return InquiryPolicy(DiseaseIndex(PROFILES), InquiryParameters(**changes))  # type: ignore[arg-type]


def test_a_volunteered_symptom_favours_diseases_with_few_symptoms_that_have_it() -> None:
    p = policy()
    ranking = p.ranking(p.observe(InquiryState(), Volunteered("黄疸")), 3)
    assert [r.disease for r in ranking] == ["肝硬化", "胆囊炎", "肝癌"]  # 1/3, 1/3, 1/4
    assert ranking[0].probability == pytest.approx(ranking[1].probability)
    assert "无症状病" not in p.index.names


def test_answers_move_the_posterior() -> None:
    p = policy()
    state = p.observe(InquiryState(), Volunteered("黄疸"), Answered("腹水", False), Answered("消瘦", True))
    assert p.ranking(state, 1)[0].disease == "肝癌"
    assert state.present == ["黄疸", "消瘦"] and state.absent == ["腹水"]


def test_a_hedged_report_moves_the_posterior_less_than_a_sure_one() -> None:
    p = policy()
    start = p.ranking(p.observe(InquiryState(), Volunteered("黄疸")), 10)
    sure = p.ranking(p.observe(InquiryState(), Volunteered("黄疸"), Answered("腹水", True)), 10)
    hedged = p.ranking(p.observe(InquiryState(), Volunteered("黄疸"), Answered("腹水", True, False)), 10)

    def share(ranking: list[Ranked]) -> float:
        return next(r.probability for r in ranking if r.disease == "肝硬化")

    assert share(start) < share(hedged) < share(sure)


def test_nothing_else_favours_diseases_whose_symptoms_are_all_mentioned() -> None:
    p = policy()
    state = p.observe(InquiryState(), Volunteered("上腹痛"), Volunteered("恶心"), NothingElse())
    assert p.ranking(state, 1)[0].probability > 0.99


def test_the_first_question_is_open_when_open_questions_are_allowed() -> None:
    p = policy(confidence=0.99)
    state = p.observe(InquiryState(), Volunteered("黄疸"))
    assert p.next_question(state) == Question("open")


def test_once_the_patient_says_there_is_nothing_else_it_never_asks_that_again() -> None:
    p = policy(confidence=0.99)
    state = p.observe(InquiryState(), Volunteered("黄疸"))
    for _ in range(3):  # the patient denies whatever is asked; "anything else?" was answered once
        question = p.next_question(state)
        assert question is not None
        state = p.ask(state, question)
        answers: dict[str, Observation] = {"open": NothingElse(), "body_part": BodyPartUnknown()}
        state = p.observe(state, answers.get(question.kind, Answered(str(question.target), False)))
    assert [q.kind for q in state.asked].count("open") == 1


def test_a_broader_symptom_of_one_the_patient_has_is_not_asked_about() -> None:
    profiles = [  # as the graph's concept profiles have them: 右上腹痛 with its broader 腹痛
        DiseaseProfile("胆囊炎", ("右上腹痛", "腹痛", "发热", "黄疸")),
        DiseaseProfile("肝炎", ("右上腹痛", "腹痛", "乏力", "黄疸")),
        DiseaseProfile("溶血", ("黄疸", "贫血", "乏力")),
        DiseaseProfile("新生儿黄疸", ("黄疸", "发热")),
    ]
    broader = {"右上腹痛": ("右上腹痛", "腹痛")}
    p = InquiryPolicy(
        DiseaseIndex(profiles),
        InquiryParameters(open_questions=False, confidence=0.999),
        lambda s: broader.get(s, (s,)),
    )
    state = p.observe(InquiryState(), Volunteered("黄疸"), Volunteered("右上腹痛"))
    while (question := p.next_question(state)) is not None:
        assert question.target != "腹痛"
        state = p.observe(p.ask(state, question), Answered(str(question.target), False))
    assert state.asked  # it asked, just not that
    without = InquiryPolicy(DiseaseIndex(profiles), InquiryParameters(open_questions=False, confidence=0.999))
    stateless = without.observe(InquiryState(), Volunteered("黄疸"), Volunteered("右上腹痛"))
    asked = []
    while (question := without.next_question(stateless)) is not None:
        asked.append(question.target)
        stateless = without.observe(without.ask(stateless, question), Answered(str(question.target), False))
    assert "腹痛" in asked  # what the broader relation saves


def test_closed_only_asks_a_symptom_that_splits_the_candidates_and_never_one_already_known() -> None:
    p = policy(open_questions=False, confidence=0.99, min_gain=0.0)
    state = p.observe(InquiryState(), Volunteered("黄疸"), Answered("乏力", False))
    question = p.next_question(state)
    assert question is not None and question.kind == "symptom"
    assert question.target not in ("黄疸", "乏力")
    asked: list[str] = []
    for _ in range(4):
        question = p.next_question(state)
        if question is None:
            break
        assert question.target not in asked and question.target not in ("黄疸", "乏力")
        asked.append(str(question.target))
        state = p.observe(p.ask(state, question), Answered(str(question.target), False))


def test_it_stops_at_the_budget_when_confident_or_with_nothing_reported() -> None:
    assert policy().next_question(InquiryState()) is None
    p = policy(max_questions=1, confidence=0.99)
    state = p.observe(InquiryState(), Volunteered("黄疸"))
    state = p.ask(state, Question("open"))
    assert p.next_question(state) is None
    confident = policy(confidence=0.5)
    state = confident.observe(InquiryState(), Volunteered("上腹痛"), Volunteered("恶心"))
    assert confident.next_question(state) is None


def test_an_empty_graph_is_a_clear_error() -> None:
    with pytest.raises(ResourceMissing, match="wenzhen kg load"):
        InquiryPolicy(DiseaseIndex([DiseaseProfile("x", ())]))


LOCATED = [
    DiseaseProfile("肝癌", ("乏力", "消瘦"), ("肝",)),
    DiseaseProfile("胃癌", ("乏力", "消瘦"), ("胃",)),
    DiseaseProfile("肺癌", ("乏力", "消瘦"), ("肺",)),
    DiseaseProfile("贫血", ("乏力", "消瘦"), ()),
]


def test_where_it_is_separates_diseases_that_share_every_symptom() -> None:
    p = InquiryPolicy(DiseaseIndex(LOCATED), InquiryParameters(confidence=0.9))
    state = p.observe(InquiryState(), Volunteered("乏力"))
    question = p.next_question(state)
    assert question == Question("body_part")  # symptoms cannot tell them apart; the place can
    located = p.observe(p.ask(state, question), BodyParts(("胃",)))
    assert p.ranking(located, 1)[0].disease == "胃癌" and p.ranking(located, 1)[0].probability > 0.9
    unsure = p.observe(p.ask(state, question), BodyPartUnknown())
    assert p.ranking(unsure, 1)[0].disease == "贫血"
    assert p.next_question(unsure) != Question("body_part")  # asked once


def test_closed_only_asks_whether_it_is_at_one_place_and_not_again_once_denied() -> None:
    p = InquiryPolicy(DiseaseIndex(LOCATED), InquiryParameters(open_questions=False, confidence=0.99))
    state = p.observe(InquiryState(), Volunteered("乏力"))
    question = p.next_question(state)
    assert question is not None and question.kind == "body_part" and question.target in ("肝", "胃", "肺")
    state = p.observe(p.ask(state, question), BodyPartDenied(str(question.target)))
    follow = p.next_question(state)
    assert follow is not None and follow.target != question.target
    assert p.ranking(state, 4)[-1].disease == {"肝": "肝癌", "胃": "胃癌", "肺": "肺癌"}[str(question.target)]


def test_a_place_the_patient_named_unprompted_counts_and_is_not_asked_again_openly() -> None:
    p = InquiryPolicy(DiseaseIndex(LOCATED), InquiryParameters(confidence=0.99))
    state = p.observe(InquiryState(), Volunteered("乏力"), Located(("肝", "胆", "腹部")))
    assert p.ranking(state, 1)[0].disease == "肝癌"  # the only candidate at one of those places
    assert p.ranking(state, 4)[-1].disease in ("胃癌", "肺癌")  # a listed place elsewhere: least likely
    question = p.next_question(state)
    assert question != Question("body_part")  # never "where is it?" after the patient said where
    assert question is None or question.kind != "body_part" or question.target == "肝"


def test_a_place_the_patient_named_outright_is_not_asked_about() -> None:
    """胃胀 says 胃: "is it at the stomach?" would only be confirmed; another part it may mean can be."""
    p = InquiryPolicy(DiseaseIndex(LOCATED), InquiryParameters(confidence=0.99))
    lay = p.observe(InquiryState(), Volunteered("乏力"), Located(("肝", "胃"), named=("胃",)))
    asked = p.next_question(lay)
    assert asked is not None and asked.kind == "body_part" and asked.target == "肝"
    named = p.observe(InquiryState(), Volunteered("乏力"), Located(("胃",), named=("胃",)))
    assert p.next_question(named) != Question("body_part", "胃")
    unnamed = p.observe(InquiryState(), Volunteered("乏力"), Located(("肝", "胃")))  # 心口: names neither
    assert p.next_question(unnamed) in (Question("body_part", "肝"), Question("body_part", "胃"))


_LOSS_OF_WHERE = """
from wenzhen.agent.inquiry import DiseaseIndex, InquiryParameters, InquiryPolicy, InquiryState, Volunteered
from wenzhen.retrieval.kg import DiseaseProfile
parts = ["肝", "胃", "肺", "心脏", "肾", "脑", "皮肤", "骨", "眼", "耳", "鼻", "咽喉", "肠", "胆", "脾"]
profiles = [DiseaseProfile(f"病{i}", ("乏力",), (parts[i], parts[(3 * i + 1) % 15])) for i in range(15)]
p = InquiryPolicy(DiseaseIndex(profiles), InquiryParameters(candidates=15))
state = p.observe(InquiryState(), Volunteered("乏力"))
post = p._posterior(state).probabilities()
print(repr(p._body_part_options(post / post.sum(), list(range(15)), set(), set())[0][0]))
"""


def test_the_loss_of_asking_where_is_the_same_in_every_process() -> None:
    """The answers "where?" may get are weighed in one order, not in the order of a set, which changes with
    Python's hash seed: the last bits of the loss, and so a near tie between questions, moved run to run."""
    import os
    import subprocess
    import sys

    def loss(hash_seed: int) -> str:
        env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
        run = subprocess.run([sys.executable, "-c", _LOSS_OF_WHERE], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert len({loss(seed) for seed in range(8)}) == 1
