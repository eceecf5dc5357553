"""The graph store handle: one official ``neo4j`` driver, read and write transactions.

>>> with open_store(GraphSettings()) as store:                               # doctest: +SKIP
...     store.read("MATCH (d:Disease {name: $name}) RETURN d.name AS name", {"name": "乙肝"})
[{'name': '乙肝'}]

Reads run in read transactions (``execute_read``); writes (``execute_write``) come only from the loader.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from typing import Any, TypeVar

from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction, ResultSummary, Transaction
from neo4j.exceptions import AuthError, ServiceUnavailable, TransientError
from neo4j.time import Date, DateTime

from wenzhen.core import errors
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.embedded import DATABASE, READER, USER, EmbeddedServer

Row = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class WriteCounts:
    """What a write changed, from the server's summary counters."""

    nodes_created: int = 0
    relationships_created: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0

    @classmethod
    def of(cls, summary: ResultSummary) -> WriteCounts:
        c = summary.counters
        return cls(c.nodes_created, c.relationships_created, c.nodes_deleted, c.relationships_deleted)

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


class GraphStoreError(errors.ServiceUnavailable):
    """The graph server could not be reached or refused the credentials."""


class GraphStore:
    """A connected graph database: read/write helpers over one driver.

    ``backend`` is ``"arcadedb"`` or ``"neo4j"`` (from the server's agent string), for messages only: every
    statement Wenzhen sends is plain Neo4j-5 Cypher.
    """

    def __init__(
        self,
        driver: Driver,
        database: str | None,
        backend: str,
        identity: str,
        on_close: Callable[[], None] | None = None,
        address: str | None = None,
        read_only: bool = False,
    ) -> None:
        self.driver = driver
        self.database = database
        self.backend = backend
        self.identity = identity
        """Which data this is, for checkpoints and locks: the embedded server's folder (not its port, which
        changes between runs), or a user's server URI; with the database."""
        self.address = address or identity
        """Where it is reached now (shown to users)."""
        self.read_only = read_only
        """Connected as the read-only user (or in READ access mode on a server without one)."""
        self._on_close = on_close

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run a read query in a read transaction and return its rows as dicts."""

        def work(tx: ManagedTransaction) -> list[Row]:
            return [plain(record.data()) for record in tx.run(query, params or {})]

        with self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
            return session.execute_read(work)

    def transact(self, work: Callable[[Transaction], T], attempts: int = 40) -> T:
        """Run ``work(tx)`` in a write transaction and commit; retried on transient conflicts.

        Conflicts between concurrent writers (the same page or vertex) are retried after a short randomised
        pause, far shorter than the driver's default back-off, so parallel batches pay little for them.
        ``work`` must be safe to repeat: a transaction that failed may have been partly applied on some
        servers, so retried statements should be idempotent (MERGE).
        """
        with self.driver.session(database=self.database) as session:
            for attempt in range(1, attempts + 1):
                try:
                    with session.begin_transaction() as tx:
                        result = work(tx)
                        tx.commit()
                    return result
                except TransientError:
                    if attempt == attempts:
                        raise
                    time.sleep(min(0.01 * 2**attempt, 0.5) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    def write(self, query: str, params: dict[str, Any] | None = None, attempts: int = 40) -> WriteCounts:
        """One idempotent write statement (see :meth:`transact`); returns the server's update counters."""
        return self.transact(lambda tx: WriteCounts.of(tx.run(query, params or {}).consume()), attempts)

    def close(self) -> None:
        self.driver.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plain(value: Any) -> Any:
    """Driver values to JSON-friendly Python (dates to ISO strings, nodes to their properties)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Date | DateTime):
        return value.iso_format()
    if hasattr(value, "items") and hasattr(value, "element_id"):
        return plain(dict(value.items()))
    return value


def embedded_server(settings: GraphSettings) -> EmbeddedServer:
    """The embedded server of ``settings``' data directory."""
    return EmbeddedServer(
        settings.embedded_dir, settings.arcadedb_heap, settings.startup_timeout_s, settings.read_timeout_s
    )


def connect(settings: GraphSettings, read_only: bool = False) -> GraphStore:
    """Connect to the configured server, or start/reuse the embedded one. Caller closes the store.

    ``read_only``: as the read-only user, whose writes and schema changes the server refuses (the embedded
    server's own, or ``neo4j_read_user``); without one, reads still run in READ access mode.
    """
    on_close: Callable[[], None] | None = None
    password: str | None
    if settings.is_embedded:
        server = embedded_server(settings)
        endpoint = server.acquire()
        uri = endpoint.bolt_uri
        user, password = (READER, server.reader_password()) if read_only else (USER, server.password())
        database: str | None = settings.neo4j_database or DATABASE
        on_close = server.release
    else:
        uri, user, password = str(settings.neo4j_uri), settings.neo4j_user, settings.neo4j_password
        if read_only and settings.neo4j_read_user:
            user, password = settings.neo4j_read_user, settings.neo4j_read_password
        database = settings.neo4j_database
    driver = GraphDatabase.driver(uri, auth=(user, password) if password is not None else None)
    try:
        driver.verify_connectivity()
        agent = driver.get_server_info().agent
    except (ServiceUnavailable, AuthError, OSError) as err:
        driver.close()
        if on_close is not None:
            on_close()
        hint = (
            "check NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD"
            if not settings.is_embedded
            else str(settings.embedded_dir / "server.log")
        )
        raise GraphStoreError(f"cannot reach the graph server at {uri}: {err} ({hint})") from err
    backend = "arcadedb" if "ArcadeDB" in agent else "neo4j"
    address = f"{uri}/{database or ''}"
    identity = f"embedded:{settings.embedded_dir.resolve()}/{database}" if settings.is_embedded else address
    return GraphStore(driver, database, backend, identity, on_close, address, read_only)


@contextmanager
def open_store(settings: GraphSettings | None = None, read_only: bool = False) -> Iterator[GraphStore]:
    """Context-managed :func:`connect`."""
    store = connect(settings or GraphSettings(), read_only)
    try:
        yield store
    finally:
        store.close()
