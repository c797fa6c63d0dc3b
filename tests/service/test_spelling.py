"""``service.answering.spelling``: misspelt question words read as the articles' words."""

from __future__ import annotations

from typing import Any

from newsqa.text import stem
from service.answering.service import answer_question
from service.answering.spelling import Speller
from service.schemas import AskRequest

TERMS = [
    stem(w)
    for w in ["fighters", "secretary", "guarantees", "plan", "buy", "gripen", "kyiv", "porcupine"]
]


def test_only_unknown_lower_case_non_words_with_an_indexed_correction_are_read_otherwise() -> None:
    speller = Speller(lambda: TERMS)
    fixed, changes = speller.correct("how many fihgters does kyiv plann to buy?")
    assert fixed == "how many fighters does kyiv plan to buy?"
    assert changes == [("fihgters", "fighters"), ("plann", "plan")]
    kept = [
        "Who is Mark Rutterr?",  # capitalised: a name the articles may lack (a reason to refuse)
        "who is mark rute",  # short: too often a name one edit from a word
        "Does it protect the dikes?",  # an English word, though in no article
        "How big is it in square kilometres?",  # British spelling
        "what did the zzxqv say",  # nothing indexed near it
    ]
    for question in kept:
        assert speller.correct(question) == (question, [])
    assert speller.correct("the secretery said")[1] == [("secretery", "secretary")]
    assert Speller(lambda: None).correct("fihgters") == ("fihgters", [])  # no vocabulary known


def test_a_misspelt_question_is_answered_and_says_how_it_was_read(seed_settings: Any) -> None:
    """The first question of a fresh service too (``newsqa ask``): the keyword vocabulary
    was loaded only by the first search, after the spelling was read."""
    from service.state import ServiceState

    question = "how many gripen fihgters does kyiv plan to buy?"
    response = answer_question(AskRequest(question=question), ServiceState(seed_settings))
    assert response.answerable and "150" in response.answer
    assert response.notice and "\u201cfihgters\u201d as \u201cfighters\u201d" in response.notice
