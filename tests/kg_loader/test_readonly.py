"""`kg query` is read-only: writes and schema changes are refused and nothing is written.

Twice over: by the client's check, and by the server itself (the embedded server's read-only user), which
refuses the writes sent to it straight past the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j.exceptions import Forbidden
from typer.testing import CliRunner

from tests.faults.attempts import QUERY_WRITES, SERVER_WRITES
from tests.kg_loader.helpers import count, everything
from wenzhen.api.cli import app
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.graph_schema import ensure_schema
from wenzhen.kg_loader.readonly import QueryTimedOut, WriteQueryRefused, run_read_only
from wenzhen.kg_loader.store import GraphStore, connect


@pytest.fixture
def small_graph(store: GraphStore) -> GraphStore:
    ensure_schema(store)
    store.write(
        "CREATE (d:Disease {name: '肝硬化', source: 't', line: 1})-[:HAS_SYMPTOM {predicate: '相关症状'}]->"
        "(:Symptom {name: '乏力', source: 't', line: 1})"
    )
    return store


@pytest.fixture(scope="module")
def reader(graph_settings: GraphSettings) -> Iterator[GraphStore]:
    """The same graph, connected as the read-only user (as `kg query`, the agent and the API are)."""
    store = connect(graph_settings, read_only=True)
    yield store
    store.close()


@pytest.mark.parametrize("query", QUERY_WRITES)
def test_writes_are_refused_and_nothing_changes(
    small_graph: GraphStore, reader: GraphStore, query: str
) -> None:
    before = everything(small_graph)
    with pytest.raises(WriteQueryRefused, match="not read-only"):
        run_read_only(reader, query)
    assert everything(small_graph) == before  # ArcadeDB keeps new labels even after a rollback


@pytest.mark.parametrize("query", SERVER_WRITES)
def test_the_server_refuses_writes_sent_past_the_client_check(
    small_graph: GraphStore, reader: GraphStore, query: str
) -> None:
    """Straight to the server as the read-only user, committed: refused there, schema changes included."""
    before = everything(small_graph)
    session = reader.driver.session(database=reader.database)
    with pytest.raises(Forbidden), session, session.begin_transaction() as tx:
        tx.run(query, {"p": "肝硬化"}).consume()
        tx.commit()
    assert everything(small_graph) == before


def test_the_read_only_user_reads(small_graph: GraphStore, reader: GraphStore) -> None:
    assert reader.read_only and not small_graph.read_only
    assert reader.read("MATCH (d:Disease)-[:HAS_SYMPTOM]->(s) RETURN d.name AS d, s.name AS s") == [
        {"d": "肝硬化", "s": "乏力"}
    ]


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (d:Disease) WHERE d.name <> 'CREATE' RETURN d.name AS name",
        "MATCH (d:Disease) RETURN d.name AS `set`, {delete: 1} AS m",
        "CALL db.labels() YIELD label RETURN label",
        "SHOW CONSTRAINTS YIELD name RETURN name",
    ],
)
def test_reads_that_mention_write_words_in_strings_or_names_run(small_graph: GraphStore, query: str) -> None:
    assert run_read_only(small_graph, query).rows


def test_reads_run_with_parameters_and_row_limit(small_graph: GraphStore) -> None:
    result = run_read_only(
        small_graph, "MATCH (d:Disease {name: $n})-[:HAS_SYMPTOM]->(s) RETURN s.name AS s", {"n": "肝硬化"}
    )
    assert result.rows == [{"s": "乏力"}] and not result.truncated
    limited = run_read_only(small_graph, "UNWIND range(1, 50) AS i RETURN i", row_limit=10)
    assert [row["i"] for row in limited.rows] == list(range(1, 11)) and limited.truncated
    assert limited.total == 50


def test_reads_longer_than_a_driver_fetch_are_truncated_not_refused(small_graph: GraphStore) -> None:
    """The driver pulls 1,000 records at a time: a read returning more must still be confirmed a read."""
    result = run_read_only(small_graph, "UNWIND range(1, 2500) AS i RETURN i", row_limit=1200)
    assert len(result.rows) == 1200 and result.total == 2500 and result.truncated
    cli = CliRunner().invoke(app, ["kg", "query", "UNWIND range(1, 2500) AS i RETURN i", "--json"])
    assert cli.exit_code == 0, cli.output
    assert (
        len(cli.stdout.splitlines()) == 100
        and "(first 100 of 2500 rows; raise --limit for more)" in cli.output
    )


def test_explain_prefix_is_refused(small_graph: GraphStore) -> None:
    with pytest.raises(WriteQueryRefused):
        run_read_only(small_graph, "EXPLAIN MATCH (n) RETURN n")
    assert count(small_graph, "MATCH (n)") == 2


SLOW = "UNWIND range(1, 3000000) AS i WITH i WHERE i % 7 = 99 RETURN count(*) AS n"  # a few seconds


def test_a_query_past_its_timeout_is_stopped(small_graph: GraphStore, graph_settings: GraphSettings) -> None:
    own = connect(graph_settings)  # the timeout closes the connections of the store it ran on
    try:
        with pytest.raises(QueryTimedOut, match=r"ran past 0\.5 s"):
            run_read_only(own, SLOW, timeout_s=0.5)  # ArcadeDB ignores the transaction's timeout
    finally:
        own.close()
    assert run_read_only(small_graph, "MATCH (d:Disease) RETURN d.name AS name").rows  # others unaffected


def test_the_server_stops_a_read_at_its_own_limit(tmp_path: Path) -> None:
    """The embedded server's read-only group carries ``read_timeout_s``: the server stops the read itself."""
    settings = GraphSettings(data_dir=tmp_path, read_timeout_s=0.5)
    with connect(settings) as root:
        root.write("UNWIND range(1, 400) AS i CREATE (:Disease {name: toString(i)})")
    cross = "MATCH (a:Disease), (b:Disease), (c:Disease) WHERE a.name + b.name + c.name = '' RETURN count(*)"
    with connect(settings, read_only=True) as reader_store:
        with pytest.raises(QueryTimedOut, match="graph server stopped the query"):
            run_read_only(reader_store, cross, timeout_s=60)
        assert run_read_only(reader_store, "RETURN 1 AS one").rows == [{"one": 1}]
