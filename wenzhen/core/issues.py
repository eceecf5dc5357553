"""Problems found in input, and the report they are written to: one JSON object a line, each naming the
file, line, field and reason, and what was done about it.

>>> import tempfile, pathlib
>>> report = pathlib.Path(tempfile.mkdtemp()) / "cases.jsonl.issues.jsonl"
>>> write_issues([Issue("cases.jsonl", 3, "empty text", field="text")], report)
>>> report.read_text(encoding="utf-8")[:48]
'{"source": "cases.jsonl", "line": 3, "reason": "'
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class Issue:
    """A problem found in the input: a whole row rejected, one item of a row dropped, a file skipped."""

    source: str
    line: int
    reason: str
    field: str | None = None
    value: str = ""
    action: str = "row rejected"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}" + (f" (field {self.field})" if self.field else "")


def write_issues(issues: Iterable[Issue], report: Path) -> None:
    """Write ``issues`` to ``report`` as JSON Lines, replacing it atomically (parents are created)."""
    report.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file of its own: two runs writing the same report must not rename each other's.
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=report.parent, prefix=f".{report.name}.", suffix=".tmp", delete=False
    ) as handle:
        for issue in issues:
            handle.write(json.dumps(issue.to_json(), ensure_ascii=False) + "\n")
    os.replace(handle.name, report)
