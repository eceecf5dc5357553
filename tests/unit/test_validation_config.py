"""Name plausibility, settings precedence, checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_loader.checkpoint import Checkpoint, checkpoint_key
from kg_loader.config import GraphSettings
from kg_loader.readers.validation import clean_name, implausible_name


@pytest.mark.parametrize(
    "name", ["2-10天", "6个月-2年以上", "3-6个月", "0.00%", "约（3000 —— 8000元）", "13/16/18"]
)
def test_durations_prices_and_rates_are_not_names(name: str) -> None:
    assert implausible_name(name) is not None


@pytest.mark.parametrize("name", ["1型糖尿病", "乙肝", "HBsAg阳性", "13-三体综合征", "肝功能异常"])
def test_real_names_pass(name: str) -> None:
    assert implausible_name(name) is None


def test_truncated_long_empty_and_control_names() -> None:
    assert "truncated" in (implausible_name("枸橼酸西地那非...") or "")
    assert "longer" in (implausible_name("肝" * 61) or "")
    assert implausible_name("") == "empty name"
    assert "control" in (implausible_name("肝\x07炎") or "")
    assert clean_name("\u3000心脏早搏\u3000") == "心脏早搏"


def test_settings_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "WENZHEN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "wenzhen.toml"
    config.write_text('[graph]\nneo4j_uri = "bolt://file:7687"\nneo4j_user = "reader"\n')
    monkeypatch.setenv("WENZHEN_CONFIG", str(config))
    assert GraphSettings().neo4j_uri == "bolt://file:7687"
    monkeypatch.setenv("NEO4J_URI", "bolt://env:7687")
    settings = GraphSettings()
    assert (settings.neo4j_uri, settings.neo4j_user, settings.is_embedded) == (
        "bolt://env:7687",
        "reader",
        False,
    )
    monkeypatch.delenv("NEO4J_URI")
    monkeypatch.delenv("WENZHEN_CONFIG")
    assert GraphSettings().is_embedded


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHEN_CONFIG", "/nonexistent/wenzhen.toml")
    with pytest.raises(FileNotFoundError, match=r"/nonexistent/wenzhen\.toml"):
        GraphSettings()


def test_checkpoint_persists_and_key_depends_on_everything(tmp_path: Path) -> None:
    cp = Checkpoint(tmp_path / "a.done")
    cp.mark("nodes:Disease:0")
    cp.mark("edges:HAS_SYMPTOM:Disease:Symptom:p0:0")
    assert Checkpoint(tmp_path / "a.done").done == {
        "nodes:Disease:0",
        "edges:HAS_SYMPTOM:Disease:Symptom:p0:0",
    }
    base = checkpoint_key(b"data", "cmekg", 5000, 2, 1, "bolt://x/db")
    assert base == checkpoint_key(b"data", "cmekg", 5000, 2, 1, "bolt://x/db")
    assert base != checkpoint_key(b"data2", "cmekg", 5000, 2, 1, "bolt://x/db")
    assert base != checkpoint_key(b"data", "cmekg", 4000, 2, 1, "bolt://x/db")
    assert base != checkpoint_key(b"data", "cmekg", 5000, 2, 1, "bolt://y/db")
    cp.clear()
    assert not (tmp_path / "a.done").exists()
