"""One writer at a time: a writer that finds the lock taken gives up at once, waits, or gives up later,
each with one line naming the holder."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from wenzhen.core.locks import WriterBusy, writer_lock

HOLD = """
import sys, time
from pathlib import Path
from wenzhen.core.locks import writer_lock
with writer_lock(Path(sys.argv[1]), "load", "the graph"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def holding(lock: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding ``lock`` for ``seconds``, once it has it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_second_writer_gives_up_at_once_naming_the_holder(tmp_path: Path) -> None:
    lock = tmp_path / "load.lock"
    holder = holding(lock, 30)
    try:
        with (
            pytest.raises(
                WriterBusy, match=rf"another load is writing to the graph \(pid {holder.pid}, since"
            ),
            writer_lock(lock, "load", "the graph"),
        ):
            pytest.fail("the lock was held by another process")
    finally:
        holder.kill()
        holder.wait()
    with writer_lock(lock, "load", "the graph"):  # a killed holder's lock is free
        assert (tmp_path / "load.holder").read_text().startswith("pid ")
    assert not (tmp_path / "load.holder").exists()


def test_a_writer_that_waits_is_told_once_and_goes_on_when_the_holder_ends(tmp_path: Path) -> None:
    lock = tmp_path / "load.lock"
    holder = holding(lock, 1.0)
    told: list[str] = []
    started = time.monotonic()
    with writer_lock(lock, "load", "the graph", wait_s=60, on_wait=told.append):
        waited = time.monotonic() - started
    holder.wait()
    assert len(told) == 1 and told[0].startswith("waiting up to 60 s: another load is writing to the graph")
    assert 0.3 < waited < 30


def test_a_writer_gives_up_after_its_wait(tmp_path: Path) -> None:
    lock = tmp_path / "load.lock"
    holder = holding(lock, 30)
    try:
        gave_up = r"gave up after 0\.5 s: another load is still writing"
        with pytest.raises(WriterBusy, match=gave_up), writer_lock(lock, "load", "the graph", wait_s=0.5):
            pytest.fail("the lock was held by another process")
    finally:
        holder.kill()
        holder.wait()
