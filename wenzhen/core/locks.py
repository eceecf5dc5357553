"""One writer at a time: a lock file, and one clear line for the writer that waits or gives up.

>>> with writer_lock(Path("/tmp/wz/load.lock"), "load", "the graph at /tmp/wz"):   # doctest: +SKIP
...     write_everything()

The lock is the operating system's (``filelock``): a writer killed with SIGKILL releases it with its
process. Beside it, ``<name>.holder`` says which process holds it, for the message the next writer sees.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from wenzhen.core.errors import WenzhenError


class WriterBusy(WenzhenError):
    """Another process is writing to the same target; this one gave up (at once, or after ``--wait``)."""


def _holder_file(lock_path: Path) -> Path:
    return lock_path.with_suffix(".holder")


def _holder(lock_path: Path) -> str:
    try:
        return _holder_file(lock_path).read_text(encoding="utf-8").strip() or "a process"
    except OSError:
        return "a process"


@contextmanager
def writer_lock(
    lock_path: Path,
    what: str,
    target: str,
    wait_s: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold ``lock_path`` while the body writes to ``target``; when another ``what`` holds it, wait up to
    ``wait_s`` seconds (telling ``on_wait`` once) or raise :class:`WriterBusy` with one line."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        other = _holder(lock_path)
        if wait_s <= 0:
            raise WriterBusy(
                f"another {what} is writing to {target} ({other}); run this again when it ends, or pass "
                "--wait SECONDS to wait for it"
            ) from None
        if on_wait is not None:
            on_wait(f"waiting up to {wait_s:g} s: another {what} is writing to {target} ({other})")
        try:
            lock.acquire(timeout=wait_s)
        except Timeout:
            raise WriterBusy(
                f"gave up after {wait_s:g} s: another {what} is still writing to {target} "
                f"({_holder(lock_path)})"
            ) from None
    holder = _holder_file(lock_path)
    try:
        holder.write_text(f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}", encoding="utf-8")
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()
