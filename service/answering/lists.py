"""The items of a list an article gives, found around the answer's best sentence.

``ListBuilder.items`` looks in the document of the best sentence for the list that follows the
sentence announcing it (bulleted or numbered lines, or section headings: ``compose.list_items``)
and cites each item from the chunk holding it, adding that chunk to the passages when it was
not retrieved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsqa.components.store import ChunkFilter
from newsqa.text import NUMBER_WORDS, words
from newsqa.types import ScoredChunk
from service.answering import Passage
from service.answering.compose import list_items, paragraphs
from service.answering.evidence import Assessment, Candidate
from service.retrieval import embed_query

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore

LIST_MAX_CHUNKS = 200  # longest document (in chunks) searched for a list's items

Span = tuple[Passage, int, int, str]  # passage, document start, end, text


def _says_count(text: str, count: int) -> bool:
    return any(
        (w.isdigit() and int(w) == count) or NUMBER_WORDS.get(w) == count
        for w in words(text.lower())
    )


class ListBuilder:
    """Finds list items in a document and the passages that cite them."""

    def __init__(self, store: VectorStore, embedder: Embedder, passages: list[Passage]) -> None:
        self.store = store
        self.embedder = embedder
        self.passages = passages  # grows when an item's chunk was not retrieved

    def _chunks(self, doc_id: str, question: str) -> list[ScoredChunk]:
        ids = self.store.chunk_ids(ChunkFilter(doc_ids=(doc_id,)))[:LIST_MAX_CHUNKS]
        hits = self.store.get_chunks(ids, embed_query(self.embedder, question))
        return sorted(hits, key=lambda h: h.chunk.index)

    def _passage(self, hit: ScoredChunk) -> Passage:
        for p in self.passages:
            if p.hit.chunk.chunk_id == hit.chunk.chunk_id:
                return p
        passage = Passage(max((p.n for p in self.passages), default=0) + 1, hit)
        self.passages.append(passage)
        return passage

    def _intro(self, assessment: Assessment, count: int) -> Candidate:
        """The best sentence that states the count (it announces the list), else the best."""
        best = assessment.candidates[0]
        same_doc = [
            c
            for c in assessment.candidates
            if c.passage.hit.chunk.doc_id == best.passage.hit.chunk.doc_id
        ]
        stating = [c for c in same_doc if _says_count(c.text, count)]
        prose = [c for c in stating if c.text.rstrip("\"') ").endswith((".", ":", "!"))]
        return (prose or stating or [best])[0]

    def items(self, assessment: Assessment, count: int) -> tuple[Span, list[Span]] | None:
        """(the announcing sentence, the ``count`` items) or None when no such list is found."""
        if not assessment.candidates:
            return None
        intro = self._intro(assessment, count)
        chunks = self._chunks(intro.passage.hit.chunk.doc_id, assessment.question)
        if not chunks:
            return None
        paras = []
        seen_end = -1
        for hit in chunks:  # overlapping chunks: keep each paragraph once
            for p in paragraphs(hit.chunk.text, hit.chunk.start):
                if p.start >= seen_end:
                    paras.append((p, hit))
                    seen_end = p.end
        found = list_items([p for p, _h in paras], intro.end, count)
        if not found:
            return None
        holder = {p.start: h for p, h in paras}
        items = [(p.without_marker(), holder[p.start]) for p in found]
        spans = [(self._passage(h), p.start, p.end, p.text) for p, h in items]
        return (intro.passage, intro.start, intro.end, intro.text), spans
