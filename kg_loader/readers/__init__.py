"""Readers for the KG file formats, and format detection.

>>> detect_format("kg.jsonl", '{"中心词": "乙肝"}')
'cmekg'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from wenzhen.core.files import InputFileError
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.concepts import read_concepts
from wenzhen.kg_loader.readers.fielded import CMEKG, NET39, QAKG
from wenzhen.kg_loader.readers.spo import read_spo
from wenzhen.kg_loader.readers.triples import COLUMNS, read_triples
from wenzhen.kg_loader.records import Record

Reader = Callable[[str, str], Iterator[Record | Issue]]

READERS: dict[str, Reader] = {
    "cmekg": CMEKG.read,
    "39net": NET39.read,
    "qakg": QAKG.read,
    "spo": read_spo,
    "triples": read_triples,
    "concepts": read_concepts,
}
FORMATS = tuple(READERS)


def detect_format(source: str, text: str) -> str:
    """Guess a file's format from its header or first record; raises InputFileError when it can't."""
    head = text.lstrip()[:4000]
    if source.lower().endswith((".csv", ".tsv")):
        first_line = head.split("\n", 1)[0]
        columns = {c.strip() for c in first_line.replace("\t", ",").split(",")}
        if set(COLUMNS) <= columns:
            return "triples"
        if {"name", "symptom", "checklist"} <= columns:
            return "39net"
        raise InputFileError(f"{source}: unknown CSV header {sorted(columns)}; pass --format")
    first = _first_json_object(head)
    if first is not None:
        if "中心词" in first:
            return "cmekg"
        if "spo_list" in first:
            return "spo"
        if "concept" in first:
            return "concepts"
        if "name" in first and ("symptom" in first or "cure_department" in first):
            return "qakg"
    raise InputFileError(f"{source}: cannot tell the format from its first record; pass --format")


def _first_json_object(head: str) -> dict[str, object] | None:
    candidates = [head.split("\n", 1)[0]]
    if head.startswith("["):
        body = head[1:].lstrip()
        decoder = json.JSONDecoder()
        try:
            value, _ = decoder.raw_decode(body)
            return value if isinstance(value, dict) else None
        except (ValueError, RecursionError):
            return None
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return None


__all__ = ["FORMATS", "READERS", "detect_format"]
