"""Concurrent writers, some killed: loads of the same graph and writers of the same index wait for each
other (``--wait``) or end with one line, and nothing is lost or duplicated.

Slow (``pytest -m slow tests/faults``): every writer is a real ``wenzhen`` process.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.test_kills import emptied, write_corpus
from tests.retrieval.conftest import CORPUS
from wenzhen.kg_loader.cli import concepts_path, demo_kg_path
from wenzhen.kg_loader.loader import load_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.store import LiteratureIndex

pytestmark = pytest.mark.slow
FIELDS = ["--text-field", "text", "--id-field", "id"]


def shape(store: GraphStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Nodes by labels and name, relations by ends and type: what two files loaded in either order share
    (which file's row a shared node's provenance names depends on the order)."""
    nodes = store.read("MATCH (n) RETURN labels(n) AS l, n.name AS name")
    edges = store.read("MATCH (a)-[r]->(b) RETURN a.name AS a, type(r) AS t, b.name AS b")
    return (
        sorted((tuple(sorted(row["l"])), row["name"]) for row in nodes),
        sorted((row["a"], row["t"], row["b"]) for row in edges),
    )


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=600)
    return process.returncode, out + err


@pytest.mark.parametrize("seed", range(3))
def test_concurrent_loads_wait_for_each_other_and_a_killed_one_resumes(
    store: GraphStore, tmp_path: Path, cli_env: dict[str, str], data_dir: Path, seed: int
) -> None:
    files = [demo_kg_path(), concepts_path()]
    for path in files:
        load_file(store, path, LoadOptions(batch_size=100), tmp_path / "reference")
    expected = shape(store)
    emptied(store)
    for stale in (data_dir / "checkpoints").glob("*/*.done"):
        stale.unlink()  # an earlier seed's run
    commands = [
        ["wenzhen", "kg", "load", str(path), "--batch-size", "100", "--wait", "600"] for path in files
    ]
    rng = random.Random(seed)
    processes = [start(command, cli_env) for command in commands]
    victim = rng.randrange(2)
    time.sleep(rng.uniform(2.0, 8.0))
    processes[victim].send_signal(signal.SIGKILL)
    processes[victim].wait()
    code, output = finished(processes[1 - victim])
    assert code == 0, output
    rerun = subprocess.run(commands[victim], env=cli_env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert shape(store) == expected  # nothing lost, nothing duplicated


def test_a_second_load_without_wait_ends_in_one_line_and_writes_nothing(
    store: GraphStore, cli_env: dict[str, str], data_dir: Path
) -> None:
    for stale in (data_dir / "checkpoints").glob("*/*.done"):
        stale.unlink()
    first = start(["wenzhen", "kg", "load", str(demo_kg_path()), "--batch-size", "50"], cli_env)
    deadline = time.monotonic() + 120
    while not list((data_dir / "checkpoints").glob("*/load.holder")):
        assert first.poll() is None and time.monotonic() < deadline, "the first load never took the lock"
        time.sleep(0.05)
    second = subprocess.run(
        ["wenzhen", "kg", "load", str(concepts_path())], env=cli_env, capture_output=True, text=True
    )
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert second.stderr.count("error:") == 1 and "another load is writing to" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert finished(first)[0] == 0
    assert not store.read("MATCH (c:SymptomConcept) RETURN c LIMIT 1")  # the second wrote nothing


def doc_ids(index: Path) -> set[str]:
    return {chunk.doc_id for chunk in LiteratureIndex.open(index).chunks}


@pytest.mark.parametrize("seed", range(3))
def test_concurrent_index_writers_lose_nothing_and_a_killed_one_loses_only_its_own(
    tmp_path: Path, cli_env: dict[str, str], embedder: Any, seed: int
) -> None:
    index = tmp_path / "index"
    env = {**cli_env, "WENZHEN_INDEX_DIR": str(index)}
    built = subprocess.run(
        ["wenzhen", "index", "build", str(write_corpus(tmp_path / "base.jsonl", CORPUS)), *FIELDS], env=env
    )
    assert built.returncode == 0
    batches = {
        name: [(f"{name}-{n}", f"{name}第{n}篇：{CORPUS[n % len(CORPUS)][1]}") for n in range(15)]
        for name in ("a", "b")
    }
    writers = {
        name: ["wenzhen", "index", "add", str(write_corpus(tmp_path / f"{name}.jsonl", rows)), *FIELDS]
        for name, rows in batches.items()
    }
    writers["delete"] = ["wenzhen", "index", "delete", "--doc", "hbv"]
    processes = {name: start([*command, "--wait", "600"], env) for name, command in writers.items()}
    rng = random.Random(seed)
    victim = rng.choice(sorted(processes))
    time.sleep(rng.uniform(1.0, 6.0))
    processes[victim].send_signal(signal.SIGKILL)
    for name, process in processes.items():
        code, output = finished(process)
        assert name == victim or code == 0, output
    changes = {name: {i for i, _ in rows} for name, rows in batches.items()}
    expected = ({i for i, _ in CORPUS} - {"hbv"}) | changes["a"] | changes["b"]
    undone = {"delete": {"hbv"}, "a": set(), "b": set()}[victim]  # the victim's change, if it was killed
    lost = changes.get(victim, set())
    assert doc_ids(index) in (expected, (expected - lost) | undone)  # every other change is there


def test_a_second_index_writer_without_wait_ends_in_one_line(
    tmp_path: Path, cli_env: dict[str, str], embedder: Any
) -> None:
    index = tmp_path / "index"
    env = {**cli_env, "WENZHEN_INDEX_DIR": str(index)}
    assert (
        subprocess.run(
            ["wenzhen", "index", "build", str(write_corpus(tmp_path / "base.jsonl", CORPUS)), *FIELDS],
            env=env,
        ).returncode
        == 0
    )
    rows = [(f"long-{n}", f"第{n}篇：{CORPUS[0][1]}") for n in range(80)]
    first = start(["wenzhen", "index", "add", str(write_corpus(tmp_path / "long.jsonl", rows)), *FIELDS], env)
    deadline = time.monotonic() + 120
    while not (index / "write.holder").exists():
        assert first.poll() is None and time.monotonic() < deadline, "the first writer never took the lock"
        time.sleep(0.05)
    second = subprocess.run(
        ["wenzhen", "index", "delete", "--doc", "hbv"], env=env, capture_output=True, text=True
    )
    assert second.returncode == 1 and second.stderr.count("error:") == 1
    assert "another index writer is writing to" in second.stderr and "Traceback" not in second.stderr
    assert finished(first)[0] == 0
    assert "hbv" in doc_ids(index) and {i for i, _ in rows} <= doc_ids(index)
