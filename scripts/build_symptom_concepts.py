"""Build ``kg_loader/data/symptom_concepts.jsonl`` (the ``concepts`` format) from the hand-written lexicon.

    python scripts/build_symptom_concepts.py [--kg disease_kg_cmekg.jsonl] [--dxy diagnosis/dxy/train.jsonl]

(defaults: the files in ../shared/data). The lexicon, ``kg_loader/data/symptom_lexicon.txt``, is the reviewed
part: one concept a line, tab-separated: the concept, graph names meaning the same, everyday phrasings (a
``*`` gap, ``{a|b}`` choices, as in red-flag rules), broader concepts; items within a column by commas.
Two automatic merges are added, each written to ``kg_loader/data/symptom_concepts.merges.tsv`` for review
(strike one by adding it to the lexicon's ``# not:`` lines):

- a symptom name of the graph that is one of a concept's everyday phrasings becomes one of its names;
- the Dxy benchmark keeps each patient's own words beside the normalised symptom: a pair seen in two or more
  of its training cases, whose normalised symptom is a name of a concept, adds the patient's words to the
  concept's everyday phrasings.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "kg_loader" / "data"
MIN_DXY_CASES = 2


def read_lexicon(path: Path) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """The concepts, and the (concept, item) pairs a reviewer struck (``# not: concept item``)."""
    concepts: list[dict[str, Any]] = []
    struck: set[tuple[str, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# not:"):
            concept, item = line.removeprefix("# not:").split()
            struck.add((concept, item))
            continue
        if not line.strip() or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        fields += [""] * (4 - len(fields))
        if len(fields) != 4 or not fields[0]:
            raise SystemExit(f"{path}:{number}: expected concept<TAB>names<TAB>lay<TAB>broader")
        concept, names, lay, broader = fields

        def items(text: str) -> list[str]:
            return [item.strip() for item in text.split(",") if item.strip()]

        concepts.append(
            {"concept": concept, "names": items(names), "lay": items(lay), "broader": items(broader)}
        )
    return concepts, struck


def graph_symptoms(kg: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in kg.read_text(encoding="utf-8").splitlines():
        counts.update(set(json.loads(line).get("相关症状", [])))
    return counts


def dxy_pairs(path: Path) -> Counter[tuple[str, str]]:
    """(the patient's words, the normalised symptom) where a case leaves exactly one of each unmatched."""
    pairs: Counter[tuple[str, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        normalised = list(case["explicit_symptoms"])
        raw = [word for word in case.get("origin_inform_slots", []) if word not in normalised]
        left = [name for name in normalised if name not in case.get("origin_inform_slots", [])]
        if len(raw) == 1 and len(left) == 1:
            pairs[(raw[0], left[0])] += 1
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kg", type=Path, default=SHARED / "kg" / "disease_kg_cmekg.jsonl")
    parser.add_argument("--dxy", type=Path, default=SHARED / "eval" / "diagnosis" / "dxy" / "train.jsonl")
    parser.add_argument("--lexicon", type=Path, default=DATA / "symptom_lexicon.txt")
    parser.add_argument("--out", type=Path, default=DATA / "symptom_concepts.jsonl")
    args = parser.parse_args()
    concepts, struck = read_lexicon(args.lexicon)
    merges = []
    symptoms = graph_symptoms(args.kg)
    for concept in concepts:
        name = str(concept["concept"])
        names, lay = list(concept["names"]), list(concept["lay"])
        for phrase in lay:
            if phrase in symptoms and phrase not in names and (name, phrase) not in struck:
                names.append(phrase)
                merges.append(
                    (name, phrase, "names", "a graph symptom name is an everyday phrasing", symptoms[phrase])
                )
        concept["names"] = names
    by_name = {n: c for c in concepts for n in [str(c["concept"]), *c["names"]]}
    for (words, normalised), count in sorted(dxy_pairs(args.dxy).items()):
        target = by_name.get(normalised)
        if target is None or count < MIN_DXY_CASES or words in target["lay"] or words in target["names"]:
            continue
        if (str(target["concept"]), words) in struck:
            continue
        target["lay"] = [*target["lay"], words]
        merges.append((str(target["concept"]), words, "lay", f"Dxy patients' words for {normalised}", count))
    args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in concepts), encoding="utf-8")
    report = args.out.with_suffix(".merges.tsv")
    report.write_text(
        "concept\titem\tfield\tmethod\tevidence (diseases or cases)\n"
        + "".join("\t".join(map(str, merge)) + "\n" for merge in merges),
        encoding="utf-8",
    )
    print(f"{len(concepts)} concepts -> {args.out}; {len(merges)} automatic merges -> {report}")


if __name__ == "__main__":
    main()
