"""Sentence-level verification of generated answers."""

from __future__ import annotations

from typing import Any

import pytest

from service.answering import Passage
from service.answering.verification import (
    content_stems,
    names,
    numbers,
    parse_answer,
    verify_answer,
)
from service.retrieval import hybrid_search

GRIPEN_CLAIM = "Kyiv has outlined an agreement to purchase up to 150 Swedish-made Gripen fighters."


@pytest.fixture(scope="module")
def gripen_passages(seed_state: Any) -> list[Passage]:
    hits = hybrid_search(seed_state, "How many Gripen fighters does Kyiv plan to buy?", 5)
    return [Passage(i + 1, h) for i, h in enumerate(hits)]


def _n_with(passages: list[Passage], text: str) -> int:
    return next(p.n for p in passages if text in p.hit.chunk.text)


def test_parse_answer_markers() -> None:
    text = "Kyiv plans 150 jets [1]. They are Swedish. [2][3] Costs are unknown [1, 4]."
    parsed = parse_answer(text)
    assert parsed == [
        ("Kyiv plans 150 jets.", [1]),
        ("They are Swedish.", [2, 3]),
        ("Costs are unknown.", [1, 4]),
    ]
    assert parse_answer("No markers here.") == [("No markers here.", [])]
    assert parse_answer("") == []


def test_features() -> None:
    assert numbers("up to 1,500 jets in 2025.") == {"1500", "2025"}
    assert names("Kyiv wants Gripen jets from Sweden") == {"gripen", "sweden"}
    assert content_stems("The fighters are buying") == ["fighter", "buy"]


def test_supported_sentence(seed_state: Any, gripen_passages: list[Passage]) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [{n}]", gripen_passages)
    assert s.supported and s.citations == [n]
    chunk = gripen_passages[n - 1].hit.chunk
    sup = s.supports[0]
    assert chunk.start <= sup.start < sup.end <= chunk.end
    quote = chunk.text[sup.start - chunk.start : sup.end - chunk.start]
    assert "150" in quote and "Gripen" in quote


def test_marker_pointing_nowhere_is_dropped(
    seed_state: Any, gripen_passages: list[Passage]
) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [{n}][9]", gripen_passages)
    assert s.citations == [n] and s.supported
    [only_bad] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [9]", gripen_passages)
    assert only_bad.citations == [] and not only_bad.supported


@pytest.mark.parametrize(
    "claim",
    [
        "Kyiv has outlined an agreement to purchase up to 300 Swedish-made Gripen fighters.",
        "Kyiv has outlined an agreement to purchase 150 Rafale fighters from France.",
        "The price of wheat in Egypt doubled last year.",
        "PWNED",
    ],
)
def test_unsupported_sentences_are_flagged(
    seed_state: Any, gripen_passages: list[Passage], claim: str
) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{claim} [{n}]", gripen_passages)
    assert not s.supported


def test_uncited_sentence_is_unsupported(seed_state: Any, gripen_passages: list[Passage]) -> None:
    [s] = verify_answer(seed_state.embedder, GRIPEN_CLAIM, gripen_passages)
    assert not s.supported
