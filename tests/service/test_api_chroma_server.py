"""The API with a ``chroma run`` server as its store, with two uvicorn workers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import ARTICLES, child_env, chroma_server, free_port, running
from tests.service.conftest import GRIPEN

pytestmark = pytest.mark.integration

ARTICLE = (
    "Finland will train forty Ukrainian pilots on the Hawk jet trainer at Kauhava air base, the "
    "Finnish air force said on Wednesday. The first course starts in November and lasts six months."
)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> Iterator[str]:
    from ingest.pipeline import ingest_paths
    from newsqa.settings import Settings

    tmp = tmp_path_factory.mktemp("chroma-api")
    logs = artifacts_dir / "logs"
    with chroma_server(tmp / "chroma-data", logs / "chroma-server.log") as chroma_url:
        settings = Settings(chroma_url=chroma_url, index_dir=tmp / "ingest", _env_file=None)  # type: ignore[call-arg]
        summary = ingest_paths([ARTICLES], settings)
        assert len(summary.added) == 5
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        args = [
            sys.executable,
            "-m",
            "service.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ]
        env = child_env(NEWSQA_CHROMA_URL=chroma_url, NEWSQA_INDEX_DIR=str(tmp / "api"))
        with running(args, f"{url}/healthz", env, logs / "api-chroma-server.log"):
            yield url


def test_ready_with_server_store(server_url: str) -> None:
    for _ in range(4):  # whichever worker answers
        ready = httpx.get(f"{server_url}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        assert ready.json()["store"] == "server" and ready.json()["documents"] == 5


def test_ask_search_and_quotes(server_url: str) -> None:
    with httpx.Client(base_url=server_url, timeout=60) as http:
        body = http.post("/ask", json={"question": GRIPEN}).json()
        assert body["answerable"] and "150" in body["answer"]
        assert any(c["source"] == "UNN" for c in body["citations"])
        for citation in body["citations"]:
            text = http.get(f"/documents/{citation['doc_id']}").json()["text"]
            assert text[citation["start"] : citation["end"]] == citation["quote"]
        assert http.get("/search", params={"q": "Gripen", "k": 3}).json()["hits"]


def test_writes_are_seen_by_every_worker(server_url: str) -> None:
    with httpx.Client(base_url=server_url, timeout=60) as http:
        added = http.post(
            "/documents",
            json={"text": ARTICLE, "title": "Finland trains pilots", "source": "Test Wire"},
        )
        assert added.status_code == 201, added.text
        doc_id = added.json()["doc_id"]
        question = {"question": "How many Ukrainian pilots will Finland train?"}
        for _ in range(6):  # new connections: both workers answer some of these
            with httpx.Client(base_url=server_url, timeout=60) as fresh:
                answer = fresh.post("/ask", json=question).json()
                assert "forty" in answer["answer"], answer
                assert fresh.get("/readyz").json()["documents"] == 6
        assert http.delete(f"/documents/{doc_id}").status_code == 204
        for _ in range(6):
            with httpx.Client(base_url=server_url, timeout=60) as fresh:
                assert fresh.get(f"/documents/{doc_id}").status_code == 404
                assert fresh.get("/readyz").json()["documents"] == 5


def test_metrics_aggregate_workers(server_url: str) -> None:
    text = httpx.get(f"{server_url}/metrics", timeout=30).text
    assert "newsqa_http_requests_total" in text


def test_serve_refuses_several_workers_with_embedded_store(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "service.server", "--workers", "2", "--port", str(free_port())],
        env=child_env(NEWSQA_INDEX_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "NEWSQA_CHROMA_URL" in result.stderr and "Traceback" not in result.stderr
