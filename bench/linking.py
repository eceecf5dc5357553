"""Benchmark: what linking a patient's message costs, names and patterns alone against names, patterns and
meaning (what a consultation runs), in one run.

    python bench/linking.py [--repeat 3]

Messages: every everyday phrasing of ``agent/data/lay_patient_aside.tsv`` as a patient's opening
("我最近…。") and as an answer to the open question ("还有…。"), and every clause of
``agent/data/negated_clauses_*.tsv`` (没什么胃口, 我爸不怎么咳: a negated clause may be compared twice). The
dictionary holds the packaged symptom concepts (names, phrasings, patterns); the meaning layer their
vectors (built once, as at a consultant's start, not timed). Prints the mean and 95th percentile per
message of each and the difference. Target: linking by meaning adds at most 50 ms to a turn.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from wenzhen.agent.simulator import LayWords
from wenzhen.core.files import read_json_lines, read_tab_rows
from wenzhen.kg_loader.cli import concepts_path
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.concept_meaning import ConceptMeaning
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.embedder import load_embedder
from wenzhen.retrieval.indexer import model_name
from wenzhen.retrieval.kg import EntityDictionary, Mention, SymptomConcept, SymptomConcepts
from wenzhen.retrieval.patterns import compile_term, is_pattern

DATA = Path(__file__).resolve().parents[1] / "agent" / "data"
ASIDE = DATA / "lay_patient_aside.tsv"
NEGATED = sorted(DATA.glob("negated_clauses_*.tsv"))


def packaged_concepts() -> SymptomConcepts:
    return SymptomConcepts(
        read_json_lines(
            concepts_path(),
            lambda row: SymptomConcept(
                row["concept"], tuple(row["names"]), tuple(row["lay"]), tuple(row["broader"])
            ),
            '{"concept", "names", "lay", "broader"}',
        )
    )


def dictionary_of(concepts: SymptomConcepts) -> EntityDictionary:
    dictionary = EntityDictionary()
    for concept in concepts.concepts:
        for name in (concept.name, *concept.names):
            dictionary.add(name, Label.SYMPTOM, concept.name)
        for phrase in concept.lay:
            if is_pattern(phrase):
                dictionary.patterns.append((compile_term(phrase), concept.name))
            else:
                dictionary.add(phrase, Label.SYMPTOM, concept.name)
    return dictionary


def per_message_ms(link: Callable[[str], list[Mention]], messages: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for message in messages:
            start = time.perf_counter()
            link(message)
            times.append((time.perf_counter() - start) * 1000)
    return times


def describe(name: str, times: list[float]) -> float:
    mean = statistics.fmean(times)
    print(f"{name:<36} mean {mean:6.2f} ms   p95 {float(np.percentile(times, 95)):6.2f} ms")
    return mean


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    words = LayWords.read(ASIDE).phrasings
    messages = [
        f"{frame}{phrase}。"
        for phrases in words.values()
        for phrase in phrases
        for frame in ("我最近", "还有")
    ]
    messages += [
        clause + "。"
        for path in NEGATED
        for clause, _ in read_tab_rows(path, 2, "clause<TAB>concept, !concept or -")
    ]
    concepts = packaged_concepts()
    dictionary = dictionary_of(concepts)
    settings = RetrievalSettings()
    meaning = ConceptMeaning.build(
        concepts, load_embedder(settings), model_name(settings), settings.cache_dir
    )

    def both(text: str) -> list[Mention]:
        found = dictionary.link(text)
        return [*found, *meaning.link(text, found)]

    per_message_ms(both, messages[:5], 1)  # warm up
    print(f"{len(messages)} messages x {args.repeat}")
    a = describe("(a) names and patterns", per_message_ms(dictionary.link, messages, args.repeat))
    b = describe("(b) names, patterns and meaning", per_message_ms(both, messages, args.repeat))
    print(
        f"meaning adds {b - a:.2f} ms a message on average; "
        f"target <= 50 ms: {'met' if b - a <= 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
