"""Graph layer of Wenzhen: the CMeKG-style schema, the graph store and the KG loader.

>>> from wenzhen import GraphSettings, open_store
>>> with open_store(GraphSettings()) as store:           # doctest: +SKIP
...     store.read("MATCH (d:Disease) RETURN count(d) AS n")

``open_store`` (:mod:`wenzhen.kg_loader.store`) connects with the official ``neo4j`` driver to the server
named by ``NEO4J_URI`` or, when it is unset, to an embedded ArcadeDB Bolt server that it starts (or reuses)
on 127.0.0.1. :func:`wenzhen.kg_loader.loader.load_file` loads KG files; ``wenzhen kg`` is the command line.
Importing a module of this package imports the driver only where it needs it (the store, the loader).
"""
