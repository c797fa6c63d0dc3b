"""Deterministic stand-ins for a chat model, both in-process.

- ``ScriptedChat``: LangChain's ``GenericFakeChatModel`` whose reply is a function of the
  prompt (it streams word by word, as the real one does); for unit tests of the LLM engine.
- ``fake_llm``: a tiny OpenAI-compatible chat server (FastAPI + uvicorn in a thread), for the
  wire path (``ChatOpenAI``): HTTP errors, timeouts. ``reply`` decides what the "model" says: a
  string, or a function of the request messages. ``mode`` = "ok" | "error" (HTTP 500) |
  "slow" (sleeps ``delay`` seconds first).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from tests.helpers import free_port

Reply = str | Callable[[list[dict[str, Any]]], str]


@dataclass
class Script:
    """What the fake model does; tests mutate it between calls."""

    reply: Reply = "The sources don't cover this question."
    mode: str = "ok"
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def text(self, messages: list[dict[str, Any]]) -> str:
        return self.reply(messages) if callable(self.reply) else self.reply


def source_text(messages: list[dict[str, Any]], n: int) -> str:
    """The text of ``<source id="n">`` in the last user message ('' if absent)."""
    user = str(messages[-1]["content"])
    match = re.search(rf'<source id="{n}"[^>]*>\n(.*?)\n</source>', user, re.S)
    if not match:
        return ""
    body = match.group(1)
    return body.split("\n", 1)[1] if body.startswith("Title: ") and "\n" in body else body


def first_sentence_of(n: int) -> Callable[[list[dict[str, Any]]], str]:
    """A reply quoting the first full sentence of source ``n`` with its marker."""

    def reply(messages: list[dict[str, Any]]) -> str:
        text = " ".join(source_text(messages, n).split())
        match = re.search(r"[A-Z][^.!?]{30,}[.!?]", text)
        return f"{match.group(0) if match else text} [{n}]"

    return reply


class ScriptedChat(GenericFakeChatModel):
    """LangChain's fake chat model, answering ``reply(messages)`` (messages as role dicts).

    ``fail`` makes every call raise ``ConnectionError`` (a backend failure). ``calls`` records
    each call's messages and keyword arguments (e.g. ``response_format``).
    """

    messages: Any = iter(())
    reply: Any = "The sources don't cover this question."
    fail: bool = False
    calls: list[dict[str, Any]] = []

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        plain = [{"role": m.type, "content": m.content} for m in messages]
        self.calls.append({"messages": plain, **kwargs})
        if self.fail:
            raise ConnectionError("backend down")
        text = self.reply(plain) if callable(self.reply) else self.reply
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunks(model: str, text: str) -> Iterator[str]:
    base = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    pieces = re.findall(r"\S+\s*|\s+", text)
    for k, piece in enumerate(pieces):
        delta = {"role": "assistant", "content": piece} if k == 0 else {"content": piece}
        choice = {"index": 0, "delta": delta, "finish_reason": None}
        yield f"data: {json.dumps({**base, 'choices': [choice]})}\n\n"
    done = {"index": 0, "delta": {}, "finish_reason": "stop"}
    yield f"data: {json.dumps({**base, 'choices': [done]})}\n\n"
    yield "data: [DONE]\n\n"


def make_app(script: Script) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "fake", "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        script.requests.append(body)
        if script.mode == "slow":
            await asyncio.sleep(script.delay)  # longer than the client's timeout
        if script.mode == "error":
            return JSONResponse({"error": {"message": "boom", "type": "server_error"}}, 500)
        text = script.text(body.get("messages", []))
        model = body.get("model", "fake")
        if body.get("stream"):
            return StreamingResponse(_chunks(model, text), media_type="text/event-stream")
        return _completion(model, text)

    return app


@contextmanager
def fake_llm(script: Script | None = None) -> Iterator[tuple[str, Script]]:
    """Serve a fake model on a free port; yields (base URL ending in /v1, script)."""
    script = script or Script()
    port = free_port()
    config = uvicorn.Config(make_app(script), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake LLM server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1", script
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def state_with(base: Any, **settings: Any) -> Any:
    """A ``ServiceState`` sharing ``base``'s index and embedder, with other settings."""
    from service.state import ServiceState

    state = ServiceState(
        base.settings.model_copy(update=settings), store=base.store, embedder=base.embedder
    )
    state.open()
    return state
