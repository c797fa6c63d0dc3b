"""Ingest orchestration: files → clean documents → chunks → embeddings → Chroma + BM25.

Crash safety: a document's chunks are written before its record, and the record is the commit
marker. Each run first deletes chunks that belong to no record (left by a killed run), so a
rerun always ends with a complete index and no duplicates.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.chunking import chunk_text
from ingest.cleaning import clean_text
from ingest.loaders import RawDocument, SkipFile, discover, load_file
from ingest.metadata import doc_id_for, extract_metadata, parse_date
from newsqa.components.embeddings import Embedder, get_embedder
from newsqa.components.ner import get_tagger
from newsqa.components.store import VectorStore, open_store, remove_orphans
from newsqa.components.store.keyword import KeywordIndex
from newsqa.settings import Settings
from newsqa.text import split_sentences
from newsqa.types import Document

log = logging.getLogger(__name__)

EMBED_BATCH_CHUNKS = 256


@dataclass
class IngestSummary:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file, what was not used)
    pruned: list[str] = field(default_factory=list)
    repaired_chunks: int = 0
    chunks_written: int = 0
    characters: int = 0
    total_documents: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0


def display_path(path: Path, follow_links: bool = True) -> str:
    """Path relative to the working directory when under it (the key of a file's document).
    ``follow_links=False`` names a link itself (a skipped link is shown by its own name)."""
    resolved = path.resolve() if follow_links and path.exists() else path.absolute()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def prepare(raw: RawDocument, settings: Settings, model_id: str) -> Document:
    """Clean, describe and chunk one loaded file."""
    cleaned = clean_text(raw.text)
    if not cleaned.text.strip():
        raise SkipFile("no article text left after cleaning")
    doc_id = doc_id_for(cleaned.text)
    chunks = chunk_text(
        doc_id,
        cleaned.text,
        max_chars=settings.chunk_max_chars,
        min_chars=settings.chunk_min_chars,
        overlap_sentences=settings.chunk_overlap_sentences,
    )
    recipe = f"{doc_id}|{settings.chunk_max_chars}|{settings.chunk_min_chars}|"
    recipe += f"{settings.chunk_overlap_sentences}|{model_id}"
    recipe += f"|{settings.chunk_vectors}|{settings.ner}"
    meta = extract_metadata(raw, cleaned)
    recipe += f"|{meta}"
    return Document(
        doc_id=doc_id,
        text=cleaned.text,
        meta=meta,
        path=raw.path,
        content_hash=hashlib.sha256(recipe.encode()).hexdigest()[:24],
        chunks=chunks,
        sentences=split_sentences(cleaned.text),
    )


def pooled_chunk_vectors(doc: Document, sentence_vectors: np.ndarray) -> np.ndarray:
    """Chunk vectors from the vectors of their sentences, weighted by sentence length.

    Each chunk is a run of whole sentences, so its vector is the normalised length-weighted mean
    of theirs: one embedding pass serves both the sentence and the chunk index.
    """
    out = np.zeros((len(doc.chunks), sentence_vectors.shape[1]), dtype=np.float32)
    spans = doc.sentences
    for row, chunk in enumerate(doc.chunks):
        inside = [i for i, (s, e) in enumerate(spans) if s >= chunk.start and e <= chunk.end]
        if not inside:  # cannot happen for chunks built from these spans; stay safe
            inside = [i for i, (s, e) in enumerate(spans) if s < chunk.end and e > chunk.start]
        weights = np.array([spans[i][1] - spans[i][0] for i in inside], dtype=np.float32)
        vec = (sentence_vectors[inside] * weights[:, None]).sum(axis=0)
        out[row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
    return out


class Indexer:
    """Writes documents into the vector store and keeps the keyword index in step."""

    def __init__(
        self,
        settings: Settings,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.store = store or open_store(settings)
        self.store.open_for_write(self.embedder.model_id, self.embedder.dimension)
        self.keyword = KeywordIndex.from_settings(settings)
        self.tagger = get_tagger(settings)
        self.embed_seconds = 0.0
        self.tag_seconds = 0.0

    def repair(self) -> int:
        """Delete chunks whose document record is missing (a killed run); return how many."""
        return remove_orphans(self.store)

    def write(self, docs: list[Document], replacing: Collection[str] = ()) -> int:
        """Embed and store ``docs`` (chunks first, then records); returns chunks written.

        ``replacing`` names doc ids already stored whose chunk sets may have changed.
        """
        sentences = [doc.text[s:e] for doc in docs for s, e in doc.sentences]
        started = time.perf_counter()
        sentence_vectors = self.embedder.embed(sentences)
        if self.settings.chunk_vectors == "pooled":
            parts, k = [], 0
            for doc in docs:
                parts.append(
                    pooled_chunk_vectors(doc, sentence_vectors[k : k + len(doc.sentences)])
                )
                k += len(doc.sentences)
            vectors = np.vstack(parts) if parts else sentence_vectors[:0]
        else:
            vectors = self.embedder.embed([chunk.text for doc in docs for chunk in doc.chunks])
        self.embed_seconds += time.perf_counter() - started
        self.store.upsert_chunks(docs, vectors)
        started = time.perf_counter()
        entities = self.tagger.tag(sentences)
        self.tag_seconds += time.perf_counter() - started
        self.store.upsert_sentences(docs, sentence_vectors, entities)
        for doc in docs:
            previous = self.store.get_document(doc.doc_id) if doc.doc_id in replacing else None
            if previous is not None:
                stale = {c.chunk_id for c in previous.chunks} - {c.chunk_id for c in doc.chunks}
                self.store.delete_chunks(sorted(stale))
                self.store.delete_sentences([doc.doc_id], keep_below=len(doc.sentences))
        self.store.put_documents(docs)
        return len(vectors)

    def sync_keywords(self) -> None:
        self.keyword.sync(self.store)


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    *,
    prune: bool = False,
    rebuild: bool = False,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> IngestSummary:
    """Ingest files and directories incrementally; see the module docstring for crash safety."""
    started = time.perf_counter()
    summary = IngestSummary()
    files, skipped_types = discover(list(paths))
    summary.skipped.extend((display_path(p, follow_links=False), why) for p, why in skipped_types)
    store = open_store(settings)
    if rebuild:
        store.reset()
    indexer = Indexer(settings, store=store)
    summary.repaired_chunks = indexer.repair()
    records = indexer.store.documents()
    by_id = {r.doc_id: r for r in records}
    by_path: dict[str, list[str]] = {}
    for record in records:
        by_path.setdefault(record.path, []).append(record.doc_id)

    seen_ids: dict[str, str] = {}
    pending: list[tuple[Document, list[str]]] = []

    def flush() -> None:
        if not pending:
            return
        summary.chunks_written += indexer.write(
            [doc for doc, _ in pending], {doc.doc_id for doc, _ in pending if doc.doc_id in by_id}
        )
        for doc, replaced in pending:
            for old_id in replaced:
                if old_id != doc.doc_id:
                    indexer.store.delete_document(old_id)
        pending.clear()

    for number, path in enumerate(files, start=1):
        key = display_path(path)
        if on_progress:
            on_progress(number, len(files), key)
        try:
            raw = load_file(path, settings.max_file_bytes)
            doc = prepare(replace(raw, path=key), settings, indexer.embedder.model_id)
        except SkipFile as exc:
            summary.skipped.append((key, exc.reason))
            continue
        except Exception as exc:  # one odd file never costs the run (the log has the trace)
            log.warning("could not read %s", key, exc_info=True)
            summary.skipped.append((key, f"could not be read ({type(exc).__name__}: {exc})"[:300]))
            continue
        given = raw.meta.get("published")
        if given and parse_date(given) is None:  # the API refuses it; a file is still read
            summary.notes.append((key, f"published {given!r} is no date: left out"))
        if doc.doc_id in seen_ids:
            summary.skipped.append((key, f"same content as {seen_ids[doc.doc_id]}"))
            continue
        seen_ids[doc.doc_id] = key
        summary.characters += len(doc.text)
        old_ids = by_path.get(key, [])
        existing = by_id.get(doc.doc_id)
        if existing and existing.path == key and existing.content_hash == doc.content_hash:
            summary.unchanged.append(key)
            for old_id in old_ids:  # leftovers of a killed update
                if old_id != doc.doc_id:
                    indexer.store.delete_document(old_id)
            continue
        if existing and existing.path != key and Path(existing.path).exists():
            summary.skipped.append((key, f"same content as {existing.path}"))
            continue
        (summary.updated if old_ids or existing else summary.added).append(key)
        pending.append((doc, old_ids))
        if sum(len(d.chunks) for d, _ in pending) >= EMBED_BATCH_CHUNKS:
            flush()
    flush()

    if prune:
        for record in indexer.store.documents():
            if record.path and not Path(record.path).exists():
                indexer.store.delete_document(record.doc_id)
                summary.pruned.append(record.path)

    indexer.sync_keywords()
    summary.total_documents = len(indexer.store.documents())
    summary.total_chunks = indexer.store.count_chunks()
    summary.embed_seconds = indexer.embed_seconds
    summary.seconds = time.perf_counter() - started
    return summary


def ingest_raw(
    raw: RawDocument, indexer: Indexer
) -> tuple[Document, Literal["added", "updated", "unchanged"]]:
    """Add one document given as content (the HTTP API); returns it and "added", "updated" (the
    same text with other metadata, e.g. a title or outlet: what is given wins, as a changed
    sidecar does for ``newsqa ingest``) or "unchanged".

    Metadata the request leaves out keeps the stored value: a retried upload without its
    metadata changes nothing, rather than resetting the outlet, date and author."""
    doc = prepare(raw, indexer.settings, indexer.embedder.model_id)
    existing = indexer.store.get_document(doc.doc_id)
    if existing is not None:
        stored = asdict(existing.meta)
        kept = {k: str(v) for k, v in stored.items() if v and k not in raw.meta}
        if kept:
            raw = replace(raw, meta={**kept, **raw.meta})
            doc = prepare(raw, indexer.settings, indexer.embedder.model_id)
    if existing is not None and existing.content_hash == doc.content_hash:
        return existing, "unchanged"
    if existing is not None:
        doc = replace(doc, path=existing.path)  # a file's record stays that file's
    try:
        indexer.write([doc], {doc.doc_id} if existing is not None else ())
    except BaseException:
        if existing is None:  # nothing of a new article stays behind, searchable, unlisted
            with contextlib.suppress(Exception):
                indexer.store.delete_document(doc.doc_id)
        raise
    indexer.sync_keywords()
    return doc, "added" if existing is None else "updated"
