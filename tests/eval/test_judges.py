"""Judges: lexical accuracy on the labelled pairs, and robust parsing of LLM judge replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eval.dataset import load_judge_pairs
from eval.judges import SUPPORTED, UNKNOWN, UNSUPPORTED, LexicalJudge, judge_accuracy, make_judge
from eval.llm_judge import LLMJudge, parse_claims, parse_json, parse_verdict
from newsqa.loopback import free_port
from tests.helpers import ROOT

PAIRS = ROOT / "data" / "eval" / "judge_pairs.jsonl"
PASSAGE = (
    "Fire Point, the Ukrainian defense firm behind the Flamingo missile, said it would welcome "
    "Western funding to speed up production. The company says it currently makes one missile per "
    "day, but plans to increase output sevenfold by this fall."
)


def test_lexical_judge_accuracy_on_labelled_pairs() -> None:
    result = judge_accuracy(LexicalJudge(), load_judge_pairs(PAIRS))
    assert result["n"] >= 40
    assert result["accuracy"] >= 0.9, result
    assert result["unknown"] == 0


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Fire Point makes one missile per day [1].", SUPPORTED),
        ("Fire Point makes two missiles per day.", UNSUPPORTED),  # changed number
        ("Baykar makes one missile per day.", UNSUPPORTED),  # swapped name
        ("Fire Point plans to increase output sevenfold by this fall.", SUPPORTED),
        ("Fire Point has already received Western funding.", UNSUPPORTED),  # claim not made
        ("Fire Point would not welcome Western funding.", UNSUPPORTED),  # negation flipped
        ("", SUPPORTED),
    ],
)
def test_lexical_judge_cases(sentence: str, verdict: str) -> None:
    assert LexicalJudge().verdict(sentence, [PASSAGE]) == verdict


def test_lexical_judge_needs_a_passage_and_handles_abbreviations() -> None:
    judge = LexicalJudge()
    assert judge.verdict("Fire Point makes one missile per day.", []) == UNSUPPORTED
    passage = "Retired Lt. Gen. Keith Kellogg, the U.S. special envoy, dismissed these statements."
    assert judge.supports("Keith Kellogg, the U.S. envoy, dismissed the statements.", [passage])


# ------------------------------------------------------------------------- LLM reply parsing


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"verdict": "supported"}', SUPPORTED),
        ('```json\n{"verdict": "unsupported"}\n```', UNSUPPORTED),
        ('Sure! Here is my answer: {"verdict": "Supported",} Hope it helps.', SUPPORTED),
        ('{"supported": false}', UNSUPPORTED),
        ('[{"verdict": "not supported"}]', UNSUPPORTED),
        ('{"verdict": "maybe"}', UNKNOWN),
        ("The claim is supported by the context.", UNKNOWN),  # prose is never support
        ("{'verdict': 'supported'", SUPPORTED),  # truncated single-quoted JSON: the field is read
        ('{"answer": 42}', UNKNOWN),
        ("", UNKNOWN),
    ],
)
def test_parse_verdict(reply: str, expected: str) -> None:
    assert parse_verdict(reply) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"claims": ["A is B.", "C is D."]}', ["A is B.", "C is D."]),
        ('Here you go:\n```\n["A is B."]\n```', ["A is B."]),
        ('{"statements": ["x",]}', ["x"]),
        ('{"claims": "A is B"}', None),
        ("I cannot do that.", None),
        ('{"claims": [{"claim": "nested"}, "flat"]}', ["nested", "flat"]),
        ('{"claims": [{"other": "x"}]}', None),
        ('{"claims": [true]}', None),
    ],
)
def test_parse_claims(reply: str, expected: list[str] | None) -> None:
    assert parse_claims(reply) == expected


@given(st.text(max_size=300))
def test_parsers_never_raise_and_prose_is_not_support(text: str) -> None:
    parse_json(text)
    parse_claims(text)
    verdict = parse_verdict(text)
    if "{" not in text and "[" not in text and "verdict" not in text.lower():
        assert verdict == UNKNOWN


# --------------------------------------------------------------------- LLM judge, fake client


@dataclass
class _Message:
    content: str | None


@dataclass
class _Choice:
    message: _Message


@dataclass
class _Reply:
    choices: list[_Choice]


class _BadRequest(Exception):
    status_code = 400


@dataclass
class ScriptedChat:
    """A stand-in for ``client.chat.completions`` replying from a fixed script, in order."""

    replies: list[str | Exception]
    prompts: list[str] = field(default_factory=list)

    refuse_response_format: bool = False

    def create(self, **kwargs: Any) -> _Reply:
        if self.refuse_response_format and "response_format" in kwargs:
            raise _BadRequest("response_format is not supported")
        self.prompts.append(kwargs["messages"][-1]["content"])
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return _Reply([_Choice(_Message(reply))])


class ScriptedClient:
    def __init__(self, replies: list[str | Exception]) -> None:
        self.completions = ScriptedChat(list(replies))
        self.chat = self


def _judge(replies: list[str | Exception]) -> tuple[LLMJudge, ScriptedChat]:
    client = ScriptedClient(replies)
    return LLMJudge(client, "fake-model"), client.completions


def test_llm_judge_all_claims_supported() -> None:
    judge, chat = _judge(
        ['{"claims": ["a", "b"]}', '{"verdict": "supported"}', "{'verdict': 'yes'}"]
    )
    assert judge.verdict("a and b", ["ctx"]) == SUPPORTED
    assert len(chat.prompts) == 3 and "ctx" in chat.prompts[1]
    assert judge.verdict("a and b", ["ctx"]) == SUPPORTED  # cached: no more calls
    assert len(chat.prompts) == 3


def test_llm_judge_one_unsupported_claim_wins() -> None:
    judge, _ = _judge(['["a", "b"]', "garbage", '{"verdict": "unsupported"}'])
    assert judge.verdict("a and b", ["ctx"]) == UNSUPPORTED


def test_llm_judge_failures_are_unknown_never_supported() -> None:
    judge, _ = _judge(["no json here"])
    assert judge.verdict("s1", ["ctx"]) == UNKNOWN
    judge, _ = _judge(['{"claims": ["a"]}', "I think so!"])
    assert judge.verdict("s2", ["ctx"]) == UNKNOWN
    judge, _ = _judge([RuntimeError("connection refused")])
    assert judge.verdict("s3", ["ctx"]) == UNKNOWN
    assert not judge.supports("s3", ["ctx"])


def test_llm_judge_asks_for_json_schema_and_falls_back_when_refused() -> None:
    judge, chat = _judge(['{"claims": ["a"]}', '{"verdict": "supported"}'])
    sent: list[dict[str, Any]] = []
    create = chat.create

    def recording_create(**kwargs: Any) -> _Reply:
        sent.append(kwargs)
        return create(**kwargs)

    chat.create = recording_create  # type: ignore[method-assign]
    assert judge.verdict("a", ["ctx"]) == SUPPORTED
    assert all(kw["response_format"]["type"] == "json_schema" for kw in sent)
    judge, chat = _judge(['{"claims": ["a"]}', '{"verdict": "unsupported"}'])
    chat.refuse_response_format = True
    assert judge.verdict("a", ["ctx"]) == UNSUPPORTED
    assert judge.structured is False


def test_unknown_counts_as_wrong_in_judge_accuracy() -> None:
    pairs = load_judge_pairs(PAIRS)[:4]
    judge, _ = _judge(["unparseable"] * 4)
    result = judge_accuracy(judge, pairs)
    assert result["accuracy"] == 0.0 and result["unknown"] == 4


def test_llm_judge_unreachable_server_is_unknown() -> None:
    from newsqa.settings import Settings

    port = free_port()  # nothing listens there
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        openai_base_url=f"http://127.0.0.1:{port}/v1",
        openai_timeout_s=2,
        openai_max_retries=0,
    )
    judge = make_judge("llm", settings)
    assert judge.verdict("Kyiv plans to buy 150 jets.", ["Kyiv plans to buy 150 jets."]) == UNKNOWN


def test_make_judge() -> None:
    assert make_judge("lexical").name == "lexical"
    with pytest.raises(ValueError, match="unknown judge"):
        make_judge("oracle")
