"""Who holds an embedded index: a running server leases it for its lifetime.

An embedded Chroma store is opened by one process only, and a server does not see what another
process writes into it: an article that ``newsqa ingest`` adds under a running server is listed
but never found by its searches. So ``newsqa serve`` takes a lock file in the index folder
(released by the operating system if the process dies, ``kill -9`` included), a second server
on the same folder is refused, and ``newsqa ingest`` refuses to write while one holds it. An
index behind a Chroma server (``NEWSQA_CHROMA_URL``) needs no lease.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from newsqa.errors import IndexBusy
from newsqa.settings import Settings

LOCK_NAME = "server.lock"


@contextmanager
def serving(settings: Settings) -> Iterator[None]:
    """Hold the index for a server's lifetime; ``IndexBusy`` when another server holds it."""
    if settings.chroma_url:
        yield
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.index_dir / LOCK_NAME)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexBusy(
            f"another newsqa server is serving the index in {settings.index_dir}: an embedded "
            "index is served by one process (stop it, give another --index-dir, or run several "
            "workers on a Chroma server: NEWSQA_CHROMA_URL)"
        ) from None
    try:
        yield
    finally:
        lock.release()


def ensure_not_served(settings: Settings) -> None:
    """``IndexBusy`` when a running server holds the embedded index (a writer must not)."""
    path = settings.index_dir / LOCK_NAME
    if settings.chroma_url or not path.exists():
        return
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexBusy(
            f"a running newsqa server holds the index in {settings.index_dir}, and would not "
            "see what this ingest writes: add articles through it (POST /documents, or the "
            "UI's upload), or stop it first"
        ) from None
    lock.release()
