"""The store's change log: what every process needs to see the others' writes at once.

A tiny Chroma collection ``<name>_changes`` beside the chunks, so every worker on every host that
reaches the store reaches it too. Each write to the chunks appends an entry naming the chunk ids
it touched, and in the same call moves the ``head`` record to a fresh random token:

- checking for changes is one primary-key read of ``head`` (cheap, per request);
- when the token moved, the entries newer than the reader's last position (minus an overlap,
  for writers whose entries commit late) say which chunk ids to look at again; a reader then reads
  those ids' current state from the store, so entries can be applied in any order, twice, or
  late, and the result is the same (state-based, not operation-based).

Entries are written after the store write they describe and before the writing call returns; a
document record (the commit marker of an ingest) is written after its chunks' entry, so a killed
writer leaves no committed document that the log does not name. Entries older than
``RETENTION_S`` are pruned by writers; a reader that fell further behind resynchronises in full.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

HEAD_ID = "head"
RETENTION_S = 24 * 3600  # entries kept this long; a reader idle for longer resyncs in full
OVERLAP_S = 30.0  # re-read entries this much older than the newest seen (late commits, skew)
PRUNE_EVERY = 64  # writers prune old entries about once per this many entries
WRITER = uuid.uuid4().hex[:12]  # this process, for diagnostics


@dataclass(frozen=True)
class Change:
    """One log entry: chunk ids to look at again, or ``kind == "reset"`` (look at everything)."""

    entry_id: str
    at_us: int
    kind: str
    chunk_ids: tuple[str, ...]


def now_us() -> int:
    return time.time_ns() // 1000


class ChangeLog:
    """Append-only change log in a Chroma collection; see the module docstring."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = f"{name}_changes"
        self._collection: Any = None
        self._lock = threading.Lock()

    def _col(self) -> Any:
        if self._collection is None:
            with self._lock:
                if self._collection is None:
                    self._collection = self._client.get_or_create_collection(
                        self.name, embedding_function=None
                    )
        return self._collection

    def forget(self) -> None:
        """Drop the cached collection handle (after a reset or a store restart)."""
        self._collection = None

    # -- writers -------------------------------------------------------------------------
    def record(self, chunk_ids: Iterable[str], kind: str = "touch") -> str:
        """Append an entry and move ``head``; returns the new head token."""
        ids = sorted(set(chunk_ids))
        if kind == "touch" and not ids:
            return ""
        at = now_us()
        token = uuid.uuid4().hex
        entry_id = f"{at:020d}-{token[:12]}"
        self._col().upsert(
            ids=[entry_id, HEAD_ID],
            documents=[json.dumps(ids), token],
            embeddings=[[1.0], [1.0]],
            metadatas=[
                {"at": at, "kind": kind, "count": len(ids), "writer": WRITER},
                {"moved": at, "token": token, "writer": WRITER},
            ],
        )
        if random.randrange(PRUNE_EVERY) == 0:
            self.prune()
        return token

    def prune(self, older_than_s: float = RETENTION_S) -> None:
        self._col().delete(where={"at": {"$lt": now_us() - int(older_than_s * 1_000_000)}})

    # -- readers -------------------------------------------------------------------------
    def head(self) -> str:
        """The current head token ("" before the first change)."""
        got = self._col().get(ids=[HEAD_ID], include=["metadatas"])
        if not got["ids"]:
            return ""
        return str((got["metadatas"][0] or {}).get("token", ""))

    def since(self, at_us: int) -> list[Change]:
        """Entries at or after ``at_us`` (microseconds since the epoch), oldest first."""
        got = self._col().get(
            where={"at": {"$gte": int(at_us)}}, include=["metadatas", "documents"]
        )
        changes = [
            Change(
                entry_id=entry_id,
                at_us=int(meta["at"]),
                kind=str(meta.get("kind", "touch")),
                chunk_ids=tuple(json.loads(doc or "[]")),
            )
            for entry_id, meta, doc in zip(
                got["ids"], got["metadatas"], got["documents"], strict=True
            )
            if entry_id != HEAD_ID
        ]
        return sorted(changes, key=lambda c: (c.at_us, c.entry_id))
