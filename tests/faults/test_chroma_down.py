"""The Chroma server stops under load: a clear 503 with a message (never a 500, never a hang past
the store timeout); after it restarts, the same newsqa workers answer again and nothing is lost."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.faults.cluster import CHROMA_TIMEOUT_S, Call, background_load, call
from tests.faults.conftest import Cluster
from tests.faults.news import articles

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

QUESTIONS = [
    "How many Gripen fighters does Kyiv plan to buy?",
    "What did Russia say about the security guarantees?",
]


def step(client: httpx.Client, n: int) -> Call:
    if n % 3 == 2:
        return call(client, "ask", "", "POST", "/ask", json={"question": QUESTIONS[n % 2]})
    return call(client, "search", "", "GET", "/search", params={"q": "Gripen fighters", "k": 5})


def all_answer(url: str, times: int) -> bool:
    """``times`` fresh connections in a row get 200 from /search (so every worker does)."""
    for _ in range(times):
        try:
            if (
                httpx.get(f"{url}/search", params={"q": "Gripen", "k": 3}, timeout=30).status_code
                != 200
            ):
                return False
        except httpx.HTTPError:
            return False
    return True


def test_chroma_stopped_under_load_then_restarted(cluster: Cluster) -> None:
    url = cluster.api.url
    article = articles(1, seed=3003)[0]
    with httpx.Client(base_url=url, timeout=60) as http:
        added = http.post("/documents", json=article.payload())  # written before the outage
        assert added.status_code == 201, added.text
        doc_id = added.json()["doc_id"]
        before = http.get("/readyz").json()
    assert before["ready"]

    with background_load(url, 3, 120, 600, step) as (outcome, _stop):
        time.sleep(3.0)
        stopped_at = time.monotonic()
        cluster.chroma.stop()
        time.sleep(4.0)
        with httpx.Client(base_url=url, timeout=60) as http:  # writes are refused too
            refused = http.post("/documents", json=articles(1, seed=3004)[0].payload())
            ready = http.get("/readyz")
        restarted_at = time.monotonic()
        cluster.chroma.start()
        deadline = time.monotonic() + 60
        while not all_answer(url, 6) and time.monotonic() < deadline:
            time.sleep(0.5)
        recovered_at = time.monotonic()
        time.sleep(2.0)  # load after the recovery

    assert refused.status_code == 503, refused.text
    assert "unreachable" in refused.json()["detail"]
    assert ready.status_code == 503 and "unreachable" in ready.json()["detail"]
    assert recovered_at - restarted_at < 60, "service did not resume after Chroma restarted"

    statuses = outcome.statuses
    assert statuses.keys() <= {200, 503}, [(c.status, c.body) for c in outcome.server_errors][:5]
    assert not outcome.transport_errors, [c.error for c in outcome.transport_errors][:5]
    outage = [c for c in outcome.calls if stopped_at + 0.5 < c.started < restarted_at]
    assert outage and all(c.status == 503 for c in outage), [c.status for c in outage]
    for c in outcome.calls:
        if c.status == 503:
            assert "vector store is unreachable" in c.body.get("detail", ""), c.body
        assert c.ended - c.started < CHROMA_TIMEOUT_S + 5, "a request hung past the store timeout"
    after = [c for c in outcome.calls if c.started > recovered_at]
    assert after and all(c.status == 200 for c in after), [c.status for c in after]

    with httpx.Client(base_url=url, timeout=60) as http:  # nothing lost
        assert http.get(f"/documents/{doc_id}").status_code == 200
        hits = http.get("/search", params={"q": article.query, "k": 5}).json()["hits"]
        assert doc_id in {h["doc_id"] for h in hits}
        now = http.get("/readyz").json()
        assert now["documents"] == before["documents"] and now["chunks"] == before["chunks"]
        assert http.delete(f"/documents/{doc_id}").status_code == 204


def test_chroma_hung_answers_503_within_the_store_timeout(cluster: Cluster) -> None:
    """A Chroma server that accepts connections but never answers (SIGSTOP): 503 after
    NEWSQA_CHROMA_TIMEOUT_S, not a request hanging forever; resumes on SIGCONT."""
    process = cluster.chroma.process
    assert process is not None
    url = cluster.api.url
    assert all_answer(url, 2)

    def one(_: int) -> tuple[int, float, str]:
        started = time.monotonic()
        with httpx.Client(base_url=url, timeout=60) as http:
            got = http.get("/search", params={"q": "Gripen fighters", "k": 3})
        return got.status_code, time.monotonic() - started, got.json().get("detail", "")

    process.send_signal(signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(4) as pool:
            hung = list(pool.map(one, range(4)))
    finally:
        process.send_signal(signal.SIGCONT)
    for status, seconds, detail in hung:
        assert status == 503, hung
        assert "vector store is unreachable" in detail and "timed out" in detail.lower(), detail
        assert seconds < CHROMA_TIMEOUT_S * 2 + 5, hung
    deadline = time.monotonic() + 60
    while not all_answer(url, 4) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert all_answer(url, 4)
