"""The loader against a real ArcadeDB over Bolt: schema, every format, rejects, idempotence, resume."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import ConstraintError

from tests.kg_loader.helpers import count, dump
from wenzhen.kg_loader.cli import demo_kg_path
from wenzhen.kg_loader.loader import LoadSummary, load_file, plan_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.schema import Label
from wenzhen.kg_loader.store import GraphStore
from wenzhen.kg_loader.writes import MissingEnds

DATA = Path(__file__).parents[1] / "data"


def load(store: GraphStore, tmp_path: Path, name: str | Path, **options: Any) -> LoadSummary:
    """Load a test data file (by name) or any path into ``store``."""
    path = name if isinstance(name, Path) else DATA / name
    return load_file(store, path, LoadOptions(**options), tmp_path / "checkpoints")


def test_schema_has_unique_names_per_label(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, "triples_sample.tsv")
    constraints = store.read("SHOW CONSTRAINTS YIELD labelsOrTypes, properties RETURN *")
    constrained = {row["labelsOrTypes"][0] for row in constraints if row["properties"] == ["name"]}
    assert {label.value for label in Label} <= constrained
    with pytest.raises(ConstraintError):
        store.write("CREATE (:Disease {name: '原发性肝癌'})")


FILES = [
    "cmekg_sample.jsonl",
    "disease_39net_sample.csv",
    "qakg_sample.json",
    "spo_sample.json",
    "triples_sample.tsv",
]


@pytest.mark.parametrize("name", FILES)
def test_each_format_loads_exactly_its_plan(store: GraphStore, tmp_path: Path, name: str) -> None:
    plan = plan_file(DATA / name, LoadOptions())[0]
    summary = load(store, tmp_path, name, batch_size=7)
    assert summary.nodes_created == len(plan.nodes) == count(store, "MATCH (n)")
    assert summary.relations_created == len(plan.edges) == count(store, "MATCH ()-[r]->()")
    for key, row in list(plan.nodes.items())[:20]:
        stored = store.read(
            f"MATCH (n:{key.label.value} {{name: $name}}) RETURN properties(n) AS p", {"name": key.name}
        )
        assert stored == [{"p": {"name": key.name, "source": name, "line": row.line, **row.props}}]
    missing = "MATCH ()-[r]->() WHERE r.source IS NULL OR r.line IS NULL OR r.predicate IS NULL"
    assert count(store, missing) == 0


def test_relation_keeps_predicate_and_source_line(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, "cmekg_sample.jsonl")
    rows = store.read(
        "MATCH (:Disease {name: '乙肝'})-[r:HAS_SYMPTOM]->(:Symptom {name: '肝肿大'}) "
        "RETURN r.predicate AS p, r.source AS s, r.line AS l"
    )
    assert rows == [{"p": "相关症状", "s": "cmekg_sample.jsonl", "l": 2}]
    aliases = store.read("MATCH (d:Disease)-[:HAS_ALIAS]->(:Alias {name: '乙型肝炎'}) RETURN d.name AS name")
    assert aliases == [{"name": "乙肝"}]


def test_rejected_rows_are_reported_and_not_loaded(store: GraphStore, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    summary = load(store, tmp_path, "cmekg_sample.jsonl", report=report)
    issues = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    rejected = [i for i in issues if i["action"] == "row rejected"]
    assert summary.rejected_rows == len(rejected) == 4
    assert {(i["source"], i["line"]) for i in rejected} == {("cmekg_sample.jsonl", n) for n in (4, 5, 6, 7)}
    assert all(i["reason"] for i in rejected)
    assert count(store, "MATCH (d:Disease {name: '2-10天'})") == 0
    assert count(store, "MATCH (d:Disease {name: '肝吸虫病'})") == 0
    assert count(store, "MATCH (s:Symptom {name: '胆管炎'})") == 0  # not half-loaded from the rejected row


def test_loading_twice_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    first = load(store, tmp_path, demo_kg_path(), batch_size=2000)
    before = dump(store)
    second = load(store, tmp_path, demo_kg_path(), batch_size=2000)
    assert dump(store) == before
    assert (second.nodes_created, second.relations_created) == (0, 0)
    assert second.nodes_present == first.nodes and second.relations_present == first.relations
    assert first.relations == len(before[1])


def test_overlapping_files_share_nodes(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, "cmekg_sample.jsonl")
    nodes_before = count(store, "MATCH (n)")
    summary = load(store, tmp_path, "disease_39net_sample.csv")
    assert summary.nodes_present > 0  # 乙肝, 阳痿 ... were created by the first file
    assert count(store, "MATCH (n)") == nodes_before + summary.nodes_created
    assert count(store, "MATCH (d:Disease {name: '乙肝'})") == 1


def test_killed_load_resumes_to_the_same_graph(
    store: GraphStore, tmp_path: Path, cli_env: dict[str, str], data_dir: Path
) -> None:
    """SIGKILL a real `wenzhen kg load` mid-way; the re-run ends with exactly the graph of a clean load."""
    command = ["wenzhen", "kg", "load", str(demo_kg_path()), "--batch-size", "150"]
    reference = load(store, tmp_path, demo_kg_path(), batch_size=150)
    expected = dump(store)
    while store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n").nodes_deleted:
        pass
    checkpoints = data_dir / "checkpoints"
    process = subprocess.Popen(command, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done_lines = 0
    while time.monotonic() < deadline and process.poll() is None:
        files = list(checkpoints.glob("*/demo_kg.jsonl.*.done"))
        done_lines = len(files[0].read_text().splitlines()) if files else 0
        if done_lines >= 8:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert done_lines >= 8, "the load was not caught mid-way"
    assert reference.batches > done_lines
    assert count(store, "MATCH ()-[r]->()") < reference.relations  # it really was interrupted
    rerun = subprocess.run(command, env=cli_env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "already done by an interrupted run" in rerun.stdout
    assert dump(store) == expected


def test_two_writers_build_the_same_graph(store: GraphStore, tmp_path: Path) -> None:
    one = load(store, tmp_path, demo_kg_path(), workers=1, batch_size=700)
    expected = dump(store)
    while store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n").nodes_deleted:
        pass
    two = load(store, tmp_path, demo_kg_path(), workers=2, batch_size=700)
    assert dump(store) == expected
    assert (two.nodes_created, two.relations_created) == (one.nodes_created, one.relations_created)


def test_a_resumed_load_whose_nodes_were_deleted_is_an_error_not_already_present(
    store: GraphStore, tmp_path: Path
) -> None:
    class Killed(Exception):
        pass

    written = 0

    def die_after_twelve(batch: object) -> None:
        nonlocal written
        written += 1
        if written == 12:
            raise Killed

    options = LoadOptions(batch_size=150)
    with pytest.raises(Killed):
        load_file(store, demo_kg_path(), options, tmp_path / "checkpoints", on_batch=die_after_twelve)
    while store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n").nodes_deleted:  # the graph wiped,
        pass  # its checkpoints not
    with pytest.raises(MissingEnds, match="lost nodes"):
        load(store, tmp_path, demo_kg_path(), batch_size=150)
