"""Name plausibility, the graph settings (NEO4J_* names, file, environment), checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.core.files import decode_file
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.checkpoint import Checkpoint, checkpoint_key
from wenzhen.kg_loader.cli import demo_kg_path
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.readers import READERS
from wenzhen.kg_loader.readers.validation import clean_name, implausible_name
from wenzhen.kg_loader.records import Record


@pytest.mark.parametrize(
    "name", ["2-10天", "6个月-2年以上", "3-6个月", "0.00%", "约（3000 —— 8000元）", "13/16/18"]
)
def test_durations_prices_and_rates_are_not_names(name: str) -> None:
    assert implausible_name(name) is not None


@pytest.mark.parametrize(
    "name",
    [
        "1型糖尿病",
        "乙肝",
        "HBsAg阳性",
        "13-三体综合征",
        "肝功能异常",
        "肝胃不和",
        "强直性脊柱炎",
        "SARS",
        "COPD",
    ],
)
def test_real_names_pass(name: str) -> None:
    assert implausible_name(name) is None


@pytest.mark.parametrize(
    "name", ["Gardne", "Mirizz", "Milk-A", "Ehler-", "肛管、直肠、", "胆道蛔虫病与", "出血性休克和"]
)
def test_names_the_crawl_cut_at_six_characters_are_caught(name: str) -> None:
    assert "cut short by the crawl" in (implausible_name(name) or "")


def test_the_shipped_demo_graph_passes_every_check() -> None:
    text = decode_file(demo_kg_path()).text
    items = list(READERS["cmekg"]("demo_kg.jsonl", text))
    rejected = [item for item in items if isinstance(item, Issue)]
    dropped = [issue for item in items if isinstance(item, Record) for issue in item.dropped]
    assert len(items) > 1500 and not rejected and not dropped, (rejected[:3], dropped[:3])
    assert '"Gardne"' not in text and '"Gardner综合征"' in text  # the cut name gone, the real one kept


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
    monkeypatch.setenv("WENZHEN_NEO4J_URI", "bolt://prefixed:7687")  # only the names Neo4j tools use
    monkeypatch.setenv("URI", "bolt://bare:7687")
    assert GraphSettings().is_embedded
    monkeypatch.setenv("WENZHEN_ARCADEDB_HEAP", "2g")
    assert GraphSettings().arcadedb_heap == "2g"


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
