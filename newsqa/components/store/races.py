"""Reads that race a delete in the embedded store.

chromadb 1.5 can fail a vector query that runs while another request deletes chunks
("Error executing plan: Internal error: Error finding id"): the HNSW index still lists an id
whose record is gone. The same query a moment later succeeds. Such a read is tried again a few
times; if it keeps failing the request gets a 503 to retry, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from newsqa.errors import IndexUnavailable

T = TypeVar("T")

RACE_ATTEMPTS = 4  # tries of a read that raced a delete (about 0.1 s in all)


def _raced(exc: BaseException) -> bool:
    from chromadb.errors import InternalError

    return isinstance(exc, InternalError)


@retry(
    retry=retry_if_exception(_raced),
    stop=stop_after_attempt(RACE_ATTEMPTS),
    wait=wait_exponential(multiplier=0.01, max=0.05),
    reraise=True,
)
def _tried(read: Callable[[], T]) -> T:
    return read()


def read_racing_deletes(read: Callable[[], T]) -> T:
    """``read()``, tried again while it fails the way a read racing a delete does."""
    try:
        return _tried(read)
    except Exception as exc:
        if _raced(exc):
            raise IndexUnavailable(
                "the index changed while it was read (a document was being deleted): ask again"
            ) from exc
        raise
