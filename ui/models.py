"""The wire contract of the newsqa API as the UI uses it: the API's own response models.

The models come from ``service/schemas.py`` (pydantic only: importing it pulls in no retrieval,
store or model code), so the UI, the eval suite and the test stand-ins share one contract and
a change to it shows up everywhere at once. Only the stream-event record is the UI's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.schemas import (
    MAX_QUESTION_CHARS,
    AnswerSentence,
    AskResponse,
    Citation,
    DocumentAdded,
    DocumentDetail,
    DocumentSummary,
    Readiness,
    SearchHit,
    SearchResponse,
)
from service.schemas import ChunkOut as Chunk

__all__ = [
    "MAX_QUESTION_CHARS",
    "AnswerSentence",
    "AskResponse",
    "Chunk",
    "Citation",
    "DocumentAdded",
    "DocumentDetail",
    "DocumentSummary",
    "Readiness",
    "SearchHit",
    "SearchResponse",
    "StreamEvent",
]


@dataclass
class StreamEvent:
    """One server-sent event of ``/ask/stream``: ``citations``, ``delta``, ``final``, ``error``."""

    event: str
    data: dict[str, Any]
