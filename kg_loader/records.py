"""What readers produce: records (nodes, attributes, edges of one input row) or rejects.

>>> head = NodeKey(Label.DISEASE, "乙肝")
>>> Record(line=2, nodes={head: {"population": "所有人群"}},
...        edges=[Edge("HAS_SYMPTOM", "相关症状", head, NodeKey(Label.SYMPTOM, "肝肿大"))]).edges[0].type
'HAS_SYMPTOM'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from wenzhen.core.issues import Issue
from wenzhen.kg_loader.schema import Label

AttributeValue = str | list[str]


class NodeKey(NamedTuple):
    """A node's identity: its label and unique name (a tuple: hashed in C, as plans hash it a lot)."""

    label: Label
    name: str


class Edge(NamedTuple):
    """One relation: type, the Chinese predicate it came from, and its two ends."""

    type: str
    predicate: str
    head: NodeKey
    tail: NodeKey


@dataclass(slots=True)
class Record:
    """The nodes (with attributes) and edges one input row contributes. The first node is its subject."""

    line: int
    nodes: dict[NodeKey, dict[str, AttributeValue]]
    edges: list[Edge] = field(default_factory=list)
    dropped: list[Issue] = field(default_factory=list)
