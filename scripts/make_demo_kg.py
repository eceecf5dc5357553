"""Rebuild ``kg_loader/data/demo_kg.jsonl`` from the shared CMeKG-style KG (see DATA.md).

    python scripts/make_demo_kg.py [--kg ../shared/data/kg/disease_kg_cmekg.jsonl]

Keeps the liver and digestive diseases (by body part or department) and, one hop out, the diseases
named as their complications; records are copied unchanged, in file order.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BODY_PARTS = {"肝", "胆", "胆道", "胆囊", "胃", "肠", "十二指肠", "食管", "胰腺", "腹部", "脾", "肛门"}
DEPARTMENTS = {"消化内科", "肝胆外科", "肝病", "胃肠外科", "肝胆科", "肛肠科"}


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--kg", type=Path, default=ROOT.parent / "shared/data/kg/disease_kg_cmekg.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "kg_loader/data/demo_kg.jsonl")
    args = parser.parse_args()
    lines = args.kg.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    core = {
        r["中心词"]
        for r in records
        if BODY_PARTS & set(r.get("发病部位", [])) or DEPARTMENTS & set(r.get("所属科室", []))
    }
    neighbours = {c for r in records if r["中心词"] in core for c in r.get("并发症", [])}
    kept = [line for line, r in zip(lines, records, strict=True) if r["中心词"] in core | neighbours]
    args.out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept)} diseases ({len(core)} liver/digestive + complications) -> {args.out}")


if __name__ == "__main__":
    main()
