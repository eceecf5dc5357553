"""The literature index as a LangChain retriever.

>>> retriever = LiteratureRetriever(searcher=searcher, k=4, mode="hybrid")     # doctest: +SKIP
>>> retriever.invoke("肝癌免疫治疗的适应人群")[0].metadata["chunk_id"]            # doctest: +SKIP

Each ``Document`` carries ``chunk_id``, ``doc_id``, ``source``, ``position``, ``start``, ``score`` and
``mode`` in its metadata, plus the chunk's own metadata.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from wenzhen.retrieval.search import Hit, LiteratureSearcher, Mode


def hit_to_document(hit: Hit) -> Document:
    chunk = hit.chunk
    metadata: dict[str, Any] = {
        **chunk.metadata,
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "source": chunk.source,
        "position": chunk.position,
        "start": chunk.start,
        "score": hit.score,
        "mode": hit.mode,
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id)


class LiteratureRetriever(BaseRetriever):
    """Dense, BM25 or hybrid search over the literature index; ``k`` and ``filters`` may be overridden
    per call (``retriever.invoke(query, k=2)``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: LiteratureSearcher
    k: int = Field(default=4, ge=1)
    mode: Mode = "hybrid"
    filters: dict[str, Any] = Field(default_factory=dict)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        hits = self.searcher.search(
            query,
            k=int(kwargs.get("k", self.k)),
            mode=kwargs.get("mode", self.mode),
            filters=kwargs.get("filters", self.filters) or None,
        )
        return [hit_to_document(hit) for hit in hits]
