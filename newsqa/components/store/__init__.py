"""Vector store: one protocol; Chroma embedded (``PersistentClient``) or server (``HttpClient``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from newsqa.registry import Registry
from newsqa.types import Chunk, Document, DocumentMeta, ScoredChunk, ScoredSentence

if TYPE_CHECKING:
    from newsqa.settings import Settings


@dataclass(frozen=True)
class DocumentRecord:
    """A stored document without its text."""

    doc_id: str
    meta: DocumentMeta
    path: str
    content_hash: str
    chunk_count: int


@dataclass(frozen=True)
class ChunkFilter:
    """Restricts retrieval. ``published_*`` are ISO dates; None means no bound."""

    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    published_from: str | None = None
    published_to: str | None = None

    def is_empty(self) -> bool:
        return not (self.sources or self.doc_ids or self.published_from or self.published_to)


class VectorStore(Protocol):
    """Chunks with embeddings plus document records (the commit marker of an ingest)."""

    mode: str

    def open_for_write(self, model_id: str, dimension: int) -> None: ...
    def ensure_model(self, model_id: str, dimension: int) -> None: ...
    def reset(self) -> None: ...
    def upsert_chunks(self, docs: list[Document], embeddings: np.ndarray) -> None: ...
    def upsert_sentences(
        self,
        docs: list[Document],
        embeddings: np.ndarray,
        entities: list[list[tuple[str, str]]] | None = None,
    ) -> None: ...
    def delete_sentences(self, doc_ids: list[str], keep_below: int | None = None) -> None: ...
    def sentence_doc_ids(self) -> set[str]: ...
    def query_sentences(
        self, embedding: np.ndarray, k: int, where: ChunkFilter | None = None
    ) -> list[ScoredSentence]: ...
    def chunk_sentences(self, chunks: list[Chunk], query: np.ndarray) -> list[ScoredSentence]: ...
    def put_documents(self, docs: list[Document]) -> None: ...
    def delete_document(self, doc_id: str) -> None: ...
    def delete_chunks(self, chunk_ids: list[str]) -> None: ...
    def documents(self) -> list[DocumentRecord]: ...
    def get_document(self, doc_id: str) -> Document | None: ...
    def document_texts(self, doc_ids: list[str]) -> dict[str, str]: ...
    def query(
        self, embedding: np.ndarray, k: int, where: ChunkFilter | None
    ) -> list[ScoredChunk]: ...
    def get_chunks(
        self, chunk_ids: list[str], query: np.ndarray | None = None
    ) -> list[ScoredChunk]: ...
    def iter_chunks(self, batch: int = 2000) -> Iterator[tuple[str, str, dict[str, Any]]]: ...
    def chunk_ids(self, where: ChunkFilter | None = None) -> list[str]: ...
    def count_chunks(self) -> int: ...
    def count_documents(self) -> int: ...
    def heartbeat(self) -> None: ...


STORES: Registry[VectorStore] = Registry(
    "vector store",
    {
        "embedded": "newsqa.components.store.chroma:ChromaStore.embedded",
        "server": "newsqa.components.store.chroma:ChromaStore.server",
    },
)


def open_store(settings: Settings) -> VectorStore:
    """The store for these settings: a Chroma server if ``chroma_url`` is set, else embedded."""
    return STORES.create(settings.store_mode, settings)


def remove_orphans(store: VectorStore) -> int:
    """Delete the chunks and sentences of documents without a record (a write killed before
    the record, which is written last); return how many chunks. Only while no other process
    writes: ``newsqa ingest`` at its start, ``newsqa serve`` on its leased embedded index."""
    known = {record.doc_id for record in store.documents()}
    orphans = [cid for cid in store.chunk_ids() if cid.split(":", 1)[0] not in known]
    store.delete_chunks(orphans)
    store.delete_sentences(sorted(store.sentence_doc_ids() - known))
    return len(orphans)
