"""A small typed HTTP client for the newsqa API. The UI talks to the service only through this.

Responses are parsed into the API's own models (``ui.models``: ``service/schemas.py``); the UI
imports no retrieval, store or model code.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ui.models import (
    AnswerSentence,
    AskResponse,
    Chunk,
    Citation,
    DocumentAdded,
    DocumentDetail,
    DocumentSummary,
    Readiness,
    SearchHit,
    StreamEvent,
)

__all__ = [
    "AnswerSentence",
    "ApiError",
    "ApiUnavailable",
    "AskResponse",
    "Chunk",
    "Citation",
    "DocumentAdded",
    "DocumentDetail",
    "DocumentSummary",
    "NewsQAClient",
    "Readiness",
    "SearchHit",
    "StreamEvent",
    "UPLOAD_SUFFIXES",
    "parse_sse",
]

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
START_HINT = "start it with `newsqa serve` (or `make run` for API + UI)"


class ApiError(Exception):
    """The API answered with an error status (or an ``error`` stream event)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class ApiUnavailable(ApiError):
    """The API could not be reached at all (connection refused, DNS, timeout on connect)."""

    def __init__(self, base_url: str, reason: str) -> None:
        super().__init__(
            0, f"the newsqa API at {base_url} is not reachable ({reason}); {START_HINT}"
        )
        self.base_url = base_url
        self.reason = reason


def parse_sse(lines: Iterator[str]) -> Iterator[StreamEvent]:
    """Parse server-sent events from text lines (``event:``/``data:`` fields, blank line ends)."""
    event: str = "message"
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                payload = "\n".join(data)
                try:
                    parsed = json.loads(payload)
                except json.JSONDecodeError:
                    parsed = {"text": payload}
                yield StreamEvent(event, parsed if isinstance(parsed, dict) else {"value": parsed})
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue  # comment / keep-alive ping
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield StreamEvent(event, json.loads("\n".join(data)))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI validation errors
        return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    return str(detail)


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], data: Any) -> M:
    """``data`` as the API's ``model``; a body that does not fit the contract is an ApiError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(
            502, f"the API answered outside its contract ({model.__name__}): {exc}"
        ) from exc


# Adding a document embeds every chunk of it: a page near the 2 MB upload limit took ~220 s
# on 2 cores (a new user's probe), so writes wait longer than questions before giving up
WRITE_TIMEOUT = 900.0


class NewsQAClient:
    """Typed calls to the newsqa HTTP API."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 120.0,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers=headers,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NewsQAClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ApiUnavailable(self.base_url, type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise ApiError(0, f"request to {self.base_url}{path} failed: {exc}") from exc
        if response.status_code >= 400:
            raise ApiError(response.status_code, _detail(response))
        return response.json() if response.content else None

    @staticmethod
    def _ask_body(
        question: str,
        top_k: int,
        filters: dict[str, Any] | None,
        history: list[dict[str, str]] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "question": question,
            "top_k": top_k,
            "history": list(history or []),
        }
        clean = {k: v for k, v in (filters or {}).items() if v not in (None, [], "")}
        if clean:
            body["filters"] = clean
        return body

    # -- endpoints --------------------------------------------------------------------------
    def healthz(self) -> bool:
        return bool(self._request("GET", "/healthz"))

    def readyz(self) -> Readiness:
        """Readiness; a 503 still carries a ``Readiness`` body, which is returned as is."""
        try:
            response = self._http.get("/readyz")
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ApiUnavailable(self.base_url, type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise ApiError(0, str(exc)) from exc
        try:
            data = response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, response.text[:300]) from exc
        if "ready" not in data:
            raise ApiError(response.status_code, _detail(response))
        return _parse(Readiness, data)

    def ask(
        self,
        question: str,
        top_k: int = 5,
        filters: dict[str, Any] | None = None,
        history: list[dict[str, str]] | None = None,
    ) -> AskResponse:
        data = self._request("POST", "/ask", json=self._ask_body(question, top_k, filters, history))
        return _parse(AskResponse, data)

    def ask_stream(
        self,
        question: str,
        top_k: int = 5,
        filters: dict[str, Any] | None = None,
        history: list[dict[str, str]] | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield the events of ``POST /ask/stream``; an ``error`` event raises ``ApiError``."""
        body = self._ask_body(question, top_k, filters, history)
        try:
            with self._http.stream(
                "POST", "/ask/stream", json=body, headers={"Accept": "text/event-stream"}
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ApiError(response.status_code, _detail(response))
                for event in parse_sse(response.iter_lines()):
                    if event.event == "error":
                        raise ApiError(
                            int(event.data.get("status", 500)),
                            str(event.data.get("detail", event.data)),
                        )
                    yield event
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ApiUnavailable(self.base_url, type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise ApiError(0, f"the answer stream broke off: {exc}") from exc

    def search(self, query: str, top_k: int = 5) -> list[SearchHit]:
        data = self._request("GET", "/search", params={"q": query, "k": top_k})
        hits = data.get("hits", []) if isinstance(data, dict) else data
        return [_parse(SearchHit, h) for h in hits]

    def documents(self) -> list[DocumentSummary]:
        data = self._request("GET", "/documents")
        items = data.get("documents", data) if isinstance(data, dict) else data
        return [_parse(DocumentSummary, d) for d in items]

    def document(self, doc_id: str) -> DocumentDetail:
        return _parse(DocumentDetail, self._request("GET", f"/documents/{doc_id}"))

    def add_document(
        self, text: str | None = None, html: str | None = None, **meta: str | None
    ) -> DocumentAdded:
        body: dict[str, Any] = {"text": text} if text is not None else {"html": html}
        body.update({k: v for k, v in meta.items() if v})
        added = self._request("POST", "/documents", json=body, timeout=WRITE_TIMEOUT)
        return _parse(DocumentAdded, added)

    def upload(self, filename: str, data: bytes, **meta: str | None) -> DocumentAdded:
        """Add a .txt/.md/.html/.pdf file: a multipart upload read by the API's own loaders."""
        suffix = PurePath(filename).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            kinds = ", ".join(UPLOAD_SUFFIXES)
            raise ApiError(415, f"unsupported file type {suffix or '(none)'!r}: use {kinds}")
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        form = {k: v for k, v in meta.items() if v}
        added = self._request(
            "POST",
            "/documents",
            files={"file": (filename, data, kind)},
            data=form,
            timeout=WRITE_TIMEOUT,
        )
        return _parse(DocumentAdded, added)

    def feedback(
        self,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        rating: str,
        comment: str | None = None,
    ) -> int:
        body = {
            "question": question,
            "answer": answer,
            "citations": citations,
            "rating": rating,
            "comment": comment or None,
        }
        return int(self._request("POST", "/feedback", json=body)["id"])

    def list_feedback(self) -> list[dict[str, Any]]:
        data = self._request("GET", "/feedback")
        return list(data.get("items", data) if isinstance(data, dict) else data)
