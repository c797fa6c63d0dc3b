"""Hybrid retrieval: dense (Chroma) + BM25 fused by reciprocal rank fusion."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from newsqa.components.store import ChunkFilter
from newsqa.types import ScoredChunk
from service.schemas import Filters

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore
    from newsqa.components.store.keyword import KeywordIndex
    from newsqa.settings import Settings
    from service.state import ServiceState


class _LRU:
    """A small thread-safe LRU cache of vectors keyed by text or chunk id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: np.ndarray) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


_QUERY_CACHE = _LRU(256)
_TEXT_CACHE = _LRU(16384)  # sentence vectors (~1.5 kB each)


def embed_query(embedder: Embedder, text: str) -> np.ndarray:
    """The (cached) embedding of one query."""
    key = f"{embedder.model_id}\0{text}"
    vec = _QUERY_CACHE.get(key)
    if vec is None:
        vec = np.asarray(embedder.embed([text])[0], dtype=np.float32)
        _QUERY_CACHE.put(key, vec)
    return vec


def embed_texts(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Embeddings of many texts, cached by content (rows in input order)."""
    keys = [f"{embedder.model_id}\0{t}" for t in texts]
    found = [_TEXT_CACHE.get(k) for k in keys]
    missing = [i for i, v in enumerate(found) if v is None]
    if missing:
        fresh = embedder.embed([texts[i] for i in missing])
        for i, vec in zip(missing, fresh, strict=True):
            found[i] = np.asarray(vec, dtype=np.float32)
            _TEXT_CACHE.put(keys[i], found[i])  # type: ignore[arg-type]
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack([v for v in found if v is not None])


def filters_to_chunk_filter(filters: Filters | None) -> ChunkFilter | None:
    """The store filter for request ``filters``; None when nothing restricts."""
    if filters is None:
        return None
    flt = ChunkFilter(
        sources=tuple(s for s in (filters.source or []) if s),
        doc_ids=tuple(d for d in (filters.doc_ids or []) if d),
        published_from=filters.published_from.isoformat() if filters.published_from else None,
        published_to=filters.published_to.isoformat() if filters.published_to else None,
    )
    return None if flt.is_empty() else flt


class Retriever:
    """Hybrid retrieval over one index: chunk vectors, best-sentence vectors and BM25, fused.

    Built from its dependencies; ``ready`` is called before every search (the service's
    "index open and in step with other writers" check, which raises a 503 error when not).
    """

    def __init__(
        self,
        embedder: Embedder,
        store: VectorStore,
        keyword: KeywordIndex,
        settings: Settings,
        ready: Callable[[], None] | None = None,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.keyword = keyword
        self.settings = settings
        self.ready = ready or (lambda: None)
        self._outlets: tuple[int, dict[str, str]] | None = None  # (documents, lower -> outlet)

    def chunk_filter(self, filters: Filters | None) -> ChunkFilter | None:
        """The store filter for request ``filters``, each outlet spelled as the index spells
        it ("unn" -> "UNN": an outlet matches whatever its case). The outlets are listed again
        only when the number of documents changes (listing takes ~50 ms per 1,000 documents);
        an outlet spelled exactly as stored always matches."""
        if filters is not None and filters.source:
            count = self.store.count_documents()
            cached = self._outlets
            if cached is None or cached[0] != count:
                known = {r.meta.source.lower(): r.meta.source for r in self.store.documents()}
                self._outlets = cached = (count, known)
            wanted = [cached[1].get(s.lower(), s) for s in filters.source]
            filters = filters.model_copy(update={"source": wanted})
        return filters_to_chunk_filter(filters)

    def rankings(
        self, qvec: np.ndarray, query: str, pool: int, flt: ChunkFilter | None
    ) -> tuple[list[ScoredChunk], list[list[str]]]:
        """The dense hits and the three rankings of chunk ids that ``search`` fuses."""
        dense = self.store.query(qvec, pool, flt)
        sentence_rank: list[str] = []
        for sent in self.store.query_sentences(qvec, 2 * pool, flt):
            if sent.chunk_id and sent.chunk_id not in sentence_rank:
                sentence_rank.append(sent.chunk_id)
        allowed = set(self.store.chunk_ids(flt)) if flt is not None else None
        sparse = [cid for cid, _score in self.keyword.search(query, pool, allowed)]
        return dense, [[hit.chunk.chunk_id for hit in dense], sentence_rank[:pool], sparse]

    def search(self, query: str, k: int, flt: ChunkFilter | None = None) -> list[ScoredChunk]:
        """Top ``k`` chunks by RRF of three rankings: chunk vectors, the chunk's best sentence
        vector ("small-to-big") and BM25; ``score`` is the chunk's cosine similarity."""
        self.ready()
        if k <= 0:
            return []
        if flt is not None and flt.is_empty():
            flt = None
        qvec = embed_query(self.embedder, query)
        dense, ranked = self.rankings(qvec, query, max(4 * k, 20), flt)
        order = fuse(ranked, self.settings.fusion_weights, self.settings.rrf_k, k)
        by_id = {hit.chunk.chunk_id: hit for hit in dense}
        missing = [cid for cid in order if cid not in by_id]
        if missing:
            for hit in self.store.get_chunks(missing, qvec):  # scored with stored embeddings
                by_id[hit.chunk.chunk_id] = hit
        return [by_id[cid] for cid in order if cid in by_id]


def fuse(ranked: list[list[str]], weights: tuple[float, ...], rrf_k: int, k: int) -> list[str]:
    """Reciprocal rank fusion: the top ``k`` ids (ties: the dense order, then the id)."""
    fused: dict[str, float] = {}
    for weight, ranking in zip(weights, ranked, strict=True):
        for rank, chunk_id in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (rrf_k + rank + 1)
    dense_rank = {cid: i for i, cid in enumerate(ranked[0])}
    end = len(ranked[0])
    return sorted(fused, key=lambda cid: (-fused[cid], dense_rank.get(cid, end), cid))[:k]


def hybrid_search(
    state: ServiceState, query: str, k: int, flt: ChunkFilter | None = None
) -> list[ScoredChunk]:
    """``Retriever.search`` with the service's retriever (a shorthand for scripts and tests)."""
    return state.retriever.search(query, k, flt)
