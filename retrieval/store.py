"""The literature index on disk: chunks, their vectors, a FAISS index and a BM25 index, replaced atomically.

>>> index = LiteratureIndex.open(Path("~/.local/share/wenzhen/index"))      # doctest: +SKIP
>>> index.add(chunks, vectors); index.save()                               # doctest: +SKIP

Layout: ``<dir>/CURRENT`` names the live generation ``<dir>/gen-<n>/`` holding ``meta.json``,
``chunks.jsonl`` (chunk, metadata, BM25 tokens), ``vectors.npy`` and ``faiss.index``. A save writes a new
generation, numbered past every one on disk (a fresh build never reuses the live one's), and then swaps
``CURRENT`` (an atomic rename), so a reader or a crash never sees half an index. A writer holds
:meth:`LiteratureIndex.writing` from reading the index to saving it, so that two writers never both start
from the same generation (one's change would be lost).
The FAISS index is exact inner product up to ``approximate_above`` chunks and HNSW past it; on a machine
where faiss reports GPUs, the exact index is searched on them.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from wenzhen.core.locks import writer_lock
from wenzhen.retrieval.chunking import Chunk
from wenzhen.retrieval.errors import IndexMismatch, IndexMissing
from wenzhen.retrieval.text_tokens import bm25_tokens

HNSW_NEIGHBOURS = 32


@dataclass
class IndexMeta:
    embedder: str
    dim: int
    kind: str = "flat"
    generation: int = 0


def make_faiss_index(vectors: np.ndarray, approximate_above: int) -> Any:
    dim = vectors.shape[1]
    index: Any
    if len(vectors) > approximate_above:
        index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def on_gpus(index: Any) -> Any:
    """The exact index moved to all GPUs faiss sees; unchanged on a CPU-only machine or build."""
    if (
        isinstance(index, faiss.IndexFlat)
        and hasattr(faiss, "index_cpu_to_all_gpus")
        and faiss.get_num_gpus()
    ):
        return faiss.index_cpu_to_all_gpus(index)
    return index


class LiteratureIndex:
    def __init__(
        self,
        root: Path,
        meta: IndexMeta,
        chunks: list[Chunk],
        tokens: list[list[str]],
        vectors: np.ndarray,
        faiss_index: Any,
        shadows: list[Chunk] | None = None,
    ) -> None:
        self.root = root
        self.meta = meta
        self.chunks = chunks
        self.tokens = tokens
        self.vectors = vectors
        self.shadows = shadows or []
        """Chunks of other documents whose text an indexed chunk already holds (indexed once): each keeps its
        document's claim, and takes the indexed chunk's place if that one's document is deleted."""
        self.faiss_index = faiss_index
        self.search_index = on_gpus(faiss_index)
        self._bm25: Any = None

    # persistence ---------------------------------------------------------------------------------------
    @classmethod
    def create(cls, root: Path, embedder: str, dim: int) -> LiteratureIndex:
        return cls(
            root, IndexMeta(embedder, dim), [], [], np.zeros((0, dim), np.float32), faiss.IndexFlatIP(dim)
        )

    @classmethod
    def exists(cls, root: Path) -> bool:
        return (root / "CURRENT").is_file()

    @classmethod
    def open(cls, root: Path) -> LiteratureIndex:
        if not cls.exists(root):
            raise IndexMissing(f"no index at {root}: build one with `wenzhen index build SRC...`")
        generation = root / (root / "CURRENT").read_text().strip()
        meta = IndexMeta(**json.loads((generation / "meta.json").read_text()))
        chunks, tokens = [], []
        with (generation / "chunks.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                tokens.append(row.pop("tokens"))
                chunks.append(Chunk(**row))
        vectors = np.load(generation / "vectors.npy")
        shadows_file = generation / "shadows.jsonl"
        shadows = []
        if shadows_file.is_file():
            with shadows_file.open(encoding="utf-8") as handle:
                shadows = [Chunk(**json.loads(line)) for line in handle]
        faiss_index = faiss.read_index(str(generation / "faiss.index"))
        return cls(root, meta, chunks, tokens, vectors, faiss_index, shadows)

    @staticmethod
    def writing(
        root: Path, wait_s: float = 0.0, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[None]:
        """The index's writer lock (``write.lock``), held by the caller from opening to :meth:`save`."""
        return writer_lock(root / "write.lock", "index writer", str(root), wait_s, on_wait)

    def save(self) -> Path:
        """Write a new generation beside the live one, then make it live (under :meth:`writing`)."""
        self.root.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        self.meta.generation = max([self.meta.generation, *taken]) + 1  # never the live one's number
        name = f"gen-{self.meta.generation:06d}"
        generation = self.root / name
        generation.mkdir()
        with (generation / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk, tokens in zip(self.chunks, self.tokens, strict=True):
                handle.write(json.dumps({**asdict(chunk), "tokens": tokens}, ensure_ascii=False) + "\n")
        with (generation / "shadows.jsonl").open("w", encoding="utf-8") as handle:
            for shadow in self.shadows:
                handle.write(json.dumps(asdict(shadow), ensure_ascii=False) + "\n")
        np.save(generation / "vectors.npy", self.vectors)
        faiss.write_index(self.faiss_index, str(generation / "faiss.index"))
        (generation / "meta.json").write_text(json.dumps(asdict(self.meta)))
        pointer = self.root / "CURRENT.tmp"
        pointer.write_text(name)
        os.replace(pointer, self.root / "CURRENT")
        for old in self.root.glob("gen-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return generation

    # changes -------------------------------------------------------------------------------------------
    def vectors_by_content(self) -> dict[str, np.ndarray]:
        """Each chunk's vector by the hash of its text."""
        return {chunk.content_hash: vector for chunk, vector in zip(self.chunks, self.vectors, strict=True)}

    def check_embedder(self, embedder: str, dim: int) -> None:
        if (self.meta.embedder, self.meta.dim) != (embedder, dim):
            raise IndexMismatch(
                f"the index at {self.root} was built with {self.meta.embedder} ({self.meta.dim} dims), "
                f"not {embedder} ({dim} dims); rebuild it with `wenzhen index build`"
            )

    def doc_ids(self) -> set[str]:
        return {chunk.doc_id for chunk in (*self.chunks, *self.shadows)}

    def content_hashes(self) -> set[str]:
        return {chunk.content_hash for chunk in self.chunks}

    def add(self, chunks: list[Chunk], vectors: np.ndarray, approximate_above: int) -> None:
        self.chunks += chunks
        self.tokens += [bm25_tokens(chunk.text) for chunk in chunks]
        self.vectors = np.vstack([self.vectors, vectors.astype(np.float32)])
        wants_hnsw = len(self.chunks) > approximate_above
        if wants_hnsw != isinstance(self.faiss_index, faiss.IndexHNSWFlat):
            self.faiss_index = make_faiss_index(self.vectors, approximate_above)
        elif len(vectors):
            self.faiss_index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self._refresh()

    def add_shadows(self, shadows: list[Chunk]) -> None:
        """Record chunks whose text is already indexed (see :attr:`shadows`)."""
        self.shadows += shadows

    def delete_docs(self, doc_ids: set[str], approximate_above: int) -> int:
        """Remove the documents' chunks; an indexed chunk another document shares passes to it. Returns how
        many chunks of theirs were removed."""
        gone_shadows = sum(shadow.doc_id in doc_ids for shadow in self.shadows)
        self.shadows = [shadow for shadow in self.shadows if shadow.doc_id not in doc_ids]
        waiting: dict[str, Chunk] = {}
        for shadow in self.shadows:
            waiting.setdefault(shadow.content_hash, shadow)
        keep, heirs = [], []
        for i, chunk in enumerate(self.chunks):
            if chunk.doc_id not in doc_ids:
                keep.append(i)
            elif (heir := waiting.pop(chunk.content_hash, None)) is not None:
                keep.append(i)
                heirs.append((i, heir))
        removed = len(self.chunks) - len(keep) + len(heirs)
        if not removed and not gone_shadows:
            return 0
        for i, heir in heirs:  # same text, same vector and tokens: the heir takes the chunk's place
            self.chunks[i] = heir
            self.shadows.remove(heir)
        self.chunks = [self.chunks[i] for i in keep]
        self.tokens = [self.tokens[i] for i in keep]
        self.vectors = self.vectors[keep]
        self.faiss_index = make_faiss_index(self.vectors, approximate_above)
        self._refresh()
        return removed + gone_shadows

    def _refresh(self) -> None:
        self.meta.kind = "hnsw" if isinstance(self.faiss_index, faiss.IndexHNSWFlat) else "flat"
        self.search_index = on_gpus(self.faiss_index)
        self._bm25 = None

    # BM25 ----------------------------------------------------------------------------------------------
    @property
    def bm25(self) -> Any:
        """The BM25 index over the chunks' stored tokens (built on first use, not re-tokenised)."""
        if self._bm25 is None:
            import bm25s

            self._bm25 = bm25s.BM25()
            self._bm25.index([tokens or ["\0"] for tokens in self.tokens], show_progress=False)
        return self._bm25
