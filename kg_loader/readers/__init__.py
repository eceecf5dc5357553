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
    """Guess a file's format from its header or its first records (the first line in full, however long;
    a broken first row does not hide the next ones); raises InputFileError, saying why, when it can't."""
    body = text.lstrip()
    if not body:
        raise InputFileError(f"{source}: the file is empty")
    if "\x00" in body[:4000]:
        raise InputFileError(f"{source}: holds NUL bytes, so it is not a text file of any KG format")
    if source.lower().endswith((".csv", ".tsv")):
        first_line = body.split("\n", 1)[0]
        columns = {c.strip() for c in first_line.replace("\t", ",").split(",")}
        if set(COLUMNS) <= columns:
            return "triples"
        if {"name", "symptom", "checklist"} <= columns:
            return "39net"
        raise InputFileError(f"{source}: unknown CSV header {sorted(columns)}; pass --format")
    for first in _first_json_objects(body):
        if "中心词" in first:
            return "cmekg"
        if "spo_list" in first:
            return "spo"
        if "concept" in first:
            return "concepts"
        if "name" in first and ("symptom" in first or "cure_department" in first):
            return "qakg"
    raise InputFileError(
        f"{source}: cannot tell the format from its first records; pass --format ({', '.join(FORMATS)})"
    )


def _first_json_objects(body: str, rows: int = 5) -> Iterator[dict[str, object]]:
    """The objects among the first ``rows`` elements of a JSON array, or lines of JSON Lines."""
    if body.startswith("["):
        decoder, position = json.JSONDecoder(), 1
        for _ in range(rows):
            while position < len(body) and body[position] in " \t\r\n,":
                position += 1
            try:
                value, position = decoder.raw_decode(body, position)
            except (ValueError, RecursionError):
                return
            if isinstance(value, dict):
                yield value
        return
    lines = body.split("\n", rows * 2)[: rows * 2]  # not the rest of the file
    for line in [line for line in lines if line.strip()][:rows]:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            yield value


__all__ = ["FORMATS", "READERS", "detect_format"]
