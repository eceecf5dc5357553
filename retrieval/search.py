"""Search the literature index: dense (FAISS), BM25 (jieba tokens), or both fused by reciprocal rank.

>>> searcher = LiteratureSearcher(LiteratureIndex.open(path), load_embedder(settings))    # doctest: +SKIP
>>> [(h.chunk.chunk_id, round(h.score, 3)) for h in searcher.search("肝癌免疫治疗", k=3)]   # doctest: +SKIP

Filters keep chunks whose ``doc_id``, ``source`` or metadata field equals the given value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from wenzhen.core.errors import InputError
from wenzhen.retrieval.chunking import Chunk
from wenzhen.retrieval.documents import MetadataValue
from wenzhen.retrieval.store import LiteratureIndex
from wenzhen.retrieval.text_tokens import bm25_tokens

Mode = Literal["dense", "bm25", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score under the mode that found it (RRF score for hybrid)."""

    chunk: Chunk
    score: float
    mode: Mode


class Reranker(Protocol):
    """Reorders hits for a query (e.g. a cross-encoder); none is available offline for Chinese."""

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


def _top(scores: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the ``depth`` highest scores, best first, without sorting the whole array."""
    if len(scores) > depth:
        candidates = np.argpartition(-scores, depth)[:depth]
        return candidates[np.argsort(-scores[candidates], kind="stable")]
    return np.argsort(-scores, kind="stable")


def _matches(chunk: Chunk, filters: dict[str, MetadataValue]) -> bool:
    for key, value in filters.items():
        actual = (
            chunk.doc_id if key == "doc_id" else chunk.source if key == "source" else chunk.metadata.get(key)
        )
        if actual != value:
            return False
    return True


class LiteratureSearcher:
    def __init__(self, index: LiteratureIndex, model: Any, reranker: Reranker | None = None) -> None:
        self.index = index
        self.model = model
        self.reranker = reranker

    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.model.encode_query([query], convert_to_numpy=True), dtype=np.float32)

    def search(
        self, query: str, k: int = 5, mode: Mode = "hybrid", filters: dict[str, MetadataValue] | None = None
    ) -> list[Hit]:
        if mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not self.index.chunks or k < 1:
            return []
        mask = None
        if filters:
            mask = np.array([_matches(chunk, filters) for chunk in self.index.chunks])
            if not mask.any():
                return []
        depth = k if mode != "hybrid" else max(4 * k, 50)
        ranked: dict[str, list[tuple[int, float]]] = {}
        if mode in ("dense", "hybrid"):
            ranked["dense"] = self._dense(query, depth, mask)
        if mode in ("bm25", "hybrid"):
            ranked["bm25"] = self._bm25(query, depth, mask)
        hits = (
            self._fuse(ranked, k)
            if mode == "hybrid"
            else [Hit(self.index.chunks[i], score, mode) for i, score in ranked[mode][:k]]
        )
        return self.reranker.rerank(query, hits) if self.reranker is not None else hits

    def _dense(self, query: str, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        vector = self.embed_query(query)
        if mask is None:
            scores, ids = self.index.search_index.search(vector, min(depth, len(self.index.chunks)))
            return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        positions = np.flatnonzero(mask)
        scores = self.index.vectors[positions] @ vector[0]
        order = _top(scores, depth)
        return [(int(positions[i]), float(scores[i])) for i in order]

    def _bm25(self, query: str, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        tokens = bm25_tokens(query)
        if not tokens:
            return []
        scores = self.index.bm25.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        order = _top(scores, depth)
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def _fuse(self, ranked: dict[str, list[tuple[int, float]]], k: int) -> list[Hit]:
        fused: dict[int, float] = {}
        for results in ranked.values():
            for rank, (position, _) in enumerate(results):
                fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:k]
        return [Hit(self.index.chunks[position], score, "hybrid") for position, score in best]
