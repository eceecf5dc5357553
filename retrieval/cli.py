"""``wenzhen index``: build, update, query and inspect the literature index; ``wenzhen eval retrieval`` and
``wenzhen eval make-queries`` (registered by the top-level command line)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wenzhen.core.console import console, err_console, report_issues
from wenzhen.core.errors import InputError
from wenzhen.core.params import one_of, parse_assignments
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import PRESETS, JsonMapping, RecordReader

if TYPE_CHECKING:
    from wenzhen.retrieval.indexer import IndexReport
    from wenzhen.retrieval.search import Mode

# Commands import the heavy modules (torch, faiss) themselves, so `wenzhen --help` and `wenzhen kg` stay fast.

app = typer.Typer(help="Build, update and query the literature index (FAISS + BM25).", no_args_is_help=True)
# wenzhen.retrieval.search.MODES, without importing faiss for --help:
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
DEMO_MAPPING = JsonMapping(text=("text",), id="id", metadata=("collection",))

IndexOption = Annotated[
    Path | None, typer.Option("--index", help="Index directory (default: WENZHEN_INDEX_DIR).")
]
WaitOption = Annotated[
    float,
    typer.Option(help="Seconds to wait for another writer of the index; 0: give up at once with one line."),
]
PresetOption = Annotated[
    str | None, typer.Option(help=f"Ready mapping for JSON sources: {', '.join(PRESETS)}.")
]
TextFields = Annotated[list[str] | None, typer.Option("--text-field", help="JSON field(s) holding the text.")]
IdField = Annotated[str | None, typer.Option("--id-field", help="JSON field holding the document id.")]
MetaFields = Annotated[list[str] | None, typer.Option("--meta-field", help="JSON field(s) kept as metadata.")]


def demo_literature_path() -> Path:
    """The demo literature shipped in the package (liver-cancer QA and PubMedQA abstracts; DATA.md)."""
    return Path(str(resources.files("wenzhen.retrieval") / "data" / "demo_literature.jsonl"))


def _settings(index: Path | None) -> RetrievalSettings:
    return RetrievalSettings(index_dir=index) if index is not None else RetrievalSettings()


def _reader(
    preset: str | None, text: list[str] | None, id_field: str | None, meta: list[str] | None
) -> RecordReader | None:
    if preset is not None:
        if preset not in PRESETS:
            raise typer.BadParameter(f"unknown preset {preset!r}; one of {', '.join(PRESETS)}")
        return PRESETS[preset]
    if text or id_field or meta:
        return JsonMapping(text=tuple(text or ("text",)), id=id_field, metadata=tuple(meta or ())).read
    return None


def _run_indexing(
    sources: list[Path],
    settings: RetrievalSettings,
    reader: RecordReader | None,
    replace: bool,
    wait: float,
) -> IndexReport:
    from wenzhen.retrieval.embedder import load_embedder
    from wenzhen.retrieval.indexer import index_sources

    model = load_embedder(settings)
    columns = (
        TextColumn("embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} chunks/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("embedding", total=None, rate="-")

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.1f}" if speed else "-")

        report = index_sources(
            sources, settings, model, reader, replace, on_progress, wait, progress.console.print
        )
    _print_report(report, settings)
    return report


def _print_report(report: IndexReport, settings: RetrievalSettings) -> None:
    console.print(
        f"indexed {report.documents} documents: {report.chunks_added} chunks added "
        f"({report.chunks_reused} unchanged, not embedded again; {report.duplicates_skipped} duplicates "
        f"skipped, {report.documents_replaced} documents replaced) in {report.seconds:.1f} s"
    )
    console.print(f"index {settings.index_dir}: {report.chunks_total} chunks")
    report_issues(report.issues, "index")


@app.command()
def build(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (PDF, Markdown, text, JSON/JSONL).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Index the demo literature shipped with Wenzhen.")
    ] = False,
    index: IndexOption = None,
    preset: PresetOption = None,
    text_field: TextFields = None,
    id_field: IdField = None,
    meta_field: MetaFields = None,
    wait: WaitOption = 0.0,
) -> None:
    """Build a fresh index from SOURCES (replacing the one in --index).

    Examples:

      wenzhen index build --demo

      wenzhen index build huatuo_liver_cancer.json --preset huatuo

      wenzhen index build papers/ pubmed.jsonl --text-field abstract --id-field pmid
    """
    reader = DEMO_MAPPING.read if demo else _reader(preset, text_field, id_field, meta_field)
    paths = [*(sources or []), *([demo_literature_path()] if demo else [])]
    if not paths:
        raise typer.BadParameter("name at least one SOURCE, or --demo")
    _run_indexing(paths, _settings(index), reader, replace=True, wait=wait)


@app.command()
def add(
    sources: Annotated[list[Path], typer.Argument(help="Files or folders to add or update.")],
    index: IndexOption = None,
    preset: PresetOption = None,
    text_field: TextFields = None,
    id_field: IdField = None,
    meta_field: MetaFields = None,
    wait: WaitOption = 0.0,
) -> None:
    """Add SOURCES to the index; a document already in it is replaced by its new version."""
    reader = _reader(preset, text_field, id_field, meta_field)
    _run_indexing(sources, _settings(index), reader, replace=False, wait=wait)


@app.command()
def delete(
    doc: Annotated[list[str], typer.Option("--doc", help="Document id to remove (repeatable).")],
    index: IndexOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Remove documents (all their chunks) from the index."""
    from wenzhen.retrieval.indexer import delete_documents

    removed = delete_documents(_settings(index), set(doc), wait, err_console.print)
    if not removed:
        raise InputError(f"no chunks of {', '.join(doc)} in the index")
    console.print(f"removed {removed} chunks")


@app.command()
def query(
    text: Annotated[str, typer.Argument(help="The query.")],
    mode: Annotated[str, typer.Option(help=f"One of {', '.join(MODES)}.")] = "hybrid",
    k: Annotated[int, typer.Option("-k", help="Number of results.")] = 5,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", help="FIELD=VALUE on doc_id, source or metadata (repeatable; VALUE is JSON or text)."
        ),
    ] = None,
    index: IndexOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON lines.")] = False,
) -> None:
    """Search the index. Example: wenzhen index query "肝癌免疫治疗适合哪些患者" --mode hybrid -k 3"""
    chosen = one_of("--mode", mode, MODES)
    from wenzhen.retrieval.embedder import load_embedder
    from wenzhen.retrieval.search import LiteratureSearcher
    from wenzhen.retrieval.store import LiteratureIndex

    settings = _settings(index)
    searcher = LiteratureSearcher(LiteratureIndex.open(settings.index_dir), load_embedder(settings))
    hits = searcher.search(text, k=k, mode=chosen, filters=parse_assignments(filters or [], "--filter"))
    for rank, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "rank": rank,
                        "score": hit.score,
                        "chunk_id": chunk.chunk_id,
                        "doc_id": chunk.doc_id,
                        "source": chunk.source,
                        "text": chunk.text,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            console.print(f"[bold]{rank}.[/bold] {hit.score:.4f} {chunk.doc_id} ({chunk.chunk_id})")
            console.print("   " + chunk.text.replace("\n", " ")[:200])


@app.command()
def stats(index: IndexOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, chunks, index kind and embedding model of the index."""
    from wenzhen.retrieval.store import LiteratureIndex

    settings = _settings(index)
    literature = LiteratureIndex.open(settings.index_dir)
    info = {
        "index": str(settings.index_dir),
        "documents": len(literature.doc_ids()),
        "chunks": len(literature.chunks),
        "faiss": literature.meta.kind,
        "embedder": literature.meta.embedder,
        "dim": literature.meta.dim,
    }
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            console.print(f"{key}: {value}")


def eval_retrieval(
    queries: Annotated[
        Path, typer.Option("--queries", help="JSONL of {query, relevant: \\[doc ids]}.", exists=True)
    ],
    index: IndexOption = None,
    limit: Annotated[int | None, typer.Option(help="Evaluate only the first N queries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Recall@1/5/10 and MRR of bm25, dense and hybrid search over a query file.

    Make a query file from Bentsao-style dialogues with `wenzhen eval make-queries`.
    """
    from wenzhen.retrieval.embedder import load_embedder
    from wenzhen.retrieval.evaluation import evaluate, read_queries
    from wenzhen.retrieval.search import LiteratureSearcher
    from wenzhen.retrieval.store import LiteratureIndex

    settings = _settings(index)
    items = read_queries(queries)[:limit]
    searcher = LiteratureSearcher(LiteratureIndex.open(settings.index_dir), load_embedder(settings))
    scores = evaluate(searcher, items, modes=("bm25", "dense", "hybrid"))
    if as_json:
        typer.echo(json.dumps({mode: {"recall": s.recall, "mrr": s.mrr} for mode, s in scores.items()}))
        return
    console.print(f"{len(items)} queries, index {settings.index_dir}")
    console.print("mode     recall@1  recall@5  recall@10  MRR")
    for mode, s in scores.items():
        console.print(f"{mode:<8} {s.recall[1]:8.3f}  {s.recall[5]:8.3f}  {s.recall[10]:9.3f}  {s.mrr:.3f}")


def make_queries(
    source: Annotated[Path, typer.Argument(help="A Bentsao-style dialogue file (huatuo_liver_cancer.json).")],
    out: Annotated[Path, typer.Option("--out", help="Query file to write.")],
) -> None:
    """Write one query per dialogue record (its last patient turn), answered by that record."""
    from wenzhen.retrieval.evaluation import dialogue_queries, write_queries

    items = dialogue_queries(source)
    if not items:
        raise InputError(f"{source}: no <user> turns found")
    write_queries(items, out)
    console.print(f"{len(items)} queries -> {out}")
