"""BM25 keyword index over the stored chunks (bm25s), persisted beside Chroma.

The index records a fingerprint of the chunk ids it covers; when it is missing or out of step
with the vector store it is rebuilt from the store's contents.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from newsqa.components.store import VectorStore

_MANIFEST = "manifest.json"


def fingerprint(chunk_ids: list[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer.stemWords, return_ids=False, show_progress=False
    )


class KeywordIndex:
    """BM25 over chunk texts; ``search`` returns ``(chunk_id, score)`` best first."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._ids: list[str] = []
        self._retriever = None
        self._fingerprint = ""
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return len(self._ids)

    def build(self, chunk_ids: list[str], texts: list[str]) -> None:
        """Index these chunks (replacing what was there) and save if a directory is set."""
        import bm25s

        retriever = None
        if chunk_ids:
            retriever = bm25s.BM25()
            retriever.index(_tokenize(texts), show_progress=False)
        with self._lock:
            self._ids, self._retriever = list(chunk_ids), retriever
            self._fingerprint = fingerprint(chunk_ids)
        self._save()

    def _save(self) -> None:
        if self.directory is None:
            return
        tmp = self.directory.with_name(f"{self.directory.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp), show_progress=False)
        (tmp / _MANIFEST).write_text(
            json.dumps({"fingerprint": self._fingerprint, "ids": self._ids}), encoding="utf-8"
        )
        # Swap in the new index; another process may be swapping too, so tolerate losing.
        old = self.directory.with_name(f"{self.directory.name}.{os.getpid()}.old")
        with contextlib.suppress(OSError):
            self.directory.rename(old)
        try:
            tmp.rename(self.directory)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load the saved index; False when there is none or it cannot be read."""
        import bm25s

        if self.directory is None or not (self.directory / _MANIFEST).exists():
            return False
        try:
            manifest = json.loads((self.directory / _MANIFEST).read_text(encoding="utf-8"))
            ids = list(manifest["ids"])
            retriever = bm25s.BM25.load(str(self.directory), show_progress=False) if ids else None
        except (OSError, ValueError, KeyError):
            return False
        with self._lock:
            self._ids, self._retriever = ids, retriever
            self._fingerprint = str(manifest["fingerprint"])
        return True

    def sync(self, store: VectorStore) -> bool:
        """Make the index match the store's chunks; returns True if it had to rebuild."""
        current = fingerprint(store.chunk_ids())
        if self._fingerprint == current or (self.load() and self._fingerprint == current):
            return False
        ids, texts = [], []
        for chunk_id, text, _meta in store.iter_chunks():
            ids.append(chunk_id)
            texts.append(text)
        self.build(ids, texts)
        return True

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` chunks by BM25; ``allowed`` restricts to a set of chunk ids (filters)."""
        with self._lock:
            retriever, ids = self._retriever, self._ids
        if retriever is None or k <= 0:
            return []
        tokens = _tokenize([query])
        if not tokens or not tokens[0]:
            return []
        mask = None
        if allowed is not None:
            mask = np.fromiter((cid in allowed for cid in ids), dtype=bool, count=len(ids))
            if not mask.any():
                return []
        results, scores = retriever.retrieve(
            tokens, k=min(k, len(ids)), show_progress=False, weight_mask=mask
        )
        return [
            (ids[int(i)], float(s))
            for i, s in zip(results[0], scores[0], strict=True)
            if float(s) > 0
        ]
