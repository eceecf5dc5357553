"""How a KG file is loaded: format, batch size, writer threads, encoding, dry run, report file, and how long
to wait for another load writing to the same graph.

>>> LoadOptions(batch_size=2000, workers=3).edge_lanes
2
>>> LoadOptions(format="xml")
Traceback (most recent call last):
...
wenzhen.core.errors.InputError: unknown format 'xml'; one of auto, cmekg, 39net, qakg, spo, triples, concepts

Kept apart from the loader so that the command line can offer these defaults without importing the driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wenzhen.core.errors import InputError
from wenzhen.kg_loader.readers import READERS


@dataclass(frozen=True)
class LoadOptions:
    format: str = "auto"
    batch_size: int = 5000
    workers: int = 1
    encoding: str | None = None
    dry_run: bool = False
    report: Path | None = None
    wait_s: float = 0.0

    def __post_init__(self) -> None:
        if self.format != "auto" and self.format not in READERS:
            raise InputError(f"unknown format {self.format!r}; one of auto, {', '.join(READERS)}")
        if self.batch_size < 1 or self.workers < 1:
            raise InputError("batch_size and workers must be at least 1")
        if self.wait_s < 0:
            raise InputError("wait_s must not be negative")

    @property
    def edge_lanes(self) -> int:
        """Threads writing relations: all but the one writing nodes."""
        return max(1, self.workers - 1)
