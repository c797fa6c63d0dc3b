"""Pure ASGI middleware: catch-all 500 (503 when a backend is unreachable), API keys (401),
rate limits (429) and the request body limit (413)."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

import httpx
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.deps import key_is_valid, needs_key, presented_key
from service.errors import error_response

log = logging.getLogger("newsqa.service")

UNREACHABLE = "the vector store is unreachable"


def unreachable(exc: BaseException) -> BaseException | None:
    """The connection failure (refused, reset, timed out) behind ``exc``, if there is one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx.TransportError | ConnectionError | TimeoutError):
            return current
        current = current.__cause__ or current.__context__
    return None


class CatchAllMiddleware:
    """Turns an exception escaping the app into a logged 500 ``{"detail": "internal error"}``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            cause = unreachable(exc)
            if cause is not None:  # e.g. the Chroma server stopped mid-request: retry later
                log.warning("%s %s -> 503: %s", scope.get("method"), scope.get("path"), cause)
                if not started:
                    message = f"{UNREACHABLE}: {type(cause).__name__}: {cause}"
                    response = error_response(Request(scope), 503, message, {"Retry-After": "1"})
                    await response(scope, receive, send)
                return
            log.error(
                "unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc
            )
            if started:  # too late for a status: end the response
                return
            response = error_response(Request(scope), 500, "internal error")
            await response(scope, receive, send)


class EncodedSlashMiddleware:
    """A path segment holding ``%2F`` is a 404: routing decodes it into a real slash, and the
    trailing-slash redirect then sent ``/documents/a%2F`` to ``/documents/a``, another id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or b""
        if scope["type"] == "http" and b"%2f" in raw.lower():
            message = "no such route: a path segment holds an encoded slash (%2F)"
            await error_response(Request(scope), 404, message)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class HeadMiddleware:
    """``HEAD`` is answered as ``GET`` without its body, on every route that answers ``GET``
    (FastAPI routes answer only the methods they name: ``HEAD /documents`` was a 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class ApiKeyMiddleware:
    """When keys are configured, every route but /healthz and /readyz needs one (else 401)."""

    def __init__(self, app: ASGIApp, keys: list[str]) -> None:
        self.app = app
        self.keys = list(keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") == "OPTIONS"
            or not needs_key(scope.get("path", ""), self.keys)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key = presented_key(request.headers)
        if key_is_valid(key, self.keys):
            await self.app(scope, receive, send)
            return
        message = (
            "missing API key: send `Authorization: Bearer KEY` or `X-API-Key: KEY`"
            if key is None
            else "invalid API key"
        )
        response = error_response(request, 401, message, {"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)


class BodyLimitMiddleware:
    """Rejects request bodies over ``max_bytes`` with 413, by header or while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"request body too large: the limit is {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            response = error_response(request, 413, self._too_large())
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, limited_receive, send)


RATE_LIMITED_PATHS = ("/ask", "/search", "/v1/chat/completions")


class RateLimitMiddleware:
    """Per-client request limits on the answering routes (``NEWSQA_RATE_LIMIT``): 429 with
    ``Retry-After`` once a client used its allowance.

    A client is its API key when keys are configured (the API-key middleware has checked it),
    else its address. Counting uses the ``limits`` library's moving window; with the default
    ``memory://`` storage each worker counts on its own, so N workers let a client through up
    to N times the limit (connections are spread over workers by the kernel); a shared storage
    (``redis://...``, with the ``redis`` package) makes the limit global. See docs/scaling.md.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: str,
        storage_uri: str = "memory://",
        by_key: bool = False,
        paths: tuple[str, ...] = RATE_LIMITED_PATHS,
    ) -> None:
        from limits import parse_many
        from limits.aio.strategies import MovingWindowRateLimiter
        from limits.storage import storage_from_string

        self.app = app
        self.items = parse_many(limit)
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))
        self.by_key = by_key
        self.paths = paths

    def _limited(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.paths)

    def _client(self, scope: Scope) -> tuple[str, str]:
        """The rate-limit key and how to name it in the message."""
        if self.by_key:
            key = presented_key(Request(scope).headers)
            if key:
                return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16], "API key"
        client: Any = scope.get("client") or ("unknown", 0)
        return f"addr:{client[0]}", "client address"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") == "OPTIONS"
            or not self._limited(scope.get("path", ""))
        ):
            await self.app(scope, receive, send)
            return
        key, kind = self._client(scope)
        for item in self.items:
            if not await self.limiter.hit(item, "newsqa", key):
                stats = await self.limiter.get_window_stats(item, "newsqa", key)
                retry = max(1, math.ceil(stats.reset_time - time.time()))
                message = f"rate limit exceeded ({item} per {kind}): retry in {retry} s"
                response = error_response(Request(scope), 429, message, {"Retry-After": str(retry)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
