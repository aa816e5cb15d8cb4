"""Errors of the index layer. Each message is one line a user can act on; the CLI prints it as is."""

from __future__ import annotations


class PolicyIndexError(Exception):
    """Base class: the CLI and the app catch this one and show its message."""


class IndexMissing(PolicyIndexError):
    """No index folder (or no manifest in it) where one was expected."""


class IndexCorrupt(PolicyIndexError):
    """The index folder exists but a file is missing or unreadable."""


class IndexMismatch(PolicyIndexError):
    """The index was built by another format version or with another model than asked for."""


class IndexStale(PolicyIndexError):
    """The corpus changed since the index was built."""


class EmbeddingError(PolicyIndexError):
    """The embedding model cannot be found or loaded."""
