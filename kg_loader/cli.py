"""``wenzhen kg``: load, inspect, query and wipe the knowledge graph, and run the embedded server."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wenzhen.core.console import console, err_console, fail
from wenzhen.core.errors import InputError
from wenzhen.core.files import InputFileError
from wenzhen.core.locks import writer_lock
from wenzhen.core.params import parse_assignments
from wenzhen.core.settings import PathSettings
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.embedded import READER
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.readers import FORMATS
from wenzhen.kg_loader.schema import RELATION_TYPES, Label

if TYPE_CHECKING:
    from wenzhen.kg_loader.loader import LoadSummary
    from wenzhen.kg_loader.plan import Batch
    from wenzhen.kg_loader.store import GraphStore

# Commands import the driver's side (store, loader, read-only runner) themselves: `wenzhen --help` and every
# other command start without it (it costs about half a second, most of it the driver importing pandas).

app = typer.Typer(
    help="Load, inspect and query the medical knowledge graph (Neo4j via NEO4J_URI, else embedded ArcadeDB).",
    no_args_is_help=True,
)


WAIT_HELP = (
    "Seconds to wait for another load (or wipe) writing to the same graph; 0: give up at once with one line."
)


def demo_kg_path() -> Path:
    """The demo KG shipped inside the package (liver and digestive diseases and their neighbours)."""
    return Path(str(resources.files("wenzhen.kg_loader") / "data" / "demo_kg.jsonl"))


def concepts_path() -> Path:
    """The symptom concepts shipped inside the package (names, everyday phrasings; DATA.md)."""
    return Path(str(resources.files("wenzhen.kg_loader") / "data" / "symptom_concepts.jsonl"))


def checkpoint_dir(settings: GraphSettings, store: GraphStore) -> Path:
    """Checkpoints of one target database (``kg wipe`` clears them with the graph)."""
    return settings.data_dir / "checkpoints" / hashlib.sha256(store.identity.encode()).hexdigest()[:16]


@app.command()
def load(
    files: Annotated[list[Path] | None, typer.Argument(help="KG files to load, in order.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load the demo KG shipped with Wenzhen (and the concepts).")
    ] = False,
    concepts: Annotated[
        bool,
        typer.Option("--concepts", help="Also load the symptom concepts shipped with Wenzhen (after FILES)."),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help=f"auto or one of: {', '.join(FORMATS)}.")] = "auto",
    batch_size: Annotated[int, typer.Option(help="Rows per write transaction.")] = LoadOptions.batch_size,
    workers: Annotated[
        int,
        typer.Option(
            help="Writer threads; 2+ write nodes and relations concurrently "
            "(worth it when the graph server has cores of its own)."
        ),
    ] = LoadOptions.workers,
    encoding: Annotated[
        str | None, typer.Option(help="Force an encoding (default: UTF-8, GB18030 detected).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, validate and plan only; write nothing.")
    ] = False,
    report_dir: Annotated[Path | None, typer.Option(help="Where <file>.issues.jsonl reports go.")] = None,
    wait: Annotated[float, typer.Option(help=WAIT_HELP)] = LoadOptions.wait_s,
) -> None:
    """Load KG files: CMeKG records (JSONL or JSON array), the 39.net CSV, QASystemOnMedicalKG medical.json,
    CMeKG spo_list examples, head,head_type,relation,tail,tail_type triples (CSV/TSV), or symptom concepts.

    Rows that are malformed or implausible are not loaded; each is written
    with file, line, field and reason to the report.
    Re-running a load changes nothing; a killed load re-run resumes where it stopped.

    Examples:

      wenzhen kg load --demo

      wenzhen kg load disease_kg_cmekg.jsonl qakg_medical.json --batch-size 2000

      wenzhen kg load triples.tsv --format triples --dry-run
    """
    paths = [
        *(files or []),
        *([demo_kg_path()] if demo else []),
        *([concepts_path()] if demo or concepts else []),
    ]
    if not paths:
        raise typer.BadParameter("name at least one FILE, or --demo, or --concepts")
    settings = GraphSettings()
    options = LoadOptions(
        format=fmt, batch_size=batch_size, workers=workers, encoding=encoding, dry_run=dry_run, wait_s=wait
    )
    from wenzhen.kg_loader.store import connect

    reports = report_dir or PathSettings().reports_dir
    store = None if dry_run else connect(settings)
    failed = 0
    try:
        for path in paths:
            file_options = LoadOptions(
                **{**options.__dict__, "report": reports / f"{path.name}.issues.jsonl"}
            )
            try:
                summary = _load_with_progress(store, path, file_options, settings)
            except InputFileError as err:  # the other files are still loaded
                fail(err)
                failed += 1
                continue
            _print_summary(summary)
    finally:
        if store is not None:
            store.close()
    if failed:  # the files that could be read are loaded; the exit says some could not
        raise typer.Exit(InputFileError.exit_code)


def _load_with_progress(
    store: GraphStore | None, path: Path, options: LoadOptions, settings: GraphSettings
) -> LoadSummary:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(f"reading {path.name}", total=None, rate="-")

        def on_plan(batches: list[Batch]) -> None:
            progress.update(task, description=f"loading {path.name}", total=sum(len(b.rows) for b in batches))

        def on_batch(batch: Batch) -> None:
            progress.advance(task, len(batch.rows))
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.0f}" if speed else "-")

        from wenzhen.kg_loader.loader import load_file

        cp_dir = checkpoint_dir(settings, store) if store is not None else settings.data_dir / "checkpoints"
        return load_file(
            store, path, options, cp_dir, on_batch=on_batch, on_plan=on_plan, on_wait=progress.console.print
        )


def _print_summary(s: LoadSummary) -> None:
    verb = "planned (dry run)" if s.dry_run else f"loaded in {s.seconds:.1f} s"
    console.print(f"[bold]{s.source}[/bold] ({s.format}, {s.encoding}) {verb}")
    if s.encoding not in ("utf-8", "utf-8-sig"):
        console.print(
            f"  [yellow]decoded as {s.encoding.upper()}, not UTF-8: check that the names read right[/yellow]"
        )
    console.print(
        f"  rows read: {s.records + s.rejected_rows}, used: {s.records}, "
        f"rejected: {s.rejected_rows}, items dropped: {s.dropped_items}"
    )
    if s.dry_run:
        console.print(f"  would write {s.nodes} nodes and {s.relations} relations in {s.batches} batches")
    else:
        console.print(f"  nodes: {s.nodes} ({s.nodes_created} created, {s.nodes_present} already present)")
        console.print(
            f"  relations: {s.relations} ({s.relations_created} created, "
            f"{s.relations_present} already present)"
            + (
                f", {s.resumed_batches} batches already done by an interrupted run"
                if s.resumed_batches
                else ""
            )
        )
        if s.seconds:
            console.print(f"  {s.relations / s.seconds:,.0f} relations/s")
    if s.report is not None and (s.rejected_rows or s.dropped_items):
        console.print(f"  report: {s.report}")


def graph_counts(store: GraphStore) -> dict[str, dict[str, int]]:
    """Node count per label and relation count per type (plain Cypher, no APOC)."""
    nodes = {
        label.value: store.read(f"MATCH (n:{label.value}) RETURN count(n) AS n")[0]["n"] for label in Label
    }
    relations = {
        rel: store.read(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n")[0]["n"] for rel in RELATION_TYPES
    }
    return {"nodes": nodes, "relations": relations}


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Count nodes per label and relations per type."""
    from wenzhen.kg_loader.store import connect

    settings = GraphSettings()
    with connect(settings) as store:
        counts = graph_counts(store)
        if as_json:
            console.print_json(json.dumps({"server": store.address, "backend": store.backend, **counts}))
            return
        console.print(f"{store.backend} at {store.address}")
        for kind, values in counts.items():
            table = Table(kind, "count")
            for name, count in values.items():
                table.add_row(name, str(count))
            table.add_row("[bold]total[/bold]", str(sum(values.values())))
            console.print(table)


@app.command()
def query(
    cypher: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE (JSON or text).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    timeout: Annotated[float, typer.Option(help="Seconds before the query is cancelled.")] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON lines.")] = False,
) -> None:
    """Run a read-only Cypher query. Writes (CREATE, MERGE, SET, DELETE, schema changes) are refused.

    Example: wenzhen kg query "MATCH (d:Disease {name: $n})-[:HAS_SYMPTOM]->(s) RETURN s.name" -p n=乙肝
    """
    from neo4j.exceptions import Neo4jError

    from wenzhen.kg_loader.readonly import run_read_only
    from wenzhen.kg_loader.store import connect

    params = parse_assignments(param or [], "--param")
    with connect(GraphSettings(), read_only=True) as store:
        try:
            result = run_read_only(store, cypher, params, limit, timeout)
        except Neo4jError as err:  # the server's own message for a bad query is the useful part
            raise InputError(f"query failed: {err.message or err}") from err
    if as_json:
        for row in result.rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
    elif result.rows:
        table = Table(*result.rows[0].keys())
        for row in result.rows:
            table.add_row(
                *(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row.values())
            )
        console.print(table)
    if result.truncated:
        err_console.print(f"(first {limit} of {result.total} rows; raise --limit for more)")


@app.command()
def wipe(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    wait: Annotated[float, typer.Option(help=WAIT_HELP)] = 0.0,
) -> None:
    """Delete every node and relation of the configured database (asks first), and its load checkpoints.

    Not while a load writes to it: the wipe ends at once with one line (or waits, with --wait).
    """
    from wenzhen.kg_loader.store import connect

    settings = GraphSettings()
    with connect(settings) as store:
        if not yes and not typer.confirm(f"Delete the whole graph at {store.address}?"):
            raise typer.Exit(1)
        folder = checkpoint_dir(settings, store)
        deleted = 0
        with writer_lock(folder / "load.lock", "load", store.address, wait, err_console.print):
            while removed := store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n").nodes_deleted:
                deleted += removed
            for checkpoint in folder.glob("*.done"):
                checkpoint.unlink()
    console.print(f"deleted {deleted} nodes")


@app.command()
def serve(
    bolt_port: Annotated[int, typer.Option(help="Bolt port on 127.0.0.1.")] = 7687,
    http_port: Annotated[int, typer.Option(help="ArcadeDB HTTP/Studio port on 127.0.0.1.")] = 2480,
) -> None:
    """Run the embedded ArcadeDB server in the foreground (Ctrl-C stops it) for other tools to use.

    While it runs, Wenzhen commands on the same data directory reuse it.
    Other Bolt clients connect with the user and password printed below.
    """
    from wenzhen.kg_loader.store import embedded_server

    settings = GraphSettings()
    server = embedded_server(settings)
    password_file = settings.embedded_dir / "credentials.json"
    console.print(f"starting ArcadeDB on bolt://127.0.0.1:{bolt_port} (data: {settings.embedded_dir})")
    console.print(
        f"user root (writes) and {READER} (reads only), passwords in {password_file}; Ctrl-C to stop"
    )
    server.serve_foreground(bolt_port, http_port)
