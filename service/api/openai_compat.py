"""OpenAI-compatible ``POST /v1/chat/completions`` (with ``stream``) and ``GET /v1/models``.

The last user message is the question and earlier turns are the history (the last
``MAX_HISTORY`` of them, each cut to ``MAX_TURN_CHARS``: a long chat goes on). ``content``
carries the ``[n]`` markers and a short "Sources:" list; a top-level ``citations`` array
carries the structured citations (the ``Citation`` schema of ``/ask``).

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
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette import EventSourceResponse

from newsqa.errors import BadRequest, NotFound
from newsqa.text import MARKERS, markers
from service.answering.service import answer_question
from service.api.ask import ERRORS, open_stream
from service.deps import ReadyStateDep
from service.errors import format_validation_errors
from service.schemas import (
    MAX_HISTORY,
    MAX_TURN_CHARS,
    AskRequest,
    AskResponse,
    Citation,
    Filters,
    Turn,
)

MODEL_ID = "newsqa"
CREATED = 1_735_689_600  # fixed "created" of the model listing (2025-01-01)
SOURCES_HEADER = "\n\nSources:\n"
router = APIRouter(prefix="/v1", tags=["openai"])


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        # parts are separate pieces of text: "Who is Mark" + "Rutte?" is not "MarkRutte?"
        return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")

    def other_parts(self) -> list[str]:
        """The types of its parts that are not text ("image_url", "input_audio", ...)."""
        if not isinstance(self.content, list):
            return []
        return sorted({str(p.get("type")) for p in self.content if p.get("type") != "text"})


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The OpenAI request; sampling options are accepted and ignored. Extras: top_k, filters."""

    model_config = ConfigDict(extra="ignore")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = Field(default=False, strict=True)  # strict: "yes" is no boolean
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, strict=True, description="One choice per answer")
    top_k: int = Field(default=5, ge=1, le=50, strict=True)
    filters: Filters | None = None
    response_format: dict[str, Any] | None = None
    tools: list[Any] | None = None
    tool_choice: str | dict[str, Any] | None = None
    functions: list[Any] | None = None  # the older form of tools
    function_call: str | dict[str, Any] | None = None

    def check_supported(self) -> None:
        """Refuse, with the reason, what newsqa cannot answer with (see the module docstring)."""
        kind = (self.response_format or {}).get("type", "text")
        if kind != "text":
            raise BadRequest(
                f"response_format: {kind!r} is not supported: newsqa answers in prose whose "
                "sentences carry [n] citations (the structured citations are in the "
                "response's `citations` array); leave response_format out"
            )
        free = (None, "auto", "none")
        forced = self.tool_choice not in free or self.function_call not in free
        if forced and (self.tools or self.functions):
            raise BadRequest(
                "tool_choice: newsqa does not call tools; it answers in prose with citations "
                "(leave tool_choice out, or 'auto')"
            )


class ModelCard(BaseModel):
    id: str
    object: str = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: str = "list"
    data: list[ModelCard]


def _strip_sources(text: str) -> str:
    return text.split(SOURCES_HEADER, 1)[0]


def to_ask_request(body: ChatCompletionRequest) -> AskRequest:
    """The last message (a user turn) is the question; earlier turns are the history."""
    last = body.messages[-1]
    if last.role != "user":
        raise BadRequest("messages: the last message must have role 'user'")
    if last.other_parts() and not last.text().strip():
        raise BadRequest(
            f"messages[-1].content: only text parts are read (got {', '.join(last.other_parts())})"
            ": newsqa answers questions written as text"
        )
    roles = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
    history = [
        {"role": roles[m.role], "content": _strip_sources(m.text())[:MAX_TURN_CHARS]}
        for m in body.messages[:-1]
        if m.role in roles and m.text().strip()
    ][-MAX_HISTORY:]
    try:
        return AskRequest(
            question=last.text(),
            top_k=body.top_k,
            filters=body.filters,
            history=[Turn.model_validate(t) for t in history],
        )
    except ValidationError as exc:
        message = format_validation_errors(exc.errors())
        raise BadRequest(message.replace("question:", "messages[-1].content:")) from exc


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
                    "url": c.url or f"/documents/{c.doc_id}",
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
