"""Rebuild ``retrieval/data/demo_literature.jsonl`` from the shared literature sets (see DATA.md).

    python scripts/make_demo_literature.py [--records 200]

Takes the first ``--records`` Bentsao liver-cancer literature dialogues (as 问/答 text) and the PubMedQA
liver subset, one JSON object a line: ``{"id", "text", "collection"}``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from wenzhen.retrieval.documents import PRESETS, SourceDocument, read_sources

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "literature"


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "retrieval" / "data" / "demo_literature.jsonl")
    args = parser.parse_args()
    rows = []
    for name, preset, limit in (
        ("huatuo_liver_cancer.json", "huatuo", args.records),
        ("pubmedqa_liver_subset.jsonl", "pubmedqa", None),
    ):
        documents = [
            d for d in read_sources([SHARED / name], PRESETS[preset]) if isinstance(d, SourceDocument)
        ]
        for document in documents[:limit]:
            doc_id = (
                f"huatuo-{document.doc_id.rsplit('#', 1)[1]}"
                if preset == "huatuo"
                else f"pmid-{document.doc_id}"
            )
            rows.append({"id": doc_id, "text": document.text, "collection": preset})
    args.out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} documents -> {args.out}")


if __name__ == "__main__":
    main()
