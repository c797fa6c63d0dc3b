"""Pure rendering helpers: escaping, ``[n]`` links, highlighting, corpus rows, history."""

from __future__ import annotations

from ui.client import (
    AnswerSentence,
    AskResponse,
    Chunk,
    Citation,
    DocumentDetail,
    DocumentSummary,
)
from ui.render import (
    answer_html,
    card_label,
    card_meta_md,
    corpus_rows,
    highlighted_passage,
    history_turns,
    link_markers,
)

TEXT = (
    "Intro words here. The army will buy 150 jets. More text follows after the quote. "
    "And a closing line."
)
QUOTE = "The army will buy 150 jets."


def citation(**kw: object) -> Citation:
    start = TEXT.index(QUOTE)
    base = dict(
        id=1,
        doc_id="d",
        chunk_id="d:1",
        title="Jets <b>",
        source="Wire",
        url="https://example.org/a",
        published="2025-09-01",
        quote=QUOTE,
        start=start,
        end=start + len(QUOTE),
        score=0.5,
    )
    return Citation(**(base | kw))  # type: ignore[arg-type]


def detail(chunks: list[tuple[int, int]]) -> DocumentDetail:
    return DocumentDetail(
        doc_id="d",
        title="t",
        source="Wire",
        url="",
        published=None,
        author="",
        path="",
        text=TEXT,
        chunks=[Chunk(f"d:{i}", i, TEXT[a:b], a, b) for i, (a, b) in enumerate(chunks)],
    )


def test_markers_become_links_and_text_is_escaped() -> None:
    html = link_markers("Costs $5 <script>x</script> *a* [1] and [7].", 2, known={1})
    assert '<a class="cite" href="#src-2-1"' in html
    assert '<sup class="cite missing">&#91;7&#93;</sup>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "$" not in html and "*" not in html


def test_answer_html_flags_unsupported_sentences() -> None:
    resp = AskResponse(
        answer="A [1]. B.",
        answerable=True,
        citations=[citation()],
        sentences=[AnswerSentence("A [1].", [1], True), AnswerSentence("B.", [], False)],
        engine="x",
    )
    html = answer_html(resp, 0)
    assert html.count('class="unsupported"') == 1 and "(not supported)" in html
    assert html.count('href="#src-0-1"') == 1  # the marker in the text is not duplicated


def test_quote_is_marked_inside_its_chunk_with_muted_context() -> None:
    cut = TEXT.index("More")
    html = highlighted_passage(citation(chunk_id="d:1"), detail([(0, 18), (18, cut)]))
    assert f'<mark style="background:#ffe58f;padding:0 1px">{QUOTE}</mark>' in html
    assert "color:#8a8f98" in html and "Intro words here." in html and "closing line" in html
    # no document: the quote alone, still marked
    alone = highlighted_passage(citation(), None)
    assert alone.count("<mark") == 1 and "Intro" not in alone
    # offsets that do not match the text: fall back to finding the quote in the chunk
    shifted = highlighted_passage(citation(start=0, end=5), detail([(0, len(TEXT))]))
    assert f">{QUOTE}</mark>" in shifted


def test_cards_corpus_and_history() -> None:
    c = citation()
    assert card_label(c) == "[1] Jets <b> — Wire"
    assert card_meta_md(c) == "**Wire** · 2025-09-01 · [open article ↗](https://example.org/a)"
    assert "open article" not in card_meta_md(citation(url="file.txt", published=None))
    docs = [
        DocumentSummary("a", "t", "UNN", "", None, chunks=3),
        DocumentSummary("b", "t", "UNN", "", None, chunks=2),
        DocumentSummary("c", "t", "", "", None, chunks=1),
    ]
    assert corpus_rows(docs) == [
        {"source": "UNN", "documents": 2, "chunks": 5},
        {"source": "unknown", "documents": 1, "chunks": 1},
    ]
    messages: list[dict] = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "response": {"answer": "a1 [1]"}},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "response": None, "error": "down"},
    ]
    assert history_turns(messages) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1 [1]"},
        {"role": "user", "content": "q2"},
    ]
