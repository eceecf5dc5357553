"""Resumable loads: the ids of committed batches, appended one per line.

>>> cp = Checkpoint(Path("/tmp/wz-doctest.done")); cp.clear(); cp.mark("nodes:Disease:0")
>>> Checkpoint(Path("/tmp/wz-doctest.done")).done
{'nodes:Disease:0'}

A checkpoint belongs to one (file content, format, batch size, schema version, target database): change any
of them and the load starts afresh. It is removed when the load completes.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path


def checkpoint_key(content: bytes, *parts: object) -> str:
    digest = hashlib.sha256(content)
    for part in parts:
        digest.update(b"\0" + str(part).encode())
    return digest.hexdigest()[:32]


class Checkpoint:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self.done = {line for line in path.read_text().splitlines() if line}
        except FileNotFoundError:
            self.done = set()

    def mark(self, batch_id: str) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Flushed, not fsynced: a killed process loses nothing written, and a line lost to a power cut
            # only makes the resumed load MERGE that batch again, which changes nothing.
            with self.path.open("a") as handle:
                handle.write(batch_id + "\n")
            self.done.add(batch_id)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.done = set()
