"""A deterministic stand-in for the newsqa API: scripted answers, the API's own wire models.

Every response is built from ``service/schemas.py`` (the models the real API and the UI use) and
served with ``response_model``, so a change to the contract breaks these tests too. Uploads are
read by the real ingest loaders. No index, no embeddings.

Questions are matched by keyword: ``gripen`` → a cited answer (with speaker and outlet);
``porcupine`` → two sentences, the second unsupported (a tentative answer);
``options`` → a list answer (four items);
``which of them`` → a follow-up answered only when the history asked about the options;
``removed`` → a refusal with the sentence verification removed; ``explode`` → HTTP 503;
``midstream`` → an ``error`` event after one delta; words found in an added article → an
answer quoting it; anything else → "The sources don't say".
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from service.answering.extractive import REFUSAL
from service.api.feedback import FeedbackCreated, FeedbackIn
from service.schemas import (
    AnswerSentence,
    AskRequest,
    AskResponse,
    ChunkOut,
    Citation,
    DocumentAdded,
    DocumentDetail,
    DocumentSummary,
    Readiness,
    SearchHit,
    SearchResponse,
)
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
OPTIONS = [
    "Train troops inside the country.",
    "Police the skies from above.",
    "Extend a mutual-defence clause.",
    "Sign a security alliance.",
]
OPPOSED = "Moscow rejects any foreign troops on the ground."
OPTIONS_TEXT = "Europe is weighing four options.\n" + "\n".join(OPTIONS) + f"\n{OPPOSED}"
NOT_SAID = REFUSAL  # the API's own refusal text


M = TypeVar("M", bound=BaseModel)


def wire(model: type[M], **fields: Any) -> M:
    """A wire model from exactly its own field names: a renamed or removed field fails here."""
    unknown = set(fields) - set(model.model_fields)
    assert not unknown, f"{model.__name__} has no field(s) {sorted(unknown)}: the contract moved"
    return model(**fields)


def _doc(doc_id: str, text: str, title: str, source: str, url: str, published: str | None) -> dict:
    half = len(text) // 2
    cut = text.index(". ", half) + 2 if ". " in text[half:] else len(text)
    spans = [(0, cut), (cut, len(text))] if cut < len(text) else [(0, len(text))]
    chunks = [
        wire(ChunkOut, chunk_id=f"{doc_id}:{i}", index=i, text=text[a:b], start=a, end=b)
        for i, (a, b) in enumerate(spans)
    ]
    return wire(
        DocumentDetail, doc_id=doc_id, title=title, source=source, url=url, published=published,
        author="", path=f"{doc_id}.txt", text=text, chunks=chunks,
    ).model_dump()  # fmt: skip


class StandIn:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.added_bodies: list[dict[str, Any]] = []
        self.add(_doc("d1", SEED_TEXT, '"Steel Porcupine": Ukraine\'s Plan B', "UNN",
                      "https://unn.ua/en/news/steel-porcupine", "2025-09-03"))  # fmt: skip
        self.add(_doc("d2", OPTIONS_TEXT, "Europe weighing four options", "The Times", "",
                      "2025-08-20"))  # fmt: skip

    def add(self, doc: dict[str, Any]) -> None:
        self.docs[doc["doc_id"]] = doc

    def citation(self, n: int, doc: dict[str, Any], quote: str, score: float, **who: str) -> Any:
        start = doc["text"].index(quote)
        chunk = next(c for c in doc["chunks"] if c["start"] <= start < c["end"])
        return wire(
            Citation, id=n, doc_id=doc["doc_id"], chunk_id=chunk["chunk_id"], title=doc["title"],
            source=doc["source"], url=doc["url"], published=doc["published"], quote=quote,
            start=start, end=start + len(quote), score=score,
            speaker=who.get("speaker", doc["source"]), reported_by=who.get("reported_by"),
        )  # fmt: skip

    def answer(self, question: str, history: list[dict[str, str]]) -> dict[str, Any]:
        q = question.lower()
        d1, d2 = self.docs["d1"], self.docs["d2"]
        earlier = " ".join(t.get("content", "") for t in history if t.get("role") == "user")
        if "gripen" in q:
            said = [("Kyiv plans to buy up to 150 Saab JAS-39E Gripen fighters.", [1], True)]
            who = {"speaker": "Politico", "reported_by": "UNN"}
            citations = [self.citation(1, d1, GRIPEN, 0.91, **who)]
        elif "porcupine" in q:
            said = [('Ukraine wants to become a "steel porcupine".', [1], True),
                    ("It will have the largest army in the world.", [], False)]  # fmt: skip
            citations = [self.citation(1, d1, PORCUPINE, 0.8)]
        elif "options" in q:
            said = [("The Times lists four options:", [1], True)]
            said += [(item, [k + 2], True) for k, item in enumerate(OPTIONS)]
            quotes = ["Europe is weighing four options.", *OPTIONS]
            citations = [self.citation(k + 1, d2, s, 0.9 - k / 20) for k, s in enumerate(quotes)]
        elif "which of them" in q and "options" in earlier.lower():
            said = [("According to The Times, Moscow rejects foreign troops on the ground.",
                     [1], True)]  # fmt: skip
            citations = [self.citation(1, d2, OPPOSED, 0.7)]
        else:
            words = [w for w in (w.strip("?.,!\"'") for w in q.split()) if len(w) > 5]
            added = [
                d
                for k, d in self.docs.items()
                if k not in ("d1", "d2") and any(w in d["text"].lower() for w in words)
            ]
            if "removed" in q:  # an LLM sentence that verification removed: a refusal
                gone = wire(
                    AnswerSentence,
                    text="Kyiv will buy 900 jets.",
                    citations=[1],
                    supported=False,
                    reasons=["number: 900 not in the cited text"],
                )
                refusal = wire(
                    AskResponse,
                    answer=NOT_SAID,
                    answerable=False,
                    citations=[self.citation(1, d1, GRIPEN, 0.5)],
                    sentences=[gone],
                    engine="standin",
                    timings_ms={"total": 12.0},
                    notice="no sentence of the LLM answer could be verified against the sources",
                )
                return refusal.model_dump()
            if not added:
                empty = wire(
                    AskResponse,
                    answer=NOT_SAID,
                    answerable=False,
                    citations=[],
                    sentences=[],
                    engine="standin",
                    timings_ms={"total": 12.0},
                )
                return empty.model_dump()
            doc = added[0]
            quote = doc["text"].split(". ")[0].rstrip(".") + "."
            quote = quote if quote in doc["text"] else doc["text"][:80]
            said = [(quote, [1], True)]
            citations = [self.citation(1, doc, quote, 0.77)]
        items = "options" in q
        sentences = [
            wire(AnswerSentence, text=text, citations=marks, supported=ok,
                 kind="item" if items and k > 0 else "sentence")
            for k, (text, marks, ok) in enumerate(said)
        ]  # fmt: skip
        answer = " ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in sentences)
        return wire(
            AskResponse, answer=answer, answerable=True, citations=citations, sentences=sentences,
            engine="standin", timings_ms={"total": 42.0}, notice=None,
            confidence=0.5 if "porcupine" in q else 0.9, tentative="porcupine" in q,
        ).model_dump()  # fmt: skip


async def _added(request: Request) -> tuple[str, dict[str, Any]]:
    """Text and metadata of a JSON body or a multipart upload (read by the ingest loaders)."""
    from ingest.loaders import SkipFile, load_bytes

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        body = await request.json()
        text = body.get("text") or re.sub(r"<[^>]+>", " ", body.get("html") or "")
        return text, body
    form = await request.form()
    upload: Any = form["file"]
    body = {k: str(v) for k, v in form.items() if k != "file"} | {"file": upload.filename}
    try:
        raw = load_bytes(upload.filename, await upload.read(), 1_000_000)
    except SkipFile as exc:
        status = 415 if exc.reason.startswith("unknown type") else 422
        raise HTTPException(status, exc.reason) from exc
    return raw.text, body | {k: v for k, v in raw.meta.items() if k not in body}


def create_app(stand: StandIn | None = None) -> FastAPI:
    stand = stand or StandIn()
    app = FastAPI(title="newsqa stand-in")
    app.state.standin = stand

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", response_model=Readiness)
    def readyz() -> Readiness:
        chunks = sum(len(d["chunks"]) for d in stand.docs.values())
        return wire(Readiness, ready=True, documents=len(stand.docs), chunks=chunks,
                    engine="standin", embeddings="none", store="memory", detail=None)  # fmt: skip

    async def check(req: AskRequest, request: Request) -> tuple[str, list[dict[str, str]]]:
        """Record the body as sent (validated by the API's own ``AskRequest`` already)."""
        stand.requests.append(await request.json())
        if "explode" in req.question.lower():
            raise HTTPException(503, "the index is empty: run `newsqa ingest`")
        return req.question, [t.model_dump() for t in req.history]

    @app.post("/ask", response_model=AskResponse)
    async def ask(req: AskRequest, request: Request) -> dict[str, Any]:
        return stand.answer(*await check(req, request))

    @app.post("/ask/stream")
    async def ask_stream(req: AskRequest, request: Request) -> StreamingResponse:
        question, history = await check(req, request)
        result = stand.answer(question, history)

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

    @app.get("/search", response_model=SearchResponse)
    def search(q: str, k: int = 10) -> SearchResponse:
        hits = []
        for rank, doc in enumerate(list(stand.docs.values())[:k], start=1):
            chunk = doc["chunks"][0]
            meta = {k: doc[k] for k in ("doc_id", "title", "source", "url", "published")}
            span = {k: chunk[k] for k in ("chunk_id", "text", "start", "end")}
            hits.append(wire(SearchHit, rank=rank, score=0.2 / rank, **span, **meta))
        return wire(SearchResponse, query=q, hits=hits)

    @app.get("/documents", response_model=list[DocumentSummary])
    def documents() -> list[DocumentSummary]:
        keep = ("doc_id", "title", "source", "url", "published", "author", "path")
        return [wire(DocumentSummary, **{k: d[k] for k in keep}, chunks=len(d["chunks"]))
                for d in stand.docs.values()]  # fmt: skip

    @app.get("/documents/{doc_id}", response_model=DocumentDetail)
    def document(doc_id: str) -> dict[str, Any]:
        if doc_id not in stand.docs:
            raise HTTPException(404, f"no document {doc_id}")
        return stand.docs[doc_id]

    @app.post("/documents", status_code=201, response_model=DocumentAdded)
    async def add_document(request: Request) -> JSONResponse:
        text, body = await _added(request)
        stand.added_bodies.append(body)
        text = " ".join(text.split())
        if len(text) < 20:
            raise HTTPException(422, "no article text left after cleaning")
        doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
        status = "unchanged" if doc_id in stand.docs else "added"
        title = body.get("title") or text[:60]
        doc = _doc(doc_id, text, title, body.get("source") or "pasted", body.get("url") or "",
                   body.get("published"))  # fmt: skip
        stand.add(doc)
        added = wire(DocumentAdded, doc_id=doc_id, status=status, title=title,
                     source=doc["source"], chunks=len(doc["chunks"]))  # fmt: skip
        return JSONResponse(added.model_dump(), status_code=201 if status == "added" else 200)

    @app.post("/feedback", status_code=201, response_model=FeedbackCreated)
    def add_feedback(body: FeedbackIn) -> FeedbackCreated:
        stand.feedback.append(body.model_dump())
        return wire(FeedbackCreated, id=len(stand.feedback))

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
