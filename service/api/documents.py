"""``/documents``: list, read (cleaned text + chunks), add one article, delete."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import PurePath
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from ingest.loaders import SUPPORTED_SUFFIXES, RawDocument, SkipFile, load_bytes, load_content
from ingest.pipeline import ingest_raw
from newsqa.errors import BadRequest, NotFound, UnsupportedMediaType
from newsqa.types import Document
from service.deps import ListingStateDep, StateDep
from service.errors import is_json, unsupported_type
from service.schemas import (
    META_LIMITS,
    ChunkOut,
    DocumentAdded,
    DocumentDetail,
    DocumentIn,
    DocumentSummary,
    ErrorBody,
    web_address,
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
def list_documents(state: ListingStateDep) -> list[DocumentSummary]:
    """Every indexed document (without its text), ordered by title."""
    if state is None:  # nothing was ever indexed
        return []
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
def get_document(doc_id: str, state: ListingStateDep) -> DocumentDetail:
    """The cleaned text (citation offsets index into it), metadata and chunks."""
    doc = state.store.get_document(doc_id) if state is not None else None
    if doc is None:
        raise NotFound(f"unknown document: {doc_id}")
    return _detail(doc)


UPLOAD_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": ".txt .md .html .pdf"},
        **{key: {"type": "string"} for key in ("title", "source", "url", "author")},
        "published": {"type": "string", "format": "date"},
    },
}
META_FIELDS = ("title", "source", "url", "author", "published")


def _json_document(data: bytes) -> RawDocument:
    """The JSON body (``DocumentIn``) read by the ingest loaders."""
    try:
        body = DocumentIn.model_validate_json(data or b"null")
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    meta = {key: value for key in META_FIELDS[:4] if (value := getattr(body, key))}
    if body.published is not None:
        meta["published"] = body.published.isoformat()
    return load_content(text=body.text, html=body.html, meta=meta)


async def _uploaded_document(request: Request, max_bytes: int) -> RawDocument:
    """The uploaded file (form field ``file``) read by the ingest loaders, with form metadata."""
    try:
        form = await request.form(max_files=1, max_fields=len(META_FIELDS))
    except (MultiPartException, HTTPException) as exc:
        raise BadRequest(f"unreadable multipart form: {getattr(exc, 'message', exc)}") from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadRequest("file: attach the article as the form field 'file'")
    name = upload.filename or ""
    if PurePath(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        kinds = " ".join(sorted(set(SUPPORTED_SUFFIXES)))
        raise HTTPException(415, f"unsupported file type {name!r}: use one of {kinds}")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413, f"file too large: the limit is {max_bytes} bytes")
    meta = {key: str(form[key]).strip() for key in META_FIELDS if str(form.get(key) or "").strip()}
    for key, limit in META_LIMITS.items():
        if len(meta.get(key, "")) > limit:
            raise BadRequest(f"{key}: must be at most {limit} characters")
    try:
        web_address(meta.get("url"))
    except ValueError as exc:
        raise BadRequest(f"url: {exc}") from exc
    if "published" in meta:
        try:
            meta["published"] = date.fromisoformat(meta["published"]).isoformat()
        except ValueError as exc:
            raise BadRequest("published: must be a date (YYYY-MM-DD)") from exc
    try:
        raw = await run_in_threadpool(load_bytes, name, data, max_bytes)
    except SkipFile as exc:
        raise BadRequest(f"{name}: {exc.reason}") from exc
    raw.meta.update(meta)
    return RawDocument("", raw.text, raw.kind, raw.meta)


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentAdded,
    responses={
        200: {
            "model": DocumentAdded,
            "description": "Already indexed: unchanged, or updated (the same text, new metadata)",
        },
        413: {"model": ErrorBody, "description": "Uploaded file too large"},
        415: {"model": ErrorBody, "description": "Unsupported file type"},
        422: {"model": ErrorBody, "description": "Invalid, empty or unusable article"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DocumentIn"}},
                "multipart/form-data": {"schema": UPLOAD_FORM},
            },
        }
    },
)
async def add_document(request: Request, state: StateDep, response: Response) -> DocumentAdded:
    """Add one article through the ingest pipeline.

    JSON ``{text or html, title?, source?, url?, published?, author?}``, or a multipart upload
    (field ``file``: .txt .md .html .pdf, read by the same loaders as ``newsqa ingest``; the
    metadata fields may be sent alongside).
    """
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        limit = min(state.settings.max_file_bytes, state.settings.max_body_bytes)
        raw = await _uploaded_document(request, limit)
    elif not is_json(content_type):
        raise UnsupportedMediaType(
            unsupported_type(
                content_type, "JSON (application/json) or a multipart/form-data upload"
            )
        )
    else:
        raw = await run_in_threadpool(_json_document, await request.body())

    def ingest() -> tuple[Document, Literal["added", "updated", "unchanged"]]:
        with _write_lock:
            return ingest_raw(raw, state.indexer)

    try:
        doc, status = await run_in_threadpool(ingest)
    except SkipFile as exc:
        raise BadRequest(exc.reason) from exc
    if status != "added":
        response.status_code = 200
    return DocumentAdded(
        doc_id=doc.doc_id,
        status=status,
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
