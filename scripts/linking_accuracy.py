"""How often the linker reads an everyday phrasing as the symptom concept meant, on the loaded graph.

    WENZHEN_DATA_DIR=... python scripts/linking_accuracy.py agent/data/lay_linking_dev.tsv [--show] [--asking]

Each phrasing of the file (``concept<TAB>phrasing、phrasing…``) is put as a patient would open ("我最近…。")
and answer the open question ("还有…。"), or with ``--asking`` as a question about it ("…可能是什么病？",
"最近老是…，是得了什么病", "…是怎么回事"), or with ``--family`` as a relative tells it ("我爸最近…。",
"婆婆这两天…。"), and linked as a consultation links it (names, patterns, meaning). Each is counted exact
(the concept), related (a broader or narrower one), wrong or none; ``--show`` prints every one that is not
exact. Develop on ``lay_linking_dev.tsv``; ``lay_patient_aside.tsv`` and ``lay_linking_aside.tsv`` (its
concepts' phrasings written before the concepts were) measure and are not tuned on.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from wenzhen.agent.cli import _profiles_and_linker
from wenzhen.agent.simulator import LayWords
from wenzhen.kg_loader.schema import Label

SAID = ("我最近{}。", "还有{}。")
FAMILY = ("我爸最近{}。", "婆婆这两天{}。")
ASKING = ("{}可能是什么病？", "最近老是{}，是得了什么病", "{}是怎么回事")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phrasings", type=Path)
    parser.add_argument("--show", action="store_true", help="Print each phrasing not linked exactly.")
    parser.add_argument("--asking", action="store_true", help="Put each phrasing as a question.")
    parser.add_argument("--family", action="store_true", help="Put each phrasing as a relative tells it.")
    args = parser.parse_args()
    _, kg = _profiles_and_linker(meaning=True)
    counts: Counter[str] = Counter()
    for concept, phrasings in LayWords.read(args.phrasings).phrasings.items():
        for phrasing in phrasings:
            for form in ASKING if args.asking else FAMILY if args.family else SAID:
                text = form.format(phrasing)
                found = [m for m in kg.link(text) if m.label is Label.SYMPTOM and not m.negated]
                linked = [kg.concepts.concept_of(m.name) for m in found]
                if concept in linked:
                    kind = "exact"
                elif any(kg.concepts.related(concept, c) for c in linked):
                    kind = "related"
                else:
                    kind = "wrong" if linked else "none"
                counts[kind] += 1
                if args.show and kind != "exact":
                    print(f"{kind:<8}{concept}\t{text}\t{[(m.name, m.surface) for m in found]}")
    total = sum(counts.values())
    kinds = ("exact", "related", "wrong", "none")
    print("  ".join(f"{kind} {counts[kind]} ({counts[kind] / total:.3f})" for kind in kinds))


if __name__ == "__main__":
    main()
