"""``chroma-sparse``: the keyword index kept inside Chroma as BM25 sparse vectors.

For distributed Chroma and Chroma Cloud, whose collections can carry a sparse vector index that
Chroma fills from the documents (``SparseVectorIndexConfig`` with ``ChromaBm25EmbeddingFunction``)
and whose ``Search`` API ranks by it. Then no worker holds a keyword index of its own: every
worker on every host asks the same engine. A local chromadb (embedded or ``chroma run``) refuses
sparse indexes ("Sparse vector indexing is not enabled in local"); this backend then fails at
start-up with that message, and ``bm25`` is the choice.

The sparse vectors live in their own collection ``<name>_sparse`` (chunk ids, chunk texts),
written through the same change log as the ``bm25`` backend, so the chunk collection and the
ingest stay as they are. See docs/scaling.md for the step after: the sparse index on the chunk
collection itself, and dense + sparse fused by ``Rrf`` in one ``Search`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsqa.errors import ConfigError, IndexUnavailable

if TYPE_CHECKING:
    from newsqa.settings import Settings

SPARSE_KEY = "bm25_sparse"
BATCH = 1000


class ChromaSparse:
    """Keyword search by Chroma's BM25 sparse vectors (distributed Chroma or Chroma Cloud)."""

    mode = "chroma-sparse"
    shared = True

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = f"{name}_sparse"
        self._collection: Any = None

    @classmethod
    def from_settings(cls, settings: Settings, background: bool = False) -> ChromaSparse:
        """``background`` has no use here: Chroma does its own housekeeping."""
        from newsqa.components.store import open_store

        store = open_store(settings)
        backend = cls(store._client, settings.collection)  # type: ignore[attr-defined]
        backend.collection()  # fail now, with Chroma's reason, if sparse vectors are refused
        return backend

    @staticmethod
    def schema() -> Any:
        from chromadb import K, Schema, SparseVectorIndexConfig
        from chromadb.utils.embedding_functions import ChromaBm25EmbeddingFunction

        return Schema().create_index(
            key=SPARSE_KEY,
            config=SparseVectorIndexConfig(
                source_key=K.DOCUMENT.name,
                embedding_function=ChromaBm25EmbeddingFunction(),
                bm25=True,
            ),
        )

    def collection(self) -> Any:
        if self._collection is None:
            try:
                self._collection = self._client.get_or_create_collection(
                    self.name, schema=self.schema(), embedding_function=None
                )
            except Exception as exc:
                if "not enabled in local" in str(exc):
                    raise ConfigError(
                        "NEWSQA_KEYWORD_INDEX=chroma-sparse needs distributed Chroma or Chroma "
                        f"Cloud; this Chroma refuses sparse vectors ({exc}); use bm25"
                    ) from exc
                raise IndexUnavailable(f"the vector store is unreachable: {exc}") from exc
        return self._collection

    @property
    def size(self) -> int | None:
        return None  # the engine's business

    def ids(self) -> set[str] | None:
        return None

    def terms(self) -> Sequence[str] | None:
        return None  # the engine's vocabulary is not listed

    def upsert(self, chunk_ids: list[str], texts: list[str]) -> None:
        col = self.collection()
        for begin in range(0, len(chunk_ids), BATCH):
            part = chunk_ids[begin : begin + BATCH]
            col.upsert(
                ids=part, documents=texts[begin : begin + BATCH], embeddings=[[1.0]] * len(part)
            )

    def remove(self, chunk_ids: list[str]) -> None:
        col = self.collection()
        for begin in range(0, len(chunk_ids), BATCH):
            col.delete(ids=chunk_ids[begin : begin + BATCH])

    def rebuild(self, chunk_ids: list[str], texts: list[str]) -> None:
        self._client.delete_collection(self.name)
        self._collection = None
        self.upsert(chunk_ids, texts)

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        from chromadb import K, Knn, Search

        if k <= 0 or not query.strip():
            return []
        search = Search().rank(Knn(query=query, key=SPARSE_KEY, limit=k)).limit(k)
        if allowed is not None:
            if not allowed:
                return []
            search = search.where(K.ID.is_in(sorted(allowed)))
        found = self.collection().search(search.select(K.SCORE))
        ids, scores = found["ids"][0], (found.get("scores") or [[]])[0] or []
        # Chroma ranks by distance (lower is better): report a similarity (higher is better).
        return [(cid, -float(s)) for cid, s in zip(ids, scores, strict=False)]

    def maintain(self, wait: bool = False) -> None:
        return None

    def when_merged(self, callback: Callable[[], None]) -> None:
        return None  # Chroma merges on its own and keeps its own state: nothing to save

    def stats(self) -> dict[str, Any]:
        return {}

    def save(self, directory: Path, manifest: dict[str, Any]) -> None:
        return None

    def load(self, directory: Path) -> dict[str, Any] | None:
        return None
