"""The HTTP API over a real uvicorn server (embedded Chroma, a private copy of the seed index)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import GRIPEN, UNANSWERABLE, api_server, sse_events

pytestmark = pytest.mark.integration

NORMAL_QUESTIONS = [
    GRIPEN,
    "How many security guarantee options is Europe weighing?",
    "Who is the Chief of Defence Staff of the United Kingdom?",
    "What is the Steel Porcupine strategy?",
]


def assert_quotes_verbatim(http: httpx.Client, answer: dict[str, Any]) -> None:
    texts: dict[str, str] = {}
    for citation in answer["citations"]:
        doc_id = citation["doc_id"]
        if doc_id not in texts:
            response = http.get(f"/documents/{doc_id}")
            assert response.status_code == 200, response.text
            texts[doc_id] = response.json()["text"]
        assert citation["quote"], citation
        assert texts[doc_id][citation["start"] : citation["end"]] == citation["quote"]


def test_health_and_readiness(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True
    assert body["documents"] == 5
    assert body["chunks"] > 5
    assert body["engine"] == "extractive"
    assert body["store"] == "embedded"
    assert body["max_upload_bytes"] == 2_000_000  # the smaller of the file and body limits


def test_gripen_answer_cites_politico_unn(http: httpx.Client) -> None:
    response = http.post("/ask", json={"question": GRIPEN})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answerable"] is True
    assert "150" in body["answer"]
    assert body["engine"] == "extractive"
    assert "[1]" in body["answer"] or any(
        f"[{c['id']}]" in body["answer"] for c in body["citations"]
    )
    cited = {c["id"]: c for c in body["citations"]}
    assert any(c["source"] == "UNN" and "Politico" in c["title"] for c in cited.values())
    assert any("150" in c["quote"] for c in cited.values())
    for sentence in body["sentences"]:
        assert set(sentence["citations"]) <= set(cited)
    assert set(body["timings_ms"]) >= {"total"}
    assert_quotes_verbatim(http, body)


def test_unanswerable_question(http: httpx.Client) -> None:
    body = http.post("/ask", json={"question": UNANSWERABLE}).json()
    assert body["answerable"] is False
    assert body["answer"]
    assert not any(s["supported"] and s["citations"] for s in body["sentences"])


@pytest.mark.parametrize("question", NORMAL_QUESTIONS)
def test_every_quote_is_verbatim(http: httpx.Client, question: str) -> None:
    body = http.post("/ask", json={"question": question, "top_k": 8}).json()
    assert body["citations"]
    assert_quotes_verbatim(http, body)


def test_filters_restrict_sources(http: httpx.Client) -> None:
    body = http.post(
        "/ask", json={"question": GRIPEN, "filters": {"source": ["Censor.NET"]}}
    ).json()
    assert body["citations"]
    assert {c["source"] for c in body["citations"]} == {"Censor.NET"}


def test_stream_sends_citations_deltas_then_final(http: httpx.Client) -> None:
    with http.stream("POST", "/ask/stream", json={"question": GRIPEN}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "final"
    assert "delta" in names
    assert set(names) <= {"citations", "delta", "final"}
    final = events[-1][1]
    plain = http.post("/ask", json={"question": GRIPEN}).json()
    assert final["answer"] == plain["answer"]
    assert final["citations"] == plain["citations"]
    assert "".join(d["text"] for n, d in events if n == "delta").strip() == final["answer"]
    assert events[0][1]["citations"]


def test_stream_errors_keep_their_status(http: httpx.Client) -> None:
    response = http.post("/ask/stream", json={"question": " "})
    assert response.status_code == 422
    assert response.json() == {"detail": "question: must not be empty or whitespace"}


def test_search_ranks_chunks_with_metadata(http: httpx.Client) -> None:
    response = http.get("/search", params={"q": "Gripen fighters", "k": 4})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Gripen fighters"
    hits = body["hits"]
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert 1 <= len(hits) <= 4
    assert "Gripen" in hits[0]["text"]
    doc = http.get(f"/documents/{hits[0]['doc_id']}").json()
    assert doc["text"][hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]
    for hit in hits:
        assert {"score", "title", "source", "url", "published", "chunk_id"} <= set(hit)


def test_documents_list_and_detail(http: httpx.Client) -> None:
    docs = http.get("/documents").json()
    assert len(docs) == 5
    assert {"UNN", "Censor.NET"} <= {d["source"] for d in docs}
    detail = http.get(f"/documents/{docs[0]['doc_id']}").json()
    assert detail["doc_id"] == docs[0]["doc_id"]
    assert len(detail["chunks"]) == docs[0]["chunks"]
    for chunk in detail["chunks"]:
        assert detail["text"][chunk["start"] : chunk["end"]] == chunk["text"]


def test_unknown_documents_are_404(http: httpx.Client) -> None:
    assert http.get("/documents/d_nope").status_code == 404
    response = http.delete("/documents/d_nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown document: d_nope"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"question": ""}, "question: must not be empty"),
        ({"question": "   \n\t"}, "question: must not be empty or whitespace"),
        ({"question": "x" * 2001}, "question: must be at most 2000 characters"),
        ({"question": "Gripen?", "top_k": 0}, "top_k: must be greater than or equal to 1"),
        ({"question": "Gripen?", "top_k": 51}, "top_k: must be less than or equal to 50"),
        ({"question": "Gripen?", "filters": {"colour": "red"}}, "filters.colour: unknown field"),
        ({"question": 42}, "question: must be a valid string"),
        ({"question": "Gripen?", "top_k": "many"}, "top_k: must be a valid integer"),
        ({}, "question: field required"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(http: httpx.Client, body: Any, detail: str) -> None:
    response = http.post("/ask", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


def test_malformed_json_is_422(http: httpx.Client) -> None:
    response = http.post(
        "/ask", content=b'{"question": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("malformed JSON body")


def test_metrics_and_openapi(http: httpx.Client) -> None:
    http.post("/ask", json={"question": GRIPEN})
    text = http.get("/metrics").text
    assert 'newsqa_http_requests_total{method="POST",route="/ask",status="200"}' in text
    assert "newsqa_http_request_duration_seconds_bucket" in text
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {
        "/ask",
        "/ask/stream",
        "/search",
        "/documents",
        "/documents/{doc_id}",
        "/v1/chat/completions",
        "/v1/models",
        "/healthz",
        "/readyz",
    } <= set(paths)


ARTICLE = (
    "Norway will deliver twelve NASAMS air-defence launchers to Ukraine by March, the Norwegian "
    "defence ministry said on Monday. The launchers are paid for by a fund of 400 million euros. "
    "Officials in Oslo said the first four launchers would arrive before the end of the year."
)


def test_documents_lifecycle_on_an_empty_index(tmp_path: Path, artifacts_dir: Path) -> None:
    with (
        api_server(tmp_path / "index", artifacts_dir / "logs" / "empty-server.log") as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["ready"] is False and "empty" in ready.json()["detail"]
        for call in (
            lambda: http.post("/ask", json={"question": "Who delivers NASAMS?"}),
            lambda: http.get("/search", params={"q": "NASAMS"}),
        ):
            response = call()
            assert response.status_code == 503
            assert "the index is empty" in response.json()["detail"]

        meta = {
            "title": "Norway to send NASAMS",
            "source": "Test Wire",
            "url": "https://example.org/nasams",
            "published": "2025-09-01",
        }
        added = http.post("/documents", json={"text": ARTICLE, **meta})
        assert added.status_code == 201, added.text
        doc = added.json()
        assert doc["status"] == "added" and doc["title"] == meta["title"] and doc["chunks"] >= 1
        again = http.post("/documents", json={"text": ARTICLE, **meta})
        assert again.status_code == 200 and again.json()["status"] == "unchanged"

        assert http.get("/readyz").json()["documents"] == 1
        detail = http.get(f"/documents/{doc['doc_id']}").json()
        assert detail["source"] == "Test Wire" and detail["published"] == "2025-09-01"
        answer = http.post(
            "/ask", json={"question": "How many NASAMS launchers will Norway deliver to Ukraine?"}
        ).json()
        assert answer["answerable"] is True and "twelve" in answer["answer"]
        assert_quotes_verbatim(http, answer)

        html = (
            "<html><head><title>Oslo funds air defence</title></head><body><article>"
            "<h1>Oslo funds air defence</h1><p>"
            + ARTICLE.replace("twelve", "fourteen")
            + "</p></article></body></html>"
        )
        added_html = http.post("/documents", json={"html": html, "source": "HTML Wire"})
        assert added_html.status_code == 201, added_html.text
        assert added_html.json()["source"] == "HTML Wire"

        for bad, message in [
            ({"text": ARTICLE, "html": html}, "exactly one of text or html"),
            ({}, "exactly one of text or html"),
            ({"text": "   "}, "empty text"),
            ({"text": ARTICLE, "published": "yesterday"}, "published:"),
            ({"text": ARTICLE, "colour": "red"}, "colour: unknown field"),
        ]:
            response = http.post("/documents", json=bad)
            assert response.status_code == 422, (bad, response.text)
            assert message in response.json()["detail"]

        assert http.delete(f"/documents/{added_html.json()['doc_id']}").status_code == 204
        assert http.delete(f"/documents/{doc['doc_id']}").status_code == 204
        assert http.get(f"/documents/{doc['doc_id']}").status_code == 404
        assert http.delete(f"/documents/{doc['doc_id']}").status_code == 404
        assert http.get("/documents").json() == []
        search = http.get("/search", params={"q": "NASAMS"})
        assert search.status_code == 503 and "empty" in search.json()["detail"]
