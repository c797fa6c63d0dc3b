"""Core records shared by ingest, the store and the service."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about one article. ``published`` is an ISO date (YYYY-MM-DD) or None."""

    title: str = ""
    source: str = ""
    url: str = ""
    published: str | None = None
    author: str = ""


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences; ``text == document_text[start:end]`` exactly."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    # the document's sentences wholly inside the chunk, as (first index, stop index); None
    # when the index was written before ingest recorded it
    sentences: tuple[int, int] | None = None


@dataclass
class Document:
    """A cleaned article ready to be stored."""

    doc_id: str
    text: str
    meta: DocumentMeta
    path: str = ""
    content_hash: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans in ``text``


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its document's metadata and a relevance score."""

    chunk: Chunk
    meta: DocumentMeta
    score: float


@dataclass(frozen=True)
class ScoredSentence:
    """One stored sentence (document offsets) and its cosine similarity to a query."""

    doc_id: str
    chunk_id: str  # the first chunk that holds the sentence
    index: int
    start: int
    end: int
    score: float
    entities: tuple[tuple[str, str], ...] = ()  # (label, text) found at ingest
