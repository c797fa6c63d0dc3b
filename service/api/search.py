"""``GET /search?q=&k=``: ranked chunks (hybrid dense + BM25) with scores and metadata."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from newsqa.errors import BadRequest
from service.api.ask import ERRORS
from service.deps import ReadyStateDep
from service.errors import format_validation_errors
from service.schemas import MAX_QUESTION_CHARS, Filters, SearchHit, SearchResponse

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse, responses=ERRORS)
def search(
    state: ReadyStateDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="The query")],
    k: Annotated[int, Query(ge=1, le=50, description="How many chunks")] = 10,
    source: Annotated[list[str] | None, Query(description="Only these outlets")] = None,
    doc_id: Annotated[list[str] | None, Query(description="Only these documents")] = None,
    published_from: Annotated[date | None, Query()] = None,
    published_to: Annotated[date | None, Query()] = None,
) -> SearchResponse:
    """Chunks most relevant to ``q``; ``score`` is the cosine similarity to the query."""
    query = q.strip()
    if not query.strip("\x00"):
        raise BadRequest("q: must not be empty or whitespace")
    try:
        filters = Filters(
            source=source, doc_ids=doc_id, published_from=published_from, published_to=published_to
        )
    except ValidationError as exc:  # e.g. published_from after published_to
        raise BadRequest(format_validation_errors(exc.errors())) from None
    hits = state.retriever.search(query, k, state.retriever.chunk_filter(filters))
    return SearchResponse(
        query=query,
        hits=[
            SearchHit(
                rank=rank,
                score=round(hit.score, 6),
                doc_id=hit.chunk.doc_id,
                chunk_id=hit.chunk.chunk_id,
                text=hit.chunk.text,
                start=hit.chunk.start,
                end=hit.chunk.end,
                title=hit.meta.title,
                source=hit.meta.source,
                url=hit.meta.url,
                published=hit.meta.published,
            )
            for rank, hit in enumerate(hits, start=1)
        ],
    )
