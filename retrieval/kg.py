"""The knowledge-graph retriever: entity linking against the graph's names, templated read-only Cypher for
a disease's facts, and candidate diseases for present/absent symptoms, every result with its triples.

>>> kg = KGRetriever(store)                                          # doctest: +SKIP
>>> [m.name for m in kg.link("最近乏力，肝区疼痛，没有发烧")]          # doctest: +SKIP
['乏力', '肝区疼痛', '发烧']
>>> kg.candidates(present=["乏力", "肝区疼痛"], absent=["发烧"])[0].disease    # doctest: +SKIP

Reads go through kg_loader's store in read transactions; the Cypher is fixed templates with parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wenzhen.kg_loader.schema import RELATION_TYPES, Label
from wenzhen.retrieval.negation import negated_before

if TYPE_CHECKING:  # the caller connects; linking and profiles need no driver
    from wenzhen.kg_loader.store import GraphStore

LINKED_LABELS = (Label.DISEASE, Label.SYMPTOM, Label.DRUG, Label.CHECK, Label.DEPARTMENT, Label.BODY_PART)
MIN_NAME_CHARS = 2

FACTS = (
    "MATCH (d:Disease {name: $name})-[r]->(x) WHERE type(r) IN $types "
    "RETURN type(r) AS type, r.predicate AS predicate, x.name AS tail, labels(x)[0] AS tail_label, "
    "r.source AS source, r.line AS line ORDER BY type, tail LIMIT $limit"
)
ATTRIBUTES = "MATCH (d:Disease {name: $name}) RETURN properties(d) AS props"
ALIAS_OF = "MATCH (d:Disease)-[:HAS_ALIAS]->(:Alias {name: $name}) RETURN d.name AS name ORDER BY name"
CANDIDATES = (
    "MATCH (d:Disease)-[r:HAS_SYMPTOM]->(s:Symptom) WHERE s.name IN $present "
    "WITH d, collect({symptom: s.name, source: r.source, line: r.line}) AS matched "
    "OPTIONAL MATCH (d)-[:HAS_SYMPTOM]->(a:Symptom) WHERE a.name IN $absent "
    "WITH d, matched, collect(DISTINCT a.name) AS contradicted "
    "RETURN d.name AS disease, matched, contradicted, COUNT { (d)-[:HAS_SYMPTOM]->() } AS total"
)
PROFILES = (
    "MATCH (d:Disease)-[:HAS_SYMPTOM]->(s:Symptom) WITH d, collect(DISTINCT s.name) AS symptoms "
    "OPTIONAL MATCH (d)-[:AFFECTS_BODY_PART]->(b:BodyPart) "
    "RETURN d.name AS disease, symptoms, collect(DISTINCT b.name) AS body_parts, d.population AS population "
    "ORDER BY disease"
)


@dataclass(frozen=True)
class DiseaseProfile:
    """What the inquiry reasons over for one disease: its symptoms, body parts and affected population."""

    disease: str
    symptoms: tuple[str, ...]
    body_parts: tuple[str, ...] = ()
    population: str | None = None


@dataclass(frozen=True)
class Triple:
    """One graph fact with its provenance."""

    head: str
    predicate: str
    tail: str
    type: str
    tail_label: str
    source: str | None = None
    line: int | None = None

    def text(self) -> str:
        return f"{self.head} {self.predicate} {self.tail}"


@dataclass(frozen=True)
class Mention:
    """A KG entity named in text: its label, the graph name (aliases resolved), span, negation."""

    name: str
    label: Label
    start: int
    end: int
    surface: str
    negated: bool = False


@dataclass(frozen=True)
class DiseaseFacts:
    disease: str
    attributes: dict[str, object]
    triples: list[Triple]


@dataclass(frozen=True)
class Candidate:
    """A disease ranked for a set of present and absent symptoms, with the triples that matched."""

    disease: str
    score: float
    matched: list[Triple]
    contradicted: list[str]
    total_symptoms: int


@dataclass
class EntityDictionary:
    """Surface form -> (label, graph name) for every name and alias in the graph."""

    entries: dict[str, tuple[Label, str]] = field(default_factory=dict)
    max_chars: int = 0

    @classmethod
    def from_store(cls, store: GraphStore) -> EntityDictionary:
        dictionary = cls()
        for label in LINKED_LABELS:
            for row in store.read(f"MATCH (n:{label.value}) RETURN n.name AS name"):
                dictionary.add(row["name"], label, row["name"])
        for row in store.read(
            "MATCH (d:Disease)-[:HAS_ALIAS]->(a:Alias) RETURN a.name AS alias, d.name AS name"
        ):
            dictionary.add(row["alias"], Label.DISEASE, row["name"], overwrite=False)
        return dictionary

    def add(self, surface: str, label: Label, name: str, overwrite: bool = True) -> None:
        if len(surface) < MIN_NAME_CHARS or (not overwrite and surface in self.entries):
            return
        # A name that is both a disease and a symptom links as the symptom: patients report symptoms.
        if (
            surface in self.entries
            and self.entries[surface][0] is Label.SYMPTOM
            and label is not Label.SYMPTOM
        ):
            return
        self.entries[surface] = (label, name)
        self.max_chars = max(self.max_chars, len(surface))

    def link(self, text: str) -> list[Mention]:
        """Longest-match scan, left to right; a mention preceded closely by 没有/无/不/否认… is negated."""
        mentions, position = [], 0
        while position < len(text):
            for length in range(min(self.max_chars, len(text) - position), MIN_NAME_CHARS - 1, -1):
                surface = text[position : position + length]
                entry = self.entries.get(surface)
                if entry is not None:
                    negated = negated_before(text, position)
                    mentions.append(
                        Mention(entry[1], entry[0], position, position + length, surface, negated)
                    )
                    position += length
                    break
            else:
                position += 1
        return mentions


class KGRetriever:
    def __init__(self, store: GraphStore, dictionary: EntityDictionary | None = None) -> None:
        self.store = store
        self._dictionary = dictionary

    @property
    def dictionary(self) -> EntityDictionary:
        if self._dictionary is None:
            self._dictionary = EntityDictionary.from_store(self.store)
        return self._dictionary

    def link(self, text: str) -> list[Mention]:
        return self.dictionary.link(text)

    def resolve_disease(self, name: str) -> str | None:
        """The graph's disease for a name or alias."""
        if self.store.read("MATCH (d:Disease {name: $name}) RETURN d.name AS name", {"name": name}):
            return name
        rows = self.store.read(ALIAS_OF, {"name": name})
        return rows[0]["name"] if rows else None

    def facts(
        self, disease: str, types: tuple[str, ...] | None = None, limit: int = 200
    ) -> DiseaseFacts | None:
        """A disease's attributes and its relations of ``types`` (default: all), as triples."""
        name = self.resolve_disease(disease)
        if name is None:
            return None
        wanted = list(types or RELATION_TYPES)
        rows = self.store.read(FACTS, {"name": name, "types": wanted, "limit": limit})
        triples = [
            Triple(name, r["predicate"], r["tail"], r["type"], r["tail_label"], r["source"], r["line"])
            for r in rows
        ]
        props = self.store.read(ATTRIBUTES, {"name": name})[0]["props"]
        attributes = {k: v for k, v in props.items() if k not in ("name", "source", "line")}
        return DiseaseFacts(name, attributes, triples)

    def disease_profiles(self) -> list[DiseaseProfile]:
        """Every disease that has at least one symptom, with its symptoms, body parts and population."""
        return [
            DiseaseProfile(
                r["disease"], tuple(sorted(r["symptoms"])), tuple(sorted(r["body_parts"])), r["population"]
            )
            for r in self.store.read(PROFILES)
        ]

    def candidates(
        self, present: list[str], absent: list[str] | None = None, limit: int = 10
    ) -> list[Candidate]:
        """Diseases ranked by matched present symptoms, minus absent ones they have, specific ones first."""
        if not present:
            return []
        rows = self.store.read(CANDIDATES, {"present": present, "absent": absent or []})
        ranked = []
        for row in rows:
            matched = [
                Triple(
                    row["disease"],
                    "相关症状",
                    m["symptom"],
                    "HAS_SYMPTOM",
                    Label.SYMPTOM.value,
                    m["source"],
                    m["line"],
                )
                for m in row["matched"]
            ]
            total = int(row["total"]) or 1
            score = len(matched) - len(row["contradicted"]) + len(matched) / (total + 1)
            ranked.append(Candidate(row["disease"], score, matched, row["contradicted"], total))
        ranked.sort(key=lambda c: (-c.score, c.disease))
        return ranked[:limit]
