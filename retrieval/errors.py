"""Errors of the retrieval package that callers handle (importable without the heavy dependencies)."""

from wenzhen.core.errors import ConfigError, ResourceMissing


class EmbedderUnavailable(ResourceMissing):
    """No local embedding model: the message names what to install or where to point."""


class IndexMissing(ResourceMissing):
    """No literature index where one was expected: the message says how to build it."""


class IndexMismatch(ConfigError):
    """The index was built with another embedding model or dimension."""
