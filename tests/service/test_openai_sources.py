"""The "Sources:" list of ``/v1/chat/completions`` content (``openai_compat.sources_text``)."""

from __future__ import annotations

from service.api.openai_compat import SOURCES_HEADER, sources_text, url_citations
from service.schemas import Citation


def cite(n: int, doc: str, title: str, source: str = "Censor.NET") -> Citation:
    return Citation(
        id=n,
        doc_id=doc,
        chunk_id=f"{doc}:{n}",
        title=title,
        source=source,
        url="",
        published="2025-09-01",
        quote="q",
        start=0,
        end=1,
        score=0.5,
    )


def test_one_line_per_article_with_every_number_cited_from_it() -> None:
    """A list answer cites several passages of one article: one line, not five equal ones."""
    citations = [cite(2, "d1", "Four options"), cite(3, "d2", "Other", "UNN")]
    citations += [cite(n, "d1", "Four options") for n in (6, 7, 8)]
    text = sources_text(citations)
    assert text == (
        SOURCES_HEADER
        + "[2][6][7][8] Four options (Censor.NET, 2025-09-01)\n[3] Other (UNN, 2025-09-01)"
    )


def test_no_citations_no_list() -> None:
    assert sources_text([]) == ""


def test_annotations_point_at_each_marker_of_the_answer() -> None:
    """OpenAI's ``url_citation`` annotations: the offsets of each ``[n]`` in ``content``; the
    "Sources:" list's markers are not annotated again."""
    citations = [cite(2, "d1", "Four options"), cite(3, "d2", "Other", "UNN")]
    answer = "Ships wait [2]. The port is full [2][3]."
    content = answer + sources_text(citations)
    found = url_citations(content, citations)
    assert [a["type"] for a in found] == ["url_citation"] * 3
    spans = [(a["url_citation"]["start_index"], a["url_citation"]["end_index"]) for a in found]
    assert [content[s:e] for s, e in spans] == ["[2]", "[2]", "[3]"]
    assert found[2]["url_citation"]["title"] == "Other"
    assert found[2]["url_citation"]["url"] == "/documents/d2"  # no URL: the article's route
    assert found[0]["url_citation"]["quote"] == "q"
    assert url_citations("No markers here.", citations) == []
