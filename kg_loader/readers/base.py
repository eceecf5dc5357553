"""Building KG records from named fields, shared by the readers (file decoding and JSON reading are in
:mod:`wenzhen.core.files`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.validation import clean_name, implausible_name
from wenzhen.kg_loader.records import AttributeValue, Edge, NodeKey, Record
from wenzhen.kg_loader.schema import ALIAS_PREDICATE, ATTRIBUTES, RELATIONS, Label


@dataclass
class RecordBuilder:
    """Builds one :class:`Record` around a subject node from Chinese-named fields.

    >>> b = RecordBuilder("f.jsonl", 3, NodeKey(Label.DISEASE, "乙肝"))
    >>> b.relate("相关症状", ["肝肿大", "肝肿大", "2-10天"])
    >>> [e.tail.name for e in b.build().edges], b.build().dropped[0].reason[:10]
    (['肝肿大'], 'looks like')
    """

    source: str
    line: int
    subject: NodeKey
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    edges: dict[tuple[str, NodeKey, NodeKey], Edge] = field(default_factory=dict)
    dropped: list[Issue] = field(default_factory=list)
    extra_nodes: dict[NodeKey, dict[str, AttributeValue]] = field(default_factory=dict)

    def attribute(self, chinese_name: str, value: object) -> None:
        """Set an attribute from a string or list of strings; empty values are left out."""
        prop = ATTRIBUTES[chinese_name]
        if isinstance(value, list):
            items = [clean_name(str(item)) for item in value if str(item).strip()]
            if items:
                self.attributes[prop] = items
        elif value is not None and str(value).strip():
            self.attributes[prop] = str(value).strip()

    def relate(
        self,
        predicate: str,
        items: Iterable[str],
        field_name: str | None = None,
        tail_label: Label | None = None,
        head: NodeKey | None = None,
        towards_subject: bool = False,
    ) -> None:
        """Add one edge per plausible, distinct item; implausible items are dropped and noted. With
        ``towards_subject`` each item is the edge's head and the subject its tail."""
        spec = RELATIONS[predicate]
        for raw in items:
            name = clean_name(raw)
            if not name:
                continue
            problem = implausible_name(name)
            if problem is not None:
                self.dropped.append(
                    Issue(self.source, self.line, problem, field_name or predicate, name, "item dropped")
                )
                continue
            if towards_subject:
                edge_head, tail = NodeKey(spec.head, name), self.subject
            else:
                edge_head, tail = head or self.subject, NodeKey(tail_label or spec.tail, name)
            if predicate == ALIAS_PREDICATE and name == edge_head.name:
                continue
            self.edges.setdefault((spec.type, edge_head, tail), Edge(spec.type, predicate, edge_head, tail))

    def build(self) -> Record:
        nodes: dict[NodeKey, dict[str, AttributeValue]] = {self.subject: self.attributes}
        nodes.update(self.extra_nodes)
        for edge in self.edges.values():
            nodes.setdefault(edge.head, {})
            nodes.setdefault(edge.tail, {})
        return Record(self.line, nodes, list(self.edges.values()), self.dropped)


def subject_or_issue(
    source: str, line: int, label: Label, raw_name: object, field_name: str
) -> NodeKey | Issue:
    """The record's subject node, or the issue that rejects the whole row."""
    if not isinstance(raw_name, str):
        return Issue(
            source, line, f"field {field_name} is missing or not a string", field_name, repr(raw_name)
        )
    name = clean_name(raw_name)
    problem = implausible_name(name)
    if problem is not None:
        return Issue(source, line, problem, field_name, name)
    return NodeKey(label, name)


def string_list(value: object) -> list[str] | None:
    """``value`` as a list of strings (a lone string becomes one item), or None if it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None
