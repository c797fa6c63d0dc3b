"""``POST /ask`` (one verified answer) and ``POST /ask/stream`` (Server-Sent Events)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from newsqa.errors import NewsQAError
from service.answering.service import answer_question, stream_answer
from service.deps import ReadyStateDep
from service.schemas import AskRequest, AskResponse, ErrorBody

log = logging.getLogger("newsqa.service")
router = APIRouter(tags=["ask"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Invalid request"},
    503: {"model": ErrorBody, "description": "Index empty, missing or store unreachable"},
    502: {"model": ErrorBody, "description": "The LLM backend failed"},
}


@router.post("/ask", response_model=AskResponse, responses=ERRORS)
def ask(req: AskRequest, state: ReadyStateDep) -> AskResponse:
    """Answer a question from the indexed articles; every sentence cites passages ``[n]``."""
    return answer_question(req, state)


def _next(events: Iterator[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]] | None:
    return next(events, None)


def guarded(
    events: Iterator[tuple[str, dict[str, Any]]], first: tuple[str, dict[str, Any]] | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Events after ``first``; an error once streaming has begun becomes an ``error`` event."""
    if first is not None:
        yield first
    try:
        yield from events
    except NewsQAError as exc:
        yield "error", {"detail": exc.message, "status": exc.status_code}
    except Exception as exc:
        log.error("streaming answer failed", exc_info=exc)
        yield "error", {"detail": "internal error", "status": 500}


async def open_stream(req: AskRequest, state: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Start ``stream_answer`` and compute its first event here, so early errors keep a status."""
    events = stream_answer(req, state)
    first = await run_in_threadpool(_next, events)
    return guarded(events, first)


@router.post(
    "/ask/stream",
    responses={
        **ERRORS,
        200: {
            "content": {"text/event-stream": {}},
            "description": "events: citations, delta..., final (or error)",
        },
    },
)
async def ask_stream(req: AskRequest, state: ReadyStateDep) -> EventSourceResponse:
    """Server-Sent Events: ``citations``, then ``delta`` events, then ``final`` (the /ask body)."""
    events = await open_stream(req, state)
    return EventSourceResponse(
        ({"event": name, "data": json.dumps(data, ensure_ascii=False)} for name, data in events),
        ping=15,
    )
