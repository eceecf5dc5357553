"""Answers: the plan from the consultation's data, the checks on generated sentences, judge-free scores."""

from __future__ import annotations

import pytest

from wenzhen.agent.answer_eval import score_answer
from wenzhen.agent.answer_plan import plan_answer, plan_triples
from wenzhen.agent.answer_text import SourceRegistry, literature_section, plan_sections
from wenzhen.agent.faithfulness import SentenceChecker, checked_stream, split_sentences
from wenzhen.agent.inquiry import Ranked
from wenzhen.agent.session import CandidateScore, Citation, Reply
from wenzhen.retrieval.kg import Triple

NAMES = {"乙肝": "Disease", "肝硬化": "Disease", "肝癌": "Disease", "恩替卡韦": "Drug", "乏力": "Symptom"}


def names(text: str) -> list[tuple[str, str]]:
    return [(name, label) for name, label in NAMES.items() if name in text]


def fact(disease: str, kind: str, tail: str, line: int = 1) -> Triple:
    predicate = {"HAS_SYMPTOM": "相关症状", "NEEDS_CHECK": "检查", "IN_DEPARTMENT": "所属科室"}.get(
        kind, "治疗"
    )
    return Triple(disease, predicate, tail, kind, "Symptom", "kg.jsonl", line)


def checker(confident: bool = False) -> SentenceChecker:
    sources = [
        ("kg:1", "乙肝 相关症状 乏力"),
        ("lit:1", "慢性乙肝患者应戒酒，注意休息，定期复查肝功能和病毒载量。"),
    ]
    return SentenceChecker(sources, names, {"乙肝", "肝硬化"}, confident)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("不需要继续吃恩替卡韦了。", "stop or change a medicine"),
        ("您可以自行减量。", "stop or change a medicine"),
        ("症状好了就可以停药。", "stop or change a medicine"),
        ("每日3次，每次10mg。", "dose"),
        ("您患有乙肝。", "diagnosis the ranking is not confident of"),
        ("也可能是肝癌引起的乏力。", "disease outside the differential"),
        ("医生会用恩替卡韦抗病毒。", "drug or procedure"),
        ("晚期可以做经导管动脉化疗栓塞术。", "drug or procedure"),
        ("乙肝一般不会引起肝硬化以外的问题。", "no source supports"),
        ("建议在饮食上避免洋葱大蒜等含丙烯酸的食物，同时避免咖啡因。", "nothing a source or general care"),
    ],
)
def test_sentences_that_must_not_reach_a_patient_are_removed(sentence: str, reason: str) -> None:
    verdict = checker().check(sentence)
    assert not verdict.kept and verdict.reason is not None and reason in verdict.reason


def test_supported_sentences_carry_the_sources_that_support_them() -> None:
    verdict = checker().check("慢性乙肝患者要戒酒，定期复查肝功能。")
    assert verdict.kept and verdict.sources == ("lit:1",)
    assert checker().check("注意休息，按时复查。").kept  # general care, no claim: kept without a marker
    claim = "您患有乙肝，应戒酒，注意休息，定期复查肝功能。"
    assert (
        not checker().check(claim).kept and checker(confident=True).check(claim).kept
    )  # only when confident


def test_a_streamed_answer_is_checked_sentence_by_sentence_without_the_models_own_markers() -> None:
    text = "慢性乙肝患者应戒酒[3]，定期复查。不需要继续吃恩替卡韦。注意休息"
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
    verdicts = list(checked_stream(pieces, checker()))
    assert [v.kept for v in verdicts] == [True, False, True]
    assert verdicts[0].text == "慢性乙肝患者应戒酒，定期复查。" and verdicts[0].sources == ("lit:1",)
    assert split_sentences("一。二！三") == ["一。", "二！", "三"]


def test_the_plan_is_a_differential_unless_the_ranking_is_confident() -> None:
    facts = {
        "乙肝": [fact("乙肝", "HAS_SYMPTOM", "疲乏", 2), fact("乙肝", "NEEDS_CHECK", "肝功能", 3)],
        "肝硬化": [
            fact("肝硬化", "HAS_SYMPTOM", "黄疸", 4),
            fact("肝硬化", "HAS_SYMPTOM", "呕血", 5),
            fact("肝硬化", "TREATED_WITH_DRUG", "用什么药？", 6),
            fact("肝硬化", "TREATED_WITH_DRUG", "普萘洛尔", 7),
        ],
    }
    concepts = {"疲乏": {"乏力"}, "乏力": {"乏力"}}

    def concepts_of(name: str) -> set[str]:
        return concepts.get(name, {name})

    def warning_of(symptom: str) -> tuple[str, str] | None:
        return ("消化道出血", "emergency") if symptom == "呕血" else None

    doubtful = plan_answer(
        [Ranked("乙肝", 0.4), Ranked("肝硬化", 0.3)], ["乏力"], ["黄疸"], facts, concepts_of, warning_of
    )
    assert not doubtful.confident and not doubtful.treatments
    assert [(s, t.line) for s, t in doubtful.candidates[0].supporting] == [("乏力", 2)]  # 疲乏 ~ 乏力
    assert [(s, t.line) for s, t in doubtful.candidates[1].against] == [("黄疸", 4)]
    assert [w.symptom.tail for w in doubtful.warnings] == ["呕血"]
    sure = plan_answer([Ranked("肝硬化", 0.8)], ["黄疸"], [], facts, concepts_of, warning_of, ["恩替卡韦"])
    assert sure.confident and [t.tail for t in sure.treatments] == ["普萘洛尔"]  # "用什么药？" is no name
    sources = SourceRegistry()
    text = plan_sections(sure, sources)
    assert "最可能是肝硬化（约80%）" in text and "医生可能会考虑普萘洛尔[K" in text
    assert "不要自行停药" in text and "【您正在用的药】" in text
    assert [c.id for c in sources.citations] == [f"K{n}" for n in range(1, len(plan_triples(sure)) + 1)]


def test_literature_points_show_the_question_the_passage_and_the_file() -> None:
    sources = SourceRegistry()
    hit = {
        "chunk_id": "c1",
        "source": "/data/qa.jsonl",
        "title": "肝癌能治好吗？",
        "text": "问：肝癌能治好吗？答：早期可以手术。",
    }
    assert (
        literature_section([hit], sources)
        == "【文献要点】\n[L1] 《肝癌能治好吗？》早期可以手术。（来源：qa.jsonl）\n"
    )
    assert sources.citations[0].title == "肝癌能治好吗？" and sources.citations[0].source == "/data/qa.jsonl"


def reply(text: str, *candidates: tuple[str, float]) -> Reply:
    cited = [Citation(id="K1", kind="kg", text="肝硬化 相关症状 乏力")]
    scores = [CandidateScore(disease=d, probability=p) for d, p in candidates]
    return Reply(kind="answer", text=text, candidates=scores, citations=cited)


def test_scores_find_contradictions_unsupported_drugs_and_stopped_medicines() -> None:
    good = reply(
        "【初步判断】\n1. 肝硬化（约40%）：您说的乏力[K1]是它的常见表现。\n", ("肝硬化", 0.4), ("乙肝", 0.2)
    )
    score = score_answer(good, names)
    assert (score.factual, score.attributed, score.contradicts_ranking) == (1, 1, False)
    swapped = reply("【初步判断】\n1. 乙肝（约20%）：……\n", ("肝硬化", 0.4), ("乙肝", 0.2))
    assert score_answer(swapped, names).contradicts_ranking
    overclaim = reply("【初步判断】\n根据目前了解到的情况，最可能是肝硬化（约40%），但……\n", ("肝硬化", 0.4))
    assert score_answer(overclaim, names).contradicts_ranking
    outside = reply("【说明与护理】\n也可能是肝癌。\n", ("肝硬化", 0.4))
    assert score_answer(outside, names).contradicts_ranking
    drug = score_answer(reply("【说明与护理】\n不需要继续吃恩替卡韦。\n", ("肝硬化", 0.4)), names)
    assert drug.unsupported == ["恩替卡韦"] and drug.stop_medicine == 1
