"""The FastAPI application: ``create_app(settings, state)`` (also a uvicorn factory)."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from newsqa.errors import NewsQAError
from newsqa.settings import Settings, get_settings
from service.answering.service import warm_up_in_background
from service.api import ask, documents, health, openai_compat, search
from service.deps import build_state
from service.errors import install_error_handlers
from service.metrics import Metrics, MetricsMiddleware
from service.metrics import router as metrics_router
from service.middleware import (
    ApiKeyMiddleware,
    BodyLimitMiddleware,
    CatchAllMiddleware,
    EncodedSlashMiddleware,
    HeadMiddleware,
    RateLimitMiddleware,
)
from service.state import ServiceState
from service.verify.entailment import LLM_ENGINES

log = logging.getLogger("newsqa.service")

DESCRIPTION = (
    "Question answering over news articles. Every answer sentence cites passages `[n]`; "
    "each citation's `quote` is the exact text at `start:end` of its document."
)


def _warm_up(app: FastAPI) -> None:
    """Open the index and create the engine now, so the first request is not slow."""
    try:
        state = build_state(app.state)
        state.engine  # noqa: B018
        state.ensure_ready()
        if state.settings.engine in LLM_ENGINES:  # only they embed passage sentences (verify)
            warm_up_in_background(state)
    except NewsQAError as exc:  # the service still starts; /readyz says why it is not ready
        log.warning("newsqa is not ready: %s", exc.message)
    except Exception:  # retried on the first request; /readyz reports it
        log.exception("newsqa failed to open its index at startup")


def create_app(settings: Settings | None = None, state: ServiceState | None = None) -> FastAPI:
    """The API app. ``state`` (shared objects) is built from ``settings`` at startup if absent."""
    if settings is None:
        settings = state.settings if state is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, app)
        yield

    app = FastAPI(title="newsqa", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.service = state
    app.state.startup_error = None
    app.state.metrics = metrics = Metrics()

    install_error_handlers(app)
    for module in (health, ask, search, documents, openai_compat):
        app.include_router(module.router)
    app.include_router(metrics_router)
    if importlib.util.find_spec("service.api.feedback") is not None:
        from service.api import feedback

        app.include_router(feedback.router)

    # the last added is the outermost: metrics > catch-all > API keys > rate limit > body > app
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.rate_limit:
        app.add_middleware(
            RateLimitMiddleware,
            limit=settings.rate_limit,
            storage_uri=settings.rate_limit_storage,
            by_key=bool(settings.api_keys),
        )
    app.add_middleware(ApiKeyMiddleware, keys=settings.api_keys)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(EncodedSlashMiddleware)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
