"""How often a consultation reads, in a real patient's own words, the symptoms a doctor read there.

    WENZHEN_DATA_DIR=... python scripts/self_report_accuracy.py dxy/train.jsonl [--part aside] [--show]
    WENZHEN_DATA_DIR=... python scripts/self_report_accuracy.py agent/data/real_questions_aside.tsv

Dxy's records keep what the patient (most often a parent) wrote, ``self_report``, beside the symptoms read
from it, ``explicit_symptoms``. A labelled file (``message<TAB>symptoms``: a doctor's names, separated by 、,
``!name`` for one the message denies, ``-`` for none) holds real messages read the same way, such as
``agent/data/real_questions_*.tsv`` (adults' questions to internal medicine, DATA.md). Each message is linked
as a consultation links a patient's message (names, patterns, meaning; a symptom said and denied is said), and
each symptom the graph's vocabulary names is counted: read (its concept, as stated), related (a broader or
narrower concept), denied (read with the opposite answer) or missed. Symptoms no name or phrasing of the graph
links to (Dxy's own 绿便, 揉鼻子) are counted apart: only learning from records (``wenzhen eval diagnosis
--text``) reads them. ``extra``: complaints read that no symptom of the message names or is related to (Dxy
names 41 symptoms only, so there they include complaints outside its vocabulary).

Dxy's records are split once, by a hash of their id: ``dev`` (four in five) is read to improve the linker,
``aside`` is only measured; a labelled file is one part. ``--show`` prints each symptom not read and each
extra complaint, with its message.
"""

from __future__ import annotations

from collections import Counter

from wenzhen.agent.cli import _profiles_and_linker
from wenzhen.agent.labelled_messages import parse_command_line
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import KGRetriever, said_over_denied

KINDS = ("read", "related", "denied", "missed")


def named(kg: KGRetriever, symptom: str) -> set[str]:
    """The concepts the graph's vocabulary gives ``symptom``: none when no name or phrasing links to it."""
    known = symptom in kg.concepts.of_name or symptom in kg.dictionary.entries
    linked = {m.name for m in kg.link(symptom) if m.label is Label.SYMPTOM and not m.negated}
    return {kg.concepts.concept_of(c) for c in kg.concepts_named(symptom)} if known or linked else set()


def main() -> None:
    args, reports = parse_command_line(__doc__ or "")
    _, kg = _profiles_and_linker(meaning=True)
    counts: Counter[str] = Counter()
    concepts_of: dict[str, set[str]] = {}
    for report in reports:
        found = [m for m in said_over_denied(kg.link(report.text)) if m.label is Label.SYMPTOM]
        read = {
            denied: {kg.concepts.concept_of(m.name) for m in found if m.negated is denied}
            for denied in (False, True)
        }
        said = [*sorted(read[False]), *(f"!{c}" for c in sorted(read[True]))]
        labelled: set[str] = set()
        for symptom, answer in report.symptoms.items():
            concepts = concepts_of.setdefault(symptom, named(kg, symptom))
            labelled |= concepts
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
                print(f"{kind:<8}{symptom}={answer}\t{' '.join(said)}\t{report.text.strip()}")
        for extra in sorted(c for c in read[False] if not any(kg.concepts.related(c, m) for m in labelled)):
            counts["extra"] += 1
            if args.show:
                print(f"extra   {extra}\t{' '.join(said)}\t{report.text.strip()}")
    total = sum(counts[k] for k in KINDS)
    print(
        f"{len(reports)} messages, {total} symptoms the graph names: "
        + "  ".join(f"{k} {counts[k]} ({counts[k] / max(total, 1):.3f})" for k in KINDS)
        + f"; {counts['unnamed']} it does not name; {counts['extra']} extra complaints read"
    )


if __name__ == "__main__":
    main()
