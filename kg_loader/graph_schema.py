"""Create the graph schema (a unique-name constraint, hence an index, per label); idempotent.

>>> ensure_schema(store)                                   # doctest: +SKIP
"""

from __future__ import annotations

from kg_loader.schema import constraint_statements
from kg_loader.store import GraphStore


def ensure_schema(store: GraphStore) -> None:
    for statement in constraint_statements():
        store.write(statement)
