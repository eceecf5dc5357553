"""Every settings class of every package reads ``WENZHEN_<FIELD>`` and never the bare field name (``MODEL``,
``BATCH_SIZE``, ``DATA_DIR`` are other programs' variables); only the graph connection reads ``NEO4J_*``."""

from __future__ import annotations

import pytest

from wenzhen.agent.config import AgentSettings
from wenzhen.core.settings import PathSettings, WenzhenSettings
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.retrieval.config import RetrievalSettings

# A few fields of each class, set through their WENZHEN_* variable.
PREFIXED: dict[type[WenzhenSettings], dict[str, str]] = {
    PathSettings: {"data_dir": "/env/data", "cache_dir": "/env/cache"},
    GraphSettings: {"arcadedb_heap": "2g", "startup_timeout_s": "5.0"},
    RetrievalSettings: {"embedder": "/env/bge-m3", "batch_size": "7", "index_dir": "/env/index"},
    GeneratorSettings: {"model": "/env/model", "adapter": "none", "trust_remote_code": "true"},
    AgentSettings: {"max_questions": "3", "confidence": "0.8", "openai_model": "Bentsao"},
}


CLASSES = list(PREFIXED)


def env_name(cls: type[WenzhenSettings], field: str) -> str:
    alias = cls.model_fields[field].validation_alias
    return str(getattr(alias, "choices", [f"WENZHEN_{field}"])[0]).upper()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_bare_names_are_not_read_and_prefixed_ones_are(
    cls: type[WenzhenSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WENZHEN_CONFIG", raising=False)
    defaults = cls().model_dump()
    for field in cls.model_fields:  # a bare name would be read as this, and fail or change the value
        if env_name(cls, field) != field.upper():  # (NEO4J_URI is both)
            monkeypatch.setenv(field.upper(), "not-a-value-for-any-setting")
    assert cls().model_dump() == defaults
    for field, value in PREFIXED[cls].items():
        monkeypatch.setenv(f"WENZHEN_{field.upper()}", value)
    read = cls().model_dump()
    assert {field: str(read[field]).lower() for field in PREFIXED[cls]} == {
        field: value.lower() for field, value in PREFIXED[cls].items()
    }


def test_the_graph_connection_reads_the_neo4j_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHEN_CONFIG", raising=False)
    assert {env_name(GraphSettings, f) for f in GraphSettings.model_fields if f.startswith("neo4j_")} == {
        "NEO4J_URI",
        "NEO4J_USER",
        "NEO4J_PASSWORD",
        "NEO4J_DATABASE",
        "NEO4J_READ_USER",  # ours, named beside them: the read-only user of the same server
        "NEO4J_READ_PASSWORD",
    }
    others = [env_name(cls, f) for cls in CLASSES for f in cls.model_fields if not f.startswith("neo4j_")]
    assert all(name.startswith("WENZHEN_") for name in others)
