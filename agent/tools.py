"""The consultation's LangChain tools: KG lookup, candidate diseases, literature search, ask patient.

>>> tools = ConsultationTools(kg, policy, searcher)                   # doctest: +SKIP
>>> tools.kg_lookup.invoke({"disease": "乙肝"})[:2]                    # doctest: +SKIP
[{'id': 'kg:乙肝|相关症状|乏力', 'text': '乙肝 相关症状 乏力', 'source': '…', 'line': 2}, …]

The graph nodes call these same tools, so what a tool-calling model would see is what the agent uses. Their
Cypher is kg_loader/retrieval's fixed, parameterised, read-only templates; no tool takes Cypher text.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from wenzhen.agent.inquiry import Answered, InquiryState, Policy, Volunteered
from wenzhen.retrieval.chunking import Chunk
from wenzhen.retrieval.kg import KGRetriever, Triple
from wenzhen.retrieval.search import LiteratureSearcher

_QUESTION = re.compile(r"\s*(?:问|Q)[：:]\s*([^\n]{2,60}?[？?])")
FACT_TYPES = (
    "HAS_SYMPTOM",
    "NEEDS_CHECK",
    "TREATED_WITH_DRUG",
    "TREATED_BY",
    "IN_DEPARTMENT",
    "HAS_COMPLICATION",
)


def triple_record(triple: Triple) -> dict[str, Any]:
    return {
        "id": f"kg:{triple.head}|{triple.predicate}|{triple.tail}",
        "text": triple.text(),
        "source": triple.source,
        "line": triple.line,
    }


def passage_title(chunk: Chunk) -> str | None:
    """A passage's title: its ``title`` or ``question`` metadata, else the question a Q&A text opens with.

    >>> passage_title(Chunk("c", "d", "qa.jsonl", 0, 0, "问：肝癌能治好吗？答：早期可以。"))
    '肝癌能治好吗？'
    """
    for field in ("title", "question"):
        if isinstance(value := chunk.metadata.get(field), str) and value.strip():
            return value.strip()
    opening = _QUESTION.match(chunk.text)
    return opening.group(1).strip() if opening else None


def disease_facts(kg: KGRetriever, disease: str, limit: int) -> list[Triple]:
    """Facts of ``disease`` (a name or alias): a few of each kind, at most ``limit``."""
    facts = kg.facts(disease, FACT_TYPES)
    if facts is None:
        return []
    per_type: dict[str, int] = {}
    picked = []
    for triple in facts.triples:
        per_type[triple.type] = per_type.get(triple.type, 0) + 1
        if per_type[triple.type] <= max(1, limit // 4):
            picked.append(triple)
    return picked[:limit]


class ConsultationTools:
    def __init__(
        self,
        kg: KGRetriever,
        policy: Policy,
        searcher: LiteratureSearcher | None,
        facts_per_disease: int = 8,
    ) -> None:
        self.kg = kg
        self.policy = policy
        self.searcher = searcher
        self.facts_per_disease = facts_per_disease
        self.kg_lookup = StructuredTool.from_function(
            self._kg_lookup,
            name="kg_lookup",
            description="Facts of one disease from the medical knowledge graph (symptoms, checks, drugs, "
            "treatments, department, complications), each with its source file and line.",
        )
        self.candidate_diseases = StructuredTool.from_function(
            self._candidate_diseases,
            name="candidate_diseases",
            description="Diseases ranked by posterior probability given present and absent symptoms.",
        )
        self.literature_search = StructuredTool.from_function(
            self._literature_search,
            name="literature_search",
            description="Passages from the liver-cancer literature index for a query, with chunk ids.",
        )
        self.ask_patient = StructuredTool.from_function(
            self._ask_patient,
            name="ask_patient",
            description="Ask the patient one follow-up question; ends the turn and waits for the answer.",
            return_direct=True,
        )

    @property
    def all(self) -> list[BaseTool]:
        return [self.kg_lookup, self.candidate_diseases, self.literature_search, self.ask_patient]

    def disease_facts(self, disease: str) -> list[Triple]:
        """Facts of ``disease`` (a name or alias): a few of each kind, at most ``facts_per_disease``."""
        return disease_facts(self.kg, disease, self.facts_per_disease)

    def _kg_lookup(self, disease: str) -> list[dict[str, Any]]:
        """Facts for ``disease`` (a name or alias): a few of each kind, with provenance."""
        return [triple_record(triple) for triple in self.disease_facts(disease)]

    def _candidate_diseases(
        self, present: list[str], absent: list[str] | None = None
    ) -> list[dict[str, Any]]:
        state = InquiryState(
            tuple(Volunteered(s) for s in present) + tuple(Answered(s, False) for s in absent or [])
        )
        return [{"disease": r.disease, "probability": r.probability} for r in self.policy.ranking(state, 5)]

    def _literature_search(self, query: str, k: int = 3) -> list[dict[str, Any]]:
        if self.searcher is None or k < 1:
            return []
        return [
            {
                "chunk_id": h.chunk.chunk_id,
                "source": h.chunk.source,
                "title": passage_title(h.chunk),
                "text": h.chunk.text,
                "score": h.score,
            }
            for h in self.searcher.search(query, k=k)
        ]

    def _ask_patient(self, question: str) -> str:
        return question
