"""Helpers for end-to-end tests: a whole-graph dump to compare graphs exactly."""

from __future__ import annotations

import json
from typing import Any

from wenzhen.kg_loader.store import GraphStore


def dump(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relation (ends, type, properties), as sorted JSON strings."""
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    edges = store.read(
        "MATCH (a)-[r]->(b) RETURN labels(a) AS al, a.name AS a, type(r) AS type, properties(r) AS props, "
        "labels(b) AS bl, b.name AS b"
    )

    def canon(rows: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)

    return canon(nodes), canon(edges)


def count(store: GraphStore, pattern: str, **params: Any) -> int:
    return int(store.read(f"{pattern} RETURN count(*) AS n", params)[0]["n"])


def labels_and_types(store: GraphStore) -> tuple[list[object], list[str]]:
    labels = [r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label ORDER BY label")]
    types = store.read("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS t")
    return labels, sorted(str(r["t"]) for r in types)


def schema(store: GraphStore) -> list[dict[str, object]]:
    constraints = store.read("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
    return constraints + store.read("SHOW INDEXES YIELD name RETURN name ORDER BY name")


def everything(store: GraphStore) -> tuple[object, ...]:
    """Nodes, relations, constraints and indexes, labels and relationship types."""
    return dump(store), schema(store), labels_and_types(store)
