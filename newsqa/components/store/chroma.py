"""Chroma behind one type: ``PersistentClient`` in the index dir, or ``HttpClient`` to a server."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from newsqa.components.store import ChunkFilter, DocumentRecord
from newsqa.components.store.changes import ChangeLog
from newsqa.components.store.races import read_racing_deletes
from newsqa.components.store.records import (
    chunk_from,
    meta_from,
    published_ord,
    sentence_ranges,
    where_clause,
)
from newsqa.components.store.sentences import read_scored, sentence_from, sentence_ids
from newsqa.errors import ConfigError, EmbeddingMismatch, IndexNotCreated, IndexUnavailable
from newsqa.types import Chunk, Document, ScoredChunk, ScoredSentence

if TYPE_CHECKING:
    from newsqa.settings import Settings

REINGEST_HINT = "re-ingest with `newsqa ingest --rebuild`"


class ChromaStore:
    """Three collections: ``<name>_chunks`` (embedded chunks), ``<name>_sentences`` (one vector
    per sentence, with its document offsets) and ``<name>_docs`` (cleaned texts)."""

    def __init__(self, client: Any, name: str, mode: str, ef_search: int = 100) -> None:
        self._client = client
        self._name = name
        self.mode = mode
        self.ef_search = ef_search
        self.changes = ChangeLog(client, name)  # every chunk write is logged for other workers
        self._chunks: Any = None
        self._docs: Any = None
        self._sents: Any = None
        self._max_batch: int | None = None

    @property
    def _batch(self) -> int:
        """Most rows one write may carry (the client's limit: 5,461 embedded): a long article's
        chunks and sentences are written in several batches."""
        if self._max_batch is None:
            try:
                self._max_batch = max(1, int(self._client.get_max_batch_size()))
            except Exception:  # an older server without the call: its documented default
                self._max_batch = 5000
        return self._max_batch

    @classmethod
    def embedded(cls, settings: Settings) -> ChromaStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path = settings.index_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, settings.collection, "embedded", settings.chroma_ef_search)

    @classmethod
    def server(cls, settings: Settings) -> ChromaStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        url = urlparse(settings.chroma_url or "")
        if not url.hostname:
            raise ConfigError(f"NEWSQA_CHROMA_URL is not a URL: {settings.chroma_url!r}")
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        except Exception as exc:  # chromadb raises plain exceptions when the server is down
            raise IndexUnavailable(
                f"Chroma server at {settings.chroma_url} unreachable: {exc}"
            ) from exc
        with contextlib.suppress(AttributeError):  # chromadb's HTTP session never times out
            client._server._session.timeout = settings.chroma_timeout_s  # type: ignore[attr-defined]
        return cls(client, settings.collection, "server", settings.chroma_ef_search)

    # -- collections ---------------------------------------------------------------------
    def open_for_write(self, model_id: str, dimension: int) -> None:
        """Create the collections if needed; refuse an index built with another model."""
        hnsw = {"space": "cosine", "ef_search": self.ef_search}
        self._chunks = self._client.get_or_create_collection(
            f"{self._name}_chunks",
            metadata={"embedding_model": model_id, "dimension": dimension},
            configuration={"hnsw": hnsw},
            embedding_function=None,
        )
        self._sents = self._client.get_or_create_collection(
            f"{self._name}_sentences", configuration={"hnsw": hnsw}, embedding_function=None
        )
        for collection in (self._chunks, self._sents):  # an index built before the setting
            found = (collection.configuration or {}).get("hnsw") or {}
            if found.get("ef_search") != self.ef_search:
                collection.modify(configuration={"hnsw": {"ef_search": self.ef_search}})
        self._docs = self._client.get_or_create_collection(
            f"{self._name}_docs", embedding_function=None
        )
        self._check(model_id, dimension)

    def ensure_model(self, model_id: str, dimension: int) -> None:
        """Open existing collections for reading; a missing or mismatched index is a 503."""
        try:
            self._chunks = self._client.get_collection(
                f"{self._name}_chunks", embedding_function=None
            )
            self._docs = self._client.get_collection(f"{self._name}_docs", embedding_function=None)
            self._sents = self._client.get_collection(
                f"{self._name}_sentences", embedding_function=None
            )
        except Exception as exc:
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                raise IndexNotCreated(
                    "the index is empty: run `newsqa ingest` or POST /documents"
                ) from exc
            raise IndexUnavailable(f"the vector store is unreachable: {exc}") from exc
        self._check(model_id, dimension)

    def _check(self, model_id: str, dimension: int) -> None:
        meta = self._chunks.metadata or {}
        if meta.get("embedding_model") != model_id or int(meta.get("dimension", -1)) != dimension:
            raise EmbeddingMismatch(
                f"the index was built with embeddings {meta.get('embedding_model')!r} "
                f"({meta.get('dimension')} dims) but {model_id!r} ({dimension} dims) "
                "is configured; " + REINGEST_HINT
            )

    def reset(self) -> None:
        """Drop the collections (``--rebuild``)."""
        for suffix in ("chunks", "sentences", "docs"):
            with contextlib.suppress(Exception):  # absent already
                self._client.delete_collection(f"{self._name}_{suffix}")
        self.changes.record([], kind="reset")

    def heartbeat(self) -> None:
        try:
            self._client.heartbeat()
        except Exception as exc:
            raise IndexUnavailable(f"the vector store is unreachable: {exc}") from exc

    # -- writes --------------------------------------------------------------------------
    def upsert_chunks(self, docs: list[Document], embeddings: np.ndarray) -> None:
        """Write the chunks of ``docs``; ``embeddings`` has one row per chunk, in order."""
        ids, texts, metadatas = [], [], []
        for doc in docs:
            meta = doc.meta
            for c, span in zip(doc.chunks, sentence_ranges(doc), strict=True):
                ids.append(c.chunk_id)
                texts.append(c.text)
                metadatas.append(
                    {
                        **span,
                        "doc_id": doc.doc_id,
                        "index": c.index,
                        "start": c.start,
                        "end": c.end,
                        "title": meta.title,
                        "source": meta.source,
                        "url": meta.url,
                        "published": meta.published or "",
                        "published_ord": published_ord(meta.published),
                        "author": meta.author,
                    }
                )
        if ids:
            vectors = np.asarray(embeddings, dtype=np.float32)
            for at in range(0, len(ids), self._batch):  # a long article: several batches
                part = slice(at, at + self._batch)
                self._chunks.upsert(
                    ids=ids[part],
                    documents=texts[part],
                    embeddings=vectors[part],
                    metadatas=metadatas[part],  # type: ignore[arg-type]
                )
            self.changes.record(ids)

    def upsert_sentences(
        self,
        docs: list[Document],
        embeddings: np.ndarray,
        entities: list[list[tuple[str, str]]] | None = None,
    ) -> None:
        """Write the sentences of ``docs`` (one row of ``embeddings`` and of ``entities`` each,
        in order)."""
        ids, metadatas = [], []
        for doc in docs:
            for i, (start, end) in enumerate(doc.sentences):
                owner = next((c for c in doc.chunks if c.start <= start and end <= c.end), None)
                ids.append(f"{doc.doc_id}:s{i}")
                metadatas.append(
                    {
                        "doc_id": doc.doc_id,
                        "chunk_id": owner.chunk_id if owner else "",
                        "index": i,
                        "start": start,
                        "end": end,
                        "source": doc.meta.source,
                        "published_ord": published_ord(doc.meta.published),
                    }
                )
        for meta, found in zip(metadatas, entities or [], strict=False):
            meta["entities"] = json.dumps(found, ensure_ascii=False)
        vectors = np.asarray(embeddings, dtype=np.float32)
        for at in range(0, len(ids), self._batch):
            part = slice(at, at + self._batch)
            self._sents.upsert(
                ids=ids[part],
                embeddings=vectors[part],
                metadatas=metadatas[part],  # type: ignore[arg-type]
            )

    def put_documents(self, docs: list[Document]) -> None:
        """Write document records last: a record's presence marks its document complete."""
        if not docs:
            return
        self._docs.upsert(
            ids=[doc.doc_id for doc in docs],
            documents=[doc.text for doc in docs],
            embeddings=[[1.0]] * len(docs),
            metadatas=[
                {
                    "title": doc.meta.title,
                    "source": doc.meta.source,
                    "url": doc.meta.url,
                    "published": doc.meta.published or "",
                    "author": doc.meta.author,
                    "path": doc.path,
                    "content_hash": doc.content_hash,
                    "chunk_count": len(doc.chunks),
                }
                for doc in docs
            ],
        )

    def delete_document(self, doc_id: str) -> None:
        touched = self._chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
        self._docs.delete(ids=[doc_id])
        self._chunks.delete(where={"doc_id": doc_id})
        self.changes.record(touched)
        self._sents.delete(where={"doc_id": doc_id})

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        for begin in range(0, len(chunk_ids), self._batch):
            self._chunks.delete(ids=chunk_ids[begin : begin + self._batch])
        self.changes.record(chunk_ids)

    def delete_sentences(self, doc_ids: list[str], keep_below: int | None = None) -> None:
        """Delete the sentences of ``doc_ids`` (those with index >= ``keep_below`` if given)."""
        for doc_id in doc_ids:
            where: dict[str, Any] = {"doc_id": doc_id}
            if keep_below is not None:
                where = {"$and": [where, {"index": {"$gte": keep_below}}]}
            self._sents.delete(where=where)

    def sentence_doc_ids(self) -> set[str]:
        """The documents that have sentence vectors (a metadata-only scan)."""
        found: set[str] = set()
        for begin in range(0, self._sents.count(), 10000):
            got = self._sents.get(include=["metadatas"], limit=10000, offset=begin)
            found.update(str(m["doc_id"]) for m in got["metadatas"])
        return found

    def query_sentences(
        self, embedding: np.ndarray, k: int, where: ChunkFilter | None = None
    ) -> list[ScoredSentence]:
        """The ``k`` sentences closest to ``embedding`` (matching ``where`` if given)."""
        if k <= 0:
            return []
        got = read_racing_deletes(
            lambda: self._sents.query(
                query_embeddings=[np.asarray(embedding, dtype=np.float32)],
                n_results=k,
                where=where_clause(where),
                include=["metadatas", "distances"],
            )
        )
        return [
            sentence_from(m, 1.0 - float(d))
            for m, d in zip(got["metadatas"][0], got["distances"][0], strict=True)
            if m is not None  # deleted while the query ran (a Chroma server is not atomic)
        ]

    def chunk_sentences(self, chunks: list[Chunk], query: np.ndarray) -> list[ScoredSentence]:
        """The stored sentences wholly inside ``chunks``, with their cosine similarity to
        ``query`` read from the stored vectors (all sentences of the chunks' documents when
        the chunks were written before ingest recorded their sentences)."""
        ids, old_docs = sentence_ids(chunks)
        found = read_scored(self._sents, query, ids=ids) if ids else []
        if old_docs:
            found += read_scored(self._sents, query, where={"doc_id": {"$in": old_docs}})
        return found

    # -- reads ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        records = []
        for begin in range(0, self._docs.count(), 5000):
            got = self._docs.get(include=["metadatas"], limit=5000, offset=begin)
            for doc_id, metadata in zip(got["ids"], got["metadatas"], strict=True):
                records.append(
                    DocumentRecord(
                        doc_id=doc_id,
                        meta=meta_from(metadata),
                        path=str(metadata.get("path", "")),
                        content_hash=str(metadata.get("content_hash", "")),
                        chunk_count=int(metadata.get("chunk_count", 0)),
                    )
                )
        return records

    def document_texts(self, doc_ids: list[str]) -> dict[str, str]:
        """The full texts of documents (those still stored), by id: one read."""
        if not doc_ids:
            return {}
        got = self._docs.get(ids=list(dict.fromkeys(doc_ids)), include=["documents"])
        return dict(zip(got["ids"], got["documents"], strict=True))

    def get_document(self, doc_id: str) -> Document | None:
        got = self._docs.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        metadata = got["metadatas"][0]
        chunks = self._chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunk_list = sorted(
            (
                chunk_from(cid, text, m)
                for cid, text, m in zip(
                    chunks["ids"], chunks["documents"], chunks["metadatas"], strict=True
                )
            ),
            key=lambda c: c.index,
        )
        return Document(
            doc_id=doc_id,
            text=got["documents"][0],
            meta=meta_from(metadata),
            path=str(metadata.get("path", "")),
            content_hash=str(metadata.get("content_hash", "")),
            chunks=chunk_list,
        )

    def _scored(
        self, ids: list[str], texts: list[str], metas: list[Any], scores: list[float]
    ) -> list[ScoredChunk]:
        return [
            ScoredChunk(chunk=chunk_from(cid, text, m), meta=meta_from(m), score=score)
            for cid, text, m, score in zip(ids, texts, metas, scores, strict=True)
            if m is not None and text is not None  # deleted while the query ran
        ]

    def _query_chunks(self, vector: np.ndarray, n: int, **narrow: Any) -> Any:
        """Chunk texts, metadata and distances of the ``n`` nearest to ``vector``."""
        return read_racing_deletes(
            lambda: self._chunks.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                include=["documents", "metadatas", "distances"],
                **narrow,
            )
        )

    def query(self, embedding: np.ndarray, k: int, where: ChunkFilter | None) -> list[ScoredChunk]:
        got = self._query_chunks(embedding, k, where=where_clause(where))
        scores = [1.0 - float(d) for d in got["distances"][0]]
        return self._scored(got["ids"][0], got["documents"][0], got["metadatas"][0], scores)

    def get_chunks(
        self, chunk_ids: list[str], query: np.ndarray | None = None
    ) -> list[ScoredChunk]:
        """Chunks by id, in the given order; scored by cosine similarity to ``query`` if given."""
        if not chunk_ids:
            return []
        by_id = self._get_scored(chunk_ids, query) if query is not None else None
        if by_id is None:
            plain = self._chunks.get(ids=chunk_ids, include=["documents", "metadatas"])
            rows = zip(plain["ids"], plain["documents"], plain["metadatas"], strict=True)
            by_id = {cid: (text, m, 0.0) for cid, text, m in rows}
        present = [cid for cid in chunk_ids if cid in by_id]
        return self._scored(
            present,
            [by_id[c][0] for c in present],
            [by_id[c][1] for c in present],
            [by_id[c][2] for c in present],
        )

    def _get_scored(
        self, chunk_ids: list[str], query: np.ndarray
    ) -> dict[str, tuple[str, Any, float]]:
        """Texts, metadata and cosine similarity to ``query`` of chunks by id."""
        try:
            got = self._chunks.get(ids=chunk_ids, include=["documents", "metadatas", "embeddings"])
            sims = np.asarray(got["embeddings"], dtype=np.float32) @ query
            rows = zip(got["ids"], got["documents"], got["metadatas"], sims, strict=True)
            return {cid: (text, m, float(sim)) for cid, text, m, sim in rows}
        except Exception:
            # chromadb 1.5 sometimes fails to read embeddings back that are not yet compacted
            # ("Error getting embedding"); an id-restricted vector query still works (slower).
            # It fails on ids the store no longer has (deleted meanwhile): those are skipped.
            present = self._chunks.get(ids=chunk_ids, include=[])["ids"]
            if not present:
                return {}
            found = self._query_chunks(query, len(present), ids=present)
            rows2 = zip(
                found["ids"][0],
                found["documents"][0],
                found["metadatas"][0],
                found["distances"][0],
                strict=True,
            )
            return {cid: (text, m, 1.0 - float(d)) for cid, text, m, d in rows2}

    def iter_chunks(self, batch: int = 2000) -> Iterator[tuple[str, str, dict[str, Any]]]:
        total = self._chunks.count()
        for begin in range(0, total, batch):
            got = self._chunks.get(include=["documents", "metadatas"], limit=batch, offset=begin)
            yield from zip(got["ids"], got["documents"], got["metadatas"], strict=True)

    def chunk_ids(self, where: ChunkFilter | None = None) -> list[str]:
        """All chunk ids, or those matching ``where`` (a metadata-only scan)."""
        ids: list[str] = []
        for begin in range(0, self._chunks.count(), 10000):
            got = self._chunks.get(where=where_clause(where), include=[], limit=10000, offset=begin)
            ids.extend(got["ids"])
        return ids

    def count_chunks(self) -> int:
        return int(self._chunks.count())

    def count_documents(self) -> int:
        return int(self._docs.count())
