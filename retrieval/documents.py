"""Literature sources: PDF (text layer), Markdown, text, and JSON/JSONL records, into documents.

>>> docs = list(read_sources([Path("papers/")], JsonMapping(text=["abstract"], id="pmid")))  # doctest: +SKIP

A document keeps its id (the file, or the record's id field), the source file, a position (page or record
line) and metadata. Problems (unreadable file, wrong encoding, empty text, a missing JSON field) come back
as :class:`Issue` items naming file, line and field; the rest is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wenzhen.core.files import InputFileError, decode_file, iter_json_values
from wenzhen.core.issues import Issue

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSON_SUFFIXES = (".json", ".jsonl")
SUFFIXES = (*TEXT_SUFFIXES, *JSON_SUFFIXES, ".pdf")
MetadataValue = str | int | float | bool


@dataclass(frozen=True)
class SourceDocument:
    """Text to index: ``doc_id`` groups everything of one document (a file, or one JSON record)."""

    doc_id: str
    text: str
    source: str
    position: int = 0
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


RecordReader = Callable[[dict[str, Any]], tuple[str | None, str, dict[str, MetadataValue]]]


@dataclass(frozen=True)
class JsonMapping:
    """Which fields of a JSON record hold the text (joined by newlines), its id, and its metadata."""

    text: tuple[str, ...] = ("text",)
    id: str | None = None
    metadata: tuple[str, ...] = ()

    def read(self, record: dict[str, Any]) -> tuple[str | None, str, dict[str, MetadataValue]]:
        missing = [name for name in self.text if name not in record]
        if missing:
            raise KeyError(missing[0])
        parts = [_flatten(record[name]) for name in self.text]
        doc_id = str(record[self.id]) if self.id is not None and self.id in record else None
        if self.id is not None and doc_id is None:
            raise KeyError(self.id)
        metadata = {name: _scalar(record[name]) for name in self.metadata if name in record}
        return doc_id, "\n".join(part for part in parts if part), metadata


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_flatten(item) for item in value)
    return "" if value is None else str(value).strip()


def _scalar(value: Any) -> MetadataValue:
    return value if isinstance(value, str | int | float | bool) else json.dumps(value, ensure_ascii=False)


_TURN = re.compile(r"\s*<(user|bot)>:\s*")


def _huatuo(record: dict[str, Any]) -> tuple[str | None, str, dict[str, MetadataValue]]:
    """Bentsao liver-cancer literature QA: a ``<user>: … <bot>: …`` dialogue plus the last answer."""
    dialogue = _TURN.sub(lambda m: "\n问：" if m.group(1) == "user" else "\n答：", record["instruction"])
    return None, (dialogue.strip() + "\n答：" + str(record["output"]).strip()).strip(), {}


def _pubmedqa(record: dict[str, Any]) -> tuple[str | None, str, dict[str, MetadataValue]]:
    contexts = record.get("contexts", record.get("CONTEXTS"))
    answer = record.get("long_answer", record.get("LONG_ANSWER", ""))
    question = record.get("question", record.get("QUESTION", ""))
    if contexts is None:
        raise KeyError("contexts")
    pmid = record.get("pmid")
    return (str(pmid) if pmid else None), "\n".join([question, _flatten(contexts), str(answer)]).strip(), {}


PRESETS: dict[str, RecordReader] = {
    "huatuo": _huatuo,
    "pubmedqa": _pubmedqa,
    "cmd": JsonMapping(text=("title", "ask", "answer"), metadata=("department",)).read,
}
"""Ready mappings for the formats of Bentsao's liver-cancer QA, PubMedQA and CMD dialogues."""


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def read_sources(
    paths: Iterable[Path], reader: RecordReader | None = None
) -> Iterator[SourceDocument | Issue]:
    """Documents from files and folders (recursively); ``reader`` maps JSON records (default: ``text``)."""
    for path in iter_files(paths):
        if not path.exists():
            yield Issue(str(path), 0, "no such file or folder", action="file skipped")
            continue
        try:
            yield from _read_file(path, reader or JsonMapping().read)
        except InputFileError as err:
            yield Issue(str(path), 0, str(err), action="file skipped")


def document_id(path: Path) -> str:
    """A text or PDF file's document id: its resolved path, however it was typed (``notes.md``,
    ``./notes.md`` and ``/home/me/notes.md`` are one document, replaced when added again)."""
    return str(path.resolve())


def _read_file(path: Path, reader: RecordReader) -> Iterator[SourceDocument | Issue]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        yield from _read_pdf(path)
    elif suffix in JSON_SUFFIXES:
        yield from _read_json(path, reader)
    elif suffix in TEXT_SUFFIXES:
        text = decode_file(path).text.strip()
        if not text:
            yield Issue(str(path), 0, "empty text", action="file skipped")
        else:
            yield SourceDocument(document_id(path), text, str(path))
    else:
        yield Issue(
            str(path),
            0,
            f"unsupported file type {suffix or '(none)'}; one of {', '.join(SUFFIXES)}",
            action="file skipped",
        )


def _read_pdf(path: Path) -> Iterator[SourceDocument | Issue]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = PdfReader(path).pages
        texts = [(number, (page.extract_text() or "").strip()) for number, page in enumerate(pages, start=1)]
    except (PdfReadError, OSError, ValueError) as err:
        yield Issue(str(path), 0, f"unreadable PDF: {err}", action="file skipped")
        return
    if not any(text for _, text in texts):
        yield Issue(str(path), 0, "PDF has no text layer (scanned?); OCR it first", action="file skipped")
        return
    for number, text in texts:
        if text:
            yield SourceDocument(document_id(path), text, str(path), number, {"page": number})


def _keyed_records(text: str) -> list[tuple[int, Any]] | None:
    """A JSON object whose values are records, keyed by id (PubMedQA's ``{pmid: {...}}``), else None."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not value or not all(isinstance(v, dict) for v in value.values()):
        return None
    return [(0, {"pmid": key, **record}) for key, record in value.items()]


def _read_json(path: Path, reader: RecordReader) -> Iterator[SourceDocument | Issue]:
    source = str(path)
    text = decode_file(path).text
    items = _keyed_records(text) if path.suffix.lower() == ".json" else None
    for index, item in enumerate(items if items is not None else iter_json_values(source, text)):
        if isinstance(item, Issue):
            yield item
            continue
        line, record = item
        if not isinstance(record, dict):
            yield Issue(source, line, f"expected a JSON object, got {type(record).__name__}")
            continue
        try:
            doc_id, text, metadata = reader(record)
        except KeyError as err:
            yield Issue(source, line, f"field {err.args[0]!r} is missing", str(err.args[0]))
            continue
        if not text.strip():
            yield Issue(source, line, "empty text")
            continue
        yield SourceDocument(doc_id or f"{path.name}#{index + 1}", text, source, line, metadata)
