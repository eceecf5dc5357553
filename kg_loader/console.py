"""Terminal output shared by the ``wenzhen`` sub-commands: results on stdout, progress and errors on stderr.

>>> raise fail("cases.jsonl:3: expected {disease, opening_symptom}")      # doctest: +SKIP
error: cases.jsonl:3: expected {disease, opening_symptom}
"""

from __future__ import annotations

import typer
from rich.console import Console

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: object, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise (``raise fail(err) from err``)."""
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
