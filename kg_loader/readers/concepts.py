"""Symptom concepts: one JSON object a line naming a symptom concept, the graph's symptom names for it,
everyday phrasings, and broader concepts.

>>> text = '{"concept": "腹泻", "names": ["腹泻", "稀便"], "lay": ["拉肚子"], "broader": []}'
>>> record = next(read_concepts("c.jsonl", text))
>>> sorted(e.head.name for e in record.edges if e.type == "IS_NAME_OF"), record.nodes[record.edges[0].tail]
(['稀便', '腹泻'], {'lay': ['拉肚子']})

Each line becomes a ``SymptomConcept`` node (its ``lay`` phrasings as a list property), an ``IS_NAME_OF``
relation from every listed ``Symptom`` name (the concept's own name included) and a ``BROADER`` relation to
every broader concept. A line without a concept name, or with a field of the wrong kind, is rejected and
reported; an implausible name in a list is dropped and reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from wenzhen.core.files import iter_json_values
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.base import RecordBuilder, string_list, subject_or_issue
from wenzhen.kg_loader.records import Record
from wenzhen.kg_loader.schema import Label

FIELDS = ("names", "lay", "broader")


def read_concepts(source: str, text: str) -> Iterator[Record | Issue]:
    for item in iter_json_values(source, text):
        if isinstance(item, Issue):
            yield item
            continue
        line, row = item
        if not isinstance(row, dict):
            yield Issue(source, line, f"expected a JSON object, got {type(row).__name__}")
            continue
        subject = subject_or_issue(source, line, Label.CONCEPT, row.get("concept"), "concept")
        if isinstance(subject, Issue):
            yield subject
            continue
        lists = {name: string_list(row.get(name, [])) for name in FIELDS}
        wrong = [name for name, value in lists.items() if value is None]
        if wrong:
            field = wrong[0]
            yield Issue(source, line, f"field {field} must be a list of strings", field, repr(row.get(field)))
            continue
        builder = RecordBuilder(source, line, subject)
        builder.attribute("口语", lists["lay"])
        names = [subject.name, *(lists["names"] or [])]
        builder.relate("症状概念", names, "names", towards_subject=True)
        builder.relate("上位概念", lists["broader"] or [], "broader")
        yield builder.build()
