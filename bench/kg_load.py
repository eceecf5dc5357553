"""Benchmark: KG loading over Bolt, Wenzhen's loader vs a per-row and a naive batched loader.

    python bench/kg_load.py [--kg ../shared/data/kg/disease_kg_cmekg.jsonl] [--sample 1000] [--workers 1]

Starts its own embedded ArcadeDB in a temporary directory (or uses NEO4J_URI if set; that database is
wiped!). Loads the whole file with Wenzhen's loader and prints relations/s, then on the first ``--sample``
diseases runs, each on an empty graph: (a) one auto-commit MERGE per node and per relation, in the style of
QASystemOnMedicalKG's build_medicalgraph.py; (b) Wenzhen's loader; (c) a naive batched loader, one
``UNWIND $rows MERGE (d) MERGE (x) MERGE (d)-[:T]->(x)`` statement per relation type, 5,000 rows a batch.
All three read, validate and deduplicate the file with the same reader inside their timing; they differ in
how they write.
Prints relations/s of each and the ratios b/c and b/a, and checks that all three built the same edges.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.graph_schema import ensure_schema
from wenzhen.kg_loader.loader import load_file, plan_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.store import GraphStore, connect

DEFAULT_KG = Path(__file__).resolve().parents[1].parent / "shared/data/kg/disease_kg_cmekg.jsonl"


def wipe(store: GraphStore) -> None:
    while store.write("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n").nodes_deleted:
        pass


def relation_count(store: GraphStore) -> int:
    return int(store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])


def per_row(store: GraphStore, path: Path) -> None:
    """(a) read and deduplicate the file like (b), then one auto-commit statement per node and relation."""
    plan = plan_file(path, LoadOptions())[0]
    with store.driver.session(database=store.database) as session:
        for key in plan.nodes:
            session.run(f"MERGE (n:{key.label.value} {{name: $name}})", name=key.name).consume()
        for (rel_type, head, tail), edge in plan.edges.items():
            session.run(
                f"MATCH (p:{head.label.value} {{name: $h}}), (q:{tail.label.value} {{name: $t}}) "
                f"MERGE (p)-[r:{rel_type} {{predicate: $p}}]->(q)",
                h=head.name,
                t=tail.name,
                p=edge.predicate,
            ).consume()


def naive_batched(store: GraphStore, path: Path, batch: int = 5000) -> None:
    """(c) read and deduplicate the file like (b), then one UNWIND/MERGE/MERGE/MERGE statement per relation
    type, 5,000 rows a batch."""
    plan = plan_file(path, LoadOptions())[0]
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for rel_type, head, tail in plan.edges:
        groups.setdefault((rel_type, head.label.value, tail.label.value), []).append(
            {"h": head.name, "t": tail.name}
        )
    for (rel_type, head_label, tail_label), rows in groups.items():
        query = (
            f"UNWIND $rows AS r MERGE (d:{head_label} {{name: r.h}}) MERGE (x:{tail_label} {{name: r.t}}) "
            f"MERGE (d)-[:{rel_type}]->(x)"
        )
        for start in range(0, len(rows), batch):
            store.write(query, {"rows": rows[start : start + batch]})


def timed(label: str, store: GraphStore, run: Callable[[], object], expected: int) -> float:
    wipe(store)
    ensure_schema(store)
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    count = relation_count(store)
    if count != expected:
        sys.exit(f"{label}: built {count} relations, expected {expected}")
    rate = expected / seconds
    print(f"  {label:<34} {seconds:7.2f} s  {rate:9.0f} relations/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kg", type=Path, default=DEFAULT_KG)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=LoadOptions().workers)
    parser.add_argument("--batch-size", type=int, default=LoadOptions().batch_size)
    parser.add_argument("--repeat", type=int, default=7, help="runs of (b) and (c), alternating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wz-bench-") as tmp:
        settings = GraphSettings(data_dir=Path(tmp)) if not os.environ.get("NEO4J_URI") else GraphSettings()
        options = LoadOptions(batch_size=args.batch_size, workers=args.workers)
        store = connect(settings)
        try:
            print(
                f"server: {store.backend} at {store.address}; workers={args.workers}, batch={args.batch_size}"
            )
            wipe(store)
            cp = Path(tmp) / "checkpoints"
            summary = load_file(store, args.kg, options, cp)
            print(
                f"full file {args.kg.name}: {summary.records} diseases, {summary.nodes} nodes, "
                f"{summary.relations} relations in {summary.seconds:.1f} s = "
                f"{summary.relations / summary.seconds:.0f} relations/s (read+validate+plan+write)"
            )
            sample = Path(tmp) / f"sample-{args.sample}.jsonl"
            sample.write_text(
                "".join(args.kg.read_text(encoding="utf-8").splitlines(keepends=True)[: args.sample]),
                encoding="utf-8",
            )
            plan = plan_file(sample, options)[0]
            expected = len(plan.edges)
            print(f"sample: first {args.sample} rows, {len(plan.nodes)} nodes, {expected} relations")
            runs: dict[str, list[float]] = {"b": [], "c": []}
            for _ in range(args.repeat):  # alternate, so neither gains from the other's warm-up or wipe
                runs["b"].append(
                    timed(
                        "(b) wenzhen loader", store, lambda: load_file(store, sample, options, cp), expected
                    )
                )
                runs["c"].append(
                    timed("(c) naive batched MERGE x3", store, lambda: naive_batched(store, sample), expected)
                )
            rate_a = timed("(a) per-row auto-commit MERGE", store, lambda: per_row(store, sample), expected)
            rate_b, rate_c = statistics.median(runs["b"]), statistics.median(runs["c"])
            pair_ratios = sorted(b / c for b, c in zip(runs["b"], runs["c"], strict=True))
            print(f"b/c of each alternating pair: {', '.join(f'{r:.2f}' for r in pair_ratios)}")
            print(
                f"medians of {args.repeat}: (b) {rate_b:.0f}, (c) {rate_c:.0f}, (a) {rate_a:.0f} relations/s"
            )
            print(
                f"ratio b/c = {rate_b / rate_c:.2f}x (target >= 1.0), "
                f"b/a = {rate_b / rate_a:.1f}x (target >= 20)"
            )
        finally:
            store.close()


if __name__ == "__main__":
    main()
