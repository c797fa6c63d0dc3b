"""A tiny deterministic stand-in for the newsqa API (same routes and JSON shapes)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

DOCS = {
    "d1": {
        "title": "Jets",
        "source": "Outlet A",
        "path": "data/articles/a.txt",
        "text": "Kyiv plans to buy up to 150 Gripen fighters.\n\nThe deal was outlined last year.",
    },
    "d2": {
        "title": "Missiles",
        "source": "Outlet B",
        "path": "/abs/b.txt",
        "text": "Germany refused to send Taurus missiles.\n\nFire Point makes one missile per day.",
    },
}
# question -> (answerable, [(sentence, doc_id, quote)])
ANSWERS: dict[str, tuple[bool, list[tuple[str, str, str]]]] = {
    "How many Gripens?": (True, [("Kyiv plans to buy up to 150 Gripen fighters.", "d1",
                                  "Kyiv plans to buy up to 150 Gripen fighters.")]),
    "Who refused Taurus?": (True, [("France refused to send Taurus missiles.", "d2",
                                    "Germany refused to send Taurus missiles.")]),
    "What colour are the jets?": (False, []),
    "Who is the defence minister?": (True, [("Fire Point makes one missile per day.", "d2",
                                             "Fire Point makes one missile per day.")]),
}  # fmt: skip


def _chunks(doc_id: str) -> list[dict[str, Any]]:
    text, out, start = DOCS[doc_id]["text"], [], 0
    for index, part in enumerate(text.split("\n\n")):
        start = text.index(part, start)
        out.append({"chunk_id": f"{doc_id}:{index}", "index": index, "text": part,
                    "start": start, "end": start + len(part)})  # fmt: skip
        start += len(part)
    return out


def _meta(doc_id: str) -> dict[str, Any]:
    d = DOCS[doc_id]
    return {"doc_id": doc_id, "title": d["title"], "source": d["source"], "url": "http://x",
            "published": None, "author": "", "path": d["path"]}  # fmt: skip


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/documents")
    def documents() -> list[dict[str, Any]]:
        return [{**_meta(d), "chunks": len(_chunks(d))} for d in DOCS]

    @app.get("/documents/{doc_id}")
    def document(doc_id: str) -> dict[str, Any]:
        if doc_id not in DOCS:
            raise HTTPException(404)
        return {**_meta(doc_id), "text": DOCS[doc_id]["text"], "chunks": _chunks(doc_id)}

    @app.get("/search")
    def search(q: str, k: int = 10) -> dict[str, Any]:
        words = set(q.lower().strip("?").split())
        chunks = [(doc, c) for doc in DOCS for c in _chunks(doc)]
        chunks.sort(key=lambda dc: -len(words & set(dc[1]["text"].lower().split())))
        hits = [{"rank": r, "score": 1.0 / r, "doc_id": doc, "chunk_id": c["chunk_id"],
                 "text": c["text"], "start": c["start"], "end": c["end"], **_meta(doc)}
                for r, (doc, c) in enumerate(chunks[:k], 1)]  # fmt: skip
        return {"query": q, "hits": hits}

    @app.post("/ask")
    def ask(body: dict[str, Any]) -> dict[str, Any]:
        answerable, parts = ANSWERS.get(body["question"], (False, []))
        citations: list[dict[str, Any]] = []
        sentences: list[dict[str, Any]] = []
        for n, (sentence, doc, quote) in enumerate(parts, 1):
            start = DOCS[doc]["text"].index(quote)
            meta = _meta(doc)
            keep = {k: meta[k] for k in ("doc_id", "title", "source", "url", "published")}
            citations.append({"id": n, "chunk_id": f"{doc}:0", "quote": quote, "start": start,
                              "end": start + len(quote), "score": 1.0, **keep})  # fmt: skip
            sentences.append({"text": f"{sentence} [{n}]", "citations": [n], "supported": True})
        answer = " ".join(s["text"] for s in sentences) or "The articles do not say."
        return {"answer": answer, "answerable": answerable, "citations": citations,
                "sentences": sentences, "engine": "standin", "timings_ms": {}}  # fmt: skip

    return app
