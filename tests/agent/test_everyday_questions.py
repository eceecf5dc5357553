"""Everyday questions on the demo graph with its concepts, as ``wenzhen kg load --demo`` loads it: closed
questions put a symptom concept in everyday words too; a question about a disease the patient has is
answered, and so is one about a drug."""

from __future__ import annotations

import re
from pathlib import Path

from tests.agent.test_consultant import consultant
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.search import LiteratureSearcher


def test_closed_questions_gloss_a_symptom_in_everyday_words(
    demo_with_concepts: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    asked = []
    with consultant(demo_with_concepts, tiny_model_dir, searcher) as c:
        for opening in ("我最近右上腹隐痛", "我最近拉肚子", "我最近咳嗽"):
            session = c.start_session()
            reply = c.reply(session, opening)
            while reply.question is not None:
                if reply.question["kind"] == "symptom":
                    asked.append((reply.question["target"], reply.text))
                reply = c.reply(session, "没有" if reply.question["kind"] != "open" else "没有了")
        glosses = {target: c.tools.kg.concepts.everyday(target) for target, _ in asked}
    assert any(glosses.values()), asked  # 乏力（没力气）, 黄疸（皮肤发黄）…
    for target, text in asked:
        gloss = f"（{glosses[target]}）" if glosses[target] else ""
        assert text == f"请问您有没有{target}{gloss}的情况？"


def test_a_question_about_a_disease_the_patient_has_is_answered_not_inquired_into(
    demo_with_concepts: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    """Half of real questions to internal medicine ask about a known disease
    (``scripts/first_reply_accuracy.py``). 高血压 is a symptom of other diseases too: read as the complaint,
    it started an inquiry ("主要是身体哪个部位不舒服？"). Now the answer tells what the graph records of the
    disease, each fact cited. A complaint beside it is still inquired into."""
    with consultant(demo_with_concepts, tiny_model_dir, searcher) as c:
        asked = c.reply(c.start_session(), "妈妈有高血压，高血压可以吃莲子吗？")
        assert asked.kind == "answer" and not asked.candidates and asked.question is None
        told = asked.text.split("【关于高血压】\n", 1)[1].split("【回答】", 1)[0]  # what the graph records
        cited = {c.id: c.text for c in asked.citations if c.kind == "kg"}
        assert "就诊科室：" in told and all(text.startswith("高血压 ") for text in cited.values())
        assert all(f"[{key}]" in told for key in cited)
        complaint = c.reply(c.start_session(), "妈妈有高血压，最近老是头痛，怎么办？")
        assert complaint.kind == "question" and complaint.candidates


def test_a_question_about_a_drug_tells_what_the_graph_lists_it_for(
    demo_with_concepts: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    """A quarter of real intent questions (CMID) ask about a drug: what it treats, whether it suits a
    disease, how to take it. The answer told the writer "您提到在用…，请继续按医嘱使用" of a drug they only
    asked about, and declined a question on taking one the graph does not know. Now it tells which diseases
    the graph lists the drug for, whether the disease asked about is among them, each cited, and that the
    graph records no dosage or side effects."""
    with consultant(demo_with_concepts, tiny_model_dir, searcher) as c:
        asked = c.reply(c.start_session(), "请问明目地黄丸能治弱视吗？")
        assert asked.kind == "answer" and "【您正在用的药】" not in asked.text
        told = asked.text.split("【关于明目地黄丸】\n", 1)[1].split("【回答】", 1)[0]
        assert "图谱中药物治疗列有它的疾病（共4种）：" in told and "图谱没有记录药物的用法用量" in told
        listed = re.search(r"弱视：图谱中弱视的药物治疗列有明目地黄丸\[(K\d+)\]", told)
        assert listed is not None
        cited = {c.id: c.text for c in asked.citations if c.kind == "kg"}
        assert cited[listed.group(1)].startswith("弱视 ") and "明目地黄丸" in cited[listed.group(1)]
        usage = c.reply(c.start_session(), "我想请问钙尔奇是咀嚼服用还是用水送服的？")  # not in the graph
        assert usage.kind == "answer"
        named = c.reply(c.start_session(), "小孩有点缺钙的，吃了鱼油牛磺酸软胶囊会不会有好转呢？")
        assert named.kind == "answer"  # 酸 in a drug's name is no complaint to clarify


def test_everyday_words_of_intent_questions_link_as_meant(demo_with_concepts: GraphStore) -> None:
    """From the development half of the intent questions: 屁眼红 had read 眼红 (red eyes) and a question
    about the eyes followed; 眼睛越来越模糊 read nothing."""
    from wenzhen.retrieval.kg import KGRetriever

    kg = KGRetriever(demo_with_concepts)
    assert [m.name for m in kg.link("屁眼红，可以长期使用鞣酸软膏吗")] == ["肛周皮肤潮红"]
    assert [m.name for m in kg.link("屁眼疼了好几天")] == ["肛门疼痛"]
    assert [m.name for m in kg.link("现在眼睛越来越模糊")] == ["视物模糊"]
    assert [m.name for m in kg.link("眼睛红红的")] == ["眼红"]
