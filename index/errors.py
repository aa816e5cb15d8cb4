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


class UnknownName(PolicyIndexError):
    """A city, province, document or clause asked for that the index does not hold; `parameter` is the
    name of the option or query parameter that gave it (city, province, doc, clause_id, cities)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
