"""Questions about who wrote an article: answered from its byline, cited in the article."""

from __future__ import annotations

from typing import Any

import pytest

from service.answering.bylines import NO_AUTHOR, NOTICE, _byline, _title_span, asks_author
from service.answering.service import answer_question, stream_answer
from service.schemas import AskRequest

HANGS = "Who wrote the article saying Ukraine's future hangs on the guarantees Russia fears most?"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        (HANGS, True),
        ("Who is the author of the piece on Finland's neutrality?", True),
        ("Which reporter wrote this story?", False),  # a role question: the usual path
        ("Who wrote the Washington Post op-ed against a security guarantee?", True),
        ("Which former minister wrote an op-ed?", False),
        ("Who said the US could provide Article 5-like protection?", False),
        ("Who wrote the novel Moby-Dick?", False),  # a work the article is about, not its byline
        ("Who wrote it?", False),
    ],
)
def test_asks_author(question: str, asks: bool) -> None:
    assert asks_author(question) is asks


def test_the_byline_line_is_found_and_the_title_with_curly_quotes() -> None:
    text = "Jets for Kyiv\nBy Jane Doe\nKyiv will buy jets, Jane Doe reported from the capital."
    start, end = _byline(text, "Jane Doe") or (0, 0)
    assert text[start:end] == "By Jane Doe"  # the short line, not the sentence naming her
    assert _byline(text, "John Roe") is None
    curly = "Ukraine\u2019s Future Hangs on It\nBody."
    assert _title_span(curly, "Ukraine's Future Hangs on It") == (0, 28)


def test_who_wrote_an_article_is_answered_from_its_author(seed_state: Any) -> None:
    r = answer_question(AskRequest(question=HANGS), seed_state)
    assert r.answerable and "Stavros Atlamazoglou" in r.answer and r.notice == NOTICE
    [c] = r.citations
    text = seed_state.store.get_document(c.doc_id).text
    assert c.author == "Stavros Atlamazoglou" and text[c.start : c.end] == c.quote
    assert c.quote.startswith("Ukraine") and "Future Hangs" in c.quote  # the title line
    events = list(stream_answer(AskRequest(question=HANGS), seed_state))
    assert [e for e, _ in events] == ["citations", "delta", "final"]
    assert "Atlamazoglou" in events[1][1]["text"]


def test_an_article_without_a_known_author_takes_the_usual_path(seed_state: Any) -> None:
    r = answer_question(
        AskRequest(question="Who wrote the Politico report on Ukraine's plan B?"), seed_state
    )
    assert r.notice != NOTICE and all(not c.author for c in r.citations)


def test_a_named_article_without_a_known_author_is_a_refusal(seed_state: Any) -> None:
    question = "Who wrote the article on the four security guarantee options Europe is weighing?"
    r = answer_question(AskRequest(question=question), seed_state)
    assert not r.answerable and r.notice == NO_AUTHOR and r.citations  # candidates shown


def test_filters_keep_the_byline_answer_inside_them(seed_state: Any) -> None:
    """With the request's filters on another article, the named one is not looked up in the
    whole index (its author is not given)."""
    other = next(d for d in seed_state.store.documents() if not d.meta.author)
    req = AskRequest(question=HANGS, filters={"doc_ids": [other.doc_id]})
    r = answer_question(req, seed_state)
    assert "Atlamazoglou" not in r.answer
    assert all(c.doc_id == other.doc_id for c in r.citations)
