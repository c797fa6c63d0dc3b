"""RateLimitMiddleware in process: 429 with Retry-After per client address or API key, only on
the answering routes; the limit setting is validated."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from newsqa.settings import Settings
from service.errors import install_error_handlers
from service.middleware import ApiKeyMiddleware, RateLimitMiddleware


def make_app(limit: str, keys: list[str] | None = None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/search")
    def search() -> dict[str, str]:
        return {"ok": "search"}

    @app.post("/ask")
    def ask() -> dict[str, str]:
        return {"ok": "ask"}

    @app.post("/v1/chat/completions")
    def chat() -> dict[str, str]:
        return {"ok": "chat"}

    @app.get("/documents")
    def documents() -> list[str]:
        return []

    app.add_middleware(RateLimitMiddleware, limit=limit, by_key=bool(keys))
    if keys:
        app.add_middleware(ApiKeyMiddleware, keys=keys)
    return app


def statuses(
    app: FastAPI, calls: list[tuple[str, str, str, dict[str, str]]]
) -> list[httpx.Response]:
    """Make the calls in order: (client address, method, path, headers)."""

    async def run() -> list[httpx.Response]:
        out = []
        for address, method, path, headers in calls:
            transport = httpx.ASGITransport(app=app, client=(address, 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                out.append(await client.request(method, path, headers=headers))
        return out

    return asyncio.run(run())


def test_limit_per_client_address_with_retry_after() -> None:
    app = make_app("3/minute")
    calls = [("10.0.0.1", "GET", "/search", {})] * 2 + [("10.0.0.1", "POST", "/ask", {})]
    calls += [
        ("10.0.0.1", "POST", "/v1/chat/completions", {}),
        ("10.0.0.1", "GET", "/search", {}),
        ("10.0.0.2", "GET", "/search", {}),  # another client
        ("10.0.0.1", "GET", "/documents", {}),  # not a limited route
    ]
    got = statuses(app, calls)
    assert [r.status_code for r in got] == [200, 200, 200, 429, 429, 200, 200]
    chat, search = got[3], got[4]
    assert 1 <= int(search.headers["Retry-After"]) <= 60
    assert search.json()["detail"].startswith("rate limit exceeded (3 per 1 minute per client")
    assert chat.json()["error"]["code"] == "rate_limit_exceeded"  # OpenAI-shaped on /v1/


def test_limit_per_api_key() -> None:
    app = make_app("2/minute", keys=["k1", "k2"])
    one, two = {"X-API-Key": "k1"}, {"Authorization": "Bearer k2"}
    calls = [("10.0.0.1", "GET", "/search", one)] * 3 + [("10.0.0.1", "GET", "/search", two)]
    calls.append(("10.0.0.9", "GET", "/search", one))  # same key from elsewhere: same budget
    calls.append(("10.0.0.1", "GET", "/search", {}))  # no key: 401, not 429
    got = statuses(app, calls)
    assert [r.status_code for r in got] == [200, 200, 429, 200, 429, 401]
    assert "per API key" in got[2].json()["detail"]


def test_window_expires() -> None:
    app = make_app("1/second")

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = await client.get("/search")
            second = await client.get("/search")
            await asyncio.sleep(float(second.headers["Retry-After"]) + 0.1)
            third = await client.get("/search")
        return [first.status_code, second.status_code, third.status_code]

    assert asyncio.run(run()) == [200, 429, 200]


def test_rate_limit_setting_is_validated() -> None:
    assert Settings(rate_limit="5/second;300/hour", _env_file=None).rate_limit  # type: ignore[call-arg]
    assert Settings(rate_limit=" ", _env_file=None).rate_limit is None  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="60/minute"):
        Settings(rate_limit="often", _env_file=None)  # type: ignore[call-arg]
