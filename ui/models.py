"""Typed records of the newsqa HTTP API (the wire contract of ``service/schemas.py``).

Same field names as the service's models, duplicated on purpose: the UI imports no service code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def _build(cls: type[T], data: dict[str, Any]) -> T:
    """Construct a dataclass from a JSON object, ignoring unknown keys."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Citation:
    id: int
    doc_id: str
    chunk_id: str
    title: str
    source: str
    url: str
    published: str | None
    quote: str
    start: int
    end: int
    score: float = 0.0


@dataclass
class AnswerSentence:
    text: str
    citations: list[int]
    supported: bool = True


@dataclass
class AskResponse:
    answer: str
    answerable: bool
    citations: list[Citation]
    sentences: list[AnswerSentence]
    engine: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AskResponse:
        return cls(
            answer=data.get("answer", ""),
            answerable=bool(data.get("answerable", False)),
            citations=[_build(Citation, c) for c in data.get("citations", [])],
            sentences=[_build(AnswerSentence, s) for s in data.get("sentences", [])],
            engine=data.get("engine", ""),
            timings_ms=data.get("timings_ms") or {},
            notice=data.get("notice"),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchHit:
    rank: int
    score: float
    doc_id: str
    chunk_id: str
    text: str
    start: int
    end: int
    title: str
    source: str
    url: str
    published: str | None


@dataclass
class DocumentSummary:
    doc_id: str
    title: str
    source: str
    url: str
    published: str | None
    author: str = ""
    path: str = ""
    chunks: int = 0


@dataclass
class Chunk:
    chunk_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass
class DocumentDetail:
    doc_id: str
    title: str
    source: str
    url: str
    published: str | None
    author: str
    path: str
    text: str
    chunks: list[Chunk]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentDetail:
        detail = _build(cls, {**data, "chunks": []})
        detail.chunks = [_build(Chunk, c) for c in data.get("chunks", [])]
        return detail


@dataclass
class DocumentAdded:
    doc_id: str
    status: str
    title: str
    source: str
    chunks: int


@dataclass
class Readiness:
    ready: bool
    documents: int = 0
    chunks: int = 0
    engine: str = ""
    embeddings: str = ""
    store: str = ""
    detail: str | None = None


@dataclass
class StreamEvent:
    """One server-sent event of ``/ask/stream``: ``citations``, ``delta``, ``final``, ``error``."""

    event: str
    data: dict[str, Any]
