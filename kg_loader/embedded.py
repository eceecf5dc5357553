"""The embedded graph server: ArcadeDB (``arcadedb-embedded``) speaking Bolt on 127.0.0.1.

>>> server = EmbeddedServer(Path("/tmp/wz"))  # doctest: +SKIP
>>> endpoint = server.acquire()               # doctest: +SKIP
>>> endpoint.bolt_uri                         # doctest: +SKIP
'bolt://127.0.0.1:41023'
>>> server.release()                          # doctest: +SKIP

``acquire()`` starts the server, or reuses the one running there.

The server always runs in a child process (``python -m wenzhen.kg_loader.embedded``) whose working
directory is the data directory, so the JVM and ArcadeDB's ``./log`` stay out of the caller's process and
folder. Files in the data directory:

- ``databases/``: ArcadeDB's root (persistent across restarts);
- ``credentials.json``: the generated passwords of ``root`` and of the read-only user (mode 0600);
- ``databases/config/server-groups.json``: ArcadeDB's groups, with Wenzhen's read-only group (read records,
  nothing else: no record writes, no schema change; a server-side limit on each read) set at every start;
- ``server.json``: pid and ports of the running server; present only while it runs;
- ``start.lock``: taken while a server is started or stopped, so two processes never start two servers
  on the same files;
- ``leases/<pid>.<token>``: one file per open connection. A server started on demand (``--auto-stop``)
  stops a few seconds after its last lease is released or its process has gone; ``wenzhen kg serve``
  runs one without leases until interrupted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from wenzhen.core.errors import ServiceUnavailable

DATABASE = "wenzhen"
USER = "root"
READER = "wenzhen_reader"
"""The read-only user (and its group): ``kg query``, the agent and the API connect as this user."""
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
LEASE_GRACE_S = 3.0
_ALL_RECORDS = {"*": {"access": ["createRecord", "readRecord", "updateRecord", "deleteRecord"]}}
DEFAULT_GROUPS = {  # ArcadeDB's own defaults, for a group file written before its first start
    "admin": {
        "resultSetLimit": -1,
        "readTimeout": -1,
        "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
        "types": _ALL_RECORDS,
    },
    "*": {"resultSetLimit": -1, "readTimeout": -1, "access": [], "types": {"*": {"access": []}}},
}


class EmbeddedServerError(ServiceUnavailable):
    """The embedded server could not be started or reached."""


@dataclass(frozen=True)
class Endpoint:
    """How to reach a running embedded server."""

    pid: int
    bolt_port: int
    http_port: int
    database: str = DATABASE

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_json_atomic(path: Path, payload: dict[str, object], mode: int = 0o644) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class EmbeddedServer:
    """Start, reuse and release the embedded ArcadeDB server for one data directory."""

    def __init__(
        self,
        root: Path,
        heap: str = "512m",
        startup_timeout_s: float = 90.0,
        read_timeout_s: float = 60.0,
    ) -> None:
        self.root = root
        self.heap = heap
        self.startup_timeout_s = startup_timeout_s
        self.read_timeout_s = read_timeout_s
        self._lease: Path | None = None

    # files ---------------------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.root / "server.json"

    @property
    def lock(self) -> FileLock:
        return FileLock(str(self.root / "start.lock"))

    @property
    def leases_dir(self) -> Path:
        return self.root / "leases"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def groups_file(self) -> Path:
        return self.root / "databases" / "config" / "server-groups.json"

    @property
    def users_file(self) -> Path:
        return self.root / "databases" / "config" / "server-users.jsonl"

    def _credentials(self) -> dict[str, str]:
        """Both passwords, generated on first use and kept in ``credentials.json`` (0600); a file from before
        the read-only user gains its password."""
        path = self.root / "credentials.json"
        credentials: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        if "password" in credentials and "reader_password" in credentials:
            return credentials
        self.root.mkdir(parents=True, exist_ok=True)
        credentials.setdefault("user", USER)
        credentials.setdefault("password", secrets.token_urlsafe(24))
        credentials.update(reader=READER, reader_password=secrets.token_urlsafe(24))
        _write_json_atomic(path, dict(credentials), mode=0o600)
        return credentials

    def password(self) -> str:
        """The root password."""
        return self._credentials()["password"]

    def reader_password(self) -> str:
        """The read-only user's password."""
        return self._credentials()["reader_password"]

    def running(self) -> Endpoint | None:
        """The endpoint of a live server for this directory, if one runs."""
        try:
            endpoint = Endpoint(**json.loads(self.state_file.read_text()))
        except (FileNotFoundError, json.JSONDecodeError, TypeError):
            return None
        if _pid_alive(endpoint.pid) and _port_open(endpoint.bolt_port):
            return endpoint
        return None

    # client side ---------------------------------------------------------------------------------------
    def acquire(self) -> Endpoint:
        """Reuse the running server or start one (``--auto-stop``), and hold a lease on it."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.leases_dir.mkdir(exist_ok=True)
        self.password()
        with self.lock.acquire(timeout=self.startup_timeout_s):
            endpoint = self.running() or self._spawn()
            self._lease = self.leases_dir / f"{os.getpid()}.{secrets.token_hex(4)}"
            self._lease.touch()
        return endpoint

    def release(self) -> None:
        """Drop this lease; an on-demand server stops once no live lease is left."""
        if self._lease is not None:
            self._lease.unlink(missing_ok=True)
            self._lease = None

    def _spawn(self) -> Endpoint:
        self.state_file.unlink(missing_ok=True)
        env = dict(os.environ, ARCADEDB_JVM_ARGS=f"-Xmx{self.heap}")
        command = [
            sys.executable,
            "-m",
            "wenzhen.kg_loader.embedded",
            "--root",
            str(self.root),
            "--auto-stop",
            "--read-timeout-s",
            str(self.read_timeout_s),
        ]
        with self.log_file.open("ab") as log:
            child = subprocess.Popen(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise EmbeddedServerError(
                    f"embedded ArcadeDB exited with code {child.returncode}; last log lines:\n"
                    + self._log_tail()
                )
            endpoint = self.running()
            if endpoint is not None and endpoint.pid == child.pid:
                return endpoint
            time.sleep(0.2)
        child.terminate()
        raise EmbeddedServerError(
            f"embedded ArcadeDB did not open its Bolt port within {self.startup_timeout_s:.0f} s; "
            f"see {self.log_file}:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    # server side ---------------------------------------------------------------------------------------
    def live_leases(self) -> list[int]:
        pids = []
        for lease in self.leases_dir.glob("*"):
            pid = lease.name.split(".")[0]
            if pid.isdigit() and _pid_alive(int(pid)):
                pids.append(int(pid))
            else:
                lease.unlink(missing_ok=True)
        return pids

    def serve_foreground(self, bolt_port: int = 0, http_port: int = 0) -> None:
        """``wenzhen kg serve``: refuse if a server already runs on this directory, else run until stopped."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock.acquire(timeout=self.startup_timeout_s):
            endpoint = self.running()
            if endpoint is not None:
                raise EmbeddedServerError(
                    f"a server already runs on {self.root} (pid {endpoint.pid}, {endpoint.bolt_uri})"
                )
            server, endpoint = self._start(bolt_port, http_port)
        self._run(server, auto_stop=False)

    def serve(self, bolt_port: int = 0, http_port: int = 0, auto_stop: bool = False) -> None:
        """Run the server in this process (the caller holds the start lock while it starts)."""
        server, _ = self._start(bolt_port, http_port)
        self._run(server, auto_stop)

    def _start(self, bolt_port: int, http_port: int) -> tuple[Any, Endpoint]:
        import arcadedb_embedded

        self.root.mkdir(parents=True, exist_ok=True)
        self.leases_dir.mkdir(exist_ok=True)
        endpoint = Endpoint(os.getpid(), bolt_port or _free_port(), http_port or _free_port())
        self._write_reader_group()
        server = arcadedb_embedded.create_server(
            str(self.root / "databases"),
            root_password=self.password(),
            config={
                "host": "127.0.0.1",
                "http_port": endpoint.http_port,
                "server_plugins": BOLT_PLUGIN,
                "bolt_port": endpoint.bolt_port,
            },
        )
        server.start()
        if not (self.root / "databases" / DATABASE).exists():
            server.create_database(DATABASE)
        self._ensure_reader(endpoint)
        _write_json_atomic(self.state_file, asdict(endpoint))
        return server, endpoint

    def _write_reader_group(self) -> None:
        """Put the read-only group, with this start's read timeout, into ArcadeDB's group file (written with
        ArcadeDB's own defaults beside it when the server has not made the file yet)."""
        try:
            config = json.loads(self.groups_file.read_text())
        except FileNotFoundError:
            config = {"databases": {"*": {"groups": dict(DEFAULT_GROUPS)}}, "version": 2}
        config["databases"]["*"]["groups"][READER] = {
            "resultSetLimit": -1,
            "readTimeout": round(self.read_timeout_s * 1000),
            "access": [],
            "types": {"*": {"access": ["readRecord"]}},
        }
        self.groups_file.parent.mkdir(parents=True, exist_ok=True)
        _write_json_atomic(self.groups_file, config)

    def _ensure_reader(self, endpoint: Endpoint) -> None:
        """Create the read-only user through the server's HTTP API when its user file lacks it."""
        users = self.users_file.read_text().splitlines() if self.users_file.exists() else []
        if any(json.loads(line).get("name") == READER for line in users if line.strip()):
            return
        user = {"name": READER, "password": self.reader_password(), "databases": {"*": [READER]}}
        token = base64.b64encode(f"{USER}:{self.password()}".encode()).decode()
        request = urllib.request.Request(
            f"{endpoint.http_url}/api/v1/server",
            data=json.dumps({"command": f"create user {json.dumps(user)}"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def _run(self, server: Any, auto_stop: bool) -> None:
        stopping = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        idle_since: float | None = None
        try:
            while not stopping:
                time.sleep(0.5)
                if not auto_stop:
                    continue
                if self.live_leases():
                    idle_since = None
                    continue
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= LEASE_GRACE_S and self._stop_if_still_idle():
                    break
        finally:
            self.state_file.unlink(missing_ok=True)
            server.stop()

    def _stop_if_still_idle(self) -> bool:
        """Under the start lock, so no client can take a lease on a server that is going away."""
        try:
            with self.lock.acquire(timeout=0.1):
                if self.live_leases():
                    return False
                self.state_file.unlink(missing_ok=True)
                return True
        except TimeoutError:
            return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Wenzhen's embedded ArcadeDB Bolt server.")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--bolt-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--auto-stop", action="store_true", help="stop when no client process holds a lease")
    parser.add_argument("--read-timeout-s", type=float, default=60.0, help="limit on one read-only query")
    args = parser.parse_args(argv)
    server = EmbeddedServer(args.root, read_timeout_s=args.read_timeout_s)
    server.serve(args.bolt_port, args.http_port, auto_stop=args.auto_stop)


if __name__ == "__main__":
    main()
