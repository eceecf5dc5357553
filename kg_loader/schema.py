"""The CMeKG-style graph schema: node labels, relation types keyed by Chinese predicate, attributes.

>>> RELATIONS["相关症状"].type, RELATIONS["相关症状"].tail.value
('HAS_SYMPTOM', 'Symptom')
>>> ATTRIBUTES["多发群体"]
'population'

Every node has a unique ``name`` within its label plus ``source``/``line`` provenance; every relation keeps
its Chinese ``predicate`` and ``source``/``line``. See ``docs/SCHEMA.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SCHEMA_VERSION = 1


class Label(StrEnum):
    """Node labels, one per CMeKG entity kind."""

    DISEASE = "Disease"
    SYMPTOM = "Symptom"
    DRUG = "Drug"
    CHECK = "Check"
    DEPARTMENT = "Department"
    BODY_PART = "BodyPart"
    TREATMENT = "Treatment"
    FOOD = "Food"
    ALIAS = "Alias"
    CONCEPT = "SymptomConcept"


@dataclass(frozen=True)
class RelationSpec:
    """One CMeKG predicate: its relation type and the labels it connects by default."""

    predicate: str
    type: str
    head: Label
    tail: Label


_RELATION_SPECS = (
    RelationSpec("相关症状", "HAS_SYMPTOM", Label.DISEASE, Label.SYMPTOM),
    RelationSpec("临床表现", "HAS_CLINICAL_FEATURE", Label.DISEASE, Label.SYMPTOM),
    RelationSpec("并发症", "HAS_COMPLICATION", Label.DISEASE, Label.DISEASE),
    RelationSpec("相关疾病", "RELATED_DISEASE", Label.CHECK, Label.DISEASE),
    RelationSpec("药物治疗", "TREATED_WITH_DRUG", Label.DISEASE, Label.DRUG),
    RelationSpec("检查", "NEEDS_CHECK", Label.DISEASE, Label.CHECK),
    RelationSpec("所属科室", "IN_DEPARTMENT", Label.DISEASE, Label.DEPARTMENT),
    RelationSpec("发病部位", "AFFECTS_BODY_PART", Label.DISEASE, Label.BODY_PART),
    RelationSpec("治疗方法", "TREATED_BY", Label.DISEASE, Label.TREATMENT),
    RelationSpec("别名", "HAS_ALIAS", Label.DISEASE, Label.ALIAS),
    RelationSpec("宜吃", "RECOMMENDED_FOOD", Label.DISEASE, Label.FOOD),
    RelationSpec("忌吃", "AVOIDED_FOOD", Label.DISEASE, Label.FOOD),
    RelationSpec("主治", "INDICATED_FOR", Label.DRUG, Label.DISEASE),
    RelationSpec("适应症", "INDICATED_FOR_CONDITION", Label.DRUG, Label.DISEASE),
    RelationSpec("不良反应", "HAS_ADVERSE_REACTION", Label.DRUG, Label.SYMPTOM),
    RelationSpec("药物相互作用", "INTERACTS_WITH", Label.DRUG, Label.DRUG),
    RelationSpec("症状概念", "IS_NAME_OF", Label.SYMPTOM, Label.CONCEPT),
    RelationSpec("上位概念", "BROADER", Label.CONCEPT, Label.CONCEPT),
)

RELATIONS: dict[str, RelationSpec] = {spec.predicate: spec for spec in _RELATION_SPECS}
"""Chinese predicate -> relation spec."""

RELATION_TYPES: dict[str, RelationSpec] = {spec.type: spec for spec in _RELATION_SPECS}
"""Relation type -> relation spec."""

ATTRIBUTES: dict[str, str] = {
    "多发群体": "population",
    "传染性": "infectivity",
    "医保": "insurance",
    "治疗周期": "treatment_period",
    "治愈率": "cure_rate",
    "费用": "cost",
    "简介": "description",
    "病因": "cause",
    "预防": "prevention",
    "发病率": "incidence",
    "用法用量": "usage",
    "贮藏": "storage",
    "性状": "appearance",
    "禁忌": "contraindication",
    "有效期": "shelf_life",
    "注意事项": "precautions",
    "成份": "ingredients",
    "规格": "specification",
    "入药部位": "medicinal_part",
    "功效": "efficacy",
    "性味": "nature_and_flavour",
    "功能主治": "functions_and_indications",
    "治疗": "treatment_notes",
    "口语": "lay",
}
"""Chinese attribute name -> node property (values are strings or lists of strings)."""

TEXT_ATTRIBUTES: dict[str, str] = {
    "临床表现": "clinical_features",
    "检查": "check_notes",
    "适应症": "indications",
    "不良反应": "adverse_reactions",
    "主治": "indications",
    "相关疾病": "related_diseases_text",
    "相关症状": "related_symptoms_text",
    "并发症": "complications_text",
    "药物相互作用": "interactions",
}
"""Relation predicate -> node property, for CMeKG objects that are free text rather than entity names."""

ALIAS_PREDICATE = "别名"

LABEL_NAMES: dict[str, Label] = {
    **{label.value.lower(): label for label in Label},
    "疾病": Label.DISEASE,
    "症状": Label.SYMPTOM,
    "药物": Label.DRUG,
    "药品": Label.DRUG,
    "检查": Label.CHECK,
    "科室": Label.DEPARTMENT,
    "部位": Label.BODY_PART,
    "发病部位": Label.BODY_PART,
    "治疗": Label.TREATMENT,
    "治疗方法": Label.TREATMENT,
    "食物": Label.FOOD,
    "别名": Label.ALIAS,
    "symptomconcept": Label.CONCEPT,
    "症状概念": Label.CONCEPT,
}
"""Accepted spellings of entity kinds in input files (English label, case-insensitive, or Chinese)."""


def parse_label(text: str) -> Label | None:
    """The label an input file's entity kind names, or None if unknown."""
    return LABEL_NAMES.get(text.strip().lower())


def constraint_statements() -> dict[str, str]:
    """Neo4j-5 unique-name constraints by name, one per label (they also index ``name`` for lookups)."""
    return {
        f"{label.value.lower()}_name_unique": f"CREATE CONSTRAINT {label.value.lower()}_name_unique "
        f"IF NOT EXISTS FOR (n:{label.value}) REQUIRE n.name IS UNIQUE"
        for label in Label
    }
