"""The "Sources:" list of ``/v1/chat/completions`` content (``openai_compat.sources_text``)."""

from __future__ import annotations

from service.api.openai_compat import SOURCES_HEADER, sources_text
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
