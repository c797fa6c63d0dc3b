"""BM25 in segments: a large immutable main segment, a small delta segment, tombstones.

Adding a chunk tokenizes it and rebuilds only the delta (milliseconds); removing one flips its
bit in an ``alive`` mask. The delta is scored with the statistics of main and delta together, so
a new chunk ranks nearly as it would after a full rebuild (main keeps the statistics it was
built with until the next merge: scores within a few percent, exact again after the merge).
When the delta outgrows ``delta_max`` chunks (or a fifth of main is dead), the segments are
merged into a new main in a background thread; changes made meanwhile are replayed on top
before the swap, and searches never wait for it.

Scoring is bm25s's default (method "lucene", k1=1.5, b=0.75) over bm25s's tokenizer (English
stop words, Snowball stemmer), computed with numpy on compressed postings, so a merge costs a
few sorts rather than a Python loop per document. ``tests/newsqa/test_keyword_backends.py``
checks the scores against bm25s itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newsqa.components.keyword.segment import EMPTY, Segment, Vocabulary, concat, tokenize, top

if TYPE_CHECKING:
    from newsqa.settings import Settings

log = logging.getLogger("newsqa.keyword")

FORMAT = 3  # 3: tokens without diacritics (an older snapshot is rebuilt from the store)
_MANIFEST = "manifest.json"


class SegmentedBM25:
    """The ``bm25`` keyword backend (see the module docstring)."""

    mode = "bm25"
    shared = False

    def __init__(self, delta_max: int = 2000, background: bool = True) -> None:
        self.delta_max = max(1, delta_max)
        self.background = background
        self.vocab = Vocabulary()
        self._view: tuple[Segment, Segment] = (EMPTY, EMPTY)  # (main, delta), swapped whole
        self._delta_rows: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # writers
        self._merge_lock = threading.Lock()  # one merge at a time
        self._thread_lock = threading.Lock()
        self._merging: dict[str, np.ndarray | None] | None = None  # changes during a merge
        self._merge_thread: threading.Thread | None = None
        self.on_merged: Callable[[], None] | None = None  # after a merge, e.g. to save
        self.merges = 0

    @classmethod
    def from_settings(cls, settings: Settings, background: bool = False) -> SegmentedBM25:
        return cls(delta_max=settings.keyword_delta_max, background=background)

    def when_merged(self, callback: Callable[[], None]) -> None:
        self.on_merged = callback

    def stats(self) -> dict[str, Any]:
        return {"delta": self.delta_size, "merges": self.merges}

    # -- reads ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        main, delta = self._view
        return main.live + delta.live

    def terms(self) -> Sequence[str]:
        return self.vocab.tokens  # append-only, read as it is (no copy per question)

    def ids(self) -> set[str]:
        main, delta = self._view
        out = {cid for cid, ok in zip(main.ids, main.alive.tolist(), strict=True) if ok}
        out.update(delta.ids)
        return out

    @property
    def delta_size(self) -> int:
        return self._view[1].n

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids by BM25; ``allowed`` restricts to a set of ids (filters)."""
        if k <= 0:
            return []
        main, delta = self._view
        if not main.n and not delta.n:
            return []
        query_ids = self.vocab.lookup(tokenize([query])[0])
        if not query_ids:
            return []
        found: list[tuple[str, float]] = []
        for seg in (main, delta):
            if not seg.n:
                continue
            scores = seg.scores(query_ids)
            mask = seg.alive
            if allowed is not None:
                mask = mask & self._mask(seg, allowed)
            scores[~mask] = 0.0
            found.extend(top(seg, scores, k))
        found.sort(key=lambda hit: -hit[1])  # stable: main before delta on ties
        return found[:k]

    @staticmethod
    def _mask(seg: Segment, allowed: set[str]) -> np.ndarray:
        mask = np.zeros(seg.n, dtype=bool)
        rows = [seg.pos[c] for c in allowed if c in seg.pos]
        if rows:
            mask[rows] = True
        return mask

    # -- writes --------------------------------------------------------------------------
    def rebuild(self, chunk_ids: list[str], texts: list[str]) -> None:
        """Index exactly these chunks (a fresh vocabulary), replacing everything."""
        vocab = Vocabulary()
        arrays = [vocab.encode(t) for t in tokenize(texts)] if texts else []
        flat, offsets = concat(arrays)
        main = Segment.build(list(chunk_ids), flat, offsets, len(vocab))
        with self._lock:
            self.vocab = vocab
            self._delta_rows = {}
            self._view = (main, EMPTY)
            if self._merging is not None:  # a running merge is now stale: drop its result
                self._merging = None

    def upsert(self, chunk_ids: list[str], texts: list[str]) -> None:
        """Add or replace chunks (their text may have changed)."""
        if not chunk_ids:
            return
        arrays = [self.vocab.encode(t) for t in tokenize(texts)]
        with self._lock:
            main, _ = self._view
            main = main.without(chunk_ids)
            rows = dict(self._delta_rows)
            for cid, arr in zip(chunk_ids, arrays, strict=True):
                rows.pop(cid, None)
                rows[cid] = arr
                if self._merging is not None:
                    self._merging[cid] = arr
            self._install(main, rows)

    def remove(self, chunk_ids: list[str]) -> None:
        if not chunk_ids:
            return
        with self._lock:
            main, _ = self._view
            main = main.without(chunk_ids)
            rows = dict(self._delta_rows)
            for cid in chunk_ids:
                rows.pop(cid, None)
                if self._merging is not None:
                    self._merging[cid] = None
            self._install(main, rows)

    def _install(self, main: Segment, rows: dict[str, np.ndarray]) -> None:
        """Swap in ``main`` and a delta rebuilt from ``rows`` (caller holds the lock)."""
        flat, offsets = concat(list(rows.values()))
        delta = Segment.build(list(rows), flat, offsets, len(self.vocab), base=main)
        self._delta_rows = rows
        self._view = (main, delta)

    def needs_merge(self) -> bool:
        main, delta = self._view
        dead = main.n - main.live
        return delta.n > self.delta_max or dead > max(1000, main.n // 5)

    def maintain(self, wait: bool = False) -> None:
        """Merge when the delta is too large; in a background thread unless ``wait``."""
        if not self.needs_merge():
            if wait and self._merge_thread is not None:
                self._merge_thread.join()
            return
        if wait or not self.background:
            self.merge()
            return
        with self._thread_lock:
            if self._merge_thread is not None and self._merge_thread.is_alive():
                return
            self._merge_thread = threading.Thread(
                target=self._merge_logged, name="bm25-merge", daemon=True
            )
            self._merge_thread.start()

    def _merge_logged(self) -> None:
        try:
            self.merge()
        except Exception:  # a failed merge leaves the segments as they were
            log.exception("keyword index merge failed")

    def merge(self) -> None:
        """Fold the delta and the tombstones into a new main segment."""
        with self._merge_lock:
            self._merge()

    def _merge(self) -> None:
        with self._lock:
            main, delta = self._view
            if not delta.n and main.live == main.n:
                return
            self._merging = {}
            ids, flat, offsets = main.live_rows()
            dids, dflat, doffsets = delta.live_rows()
            vocab_size = len(self.vocab)
        all_ids = ids + dids
        all_flat = np.concatenate([flat, dflat])
        all_offsets = np.concatenate([offsets[:-1], doffsets + offsets[-1]])
        merged = Segment.build(all_ids, all_flat, all_offsets, vocab_size)
        with self._lock:
            changed = self._merging
            self._merging = None
            if changed is None:  # rebuilt meanwhile
                return
            merged = merged.without(list(changed))
            rows = {cid: arr for cid, arr in changed.items() if arr is not None}
            self._install(merged, rows)
            self.merges += 1
        if self.on_merged is not None:
            self.on_merged()

    # -- snapshots -----------------------------------------------------------------------
    def save(self, directory: Path, manifest: dict[str, Any]) -> None:
        """Write every live chunk's tokens and ``manifest`` (atomically replaces ``directory``)."""
        with self._lock:
            main, delta = self._view
            ids, flat, offsets = main.live_rows()
            dids, dflat, doffsets = delta.live_rows()
            tokens = list(self.vocab.tokens)
        all_flat = np.concatenate([flat, dflat])
        all_offsets = np.concatenate([offsets[:-1], doffsets + offsets[-1]])
        tmp = directory.with_name(f"{directory.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "tokens.npy", all_flat)
        np.save(tmp / "offsets.npy", all_offsets)
        (tmp / "vocab.json").write_text(json.dumps(tokens), encoding="utf-8")
        body = {**manifest, "format": FORMAT, "backend": self.mode, "ids": ids + dids}
        (tmp / _MANIFEST).write_text(json.dumps(body), encoding="utf-8")
        # Swap in the new snapshot; another process may be swapping too, so tolerate losing.
        old = directory.with_name(f"{directory.name}.{os.getpid()}.{threading.get_ident()}.old")
        with contextlib.suppress(OSError):
            directory.rename(old)
        try:
            tmp.rename(directory)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    def load(self, directory: Path) -> dict[str, Any] | None:
        """Restore a snapshot written by ``save``; None when absent, old or unreadable."""
        try:
            manifest = json.loads((directory / _MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT or manifest.get("backend") != self.mode:
                return None
            ids = list(manifest["ids"])
            flat = np.load(directory / "tokens.npy")
            offsets = np.load(directory / "offsets.npy")
            vocab = Vocabulary(json.loads((directory / "vocab.json").read_text(encoding="utf-8")))
            if len(offsets) != len(ids) + 1 or int(offsets[-1]) != len(flat):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        main = Segment.build(ids, flat.astype(np.int32), offsets.astype(np.int64), len(vocab))
        with self._lock:
            self.vocab = vocab
            self._delta_rows = {}
            self._view = (main, EMPTY)
            self._merging = None
        return dict(manifest)
