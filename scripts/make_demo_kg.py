"""Rebuild ``kg_loader/data/demo_kg.jsonl`` from the shared CMeKG-style KG (see DATA.md).

    python scripts/make_demo_kg.py [--kg disease_kg_cmekg.jsonl] [--crawl disease_39net.csv]

(defaults: the files in ../shared/data/kg). Keeps the liver and digestive diseases (by body part or
department) and, one hop out, the diseases named as their complications, in file order. Names the 39.net
crawl cut short are left out: the CMeKG-style file was converted from the crawl (``--crawl``) and lost the
"..." that marked them, so a name counts as cut when every crawl row it comes from ended in "..." — such
records are dropped, and such names, and items still ending in "...", are removed from the lists of the
records kept (a real name that also begins a cut one, e.g. 强直性脊柱炎, has a row of its own and stays).
The result loads without a rejected row or dropped item.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_KG = ROOT.parent / "shared/data/kg"
BODY_PARTS = {"肝", "胆", "胆道", "胆囊", "胃", "肠", "十二指肠", "食管", "胰腺", "腹部", "脾", "肛门"}
DEPARTMENTS = {"消化内科", "肝胆外科", "肝病", "胃肠外科", "肝胆科", "肛肠科"}
CUT_MARK = "..."


def names_cut_by_the_crawl(crawl: Path) -> set[str]:
    """Disease names whose every crawl row was cut short (the name column ends in "...")."""
    cut_only: dict[str, set[bool]] = defaultdict(set)
    with crawl.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("name") or "").strip()
            cut = name.endswith(CUT_MARK)
            cut_only[name.removesuffix(CUT_MARK).strip()].add(cut)
    return {name for name, kinds in cut_only.items() if kinds == {True}}


def without_cut_names(record: dict[str, Any], cut: set[str]) -> dict[str, Any]:
    """``record`` without the list items that are cut names or still end in "..." (cut drug, check names)."""
    return {
        key: [item for item in value if item not in cut and not item.endswith(CUT_MARK)]
        if isinstance(value, list)
        else value
        for key, value in record.items()
    }


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--kg", type=Path, default=SHARED_KG / "disease_kg_cmekg.jsonl")
    parser.add_argument("--crawl", type=Path, default=SHARED_KG / "disease_39net.csv")
    parser.add_argument("--out", type=Path, default=ROOT / "kg_loader/data/demo_kg.jsonl")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.kg.read_text(encoding="utf-8").splitlines()]
    cut = names_cut_by_the_crawl(args.crawl)
    whole = [r for r in records if r["中心词"] not in cut]
    core = {
        r["中心词"]
        for r in whole
        if BODY_PARTS & set(r.get("发病部位", [])) or DEPARTMENTS & set(r.get("所属科室", []))
    }
    neighbours = {c for r in whole if r["中心词"] in core for c in r.get("并发症", [])}
    kept = [without_cut_names(r, cut) for r in whole if r["中心词"] in core | neighbours]
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    dropped = sum(1 for r in records if r["中心词"] in cut)
    print(f"{len(kept)} diseases ({len(core)} liver/digestive + complications) -> {args.out}")
    print(f"left out: {dropped} records whose name the crawl cut short ({len(cut)} such names)")


if __name__ == "__main__":
    main()
