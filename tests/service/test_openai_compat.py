"""``/v1/chat/completions`` and ``/v1/models`` with the official ``openai`` client and LangChain."""

from __future__ import annotations

import httpx
import openai
import pytest

from service.api.openai_compat import ChatCompletionRequest, to_ask_request
from tests.service.conftest import GRIPEN, UNANSWERABLE, sse_events

TOPIC = "Does Kyiv plan to buy Gripen fighters?"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(seed_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{seed_server}/v1", api_key="unused", max_retries=0, timeout=60)


def test_models(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == ["newsqa"]
    assert client.models.retrieve("newsqa").id == "newsqa"


def test_chat_completion(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": GRIPEN}]
    )
    assert completion.object == "chat.completion" and completion.model == "newsqa"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    answer, _, sources = content.partition("\n\nSources:\n")
    assert "150" in answer and "[1]" in answer
    assert "[1]" in sources and "UNN" in sources
    citations = (completion.model_extra or {})["citations"]
    assert any(c["source"] == "UNN" and "150" in c["quote"] for c in citations)
    # the SDK's typed annotations: each marker of the answer, at its offsets in the content
    notes = choice.message.annotations or []
    assert notes and all(n.type == "url_citation" for n in notes)
    assert {content[n.url_citation.start_index : n.url_citation.end_index] for n in notes} == {
        f"[{c['id']}]" for c in citations
    }
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


def test_streaming_matches_the_plain_completion(client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": GRIPEN}]
    )
    stream = client.chat.completions.create(
        model="newsqa",
        messages=[{"role": "user", "content": GRIPEN}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop" and finishes.count("stop") == 1
    final = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    assert (final.model_extra or {})["citations"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_raw_stream_ends_with_done(seed_server: str) -> None:
    body = {"model": "newsqa", "stream": True, "messages": [{"role": "user", "content": GRIPEN}]}
    with httpx.stream("POST", f"{seed_server}/v1/chat/completions", json=body, timeout=60) as r:
        assert r.status_code == 200
        events = sse_events(r.read().decode())
    assert events[-1] == ("message", "[DONE]")
    assert all(data["object"] == "chat.completion.chunk" for _, data in events[:-1])


def test_history_and_system_messages(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": TOPIC}]
    )
    follow = client.chat.completions.create(
        model="newsqa",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": TOPIC},
            {"role": "assistant", "content": first.choices[0].message.content or ""},
            {"role": "user", "content": "How many?"},
        ],
    )
    # the follow-up is only answerable through the history (earlier turns)
    assert "150" in (follow.choices[0].message.content or "")
    alone = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": "How many?"}]
    )
    assert "150" not in (alone.choices[0].message.content or "")


def test_unanswerable_has_no_sources(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": UNANSWERABLE}]
    )
    assert "Sources:" not in (completion.choices[0].message.content or "")
    assert (completion.model_extra or {})["answerable"] is False


def test_errors_surface_as_openai_exceptions(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="must not be empty"):
        client.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": " "}])
    with pytest.raises(openai.BadRequestError, match="at most 2000 characters"):
        client.chat.completions.create(
            model="newsqa", messages=[{"role": "user", "content": "x" * 2001}]
        )
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_langchain_chat_openai(seed_server: str) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    llm = ChatOpenAI(
        model="newsqa",
        base_url=f"{seed_server}/v1",
        api_key=SecretStr("unused"),
        max_retries=0,
        timeout=60,
    )
    reply = llm.invoke(GRIPEN)
    assert isinstance(reply, AIMessage)
    assert "150" in str(reply.content) and "Sources:" in str(reply.content)
    streamed = "".join(str(chunk.content) for chunk in llm.stream(GRIPEN))
    assert streamed == reply.content
    topic = llm.invoke(TOPIC)
    follow = llm.invoke(
        [SystemMessage("Answer briefly."), HumanMessage(TOPIC), topic, HumanMessage("How many?")]
    )
    assert "150" in str(follow.content)
    # structured output cannot be given: a clear error, not None or unparseable prose
    from pydantic import BaseModel

    class Count(BaseModel):
        jets: int

    for method in ("function_calling", "json_schema", "json_mode"):
        with pytest.raises(openai.BadRequestError, match="not supported|does not call tools"):
            llm.with_structured_output(Count, method=method).invoke(GRIPEN)  # type: ignore[arg-type]


def test_a_long_chat_goes_on(client: openai.OpenAI) -> None:
    """Past 50 earlier messages the oldest are dropped (they were a 422 on a field, `history`,
    that the client never sent); a follow-up still reads the last turns."""
    old = [{"role": "user", "content": "Who is Mark Rutte?"}, {"role": "assistant", "content": "x"}]
    messages = old * 30 + [
        {"role": "user", "content": TOPIC},
        {"role": "assistant", "content": "Kyiv has outlined an agreement to purchase them [1]."},
        {"role": "user", "content": "How many?"},
    ]
    completion = client.chat.completions.create(model="newsqa", messages=messages)
    assert "150" in (completion.choices[0].message.content or "")


def test_what_cannot_be_given_is_a_bad_request(client: openai.OpenAI) -> None:
    """JSON output and a required tool call are refused with a 400 (``BadRequestError``) that
    says why; tools the model may leave unused get a prose answer."""
    user = [{"role": "user", "content": GRIPEN}]
    with pytest.raises(openai.BadRequestError, match="response_format"):
        client.chat.completions.create(
            model="newsqa",
            messages=user,
            response_format={"type": "json_object"},
        )
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError, match="does not call tools"):
        client.chat.completions.create(
            model="newsqa",
            messages=user,
            tools=[tool],
            tool_choice="required",
        )
    prose = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user,
        tools=[tool],
        temperature=0.2,
    )
    assert "150" in (prose.choices[0].message.content or "")
    assert prose.choices[0].finish_reason == "stop"


def test_text_parts_are_read_as_separate_pieces(client: openai.OpenAI) -> None:
    """Content given as parts ("Who is Mark" + "Rutte?") is the same question, not "MarkRutte"."""
    words = GRIPEN.split(" ")
    half = len(words) // 2
    parts = [{"type": "text", "text": " ".join(words[:half])}]
    parts.append({"type": "text", "text": " ".join(words[half:])})
    body = ChatCompletionRequest.model_validate({"messages": [{"role": "user", "content": parts}]})
    assert to_ask_request(body).question == "\n".join(p["text"] for p in parts)
    completion = client.chat.completions.create(
        model="newsqa",
        messages=[{"role": "user", "content": parts}],  # type: ignore[list-item,misc]
    )
    assert "150" in (completion.choices[0].message.content or "")
