"""How often a reply to a closed question is read as the patient meant it, on the loaded graph.

    WENZHEN_DATA_DIR=... python scripts/reply_accuracy.py agent/data/closed_replies_*.tsv [--show]

Each line of each file (``symptom<TAB>reply<TAB>yes|no|unsure``) is the reply to
"请问有没有<symptom>的情况？", read as a consultation reads it (names, patterns, meaning;
``--names-only``: without the meaning layer, no embedding model loaded). Right: yes or no as
labelled; for "unsure", neither. ``--show`` prints each reply read otherwise. Develop on
``closed_replies_dev.tsv``; ``closed_replies_aside.tsv`` measures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wenzhen.agent.cli import _profiles_and_linker
from wenzhen.agent.findings import read_message
from wenzhen.agent.inquiry import Answered, Question
from wenzhen.core.files import read_tab_rows

LABELS = {"yes": True, "no": False, "unsure": None}


def read_replies(path: Path) -> list[tuple[str, str, bool | None]]:
    """(symptom, reply, meant) for each line; a malformed line is an error naming it."""
    rows = read_tab_rows(path, 3, "symptom<TAB>reply<TAB>yes|no|unsure", LABELS)
    return [(symptom, reply, LABELS[label]) for symptom, reply, label in rows]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    options.add_argument("files", type=Path, nargs="+", help="Labelled replies, one figure each.")
    options.add_argument("--show", action="store_true", help="Print each reply read otherwise.")
    options.add_argument("--names-only", action="store_true", help="Without the meaning layer.")
    args = options.parse_args()
    _, kg = _profiles_and_linker(meaning=not args.names_only)
    for path in args.files:
        replies = read_replies(path)
        right = 0
        for symptom, reply, meant in replies:
            target = kg.concepts.concept_of(symptom)
            observations = read_message(kg, reply, Question("symptom", target)).observations
            said = (o.present for o in observations if isinstance(o, Answered) and o.symptom == target)
            read = next(said, None)
            right += read is meant
            if args.show and read is not meant:
                print(f"  {symptom}\t{reply}\tmeant {meant}, read {read}")
        print(f"{path.name}: {right}/{len(replies)} read as meant ({right / len(replies):.3f})")


if __name__ == "__main__":
    main()
