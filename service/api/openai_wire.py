"""The OpenAI chat-completions wire format: the request newsqa reads, the model listing, and
the request's reading as an ``/ask`` request (the last user message is the question, earlier
turns the history)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from newsqa.errors import BadRequest
from service.errors import format_validation_errors
from service.schemas import MAX_HISTORY, MAX_TURN_CHARS, AskRequest, Filters, Turn

MODEL_ID = "newsqa"
CREATED = 1_735_689_600  # fixed "created" of the model listing (2025-01-01)
SOURCES_HEADER = "\n\nSources:\n"


ROLES = ("system", "developer", "user", "assistant", "tool", "function")  # OpenAI's


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"{value!r} is not a role: use one of {', '.join(ROLES)}")
        return value

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        # parts are separate pieces of text: "Who is Mark" + "Rutte?" is not "MarkRutte?"
        return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")

    def other_parts(self) -> list[str]:
        """The types of its parts that are not text ("image_url", "input_audio", ...)."""
        if not isinstance(self.content, list):
            return []
        return sorted({str(p.get("type")) for p in self.content if p.get("type") != "text"})


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The OpenAI request; sampling options are accepted and ignored. Extras: top_k, filters."""

    model_config = ConfigDict(extra="ignore")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)

    @field_validator("stream", "n", mode="before")
    @classmethod
    def _null_is_default(cls, value: object, info: ValidationInfo) -> object:
        # OpenAI's schema allows null for both (raw HTTP clients send it): the default
        if value is None:
            return cls.model_fields[info.field_name or ""].default
        return value

    stream: bool = Field(default=False, strict=True)  # strict: "yes" is no boolean
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, strict=True, description="One choice per answer")
    top_k: int = Field(default=5, ge=1, le=50, strict=True)
    filters: Filters | None = None
    response_format: dict[str, Any] | None = None
    tools: list[Any] | None = None
    tool_choice: str | dict[str, Any] | None = None
    functions: list[Any] | None = None  # the older form of tools
    function_call: str | dict[str, Any] | None = None

    def check_supported(self) -> None:
        """Refuse, with the reason, what newsqa cannot answer with (see the module docstring)."""
        kind = (self.response_format or {}).get("type", "text")
        if kind != "text":
            raise BadRequest(
                f"response_format: {kind!r} is not supported: newsqa answers in prose whose "
                "sentences carry [n] citations (the structured citations are in the "
                "response's `citations` array); leave response_format out"
            )
        if isinstance(self.tool_choice, str) and self.tool_choice not in (
            "none",
            "auto",
            "required",
        ):
            raise BadRequest(
                f"tool_choice: {self.tool_choice!r} is not one of 'none', 'auto', 'required' or "
                "a named function"
            )
        free = (None, "auto", "none")
        for name, choice in (
            ("tool_choice", self.tool_choice),
            ("function_call", self.function_call),
        ):
            if choice not in free and (self.tools or self.functions or name == "function_call"):
                raise BadRequest(
                    f"{name}: newsqa does not call tools; it answers in prose with citations "
                    f"(leave {name} out, or 'auto')"
                )


class ModelCard(BaseModel):
    id: str
    object: str = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: str = "list"
    data: list[ModelCard]


def _strip_sources(text: str) -> str:
    return text.split(SOURCES_HEADER, 1)[0]


def to_ask_request(body: ChatCompletionRequest) -> AskRequest:
    """The last message (a user turn) is the question; earlier turns are the history."""
    last = body.messages[-1]
    if last.role != "user":
        raise BadRequest(
            f"messages: the last message must have role 'user' (it has {last.role!r}): newsqa "
            "answers the user's question and calls no tools"
        )
    if last.other_parts() and not last.text().strip():
        raise BadRequest(
            f"messages[-1].content: only text parts are read (got {', '.join(last.other_parts())})"
            ": newsqa answers questions written as text"
        )
    roles = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
    history = [
        {"role": roles[m.role], "content": _strip_sources(m.text())[:MAX_TURN_CHARS]}
        for m in body.messages[:-1]
        if m.role in roles and m.text().strip()
    ][-MAX_HISTORY:]
    try:
        return AskRequest(
            question=last.text(),
            top_k=body.top_k,
            filters=body.filters,
            history=[Turn.model_validate(t) for t in history],
        )
    except ValidationError as exc:
        message = format_validation_errors(exc.errors())
        raise BadRequest(message.replace("question:", "messages[-1].content:")) from exc
