"""`kill -9` of one API worker under load: the other keeps answering, no request gets a 5xx;
uvicorn starts a replacement, which catches up with the store through the change log."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from tests.faults.cluster import Call, background_load, call, process_alive
from tests.faults.conftest import Cluster
from tests.faults.news import articles

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

CLIENTS = 4


def step(client: httpx.Client, n: int) -> Call:
    if n % 3 == 2:
        question = {"question": "How many Gripen fighters does Kyiv plan to buy?"}
        return call(client, "ask", "", "POST", "/ask", json=question)
    return call(client, "search", "", "GET", "/search", params={"q": "Gripen fighters", "k": 5})


def test_worker_killed_under_load(cluster: Cluster) -> None:
    api = cluster.api
    pids = api.worker_pids()
    assert len(pids) == cluster.workers, pids
    victim = pids[0]
    with background_load(api.url, CLIENTS, 60, 400, step) as (outcome, _stop):
        time.sleep(3.0)
        before = len(outcome.calls)
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        time.sleep(5.0)
    assert before > 0 and not process_alive(victim)

    assert not outcome.server_errors, [(c.status, c.body) for c in outcome.server_errors][:5]
    assert outcome.statuses.keys() <= {0, 200}, outcome.statuses
    # Only requests in flight on the killed worker may fail (connection reset, no status).
    lost = outcome.transport_errors
    assert len(lost) <= CLIENTS, [c.error for c in lost]
    assert all(c.started < killed_at + 1.0 for c in lost), [c.error for c in lost]
    after = [c for c in outcome.calls if c.started > killed_at + 1.0]
    assert len(after) >= 5 and all(c.status == 200 for c in after), outcome.statuses

    # uvicorn replaces the worker; the new one sees a write made while it was starting.
    article = articles(1, seed=4004)[0]
    with httpx.Client(base_url=api.url, timeout=60) as http:
        added = http.post("/documents", json=article.payload())
        assert added.status_code == 201, added.text
    doc_id = added.json()["doc_id"]
    try:
        api.wait_ready(cluster.workers, timeout=120)
        assert victim not in api.worker_pids()
        for _ in range(6):
            with httpx.Client(base_url=api.url, timeout=60) as fresh:
                hits = fresh.get("/search", params={"q": article.query, "k": 5}).json()["hits"]
                assert doc_id in {h["doc_id"] for h in hits}
    finally:
        with httpx.Client(base_url=api.url, timeout=60) as http:
            http.delete(f"/documents/{doc_id}")
