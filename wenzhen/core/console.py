"""Terminal output and failure for every ``wenzhen`` command: results on stdout, progress, problems and
errors on stderr, and one mapping from an error to the line printed and the exit code.

>>> from wenzhen.core.errors import InputError
>>> exit_code(InputError("cases.jsonl:3: expected {disease, opening_symptom}"))
2
>>> exit_code(PermissionError(13, "Permission denied", "out.jsonl"))
1

An expected failure (any :class:`WenzhenError`, a file that cannot be read or written, settings that do
not validate) ends a command with ``error: <reason>`` on one line and the code below; ``--debug`` (or
``WENZHEN_DEBUG=1``) shows the traceback instead. Anything else is a bug and keeps its traceback.

| code | meaning |
|---|---|
| 1 | the command failed (a file could not be written, another load holds the lock, …) |
| 2 | bad input, arguments or settings |
| 3 | a server Wenzhen needs cannot be reached or started |
| 4 | a model, index or other resource is missing |
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup

from wenzhen.core.errors import WenzhenError
from wenzhen.core.issues import Issue, write_issues
from wenzhen.core.settings import PathSettings

DEBUG_ENV = "WENZHEN_DEBUG"
ISSUES_SHOWN = 10

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def exit_code(err: BaseException) -> int | None:
    """The exit code of an expected failure, or None for an error that is a bug."""
    if isinstance(err, WenzhenError):
        return err.exit_code
    if isinstance(err, OSError):
        return 1
    return None


def fail(message: object, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on one line of stderr and return the exit to raise (``raise fail(text)``)."""
    err_console.print(f"[red]error:[/red] {escape(' '.join(str(message).split()))}")
    return typer.Exit(code)


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").lower() in ("1", "true", "yes")


class CommandGroup(TyperGroup):
    """The ``wenzhen`` command group: a command that fails as expected ends with one line and its exit
    code (see the table above); the group's ``--debug`` option or ``WENZHEN_DEBUG=1`` keeps the traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context; typer types it with its vendored click
        try:
            return super().invoke(ctx)
        except Exception as err:
            code = exit_code(err)
            if code is None or ctx.params.get("debug") or debugging():
                raise
            raise fail(err, code) from err


def report_issues(issues: Sequence[Issue], name: str, report_dir: Path | None = None) -> Path | None:
    """Write ``issues`` to ``<report dir>/<name>.issues.jsonl`` (default: the data dir's ``reports``), print
    the first few on stderr and where the rest are; returns the report's path (None when there were none)."""
    if not issues:
        return None
    report = (report_dir or PathSettings().reports_dir) / f"{name}.issues.jsonl"
    write_issues(issues, report)
    for issue in issues[:ISSUES_SHOWN]:
        err_console.print(f"  skipped {escape(str(issue))}")
    err_console.print(f"{len(issues)} problems, all in {report}")
    return report


@contextmanager
def counted_progress(description: str, eta: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for a job that reports (done, total) as it goes; the callback it yields
    updates it. With ``eta`` the time remaining is shown, else the time elapsed."""
    clock = TimeRemainingColumn() if eta else TimeElapsedColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), clock)
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)
