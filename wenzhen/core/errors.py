"""The errors Wenzhen raises for callers to handle: one root, a few kinds, each with the exit code the
command line gives it.

>>> try:
...     raise InputError("cases.jsonl:3: expected {disease, opening_symptom}")
... except WenzhenError as err:
...     print(err.exit_code, err)
2 cases.jsonl:3: expected {disease, opening_symptom}

Every kind also derives from the built-in exception it refines (``InputError`` is a ``ValueError``,
``ResourceMissing`` a ``FileNotFoundError``), so code written against the built-ins keeps working.
"""

from __future__ import annotations

from typing import ClassVar


class WenzhenError(Exception):
    """Root of every error Wenzhen raises on purpose; the message says what is wrong and what to do."""

    exit_code: ClassVar[int] = 1


class InputError(WenzhenError, ValueError):
    """Input that cannot be used: a file, row, field, argument or message (named, with file:line if any)."""

    exit_code = 2


class ConfigError(WenzhenError, ValueError):
    """Settings that cannot be used: the config file, an environment variable, a setting's value."""

    exit_code = 2


class ServiceUnavailable(WenzhenError, ConnectionError):
    """A server Wenzhen needs cannot be reached or started (graph store, embedded server, model server)."""

    exit_code = 3


class ResourceMissing(WenzhenError, FileNotFoundError):
    """Something that must be built, installed or pointed at is not there (model, index, graph data)."""

    exit_code = 4
