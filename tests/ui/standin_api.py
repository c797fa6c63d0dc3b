"""A deterministic stand-in for the newsqa API (same wire contract, scripted answers).

Used by the UI tests: no index, no models. Questions are matched by keyword:
``gripen`` → a cited answer; ``porcupine`` → two sentences, the second unsupported;
``explode`` → HTTP 503; ``midstream`` → an ``error`` event after one delta; words found in an
added article → an answer quoting it; anything else → "The sources don't say".
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse, StreamingResponse

from tests.helpers import free_port, wait_http

GRIPEN = (
    "Kyiv has outlined an agreement to purchase up to 150 Swedish-made Saab JAS-39E "
    "Gripen fighters."
)
PORCUPINE = 'Ukraine must be prepared to stand alone as a "steel porcupine".'
SEED_TEXT = (
    "Ukraine fears it cannot rely on security guarantees from its allies. "
    f"{PORCUPINE} This means a permanent massive army and domestic arms production. "
    f"Ukraine needs modern tanks, artillery and aircraft. {GRIPEN} "
    "It will also need billions in aid to build an army that Russia will be afraid to attack."
)


def _doc(
    doc_id: str, text: str, title: str, source: str, url: str, published: str | None
) -> dict[str, Any]:
    half = len(text) // 2
    cut = text.index(". ", half) + 2 if ". " in text[half:] else len(text)
    spans = [(0, cut), (cut, len(text))] if cut < len(text) else [(0, len(text))]
    chunks = [
        {"chunk_id": f"{doc_id}:{i}", "index": i, "text": text[a:b], "start": a, "end": b}
        for i, (a, b) in enumerate(spans)
    ]
    return {
        "doc_id": doc_id,
        "title": title,
        "source": source,
        "url": url,
        "published": published,
        "author": "",
        "path": f"{doc_id}.txt",
        "text": text,
        "chunks": chunks,
    }


class StandIn:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.added_bodies: list[dict[str, Any]] = []
        self.add(
            _doc(
                "d1",
                SEED_TEXT,
                '"Steel Porcupine": Ukraine\'s Plan B',
                "UNN",
                "https://unn.ua/en/news/steel-porcupine",
                "2025-09-03",
            )
        )
        self.add(
            _doc(
                "d2",
                "Europe is weighing four options for security guarantees.",
                "Europe weighing four options",
                "The Times",
                "",
                "2025-08-20",
            )
        )

    def add(self, doc: dict[str, Any]) -> None:
        self.docs[doc["doc_id"]] = doc

    def citation(self, n: int, doc: dict[str, Any], quote: str, score: float) -> dict[str, Any]:
        start = doc["text"].index(quote)
        chunk = next(c for c in doc["chunks"] if c["start"] <= start < c["end"])
        return {
            "id": n,
            "doc_id": doc["doc_id"],
            "chunk_id": chunk["chunk_id"],
            "title": doc["title"],
            "source": doc["source"],
            "url": doc["url"],
            "published": doc["published"],
            "quote": quote,
            "start": start,
            "end": start + len(quote),
            "score": score,
        }

    def answer(self, question: str) -> dict[str, Any]:
        q = question.lower()
        d1 = self.docs["d1"]
        if "gripen" in q:
            sentences = [
                {
                    "text": "Kyiv plans to buy up to 150 Saab JAS-39E Gripen fighters.",
                    "citations": [1],
                    "supported": True,
                }
            ]
            citations = [self.citation(1, d1, GRIPEN, 0.91)]
        elif "porcupine" in q:
            sentences = [
                {
                    "text": 'Ukraine wants to become a "steel porcupine".',
                    "citations": [1],
                    "supported": True,
                },
                {
                    "text": "It will have the largest army in the world.",
                    "citations": [],
                    "supported": False,
                },
            ]
            citations = [self.citation(1, d1, PORCUPINE, 0.8)]
        else:
            words = [w.strip("?.,!\"'") for w in q.split()]
            words = [w for w in words if len(w) > 5]
            added = [
                d
                for d in self.docs.values()
                if d["doc_id"] not in ("d1", "d2") and any(w in d["text"].lower() for w in words)
            ]
            if not added:
                return {
                    "answer": "The sources don't say. None of the indexed articles covers "
                    "this question.",
                    "answerable": False,
                    "citations": [],
                    "sentences": [],
                    "engine": "standin",
                    "timings_ms": {"total": 12.0},
                }
            doc = added[0]
            quote = doc["text"].split(". ")[0].rstrip(".") + "."
            quote = quote if quote in doc["text"] else doc["text"][:80]
            sentences = [{"text": quote, "citations": [1], "supported": True}]
            citations = [self.citation(1, doc, quote, 0.77)]
        answer = " ".join(
            str(s["text"]) + "".join(f" [{n}]" for n in s["citations"])  # type: ignore[attr-defined]
            for s in sentences
        )
        return {
            "answer": answer,
            "answerable": True,
            "citations": citations,
            "sentences": sentences,
            "engine": "standin",
            "timings_ms": {"total": 42.0},
            "notice": None,
        }


def create_app(stand: StandIn | None = None) -> FastAPI:
    stand = stand or StandIn()
    app = FastAPI(title="newsqa stand-in")
    app.state.standin = stand

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> dict[str, Any]:
        chunks = sum(len(d["chunks"]) for d in stand.docs.values())
        return {
            "ready": True,
            "documents": len(stand.docs),
            "chunks": chunks,
            "engine": "standin",
            "embeddings": "none",
            "store": "memory",
            "detail": None,
        }

    def check(body: dict[str, Any]) -> str:
        stand.requests.append(body)
        question = str(body.get("question", "")).strip()
        if not question:
            raise HTTPException(422, "question must not be empty or whitespace")
        if "explode" in question.lower():
            raise HTTPException(503, "the index is empty: run `newsqa ingest`")
        return question

    @app.post("/ask")
    def ask(body: dict[str, Any]) -> dict[str, Any]:
        return stand.answer(check(body))

    @app.post("/ask/stream")
    def ask_stream(body: dict[str, Any]) -> StreamingResponse:
        question = check(body)
        result = stand.answer(question)

        def events() -> Iterator[str]:
            yield f"event: citations\ndata: {json.dumps({'citations': result['citations']})}\n\n"
            yield ": ping\n\n"
            for word in result["answer"].split(" "):
                yield f"event: delta\ndata: {json.dumps({'text': word + ' '})}\n\n"
                if "midstream" in question.lower():
                    body = {"detail": "the LLM backend failed", "status": 502}
                    yield f"event: error\ndata: {json.dumps(body)}\n\n"
                    return
                time.sleep(0.01)
            yield f"event: final\ndata: {json.dumps(result)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/search")
    def search(q: str, top_k: int = 5) -> dict[str, Any]:
        hits = []
        for rank, doc in enumerate(list(stand.docs.values())[:top_k], start=1):
            chunk = doc["chunks"][0]
            hits.append(
                {
                    "rank": rank,
                    "score": 0.2 / rank,
                    "doc_id": doc["doc_id"],
                    "chunk_id": chunk["chunk_id"],
                    "text": chunk["text"],
                    "start": chunk["start"],
                    "end": chunk["end"],
                    "title": doc["title"],
                    "source": doc["source"],
                    "url": doc["url"],
                    "published": doc["published"],
                }
            )
        return {"query": q, "hits": hits}

    @app.get("/documents")
    def documents() -> list[dict[str, Any]]:
        return [
            {k: v for k, v in d.items() if k not in ("text",)} | {"chunks": len(d["chunks"])}
            for d in stand.docs.values()
        ]

    @app.get("/documents/{doc_id}")
    def document(doc_id: str) -> dict[str, Any]:
        if doc_id not in stand.docs:
            raise HTTPException(404, f"no document {doc_id}")
        return stand.docs[doc_id]

    @app.post("/documents", status_code=201)
    def add_document(body: dict[str, Any]) -> JSONResponse:
        stand.added_bodies.append(body)
        text = body.get("text") or body.get("html") or ""
        if body.get("html"):
            import re

            text = re.sub(r"<[^>]+>", " ", text)
        text = " ".join(text.split())
        if len(text) < 20:
            raise HTTPException(422, "no article text left after cleaning")
        doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
        status = "unchanged" if doc_id in stand.docs else "added"
        title = body.get("title") or text[:60]
        doc = _doc(
            doc_id,
            text,
            title,
            body.get("source") or "pasted",
            body.get("url") or "",
            body.get("published"),
        )
        stand.add(doc)
        return JSONResponse(
            {
                "doc_id": doc_id,
                "status": status,
                "title": title,
                "source": doc["source"],
                "chunks": len(doc["chunks"]),
            },
            status_code=201 if status == "added" else 200,
        )

    @app.post("/feedback", status_code=201)
    def add_feedback(body: dict[str, Any]) -> dict[str, int]:
        if body.get("rating") not in ("up", "down"):
            raise HTTPException(422, "rating must be up or down")
        stand.feedback.append(body)
        return {"id": len(stand.feedback)}

    @app.get("/feedback")
    def list_feedback() -> list[dict[str, Any]]:
        return list(stand.feedback)

    return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", timeout=20)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
