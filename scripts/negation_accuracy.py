"""How often a negated clause is read as the complaint it makes, or as none, on the loaded graph.

    WENZHEN_DATA_DIR=... python scripts/negation_accuracy.py agent/data/negated_clauses_*.tsv [--show]

Each line of each file (``clause<TAB>concept``; ``clause<TAB>!concept`` for a denial of it; ``clause<TAB>-``
for no complaint) is linked as a consultation links a patient's message (names, patterns, meaning). Right:
the concept is linked present; for ``!concept``, linked denied and nothing present; for ``-``, nothing
present. A negation may say a lack (没什么胃口: 食欲不振) or deny (不怎么咳: !咳嗽).
``--show`` prints each clause read otherwise. Develop on ``negated_clauses_dev.tsv``;
``negated_clauses_aside.tsv`` measures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wenzhen.agent.cli import _profiles_and_linker
from wenzhen.core.files import read_tab_rows
from wenzhen.kg_loader.schema import Label

NO_COMPLAINT = "-"
DENIED = "!"


def read_clauses(path: Path) -> list[tuple[str, str]]:
    """(clause, concept or "-") for each line; a malformed line is an error naming it."""
    rows = read_tab_rows(path, 2, "clause<TAB>concept, !concept or -")
    return [(clause, meant) for clause, meant in rows]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    options.add_argument("files", type=Path, nargs="+", help="Labelled clauses, one figure each.")
    options.add_argument("--show", action="store_true", help="Print each clause read otherwise.")
    args = options.parse_args()
    _, kg = _profiles_and_linker(meaning=True)
    for path in args.files:
        clauses = read_clauses(path)
        right = 0
        for clause, meant in clauses:
            found = [m for m in kg.link(clause) if m.label is Label.SYMPTOM]
            present = {kg.concepts.concept_of(m.name) for m in found if not m.negated}
            denied = {kg.concepts.concept_of(m.name) for m in found if m.negated}
            if meant.startswith(DENIED):
                ok = not present and meant.removeprefix(DENIED) in denied
            else:
                ok = not present if meant == NO_COMPLAINT else meant in present
            right += ok
            if args.show and not ok:
                read = [*sorted(present), *(DENIED + c for c in sorted(denied))]
                print(f"  {clause}\tmeant {meant}, read {' '.join(read) or NO_COMPLAINT}")
        print(f"{path.name}: {right}/{len(clauses)} read as meant ({right / len(clauses):.3f})")


if __name__ == "__main__":
    main()
