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
- ``credentials.json``: the generated root password (mode 0600);
- ``server.json``: pid and ports of the running server; present only while it runs;
- ``start.lock``: taken while a server is started or stopped, so two processes never start two servers
  on the same files;
- ``leases/<pid>.<token>``: one file per open connection. A server started on demand (``--auto-stop``)
  stops a few seconds after its last lease is released or its process has gone; ``wenzhen kg serve``
  runs one without leases until interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from wenzhen.core.errors import ServiceUnavailable

DATABASE = "wenzhen"
USER = "root"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
LEASE_GRACE_S = 3.0


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

    def __init__(self, root: Path, heap: str = "512m", startup_timeout_s: float = 90.0) -> None:
        self.root = root
        self.heap = heap
        self.startup_timeout_s = startup_timeout_s
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

    def password(self) -> str:
        """The root password, generated on first use and kept in ``credentials.json`` (0600)."""
        path = self.root / "credentials.json"
        if path.exists():
            return str(json.loads(path.read_text())["password"])
        self.root.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        _write_json_atomic(path, {"user": USER, "password": password}, mode=0o600)
        return password

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
        _write_json_atomic(self.state_file, asdict(endpoint))
        return server, endpoint

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
    args = parser.parse_args(argv)
    EmbeddedServer(args.root).serve(args.bolt_port, args.http_port, auto_stop=args.auto_stop)


if __name__ == "__main__":
    main()
