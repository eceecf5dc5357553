"""The embedded ArcadeDB: reused across processes, never started twice, stops when unused, persists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.embedded import EmbeddedServer
from wenzhen.kg_loader.store import GraphStore, connect


def test_a_second_process_reuses_the_running_server(
    session_store: GraphStore, data_dir: Path, cli_env: dict[str, str]
) -> None:
    state = json.loads((data_dir / "arcadedb" / "server.json").read_text())
    result = subprocess.run(["wenzhen", "kg", "stats", "--json"], env=cli_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["server"] == f"bolt://127.0.0.1:{state['bolt_port']}/wenzhen"
    assert json.loads((data_dir / "arcadedb" / "server.json").read_text())["pid"] == state["pid"]


def test_serve_refuses_to_start_a_second_server(session_store: GraphStore, cli_env: dict[str, str]) -> None:
    serve = ["wenzhen", "kg", "serve"]
    result = subprocess.run(serve, env=cli_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "already runs" in result.stderr  # a server that cannot be started


def test_on_demand_server_stops_when_unused_and_data_persists(tmp_path: Path) -> None:
    script = (
        "import sys, pathlib\n"
        "from wenzhen.kg_loader.config import GraphSettings\n"
        "from wenzhen.kg_loader.store import connect\n"
        "store = connect(GraphSettings(data_dir=pathlib.Path(sys.argv[1])))\n"
        "store.write(\"CREATE (:Disease {name: '持久病', source: 't', line: 1})\")\n"
        "store.close()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, timeout=120)
    server = EmbeddedServer(tmp_path / "arcadedb")
    deadline = time.monotonic() + 30
    while server.running() is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert server.running() is None, "the on-demand server outlived its last client"
    with connect(GraphSettings(data_dir=tmp_path, neo4j_uri=None)) as store:
        assert store.read("MATCH (d:Disease) RETURN d.name AS name") == [{"name": "持久病"}]


def test_the_embedded_graph_is_known_by_its_folder_not_its_port(
    session_store: GraphStore, graph_settings: GraphSettings
) -> None:
    """Checkpoints and locks follow the data: a kill-and-rerun, or a wipe, on another port finds them."""
    from wenzhen.kg_loader.cli import checkpoint_dir

    port = session_store.address.split(":")[2].split("/")[0]
    assert (
        session_store.identity == f"embedded:{graph_settings.embedded_dir.resolve()}/{session_store.database}"
    )
    assert port not in session_store.identity and port in session_store.address
    elsewhere = GraphStore(
        session_store.driver,
        session_store.database,
        "arcadedb",
        session_store.identity,
        address="bolt://127.0.0.1:1/wenzhen",
    )
    assert checkpoint_dir(graph_settings, elsewhere) == checkpoint_dir(graph_settings, session_store)
