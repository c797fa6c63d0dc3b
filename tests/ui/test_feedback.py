"""Feedback: the durable SQLite store and ``POST/GET /feedback`` in the real API app."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.feedback import FILENAME, FeedbackStore, get_store

CITATIONS = [
    {
        "id": 1,
        "doc_id": "d1",
        "chunk_id": "d1:3",
        "quote": "150 Gripen fighters",
        "title": "Steel Porcupine",
        "source": "UNN",
    }
]


def test_store_is_created_on_first_use_and_durable(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    store = FeedbackStore(index_dir)
    assert store.list() == [] and not (index_dir / FILENAME).exists()
    first = store.add("How many?", "150 [1]", CITATIONS, "up", "great")
    second = store.add("Weather?", "The sources don't say.", [], "down")
    assert (first, second) == (1, 2)

    reopened = FeedbackStore(index_dir)  # a new process would see the same
    items = reopened.list()
    assert [i["id"] for i in items] == [2, 1]  # newest first
    assert items[1] | {"created_at": None} == {
        "id": 1,
        "created_at": None,
        "question": "How many?",
        "answer": "150 [1]",
        "citations": CITATIONS,
        "rating": "up",
        "comment": "great",
    }
    assert items[0]["comment"] is None and reopened.count() == 2
    with sqlite3.connect(index_dir / FILENAME) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(ValueError):
        store.add("q", "a", [], "sideways")


def test_store_is_thread_safe(tmp_path: Path) -> None:
    store = get_store(tmp_path)
    assert get_store(tmp_path) is store
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                store.add(f"q{n}-{i}", "a", [], "up" if i % 2 else "down")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    items = store.list(limit=1000)
    assert len(items) == 160 and len({i["id"] for i in items}) == 160
    assert store.list(limit=5, offset=155)[-1]["id"] == 1


@pytest.fixture()
def api(fresh_settings):  # type: ignore[no-untyped-def]
    from service.app import create_app

    with TestClient(create_app(fresh_settings)) as client:
        yield client, fresh_settings


def test_feedback_endpoints(api) -> None:  # type: ignore[no-untyped-def]
    client, settings = api
    body = {
        "question": " How many Gripen fighters? ",
        "answer": "Up to 150 [1].",
        "citations": CITATIONS,
        "rating": "up",
        "comment": "  ",
    }
    created = client.post("/feedback", json=body)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": 1}
    client.post("/feedback", json=body | {"rating": "down", "comment": "wrong outlet"})

    listed = client.get("/feedback")
    assert listed.status_code == 200
    items = listed.json()
    assert [i["rating"] for i in items] == ["down", "up"]
    assert items[1]["question"] == "How many Gripen fighters?" and items[1]["comment"] is None
    assert items[1]["citations"] == CITATIONS and items[0]["comment"] == "wrong outlet"
    assert client.get("/feedback", params={"limit": 1}).json()[0]["id"] == 2
    assert (Path(settings.index_dir) / FILENAME).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"rating": "meh"},
        {"question": "   "},
        {"question": ""},
        {"extra": "field"},
        {"citations": "not a list"},
    ],
)
def test_feedback_validation(api, bad) -> None:  # type: ignore[no-untyped-def]
    client, _ = api
    body = {"question": "q", "answer": "a", "citations": [], "rating": "up"} | bad
    response = client.post("/feedback", json=body)
    assert response.status_code == 422, response.text
    assert client.get("/feedback").json() == []


def test_feedback_needs_an_api_key_when_keys_are_set(tmp_path: Path) -> None:
    from newsqa.settings import Settings
    from service.app import create_app

    settings = Settings(index_dir=tmp_path / "index", api_keys=["s3cret"], _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        body = {"question": "q", "answer": "a", "citations": [], "rating": "up"}
        assert client.post("/feedback", json=body).status_code == 401
        ok = client.post("/feedback", json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201
