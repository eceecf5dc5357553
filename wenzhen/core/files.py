"""Reading input files: decoding (UTF-8, GB18030 detected), strict JSON Lines, and JSON values with the
line each starts on.

>>> parse_json_lines("q.jsonl", '{"q": "a"}\\n\\n{"q": "b"}', lambda row: row["q"], '{"q"}')
['a', 'b']
>>> [item for item in iter_json_values("f.jsonl", '{"a": 1}\\n{oops')][1].reason[:14]
'malformed JSON'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from wenzhen.core.errors import InputError
from wenzhen.core.issues import Issue

FALLBACK_ENCODINGS = ("gb18030",)
T = TypeVar("T")


class InputFileError(InputError):
    """A whole input file cannot be read (missing, undecodable, unknown format)."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    raw: bytes
    issues: tuple[Issue, ...] = ()
    """Lines left out (blank in ``text``, so line numbers hold): corrupted bytes in a UTF-8 file."""


def decode_file(
    path: Path, encoding: str | None = None, bad_lines: Literal["raise", "report"] = "raise"
) -> DecodedText:
    """Read ``path`` as UTF-8 (or ``encoding``); a file that is GB18030 throughout is decoded as such.

    A UTF-8 file with a few corrupted lines (fewer than half of its non-ASCII lines) is still UTF-8: with
    ``bad_lines="report"`` those lines are left out and returned as issues, else the first raises. An
    unreadable or undecodable file raises :class:`InputFileError` naming the line and byte offset.
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
        lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
        decoded = [_utf8_or_none(line) for line in lines]
        broken = [number for number, text in enumerate(decoded, start=1) if text is None]
        if len(broken) * 2 < sum(not line.isascii() for line in lines):  # UTF-8, with corrupted lines
            if bad_lines == "raise":
                raise InputFileError(
                    f"{path}: line {broken[0]}: not UTF-8 (a corrupted byte?), though the rest of the file "
                    "is: fix or remove that line"
                ) from utf8_error
            issues = tuple(
                Issue(path.name, n, "not UTF-8 (a corrupted byte?): row left out", value=_shown(lines[n - 1]))
                for n in broken
            )
            return DecodedText("\n".join(text or "" for text in decoded), "utf-8", data, issues)
        for fallback in FALLBACK_ENCODINGS:
            try:
                return DecodedText(data.decode(fallback), fallback, data)
            except UnicodeDecodeError:
                continue
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise InputFileError(
            f"{path}: line {line} (byte {utf8_error.start}): not UTF-8 nor GB18030 text; "
            "convert it to UTF-8 (wenzhen kg load also takes --encoding)"
        ) from utf8_error


def _utf8_or_none(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _shown(line: bytes) -> str:
    return line[:200].decode("utf-8", "replace")


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``text`` that character ``offset`` is on."""
    return text.count("\n", 0, offset) + 1


def parse_json_lines(source: str, text: str, parse: Callable[[Any], T], expected: str) -> list[T]:
    """Every line of JSON Lines ``text`` made into a value by ``parse`` (blank lines skipped), for small
    hand-made files where a bad line is a mistake to fix rather than a row to skip: the first line that is
    not JSON or that ``parse`` rejects (KeyError, TypeError, ValueError) raises an :class:`InputError`
    naming ``source:line`` and the ``expected`` shape.
    """
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(parse(json.loads(line)))
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(f"{source}:{number}: expected {expected}: {err}") from err
    return values


def read_json_lines(path: Path, parse: Callable[[Any], T], expected: str) -> list[T]:
    """:func:`parse_json_lines` over a file (decoded as :func:`decode_file` does)."""
    return parse_json_lines(str(path), decode_file(path).text, parse, expected)


def _why(err: ValueError | RecursionError) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} (column {err.colno})"
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return str(err).split(";")[0]  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"


def iter_json_values(source: str, text: str) -> Iterator[tuple[int, Any] | Issue]:
    """Values of a JSON array or of JSON Lines, each with the line it starts on.

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
            except (ValueError, RecursionError) as err:  # also a 5,000-digit number, 100,000 brackets
                yield Issue(source, number, f"malformed JSON: {_why(err)}", value=raw[:200])
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
        except (ValueError, RecursionError) as err:
            yield Issue(
                source,
                line_of(text, position),
                f"malformed JSON array element: {_why(err)}; the rest of the file is skipped",
                value=text[position : position + 200],
            )
            return
        yield line_of(text, position), value
        position = end


def read_tab_rows(path: Path, width: int, expected: str, labels: Collection[str] = ()) -> list[list[str]]:
    """The tab-separated rows of a labelled set, ``width`` non-empty fields each (the last one of ``labels``
    if given), blank lines and ``#`` comments skipped; a malformed row is an error naming its file and line
    and what was ``expected``."""
    rows = []
    for number, line in enumerate(decode_file(path).text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != width or not all(fields) or (labels and fields[-1] not in labels):
            raise InputError(f"{path}:{number}: expected {expected}")
        rows.append(fields)
    return rows


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
