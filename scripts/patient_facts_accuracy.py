"""How often a message is read as who the patient is: how questions name them, their age bands, their sex.

    python scripts/patient_facts_accuracy.py agent/data/patient_facts_*.tsv [--show]

Each line of each file is ``message<TAB>who<TAB>age bands<TAB>sex``: who as questions name the patient (您 for
the writer, 孩子, 您父亲 …), the age bands ``|``-separated (``-``: unknown), the sex (男, 女 or ``-``). A
message is read right when all three are. ``--show`` prints each message read otherwise. Develop on
``patient_facts_dev.tsv``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wenzhen.agent.findings import read_message
from wenzhen.core.files import read_tab_rows
from wenzhen.retrieval.kg import EntityDictionary

UNKNOWN = "-"


def read_labels(path: Path) -> list[tuple[str, tuple[str, frozenset[str], str | None]]]:
    """(message, (who, age bands, sex)) for each line; a malformed line is an error naming it."""
    rows = read_tab_rows(path, 4, "message<TAB>who<TAB>age bands or -<TAB>sex or -")
    return [
        (
            message,
            (
                who,
                frozenset() if ages == UNKNOWN else frozenset(ages.split("|")),
                None if sex == UNKNOWN else sex,
            ),
        )
        for message, who, ages, sex in rows
    ]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    options.add_argument("files", type=Path, nargs="+", help="Labelled messages, one figure each.")
    options.add_argument("--show", action="store_true", help="Print each message read otherwise.")
    args = options.parse_args()
    for path in args.files:
        labels = read_labels(path)
        right = 0
        for message, meant in labels:
            facts = read_message(EntityDictionary(), message, None).facts
            patient = facts.population()
            read = (facts.who or "您", frozenset(patient.ages), patient.sex)
            right += read == meant
            if args.show and read != meant:
                print(f"  {message}\tmeant {_shown(meant)}, read {_shown(read)}")
        print(f"{path.name}: {right}/{len(labels)} read as meant ({right / len(labels):.3f})")


def _shown(reading: tuple[str, frozenset[str], str | None]) -> str:
    who, ages, sex = reading
    return f"{who} {'|'.join(sorted(ages)) or UNKNOWN} {sex or UNKNOWN}"


if __name__ == "__main__":
    main()
