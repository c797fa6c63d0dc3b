"""Pure ASGI middleware: catch-all 500, API keys (401) and the request body limit (413)."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.deps import key_is_valid, needs_key, presented_key
from service.errors import error_response

log = logging.getLogger("newsqa.service")


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
            log.error(
                "unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc
            )
            if started:  # too late for a status: end the response
                return
            response = error_response(Request(scope), 500, "internal error")
            await response(scope, receive, send)


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
