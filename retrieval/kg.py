"""The knowledge-graph retriever: entity linking against the graph's names, templated read-only Cypher for
a disease's facts, and candidate diseases for present/absent symptoms, every result with its triples.

>>> kg = KGRetriever(store)                                          # doctest: +SKIP
>>> [m.name for m in kg.link("最近乏力，肝区疼痛，没有发烧")]          # doctest: +SKIP
['乏力', '肝区疼痛', '发烧']
>>> kg.candidates(present=["乏力", "肝区疼痛"], absent=["发烧"])[0].disease    # doctest: +SKIP

Reads go through kg_loader's store in read transactions; the Cypher is fixed templates with parameters.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from wenzhen.kg_loader.schema import RELATION_TYPES, Label
from wenzhen.retrieval.negation import doubtful, hedge_before, negated_after, negated_before, negation_in
from wenzhen.retrieval.patterns import (
    CLAUSE_BREAKS,
    CLAUSE_ENDS,
    SENSATION,
    SENTENCE_ENDS,
    begins_inside_word,
    compile_term,
    cuts_words,
    ends_inside_word,
    felt,
    fold_keeping_length,
    is_pattern,
)

if TYPE_CHECKING:  # the caller connects; linking and profiles need no driver
    from wenzhen.kg_loader.store import GraphStore

LINKED_LABELS = (Label.DISEASE, Label.SYMPTOM, Label.DRUG, Label.CHECK, Label.DEPARTMENT, Label.BODY_PART)
MIN_NAME_CHARS = 2
_DIAGNOSED = re.compile(
    r"(?:患有?|患了|得了|得过|得的是|查出来?(?:有|是)?|检查出来?(?:有|是)?|测出(?:的是|是)?|诊断(?:为|是|出)|"
    r"确诊(?:为|是)?|说是|有|伴发|合并|(?:会|容易|怎么|为什么|为何)得)$"
)
"""Words before a name that say it was diagnosed, not felt, or ask how one gets it: 有高血压, 患了高血压,
查出来是高血压, 合并高血压, 为什么会得重症肌无力."""
_DIAGNOSED_AFTER = re.compile(
    r"患者|病人|病史|病友|(?:可以|能|能不能|可不可以|适合|需要|要|该)?(?:吃|用|服用|治疗)|怎么治|如何治"
)
"""Words right after a name that say it was diagnosed: 高血压患者, or its treatment asked about (高血压可以吃,
高血压用降压仪管用吗, 高血压吃药一年多)."""
_DIAGNOSED_REACH = 6
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}\n]")
_ASKED = re.compile(r"[？?吗]|什么|哪些|怎么|怎样|如何|能否|是否|能不能|可不可以|会不会|多少")
_ASKED_OF_A_COMPLAINT = re.compile(r"怎么回事|咋回事|原因|怎么办|咋办|什么病|怎么了|要紧|严重吗|正常吗")
"""What a question asks of a complaint (脱发是什么原因, 最近高血压怎么办), not of a disease
(高血压能治好吗)."""
DESCRIPTIVE_LABELS = frozenset({Label.BODY_PART, Label.CHECK})

FACTS = (
    "MATCH (d:Disease {name: $name})-[r]->(x) WHERE type(r) IN $types "
    "RETURN type(r) AS type, r.predicate AS predicate, x.name AS tail, labels(x)[0] AS tail_label, "
    "r.source AS source, r.line AS line ORDER BY type, tail LIMIT $limit"
)
DRUG_USES = (
    "MATCH (d:Disease)-[r:TREATED_WITH_DRUG]->(:Drug {name: $name}) "
    "RETURN d.name AS disease, r.predicate AS predicate, r.source AS source, r.line AS line "
    "ORDER BY line, disease"
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
CONCEPTS = (
    "MATCH (c:SymptomConcept) OPTIONAL MATCH (s:Symptom)-[:IS_NAME_OF]->(c) "
    "WITH c, collect(DISTINCT s.name) AS names "
    "OPTIONAL MATCH (c)-[:BROADER]->(b:SymptomConcept) "
    "RETURN c.name AS concept, c.lay AS lay, names, collect(DISTINCT b.name) AS broader ORDER BY concept"
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
class SymptomConcept:
    """One symptom however it is named: the graph's names for it, everyday phrasings, broader concepts."""

    name: str
    names: tuple[str, ...] = ()
    lay: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


@dataclass
class SymptomConcepts:
    """The graph's symptom concepts: a symptom name's concept, a concept's broader ones, its phrasings.

    >>> concepts = SymptomConcepts([SymptomConcept("腹痛", ("肚子疼",), ("肚子痛",)),
    ...                             SymptomConcept("上腹痛", ("胃痛",), ("胃疼",), ("腹痛",))])
    >>> concepts.concept_of("肚子疼"), concepts.concept_of("乏力"), concepts.with_broader("上腹痛")
    ('腹痛', '乏力', ('上腹痛', '腹痛'))
    >>> concepts.with_narrower("腹痛")
    ('腹痛', '上腹痛')
    >>> concepts.profiles([DiseaseProfile("胃炎", ("胃痛", "恶心"))])[0].symptoms
    ('上腹痛', '恶心', '腹痛')

    A name without a concept is its own concept, so a graph without concepts works as before.
    """

    concepts: list[SymptomConcept] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_name = {c.name: c for c in self.concepts}
        self.of_name = {name: c.name for c in self.concepts for name in (c.name, *c.names)}

    @classmethod
    def from_store(cls, store: GraphStore) -> SymptomConcepts:
        return cls(
            [
                SymptomConcept(r["concept"], tuple(r["names"]), tuple(r["lay"] or ()), tuple(r["broader"]))
                for r in store.read(CONCEPTS)
            ]
        )

    def concept_of(self, name: str) -> str:
        return self.of_name.get(name, name)

    def everyday(self, concept: str) -> str | None:
        """The everyday words a question glosses ``concept`` with: its first literal phrasing (腹泻: 拉肚子),
        or None when its own name is one of its phrasings (咳嗽: everyday already) or it has none.

        >>> SymptomConcepts([SymptomConcept("腹泻", lay=("拉肚子", "{拉|跑}*肚子"))]).everyday("腹泻")
        '拉肚子'
        """
        known = self.by_name.get(concept)
        literal = [text for text in known.lay if not is_pattern(text)] if known else []
        return literal[0] if literal and concept not in literal else None

    def with_broader(self, concept: str) -> tuple[str, ...]:
        """The concept and every concept broader than it (高热 → 发热), nearest first."""
        found: list[str] = []
        todo = [concept]
        while todo:
            current = todo.pop(0)
            if current in found:
                continue
            found.append(current)
            known = self.by_name.get(current)
            todo.extend(known.broader if known else ())
        return tuple(found)

    def related(self, concept: str, other: str) -> bool:
        """Whether one of the two is broader than the other (高热 and 发热, either way round).

        >>> concepts = SymptomConcepts([SymptomConcept("高热", broader=("发热",)), SymptomConcept("发热")])
        >>> [concepts.related(*pair) for pair in (("发热", "高热"), ("高热", "高热"), ("发热", "咳嗽"))]
        [True, True, False]
        """
        return other in self.with_broader(concept) or concept in self.with_broader(other)

    def with_narrower(self, concept: str) -> tuple[str, ...]:
        """The concept and every concept narrower than it (发热 → 高热, 低热)."""
        return (concept, *self._narrower.get(concept, ()))

    @cached_property
    def _narrower(self) -> dict[str, list[str]]:
        narrower: dict[str, list[str]] = {}
        for concept in self.concepts:
            for broader in self.with_broader(concept.name)[1:]:
                narrower.setdefault(broader, []).append(concept.name)
        return narrower

    def profiles(self, profiles: list[DiseaseProfile]) -> list[DiseaseProfile]:
        """``profiles`` with their symptoms as concepts, each with its broader concepts (a disease listed
        with 高热 also has 发热), sorted."""
        return [
            replace(
                p,
                symptoms=tuple(
                    sorted({c for s in p.symptoms for c in self.with_broader(self.concept_of(s))})
                ),
            )
            for p in profiles
        ]


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
    """A KG entity named in text: its label, the graph name (aliases resolved), span, negation, and the hedge
    before it, if any: doubt (好像, 可能 …) or mildness (有点, 稍微 …)."""

    name: str
    label: Label
    start: int
    end: int
    surface: str
    negated: bool = False
    hedge: str | None = None

    @property
    def doubtful(self) -> bool:
        """The patient is not sure of it (好像发烧)."""
        return doubtful(self.hedge)

    @property
    def describes(self) -> bool:
        """A body part or a check: words that describe a complaint (肛门痛, 体温升高了) rather than name
        one, so a symptom may still be read over them."""
        return self.label in DESCRIPTIVE_LABELS

    def claims(self, start: int, end: int) -> bool:
        """Whether this mention keeps ``[start, end)`` from being read as another symptom: it overlaps the
        span and names something (a body part or check only describes)."""
        return self.start < end and start < self.end and not self.describes


def said_over_denied(mentions: Sequence[Mention]) -> list[Mention]:
    """``mentions`` without the denials of what the same text also says: a complaint had at one time and not
    another (白天不咳晚上咳, 昨天吐了好几次今天不吐了) is a complaint of the illness, not evidence against it.

    >>> cough = Mention("咳嗽", Label.SYMPTOM, 2, 3, "咳", negated=True)
    >>> [m.negated for m in said_over_denied([cough, replace(cough, start=6, end=7, negated=False)])]
    [False]
    """
    said = {(m.label, m.name) for m in mentions if not m.negated}
    return [m for m in mentions if not (m.negated and (m.label, m.name) in said)]


@dataclass(frozen=True)
class DiseaseFacts:
    disease: str
    attributes: dict[str, object]
    triples: list[Triple]


@dataclass(frozen=True)
class DrugUses:
    """The diseases whose drug treatment (药物治疗) the graph lists a drug under, each as its triple, in the
    graph's order."""

    drug: str
    listed_by: list[Triple]


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
    """Surface form -> (label, graph name) for every name and alias in the graph, patterns (everyday
    phrasings with ``*`` gaps and ``{a|b}`` choices) -> symptom concept, and one-character everyday words
    (咳, 晕, 痒) -> symptom concept, read only where one is a clause's verb and nothing else reads it."""

    entries: dict[str, tuple[Label, str]] = field(default_factory=dict)
    diseases: dict[str, str] = field(default_factory=dict)
    """Surface -> disease, for the names and aliases of diseases that link as something else: a check (the
    crawl's 癫痫) or, in a graph with symptom concepts, a symptom no concept gathers (高血压, 脱发). A symptom
    concept (头痛, 贫血) is always the patient's complaint."""
    max_chars: int = 0
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    _names_of: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_store(cls, store: GraphStore, concepts: SymptomConcepts | None = None) -> EntityDictionary:
        """Every name and alias of the graph; a symptom name, and every everyday phrasing of a symptom
        concept, links to the concept (``concepts``: read from ``store`` when not given)."""
        concepts = concepts if concepts is not None else SymptomConcepts.from_store(store)
        dictionary = cls()
        disease_of: dict[str, str] = {}
        for label in LINKED_LABELS:
            for row in store.read(f"MATCH (n:{label.value}) RETURN n.name AS name"):
                name = concepts.concept_of(row["name"]) if label is Label.SYMPTOM else row["name"]
                dictionary.add(row["name"], label, name)
                if label is Label.DISEASE:
                    disease_of[name] = name
        for concept in concepts.concepts:
            for phrase in concept.lay:
                if is_pattern(phrase):
                    dictionary.patterns.append((compile_term(phrase), concept.name))
                elif len(phrase) < MIN_NAME_CHARS:
                    dictionary.words[phrase] = concept.name
                elif dictionary.entries.get(phrase, (None, ""))[0] is not Label.SYMPTOM:
                    dictionary.add(phrase, Label.SYMPTOM, concept.name)  # over a disease of that name
        for row in store.read(
            "MATCH (d:Disease)-[:HAS_ALIAS]->(a:Alias) RETURN a.name AS alias, d.name AS name"
        ):
            dictionary.add(row["alias"], Label.DISEASE, row["name"], overwrite=False)
            disease_of.setdefault(row["alias"], row["name"])
        for surface, disease in disease_of.items():
            label, name = dictionary.entries.get(surface, (Label.DISEASE, ""))
            gathered = name in concepts.by_name or not concepts.concepts
            if label is Label.CHECK or (label is Label.SYMPTOM and not gathered):
                dictionary.diseases[surface] = disease
        return dictionary

    def disease_named(self, mention: Mention, text: str) -> str | None:
        """The disease ``mention`` (in ``text``) names: a disease's own name; a check's named like a
        disease; a symptom's named like one (:attr:`diseases`) where the words say it was diagnosed
        (有高血压, 患高血压, 查出高血压, 高血压患者) or its sentence asks about it as a disease
        (高血压能治好吗), since 脱发 or 呃逆 may as well be the complaint.

        >>> dictionary = EntityDictionary(diseases={"高血压": "高血压"})
        >>> felt, diagnosed = (Mention("高血压", Label.SYMPTOM, at, at + 3, "高血压") for at in (2, 3))
        >>> dictionary.disease_named(felt, "妈妈高血压"), dictionary.disease_named(diagnosed, "妈妈有高血压")
        (None, '高血压')
        """
        if mention.label is Label.DISEASE:
            return mention.name
        disease = self.diseases.get(mention.surface)
        if disease is None or mention.label is not Label.SYMPTOM:
            return disease
        before = text[max(0, mention.start - _DIAGNOSED_REACH) : mention.start]
        diagnosed = _DIAGNOSED.search(before) or _DIAGNOSED_AFTER.match(text, mention.end)
        return disease if diagnosed or _asked_as_a_disease(text, mention.end) else None

    def add(self, surface: str, label: Label, name: str, overwrite: bool = True) -> None:
        if len(surface) < MIN_NAME_CHARS or (not overwrite and surface in self.entries):
            return
        # A name that is both a disease and a symptom links as the symptom: patients report symptoms; one
        # that is both a disease and a check (the crawl's 癫痫) as the disease, which a check only measures.
        held = self.entries.get(surface, (None, ""))[0]
        if (held is Label.SYMPTOM and label is not Label.SYMPTOM) or (
            held is Label.DISEASE and label is Label.CHECK
        ):
            return
        self.entries[surface] = (label, name)
        self.max_chars = max(self.max_chars, len(surface))
        self._names_of = None

    def names_of(self, concept: str) -> tuple[str, ...]:
        """Every name that links to the symptom ``concept`` (its graph names, aliases and phrasings)."""
        if self._names_of is None:
            self._names_of = {}
            for surface, (label, name) in self.entries.items():
                if label is Label.SYMPTOM:
                    self._names_of.setdefault(name, []).append(surface)
        return tuple(self._names_of.get(concept, ()))

    def link(self, text: str) -> list[Mention]:
        """Longest-match scan, left to right, then the patterns, longest match first, over what is left
        (words that only describe a complaint, body parts and checks, are read over; a symptom word a
        phrasing ends with is replaced by it when it qualifies it: 半边身子没劲 is 偏瘫; 得慌 is no 慌); a
        mention preceded closely by 没有/无/不/否认… (not one in another mention: 鼻子不通气嗓子疼), followed
        by a denial that ends its clause (咳嗽倒是没有), or with one in a phrasing's gap (肚子不疼) is
        negated; a hedge before it (好像, 有点) is kept. Last, a one-character word where it is the clause's
        verb and nothing else was read (咳了三天, 有点晕, 也不吐; not 痒痒, 晕车)."""
        mentions = self._exact(text)
        plain = fold_keeping_length(text)
        folded = _DEGREE_COMPLEMENT.sub("··", plain)  # the patterns' text; one-character words read ``plain``
        found = [
            (f, concept)
            for pattern, concept in self.patterns
            for f in pattern.finditer(folded)
            if not cuts_words(folded, f)  # 手指头疼: no 头…疼; 大便查出血糖高: no 大便…血
        ]
        found.sort(key=lambda item: (item[0].start() - item[0].end(), -_own(item[0])))  # longest, most words
        for match, concept in found:
            start, end = match.span()
            places = _places_in_gap(match)
            if any(o.end() == end and o.start() in places for o, _ in found):
                continue  # 肚子饿了头就疼: 头…疼, the place the pain is said of, not 肚子…疼
            qualified = [m for m in mentions if _qualified_by(m, match, places)]
            if any(m.claims(start, end) for m in mentions if m not in qualified):
                continue
            mentions = [m for m in mentions if m not in qualified]  # 半边身子没劲: 偏瘫, not 乏力
            hedge = hedge_before(text, start)
            negated = any(negation_in(gap) for gap in match.groups()) or negated_after(text, end)  # 肚子不疼
            mentions.append(Mention(concept, Label.SYMPTOM, start, end, match.group(), negated, hedge))
        mentions += self._words(text, plain, mentions)
        mentions += _carried_over(text, mentions, self.link)
        return _denied_before(text, sorted(mentions, key=lambda m: m.start))

    def _words(self, text: str, folded: str, mentions: list[Mention]) -> list[Mention]:
        """The one-character :attr:`words` in ``text`` that are a clause's verb and in no other mention;
        ``folded`` is ``text`` as :func:`fold_keeping_length` folds it, 得慌 kept (痒得慌 is 瘙痒)."""
        return [
            _said(text, position, position + 1, Label.SYMPTOM, self.words[char])
            for position, char in enumerate(folded)
            if char in self.words
            and _stands_alone(folded, position)
            and not any(m.claims(position, position + 1) for m in mentions)
        ]

    def _exact(self, text: str) -> list[Mention]:
        mentions, position = [], 0
        while position < len(text):
            if begins_inside_word(text, position):
                position += 1  # 下面痛: below it hurts, not 面痛
                continue
            for length in range(min(self.max_chars, len(text) - position), MIN_NAME_CHARS - 1, -1):
                surface = text[position : position + length]
                entry = self.entries.get(surface)
                if entry is not None and not ends_inside_word(text, position + length):  # 查出血压高: no 出血
                    mentions.append(_said(text, position, position + length, entry[0], entry[1]))
                    position += length
                    break
            else:
                position += 1
        return mentions


_DEGREE_COMPLEMENT = re.compile("得慌")
"""闷得慌, 烧得慌: how much, not 慌 (panic, 心慌); no pattern reads it (positions kept)."""


_WORD_FOLLOWERS = re.compile(f"[了得着呢啊呀吧{CLAUSE_ENDS}\\s]|$")
"""What may follow a one-character word for it to be the clause's verb: 咳了三天, 晕得厉害, 有点喘。
(not 晕车, 吐痰, 喘气)."""


def _said(text: str, start: int, end: int, label: Label, name: str) -> Mention:
    """The mention of ``name`` at ``text[start:end]``, denied by a denial that ends its clause after it and
    with the hedge before it."""
    surface, hedge = text[start:end], hedge_before(text, start)
    return Mention(name, label, start, end, surface, negated_after(text, end), hedge)


_CLAUSE = re.compile(f"[^{CLAUSE_BREAKS}]+")
_HOW_IT_HURTS = re.compile("[隐胀刺绞钝剧灼闷酸][痛疼]")
"""A pain named by how it hurts, not where (隐痛, 胀痛, 刺痛): the place a phrasing names before it is
its place."""
_PLACE_AFTER = re.compile("[是在]")
"""Where the place follows what is felt (疼的是胃, 痛在右边)."""


def _carried_over(
    text: str, mentions: Sequence[Mention], link: Callable[[str], list[Mention]]
) -> list[Mention]:
    """What is felt in a clause that names nothing before it, said of the place the clause before it felt
    something of (刚开始肚子不疼，现在疼得厉害: 腹痛; 胃不疼，饿了就疼: 上腹痛; 总是胃胀，半夜里疼得睡不着: 胃
    felt 疼, as ``link`` reads 胃疼, 上腹痛); not where the clause names a place of its own (肚子不疼，屁股疼;
    头不疼，疼的是胃)."""
    carried: list[Mention] = []
    clauses = list(_CLAUSE.finditer(text))
    for before, clause in itertools.pairwise(clauses):
        said = SENSATION.search(text, clause.start(), clause.end())
        if (
            said is None
            or any(clause.start() <= m.start < said.end() for m in mentions)  # named before what is felt
            or _PLACE_AFTER.search(text, said.end(), clause.end())
        ):
            continue
        sensation = felt(said.group())
        before_felt = [
            m
            for m in mentions
            if m.label is Label.SYMPTOM and before.start() <= m.start < before.end() and felt(m.surface)
        ]
        names = [m.name for m in before_felt if sensation & felt(m.surface)]
        if not names and before_felt:  # 胃胀, then 疼: what 胃疼 links to
            felt_there = SENSATION.sub(said.group(), before_felt[-1].surface)
            names = [m.name for m in link(felt_there) if m.label is Label.SYMPTOM]
        if names:
            carried.append(_said(text, said.start(), said.end(), Label.SYMPTOM, names[-1]))
    return carried


def _stands_alone(text: str, position: int) -> bool:
    """Whether the one-character word at ``position`` is the clause's verb: followed by its end, 了, 得, 着 or
    a particle, and not the second of a pair (嗓子痒痒: 喉咙痒 alone)."""
    paired = text[position - 1 : position] == text[position]
    return not paired and _WORD_FOLLOWERS.match(text, position + 1) is not None


def _own(match: re.Match[str]) -> int:
    """How many characters of a phrasing's match are its words, not its gaps': of two matches of one span
    the one with more words is the more specific (牙龈疼: 牙龈*疼, not 牙*疼)."""
    return match.end() - match.start() - sum(len(gap) for gap in match.groups())


def _denied_before(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions``, each also negated when a cue closely before it denies it (没有发热, 不咳嗽也不发烧),
    not counting a cue inside another mention's words (鼻子不通气嗓子疼: the 不 is 鼻塞's)."""
    said = list(text)
    for mention in mentions:
        said[mention.start : mention.end] = "·" * (mention.end - mention.start)
    unsaid = "".join(said)
    return [replace(m, negated=m.negated or negated_before(unsaid, m.start)) for m in mentions]


def _asked_as_a_disease(text: str, end: int) -> bool:
    """Whether the sentence a name ends at ``end`` of asks about it as a disease: 高血压能彻底治好吗,
    男子高血压能过性生活吗, 高血压药有哪些副作用; not 脱发是什么原因, 最近高血压，怎么办.

    >>> said = ("高血压能治好吗？", "高血压。能治好吗", "高血压，怎么办？")
    >>> [_asked_as_a_disease(text, 3) for text in said]
    [True, False, False]
    """
    found = _SENTENCE_END.search(text, end)
    rest = text[end : found.end() if found else len(text)]
    return _ASKED.search(rest) is not None and _ASKED_OF_A_COMPLAINT.search(rest) is None


def _places_in_gap(match: re.Match[str]) -> range:
    """Where, in the phrasing ``match``'s last gap, a symptom read up to where it ends in what is felt (疼,
    痒 …) names a place of its own (肩上扛东西后|腰疼), not one that runs on from the phrasing's place word
    (嗓子|眼疼, 肩膀|头疼): what is felt is said of that place, not the phrasing's. Empty when it ends in
    what is not felt (脖子上|长疙瘩: 长 is no place)."""
    if not match.re.groups or SENSATION.search(match.string, match.end(match.re.groups), match.end()) is None:
        return range(0)
    gap_start, gap_end = match.span(match.re.groups)
    return range(gap_start + 1, gap_end)


def _qualified_by(mention: Mention, match: re.Match[str], places: range) -> bool:
    """Whether the phrasing ``match`` qualifies the symptom ``mention`` it ends with (半边身子没劲: 偏瘫,
    not 乏力; 嗓子眼疼: 咽痛, not 眼痛), and so replaces it: not when the mention is longer than the
    phrasing's words (有吐白沫痰: the name 吐白沫痰) or begins in the gap's ``places`` (肩上扛东西后腰疼),
    unless it says how it hurts, not where (腋下偶尔隐痛 is 腋窝痛)."""
    return (
        mention.label is Label.SYMPTOM
        and match.start() < mention.start
        and mention.end == match.end()
        and mention.end - mention.start <= _own(match)
        and (mention.start not in places or _HOW_IT_HURTS.fullmatch(mention.surface) is not None)
    )


class KGRetriever:
    def __init__(
        self,
        store: GraphStore,
        dictionary: EntityDictionary | None = None,
        meaning: Callable[[str, Sequence[Mention]], list[Mention]] | None = None,
    ) -> None:
        self.store = store
        self._dictionary = dictionary
        self._concepts: SymptomConcepts | None = None
        self.meaning = meaning
        """Links what names and patterns did not (``ConceptMeaning.link``; None: names and patterns only)."""

    @property
    def concepts(self) -> SymptomConcepts:
        if self._concepts is None:
            self._concepts = SymptomConcepts.from_store(self.store)
        return self._concepts

    @property
    def dictionary(self) -> EntityDictionary:
        if self._dictionary is None:
            self._dictionary = EntityDictionary.from_store(self.store, self.concepts)
        return self._dictionary

    def link(self, text: str) -> list[Mention]:
        """Names, aliases and patterns of the graph in ``text``, then symptoms by meaning (if set)."""
        mentions = self.dictionary.link(text)
        if self.meaning is None:
            return mentions
        return sorted([*mentions, *self.meaning(text, mentions)], key=lambda m: m.start)

    def disease_named(self, mention: Mention, text: str) -> str | None:
        """The disease ``mention`` names in ``text``, if any (:meth:`EntityDictionary.disease_named`)."""
        return self.dictionary.disease_named(mention, text)

    def names_of(self, concept: str) -> tuple[str, ...]:
        """Every name that links to the symptom ``concept`` or to a narrower one (低烧 for 发热)."""
        concepts = self.concepts.with_narrower(concept)
        return tuple(n for c in concepts for n in (c, *self.dictionary.names_of(c)))

    def concepts_named(self, name: str) -> set[str]:
        """The symptom concepts a symptom name (any vocabulary's: 发烧, 稀便, 流涕) stands for: its own
        concept and those its words link to."""
        linked = {m.name for m in self.dictionary.link(name) if m.label is Label.SYMPTOM}
        return linked | {self.concepts.concept_of(name)}

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

    def drug_uses(self, drug: str) -> DrugUses:
        """The diseases whose drug treatment lists ``drug`` (a Drug node's name)."""
        rows = self.store.read(DRUG_USES, {"name": drug})
        label = Label.DRUG.value
        return DrugUses(
            drug,
            [
                Triple(r["disease"], r["predicate"], drug, "TREATED_WITH_DRUG", label, r["source"], r["line"])
                for r in rows
            ],
        )

    def concept_profiles(self) -> list[DiseaseProfile]:
        """:meth:`disease_profiles` with symptoms as concepts (what the inquiry reasons over)."""
        return self.concepts.profiles(self.disease_profiles())

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
