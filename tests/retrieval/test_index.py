"""The persistent FAISS + BM25 index: build, search modes, filters, update, delete, duplicates, HNSW."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.retrieval.conftest import CORPUS, write_corpus
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import JsonMapping
from wenzhen.retrieval.errors import IndexMismatch
from wenzhen.retrieval.indexer import delete_documents, index_sources
from wenzhen.retrieval.search import LiteratureSearcher
from wenzhen.retrieval.store import LiteratureIndex

MAPPING = JsonMapping(text=("text",), id="id", metadata=("topic",)).read


def searcher(settings: RetrievalSettings, embedder: Any) -> LiteratureSearcher:
    return LiteratureSearcher(LiteratureIndex.open(settings.index_dir), embedder)


def test_build_and_search_each_mode(corpus: Path, settings: RetrievalSettings, embedder: Any) -> None:
    report = index_sources([corpus], settings, embedder, MAPPING, replace=True)
    assert (report.documents, report.chunks_added, report.issues) == (len(CORPUS), len(CORPUS), [])
    search = searcher(settings, embedder)
    for mode in ("dense", "bm25", "hybrid"):
        hits = search.search("肝硬化病人吐血怎么办", k=3, mode=mode)
        assert hits[0].chunk.doc_id == "cirrhosis-bleed", mode
        assert len(hits) <= 3 and all(h.mode == mode for h in hits)
    english = search.search("HCC ultrasound surveillance", k=1, mode="dense")
    assert english[0].chunk.doc_id in {"pubmed-en", "hcc-screen"}


def test_filters_restrict_every_mode(corpus: Path, settings: RetrievalSettings, embedder: Any) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    search = searcher(settings, embedder)
    for mode in ("dense", "bm25", "hybrid"):
        hits = search.search("肝癌", k=5, mode=mode, filters={"topic": "hcc"})
        assert hits and {h.chunk.doc_id for h in hits} <= {"hcc-immuno", "hcc-screen"}
    assert search.search("肝癌", filters={"topic": "nothing"}) == []


def test_index_persists_and_reopens_with_the_same_results(
    corpus: Path, settings: RetrievalSettings, embedder: Any
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    first = [h.chunk.chunk_id for h in searcher(settings, embedder).search("乙肝抗病毒药物", k=3)]
    generations = list(settings.index_dir.glob("gen-*"))
    assert len(generations) == 1 and (settings.index_dir / "CURRENT").read_text() == generations[0].name
    again = [h.chunk.chunk_id for h in searcher(settings, embedder).search("乙肝抗病毒药物", k=3)]
    assert first == again and first[0] == LiteratureIndex.open(settings.index_dir).chunks[3].chunk_id


def test_a_rebuild_that_dies_midway_leaves_the_live_index_as_it_was(
    corpus: Path, settings: RetrievalSettings, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    live = (settings.index_dir / "CURRENT").read_text()
    before = [h.chunk.chunk_id for h in searcher(settings, embedder).search("乙肝抗病毒药物", k=3)]

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # the process dies while the new generation is being written

    monkeypatch.setattr("wenzhen.retrieval.store.faiss.write_index", killed)
    with pytest.raises(KeyboardInterrupt):
        index_sources(
            [corpus], settings, embedder, MAPPING, replace=True
        )  # a fresh build: generation 1 again?
    monkeypatch.undo()
    assert (settings.index_dir / "CURRENT").read_text() == live
    assert [h.chunk.chunk_id for h in searcher(settings, embedder).search("乙肝抗病毒药物", k=3)] == before
    index_sources([corpus], settings, embedder, MAPPING, replace=True)  # the next build cleans up
    assert [p.name for p in settings.index_dir.glob("gen-*")] == [
        (settings.index_dir / "CURRENT").read_text()
    ]


def test_add_updates_documents_and_skips_duplicates(
    tmp_path: Path, corpus: Path, settings: RetrievalSettings, embedder: Any
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    changed = write_corpus(
        tmp_path / "update",
        [
            ("hbv", "慢性乙肝患者可选用恩替卡韦、替诺福韦或丙酚替诺福韦抗病毒治疗。"),
            ("copy-of-fatty-liver", CORPUS[4][1]),
            ("new-doc", "肝移植是终末期肝病的根治手段。"),
        ],
    )
    report = index_sources([changed], settings, embedder, MAPPING)
    assert (report.documents_replaced, report.duplicates_skipped, report.chunks_added) == (1, 1, 2)
    index = LiteratureIndex.open(settings.index_dir)
    assert len(index.chunks) == len(CORPUS) + 1
    hbv = [c.text for c in index.chunks if c.doc_id == "hbv"]
    assert hbv == ["慢性乙肝患者可选用恩替卡韦、替诺福韦或丙酚替诺福韦抗病毒治疗。"]
    assert searcher(settings, embedder).search("肝移植", k=1)[0].chunk.doc_id == "new-doc"


def test_delete_by_document(corpus: Path, settings: RetrievalSettings, embedder: Any) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    assert delete_documents(settings, {"cirrhosis-bleed"}) == 1
    hits = searcher(settings, embedder).search("肝硬化呕血", k=10, mode="hybrid")
    assert "cirrhosis-bleed" not in {h.chunk.doc_id for h in hits} and len(hits) == len(CORPUS) - 1
    assert delete_documents(settings, {"no-such-doc"}) == 0


def test_deleting_a_document_keeps_the_text_another_document_shares(
    tmp_path: Path, corpus: Path, settings: RetrievalSettings, embedder: Any
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    copy = write_corpus(tmp_path / "copy", [("copy-of-fatty-liver", CORPUS[4][1])])
    assert index_sources([copy], settings, embedder, MAPPING).duplicates_skipped == 1  # indexed once
    assert delete_documents(settings, {"fatty-liver"}) == 1
    index = LiteratureIndex.open(settings.index_dir)
    assert "copy-of-fatty-liver" in index.doc_ids() and len(index.chunks) == len(CORPUS)
    hit = searcher(settings, embedder).search("脂肪肝怎么治疗", k=1)[0]
    assert hit.chunk.doc_id == "copy-of-fatty-liver" and hit.chunk.text == CORPUS[4][1]  # still found
    assert delete_documents(settings, {"copy-of-fatty-liver"}) == 1
    index = LiteratureIndex.open(settings.index_dir)
    assert "copy-of-fatty-liver" not in index.doc_ids() and len(index.chunks) == len(CORPUS) - 1


def test_a_file_added_again_by_another_path_replaces_its_old_version(
    tmp_path: Path, settings: RetrievalSettings, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text("肝硬化患者要戒酒。", encoding="utf-8")
    index_sources([Path("notes.md")], settings, embedder, replace=True)
    Path("notes.md").write_text("肝硬化患者要戒酒，并限制食盐。", encoding="utf-8")
    report = index_sources([tmp_path / "notes.md"], settings, embedder)  # the same file, by its full path
    index = LiteratureIndex.open(settings.index_dir)
    assert report.documents_replaced == 1 and [c.text for c in index.chunks] == [
        "肝硬化患者要戒酒，并限制食盐。"
    ]
    assert index.doc_ids() == {str((tmp_path / "notes.md").resolve())}


def test_approximate_index_past_the_threshold_finds_the_same_top_hit(
    corpus: Path, settings: RetrievalSettings, embedder: Any
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    exact = searcher(settings, embedder).search("晚期肝癌免疫治疗", k=1, mode="dense")[0].chunk.doc_id
    hnsw_settings = settings.model_copy(update={"approximate_above": 3})
    index_sources([corpus], hnsw_settings, embedder, MAPPING, replace=True)
    index = LiteratureIndex.open(settings.index_dir)
    assert index.meta.kind == "hnsw"
    assert (
        LiteratureSearcher(index, embedder).search("晚期肝癌免疫治疗", k=1, mode="dense")[0].chunk.doc_id
        == exact
    )


def test_another_embedder_is_refused(corpus: Path, settings: RetrievalSettings, embedder: Any) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    other = settings.model_copy(update={"embedder": "/models/another-one"})
    with pytest.raises(IndexMismatch, match="another-one"):
        index_sources([corpus], other, embedder, MAPPING)


@pytest.mark.gpu
def test_exact_index_moves_to_gpus() -> None:
    import faiss

    from wenzhen.retrieval.store import on_gpus

    if not hasattr(faiss, "get_num_gpus") or faiss.get_num_gpus() == 0:
        pytest.skip("faiss sees no GPU")
    assert "Gpu" in type(on_gpus(faiss.IndexFlatIP(8))).__name__


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, model: Any) -> None:
        self.model, self.embedded = model, 0
        self.tokenizer = model.tokenizer

    def get_embedding_dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode_document(self, texts: list[str], **kwargs: Any) -> Any:
        self.embedded += len(texts)
        return self.model.encode_document(texts, **kwargs)


def test_a_rebuild_embeds_only_what_changed(
    corpus: Path, settings: RetrievalSettings, embedder: Any, tmp_path: Path
) -> None:
    index_sources([corpus], settings, embedder, MAPPING, replace=True)
    before = searcher(settings, embedder).search("肝硬化病人吐血怎么办", k=3)
    counting = CountingEmbedder(embedder)
    again = index_sources([corpus], settings, counting, MAPPING, replace=True)
    assert counting.embedded == 0 and again.chunks_reused == again.chunks_added == len(CORPUS)
    after = searcher(settings, embedder).search("肝硬化病人吐血怎么办", k=3)
    assert [(h.chunk.chunk_id, round(h.score, 5)) for h in after] == [
        (h.chunk.chunk_id, round(h.score, 5)) for h in before
    ]
    edited = write_corpus(
        tmp_path / "edited.jsonl", [(CORPUS[0][0], CORPUS[0][1] + "另有新的研究。"), *CORPUS[1:]]
    )
    changed = index_sources([edited], settings, counting, MAPPING, replace=True)
    assert counting.embedded == 1 and changed.chunks_reused == len(CORPUS) - 1
