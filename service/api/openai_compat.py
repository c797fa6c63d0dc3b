"""OpenAI-compatible ``POST /v1/chat/completions`` (with ``stream``) and ``GET /v1/models``.

The last user message is the question and earlier turns are the history (the last
``MAX_HISTORY`` of them, each cut to ``MAX_TURN_CHARS``: a long chat goes on). ``content``
carries the ``[n]`` markers and a short "Sources:" list; the message's ``annotations`` are
OpenAI's ``url_citation`` objects, one per marker; a top-level ``citations`` array carries the
structured citations (the ``Citation`` schema of ``/ask``). The request's wire models are in
``service.api.openai_wire``.

Any ``model`` name is answered by newsqa (clients often send their default). Sampling options
(``temperature``, ``max_tokens``, ``stop``, ...) are accepted and ignored: the answer is cited
sentences, whole. What newsqa cannot give is refused with a 400 rather than ignored: JSON
output (``response_format`` ``json_object`` / ``json_schema``) and a required tool call
(``tool_choice`` ``required`` or a named function); ``tools`` offered with ``tool_choice``
``auto`` get a prose answer, which that choice allows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from newsqa.errors import NotFound
from newsqa.text import MARKERS, WEB_ADDRESS, markers
from service.answering.service import answer_question
from service.api.ask import ERRORS, open_stream
from service.api.openai_wire import (
    CREATED,
    MODEL_ID,
    SOURCES_HEADER,
    ChatCompletionRequest,
    ModelCard,
    ModelList,
    to_ask_request,
)
from service.deps import ReadyStateDep
from service.schemas import AskResponse, Citation

__all__ = ["ChatCompletionRequest", "router", "sources_text", "to_ask_request", "url_citations"]

router = APIRouter(prefix="/v1", tags=["openai"])


def sources_text(citations: list[Citation]) -> str:
    """The short "Sources:" list appended to ``content``: one line per article, with the
    numbers of every passage cited from it ("[2][6][7] Title (Outlet, date)")."""
    if not citations:
        return ""
    lines: dict[str, list[int]] = {}
    for c in citations:
        label = c.title or c.doc_id
        extra = ", ".join(x for x in (c.source, c.published or "") if x)
        line = label + (f" ({extra})" if extra else "") + (f" {c.url}" if c.url else "")
        lines.setdefault(line, []).append(c.id)
    return SOURCES_HEADER + "\n".join(
        "".join(f"[{n}]" for n in ids) + f" {line}" for line, ids in lines.items()
    )


def url_citations(content: str, citations: list[Citation]) -> list[dict[str, Any]]:
    """OpenAI's ``url_citation`` annotations of the message: one per ``[n]`` marker of the
    answer (not of the "Sources:" list), at the marker's offsets in ``content``, with the cited
    article's title and its URL (or the ``/documents/{doc_id}`` route that serves its text)
    and, beside OpenAI's fields, the quoted span."""
    by_id = {c.id: c for c in citations}
    answer = content.split(SOURCES_HEADER, 1)[0]
    out = []
    found = [(m, c) for m in MARKERS.finditer(answer) for c in _cited(m.group(0), by_id)]
    for m, c in found:
        out.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "start_index": m.start(),
                    "end_index": m.end(),
                    "title": c.title or c.doc_id,
                    "url": c.url if WEB_ADDRESS.match(c.url) else f"/documents/{c.doc_id}",
                    "quote": c.quote,
                    "doc_id": c.doc_id,
                    "start": c.start,
                    "end": c.end,
                },
            }
        )
    return out


def _cited(marker: str, by_id: dict[int, Citation]) -> list[Citation]:
    return [by_id[n] for n in markers(marker) if n in by_id]


def rough_tokens(text: str) -> int:
    """A rough token count (about four characters a token); no tokenizer needed."""
    return max(1, (len(text) + 3) // 4) if text else 0


def usage(body: ChatCompletionRequest, content: str) -> dict[str, int]:
    prompt = sum(rough_tokens(m.text()) + 4 for m in body.messages)
    completion = rough_tokens(content)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _extension(answer: AskResponse) -> dict[str, Any]:
    return {
        "citations": [c.model_dump() for c in answer.citations],
        "answerable": answer.answerable,
        "engine": answer.engine,
        "confidence": answer.confidence,
        "tentative": answer.tentative,
    }


@router.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID, created=CREATED, owned_by="newsqa")])


@router.get("/models/{model_id}", response_model=ModelCard, responses=ERRORS)
def get_model(model_id: str) -> ModelCard:
    if model_id != MODEL_ID:
        raise NotFound(f"unknown model {model_id!r}: the only model is {MODEL_ID!r}")
    return ModelCard(id=MODEL_ID, created=CREATED, owned_by="newsqa")


def _chunk(
    cid: str, created: int, delta: dict[str, Any], finish: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }


def _stream_chunks(
    body: ChatCompletionRequest, events: Iterator[tuple[str, dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    streamed = ""
    for name, data in events:
        if name == "delta" and data.get("text"):
            streamed += data["text"]
            yield _chunk(cid, created, {"content": data["text"]})
        elif name == "error":
            # the status is already sent: report the error in-band, as OpenAI does
            yield {
                "error": {
                    "message": data.get("detail", "error"),
                    "type": "server_error",
                    "code": data.get("status", 500),
                }
            }
            return
        elif name == "final":
            answer = AskResponse.model_validate(data)
            if not streamed.strip():
                streamed = answer.answer
                yield _chunk(cid, created, {"content": answer.answer})
            tail = sources_text(answer.citations) if answer.answerable else ""
            if tail:
                streamed += tail
                yield _chunk(cid, created, {"content": tail})
            yield _chunk(cid, created, {}, "stop", **_extension(answer))
    if body.stream_options and body.stream_options.include_usage:
        yield {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [],
            "usage": usage(body, streamed),
        }


@router.post("/chat/completions", responses=ERRORS)
async def chat_completions(body: ChatCompletionRequest, state: ReadyStateDep) -> Any:
    """Answer the last user message; OpenAI response (or SSE chunks ending ``[DONE]``)."""
    body.check_supported()
    req = to_ask_request(body)
    if body.stream:
        events = await open_stream(req, state)

        def frames() -> Iterator[dict[str, str]]:
            for chunk in _stream_chunks(body, events):
                yield {"data": json.dumps(chunk, ensure_ascii=False)}
            yield {"data": "[DONE]"}

        return EventSourceResponse(frames(), ping=15)
    answer = await run_in_threadpool(answer_question, req, state)
    content = answer.answer + (sources_text(answer.citations) if answer.answerable else "")
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": None,
                    "annotations": url_citations(content, answer.citations)
                    if answer.answerable
                    else [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage(body, content),
        **_extension(answer),
    }
