"""Who owns which session, when it was last used, and which resent conversation continues it.

>>> registry = SessionRegistry(":memory:")
>>> registry.create("abc", owner="clinic-a")
>>> registry.owner("abc"), registry.owner("nope")
('clinic-a', None)
>>> registry.remember("digest-1", "abc"); registry.continued("digest-1", "clinic-a")
'abc'

Kept in the SQLite file beside the sessions' checkpoints, so every worker of one server sees the same
sessions. Deleting a session deletes its conversation digests too.
"""

from __future__ import annotations

import sqlite3
import threading
import time

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wenzhen_sessions (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS wenzhen_conversations (
    digest TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES wenzhen_sessions(id) ON DELETE CASCADE);
"""


class SessionRegistry:
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._connection.execute("PRAGMA foreign_keys = ON")
        self._connection.execute("PRAGMA secure_delete = ON")
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def create(self, session_id: str, owner: str) -> None:
        now = time.time()
        self._execute("INSERT INTO wenzhen_sessions VALUES (?, ?, ?, ?)", session_id, owner, now, now)

    def owner(self, session_id: str) -> str | None:
        rows = self._execute("SELECT owner FROM wenzhen_sessions WHERE id = ?", session_id)
        return str(rows[0][0]) if rows else None

    def touch(self, session_id: str) -> None:
        self._execute("UPDATE wenzhen_sessions SET updated = ? WHERE id = ?", time.time(), session_id)

    def delete(self, session_id: str) -> None:
        self._execute("DELETE FROM wenzhen_sessions WHERE id = ?", session_id)

    def untouched_since(self, moment: float) -> list[str]:
        rows = self._execute("SELECT id FROM wenzhen_sessions WHERE updated < ?", moment)
        return [str(row[0]) for row in rows]

    def remember(self, digest: str, session_id: str) -> None:
        """A conversation (as a client will resend it) that continues ``session_id``."""
        self._execute("INSERT OR REPLACE INTO wenzhen_conversations VALUES (?, ?)", digest, session_id)

    def continued(self, digest: str, owner: str) -> str | None:
        rows = self._execute(
            "SELECT s.id FROM wenzhen_conversations c JOIN wenzhen_sessions s ON s.id = c.session_id "
            "WHERE c.digest = ? AND s.owner = ?",
            digest,
            owner,
        )
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        self._connection.close()

    def _execute(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()
