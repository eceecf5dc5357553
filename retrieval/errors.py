"""Errors of the retrieval package that callers handle (importable without the heavy dependencies)."""


class EmbedderUnavailable(RuntimeError):
    """No local embedding model: the message names what to install or where to point."""


class IndexMismatch(ValueError):
    """The index was built with another embedding model or dimension."""
