"""What an exam question is grounded in: nothing, the knowledge graph (facts of the diseases, drugs, checks …
the question and its options name), the literature (passages found for the question), or both — the same
graph linking and literature search the consultation uses.

>>> question = ExamQuestion("q1", "首选的检查是", {"A": "肝功能", "B": "心电图"}, ("A",), "单选", "-", 1)
>>> Grounding(None, None).context(question, "none")
''

Graph facts are the linked diseases' (each a few of every kind, as the agent's ``kg_lookup`` picks them) and,
for a linked drug, check or symptom, the diseases it is related to; at most ``max_facts`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wenzhen.agent.exam import ExamQuestion
from wenzhen.agent.tools import disease_facts
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import KGRetriever
from wenzhen.retrieval.search import LiteratureSearcher

Mode = Literal["none", "kg", "literature", "both"]
MODES: tuple[Mode, ...] = ("none", "kg", "literature", "both")
RELATED = (
    "MATCH (x:{label} {{name: $name}})<-[r]-(d:Disease) WHERE type(r) IN $types "
    "RETURN d.name AS disease, r.predicate AS predicate LIMIT $limit"
)
"""Filled with a linked mention's label (one of the schema's), so the name is looked up in its index."""
RELATED_TYPES = ["HAS_SYMPTOM", "HAS_CLINICAL_FEATURE", "TREATED_WITH_DRUG", "NEEDS_CHECK"]


def question_text(question: ExamQuestion) -> str:
    """The question with its options, one a line, as the model reads it."""
    options = "\n".join(f"{letter}. {text}" for letter, text in question.options.items())
    return f"{question.question}\n{options}"


@dataclass
class Grounding:
    """Context for a question in each mode; the graph part and the literature part each come from one
    search, shared by the modes that use them."""

    kg: KGRetriever | None
    searcher: LiteratureSearcher | None
    max_facts: int = 10
    passages: int = 2
    passage_chars: int = 200

    def describe(self) -> str:
        """What a run's predictions depend on, besides the graph and index contents."""
        return f"facts {self.max_facts}, passages {self.passages} x {self.passage_chars} chars"

    def context(self, question: ExamQuestion, mode: Mode) -> str:
        parts = []
        if mode in ("kg", "both"):
            parts.append(self.graph_facts(question))
        if mode in ("literature", "both"):
            parts.append(self.literature(question))
        return "\n".join(part for part in parts if part)

    def graph_facts(self, question: ExamQuestion) -> str:
        if self.kg is None:
            return ""
        lines: list[str] = []
        seen: set[str] = set()
        for mention in self.kg.link(question_text(question)):
            if mention.name in seen or len(lines) >= self.max_facts:
                continue
            seen.add(mention.name)
            if mention.label is Label.DISEASE:
                lines += [triple.text() for triple in disease_facts(self.kg, mention.name, 8)]
            elif mention.label in (Label.DRUG, Label.CHECK, Label.SYMPTOM):
                query = RELATED.format(label=mention.label.value)
                rows = self.kg.store.read(query, {"name": mention.name, "types": RELATED_TYPES, "limit": 3})
                lines += [f"{row['disease']} {row['predicate']} {mention.name}" for row in rows]
        unique = list(dict.fromkeys(lines))[: self.max_facts]
        return "知识图谱：\n" + "\n".join(unique) if unique else ""

    def literature(self, question: ExamQuestion) -> str:
        if self.searcher is None:
            return ""
        hits = self.searcher.search(question_text(question), k=self.passages)
        texts = [" ".join(hit.chunk.text.split())[: self.passage_chars] for hit in hits]
        return "文献：\n" + "\n".join(texts) if texts else ""
