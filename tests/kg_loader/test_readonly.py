"""`kg query` is read-only: writes and schema changes are refused and nothing is written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.kg_loader.helpers import count, dump
from wenzhen.api.cli import app
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.graph_schema import ensure_schema
from wenzhen.kg_loader.readonly import QueryTimedOut, WriteQueryRefused, run_read_only
from wenzhen.kg_loader.store import GraphStore, connect

WRITES = [
    "CREATE (n:Disease {name: '假病'})",
    "MERGE (n:Disease {name: '假病'}) RETURN n",
    "MATCH (d:Disease) SET d.hacked = true",
    "MATCH (d:Disease) REMOVE d.name",
    "MATCH (n) DETACH DELETE n",
    "MATCH (d:Disease {name: '肝硬化'}) CREATE (d)-[:HAS_SYMPTOM]->(:Symptom {name: '假症状'})",
    "CREATE CONSTRAINT fake IF NOT EXISTS FOR (n:Fake) REQUIRE n.name IS UNIQUE",
    "DROP CONSTRAINT disease_name_unique",
    "MATCH (d:Disease) WITH d LIMIT 1 CALL { WITH d SET d.y = 2 } RETURN 1",
    "MATCH (d:Disease) // comment\n foreach (x IN [1] | SET d.z = x)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    # escapes: a literal or a backticked name right before a write keyword
    "MATCH (d:Disease) WHERE d.name = $`p` CREATE (:X {x: 1}) RETURN d.name",
    "MATCH (d:Disease) WHERE d.`name` = 'x' CREATE (:Y) RETURN d",
    "MATCH (d:`Disease`) CREATE (d)-[:NEW_REL]->(:Z) RETURN d",
    "MATCH (d:Disease) WHERE d.name = 'it\\'s' CREATE (:V) RETURN d",
    'MATCH (d:Disease) WHERE d.name = "a" SET d.x = 1',
    "MATCH (d) /* comment */ DELETE d",
    "MATCH (d) WITH d, 'x' AS s MERGE (:W {s: s})",
    "UNWIND [1] AS x CREATE (:Q)",
    "match (d) detach delete d",
    "MATCH (d)\nCREATE\n(:N)",
    "CALL db.createLabel('Evil')",
    "MATCH (d:Disease) WITH d.`name` AS `n` MERGE (:M {n: n})",
]


@pytest.fixture
def small_graph(store: GraphStore) -> GraphStore:
    ensure_schema(store)
    store.write(
        "CREATE (d:Disease {name: '肝硬化', source: 't', line: 1})-[:HAS_SYMPTOM {predicate: '相关症状'}]->"
        "(:Symptom {name: '乏力', source: 't', line: 1})"
    )
    return store


def labels_and_types(store: GraphStore) -> tuple[list[object], list[str]]:
    labels = [r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label ORDER BY label")]
    types = store.read("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS t")
    return labels, sorted(str(r["t"]) for r in types)


def schema(store: GraphStore) -> list[dict[str, object]]:
    return store.read("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_refused_and_nothing_changes(small_graph: GraphStore, query: str) -> None:
    before, constraints, names = dump(small_graph), schema(small_graph), labels_and_types(small_graph)
    with pytest.raises(WriteQueryRefused, match="not read-only"):
        run_read_only(small_graph, query)
    assert dump(small_graph) == before
    assert schema(small_graph) == constraints
    assert labels_and_types(small_graph) == names  # ArcadeDB keeps new labels even after a rollback


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


def test_a_query_past_its_timeout_is_stopped(small_graph: GraphStore, graph_settings: GraphSettings) -> None:
    slow = "UNWIND range(1, 3000000) AS i WITH i WHERE i % 7 = 99 RETURN count(*) AS n"  # a few seconds
    own = connect(graph_settings)  # the timeout closes the connections of the store it ran on
    try:
        with pytest.raises(QueryTimedOut, match=r"ran past 0\.5 s"):
            run_read_only(own, slow, timeout_s=0.5)  # ArcadeDB ignores the transaction's timeout
    finally:
        own.close()
    assert run_read_only(small_graph, "MATCH (d:Disease) RETURN d.name AS name").rows  # others unaffected
