"""How often a consultation reads, in a real patient's own words, the symptoms a doctor read there.

    WENZHEN_DATA_DIR=... python scripts/self_report_accuracy.py dxy/train.jsonl [--part aside] [--show]

Dxy's records keep what the patient (most often a parent) wrote, ``self_report``, beside the symptoms read
from it, ``explicit_symptoms``. Each report is linked as a consultation links a patient's message (names,
patterns, meaning; a symptom said and denied is said), and each explicit symptom the graph's vocabulary names
is counted: read (its concept, as stated), related (a broader or narrower concept), denied (read with the
opposite answer) or missed. Symptoms no name or phrasing of the graph links to (Dxy's own 绿便, 揉鼻子) are
counted apart: only learning from records (``wenzhen eval diagnosis --text``) reads them.

The records are split once, by a hash of their id: ``dev`` (four in five) is read to improve the linker,
``aside`` is only measured. ``--show`` prints each symptom not read, with its report.
"""

from __future__ import annotations

import argparse
import zlib
from collections import Counter
from pathlib import Path

from wenzhen.agent.case_records import CaseRecord, read_case_records
from wenzhen.agent.cli import _profiles_and_linker
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import KGRetriever, said_over_denied

PARTS = ("dev", "aside", "all")
KINDS = ("read", "related", "denied", "missed")


def part_of(record: CaseRecord) -> str:
    """``aside`` for one record in five, by its id; else ``dev``."""
    return "aside" if zlib.crc32(record.id.encode()) % 5 == 0 else "dev"


def named(kg: KGRetriever, symptom: str) -> set[str]:
    """The concepts the graph's vocabulary gives ``symptom``: none when no name or phrasing links to it."""
    known = symptom in kg.concepts.of_name or symptom in kg.dictionary.entries
    linked = {m.name for m in kg.link(symptom) if m.label is Label.SYMPTOM and not m.negated}
    return {kg.concepts.concept_of(c) for c in kg.concepts_named(symptom)} if known or linked else set()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    options.add_argument("records", type=Path, help="Case records with self_report (Dxy's JSON Lines).")
    options.add_argument("--part", choices=PARTS, default="dev", help="Which records (default: dev).")
    options.add_argument("--show", action="store_true", help="Print each symptom not read, with its report.")
    args = options.parse_args()
    records, issues = read_case_records(args.records)
    for issue in issues:
        print(f"skipped {issue}")
    _, kg = _profiles_and_linker(meaning=True)
    counts: Counter[str] = Counter()
    concepts_of: dict[str, set[str]] = {}
    for record in records:
        if not record.self_report or args.part not in ("all", part_of(record)):
            continue
        found = [m for m in said_over_denied(kg.link(record.self_report)) if m.label is Label.SYMPTOM]
        read = {
            denied: {kg.concepts.concept_of(m.name) for m in found if m.negated is denied}
            for denied in (False, True)
        }
        for symptom, answer in record.explicit.items():
            if answer is None:  # not sure: nothing to read
                continue
            concepts = concepts_of.setdefault(symptom, named(kg, symptom))
            if not concepts:
                counts["unnamed"] += 1
                continue
            meant, opposite = (read[False], read[True]) if answer else (read[True], read[False])
            kind = (
                "read"
                if concepts & meant
                else "related"
                if any(kg.concepts.related(c, m) for c in concepts for m in meant)
                else "denied"
                if concepts & opposite
                else "missed"
            )
            counts[kind] += 1
            if args.show and kind != "read":
                said = [*sorted(read[False]), *(f"!{c}" for c in sorted(read[True]))]
                print(f"{kind:<8}{symptom}={answer}\t{' '.join(said)}\t{record.self_report.strip()}")
    total = sum(counts[k] for k in KINDS)
    print(
        f"{args.part}: {total} symptoms the graph names: "
        + "  ".join(f"{k} {counts[k]} ({counts[k] / max(total, 1):.3f})" for k in KINDS)
        + f"; {counts['unnamed']} it does not name"
    )


if __name__ == "__main__":
    main()
