"""What an answer says, assembled from what the consultation established (no generation): the differential
with the reported and denied symptoms for and against each candidate, checks, department, warning signs,
what a doctor may consider, and the patient's own medicines; every graph fact is a :class:`Triple`.

>>> from wenzhen.retrieval.kg import Triple
>>> has = lambda d, s: Triple(d, "相关症状", s, "HAS_SYMPTOM", "Symptom", "kg.jsonl", 1)
>>> plan = plan_answer([Ranked("胆囊炎", 0.5), Ranked("胃炎", 0.3)], ["右上腹痛"], ["反酸"],
...                    {"胆囊炎": [has("胆囊炎", "右上腹痛")], "胃炎": [has("胃炎", "反酸")]}, lambda s: {s})
>>> [(c.disease, [s for s, _ in c.supporting], [s for s, _ in c.against]) for c in plan.candidates]
[('胆囊炎', ['右上腹痛'], []), ('胃炎', [], ['反酸'])]
>>> plan.confident
False

A differential, never one disease stated as fact unless the ranking is confident (the leading disease at
``confident_at`` or more). Treatments and drugs appear only for a confident leading disease, and only as
what a doctor may consider. A disease the patient already has and asks about is no candidate: what the
graph records of it is told as such (:func:`condition_facts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from wenzhen.agent.inquiry import Ranked
from wenzhen.retrieval.kg import DrugUses, Triple

CONFIDENT_AT = 0.6
_NOT_A_NAME = re.compile(r"[？?！!。，,；;：:]|^.{25,}$")
PLAN_FACTS = ("HAS_SYMPTOM", "NEEDS_CHECK", "IN_DEPARTMENT", "TREATED_WITH_DRUG", "TREATED_BY")
"""The relation types an answer plan reads."""
CONDITION_FACTS = (
    "HAS_SYMPTOM",
    "IN_DEPARTMENT",
    "NEEDS_CHECK",
    "TREATED_BY",
    "TREATED_WITH_DRUG",
    "HAS_COMPLICATION",
)
"""The relation types told of a disease the patient asked about, in the order told."""


@dataclass(frozen=True)
class CandidateView:
    """One candidate of the differential, with the reported symptoms the graph lists for it (for) and the
    denied ones it lists (against), each with the triple that lists it."""

    disease: str
    probability: float
    supporting: list[tuple[str, Triple]] = field(default_factory=list)
    against: list[tuple[str, Triple]] = field(default_factory=list)


@dataclass(frozen=True)
class WarningSign:
    """A symptom of a leading disease that is a red flag: seeing it means going to a doctor now."""

    symptom: Triple
    red_flag: str
    level: str


@dataclass(frozen=True)
class AnswerPlan:
    candidates: list[CandidateView]
    confident: bool
    checks: list[Triple] = field(default_factory=list)
    departments: list[Triple] = field(default_factory=list)
    warnings: list[WarningSign] = field(default_factory=list)
    treatments: list[Triple] = field(default_factory=list)
    """Drugs and treatments of a confident leading disease: only "a doctor may consider"."""
    medications: tuple[str, ...] = ()
    """What the patient said they take: never to be stopped or changed on this advice."""

    @property
    def diseases(self) -> list[str]:
        return [c.disease for c in self.candidates]


@dataclass(frozen=True)
class ConditionFacts:
    """What the graph records of a disease the patient has and asked about: a few facts of each kind of
    :data:`CONDITION_FACTS` it has, in that order."""

    disease: str
    facts: tuple[tuple[str, tuple[Triple, ...]], ...]


def condition_facts(disease: str, triples: Sequence[Triple], per_kind: int = 3) -> ConditionFacts:
    """The first ``per_kind`` facts of each kind the graph has for ``disease`` (a value that is not a name,
    such as the crawl's "用什么药？", left out).

    >>> from wenzhen.retrieval.kg import Triple
    >>> drug = Triple("高血压", "药物治疗", "氨氯地平", "TREATED_WITH_DRUG", "Drug", "kg.jsonl", 3)
    >>> condition_facts("高血压", [drug]).facts[0][0]
    'TREATED_WITH_DRUG'
    """
    kinds = []
    for kind in CONDITION_FACTS:
        named = [t for t in triples if t.type == kind and not _NOT_A_NAME.search(t.tail)]
        if named:
            kinds.append((kind, tuple(named[:per_kind])))
    return ConditionFacts(disease, tuple(kinds))


@dataclass(frozen=True)
class DrugFacts:
    """What the graph records of a drug the patient asked about: the first few diseases whose drug treatment
    lists it (``listed_by``), how many do in all, and for each disease the message asks about, the triple
    listing the drug under it, or None where it is not listed."""

    drug: str
    listed_by: tuple[Triple, ...]
    diseases: int
    for_asked: tuple[tuple[str, Triple | None], ...] = ()


def drug_facts(uses: DrugUses, asked: Sequence[str], shown: int = 3) -> DrugFacts:
    """The drug's :class:`DrugFacts`; ``asked``: the diseases the message asks about.

    >>> from wenzhen.retrieval.kg import DrugUses, Triple
    >>> lists = lambda d: Triple(d, "药物治疗", "肛泰", "TREATED_WITH_DRUG", "Drug", "kg.jsonl", 1)
    >>> facts = drug_facts(DrugUses("肛泰", [lists("痔疮"), lists("肛裂")]), ["痔疮", "便秘"])
    >>> facts.diseases, [(d, t is not None) for d, t in facts.for_asked]
    (2, [('痔疮', True), ('便秘', False)])
    """
    by_disease = {t.head: t for t in uses.listed_by}
    return DrugFacts(
        uses.drug,
        tuple(uses.listed_by[:shown]),
        len(by_disease),
        tuple((disease, by_disease.get(disease)) for disease in asked),
    )


def plan_triples(plan: AnswerPlan) -> list[Triple]:
    """Every graph fact the plan rests on, in the order the answer shows them."""
    found = [t for view in plan.candidates for _, t in (*view.supporting, *view.against)]
    found += [*plan.checks, *plan.departments, *(w.symptom for w in plan.warnings), *plan.treatments]
    return list(dict.fromkeys(found))


def listing_triple(
    symptom: str, triples: Sequence[Triple], concepts_of: Callable[[str], set[str]]
) -> Triple | None:
    """The HAS_SYMPTOM triple that lists ``symptom`` for its disease, by name or concept (肚子疼 listed
    meets 腹痛 said), or None."""
    wanted = concepts_of(symptom) | {symptom}
    for triple in triples:
        if triple.type == "HAS_SYMPTOM" and (triple.tail in wanted or concepts_of(triple.tail) & wanted):
            return triple
    return None


def plan_answer(
    ranking: Sequence[Ranked],
    present: Sequence[str],
    absent: Sequence[str],
    facts: Mapping[str, Sequence[Triple]],
    concepts_of: Callable[[str], set[str]],
    warning_of: Callable[[str], tuple[str, str] | None] = lambda symptom: None,
    medications: Sequence[str] = (),
    candidates: int = 3,
    per_kind: int = 2,
    confident_at: float = CONFIDENT_AT,
) -> AnswerPlan:
    """The plan for the leading ``candidates`` of ``ranking``; ``facts[disease]`` are its triples of
    :data:`PLAN_FACTS`; ``warning_of(symptom)`` names the red flag (name, level) a symptom is, if any."""
    leading = list(ranking[:candidates])
    views = []
    for ranked in leading:
        triples = facts.get(ranked.disease, ())
        supporting = [(s, t) for s in present if (t := listing_triple(s, triples, concepts_of))]
        against = [(s, t) for s in absent if (t := listing_triple(s, triples, concepts_of))]
        views.append(CandidateView(ranked.disease, ranked.probability, supporting, against))
    confident = bool(leading) and leading[0].probability >= confident_at
    focus = [r.disease for r in leading[: 1 if confident else 2]]

    def of_type(kind: str) -> list[Triple]:
        """Up to ``per_kind`` of each focus disease's, at most ``2 * per_kind`` in all (the leaders' first);
        a value that is not a name (the crawl has "用什么药？" as a drug) is left out."""
        found: dict[str, Triple] = {}
        for disease in focus:
            named = [t for t in facts.get(disease, ()) if t.type == kind and not _NOT_A_NAME.search(t.tail)]
            for triple in named[:per_kind]:
                found.setdefault(triple.tail, triple)
        return list(found.values())[: per_kind * 2]

    reported = set(present) | set(absent)
    warnings: dict[str, WarningSign] = {}
    for disease in focus:
        for triple in facts.get(disease, ()):
            if triple.type != "HAS_SYMPTOM" or triple.tail in reported or triple.tail in warnings:
                continue
            if (flag := warning_of(triple.tail)) is not None:
                warnings[triple.tail] = WarningSign(triple, *flag)
    treatments = [*of_type("TREATED_WITH_DRUG"), *of_type("TREATED_BY")][:per_kind] if confident else []
    return AnswerPlan(
        views,
        confident,
        of_type("NEEDS_CHECK"),
        of_type("IN_DEPARTMENT"),
        list(warnings.values())[:per_kind],
        treatments,
        tuple(medications),
    )
