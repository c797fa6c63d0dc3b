"""Answer shapes: counts asked for, per-outlet questions, parts, and list items in a layout."""

from __future__ import annotations

from typing import Any

import pytest

from service.answering.compose import (
    announced_count,
    asks_per_source,
    list_items,
    paragraphs,
    question_parts,
    wanted_count,
)
from service.answering.service import answer_question
from service.schemas import AskRequest, Turn


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("What are the four security guarantee options Europe is weighing?", 4),
        ("Which seven countries face starvation?", 7),
        ("What are the 3 budget options?", 3),
        ("When did the four-day week start?", None),
        ("How many of the 3 is it?", None),
        ("What did the two leaders agree?", 2),
        ("Who won?", None),
    ],
)
def test_wanted_count(question: str, count: int | None) -> None:
    assert wanted_count(question) == count


@pytest.mark.parametrize(
    ("question", "sentence", "count"),
    [
        ("Which options is the council weighing?", "The council weighs five options.", 5),
        ("What bridges did the city close?", "The city closed 3 old bridges.", 3),
        ("Which options is the council weighing?", "The council met five times.", None),
        ("How many options is the council weighing?", "It weighs five options.", None),
        ("Who chairs the council?", "The council has nine members.", None),
    ],
)
def test_announced_count(question: str, sentence: str, count: int | None) -> None:
    """A "which <things>" question without a number asks for the things its answer counts."""
    assert announced_count(question, [sentence]) == count


def test_per_source_and_parts() -> None:
    assert asks_per_source("How do different outlets describe the plan?")
    assert asks_per_source("According to the various articles, who pays?")
    assert not asks_per_source("What did the report say about the plan?")
    assert question_parts("How big was X, and how much is Y?") == [
        "How big was X?",
        "how much is Y?",
    ]
    assert question_parts("Who met Smith and Jones?") == ["Who met Smith and Jones?"]


LAYOUT = """Title of the piece

A standfirst without a stop

The body starts here. There are three ways to go:

First way

The first way is long and careful.

Second way

The second way is quick.

Third way

The third way is the last one.
"""


def test_headings_between_prose_are_items() -> None:
    paras = paragraphs(LAYOUT)
    after = LAYOUT.index("three ways")
    items = list_items(paras, after, 3)
    assert [p.text for p in items] == ["First way", "Second way", "Third way"]
    assert all(LAYOUT[p.start : p.end] == p.text for p in items)
    assert list_items(paras, after, 4) == []  # never padded


def test_bullets_are_items() -> None:
    text = "Options:\n- keep it\n- sell it\n- lend it\nThe end."
    items = list_items(paragraphs(text), 0, None)
    assert [p.text for p in items] == ["- keep it", "- sell it", "- lend it"]
    # an answer lists them with its own bullets: without theirs ("- - keep it" before)
    bare = [p.without_marker() for p in items]
    assert [p.text for p in bare] == ["keep it", "sell it", "lend it"]
    assert all(text[p.start : p.end] == p.text for p in bare)  # still the exact quote
    numbered = paragraphs("1. keep it")[0]
    assert numbered.without_marker() == numbered  # a number is part of the item


def test_list_question_lists_the_sections(seed_state: Any) -> None:
    r = answer_question(
        AskRequest(question="What are the four security guarantee options Europe is weighing?"),
        seed_state,
    )
    items = [s for s in r.sentences if s.kind == "item"]
    assert len(items) == 4 and r.notice == "4 of the 4 items asked for"
    assert all(s.citations for s in items)
    for s in items:  # each item is quoted verbatim by the citation it carries
        quote = next(c.quote for c in r.citations if c.id == s.citations[0])
        assert s.text in quote
    assert r.answer.count("\n- ") == 4


def test_quoted_op_ed_is_attributed(seed_state: Any) -> None:
    r = answer_question(
        AskRequest(question="What did the Washington Post report about security guarantees?"),
        seed_state,
    )
    quoted = [c for c in r.citations if c.reported_by and "Washington Post" in (c.speaker or "")]
    assert quoted, r.citations
    assert "quoting" in r.answer


def test_follow_up_keeps_the_topic(seed_state: Any) -> None:
    first = "What are the four security guarantee options Europe is weighing?"
    r1 = answer_question(AskRequest(question=first), seed_state)
    history = [Turn(role="user", content=first), Turn(role="assistant", content=r1.answer)]
    r2 = answer_question(
        AskRequest(question="And which of them does Russia oppose?", history=history), seed_state
    )
    assert not r2.answerable or "Russia" in r2.answer
