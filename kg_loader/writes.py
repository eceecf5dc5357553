"""The Cypher the loader writes with: a fast form for a fresh load and an idempotent (MERGE) form.

The fast form CREATEs what cannot exist yet: nodes the batch found absent, and relations with an end node
this load created (such a relation cannot be in the graph). The idempotent form MERGEs everything; it is
used when resuming an interrupted load and to retry a fast batch after a transient failure, since a
failed transaction may have been partly applied.
"""

from __future__ import annotations

from neo4j import Transaction

from kg_loader.plan import EdgeBatch, NodeBatch
from kg_loader.records import NodeKey
from kg_loader.store import WriteCounts

EXISTING_NODES = "UNWIND $names AS name MATCH (n:{label} {{name: name}}) RETURN n.name AS name"
CREATE_NODES = (
    "UNWIND $rows AS r CREATE (n:{label} {{name: r.name, source: r.source, line: r.line}}) SET n += r.props"
)
UPDATE_NODES = "UNWIND $rows AS r MATCH (n:{label} {{name: r.name}}) SET n += r.props"
MERGE_NODES = (
    "UNWIND $rows AS r MERGE (n:{label} {{name: r.name}}) "
    "ON CREATE SET n.source = r.source, n.line = r.line SET n += r.props"
)
_ENDS = "UNWIND $rows AS r MATCH (h:{head} {{name: r.h}}) MATCH (t:{tail} {{name: r.t}}) "
CREATE_EDGES = _ENDS + "CREATE (h)-[:{type} {{predicate: r.p, source: r.source, line: r.line}}]->(t)"
MERGE_EDGES = _ENDS + (
    "MERGE (h)-[e:{type}]->(t) ON CREATE SET e.predicate = r.p, e.source = r.source, e.line = r.line"
)


def merge_nodes(tx: Transaction, batch: NodeBatch) -> WriteCounts:
    return WriteCounts.of(tx.run(MERGE_NODES.format(label=batch.label.value), rows=batch.rows).consume())


def create_nodes(tx: Transaction, batch: NodeBatch) -> tuple[WriteCounts, set[NodeKey]]:
    """CREATE the batch's absent nodes, update the attributes of present ones; returns the created keys."""
    label = batch.label.value
    names = [row["name"] for row in batch.rows]
    existing = {record["name"] for record in tx.run(EXISTING_NODES.format(label=label), names=names)}
    new_rows = [row for row in batch.rows if row["name"] not in existing]
    updates = [row for row in batch.rows if row["name"] in existing and row["props"]]
    counts = WriteCounts()
    if new_rows:
        counts += WriteCounts.of(tx.run(CREATE_NODES.format(label=label), rows=new_rows).consume())
    if updates:
        counts += WriteCounts.of(tx.run(UPDATE_NODES.format(label=label), rows=updates).consume())
    return counts, {NodeKey(batch.label, row["name"]) for row in new_rows}


def merge_edges(tx: Transaction, batch: EdgeBatch) -> WriteCounts:
    query = MERGE_EDGES.format(head=batch.head.value, tail=batch.tail.value, type=batch.type)
    return WriteCounts.of(tx.run(query, rows=batch.rows).consume())


def create_edges(tx: Transaction, batch: EdgeBatch, created: set[NodeKey]) -> WriteCounts:
    """CREATE relations with an end node created by this load; MERGE the others."""
    fresh: list[dict[str, object]] = []
    rest: list[dict[str, object]] = []
    for row in batch.rows:
        is_fresh = NodeKey(batch.head, row["h"]) in created or NodeKey(batch.tail, row["t"]) in created
        (fresh if is_fresh else rest).append(row)
    labels = {"head": batch.head.value, "tail": batch.tail.value, "type": batch.type}
    counts = WriteCounts()
    if fresh:
        counts += WriteCounts.of(tx.run(CREATE_EDGES.format(**labels), rows=fresh).consume())
    if rest:
        counts += WriteCounts.of(tx.run(MERGE_EDGES.format(**labels), rows=rest).consume())
    return counts
