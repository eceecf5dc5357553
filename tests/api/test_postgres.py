"""Sessions in PostgreSQL, shared by several server processes: a throwaway cluster of the real server (the
``postgres_url`` fixture), ``wenzhen serve`` started as a user starts it, twice, with two workers once."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.api.test_server import QUESTION_TURN, ready
from tests.conftest import free_port
from wenzhen.agent.consultant import make_checkpointer
from wenzhen.api.registry import SessionRegistry
from wenzhen.kg_loader.store import GraphStore


def test_the_session_registry_in_postgresql(postgres_url: str) -> None:
    first, second = SessionRegistry(postgres_url), SessionRegistry(postgres_url)  # two workers' views
    try:
        first.create("pg-1", owner="clinic-a")
        assert second.owner("pg-1") == "clinic-a" and second.owner("pg-2") is None
        second.remember("digest-a", "pg-1")
        second.remember("digest-a", "pg-1")  # the same conversation again: no duplicate
        assert first.continued("digest-a", "clinic-a") == "pg-1"
        assert first.continued("digest-a", "clinic-b") is None  # another key's conversation
        assert "pg-1" in second.untouched_since(time.time() + 1) and not second.untouched_since(0)
        first.delete("pg-1")
        assert second.owner("pg-1") is None and second.continued("digest-a", "clinic-a") is None
    finally:
        first.close()
        second.close()


@contextmanager
def wenzhen_serve(env: dict[str, str], *options: str) -> Iterator[str]:
    """``wenzhen serve`` in its own process on a free port, until it is ready; yields its URL."""
    port = free_port()
    log = Path(env["WENZHEN_DATA_DIR"]) / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["wenzhen", "serve", "--port", str(port), *options], env=env, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            deadline = time.monotonic() + 300
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if ready(http).status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_two_servers_on_one_postgresql_share_sessions(
    demo_graph: GraphStore,
    tiny_model_dir: Path,
    embedder: Any,
    postgres_url: str,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    env = {
        **cli_env,
        "WENZHEN_SESSIONS": postgres_url,
        "WENZHEN_MODEL": str(tiny_model_dir),
        "WENZHEN_ADAPTER": "none",
        "WENZHEN_MAX_NEW_TOKENS": "8",
        "WENZHEN_INDEX_DIR": str(tmp_path / "no-index"),
    }
    with (
        wenzhen_serve(env, "--workers", "2") as one,
        wenzhen_serve(env) as other,
        httpx.Client(timeout=60) as http,
    ):
        session = http.post(f"{one}/v1/sessions").json()["session_id"]
        first = http.post(f"{one}/v1/sessions/{session}/messages", json={"text": QUESTION_TURN}).json()
        assert first["kind"] == "question"
        follow = http.post(f"{other}/v1/sessions/{session}/messages", json={"text": "不知道"})
        assert follow.status_code == 200  # the other server knows the session and its pending question:
        assert follow.json()["question"] != first["question"]  # answered, so not asked again
        history = http.get(f"{one}/v1/sessions/{session}").json()["messages"]
        expected = [QUESTION_TURN, first["text"], "不知道", follow.json()["text"]]
        assert [m["content"] for m in history] == expected

        said: list[dict[str, str]] = [{"role": "user", "content": QUESTION_TURN}]
        opened = http.post(f"{one}/v1/chat/completions", json={"model": "wenzhen", "messages": said}).json()
        said += [{"role": "assistant", "content": opened["choices"][0]["message"]["content"]}]
        said += [{"role": "user", "content": "没有"}]
        resent = http.post(f"{other}/v1/chat/completions", json={"model": "wenzhen", "messages": said}).json()
        assert resent["wenzhen"]["session_id"] == opened["wenzhen"]["session_id"]  # continued elsewhere

        assert http.delete(f"{other}/v1/sessions/{session}").status_code == 204
        assert http.get(f"{one}/v1/sessions/{session}").status_code == 404


def test_workers_starting_together_set_up_the_sessions_tables_once(postgres_url: str) -> None:
    """Eight workers' first connection at the same moment, on a database without the tables: each sets up
    LangGraph's checkpoint tables (one at a time; before, two inserted the same migration row and one
    worker died with a unique violation)."""
    import psycopg

    fresh = f"wenzhen_setup_{time.monotonic_ns()}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {fresh}")
    url = postgres_url.rsplit("/", 1)[0] + f"/{fresh}"
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def start_worker() -> None:
        with ExitStack() as stack:
            barrier.wait()
            try:
                make_checkpointer(url, stack)
            except BaseException as err:
                errors.append(err)

    workers = [threading.Thread(target=start_worker) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []
    with psycopg.connect(url) as connection:
        versions = [row[0] for row in connection.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
    assert versions == sorted(set(versions)) and versions
