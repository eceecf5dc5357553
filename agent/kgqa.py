"""``wenzhen eval kgqa``: questions made from the graph with templates (什么症状 / 用什么药 / 做什么检查 /
挂什么科 / 有什么并发症; by the disease's name, by one of its aliases; and "which disease" from a symptom
said in everyday words), answered through the agent's graph path (the linker, then the graph retriever's
facts), each answer set scored by precision, recall and F1 against the graph's own set.

>>> intent_of("乙肝挂什么科？"), intent_of("得了乙肝要做哪些检查"), intent_of("拉肚子可能是什么病？")
('IN_DEPARTMENT', 'NEEDS_CHECK', 'DISEASES_WITH_SYMPTOM')
>>> score({"a", "b"}, {"b", "c"})
(0.5, 0.5, 0.5)

A question file of the same shape (JSONL ``{"question", "answers": [...], "relation", "form"}``) runs the
same way.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wenzhen.core.files import read_json_lines
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import KGRetriever

TEMPLATES: dict[str, tuple[str, ...]] = {
    "HAS_SYMPTOM": ("{}有什么症状？", "{}有哪些表现？", "得了{}会有什么症状"),
    "TREATED_WITH_DRUG": ("{}用什么药？", "{}吃什么药好？", "得了{}该用哪些药"),
    "NEEDS_CHECK": ("{}要做什么检查？", "怀疑{}应该查什么？", "{}需要做哪些检查"),
    "IN_DEPARTMENT": ("{}挂什么科？", "{}应该看哪个科？", "得了{}去哪个科室"),
    "HAS_COMPLICATION": ("{}有什么并发症？", "{}会引起哪些并发症？", "{}的并发症有哪些"),
}
LAY_TEMPLATES = ("{}可能是什么病？", "最近老是{}，是得了什么病", "{}是哪些病的症状？")
INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("IN_DEPARTMENT", ("科",)),
    ("HAS_COMPLICATION", ("并发", "引起什么病", "引起哪些病")),
    ("NEEDS_CHECK", ("检查", "查什么", "化验")),
    ("TREATED_WITH_DRUG", ("药",)),
    ("DISEASES_WITH_SYMPTOM", ("什么病", "哪些病", "哪种病")),
    ("HAS_SYMPTOM", ("症状", "表现", "征兆")),
)
ALIAS_OWNERS = (
    "MATCH (d:Disease {name: $name}) RETURN d.name AS name "
    "UNION MATCH (d:Disease)-[:HAS_ALIAS]->(:Alias {name: $name}) RETURN d.name AS name"
)
GOLD = "MATCH (d:Disease {name: $name})-[r]->(x) WHERE type(r) = $type RETURN DISTINCT x.name AS name"
WITH_ALIASES = (
    "MATCH (d:Disease)-[r]->(x) WHERE type(r) = $type "
    "OPTIONAL MATCH (d)-[:HAS_ALIAS]->(a:Alias) "
    "RETURN d.name AS disease, collect(DISTINCT a.name) AS aliases, count(DISTINCT x) AS n ORDER BY disease"
)


@dataclass(frozen=True)
class KgQuestion:
    question: str
    answers: list[str]
    relation: str
    form: str
    """name | alias | lay"""


@dataclass(frozen=True)
class KgAnswer:
    question: str
    relation: str
    form: str
    predicted: list[str]
    precision: float
    recall: float
    f1: float


def intent_of(question: str) -> str | None:
    """The relation a question asks for, by its words (the first matching intent wins)."""
    for relation, words in INTENTS:
        if any(word in question for word in words):
            return relation
    return None


def score(predicted: set[str], gold: set[str]) -> tuple[float, float, float]:
    if not predicted or not gold:
        return (float(predicted == gold),) * 3
    hit = len(predicted & gold)
    precision, recall = hit / len(predicted), hit / len(gold)
    return precision, recall, (2 * precision * recall / (precision + recall) if hit else 0.0)


def diseases_by_concept(kg: KGRetriever) -> dict[str, set[str]]:
    """Symptom concept -> the diseases the graph lists it for."""
    found: dict[str, set[str]] = defaultdict(set)
    for profile in kg.concept_profiles():
        for concept in profile.symptoms:
            found[concept].add(profile.disease)
    return found


def answer(kg: KGRetriever, question: str, by_concept: Mapping[str, set[str]] | None = None) -> set[str]:
    """What the agent's graph path answers: the relation asked, for the disease the question names; or the
    diseases listed with the symptom concept the question names (in any words the linker knows;
    ``by_concept``: :func:`diseases_by_concept`, read once for many questions)."""
    mentions = kg.link(question)
    rest = list(question)
    for mention in mentions:  # a disease name's own words (妇科炎症, 心脏病) say nothing of what is asked
        if mention.label is Label.DISEASE:
            rest[mention.start : mention.end] = "_" * (mention.end - mention.start)
    relation = intent_of("".join(rest))
    if relation == "DISEASES_WITH_SYMPTOM":
        concepts = {m.name for m in mentions if m.label is Label.SYMPTOM and not m.negated}
        listed = by_concept if by_concept is not None else diseases_by_concept(kg)
        return {disease for concept in concepts for disease in listed.get(concept, ())}
    if relation is None:
        return set()
    disease = next((m.name for m in mentions if m.label is Label.DISEASE), None)
    # a name that is a symptom too (月经量多, 脱水) still names the disease asked about
    for mention in mentions:
        disease = disease or kg.resolve_disease(mention.surface) or kg.resolve_disease(mention.name)
    facts = kg.facts(disease, (relation,), limit=1000) if disease else None
    return {triple.tail for triple in facts.triples} if facts else set()


def unambiguous(kg: KGRetriever, disease: str, aliases: Sequence[str]) -> list[str]:
    """The aliases that name ``disease`` alone: not another disease's name nor another disease's alias."""
    return [
        alias
        for alias in sorted(aliases)
        if [r["name"] for r in kg.store.read(ALIAS_OWNERS, {"name": alias})] == [disease]
    ]


def _first_unambiguous(
    kg: KGRetriever, rows: Sequence[dict[str, Any]], wanted: int
) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """The first ``wanted`` rows (in the order given) with an alias that names their disease alone."""
    found = 0
    for row in rows:
        if found == wanted:
            return
        aliases = unambiguous(kg, row["disease"], row["aliases"])
        if aliases:
            found += 1
            yield row, aliases


def generate_questions(
    kg: KGRetriever, per_relation: int, seed: int, lay_words: dict[str, tuple[str, ...]] | None = None
) -> list[KgQuestion]:
    """A seeded sample: ``per_relation`` questions for each relation by name, as many by alias (diseases
    that have one), and ``per_relation`` symptom questions in everyday words (``lay_words``: concept ->
    phrasings)."""
    rng = random.Random(seed)
    questions = []
    for relation, templates in TEMPLATES.items():
        rows = kg.store.read(WITH_ALIASES, {"type": relation})
        for row in rng.sample(rows, min(per_relation, len(rows))):
            gold = sorted(r["name"] for r in kg.store.read(GOLD, {"name": row["disease"], "type": relation}))
            questions.append(KgQuestion(rng.choice(templates).format(row["disease"]), gold, relation, "name"))
        aliased = [row for row in rows if row["aliases"]]
        for row, aliases in _first_unambiguous(kg, rng.sample(aliased, len(aliased)), per_relation):
            gold = sorted(r["name"] for r in kg.store.read(GOLD, {"name": row["disease"], "type": relation}))
            alias = rng.choice(aliases)
            questions.append(KgQuestion(rng.choice(templates).format(alias), gold, relation, "alias"))
    if lay_words:
        by_concept = diseases_by_concept(kg)
        concepts = sorted(c for c in lay_words if c in by_concept)
        for concept in rng.sample(concepts, min(per_relation, len(concepts))):
            phrase = rng.choice(lay_words[concept])
            question = rng.choice(LAY_TEMPLATES).format(phrase)
            questions.append(
                KgQuestion(question, sorted(by_concept[concept]), "DISEASES_WITH_SYMPTOM", "lay")
            )
    return questions


def read_questions(path: Path) -> list[KgQuestion]:
    return read_json_lines(
        path,
        lambda row: KgQuestion(
            str(row["question"]),
            [str(a) for a in row["answers"]],
            str(row.get("relation", "")),
            str(row.get("form", "file")),
        ),
        '{"question", "answers": [...], "relation", "form"}',
    )


def evaluate(kg: KGRetriever, questions: Iterable[KgQuestion]) -> list[KgAnswer]:
    answers = []
    by_concept: dict[str, set[str]] | None = None
    for question in questions:
        if by_concept is None and intent_of(question.question) == "DISEASES_WITH_SYMPTOM":
            by_concept = diseases_by_concept(kg)  # read once, when the first such question comes
        predicted = answer(kg, question.question, by_concept)
        p, r, f = score(predicted, set(question.answers))
        answers.append(
            KgAnswer(question.question, question.relation, question.form, sorted(predicted), p, r, f)
        )
    return answers


def summary(answers: Sequence[KgAnswer]) -> dict[str, Any]:
    """Mean precision, recall and F1 overall, per relation and per form; F1's 95% interval (normal
    approximation over the questions)."""

    def means(rows: Sequence[KgAnswer]) -> dict[str, float]:
        n = max(len(rows), 1)
        f1 = sum(a.f1 for a in rows) / n
        spread = 1.96 * math.sqrt(sum((a.f1 - f1) ** 2 for a in rows) / max(n - 1, 1) / n)
        return {
            "questions": len(rows),
            "precision": sum(a.precision for a in rows) / n,
            "recall": sum(a.recall for a in rows) / n,
            "f1": f1,
            "f1_low": max(0.0, f1 - spread),
            "f1_high": min(1.0, f1 + spread),
        }

    groups: dict[str, list[KgAnswer]] = defaultdict(list)
    for item in answers:
        groups[f"relation:{item.relation}"].append(item)
        groups[f"form:{item.form}"].append(item)
    return {"all": means(answers)} | {name: means(rows) for name, rows in sorted(groups.items())}


def as_rows(answers: Sequence[KgAnswer]) -> list[dict[str, Any]]:
    return [asdict(a) for a in answers]
