"""Mapping between newsqa records and Chroma metadata and filters."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from newsqa.components.store import ChunkFilter
from newsqa.types import Chunk, Document, DocumentMeta


def published_ord(published: str | None) -> int:
    return int(published.replace("-", "")) if published else 0


def meta_from(metadata: dict[str, Any]) -> DocumentMeta:
    return DocumentMeta(
        title=str(metadata.get("title", "")),
        source=str(metadata.get("source", "")),
        url=str(metadata.get("url", "")),
        published=str(metadata["published"]) if metadata.get("published") else None,
        author=str(metadata.get("author", "")),
    )


def chunk_from(chunk_id: str, text: str, metadata: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(metadata["doc_id"]),
        index=int(metadata["index"]),
        text=text,
        start=int(metadata["start"]),
        end=int(metadata["end"]),
        sentences=(
            (int(metadata["sentences_from"]), int(metadata["sentences_to"]))
            if "sentences_from" in metadata
            else None
        ),
    )


def sentence_ranges(doc: Document) -> list[dict[str, int]]:
    """Per chunk of ``doc``, the metadata naming the sentences wholly inside it (none when
    the document carries no sentence spans)."""
    if not doc.sentences:
        return [{} for _ in doc.chunks]
    starts = [s for s, _e in doc.sentences]
    ends = [e for _s, e in doc.sentences]
    out = []
    for c in doc.chunks:
        first = bisect_left(starts, c.start)
        out.append({"sentences_from": first, "sentences_to": max(first, bisect_right(ends, c.end))})
    return out


def where_clause(flt: ChunkFilter | None) -> dict[str, Any] | None:
    if flt is None or flt.is_empty():
        return None
    clauses: list[dict[str, Any]] = []
    if flt.sources:
        clauses.append({"source": {"$in": list(flt.sources)}})
    if flt.doc_ids:
        clauses.append({"doc_id": {"$in": list(flt.doc_ids)}})
    if flt.published_from:
        clauses.append({"published_ord": {"$gte": published_ord(flt.published_from)}})
    if flt.published_to:
        clauses.append({"published_ord": {"$lte": published_ord(flt.published_to)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
