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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from newsqa.settings import Settings

log = logging.getLogger("newsqa.keyword")

K1, B = 1.5, 0.75
FORMAT = 3  # 3: tokens without diacritics (an older snapshot is rebuilt from the store)
_MANIFEST = "manifest.json"


def tokenize(texts: list[str]) -> list[list[str]]:
    """bm25s's tokens: lower case, without diacritics ("zurich" finds "Zürich"), English stop
    words removed, Snowball-stemmed."""
    import bm25s
    import Stemmer

    from newsqa.text import fold

    stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize(
        [fold(t) for t in texts],
        stopwords="en",
        stemmer=stemmer.stemWords,
        return_ids=False,
        show_progress=False,
    )
    return [list(t) for t in tokens]


class Vocabulary:
    """Token → id, append-only (ids stay valid for every segment built earlier)."""

    def __init__(self, tokens: list[str] | None = None) -> None:
        self.tokens: list[str] = list(tokens or [])
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.tokens)}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: list[str]) -> np.ndarray:
        with self._lock:
            out = np.empty(len(tokens), dtype=np.int32)
            for i, token in enumerate(tokens):
                tid = self.ids.get(token)
                if tid is None:
                    tid = self.ids[token] = len(self.tokens)
                    self.tokens.append(token)
                out[i] = tid
            return out

    def lookup(self, tokens: list[str]) -> list[int]:
        """Ids of known tokens (unknown ones match nothing anywhere)."""
        return [self.ids[t] for t in tokens if t in self.ids]


def _concat(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    if arrays:
        np.cumsum([len(a) for a in arrays], out=offsets[1:])
    flat = np.concatenate(arrays).astype(np.int32) if arrays else np.zeros(0, np.int32)
    return flat, offsets


@dataclass(frozen=True)
class Segment:
    """Immutable BM25 postings over ``ids``: for token t, rows ``rows[indptr[t]:indptr[t+1]]``
    carry precomputed weights idf(t) * tf / (tf + k1 * (1 - b + b * len / avglen))."""

    ids: list[str]
    pos: dict[str, int]
    flat: np.ndarray  # all token ids, row after row
    offsets: np.ndarray  # row i is flat[offsets[i]:offsets[i + 1]]
    indptr: np.ndarray
    rows: np.ndarray
    weights: np.ndarray
    df: np.ndarray  # documents per token id, this segment only
    total_len: int
    alive: np.ndarray  # False: removed or replaced since the build (tombstone)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def live(self) -> int:
        return int(self.alive.sum())

    @classmethod
    def build(
        cls,
        ids: list[str],
        flat: np.ndarray,
        offsets: np.ndarray,
        vocab_size: int,
        base: Segment | None = None,
    ) -> Segment:
        """Index rows; ``base`` (the main segment) adds its statistics to idf and the average
        length, so that scores of this segment are comparable with the base's."""
        n = len(ids)
        lengths = np.diff(offsets)
        vocab_size = max(vocab_size, int(flat.max(initial=-1)) + 1)
        if n:
            doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
            keys, tf = np.unique(flat.astype(np.int64) * n + doc, return_counts=True)
            tok, row = keys // n, (keys % n).astype(np.int32)
        else:
            tok, row, tf = (np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64))
        df = np.bincount(tok, minlength=vocab_size).astype(np.int32)
        stats_df = df.astype(np.float64)
        docs, total = n, int(lengths.sum())
        if base is not None:
            stats_df[: len(base.df)] += base.df
            docs, total = docs + base.n, total + base.total_len
        avg = total / docs if docs and total else 1.0
        # float32 idf times float64 tf part, rounded to float32: bit for bit what bm25s stores
        idf = np.log(1.0 + (docs - stats_df + 0.5) / (stats_df + 0.5)).astype(np.float32)
        tfc = tf / (K1 * ((1.0 - B) + B * lengths[row] / avg) + tf)
        weights = (idf[tok].astype(np.float64) * tfc).astype(np.float32)
        indptr = np.zeros(vocab_size + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(
            ids=list(ids),
            pos={cid: i for i, cid in enumerate(ids)},
            flat=flat,
            offsets=offsets,
            indptr=indptr,
            rows=row,
            weights=weights,
            df=df,
            total_len=int(lengths.sum()),
            alive=np.ones(n, dtype=bool),
        )

    def scores(self, query: list[int]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        last = len(self.indptr) - 1
        for tid in query:  # repeated query tokens count again, as in bm25s
            if tid < last:
                s, e = self.indptr[tid], self.indptr[tid + 1]
                out[self.rows[s:e]] += self.weights[s:e]
        return out

    def tokens(self, row: int) -> np.ndarray:
        return self.flat[self.offsets[row] : self.offsets[row + 1]]

    def live_rows(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """ids, flat tokens and offsets of the rows still alive."""
        lengths = np.diff(self.offsets)
        keep = self.alive
        flat = self.flat[np.repeat(keep, lengths)]
        offsets = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(lengths[keep], out=offsets[1:])
        ids = [cid for cid, ok in zip(self.ids, keep.tolist(), strict=True) if ok]
        return ids, flat, offsets

    def without(self, chunk_ids: list[str]) -> Segment:
        """A copy with these rows dead (copy-on-write: readers keep the old mask)."""
        rows = [self.pos[c] for c in chunk_ids if c in self.pos]
        if not rows or not self.alive[rows].any():
            return self
        alive = self.alive.copy()
        alive[rows] = False
        return replace(self, alive=alive)


EMPTY = Segment.build([], np.zeros(0, np.int32), np.zeros(1, np.int64), 0)


def _top(seg: Segment, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The best ``k`` rows with a positive score, selected as bm25s does (same order on ties)."""
    k = min(k, len(scores))
    part = np.argpartition(scores, -k)[-k:]
    order = np.flip(np.argsort(scores[part]))
    return [(seg.ids[i], float(scores[i])) for i in part[order].tolist() if scores[i] > 0]


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
        self.on_merged: Any = None  # called (no arguments) after a merge, e.g. to save
        self.merges = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> SegmentedBM25:
        return cls(delta_max=settings.keyword_delta_max)

    # -- reads ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        main, delta = self._view
        return main.live + delta.live

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
            found.extend(_top(seg, scores, k))
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
        flat, offsets = _concat(arrays)
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
        flat, offsets = _concat(list(rows.values()))
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
