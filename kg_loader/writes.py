"""The Cypher the loader writes with: a fast form for a fresh load and an idempotent (MERGE) form.

The fast form CREATEs what cannot exist yet: nodes the batch found absent, and relations with an end node
this load created (such a relation cannot be in the graph). It addresses the ends of relations by the
element ids the node batches returned, which spares an index lookup per end; each end's name is checked
too, and a batch whose ids no longer match is rolled back and written by name instead.

The idempotent form MERGEs everything by name. It is used when resuming an interrupted load and to retry a
fast batch after a transient failure, since a failed transaction may have been partly applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neo4j import Transaction

from wenzhen.core.errors import WenzhenError
from wenzhen.kg_loader.plan import EdgeBatch, NodeBatch
from wenzhen.kg_loader.records import NodeKey
from wenzhen.kg_loader.schema import Label
from wenzhen.kg_loader.store import WriteCounts

# Ids come back as one collected list of [name, id] pairs: one record to decode, not one per node.
EXISTING_NODES = (
    "UNWIND $names AS name MATCH (n:{label} {{name: name}}) RETURN collect([name, elementId(n)]) AS ids"
)
CREATE_NODES = (
    "UNWIND $rows AS r CREATE (n:{label} {{name: r.name, source: r.source, line: r.line}}) "
    "RETURN collect([r.name, elementId(n)]) AS ids"
)
CREATE_NODES_WITH_PROPS = (
    "UNWIND $rows AS r CREATE (n:{label} {{name: r.name, source: r.source, line: r.line}}) SET n += r.props "
    "RETURN collect([r.name, elementId(n)]) AS ids"
)
UPDATE_NODES = "UNWIND $rows AS r MATCH (n:{label} {{name: r.name}}) SET n += r.props"
MERGE_NODES = (
    "UNWIND $rows AS r MERGE (n:{label} {{name: r.name}}) "
    "ON CREATE SET n.source = r.source, n.line = r.line SET n += r.props"
)
# Relation rows are sent as lists (cheaper than maps; the driver packs lists natively but converts each
# tuple through a Python hook): [head name, tail name, predicate, source, line]; the fast form puts each
# end's element id before its name.
MERGE_EDGES = (
    "UNWIND $rows AS r MATCH (h:{head} {{name: r[0]}}) MATCH (t:{tail} {{name: r[1]}}) "
    "MERGE (h)-[e:{type}]->(t) ON CREATE SET e.predicate = r[2], e.source = r[3], e.line = r[4] "
    "RETURN count(DISTINCT [r[0], r[1]]) AS matched"
)
# Fast relation rows: [head id, head name, tail id, tail name, predicate, source, line]
_ENDS_BY_ID = (
    "UNWIND $rows AS r MATCH (h) WHERE elementId(h) = r[0] AND h.name = r[1] "
    "MATCH (t) WHERE elementId(t) = r[2] AND t.name = r[3] "
)
# Both return how many rows found their two ends, so a stale id cannot silently drop a relation.
CREATE_EDGES_BY_ID = _ENDS_BY_ID + (
    "CREATE (h)-[:{type} {{predicate: r[4], source: r[5], line: r[6]}}]->(t) RETURN count(*) AS matched"
)
MERGE_EDGES_BY_ID = _ENDS_BY_ID + (
    "MERGE (h)-[e:{type}]->(t) ON CREATE SET e.predicate = r[4], e.source = r[5], e.line = r[6] "
    "RETURN count(*) AS matched"
)


class StaleNodeIds(RuntimeError):
    """Some relation ends were not found by element id (a node was deleted meanwhile)."""


class MissingEnds(WenzhenError):
    """Relations whose end nodes are not in the graph by name, though this file's nodes were written."""


@dataclass
class NodeIndex:
    """What the node batches of this load learnt, per label: element ids by name, and the names it created."""

    ids: dict[Label, dict[str, str]] = field(default_factory=dict)
    created: dict[Label, set[str]] = field(default_factory=dict)
    empty_labels: set[str] = field(default_factory=set)

    def absorb(self, other: NodeIndex) -> None:
        for label, ids in other.ids.items():
            self.ids.setdefault(label, {}).update(ids)
        for label, names in other.created.items():
            self.created.setdefault(label, set()).update(names)


def merge_nodes(tx: Transaction, batch: NodeBatch) -> WriteCounts:
    return WriteCounts.of(tx.run(MERGE_NODES.format(label=batch.label.value), rows=batch.rows).consume())


def create_nodes(tx: Transaction, batch: NodeBatch, index: NodeIndex) -> tuple[WriteCounts, NodeIndex]:
    """CREATE the batch's absent nodes, update attributes of present ones; returns their ids.

    The lookup of present nodes is skipped for a label that had no node at all when the load began.
    """
    label = batch.label.value
    found: dict[str, str] = {}
    if label not in index.empty_labels:
        names = [row["name"] for row in batch.rows]
        found = dict(tx.run(EXISTING_NODES.format(label=label), names=names).single(strict=True)["ids"])
    new_rows = [row for row in batch.rows if row["name"] not in found]
    updates = [row for row in batch.rows if row["name"] in found and row["props"]]
    learnt = NodeIndex({batch.label: found}, {batch.label: set()})
    counts = WriteCounts()
    plain = [row for row in new_rows if not row["props"]]
    with_props = [row for row in new_rows if row["props"]]
    for query, rows in ((CREATE_NODES, plain), (CREATE_NODES_WITH_PROPS, with_props)):
        if not rows:
            continue
        result = tx.run(query.format(label=label), rows=rows)
        for name, node_id in result.single(strict=True)["ids"]:
            learnt.ids[batch.label][name] = node_id
            learnt.created[batch.label].add(name)
        counts += WriteCounts.of(result.consume())
    if updates:
        counts += WriteCounts.of(tx.run(UPDATE_NODES.format(label=label), rows=updates).consume())
    return counts, learnt


def merge_edges(tx: Transaction, batch: EdgeBatch) -> WriteCounts:
    """MERGE the batch's relations by their ends' names; a relation whose end is missing is an error, never
    counted as already present."""
    query = MERGE_EDGES.format(head=batch.head.value, tail=batch.tail.value, type=batch.type)
    result = tx.run(query, rows=[list(row) for row in batch.rows])
    matched, pairs = result.single(strict=True)["matched"], len({(row[0], row[1]) for row in batch.rows})
    if matched < pairs:
        raise MissingEnds(
            f"{batch.id}: {pairs - matched} of {pairs} relations find no "
            f"{batch.head.value} or {batch.tail.value} node of their name: the graph has lost nodes this "
            "file's checkpoints count as loaded; load it again into an empty graph (wenzhen kg wipe --yes)"
        )
    return WriteCounts.of(result.consume())


def create_edges(tx: Transaction, batch: EdgeBatch, index: NodeIndex) -> WriteCounts:
    """CREATE relations with an end node created by this load and MERGE the others, ends found by id."""
    fresh: list[list[Any]] = []
    known: list[list[Any]] = []
    head_ids, tail_ids = index.ids.get(batch.head, {}), index.ids.get(batch.tail, {})
    head_new, tail_new = index.created.get(batch.head, set()), index.created.get(batch.tail, set())
    for head, tail, predicate, source, line in batch.rows:
        head_id, tail_id = head_ids.get(head), tail_ids.get(tail)
        if head_id is None or tail_id is None:  # its node batch was written by MERGE: ids unknown
            missing = NodeKey(batch.head, head) if head_id is None else NodeKey(batch.tail, tail)
            raise StaleNodeIds(f"{batch.id}: no element id for {missing}")
        values = [head_id, head, tail_id, tail, predicate, source, line]
        (fresh if head in head_new or tail in tail_new else known).append(values)
    counts = WriteCounts()
    for query, rows in ((CREATE_EDGES_BY_ID, fresh), (MERGE_EDGES_BY_ID, known)):
        if not rows:
            continue
        result = tx.run(query.format(type=batch.type), rows=rows)
        matched = result.single(strict=True)["matched"]
        if matched != len(rows):
            raise StaleNodeIds(f"{batch.id}: {len(rows) - matched} relations did not find their ends by id")
        counts += WriteCounts.of(result.consume())
    return counts
