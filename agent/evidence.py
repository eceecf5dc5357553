"""The graph behind a consultation's ranking: the leading diseases, the patient's present and absent
symptoms that the graph lists for them, and their checks and departments — nodes and edges to draw.

>>> graph = EvidenceGraph(
...     [EvidenceNode("d:肝炎", "肝炎", "disease", 0.6), EvidenceNode("s:乏力", "乏力", "present")],
...     [EvidenceEdge("d:肝炎", "s:乏力", "has_symptom")])
>>> graph.edges[0].relation
'has_symptom'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from wenzhen.agent.answer_plan import listing_triple
from wenzhen.agent.inquiry import Ranked
from wenzhen.retrieval.kg import DiseaseFacts

NodeKind = Literal["disease", "present", "absent", "check", "department"]
Relation = Literal["has_symptom", "lacks_symptom", "needs_check", "in_department"]
_FACTS = ("HAS_SYMPTOM", "NEEDS_CHECK", "IN_DEPARTMENT")
_RELATED: tuple[tuple[str, NodeKind, Relation], ...] = (
    ("NEEDS_CHECK", "check", "needs_check"),
    ("IN_DEPARTMENT", "department", "in_department"),
)


@dataclass(frozen=True)
class EvidenceNode:
    id: str
    label: str
    kind: NodeKind
    probability: float | None = None


@dataclass(frozen=True)
class EvidenceEdge:
    source: str
    target: str
    relation: Relation


@dataclass(frozen=True)
class EvidenceGraph:
    nodes: list[EvidenceNode]
    edges: list[EvidenceEdge]


def evidence_graph(
    ranking: Sequence[Ranked],
    present: Sequence[str],
    absent: Sequence[str],
    facts_of: Callable[[str, tuple[str, ...]], DiseaseFacts | None],
    concepts_of: Callable[[str], set[str]],
    per_kind: int = 3,
) -> EvidenceGraph:
    """For each ranked disease: edges to the reported symptoms (present or absent) the graph lists for it —
    matched by concept, so 肚子疼 in the graph meets 腹痛 said — and up to ``per_kind`` checks and
    departments."""
    nodes: dict[str, EvidenceNode] = {}
    edges: list[EvidenceEdge] = []
    reported = {s: "present" for s in present} | {s: "absent" for s in absent}
    for s, kind in reported.items():
        nodes[f"s:{s}"] = EvidenceNode(f"s:{s}", s, "present" if kind == "present" else "absent")
    for ranked in ranking:
        disease = f"d:{ranked.disease}"
        nodes[disease] = EvidenceNode(disease, ranked.disease, "disease", ranked.probability)
        facts = facts_of(ranked.disease, _FACTS)
        if facts is None:
            continue
        for symptom, kind in reported.items():
            if listing_triple(symptom, facts.triples, concepts_of) is not None:
                relation: Relation = "has_symptom" if kind == "present" else "lacks_symptom"
                edges.append(EvidenceEdge(disease, f"s:{symptom}", relation))
        for fact_type, kind, relation in _RELATED:
            for triple in [t for t in facts.triples if t.type == fact_type][:per_kind]:
                node = f"{kind}:{triple.tail}"
                nodes.setdefault(node, EvidenceNode(node, triple.tail, kind))
                edges.append(EvidenceEdge(disease, node, relation))
    return EvidenceGraph(list(nodes.values()), edges)
