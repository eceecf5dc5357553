"""Shared reading helpers: decoding, JSON with line numbers, and building records from named fields."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kg_loader.readers.validation import clean_name, implausible_name
from kg_loader.records import AttributeValue, Edge, Issue, NodeKey, Record
from kg_loader.schema import ALIAS_PREDICATE, ATTRIBUTES, RELATIONS, Label

FALLBACK_ENCODINGS = ("gb18030",)


class InputFileError(ValueError):
    """A whole input file cannot be read (missing, undecodable, unknown format)."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    raw: bytes


def decode_file(path: Path, encoding: str | None = None) -> DecodedText:
    """Read ``path`` as UTF-8 (or ``encoding``); a GB18030 file is detected and decoded as such.

    An undecodable file raises :class:`InputFileError` naming the line and byte offset.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"{path}: cannot read: {err.strerror or err}") from err
    if encoding:
        try:
            return DecodedText(data.decode(encoding), encoding, data)
        except (UnicodeDecodeError, LookupError) as err:
            raise InputFileError(f"{path}: cannot decode as {encoding}: {err}") from err
    try:
        return DecodedText(data.decode("utf-8-sig"), "utf-8", data)
    except UnicodeDecodeError as utf8_error:
        for fallback in FALLBACK_ENCODINGS:
            try:
                return DecodedText(data.decode(fallback), fallback, data)
            except UnicodeDecodeError:
                continue
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise InputFileError(
            f"{path}: line {line} (byte {utf8_error.start}): not UTF-8 nor GB18030 text; "
            "convert it to UTF-8 or pass --encoding"
        ) from utf8_error


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


T = TypeVar("T")


def parse_json_lines(source: str, text: str, parse: Callable[[Any], T], expected: str) -> list[T]:
    """Every line of JSON Lines ``text`` made into a value by ``parse`` (blank lines skipped), for small
    hand-made files where a bad line is a mistake to fix rather than a row to skip: the first line that is
    not JSON or that ``parse`` rejects (KeyError, TypeError) raises a ValueError naming ``source:line`` and
    the ``expected`` shape.

    >>> parse_json_lines("q.jsonl", '{"q": "a"}\\n\\n{"q": "b"}', lambda row: row["q"], '{"q"}')
    ['a', 'b']
    """
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(parse(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ValueError(f"{source}:{number}: expected {expected}: {err}") from err
    return values


def iter_json_values(source: str, text: str) -> Iterator[tuple[int, Any] | Issue]:
    """Objects of a JSON array or of JSON Lines, each with the line it starts on.

    A malformed JSON line is an :class:`Issue`; in a JSON array, a malformed element ends the array
    (there is no way to resynchronise) and the remainder is reported as one issue.
    """
    stripped = text.lstrip()
    if not stripped.startswith("["):
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw)
            except json.JSONDecodeError as err:
                yield Issue(
                    source, number, f"malformed JSON: {err.msg} (column {err.colno})", value=raw[:200]
                )
        return
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    whitespace = re.compile(r"[\s,]*")
    while True:
        match = whitespace.match(text, position)
        position = match.end() if match else position
        if position >= len(text) or text[position] == "]":
            return
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as err:
            yield Issue(
                source,
                line_of(text, position),
                f"malformed JSON array element: {err.msg}; the rest of the file is skipped",
                value=text[position : position + 200],
            )
            return
        yield line_of(text, position), value
        position = end


@dataclass
class RecordBuilder:
    """Builds one :class:`Record` around a subject node from Chinese-named fields.

    >>> b = RecordBuilder("f.jsonl", 3, NodeKey(Label.DISEASE, "乙肝"))
    >>> b.relate("相关症状", ["肝肿大", "肝肿大", "2-10天"])
    >>> [e.tail.name for e in b.build().edges], b.build().dropped[0].reason[:10]
    (['肝肿大'], 'looks like')
    """

    source: str
    line: int
    subject: NodeKey
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    edges: dict[tuple[str, NodeKey, NodeKey], Edge] = field(default_factory=dict)
    dropped: list[Issue] = field(default_factory=list)
    extra_nodes: dict[NodeKey, dict[str, AttributeValue]] = field(default_factory=dict)

    def attribute(self, chinese_name: str, value: object) -> None:
        """Set an attribute from a string or list of strings; empty values are left out."""
        prop = ATTRIBUTES[chinese_name]
        if isinstance(value, list):
            items = [clean_name(str(item)) for item in value if str(item).strip()]
            if items:
                self.attributes[prop] = items
        elif value is not None and str(value).strip():
            self.attributes[prop] = str(value).strip()

    def relate(
        self,
        predicate: str,
        items: Iterable[str],
        field_name: str | None = None,
        tail_label: Label | None = None,
        head: NodeKey | None = None,
    ) -> None:
        """Add one edge per plausible, distinct item; implausible items are dropped and noted."""
        spec = RELATIONS[predicate]
        for raw in items:
            name = clean_name(raw)
            if not name:
                continue
            problem = implausible_name(name)
            if problem is not None:
                self.dropped.append(
                    Issue(self.source, self.line, problem, field_name or predicate, name, "item dropped")
                )
                continue
            tail = NodeKey(tail_label or spec.tail, name)
            edge_head = head or self.subject
            if predicate == ALIAS_PREDICATE and name == edge_head.name:
                continue
            self.edges.setdefault((spec.type, edge_head, tail), Edge(spec.type, predicate, edge_head, tail))

    def build(self) -> Record:
        nodes: dict[NodeKey, dict[str, AttributeValue]] = {self.subject: self.attributes}
        nodes.update(self.extra_nodes)
        for edge in self.edges.values():
            nodes.setdefault(edge.head, {})
            nodes.setdefault(edge.tail, {})
        return Record(self.line, nodes, list(self.edges.values()), self.dropped)


def subject_or_issue(
    source: str, line: int, label: Label, raw_name: object, field_name: str
) -> NodeKey | Issue:
    """The record's subject node, or the issue that rejects the whole row."""
    if not isinstance(raw_name, str):
        return Issue(
            source, line, f"field {field_name} is missing or not a string", field_name, repr(raw_name)
        )
    name = clean_name(raw_name)
    problem = implausible_name(name)
    if problem is not None:
        return Issue(source, line, problem, field_name, name)
    return NodeKey(label, name)


def string_list(value: object) -> list[str] | None:
    """``value`` as a list of strings (a lone string becomes one item), or None if it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None
