"""The parts of the BM25 backend: its tokenizer, vocabulary and immutable scored segments.

A segment holds compressed postings (token ids per row), per-row lengths, the IDF of the
statistics it was built with and an ``alive`` mask; scoring is bm25s's "lucene" method.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

K1, B = 1.5, 0.75


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


def concat(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
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


def top(seg: Segment, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The best ``k`` rows with a positive score, selected as bm25s does (same order on ties)."""
    k = min(k, len(scores))
    part = np.argpartition(scores, -k)[-k:]
    order = np.flip(np.argsort(scores[part]))
    return [(seg.ids[i], float(scores[i])) for i in part[order].tolist() if scores[i] > 0]
