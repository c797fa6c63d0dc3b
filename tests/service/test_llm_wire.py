"""The LLM engine over the OpenAI wire format (``ChatOpenAI``): a scripted server for faults,
and a real llama.cpp server (xllamacpp + SmolLM2) for the whole path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from service.answering.service import answer_question, stream_answer
from service.schemas import AskRequest, AskResponse
from tests.service.fake_llm import Script, fake_llm, source_text, state_with

GRIPEN = "How many Gripen fighters does Kyiv plan to buy?"


@pytest.fixture(scope="module")
def llm(seed_state: Any) -> Iterator[tuple[Any, Script]]:
    """A state whose ``openai`` engine talks to the scripted server."""
    with fake_llm() as (url, script):
        state = state_with(
            seed_state,
            engine="openai",
            openai_base_url=url,
            openai_timeout_s=2.0,
            openai_max_retries=0,
            verify_judge="off",  # test_entailment_judge_over_the_wire turns it on
        )
        yield state, script


@pytest.fixture()
def script(llm: tuple[Any, Script]) -> Script:
    _state, script = llm
    script.mode, script.delay, script.reply = "ok", 0.0, "The sources don't cover this question."
    script.requests.clear()
    return script


def json_reply(messages: list[dict[str, Any]]) -> str:
    n = next(n for n in range(1, 9) if "150" in source_text(messages, n))
    claim = "Kyiv has outlined an agreement to purchase up to 150 Gripen fighters."
    return json.dumps({"sentences": [{"text": claim, "source_ids": [n], "quote": claim[:40]}]})


def test_structured_request_over_the_wire(llm: tuple[Any, Script], script: Script) -> None:
    state, _ = llm
    script.reply = json_reply
    r = answer_question(AskRequest(question=GRIPEN), state)
    assert r.engine == "openai" and r.answerable and "150" in r.answer
    sent = script.requests[-1]
    assert sent["temperature"] == 0 and sent["stream"] is True
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["messages"][0]["role"] == "system"


@pytest.mark.parametrize(("verdict", "answerable"), [("Yes.", True), ("no", False)])
def test_entailment_judge_over_the_wire(
    llm: tuple[Any, Script], script: Script, verdict: str, answerable: bool
) -> None:
    """With the judge on, the same server is asked yes/no for every sentence (once it has said
    yes to its own check); "no" removes it (and the answer is a refusal where the extractive
    gate would refuse too)."""
    from service.verify.entailment import CANARY

    def reply(m: list[dict[str, Any]]) -> str:
        if CANARY[0] in m[-1]["content"]:
            return "yes"
        return verdict if "Answer yes or no" in m[-1]["content"] else json_reply(m)

    state, _ = llm
    judged = state_with(state, verify_judge="on", refusal_threshold=0.999)
    script.reply = reply
    r = answer_question(AskRequest(question=GRIPEN), judged)
    assert r.engine == "openai" and r.answerable is answerable
    assert any("Answer yes or no" in q["messages"][-1]["content"] for q in script.requests)
    assert "judge" in r.timings_ms


@pytest.mark.parametrize("mode", ["error", "slow"])
def test_backend_failure_falls_back(llm: tuple[Any, Script], script: Script, mode: str) -> None:
    state, _ = llm
    script.mode, script.delay = mode, 5.0
    r = answer_question(AskRequest(question=GRIPEN), state)
    assert r.engine == "extractive" and r.answerable and "150" in r.answer
    assert r.notice and r.notice.startswith("LLM backend failed (")
    assert r.notice.endswith("answered with the extractive engine")


def test_unreachable_server_falls_back(seed_state: Any) -> None:
    from tests.helpers import free_port

    state = state_with(
        seed_state,
        engine="openai",
        openai_max_retries=0,
        openai_timeout_s=2.0,
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
    )
    r = answer_question(AskRequest(question=GRIPEN), state)
    assert r.engine == "extractive" and r.notice and "LLM backend failed" in r.notice


def test_stream_failure_falls_back(llm: tuple[Any, Script], script: Script) -> None:
    state, _ = llm
    script.mode = "error"
    events = list(stream_answer(AskRequest(question=GRIPEN), state))
    final = events[-1][1]
    assert final["engine"] == "extractive" and "LLM backend failed" in final["notice"]
    assert "".join(d["text"] for k, d in events if k == "delta") == final["answer"]


@pytest.mark.integration
def test_local_llama_cpp_smollm2(seed_state: Any) -> None:
    """Real llama.cpp (xllamacpp) with SmolLM2: JSON-schema output, verification, streaming."""
    from newsqa.components.chat import default_model_path
    from service.answering.generative import LocalEngine

    # the model is asked even where the evidence alone clearly answers (its default skips it)
    state = state_with(seed_state, engine="local", openai_timeout_s=300.0, llm_clear_answer="model")
    engine = state.engine
    assert isinstance(engine, LocalEngine) and engine.model_path == default_model_path()
    reply = engine.llm.invoke("Say the word hello.", max_tokens=8)
    assert isinstance(reply.content, str) and reply.content

    r = answer_question(AskRequest(question=GRIPEN, top_k=3), state)
    assert r.engine in ("local", "extractive")
    ids = {c.id for c in r.citations}
    if r.answerable:
        for s in r.sentences:
            assert set(s.citations) <= ids
            assert (s.text in r.answer) == s.supported
        assert {int(n) for n in re.findall(r"\[(\d+)\]", r.answer)} <= ids
    else:
        assert r.notice and r.citations
    for c in r.citations:
        assert state.store.get_document(c.doc_id).text[c.start : c.end] == c.quote

    events = list(stream_answer(AskRequest(question=GRIPEN, top_k=3), state))
    assert events[0][0] == "citations" and events[-1][0] == "final"
    final = AskResponse.model_validate(events[-1][1])
    assert final.engine in ("local", "extractive")
    assert "".join(d["text"] for k, d in events if k == "delta") == final.answer
