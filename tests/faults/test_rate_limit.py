"""Rate limiting over real HTTP: per API key on /ask, /search and /v1/chat/completions, 429 with
``Retry-After`` and a message; other keys and the health routes are not affected.

The app runs under uvicorn in a thread of the test process (a second API process would cost a
minute of start-up on two cores), on the cluster's Chroma server.
"""

from __future__ import annotations

import time

import httpx
import pytest

from newsqa.settings import Settings
from service.app import create_app
from tests.faults.cluster import serve_in_thread
from tests.faults.conftest import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

LIMIT = 4
WINDOW_S = 5


def test_rate_limit_answers_429_with_retry_after(cluster: Cluster) -> None:
    settings = Settings(  # type: ignore[call-arg]
        chroma_url=cluster.chroma.url,
        index_dir=cluster.root / "limited-index",
        rate_limit=f"{LIMIT}/{WINDOW_S} seconds",
        api_keys=["alpha", "beta"],
        _env_file=None,
    )
    with serve_in_thread(create_app(settings)) as url:
        alpha = httpx.Client(base_url=url, timeout=60, headers={"X-API-Key": "alpha"})
        beta = httpx.Client(base_url=url, timeout=60, headers={"Authorization": "Bearer beta"})
        with alpha, beta:
            search: dict[str, str | int] = {"q": "Gripen fighters", "k": 3}
            allowed = [alpha.get("/search", params=search).status_code for _ in range(LIMIT - 1)]
            allowed.append(alpha.post("/ask", json={"question": "Who sells Gripen?"}).status_code)
            assert allowed == [200] * LIMIT
            for path, kwargs in [
                ("/search", {"params": search}),
                ("/ask", {"json": {"question": "Who sells Gripen fighters?"}}),
                (
                    "/v1/chat/completions",
                    {"json": {"model": "newsqa", "messages": [{"role": "user", "content": "hi"}]}},
                ),
            ]:
                method = "GET" if path == "/search" else "POST"
                limited = alpha.request(method, path, **kwargs)  # type: ignore[arg-type]
                assert limited.status_code == 429, (path, limited.text)
                retry = int(limited.headers["Retry-After"])
                assert 1 <= retry <= WINDOW_S
                assert "rate limit exceeded" in limited.json()["detail"]
            assert "error" in limited.json()  # the OpenAI error shape on /v1/
            # another key, and the routes that are not limited, still answer
            assert beta.get("/search", params=search).status_code == 200
            assert alpha.get("/readyz").status_code == 200
            assert alpha.get("/documents").status_code == 200
            # after Retry-After, the key is allowed again
            time.sleep(retry + 0.2)
            assert alpha.get("/search", params=search).status_code == 200
            # without a key: 401 before any counting
            assert httpx.get(f"{url}/search", params=search).status_code == 401
