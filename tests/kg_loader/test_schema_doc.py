"""docs/SCHEMA.md documents every label, relation type and attribute the code defines."""

from __future__ import annotations

from pathlib import Path

from wenzhen.kg_loader.schema import ATTRIBUTES, RELATIONS, TEXT_ATTRIBUTES, Label

SCHEMA_DOC = (Path(__file__).parents[2] / "docs" / "SCHEMA.md").read_text(encoding="utf-8")


def test_every_label_relation_and_attribute_is_documented() -> None:
    for label in Label:
        assert f"| `{label.value}` |" in SCHEMA_DOC, label
    for spec in RELATIONS.values():
        row = f"| `{spec.type}` | {spec.predicate} | {spec.head.value} | {spec.tail.value} |"
        assert row in SCHEMA_DOC, row
    for chinese, prop in ATTRIBUTES.items():
        assert f"| `{prop}` | {chinese} |" in SCHEMA_DOC, prop
    for predicate, prop in TEXT_ATTRIBUTES.items():
        assert f"| `{prop}` |" in SCHEMA_DOC and predicate in SCHEMA_DOC, prop
