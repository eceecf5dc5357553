"""Graph layer of Wenzhen: the CMeKG-style schema, the graph store and the KG loader.

>>> from kg_loader import GraphSettings, open_store
>>> with open_store(GraphSettings()) as store:           # doctest: +SKIP
...     store.read("MATCH (d:Disease) RETURN count(d) AS n")

``open_store`` connects with the official ``neo4j`` driver to the server named by ``NEO4J_URI`` or, when it
is unset, to an embedded ArcadeDB Bolt server that it starts (or reuses) on 127.0.0.1.
"""

from kg_loader.config import GraphSettings
from kg_loader.store import GraphStore, open_store

__all__ = ["GraphSettings", "GraphStore", "open_store"]
