"""Turn records into a load plan: nodes and relations deduplicated across the file, then batched.

>>> from wenzhen.kg_loader.readers.fielded import CMEKG
>>> plan = build_plan("d.jsonl", CMEKG.read("d.jsonl", '{"中心词": "乙肝", "相关症状": ["肝肿大"]}'))
>>> len(plan.nodes), len(plan.edges), [b.id for b in plan.batches(1000, lanes=2)]
(2, 1, ['nodes:Disease:0', 'nodes:Symptom:0', 'edges:HAS_SYMPTOM:Disease:Symptom:p0:0'])

Deduplicating in the client means every node and relation is written once per file, nodes before the
relations that need them, and no two batches touch the same node or relation. A node's provenance is
the first row about it (its own record), else the first row that mentions it.

Relation batches carry a lane so that parallel relation writers never share a head node: relation rows
are split between ``lanes`` by their head's name.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wenzhen.core.issues import Issue
from wenzhen.kg_loader.records import AttributeValue, NodeKey, Record
from wenzhen.kg_loader.schema import Label


@dataclass(slots=True)
class NodeRow:
    source: str
    line: int
    props: dict[str, AttributeValue]
    is_subject: bool


@dataclass(slots=True)
class EdgeRow:
    predicate: str
    source: str
    line: int


@dataclass(frozen=True)
class NodeBatch:
    """Nodes of one label: rows of ``{name, source, line, props}``."""

    id: str
    label: Label
    rows: list[dict[str, Any]]


EdgeTuple = tuple[str, str, str, str, int]
"""A relation row: (head name, tail name, predicate, source, line); tuples are cheaper than maps to build."""


@dataclass(frozen=True)
class EdgeBatch:
    """Relations of one type between two labels: rows of :data:`EdgeTuple`."""

    id: str
    lane: int
    type: str
    head: Label
    tail: Label
    rows: list[EdgeTuple]


Batch = NodeBatch | EdgeBatch


@dataclass
class LoadPlan:
    source: str
    records: int = 0
    nodes: dict[NodeKey, NodeRow] = field(default_factory=dict)
    edges: dict[tuple[str, NodeKey, NodeKey], EdgeRow] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return sum(issue.action == "row rejected" for issue in self.issues)

    @property
    def dropped_items(self) -> int:
        return sum(issue.action == "item dropped" for issue in self.issues)

    def add(self, record: Record) -> None:
        self.records += 1
        self.issues.extend(record.dropped)
        for position, (key, props) in enumerate(record.nodes.items()):
            is_subject = position == 0
            row = self.nodes.get(key)
            if row is None:
                self.nodes[key] = NodeRow(self.source, record.line, dict(props), is_subject)
                continue
            if is_subject and not row.is_subject:
                row.line, row.is_subject = record.line, True
            _merge_props(row.props, props)
        for edge in record.edges:
            self.edges.setdefault(
                (edge.type, edge.head, edge.tail), EdgeRow(edge.predicate, self.source, record.line)
            )

    def batches(self, batch_size: int, lanes: int) -> list[Batch]:
        """Node batches per label, then relation batches per (type, head label, tail label, lane), the lane in
        ``range(lanes)`` chosen by the head's name."""
        node_rows: dict[Label, list[dict[str, Any]]] = {}
        for key, row in self.nodes.items():
            node_rows.setdefault(key.label, []).append(
                {"name": key.name, "source": row.source, "line": row.line, "props": row.props}
            )
        edge_rows: dict[tuple[str, Label, Label, int], list[EdgeTuple]] = {}
        for (rel_type, head, tail), edge in self.edges.items():
            lane = zlib.crc32(head.name.encode()) % lanes if lanes > 1 else 0
            edge_rows.setdefault((rel_type, head.label, tail.label, lane), []).append(
                (head.name, tail.name, edge.predicate, edge.source, edge.line)
            )
        batches: list[Batch] = []
        for label in (label for label in Label if label in node_rows):
            rows = node_rows[label]
            batches += [
                NodeBatch(f"nodes:{label.value}:{i // batch_size}", label, rows[i : i + batch_size])
                for i in range(0, len(rows), batch_size)
            ]
        for (rel_type, head_label, tail_label, lane), edges in sorted(edge_rows.items()):
            batches += [
                EdgeBatch(
                    f"edges:{rel_type}:{head_label.value}:{tail_label.value}:p{lane}:{i // batch_size}",
                    lane,
                    rel_type,
                    head_label,
                    tail_label,
                    edges[i : i + batch_size],
                )
                for i in range(0, len(edges), batch_size)
            ]
        return batches


def _merge_props(into: dict[str, AttributeValue], new: dict[str, AttributeValue]) -> None:
    """Lists are unioned in order; a scalar keeps its first non-empty value."""
    for key, value in new.items():
        old = into.get(key)
        if old is None:
            into[key] = value
        elif isinstance(old, list) and isinstance(value, list):
            into[key] = old + [item for item in value if item not in old]


def build_plan(source: str, items: Iterable[Record | Issue]) -> LoadPlan:
    plan = LoadPlan(source)
    for item in items:
        if isinstance(item, Issue):
            plan.issues.append(item)
        else:
            plan.add(item)
    return plan
