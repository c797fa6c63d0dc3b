"""Domain errors. Each carries the HTTP status the API maps it to."""

from __future__ import annotations


class NewsQAError(Exception):
    """Base for errors a user can act on; ``status_code`` is what the API answers with."""

    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(NewsQAError, ValueError):
    """Settings are invalid (unknown mode, bad path, ...)."""

    status_code = 500


class BadRequest(NewsQAError):
    status_code = 422


class UnsupportedMediaType(NewsQAError):
    status_code = 415


class NotFound(NewsQAError):
    status_code = 404


class IndexUnavailable(NewsQAError):
    """The index is empty, missing, out of date or its store is unreachable."""

    status_code = 503


class IndexNotCreated(IndexUnavailable):
    """Nothing was ever written to the index: reads that list things have nothing to list."""


class EmbeddingMismatch(IndexUnavailable):
    """The index was built with another embedding model: re-ingest."""


class BackendError(NewsQAError):
    """An external backend (LLM server, embeddings server) failed."""

    status_code = 502


class IndexBusy(NewsQAError):
    """The embedded index is held by a running server (``newsqa.components.store.lease``)."""

    status_code = 409
