"""Load KG files into the store: read, validate, plan, and write in resumable batches.

>>> summary = load_file(store, Path("disease_kg_cmekg.jsonl"), LoadOptions())            # doctest: +SKIP
>>> summary.relations_created                                                         # doctest: +SKIP
183198

Rejected rows and dropped items go to a JSONL report (file, line, field, reason, value). Each batch is one
transaction, recorded in a checkpoint once committed. A fresh load CREATEs what cannot exist yet (fast); a
load that finds a checkpoint resumes: it skips the committed batches and MERGEs the rest, so it ends with
the same graph as an uninterrupted load. One load at a time writes to a database (a lock file says so).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TypeVar

from neo4j import Transaction
from neo4j.exceptions import TransientError

from wenzhen.core.files import decode_file
from wenzhen.core.issues import write_issues
from wenzhen.core.locks import writer_lock
from wenzhen.kg_loader import writes
from wenzhen.kg_loader.checkpoint import Checkpoint, checkpoint_key
from wenzhen.kg_loader.graph_schema import ensure_schema
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.plan import Batch, EdgeBatch, LoadPlan, NodeBatch, build_plan
from wenzhen.kg_loader.readers import READERS, detect_format
from wenzhen.kg_loader.schema import SCHEMA_VERSION, Label
from wenzhen.kg_loader.store import GraphStore, WriteCounts

ProgressCallback = Callable[[Batch], None]
T = TypeVar("T")


@dataclass
class LoadSummary:
    source: str
    format: str
    encoding: str
    records: int
    rejected_rows: int
    dropped_items: int
    nodes: int
    relations: int
    nodes_created: int = 0
    relations_created: int = 0
    resumed_batches: int = 0
    batches: int = 0
    seconds: float = 0.0
    report: Path | None = None
    dry_run: bool = False
    nodes_written: int = field(default=0, repr=False)
    relations_written: int = field(default=0, repr=False)

    @property
    def nodes_present(self) -> int:
        """Nodes of this file that were already in the graph (of the batches written in this run)."""
        return self.nodes_written - self.nodes_created

    @property
    def relations_present(self) -> int:
        return self.relations_written - self.relations_created

    def tally(self, batch: Batch, counts: WriteCounts) -> None:
        if isinstance(batch, NodeBatch):
            self.nodes_created += counts.nodes_created
            self.nodes_written += len(batch.rows)
        else:
            self.relations_created += counts.relationships_created
            self.relations_written += len(batch.rows)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees everything).

    A plan is hundreds of thousands of small long-lived objects without reference cycles; each collection
    the allocations trigger walks all of them again, which took 40% of the planning time and a sixth of a
    whole load here. Nests; restores the collector's previous state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan_file(path: Path, options: LoadOptions) -> tuple[LoadPlan, str, str, bytes]:
    """Decode, detect, read and plan one file. Returns (plan, format, encoding, raw bytes)."""
    decoded = decode_file(path, options.encoding, bad_lines="report")
    fmt = detect_format(path.name, decoded.text) if options.format == "auto" else options.format
    with cyclic_gc_paused():
        plan = build_plan(path.name, chain(decoded.issues, READERS[fmt](path.name, decoded.text)))
    return plan, fmt, decoded.encoding, decoded.raw


def load_file(
    store: GraphStore | None,
    path: Path,
    options: LoadOptions,
    checkpoint_dir: Path,
    on_batch: ProgressCallback | None = None,
    on_plan: Callable[[list[Batch]], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Load one file (or only plan it, with ``dry_run``; ``store`` may then be None).

    ``checkpoint_dir`` belongs to the target database: it holds the load lock and the checkpoints. Another
    load writing there is waited for up to ``options.wait_s`` (``on_wait`` is told), else
    :class:`~wenzhen.core.locks.WriterBusy`.
    """
    with cyclic_gc_paused():
        return _load_file(store, path, options, checkpoint_dir, on_batch, on_plan, on_wait)


def _load_file(
    store: GraphStore | None,
    path: Path,
    options: LoadOptions,
    checkpoint_dir: Path,
    on_batch: ProgressCallback | None,
    on_plan: Callable[[list[Batch]], None] | None,
    on_wait: Callable[[str], None] | None,
) -> LoadSummary:
    started = time.perf_counter()
    plan, fmt, encoding, content = plan_file(path, options)
    if options.report is not None:
        write_issues(plan.issues, options.report)
    summary = LoadSummary(
        path.name,
        fmt,
        encoding,
        plan.records,
        plan.rejected_rows,
        plan.dropped_items,
        len(plan.nodes),
        len(plan.edges),
        report=options.report,
        dry_run=options.dry_run,
    )
    batches = plan.batches(options.batch_size, options.edge_lanes)
    summary.batches = len(batches)
    if options.dry_run:
        summary.seconds = time.perf_counter() - started
        return summary
    if store is None:
        raise ValueError("a store is needed unless dry_run is set")
    with writer_lock(checkpoint_dir / "load.lock", "load", store.address, options.wait_s, on_wait):
        ensure_schema(store)
        key = checkpoint_key(
            content, fmt, options.batch_size, options.edge_lanes, SCHEMA_VERSION, store.identity
        )
        checkpoint = Checkpoint(checkpoint_dir / f"{path.name}.{key}.done")
        pending = [batch for batch in batches if batch.id not in checkpoint.done]
        summary.resumed_batches = len(batches) - len(pending)
        if on_plan is not None:
            on_plan(pending)
        writer = _BatchWriter(store, checkpoint, summary, on_batch, resuming=bool(checkpoint.done))
        writer.note_empty_labels(pending)
        writer.run(pending, options.workers)
        checkpoint.clear()
    summary.seconds = time.perf_counter() - started
    return summary


def _label_order(batches: list[Batch]) -> dict[Label, int]:
    """Diseases first (every relation starts there), then labels by how many relations end on them."""
    edge_rows: dict[Label, int] = {}
    for batch in batches:
        if isinstance(batch, EdgeBatch):
            edge_rows[batch.tail] = edge_rows.get(batch.tail, 0) + len(batch.rows)
    ranked = sorted(Label, key=lambda label: (label is not Label.DISEASE, -edge_rows.get(label, 0)))
    return {label: position for position, label in enumerate(ranked)}


@dataclass
class _BatchWriter:
    """Writes batches (fast form on a fresh load, MERGE form when resuming or retrying) and tallies them."""

    store: GraphStore
    checkpoint: Checkpoint
    summary: LoadSummary
    on_batch: ProgressCallback | None
    resuming: bool
    nodes: writes.NodeIndex = field(default_factory=writes.NodeIndex)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note_empty_labels(self, batches: list[Batch]) -> None:
        """Labels with no node at all now need no lookup of present nodes in this (locked) load."""
        labels = sorted({batch.label.value for batch in batches if isinstance(batch, NodeBatch)})
        if not labels:
            return
        probe = " UNION ALL ".join(
            f"MATCH (n:{label}) WITH n LIMIT 1 RETURN '{label}' AS label" for label in labels
        )
        present = {row["label"] for row in self.store.read(probe)}
        self.nodes.empty_labels = set(labels) - present

    def run(self, batches: list[Batch], workers: int) -> None:
        """Write all batches: nodes label by label on one thread while the other threads write the relations
        whose two labels are complete (they touch other files, so they do not conflict). One worker writes
        everything in that order."""
        order = _label_order(batches)
        node_batches = [b for b in batches if isinstance(b, NodeBatch)]
        node_batches.sort(key=lambda b: order[b.label])
        edge_batches = [b for b in batches if isinstance(b, EdgeBatch)]
        edge_batches.sort(key=lambda b: (max(order[b.head], order[b.tail]), b.id))
        if workers == 1:
            sequence: list[Batch] = [*node_batches, *edge_batches]
            for batch in sequence:
                self.write(batch)
            return
        ready = {label: threading.Event() for label in Label}
        failed = threading.Event()

        def write_nodes() -> None:
            try:
                for label in sorted(ready, key=order.__getitem__):
                    for batch in (b for b in node_batches if b.label is label):
                        self.write(batch)
                    ready[label].set()
            except BaseException:
                failed.set()
                raise
            finally:
                for event in ready.values():  # never leave a relation writer waiting
                    event.set()

        def write_edges(lane: int) -> None:
            for batch in (b for b in edge_batches if b.lane % (workers - 1) == lane):
                ready[batch.head].wait()
                ready[batch.tail].wait()
                if failed.is_set():
                    return
                self.write(batch)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-load") as pool:
            futures = [pool.submit(write_nodes)] + [
                pool.submit(write_edges, lane) for lane in range(workers - 1)
            ]
            for future in futures:
                future.result()

    def write(self, batch: Batch) -> None:
        learnt = writes.NodeIndex()
        if isinstance(batch, NodeBatch):
            counts, learnt = self._fast_or_safe(
                lambda tx: writes.create_nodes(tx, batch, self.nodes),
                lambda tx: (writes.merge_nodes(tx, batch), writes.NodeIndex()),
            )
        else:
            counts = self._fast_or_safe(
                lambda tx: writes.create_edges(tx, batch, self.nodes),
                lambda tx: writes.merge_edges(tx, batch),
            )
        self.checkpoint.mark(batch.id)
        with self._lock:
            self.nodes.absorb(learnt)
            self.summary.tally(batch, counts)
        if self.on_batch is not None:
            self.on_batch(batch)

    def _fast_or_safe(self, fast: Callable[[Transaction], T], safe: Callable[[Transaction], T]) -> T:
        if not self.resuming:
            try:
                return self.store.transact(fast, attempts=1)
            except (TransientError, writes.StaleNodeIds):
                pass
        return self.store.transact(safe)
