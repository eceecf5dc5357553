"""Run user-supplied Cypher read-only, with a row limit and a timeout.

>>> writing_clause("MATCH (d:Disease) WHERE d.name = 'CREATE' RETURN d")   # a string is not a clause
>>> writing_clause("MATCH (d) DETACH DELETE d")
'DETACH'

Layered, because servers differ in what they enforce:

0. the store is connected as a read-only user (``connect(settings, read_only=True)``): the embedded server's
   own, whose group may read records and nothing else (no record writes, no schema change, a server-side
   read timeout), or your Neo4j's ``neo4j_read_user``; the server refuses what gets past the checks below;
1. the query's clauses are checked for writing ones (CREATE, MERGE, SET, DELETE, REMOVE, DROP, LOAD CSV,
   FOREACH, ``IN TRANSACTIONS``, schema commands, procedures named like writes) outside strings and comments;
   ArcadeDB applies schema changes even in a transaction that is rolled back, so they must not run at all;
2. on Neo4j, ``EXPLAIN`` must report the query type ``r`` (ArcadeDB's EXPLAIN reports ``w`` for everything);
3. the query runs in a READ-access transaction (Neo4j enforces it) and its own summary must report ``r``;
4. that transaction is always rolled back, never committed.
"""

from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass
from typing import Any

from neo4j import READ_ACCESS
from neo4j.exceptions import ClientError, Forbidden

from wenzhen.core.errors import InputError
from wenzhen.kg_loader.store import GraphStore, Row, plain

WRITE_WORDS = frozenset(
    {
        "CREATE",
        "MERGE",
        "SET",
        "DELETE",
        "DETACH",
        "REMOVE",
        "DROP",
        "FOREACH",
        "ALTER",
        "GRANT",
        "REVOKE",
        "DENY",
        "RENAME",
        "START",
        "STOP",
        "TERMINATE",
        "ENABLE",
        "DISABLE",
    }
)
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.I)
_IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", re.I)
_WRITE_PROCEDURE = re.compile(r"\bCALL\s+[\w.]*(?:create|merge|set|delete|remove|drop|clear|kill|load)", re.I)


class WriteQueryRefused(InputError):
    """The query would change the graph or its schema."""


class QueryTimedOut(InputError):
    """The query ran past its timeout and was stopped."""


SERVER_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
)


@dataclass(frozen=True)
class ReadOnlyResult:
    """The first ``row_limit`` rows, and how many the query returned in all."""

    rows: list[Row]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def writing_clause(query: str) -> str | None:
    """The first writing clause of ``query`` (outside literals and comments), or None.

    A literal becomes a placeholder word, not a blank: ``$`p` CREATE`` must not read as a parameter named
    CREATE.
    """
    code = _LITERALS.sub(lambda found: " " if found.group().startswith("/") else " _literal_ ", query)
    for pattern, name in (
        (_LOAD_CSV, "LOAD CSV"),
        (_IN_TRANSACTIONS, "IN TRANSACTIONS"),
        (_WRITE_PROCEDURE, "a writing procedure"),
    ):
        if pattern.search(code):
            return name
    for match in _WORD.finditer(code):
        word = match.group().upper()
        if word not in WRITE_WORDS:
            continue
        before = code[: match.start()].rstrip()
        after = code[match.end() :].lstrip()
        if before.endswith((".", "$")) or after.startswith(":"):  # a property, parameter or map key
            continue
        return word
    return None


def _refuse(reason: str) -> WriteQueryRefused:
    return WriteQueryRefused(f"refused: the query is not read-only ({reason}); only reads are allowed here")


def run_read_only(
    store: GraphStore,
    query: str,
    params: dict[str, Any] | None = None,
    row_limit: int = 1000,
    timeout_s: float = 30.0,
) -> ReadOnlyResult:
    """Run ``query`` if and only if it is read-only; at most ``row_limit`` rows are kept (the rest are
    counted, not kept, so that the server's summary can still confirm a read), within ``timeout_s``.

    The timeout is the transaction's (Neo4j enforces it) and the client's: past it the store's connections
    are closed (the store cannot be used again) and :class:`QueryTimedOut` is raised, since ArcadeDB ignores
    a transaction timeout.
    """
    stripped = query.strip().rstrip(";")
    if stripped.upper().startswith(("EXPLAIN", "PROFILE")):
        raise WriteQueryRefused("give the query itself, without EXPLAIN/PROFILE")
    clause = writing_clause(stripped)
    if clause is not None:
        raise _refuse(f"it contains {clause}")
    outcome: queue.Queue[ReadOnlyResult | BaseException] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            outcome.put(_run(store, stripped, params or {}, row_limit, timeout_s))
        except BaseException as err:  # handed to the caller
            outcome.put(err)

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        store.driver.close()  # ends the transaction's connection; the worker fails and ends
        worker.join(10)
        raise QueryTimedOut(
            f"the query ran past {timeout_s:g} s and was stopped; narrow it (a label, a LIMIT) or raise "
            "--timeout"
        )
    result = outcome.get()
    if isinstance(result, Forbidden):
        raise _refuse(f"the graph server refused it: {result.message}") from result
    if isinstance(result, ClientError) and result.code in SERVER_TIMEOUT_CODES:
        raise QueryTimedOut(
            f"the graph server stopped the query at its time limit ({result.message}); narrow it (a label, "
            "a LIMIT)"
        ) from result
    if isinstance(result, BaseException):
        raise result
    return result


def _run(
    store: GraphStore, stripped: str, params: dict[str, Any], row_limit: int, timeout_s: float
) -> ReadOnlyResult:
    with store.driver.session(database=store.database, default_access_mode=READ_ACCESS) as session:
        tx = session.begin_transaction(timeout=timeout_s)
        try:
            if store.backend == "neo4j":
                planned = tx.run(f"EXPLAIN {stripped}", params).consume().query_type
                if planned != "r":
                    raise _refuse(f"query type {planned!r}")
            result = tx.run(stripped, params)
            rows: list[Row] = []
            total = 0
            for record in result:  # every row is pulled: the summary's query type comes after the last
                total += 1
                if total <= row_limit:
                    rows.append(plain(record.data()))
            ran = result.consume().query_type
            if ran != "r":
                raise _refuse(f"query type {ran!r}")
            return ReadOnlyResult(rows, total)
        finally:
            tx.rollback()
            tx.close()
