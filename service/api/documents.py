"""``/documents``: list, read (cleaned text + chunks), add one article, delete."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Response

from ingest.loaders import SkipFile, load_content
from ingest.pipeline import ingest_raw
from newsqa.errors import BadRequest, NotFound
from newsqa.types import Document
from service.deps import OpenStateDep, StateDep
from service.schemas import (
    ChunkOut,
    DocumentAdded,
    DocumentDetail,
    DocumentIn,
    DocumentSummary,
    ErrorBody,
)

router = APIRouter(tags=["documents"])
_write_lock = threading.Lock()  # one writer at a time in this process

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown document"},
    503: {"model": ErrorBody, "description": "Index empty, missing or store unreachable"},
}


def _detail(doc: Document) -> DocumentDetail:
    return DocumentDetail(
        doc_id=doc.doc_id,
        title=doc.meta.title,
        source=doc.meta.source,
        url=doc.meta.url,
        published=doc.meta.published,
        author=doc.meta.author,
        path=doc.path,
        text=doc.text,
        chunks=[
            ChunkOut(chunk_id=c.chunk_id, index=c.index, text=c.text, start=c.start, end=c.end)
            for c in doc.chunks
        ],
    )


@router.get("/documents", response_model=list[DocumentSummary], responses=NOT_FOUND)
def list_documents(state: OpenStateDep) -> list[DocumentSummary]:
    """Every indexed document (without its text), ordered by title."""
    records = sorted(state.store.documents(), key=lambda r: (r.meta.title.lower(), r.doc_id))
    return [
        DocumentSummary(
            doc_id=r.doc_id,
            title=r.meta.title,
            source=r.meta.source,
            url=r.meta.url,
            published=r.meta.published,
            author=r.meta.author,
            path=r.path,
            chunks=r.chunk_count,
        )
        for r in records
    ]


@router.get("/documents/{doc_id}", response_model=DocumentDetail, responses=NOT_FOUND)
def get_document(doc_id: str, state: OpenStateDep) -> DocumentDetail:
    """The cleaned text (citation offsets index into it), metadata and chunks."""
    doc = state.store.get_document(doc_id)
    if doc is None:
        raise NotFound(f"unknown document: {doc_id}")
    return _detail(doc)


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentAdded,
    responses={
        200: {"model": DocumentAdded, "description": "Already indexed (unchanged)"},
        422: {"model": ErrorBody, "description": "Invalid or unusable article"},
    },
)
def add_document(body: DocumentIn, state: StateDep, response: Response) -> DocumentAdded:
    """Add one article (``text`` or ``html``) through the ingest pipeline."""
    meta = {
        key: value for key in ("title", "source", "url", "author") if (value := getattr(body, key))
    }
    if body.published is not None:
        meta["published"] = body.published.isoformat()
    try:
        raw = load_content(text=body.text, html=body.html, meta=meta)
        with _write_lock:
            doc, status = ingest_raw(raw, state.indexer)
    except SkipFile as exc:
        raise BadRequest(exc.reason) from exc
    if status != "added":
        response.status_code = 200
    return DocumentAdded(
        doc_id=doc.doc_id,
        status="added" if status == "added" else "unchanged",
        title=doc.meta.title,
        source=doc.meta.source,
        chunks=len(doc.chunks),
    )


@router.delete("/documents/{doc_id}", status_code=204, responses=NOT_FOUND)
def delete_document(doc_id: str, state: StateDep) -> Response:
    """Remove a document and its chunks from both indexes."""
    indexer = state.indexer
    with _write_lock:
        if indexer.store.get_document(doc_id) is None:
            raise NotFound(f"unknown document: {doc_id}")
        indexer.store.delete_document(doc_id)
        indexer.sync_keywords()
    return Response(status_code=204)
