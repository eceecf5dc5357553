"""Generic triples, CSV or TSV with the header ``head,head_type,relation,tail,tail_type``.

``relation`` is a Chinese predicate (相关症状) or a relation type (HAS_SYMPTOM); an attribute predicate
(多发群体, 治愈率 ...) sets that property of the head to ``tail``. Entity kinds are labels (Disease) or their
Chinese names (疾病).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.base import RecordBuilder, subject_or_issue
from wenzhen.kg_loader.records import NodeKey, Record
from wenzhen.kg_loader.schema import ATTRIBUTES, RELATION_TYPES, RELATIONS, Label, parse_label

COLUMNS = ("head", "head_type", "relation", "tail", "tail_type")
_KINDS = ", ".join(label.value for label in Label)


def read_triples(source: str, text: str) -> Iterator[Record | Issue]:
    delimiter = "\t" if source.lower().endswith(".tsv") or "\t" in text.split("\n", 1)[0] else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not set(COLUMNS) <= set(header):
        yield Issue(source, 1, f"header must have the columns {', '.join(COLUMNS)}", value=str(header))
        return
    reader.fieldnames = header
    start = 2
    for row in reader:
        line, start = start, reader.line_num + 1
        if None in row:
            yield Issue(source, line, f"more columns than the header's {len(header)}", value=str(row)[:200])
            continue
        yield _record(source, line, {key: (value or "").strip() for key, value in row.items()})


def _end(
    source: str, line: int, row: dict[str, str], end: str, default: Label | None = None
) -> NodeKey | Issue:
    """The ``head`` or ``tail`` node of a row; a missing kind falls back to ``default`` when there is one."""
    kind = row[f"{end}_type"]
    label = default if not kind and default is not None else parse_label(kind)
    if label is None:
        return Issue(source, line, f"{end}_type {kind!r} is not one of {_KINDS}", f"{end}_type", kind)
    return subject_or_issue(source, line, label, row[end], end)


def _record(source: str, line: int, row: dict[str, str]) -> Record | Issue:
    head = _end(source, line, row, "head")
    if isinstance(head, Issue):
        return head
    builder = RecordBuilder(source, line, head)
    relation = row["relation"]
    if relation in ATTRIBUTES:
        builder.attribute(relation, row["tail"])
        return builder.build()
    spec = RELATIONS.get(relation) or RELATION_TYPES.get(relation.upper())
    if spec is None:
        return Issue(
            source,
            line,
            f"unknown relation {relation!r} (a CMeKG predicate, relation type or attribute name)",
            "relation",
            relation,
        )
    tail = _end(source, line, row, "tail", default=spec.tail)
    if isinstance(tail, Issue):
        return tail
    builder.relate(spec.predicate, [tail.name], "tail", tail.label)
    return builder.build()
