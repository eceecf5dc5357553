"""Closed questions put a symptom concept in everyday words too: the demo graph with its concepts, as
``wenzhen kg load --demo`` loads it."""

from __future__ import annotations

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
