"""Benchmark: query latency at 100k chunks, Wenzhen's search vs raw FAISS search plus one query embedding.

    python bench/retrieval_query.py [--chunks 100000] [--queries 200]

Embeds the demo literature once, then replicates its chunks (text with a copy number, vectors with a little
noise) up to ``--chunks``, which makes the index HNSW as it would be at that size. Times, per query:
raw = ``model.encode_query`` + ``faiss_index.search`` (k=10, the same FAISS index), dense and hybrid =
``LiteratureSearcher.search`` (k=10). Prints p50/p95 and the ratios (targets: dense <= 1.2x, hybrid <= 2x).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from wenzhen.retrieval.cli import demo_literature_path
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import JsonMapping
from wenzhen.retrieval.embedder import load_embedder
from wenzhen.retrieval.evaluation import dialogue_queries
from wenzhen.retrieval.indexer import index_sources
from wenzhen.retrieval.search import LiteratureSearcher
from wenzhen.retrieval.store import IndexMeta, LiteratureIndex, make_faiss_index

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "literature"


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)) * 1000, float(np.percentile(samples, 95)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wz-query-") as tmp:
        settings = RetrievalSettings(index_dir=Path(tmp) / "index")
        model = load_embedder(settings)
        mapping = JsonMapping(text=("text",), id="id").read
        index_sources([demo_literature_path()], settings, model, mapping, replace=True)
        base = LiteratureIndex.open(settings.index_dir)
        copies = -(-args.chunks // len(base.chunks))
        rng = np.random.default_rng(0)
        chunks, tokens, vectors = [], [], []
        for copy in range(copies):
            noise = rng.normal(0, 0.01, base.vectors.shape).astype(np.float32) if copy else 0
            moved = base.vectors + noise
            vectors.append(moved / np.linalg.norm(moved, axis=1, keepdims=True))
            for chunk, chunk_tokens in zip(base.chunks, base.tokens, strict=True):
                chunks.append(
                    replace(chunk, chunk_id=f"{chunk.chunk_id}-{copy}", doc_id=f"{chunk.doc_id}-{copy}")
                )
                tokens.append([*chunk_tokens, f"副本{copy}"])
        all_vectors = np.vstack(vectors)[: args.chunks]
        chunks, tokens = chunks[: args.chunks], tokens[: args.chunks]
        started = time.perf_counter()
        faiss_index = make_faiss_index(all_vectors, settings.approximate_above)
        index = LiteratureIndex(
            settings.index_dir,
            IndexMeta(base.meta.embedder, base.meta.dim),
            chunks,
            tokens,
            all_vectors,
            faiss_index,
        )
        index.meta.kind = type(faiss_index).__name__
        _ = index.bm25
        print(
            f"{len(chunks)} chunks ({index.meta.kind}), "
            f"indexes built in {time.perf_counter() - started:.1f} s"
        )
        searcher = LiteratureSearcher(index, model)
        queries = [q.query for q in dialogue_queries(SHARED / "huatuo_liver_cancer.json")][: args.queries]
        for query in queries[:20]:  # warm-up
            searcher.search(query, k=10, mode="hybrid")
        timings: dict[str, list[float]] = {"raw": [], "dense": [], "hybrid": []}
        for query in queries:
            for name in timings:
                started = time.perf_counter()
                if name == "raw":
                    faiss_index.search(model.encode_query([query], convert_to_numpy=True), 10)
                else:
                    searcher.search(query, k=10, mode=name)  # type: ignore[arg-type]
                timings[name].append(time.perf_counter() - started)
        raw50, raw95 = percentiles(timings["raw"])
        print(f"raw FAISS + query embedding: p50 {raw50:.1f} ms  p95 {raw95:.1f} ms")
        for name, target in (("dense", 1.2), ("hybrid", 2.0)):
            p50, p95 = percentiles(timings[name])
            print(
                f"{name:<6} p50 {p50:.1f} ms  p95 {p95:.1f} ms   ratio p50 {p50 / raw50:.2f}x, "
                f"p95 {p95 / raw95:.2f}x (target <= {target})"
            )


if __name__ == "__main__":
    main()
