"""Benchmark: end-to-end ingestion chunks/s vs raw SentenceTransformer.encode of the same chunks.

    python bench/retrieval_ingest.py [--docs 150] [--repeat 3]

Ingestion (read the source file, chunk, deduplicate, embed, BM25 tokens, FAISS add, save) of the first
``--docs`` records of Bentsao's liver-cancer literature QA, vs ``model.encode_document`` of exactly the
chunks ingestion produced, same model and batch size, alternating, in one process, each ingestion into a
fresh index. Target: >= 0.9x. Then a rebuild of the same source over the last index (what a second run of
the README's `index build --demo` does), which embeds nothing, against a fresh build: the speed-up printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import JsonMapping
from wenzhen.retrieval.embedder import load_embedder
from wenzhen.retrieval.indexer import index_sources
from wenzhen.retrieval.store import LiteratureIndex

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "literature"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records = json.loads((SHARED / "huatuo_liver_cancer.json").read_text(encoding="utf-8"))[: args.docs]
    with tempfile.TemporaryDirectory(prefix="wz-ingest-") as tmp:
        source = Path(tmp) / "docs.jsonl"
        source.write_text(
            "".join(
                json.dumps({"id": str(i), "text": r["instruction"] + "\n" + r["output"]}, ensure_ascii=False)
                + "\n"
                for i, r in enumerate(records)
            ),
            encoding="utf-8",
        )
        model = load_embedder(RetrievalSettings())
        mapping = JsonMapping(text=("text",), id="id").read
        model.encode_document(["预热"] * 8)
        ours, raw, fresh = [], [], []
        for run in range(args.repeat):
            settings = RetrievalSettings(index_dir=Path(tmp) / f"index-{run}")
            report = index_sources([source], settings, model, mapping, replace=True)
            fresh.append(report.seconds)
            ours.append(report.chunks_added / report.seconds)
            texts = [chunk.text for chunk in LiteratureIndex.open(settings.index_dir).chunks]
            started = time.perf_counter()
            model.encode_document(texts, batch_size=settings.batch_size)
            raw.append(len(texts) / (time.perf_counter() - started))
            print(
                f"  ingest {ours[-1]:6.1f} chunks/s   raw encode {raw[-1]:6.1f} chunks/s "
                f"({len(texts)} chunks)"
            )
        ratio = statistics.median(ours) / statistics.median(raw)
        print(
            f"medians: ingest {statistics.median(ours):.1f}, raw {statistics.median(raw):.1f} chunks/s; "
            f"ratio {ratio:.2f}x (target >= 0.9)"
        )
        rebuild = index_sources([source], settings, model, mapping, replace=True)
        print(
            f"rebuild of the unchanged source: {rebuild.seconds:.2f} s ({rebuild.chunks_reused} of "
            f"{rebuild.chunks_added} chunks reused) vs a fresh build {statistics.median(fresh):.2f} s: "
            f"{statistics.median(fresh) / rebuild.seconds:.1f}x faster"
        )


if __name__ == "__main__":
    main()
