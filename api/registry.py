"""Who owns which session, when it was last used, and which resent conversation continues it.

>>> registry = SessionRegistry(":memory:")
>>> registry.create("abc", owner="clinic-a")
>>> registry.owner("abc"), registry.owner("nope")
('clinic-a', None)
>>> registry.remember("digest-1", "abc"); registry.continued("digest-1", "clinic-a")
'abc'

Kept where the sessions' checkpoints are — the SQLite file, or the PostgreSQL database
(``postgresql://…``) — so every worker of one server sees the same sessions. Deleting a session deletes its
conversation digests too.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any, Protocol

from wenzhen.core.errors import ConfigError

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS wenzhen_sessions (id TEXT PRIMARY KEY, owner TEXT NOT NULL, "
    "created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS wenzhen_conversations (digest TEXT PRIMARY KEY, "
    "session_id TEXT NOT NULL REFERENCES wenzhen_sessions(id) ON DELETE CASCADE)",
)
Row = tuple[Any, ...]


class _Database(Protocol):
    def rows(self, sql: str, *parameters: object) -> list[Row]: ...

    def close(self) -> None: ...


class _Sqlite:
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._connection.execute("PRAGMA foreign_keys = ON")
        self._connection.execute("PRAGMA secure_delete = ON")
        self._connection.execute("PRAGMA synchronous = NORMAL")
        self._lock = threading.Lock()
        for statement in _SCHEMA:
            self.rows(statement)

    def rows(self, sql: str, *parameters: object) -> list[Row]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        self._connection.close()


class _Postgres:
    def __init__(self, url: str) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as err:
            raise ConfigError(
                f"sessions in PostgreSQL need: pip install 'wenzhen[postgres]' ({err})"
            ) from err
        self._pool = ConnectionPool(url, min_size=1, max_size=4, kwargs={"autocommit": True}, open=True)
        with self._pool.connection() as connection, connection.transaction():
            connection.execute(
                "SELECT pg_advisory_xact_lock(7305)"
            )  # workers starting together: one at a time
            for statement in _SCHEMA:
                connection.execute(statement)

    def rows(self, sql: str, *parameters: object) -> list[Row]:
        with self._pool.connection() as connection:
            cursor = connection.execute(sql.replace("?", "%s"), parameters)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        self._pool.close()


class SessionRegistry:
    def __init__(self, where: str) -> None:
        """``where``: a SQLite file (or ``:memory:``), or a ``postgresql://`` URL."""
        postgres = where.startswith(("postgresql://", "postgres://"))
        self._db: _Database = _Postgres(where) if postgres else _Sqlite(where)

    def create(self, session_id: str, owner: str) -> None:
        now = time.time()
        self._db.rows("INSERT INTO wenzhen_sessions VALUES (?, ?, ?, ?)", session_id, owner, now, now)

    def owner(self, session_id: str) -> str | None:
        rows = self._db.rows("SELECT owner FROM wenzhen_sessions WHERE id = ?", session_id)
        return str(rows[0][0]) if rows else None

    def touch(self, session_id: str) -> None:
        self._db.rows("UPDATE wenzhen_sessions SET updated = ? WHERE id = ?", time.time(), session_id)

    def delete(self, session_id: str) -> None:
        self._db.rows("DELETE FROM wenzhen_sessions WHERE id = ?", session_id)

    def untouched_since(self, moment: float) -> list[str]:
        rows = self._db.rows("SELECT id FROM wenzhen_sessions WHERE updated < ?", moment)
        return [str(row[0]) for row in rows]

    def remember(self, digest: str, session_id: str) -> None:
        """A conversation (as a client will resend it) that continues ``session_id``."""
        self._db.rows(
            "INSERT INTO wenzhen_conversations VALUES (?, ?) "
            "ON CONFLICT (digest) DO UPDATE SET session_id = excluded.session_id",
            digest,
            session_id,
        )

    def continued(self, digest: str, owner: str) -> str | None:
        rows = self._db.rows(
            "SELECT s.id FROM wenzhen_conversations c JOIN wenzhen_sessions s ON s.id = c.session_id "
            "WHERE c.digest = ? AND s.owner = ?",
            digest,
            owner,
        )
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        self._db.close()
