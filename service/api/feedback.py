"""``POST /feedback`` and ``GET /feedback``: thumbs up/down on answers, stored durably."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.deps import SettingsDep
from service.feedback import get_store
from service.schemas import encodable

router = APIRouter(tags=["feedback"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=20_000)
    answer: str = Field(max_length=50_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=100)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=5_000)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be empty or whitespace")
        return value.strip()

    @field_validator("citations", mode="before")
    @classmethod
    def _valid_text(cls, value: object) -> object:
        return encodable(value)

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class FeedbackCreated(BaseModel):
    id: int


class FeedbackItem(BaseModel):
    id: int
    created_at: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    rating: Literal["up", "down"]
    comment: str | None


@router.post("/feedback", status_code=201, response_model=FeedbackCreated)
async def add_feedback(body: FeedbackIn, settings: SettingsDep) -> FeedbackCreated:
    """Store a rating of one answer with its question, answer and citations."""
    store = get_store(settings.index_dir)
    new_id = await run_in_threadpool(
        store.add, body.question, body.answer, body.citations, body.rating, body.comment
    )
    return FeedbackCreated(id=new_id)


@router.get("/feedback", response_model=list[FeedbackItem])
async def list_feedback(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1, description="SQLite's largest integer")] = 0,
) -> list[dict[str, Any]]:
    """Stored feedback, newest first."""
    store = get_store(settings.index_dir)
    return await run_in_threadpool(store.list, limit, offset)
