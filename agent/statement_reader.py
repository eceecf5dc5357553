"""Reading which symptoms of a fixed vocabulary (an answer model's) a patient states in their own words.

>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("感冒", {"流涕": True}, origin_words=("鼻涕",))] * 2
>>> reader = StatementReader.learn(records, ["流涕", "发烧"])
>>> reader.read("孩子流鼻涕两天了，没有发烧。")
{'流涕': True, '发烧': False}

Three sources, first match wins: the vocabulary's own names; phrasings learnt from records that keep the
patient's words beside the normalised symptoms (Dxy's ``origin_inform_slots``: a word is taken for the
symptom it most often comes with, if it does so in most of its records); and, with the graph, every name,
everyday phrasing and pattern of the symptom concepts the vocabulary's names link to. A symptom after a
negation cue (没有, 不, 无…) is stated absent, unless the text also says it (白天不咳晚上咳).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from wenzhen.agent.case_records import Answer, CaseRecord
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import EntityDictionary, Mention, said_over_denied

MIN_TIMES = 2
"""A patient's word must come with a symptom in at least this many records to be learnt."""
MIN_SHARE = 0.6
"""... and in at least this share of the records it appears in."""


class StatementReader:
    def __init__(
        self,
        phrasings: Mapping[str, str],
        link: Callable[[str], list[Mention]] | None = None,
        concept_symptoms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``phrasings``: surface -> vocabulary symptom; ``link`` finds the graph's symptom concepts in text,
        and ``concept_symptoms`` says which vocabulary symptoms each concept stands for."""
        self.dictionary = EntityDictionary()
        for surface, symptom in phrasings.items():
            self.dictionary.add(surface, Label.SYMPTOM, symptom)
        self.link = link
        self.concept_symptoms = concept_symptoms or {}

    @classmethod
    def learn(
        cls,
        records: Iterable[CaseRecord],
        symptoms: Sequence[str],
        link: Callable[[str], list[Mention]] | None = None,
        concepts_of: Callable[[str], set[str]] | None = None,
    ) -> StatementReader:
        """A reader of ``symptoms``, with phrasings learnt from ``records``; with the graph's ``link`` and
        ``concepts_of`` (a symptom name's concepts), the graph's phrasings too."""
        vocabulary = set(symptoms)
        together: Counter[tuple[str, str]] = Counter()
        seen: Counter[str] = Counter()
        for record in records:
            words = set(record.origin_words) - vocabulary
            seen.update(words)
            together.update((w, s) for w in words for s in record.explicit if s in vocabulary)
        phrasings = {s: s for s in symptoms}
        best: dict[str, tuple[int, str]] = {}
        for (word, symptom), times in together.items():
            if times > best.get(word, (0, ""))[0]:
                best[word] = (times, symptom)
        for word, (times, symptom) in best.items():
            if times >= MIN_TIMES and times >= MIN_SHARE * seen[word]:
                phrasings[word] = symptom
        concept_symptoms: dict[str, list[str]] = {}
        if concepts_of is not None:
            for symptom in symptoms:
                for concept in concepts_of(symptom):
                    concept_symptoms.setdefault(concept, []).append(symptom)
        return cls(phrasings, link, concept_symptoms)

    def read(self, text: str) -> dict[str, Answer]:
        """The vocabulary's symptoms stated in ``text``: True, or False when denied."""
        stated: dict[str, Answer] = {}
        taken: list[Mention] = []
        for mention in said_over_denied(self.dictionary.link(text)):
            stated.setdefault(mention.name, not mention.negated)
            taken.append(mention)
        for mention in said_over_denied(self.link(text)) if self.link is not None else ():
            if mention.label is not Label.SYMPTOM or any(
                t.start < mention.end and mention.start < t.end for t in taken
            ):
                continue
            for symptom in self.concept_symptoms.get(mention.name, ()):
                stated.setdefault(symptom, not mention.negated)
        return stated
