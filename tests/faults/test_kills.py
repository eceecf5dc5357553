"""Fault injection: real `wenzhen` processes killed with SIGKILL at seeded random moments, then checked.

Slow (``pytest -m slow tests/faults``): each kill is a real process start. A load killed anywhere resumes to
exactly the graph of an uninterrupted load (nothing lost, nothing duplicated); an index build killed
anywhere leaves an index that opens and answers, either the old one whole or the new one whole.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.kg_loader.helpers import dump
from tests.retrieval.conftest import CORPUS
from wenzhen.kg_loader.cli import demo_kg_path
from wenzhen.kg_loader.loader import load_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.store import LiteratureIndex

pytestmark = pytest.mark.slow
SEEDS = range(5)


def killed_after(command: list[str], env: dict[str, str], seconds: float) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()


def emptied(store: GraphStore) -> None:
    while store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n").nodes_deleted:
        pass


@pytest.mark.parametrize("seed", SEEDS)
def test_a_load_killed_anywhere_resumes_to_the_uninterrupted_graph(
    store: GraphStore, tmp_path: Path, cli_env: dict[str, str], data_dir: Path, seed: int
) -> None:
    reference = load_file(store, demo_kg_path(), LoadOptions(batch_size=100), tmp_path / "reference")
    expected = dump(store)
    emptied(store)
    for stale in (data_dir / "checkpoints").glob("*/demo_kg.jsonl.*.done"):
        stale.unlink()  # an earlier seed's run
    at_batch = random.Random(seed).randint(1, reference.batches - 1)
    command = ["wenzhen", "kg", "load", str(demo_kg_path()), "--batch-size", "100"]
    process = subprocess.Popen(command, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, done = time.monotonic() + 120, 0
    while done < at_batch and process.poll() is None and time.monotonic() < deadline:
        files = list((data_dir / "checkpoints").glob("*/demo_kg.jsonl.*.done"))
        done = len(files[0].read_text().splitlines()) if files else 0
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert dump(store) != expected, "the kill came after the load had finished"
    rerun = subprocess.run(command, env=cli_env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert dump(store) == expected  # nothing lost, nothing duplicated


def write_corpus(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows))
    return path


@pytest.mark.parametrize("seed", SEEDS)
def test_an_index_build_killed_anywhere_leaves_an_index_whole(
    tmp_path: Path, cli_env: dict[str, str], embedder: Any, seed: int
) -> None:
    index = tmp_path / "index"
    env = {**cli_env, "WENZHEN_INDEX_DIR": str(index)}
    small = write_corpus(tmp_path / "small.jsonl", CORPUS)
    built = subprocess.run(
        ["wenzhen", "index", "build", str(small), "--text-field", "text", "--id-field", "id"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    bigger = [(f"doc-{n}", f"第{n}篇：{text}") for n in range(60) for _, text in CORPUS[:1]]
    large = write_corpus(tmp_path / "large.jsonl", bigger)
    command = ["wenzhen", "index", "build", str(large), "--text-field", "text", "--id-field", "id"]
    killed_after(command, env, random.Random(seed).uniform(3.0, 12.0))
    opened = LiteratureIndex.open(index)  # never half an index
    assert len(opened.chunks) in (len(CORPUS), len(bigger))
    assert {c.doc_id for c in opened.chunks} in ({i for i, _ in CORPUS}, {i for i, _ in bigger})
    assert len(list(index.glob("gen-*"))) <= 2  # the live one, and perhaps the one being written


@pytest.mark.parametrize("seed", SEEDS)
def test_an_index_add_or_delete_killed_anywhere_leaves_the_index_before_or_after(
    tmp_path: Path, cli_env: dict[str, str], embedder: Any, seed: int
) -> None:
    index = tmp_path / "index"
    env = {**cli_env, "WENZHEN_INDEX_DIR": str(index)}
    fields = ["--text-field", "text", "--id-field", "id"]
    small = write_corpus(tmp_path / "small.jsonl", CORPUS)
    built = subprocess.run(["wenzhen", "index", "build", str(small), *fields], env=env, timeout=300)
    assert built.returncode == 0
    before = {c.doc_id for c in LiteratureIndex.open(index).chunks}
    extra = [(f"extra-{n}", f"补充第{n}篇：{CORPUS[1][1]}") for n in range(40)]
    more = write_corpus(tmp_path / "more.jsonl", extra)
    rng = random.Random(seed)
    killed_after(["wenzhen", "index", "add", str(more), *fields], env, rng.uniform(3.0, 10.0))
    after_add = {c.doc_id for c in LiteratureIndex.open(index).chunks}
    assert after_add in (before, before | {i for i, _ in extra})
    killed_after(["wenzhen", "index", "delete", "--doc", "hbv"], env, rng.uniform(1.0, 6.0))
    after_delete = {c.doc_id for c in LiteratureIndex.open(index).chunks}
    assert after_delete in (after_add, after_add - {"hbv"})


def graph_counts(env: dict[str, str]) -> dict[str, Any]:
    stats = subprocess.run(["wenzhen", "kg", "stats", "--json"], env=env, capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    counts: dict[str, Any] = json.loads(stats.stdout)
    counts.pop("server")
    return counts


def serving(env: dict[str, str], bolt: int) -> subprocess.Popen[bytes]:
    command = ["wenzhen", "kg", "serve", "--bolt-port", str(bolt), "--http-port", str(free_port())]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while subprocess.run(["wenzhen", "kg", "stats"], env=env, capture_output=True).returncode != 0:
        assert server.poll() is None and time.monotonic() < deadline, "the graph server did not start"
        time.sleep(0.5)
    return server


def test_kill_wipe_and_serve_elsewhere_then_load_gives_the_whole_graph(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """The issue's sequence: serve on a fixed port, kill a load, stop, wipe (an on-demand server on another
    port), serve on the first port again, load: the whole graph, not "0 relations … already present"."""
    reference_env = {**cli_env, "WENZHEN_DATA_DIR": str(tmp_path / "reference")}
    load = ["wenzhen", "kg", "load", str(demo_kg_path()), "--batch-size", "100"]
    assert subprocess.run(load, env=reference_env, capture_output=True).returncode == 0
    expected = graph_counts(reference_env)

    env = {**cli_env, "WENZHEN_DATA_DIR": str(tmp_path / "data")}
    bolt = free_port()
    server = serving(env, bolt)
    process = subprocess.Popen(load, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, done = time.monotonic() + 120, 0
    while done < 5 and process.poll() is None and time.monotonic() < deadline:
        files = list((tmp_path / "data" / "checkpoints").glob("*/demo_kg.jsonl.*.done"))
        done = len(files[0].read_text().splitlines()) if files else 0
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert graph_counts(env) != expected, "the kill came after the load had finished"
    server.terminate()
    server.wait(timeout=60)
    assert subprocess.run(["wenzhen", "kg", "wipe", "--yes"], env=env, capture_output=True).returncode == 0
    server = serving(env, bolt)
    try:
        reloaded = subprocess.run(load, env=env, capture_output=True, text=True, timeout=300)
        assert reloaded.returncode == 0, reloaded.stderr
        assert graph_counts(env) == expected
    finally:
        server.terminate()
        server.wait(timeout=60)
