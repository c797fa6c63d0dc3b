"""The keyword index of one process, kept in step with the vector store through its change log.

``KeywordIndex`` wraps a keyword backend (``newsqa.components.keyword``: ``bm25`` by default)
and follows the store's change log (``newsqa.components.store.changes``):

- ``sync(store)`` at start-up (and at the end of ``newsqa ingest``): load the local snapshot,
  replay the log since the snapshot, then compare the indexed chunk ids with the store's and
  repair any difference (a writer killed between a write and its log entry, a lost snapshot);
- ``refresh(store)`` on every request: one read of the log's head token; when it moved, apply
  the new entries (re-reading the chunks they name) before the request goes on. So a write is
  seen by every worker on its next request, whatever the chunk count, and one added article
  costs the tokenizing of its own chunks, not a rebuild.

Applying an entry reads the current state of the chunks it names (present: index its text;
absent: remove it), so entries may arrive late, twice or out of order with the same result.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsqa.components.keyword import KeywordBackend, open_backend
from newsqa.components.keyword.bm25 import SegmentedBM25
from newsqa.components.store.changes import OVERLAP_S, RETENTION_S, Change, now_us

if TYPE_CHECKING:
    from newsqa.components.store import VectorStore
    from newsqa.settings import Settings

log = logging.getLogger("newsqa.keyword")

OVERLAP_US = int(OVERLAP_S * 1_000_000)
RETENTION_US = int(RETENTION_S * 1_000_000)
FETCH_BATCH = 1000


def fingerprint(chunk_ids: list[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class KeywordIndex:
    """A keyword backend plus its position in the store's change log; ``search`` returns
    ``(chunk_id, score)`` best first."""

    def __init__(self, directory: Path | None, backend: KeywordBackend | None = None) -> None:
        self.directory = directory
        self.backend: KeywordBackend = backend or SegmentedBM25(background=False)
        self._lock = threading.RLock()
        self._synced = False
        self._cursor: tuple[str | None, int] = (None, 0)  # (head token, newest entry seen)
        self._seen: dict[str, int] = {}  # entry id -> time, within the overlap window
        self.chunk_count = 0  # chunks in the store when last checked
        self.on_reset: Callable[[], None] | None = None  # the store was rebuilt: reopen it
        self.counters = {"entries": 0, "repairs": 0, "rebuilds": 0}
        self.backend.when_merged(self.save)

    @classmethod
    def from_settings(cls, settings: Settings, background: bool = False) -> KeywordIndex:
        """The backend named by ``NEWSQA_KEYWORD_INDEX``; ``background`` merges segments in a
        thread (servers) instead of before returning (``newsqa ingest``)."""
        backend = open_backend(settings, background)
        directory = None if backend.shared else settings.index_dir / backend.mode
        return cls(directory, backend)

    # -- reads ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Chunks indexed (the store's count when the backend cannot tell)."""
        size = self.backend.size
        return self.chunk_count if size is None else size

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` chunks by keyword relevance; ``allowed`` restricts to a set of chunk ids."""
        return self.backend.search(query, k, allowed)

    # -- snapshots -----------------------------------------------------------------------
    def build(self, chunk_ids: list[str], texts: list[str]) -> None:
        """Index exactly these chunks (replacing what was there) and save if a directory is set."""
        with self._lock:
            self.backend.rebuild(list(chunk_ids), list(texts))
            self.chunk_count = len(chunk_ids)
        self.save()

    def save(self) -> None:
        if self.directory is None or self.backend.shared:
            return
        head, high = self._cursor  # read before the backend takes its snapshot: never newer
        try:
            self.backend.save(self.directory, {"head": head or "", "high_us": high})
        except OSError:
            log.warning("could not save the keyword index to %s", self.directory, exc_info=True)

    def load(self) -> bool:
        """Load the saved snapshot; False when there is none or it cannot be read."""
        if self.directory is None:
            return False
        manifest = self.backend.load(self.directory)
        if manifest is None:
            return False
        with self._lock:
            self._cursor = (str(manifest.get("head", "")), int(manifest.get("high_us", 0)))
            self._seen = {}
            self.chunk_count = self.size
        return True

    # -- following the store -------------------------------------------------------------
    def sync(self, store: VectorStore) -> bool:
        """Bring the index in step with the store; True if it had to change.

        The first call loads the snapshot, replays the log and checks every chunk id against
        the store (start-up, end of an ingest); later calls only follow the log.
        """
        with self._lock:
            if self._synced:
                return self._follow(store)
            changed = self._open(store)
            self._synced = True
        if changed:
            self.save()
        return changed

    def refresh(self, store: VectorStore) -> None:
        """Per request: apply what other processes changed since the last call (cheap when
        nothing did: one read of the log's head)."""
        changes = getattr(store, "changes", None)
        if changes is None or not self._synced:
            self.sync(store)
            return
        if changes.head() == self._cursor[0]:
            return
        with self._lock:
            self._follow(store)

    def _open(self, store: VectorStore) -> bool:
        changes = getattr(store, "changes", None)
        started = now_us()
        head = changes.head() if changes is not None else ""
        changed = False
        if not self.backend.shared:
            loaded = self.load()
            saved_head, since = self._cursor
            if not loaded:
                self._rebuild(store)
                changed = True
            elif changes is not None and saved_head != head:
                if since < started - RETENTION_US + OVERLAP_US:  # older than the log
                    self._rebuild(store)
                    changed = True
                else:
                    changed = self._apply(store, changes.since(since - OVERLAP_US))
        store_ids = store.chunk_ids()
        changed = self._repair(store, store_ids) or changed
        self._cursor, self._seen = (head, started), {}
        self.chunk_count = len(store_ids)
        self.backend.maintain()
        return changed

    def _follow(self, store: VectorStore) -> bool:
        changes = getattr(store, "changes", None)
        if changes is None:  # a store without a change log: compare counts, as before
            count = store.count_chunks()
            if count == self.chunk_count == self.size:
                return False
            self.chunk_count = count
            return self._repair(store, store.chunk_ids())
        head = changes.head()
        if head == self._cursor[0]:
            return False
        started = now_us()
        if self._cursor[1] < started - RETENTION_US + OVERLAP_US:  # fell behind the log
            store_ids = store.chunk_ids()
            changed = self._repair(store, store_ids)
            self._cursor, self._seen = (head, started), {}
            self.chunk_count = len(store_ids)
            return changed
        changed = self._apply(store, changes.since(self._cursor[1] - OVERLAP_US))
        self._cursor = (head, self._cursor[1])
        self.chunk_count = store.count_chunks()
        size = self.backend.size
        if size is not None and size != self.chunk_count and changes.head() == head:
            # Out of step while nothing moved: a writer died between its write and its entry.
            store_ids = store.chunk_ids()
            changed = self._repair(store, store_ids) or changed
            self.chunk_count = len(store_ids)
        self.backend.maintain()
        return changed

    def _apply(self, store: VectorStore, entries: list[Change]) -> bool:
        """Apply the entries not applied yet (by re-reading the chunks they name)."""
        new = [e for e in entries if e.entry_id not in self._seen]
        if not new:
            return False
        if any(e.kind == "reset" for e in new):
            if self.on_reset is not None:
                self.on_reset()
            self._rebuild(store)
        else:
            self._touch(store, sorted({cid for e in new for cid in e.chunk_ids}))
        high = self._cursor[1]
        for entry in new:
            self._seen[entry.entry_id] = entry.at_us
            high = max(high, entry.at_us)
        self._cursor = (self._cursor[0], high)
        horizon = high - 2 * OVERLAP_US
        self._seen = {k: at for k, at in self._seen.items() if at >= horizon}
        self.counters["entries"] += len(new)
        return True

    def _touch(self, store: VectorStore, chunk_ids: list[str]) -> None:
        """Index the current state of these chunks: present ones (re)indexed, others removed."""
        size = self.backend.size
        if size is not None and len(chunk_ids) > max(20000, size // 2):
            self._rebuild(store)  # most of the index: one pass over the store is cheaper
            return
        for begin in range(0, len(chunk_ids), FETCH_BATCH):
            batch = chunk_ids[begin : begin + FETCH_BATCH]
            present = {hit.chunk.chunk_id: hit.chunk.text for hit in store.get_chunks(batch)}
            ids = [cid for cid in batch if cid in present]
            self.backend.upsert(ids, [present[cid] for cid in ids])
            self.backend.remove([cid for cid in batch if cid not in present])

    def _repair(self, store: VectorStore, store_ids: list[str]) -> bool:
        """Make the indexed ids equal the store's (True if they differed)."""
        mine = self.backend.ids()
        if mine is None:
            return False
        want = set(store_ids)
        if mine == want:
            return False
        extra, missing = sorted(mine - want), sorted(want - mine)
        log.info("keyword index out of step: %d missing, %d extra", len(missing), len(extra))
        self.backend.remove(extra)
        self._touch(store, missing)
        self.counters["repairs"] += 1
        return True

    def _rebuild(self, store: VectorStore) -> None:
        ids, texts = [], []
        for chunk_id, text, _meta in store.iter_chunks():
            if text is None:  # deleted while the scan ran (a Chroma server is not atomic)
                continue
            ids.append(chunk_id)
            texts.append(text)
        self.backend.rebuild(ids, texts)
        self.chunk_count = len(ids)
        self.counters["rebuilds"] += 1

    def describe(self) -> dict[str, Any]:
        """For diagnostics and benchmarks."""
        out: dict[str, Any] = {"backend": self.backend.mode, "size": self.size, **self.counters}
        out.update(self.backend.stats())
        return out
