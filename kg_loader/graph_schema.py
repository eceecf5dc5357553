"""Create the graph schema (a unique-name constraint, hence an index, per label); idempotent.

>>> ensure_schema(store)                                   # doctest: +SKIP
"""

from __future__ import annotations

from wenzhen.kg_loader.schema import constraint_statements
from wenzhen.kg_loader.store import GraphStore


def ensure_schema(store: GraphStore) -> None:
    """Create the constraints that ``SHOW CONSTRAINTS`` does not list yet."""
    present = {row["name"] for row in store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    for name, statement in constraint_statements().items():
        if name not in present:
            store.write(statement)
