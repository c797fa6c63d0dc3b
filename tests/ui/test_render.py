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
    card_claim_md,
    card_label,
    card_labels,
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
        chunks=[
            Chunk(chunk_id=f"d:{i}", index=i, text=TEXT[a:b], start=a, end=b)
            for i, (a, b) in enumerate(chunks)
        ],
    )


def test_markers_become_links_and_text_is_escaped() -> None:
    html = link_markers("Costs $5 <script>x</script> *a* [1] and [7].", 2, known={1})
    assert '<a class="cite" data-n="1" href="#src-2-1"' in html
    assert '<sup class="cite missing">&#91;7&#93;</sup>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "$" not in html and "*" not in html


def test_a_grouped_marker_links_each_source() -> None:
    """``[1, 3]`` (the toolkit's marker form, as a model may write it) links both cards."""
    html = link_markers("Both say so [1, 3].", 0, known={1, 3})
    assert 'href="#src-0-1"' in html and 'href="#src-0-3"' in html
    assert "&#91;1, 3&#93;" not in html and "," not in html.split("so")[1].split("<a")[0]


def test_answer_html_flags_unsupported_sentences() -> None:
    resp = AskResponse(
        answer="A [1]. B.",
        answerable=True,
        citations=[citation()],
        sentences=[
            AnswerSentence(text="A [1].", citations=[1], supported=True),
            AnswerSentence(text="B.", citations=[], supported=False),
        ],
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
    assert card_label(c, markdown=True) == "[1] Jets \\<b\\> — Wire"  # shown as written
    # two passages of one article: the cards would read the same, so they show their quotes
    again = citation(id=2, quote="The *second* passage says far more than eight words in all.")
    other = citation(id=3, title="Other")
    labels = card_labels([c, again, other], markdown=True)
    assert labels[0] == f"[1] Jets \\<b\\> — Wire: “{QUOTE}”"
    assert (
        labels[1] == "[2] Jets \\<b\\> — Wire: “The \\*second\\* passage says far more than eight…”"
    )
    assert labels[2] == "[3] Other — Wire"
    # quotes that open alike are shown further, without a doubled opening quote mark
    first = citation(quote='"The council said on Monday that the bridge would open in May."')
    second = citation(id=2, quote="The council said on Monday that the bridge would cost 42m.")
    shown = card_labels([first, second])
    assert shown[0] != shown[1].replace("[2]", "[1]") and "““" not in shown[0]
    assert shown[0].endswith("would open in May.”")
    assert card_meta_md(c) == "**Wire** · 2025-09-01 · [open article ↗](https://example.org/a)"
    assert "open article" not in card_meta_md(citation(url="file.txt", published=None))
    assert card_meta_md(citation(author="Ana *Ruiz*", url="")) == (
        "**Wire** · by Ana \\*Ruiz\\* · 2025-09-01"
    )
    docs = [
        DocumentSummary(
            doc_id=d, title="t", source=s, url="", published=None, author="", path="", chunks=n
        )
        for d, s, n in (("a", "UNN", 3), ("b", "UNN", 2), ("c", "", 1))
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


def test_list_items_render_as_a_list_with_their_markers() -> None:
    items = ["Train troops.", "Police the skies."]
    resp = AskResponse(
        answer="Four options: [1] Train troops. [2] Police the skies. [3] More follows. [1]",
        answerable=True,
        citations=[citation(id=n) for n in (1, 2, 3)],
        sentences=[
            AnswerSentence(text="Four options:", citations=[1], supported=True),
            *(
                AnswerSentence(text=t, citations=[n], supported=True, kind="item")
                for n, t in zip((2, 3), items, strict=True)
            ),
            AnswerSentence(text="More follows.", citations=[1], supported=True),
        ],
        engine="x",
    )
    html = answer_html(resp, 4)
    assert html.count('<ul class="answer-list">') == 1 and html.count("<li>") == 2
    assert '<li>Train troops.<a class="cite" data-n="2" href="#src-4-2"' in html
    assert html.index("Four options:") < html.index("<ul") < html.index("More follows.")
    # an answer given only as text: "- " lines are a list too
    text_only = resp.model_copy(update={"sentences": [], "answer": "Two:\n- A [1]\n- B [2]"})
    html = answer_html(text_only, 0)
    assert html.count("<li>") == 2 and 'data-n="2"' in html and "- " not in html


def test_card_shows_who_says_it() -> None:
    assert (
        card_claim_md(citation())
        == "Who says it: not stated in the passage · published by **Wire**"
    )
    assert card_claim_md(citation(source="unknown")) == "Who says it: not stated in the passage"
    own = citation(speaker="Wire")
    assert card_claim_md(own) == "Who says it: **Wire** (the outlet's own reporting)"
    assert card_label(own) == "[1] Jets <b> — Wire"
    quoted = citation(speaker="Ann Lee (Daily Star)", reported_by="Wire")
    assert card_claim_md(quoted) == (
        "Who says it: **Ann Lee \\(Daily Star\\)** · reported by **Wire**"
    )
    assert card_label(quoted) == "[1] Jets <b> — Wire, quoting Ann Lee (Daily Star)"
    person = citation(speaker="Mark Rutte")  # a speaker named in the outlet's own text
    assert card_claim_md(person) == "Who says it: **Mark Rutte** · published by **Wire**"
    assert card_label(person) == "[1] Jets <b> — Wire, quoting Mark Rutte"
