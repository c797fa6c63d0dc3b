"""Request and response schemas of the HTTP API. Field names are a public contract."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from newsqa.text import WEB_ADDRESS

MAX_QUESTION_CHARS = 2000


def encodable(value: object) -> object:
    """Reject text that is no valid Unicode (a lone surrogate such as ``"\\ud800"`` in JSON):
    it cannot be stored or compared, and would fail deep inside the store instead."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            encodable(key)
            encodable(item)
    elif isinstance(value, list):
        for item in value:
            encodable(item)
    return value


class Filters(BaseModel):
    """Optional retrieval filters. Unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid")

    source: list[str] | None = Field(default=None, description="Outlets to include")
    published_from: date | None = None
    published_to: date | None = None
    doc_ids: list[str] | None = None

    @field_validator("source", "doc_ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return encodable([value] if isinstance(value, str) else value)

    @field_validator("source", "doc_ids")
    @classmethod
    def _not_empty(cls, value: list[str] | None) -> list[str] | None:
        # [] would read as "none of them" to some and "all of them" to others: neither is guessed
        if value is not None and not value:
            raise ValueError("is empty: leave it out to search everything, or name at least one")
        if value is not None and not all(v.strip() for v in value):
            raise ValueError("holds an empty name: name each one, or leave the filter out")
        return [v.strip() for v in value] if value is not None else None  # " UNN " is UNN

    @model_validator(mode="after")
    def _ordered_dates(self) -> Filters:
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError("published_from is after published_to: no date can match")
        return self


MAX_HISTORY = 50  # earlier turns a request may carry (a follow-up reads only the last ones)
MAX_TURN_CHARS = 20_000  # characters of one earlier turn


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=MAX_TURN_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    top_k: int = Field(default=5, ge=1, le=50, strict=True)  # strict: `true` is no number
    filters: Filters | None = None
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be empty or whitespace")
        return value.strip()


class Citation(BaseModel):
    id: int = Field(description="The n of the [n] markers in the answer")
    doc_id: str
    chunk_id: str
    title: str
    source: str
    url: str
    published: str | None
    author: str = Field(default="", description="The article's author (its byline), if known")
    quote: str = Field(description="Exact supporting text: document_text[start:end]")
    start: int
    end: int
    score: float
    speaker: str | None = Field(
        default=None,
        description="Who makes the quoted claim: a person or outlet named in or around the quote "
        '("X said", "according to X", a quoted op-ed), else the publishing outlet; null '
        "when unknown",
    )
    reported_by: str | None = Field(
        default=None,
        description="The outlet that publishes the quote when someone else is the speaker; null "
        "when the outlet speaks for itself or is unknown",
    )


class AnswerSentence(BaseModel):
    text: str
    citations: list[int]
    supported: bool
    reasons: list[str] = Field(
        default_factory=list,
        description="why the sentence was removed or flagged (empty when it is supported)",
    )
    kind: Literal["sentence", "item"] = Field(
        default="sentence",
        description='"item": one entry of a list answer (shown as a list item, in order)',
    )


class AskResponse(BaseModel):
    answer: str
    answerable: bool
    citations: list[Citation]
    sentences: list[AnswerSentence]
    engine: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    notice: str | None = Field(
        default=None, description="e.g. that the LLM failed and the extractive engine answered"
    )
    confidence: float | None = Field(
        default=None,
        description="The evidence model's probability that the retrieved passages answer the "
        "question (fitted on the dev set's `fit` split); null when nothing was retrieved",
    )
    tentative: bool = Field(
        default=False,
        description="An answer given on weaker evidence: below the level from which extractive "
        "answers were right 95% of the time on `fit` (docs/calibration.md); check its sources",
    )


class SearchHit(BaseModel):
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


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    source: str
    url: str
    published: str | None
    author: str
    path: str
    chunks: int


class ChunkOut(BaseModel):
    chunk_id: str
    index: int
    text: str
    start: int
    end: int


class DocumentDetail(BaseModel):
    doc_id: str
    title: str
    source: str
    url: str
    published: str | None
    author: str
    path: str
    text: str = Field(description="The cleaned document; citation offsets index into it")
    chunks: list[ChunkOut]


# Longest metadata an article may be given (a headline, an outlet, a URL, a byline): longer
# values are mistakes (a body pasted as a title) that would fill every citation and listing.
META_LIMITS = {"title": 500, "source": 200, "url": 2000, "author": 300}


def web_address(value: str | None) -> str | None:
    """An article's ``url`` must be a web address: a ``javascript:`` or ``data:`` one would be
    handed on to clients (the ``/v1`` annotations, a UI's link)."""
    if value and value.strip() and not WEB_ADDRESS.match(value.strip()):
        raise ValueError("must be a web address (http:// or https:// and a host, no spaces)")
    return value


class DocumentIn(BaseModel):
    """One article to add through the ingest pipeline: exactly one of ``text`` or ``html``."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=1_000_000)
    html: str | None = Field(default=None, max_length=2_000_000)
    title: str | None = Field(default=None, max_length=META_LIMITS["title"])
    source: str | None = Field(default=None, max_length=META_LIMITS["source"])
    url: str | None = Field(default=None, max_length=META_LIMITS["url"])
    published: date | None = None
    author: str | None = Field(default=None, max_length=META_LIMITS["author"])

    _url = field_validator("url")(web_address)

    @field_validator("text", "html", "title", "source", "url", "author")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        # a file holding NUL bytes is skipped as binary content; the same text sent as JSON is
        # refused alike (it was stored, NUL and all)
        if value is not None and "\x00" in value:
            raise ValueError("holds a NUL character: send text, not binary content")
        return value


class DocumentAdded(BaseModel):
    doc_id: str
    status: Literal["added", "updated", "unchanged"]
    title: str
    source: str
    chunks: int


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    documents: int
    chunks: int
    engine: str
    embeddings: str
    store: str
    detail: str | None = None
    max_upload_bytes: int | None = Field(
        default=None, description="The largest article upload accepted (file and body limits)"
    )


class ErrorBody(BaseModel):
    detail: str
