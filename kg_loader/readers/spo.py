"""CMeKG ``spo_list`` examples: ``[{"text": ..., "spo_list": [[subject, predicate, object], ...]}]``.

CMeKG's objects are entity names for some predicates and free text (dosage, clinical description) for others,
so an object becomes an edge when its predicate is a relation and the object reads as a name, and a text
attribute of the subject otherwise. The subject's label follows from all its predicates in the file:
drug predicates make it a Drug, disease predicates a Disease, and a subject with only 相关疾病/相关症状
(CMeKG's examination entries) a Check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from wenzhen.core.files import iter_json_values
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.base import RecordBuilder
from wenzhen.kg_loader.readers.validation import clean_name, implausible_name
from wenzhen.kg_loader.records import NodeKey, Record
from wenzhen.kg_loader.schema import ATTRIBUTES, RELATIONS, TEXT_ATTRIBUTES, Label

DRUG_PREDICATES = frozenset(
    {
        "用法用量",
        "贮藏",
        "性状",
        "禁忌",
        "有效期",
        "注意事项",
        "适应症",
        "成份",
        "规格",
        "不良反应",
        "药物相互作用",
        "主治",
        "入药部位",
        "功效",
        "性味",
        "功能主治",
    }
)
DISEASE_PREDICATES = frozenset({"临床表现", "病因", "治疗", "并发症", "检查"})
_SENTENCE = re.compile(r"[，。：:；;！？,（(]")


def subject_label(predicates: set[str]) -> Label:
    if predicates & DRUG_PREDICATES:
        return Label.DRUG
    if predicates & DISEASE_PREDICATES:
        return Label.DISEASE
    return Label.CHECK


def read_spo(source: str, text: str) -> Iterator[Record | Issue]:
    items: list[tuple[int, list[list[str]]]] = []
    predicates: dict[str, set[str]] = {}
    for item in iter_json_values(source, text):
        if isinstance(item, Issue):
            yield item
            continue
        line, value = item
        triples = value.get("spo_list") if isinstance(value, dict) else None
        if not isinstance(triples, list) or not all(
            isinstance(t, list) and len(t) == 3 and all(isinstance(x, str) for x in t) for t in triples
        ):
            yield Issue(
                source,
                line,
                "field spo_list: expected a list of [subject, predicate, object] strings",
                "spo_list",
                repr(triples)[:200],
            )
            continue
        items.append((line, triples))
        for subject, predicate, _ in triples:
            predicates.setdefault(clean_name(subject), set()).add(predicate)
    for line, triples in items:
        yield from _records(source, line, triples, predicates)


def _records(
    source: str, line: int, triples: list[list[str]], predicates: dict[str, set[str]]
) -> Iterator[Record | Issue]:
    builders: dict[str, RecordBuilder] = {}
    for raw_subject, predicate, raw_object in triples:
        subject_name = clean_name(raw_subject)
        problem = implausible_name(subject_name)
        if problem is not None:
            yield Issue(source, line, f"subject: {problem}", "spo_list", subject_name)
            continue
        builder = builders.setdefault(
            subject_name,
            RecordBuilder(source, line, NodeKey(subject_label(predicates[subject_name]), subject_name)),
        )
        value = raw_object.strip()
        if predicate in RELATIONS and not _SENTENCE.search(value) and implausible_name(value) is None:
            builder.relate(predicate, [value], "spo_list")
        elif predicate in ATTRIBUTES or predicate in TEXT_ATTRIBUTES:
            prop = TEXT_ATTRIBUTES.get(predicate) or ATTRIBUTES[predicate]
            existing = builder.attributes.get(prop, [])
            values = existing if isinstance(existing, list) else [existing]
            if value and value not in values:
                builder.attributes[prop] = [*values, value]
        else:
            builder.dropped.append(
                Issue(
                    source,
                    line,
                    f"unknown predicate {predicate!r}",
                    "spo_list",
                    raw_object[:200],
                    "item dropped",
                )
            )
    for builder in builders.values():
        yield builder.build()
