"""Who wrote an article: a question about a byline is answered from the document's author.

Ingest reads each article's author (``ingest.metadata``: an HTML byline, "By X", "About the
Author: X"). Such a question ("Who wrote the article saying ...?") names the article by its
words, not by what it reports, so the evidence gate, which scores what passages report, refuses
it. ``Bylines.draft`` answers it instead, before the gate: the article is the retrieved one
whose title shares most of its words with the question (else such an article anywhere in the
index; no article named, no byline answer; an article with no known author, a refusal).

The answer is the line of that article that names its author, cited where it stands. When
cleaning left the byline out of the text (a footer "About the Author: X", a post's header), it
says who wrote the article from the document's metadata (which every citation carries as
``author`` and ``title``) and cites the article's title line, or its first sentence when the
title is not in the text either: that quote then locates the article, the metadata names the
author. The cited chunk is added to the passages when it was not retrieved.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsqa.claims import WORK
from newsqa.components.store import ChunkFilter
from newsqa.text import content_stems, split_sentences
from newsqa.types import DocumentMeta
from newsqa.wording import attribute_sentence
from service.answering import Draft, DraftSentence, Passage, Support
from service.answering.extractive import REFUSAL
from service.retrieval import embed_query

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore

TITLE_SHARE = 0.5  # share of a title's content words the question must hold to name that article
BYLINE_WORDS = 12  # a line at most this long that holds the author's name is a byline
NOTICE = "answered from the article's byline"
NO_AUTHOR = "the article the question names does not say who wrote it"

# what a question may call the article: the works ``newsqa.claims`` reads, and "story" / "post"
# (which claims does not strip from a name: "Washington Post")
_WORK = rf"(?:{WORK}|story|post)"
_ASKS_AUTHOR = re.compile(
    rf"\bwho (?:wrote|authored|penned|(?:is|was) the (?:author|writer) of) (?:the|this|that|an?)"
    rf" (?:[\w'-]+ ){{0,2}}?{_WORK}\b"
    rf"|\b(?:author|writer|byline) of (?:the|this|that|an?) (?:[\w'-]+ ){{0,2}}?{_WORK}\b"
    rf"|\bwho (?:is|was) (?:the )?{_WORK}(?:'s)? (?:by|author)\b",
    re.IGNORECASE,
)


_WORK_NOUN = re.compile(rf"\b{_WORK}\b", re.IGNORECASE)


def asks_author(question: str) -> bool:
    """Whether the question asks who wrote an article ("Who wrote the piece ...?")."""
    return bool(_ASKS_AUTHOR.search(question))


def _byline(text: str, author: str) -> tuple[int, int] | None:
    """The span of the line naming ``author`` (a short line first: "About the Author: X")."""
    found: list[tuple[int, int]] = []
    for m in re.finditer(re.escape(author), text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        line = text[start:end]
        lead = len(line) - len(line.lstrip())
        found.append((start + lead, start + len(line.rstrip())))
    short = [s for s in found if len(text[s[0] : s[1]].split()) <= BYLINE_WORDS]
    return (short or found)[0] if found else None


def _title_span(text: str, title: str) -> tuple[int, int] | None:
    """Where the article's title stands in its text (curly and straight quotes alike)."""
    plain = title.strip().replace("\u2019", "'").replace("\u2018", "'")
    if not plain:
        return None
    at = text.replace("\u2019", "'").replace("\u2018", "'").find(plain)
    return (at, at + len(plain)) if at >= 0 else None


def _opening(text: str) -> tuple[int, int] | None:
    """The document's first sentence: what the citation quotes when neither the byline nor
    the title stands in the text (the author and title are then the citation's metadata)."""
    spans = split_sentences(text)
    return spans[0] if spans else None


class Bylines:
    """Answers "who wrote the article" questions from the document's author."""

    def __init__(self, store: VectorStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def _article(
        self, question: str, passages: list[Passage], whole_index: bool
    ) -> tuple[str, DocumentMeta] | None:
        """The article the question names by its title's words: a retrieved one first (the
        better retrieved of equals), else (``whole_index``) any in the index; None when no
        title is named."""
        asked = set(content_stems(question))

        def share(meta: DocumentMeta) -> float:
            title = set(content_stems(meta.title))
            return len(title & asked) / len(title) if title else 0.0

        def named(articles: list[tuple[str, DocumentMeta]]) -> tuple[str, DocumentMeta] | None:
            best = max(articles, key=lambda d: share(d[1]), default=None)  # first of equals
            return best if best is not None and share(best[1]) >= TITLE_SHARE else None

        found = named([(p.hit.chunk.doc_id, p.hit.meta) for p in passages])
        if found is not None or not whole_index:
            return found
        return named([(r.doc_id, r.meta) for r in self.store.documents()])

    def _passage(self, doc_id: str, start: int, end: int, question: str,
                 passages: list[Passage]) -> Passage | None:  # fmt: skip
        """The passage whose chunk holds ``[start, end)``, added when not retrieved."""
        for p in passages:
            chunk = p.hit.chunk
            if chunk.doc_id == doc_id and chunk.start <= start and end <= chunk.end:
                return p
        ids = self.store.chunk_ids(ChunkFilter(doc_ids=(doc_id,)))
        for hit in self.store.get_chunks(ids, embed_query(self.embedder, question)):
            if hit.chunk.start <= start and end <= hit.chunk.end:
                passage = Passage(max((p.n for p in passages), default=0) + 1, hit)
                passages.append(passage)
                return passage
        return None

    def draft(
        self, question: str, passages: list[Passage], engine: str, filtered: bool = False
    ) -> Draft | None:
        """The byline answer, a refusal (the article named has no known author), or None (not
        such a question, or no article named). ``passages`` may grow by the chunk that holds
        the byline; with ``filtered`` (the request restricts sources, documents or dates) only
        the retrieved articles, which respect the filters, are considered."""
        if not passages or not asks_author(question):
            return None
        article = self._article(question, passages, whole_index=not filtered)
        if article is None:
            return None
        doc_id, meta = article
        author = meta.author.strip()
        if not author:  # the article named does not say who wrote it
            return Draft([], answerable=False, engine=engine, notice=NO_AUTHOR, refusal=REFUSAL)
        text = self.store.document_texts([doc_id]).get(doc_id, "")
        named = _byline(text, author)
        span = named or _title_span(text, meta.title) or _opening(text)
        if span is None:
            return None
        cited = self._passage(doc_id, span[0], span[1], question, passages)
        if cited is None:
            return None
        if named is not None:
            line = re.sub(r"\s+", " ", text[span[0] : span[1]])
            worded = attribute_sentence(line, meta.source, text, span)
        else:
            noun = _WORK_NOUN.search(question)
            what = noun.group(0).lower() if noun else "article"
            worded = f'The {what} "{meta.title.strip()}" was written by {author}.'
        sentence = DraftSentence(worded, [Support(cited.n, span[0], span[1])])
        return Draft([sentence], answerable=True, engine=engine, notice=NOTICE,
                     documents={doc_id: text})  # fmt: skip
