"""LangChain's standard retriever tests (langchain-tests), run against the real index and model."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from tests.retrieval.conftest import write_corpus
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import JsonMapping
from wenzhen.retrieval.embedder import load_embedder
from wenzhen.retrieval.indexer import index_sources
from wenzhen.retrieval.langchain_retriever import LiteratureRetriever
from wenzhen.retrieval.search import LiteratureSearcher
from wenzhen.retrieval.store import LiteratureIndex

pytestmark = pytest.mark.model  # builds the real embedder itself (the standard tests take no fixtures)


@cache
def demo_searcher() -> LiteratureSearcher:
    folder = Path(tempfile.mkdtemp(prefix="wz-lc-"))
    settings = RetrievalSettings(index_dir=folder / "index")
    model = load_embedder(settings)
    mapping = JsonMapping(text=("text",), id="id", metadata=("topic",)).read
    index_sources([write_corpus(folder)], settings, model, mapping, replace=True)
    return LiteratureSearcher(LiteratureIndex.open(settings.index_dir), model)


@pytest.mark.usefixtures("data_dir")
class TestLiteratureRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[LiteratureRetriever]:
        return LiteratureRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"searcher": demo_searcher(), "mode": "hybrid"}

    @property
    def retriever_query_example(self) -> str:
        return "肝癌的筛查方法"


def test_documents_carry_provenance(data_dir: Path) -> None:
    retriever = LiteratureRetriever(searcher=demo_searcher(), k=2, mode="dense")
    documents = retriever.invoke("肝硬化出血")
    assert len(documents) == 2
    top = documents[0]
    assert top.metadata["doc_id"] == "cirrhosis-bleed" and top.id == top.metadata["chunk_id"]
    assert top.metadata["source"].endswith("corpus.jsonl") and top.metadata["topic"] == "cirrhosis"
    assert isinstance(top.metadata["score"], float) and top.metadata["mode"] == "dense"
    filtered = retriever.invoke("肝癌", filters={"topic": "hbv"})
    assert [d.metadata["doc_id"] for d in filtered] == ["hbv"]
