"""API keys, stored hashed: the key itself is shown once, when it is made.

>>> import tempfile, pathlib
>>> keys = KeyStore(pathlib.Path(tempfile.mkdtemp()) / "api_keys.json")
>>> secret = keys.add("clinic-a")
>>> keys.verify(secret), keys.verify("wz-nothing")
('clinic-a', None)

A key is ``wz-`` and 32 random URL-safe characters; the file holds each name with the SHA-256 of its key
(a random key needs no slow hash), written atomically with owner-only permissions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from stat import S_ISREG

from wenzhen.core.errors import ConfigError, InputError

PREFIX = "wz-"


@dataclass(frozen=True)
class StoredKey:
    name: str
    sha256: str
    created: float


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._read: tuple[tuple[int, int, int], list[StoredKey]] | None = None
        """The file's (mtime, size, inode) and its keys: every request verifies a key and the file rarely
        changes; a key added or revoked (by any process) replaces the file, so the next request sees it."""

    def stored(self) -> list[StoredKey]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        if not S_ISREG(stat.st_mode):
            return []
        version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._read is None or self._read[0] != version:
            try:
                rows = json.loads(self.path.read_text(encoding="utf-8"))
                self._read = (version, [StoredKey(**row) for row in rows])
            except (ValueError, TypeError) as err:
                raise ConfigError(f"{self.path}: not an API key file ({err})") from err
        return list(self._read[1])

    def add(self, name: str) -> str:
        """Make a key named ``name``; returns the key (only its hash is kept)."""
        if not name.strip():
            raise InputError("an API key needs a name")
        keys = self.stored()
        if any(k.name == name for k in keys):
            raise InputError(f"an API key named {name!r} exists (revoke it first)")
        key = PREFIX + secrets.token_urlsafe(24)
        self._write([*keys, StoredKey(name, digest(key), time.time())])
        return key

    def revoke(self, name: str) -> None:
        keys = self.stored()
        if not any(k.name == name for k in keys):
            raise InputError(f"no API key named {name!r} in {self.path}")
        self._write([k for k in keys if k.name != name])

    def verify(self, key: str) -> str | None:
        """The name of the key, or None if it is not one of ours."""
        given = digest(key)
        for stored in self.stored():
            if hmac.compare_digest(stored.sha256, given):
                return stored.name
        return None

    def _write(self, keys: list[StoredKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump([asdict(k) for k in keys], handle, ensure_ascii=False, indent=1)
        os.replace(temporary, self.path)
