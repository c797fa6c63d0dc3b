"""Two API workers on one Chroma server agree with each other after every write (issue 10).

A write through the API (add, delete, replace) is seen by every worker before the writing
request returns: each request first reads the store's change-log head and applies what moved.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.faults.cluster import Call, background_load, call
from tests.faults.conftest import Cluster
from tests.faults.news import Article, articles

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def fresh(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60)


def hit_docs(body: dict) -> set[str]:
    """Document ids a /search or /ask body refers to."""
    found = {h["doc_id"] for h in body.get("hits", [])}
    found |= {c["doc_id"] for c in body.get("citations", [])}
    return found


def test_add_delete_replace_is_seen_by_every_worker(cluster: Cluster) -> None:
    """The operator's scenario of the issue: same chunk count before and after a replace."""
    rng = random.Random(101)
    original = articles(1, seed=1001)[0]
    replacement = original.replaced(rng)
    url = cluster.api.url
    with fresh(url) as http:
        added = http.post("/documents", json=original.payload())
        assert added.status_code == 201, added.text
        old_id = added.json()["doc_id"]
    for _ in range(8):  # every worker sees the new article (fresh connections)
        with fresh(url) as http:
            got = http.get("/search", params={"q": original.query, "k": 5})
            assert got.status_code == 200, got.text
            assert old_id in hit_docs(got.json())
    with fresh(url) as http:
        assert http.delete(f"/documents/{old_id}").status_code == 204
        replaced = http.post("/documents", json=replacement.payload())
        assert replaced.status_code == 201, replaced.text
        new_id = replaced.json()["doc_id"]
        assert replaced.json()["chunks"] == added.json()["chunks"]  # the count cannot tell

    def search(_: int) -> tuple[int, set[str]]:
        with fresh(url) as http:  # a word only the deleted version contained
            got = http.get("/search", params={"q": f"lottery {original.town}", "k": 5})
            return got.status_code, hit_docs(got.json()) if got.is_success else set()

    def ask(_: int) -> tuple[int, dict]:
        with fresh(url) as http:
            got = http.post("/ask", json={"question": replacement.question})
            return got.status_code, got.json()

    try:
        with ThreadPoolExecutor(6) as pool:
            searches = list(pool.map(search, range(40)))
            asks = list(pool.map(ask, range(24)))
        assert [s for s, _ in searches if s != 200] == [], searches
        assert not [d for _, d in searches if old_id in d], "a deleted article was returned"
        assert [d for _, d in searches if new_id in d], "the replacement was never found"
        wrong = [
            (status, body.get("answer"))
            for status, body in asks
            if status != 200 or not body["answerable"] or replacement.count not in body["answer"]
        ]
        assert not wrong, wrong
        assert not [b for _, b in asks if old_id in hit_docs(b)]
    finally:
        with fresh(url) as http:
            http.delete(f"/documents/{new_id}")


@dataclass
class Version:
    """One article version written by the writer thread, with the times the writes returned."""

    article: Article
    doc_id: str = ""
    added_at: float | None = None
    delete_sent: float | None = None
    deleted_at: float | None = None


def test_reads_during_writes_are_never_stale_nor_5xx(cluster: Cluster) -> None:
    """Concurrent /ask and /search while another client adds, deletes and replaces articles.

    For every read: no 5xx; an article whose delete returned before the read started is never
    in it; an article added before the read started (and not being deleted) is found.
    """
    rng = random.Random(202)
    base = articles(4, seed=2002)
    versions = [Version(a) for a in base]
    versions += [Version(base[1].replaced(rng)), Version(base[2].replaced(rng))]
    a0, a1, a2, a3, a1b, a2b = versions
    plan: list[tuple[str, Version]] = [
        ("add", a0),
        ("add", a1),
        ("delete", a0),
        ("delete", a1),  # replace a1 by a1b: delete, then add
        ("add", a1b),
        ("add", a2),
        ("delete", a2),
        ("add", a2b),
        ("add", a3),
        ("delete", a1b),
        ("delete", a3),
    ]
    lock = threading.Lock()
    writer_done = threading.Event()
    writer_errors: list[str] = []

    def writer() -> None:
        try:
            with fresh(cluster.api.url) as http:
                for op, version in plan:
                    time.sleep(0.4)
                    if op == "add":
                        got = http.post("/documents", json=version.article.payload())
                        with lock:
                            version.doc_id = got.json().get("doc_id", "")
                            version.added_at = time.monotonic()
                        if got.status_code != 201:
                            writer_errors.append(f"add: {got.status_code} {got.text}")
                    else:
                        with lock:
                            version.delete_sent = time.monotonic()
                        got = http.delete(f"/documents/{version.doc_id}")
                        with lock:
                            version.deleted_at = time.monotonic()
                        if got.status_code != 204:
                            writer_errors.append(f"delete: {got.status_code} {got.text}")
        finally:
            writer_done.set()

    def step(client: httpx.Client, n: int) -> Call:
        version = versions[n % len(versions)]
        if n % 3 == 2:
            return call(
                client, "ask", str(n), "POST", "/ask", json={"question": version.article.question}
            )
        params = {"q": version.article.query, "k": 5}
        return call(client, "search", str(n), "GET", "/search", params=params)

    thread = threading.Thread(target=writer, daemon=True)
    with background_load(cluster.api.url, 3, 90, 400, step) as (outcome, stop):
        thread.start()
        writer_done.wait(90)
        time.sleep(2.0)  # reads after the last write
    thread.join(5)
    assert not writer_errors, writer_errors
    assert writer_done.is_set()

    assert outcome.statuses.keys() <= {200}, [
        (c.status, c.body) for c in outcome.calls if c.status != 200
    ][:5]
    stale: list[str] = []
    missed: list[str] = []
    for c in outcome.calls:
        seen = hit_docs(c.body)
        for v in versions:
            if v.deleted_at is not None and v.deleted_at < c.started and v.doc_id in seen:
                stale.append(f"{c.kind} {v.article.town} v{v.article.version} (deleted before)")
        target = versions[int(c.target) % len(versions)]
        live = (
            target.added_at is not None
            and target.added_at < c.started
            and (target.delete_sent is None or target.delete_sent > c.ended)
        )
        if not live:
            continue
        if c.kind == "search" and target.doc_id not in seen:
            missed.append(f"search {target.article.town}: {sorted(seen)}")
        if c.kind == "ask" and (
            not c.body.get("answerable") or target.article.count not in c.body.get("answer", "")
        ):
            missed.append(f"ask {target.article.town}: {c.body.get('answer')!r}")
    checked = sum(1 for c in outcome.calls if c.status == 200)
    assert checked >= 30, outcome.statuses
    assert not stale, stale
    assert not missed, missed
