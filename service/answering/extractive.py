"""Extractive engine: answers with verbatim sentences of the retrieved passages. Deterministic.

The evidence scorer (``service.answering.evidence``) gives every candidate sentence a fitted
probability of holding the answer and the question a probability of being answerable; this
engine refuses below the fitted threshold and otherwise answers with the best sentence plus
those scoring close to it (thresholds fitted on the dev set, see docs/calibration.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from newsqa.text import (
    content_stems,
    numbers,
    refers_back,
    unpunctuated,
)
from newsqa.wording import (
    attribute_sentence,
    attributed_once,
)
from service.answering import REFUSAL, Draft, DraftSentence, EngineParts, Passage, Support
from service.answering.compose import (
    announced_count,
    asks_per_source,
    question_parts,
    wanted_count,
)
from service.answering.evidence import Assessment, Candidate, EvidenceScorer
from service.answering.follow_up import standalone
from service.answering.lists import ListBuilder
from service.schemas import Turn

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore
    from newsqa.settings import Settings

__all__ = ["REFUSAL", "Assessment", "ExtractiveEngine", "select"]

ANNOUNCED_SENTENCES = 2  # sentences kept after one ending with a colon (what it announces)
DUPLICATE_OVERLAP = 0.8  # a sentence sharing this share of its content words with a chosen one
HEADLINE_OVERLAP = 0.5  # ... and a headline (no full stop) restating half of one: docs/calibration
FOLLOW_GAP = 3  # characters (spaces, a line break) between a sentence and the next one


def _redundant(c: Candidate, chosen: list[Candidate], overlap: float = DUPLICATE_OVERLAP) -> bool:
    stems = set(content_stems(c.text))
    for o in chosen:
        other = set(content_stems(o.text))
        if c.text == o.text or (stems and len(stems & other) / len(stems) >= overlap):
            return True
    return False


def select(
    assessment: Assessment, limit: int, keep_ratio: float, keep_min: float
) -> list[Candidate]:
    """The best sentence, then others whose probability is close to it; no near-duplicates."""
    chosen: list[Candidate] = []
    for c in assessment.candidates:
        if len(chosen) >= limit:
            break
        if chosen and (c.p < keep_ratio * chosen[0].p or c.p < keep_min):
            break
        if _redundant(c, chosen) or (
            unpunctuated(c.text) and _redundant(c, chosen, HEADLINE_OVERLAP)
        ):
            continue
        chosen.append(c)
    return chosen


def per_source(assessment: Assessment, limit: int, keep_min: float) -> list[Candidate]:
    """The best sentence of each outlet (best first), when at least two outlets have one."""
    chosen: list[Candidate] = []
    outlets: set[str] = set()
    for c in assessment.candidates:
        if len(chosen) >= limit or c.p < keep_min:
            break
        outlet = _outlet(c)
        if outlet in outlets or _redundant(c, chosen):
            continue
        outlets.add(outlet)
        chosen.append(c)
    return chosen if len(chosen) >= 2 else []


def announced(assessment: Assessment, chosen: list[Candidate], limit: int) -> list[Candidate]:
    """After a sentence that ends with a colon, the sentences it announces (a quote, a list).

    Up to ``ANNOUNCED_SENTENCES`` prose sentences that follow it in its document, skipping
    short unpunctuated lines (a quoted piece's title and credit line).
    """
    out: list[Candidate] = []
    for c in chosen:
        if c in out:
            continue
        out.append(c)
        if not c.text.rstrip().endswith(":"):
            continue
        doc = c.passage.hit.chunk.doc_id
        after = sorted(
            (
                o
                for o in assessment.candidates
                if o.passage.hit.chunk.doc_id == doc and o.start >= c.end
            ),
            key=lambda o: o.start,
        )
        prose = [o for o in after if o.text.rstrip("\"') ").endswith((".", "!", "?"))]
        for o in prose[:ANNOUNCED_SENTENCES]:
            if o not in out and o not in chosen:
                out.append(o)
    return out[: max(limit, len(chosen))]


def with_antecedents(assessment: Assessment, chosen: list[Candidate]) -> list[Candidate]:
    """A chosen sentence that refers back ("This means ...", "And he said ...") comes after the
    sentence before it in its passage, which says what it refers to."""
    by_place = {(c.passage.n, c.index): c for c in assessment.candidates}
    out: list[Candidate] = []
    for c in chosen:
        before = by_place.get((c.passage.n, c.index - 1)) if refers_back(c.text) else None
        if before is not None and before not in out:
            out.append(before)
        if c not in out:
            out.append(c)
    return out


def _follows(after: Candidate, before: Candidate) -> bool:
    """Whether ``after`` is the very next sentence after ``before`` in their document."""
    if after.passage.hit.chunk.doc_id != before.passage.hit.chunk.doc_id:
        return False
    if after.passage.n == before.passage.n:
        return after.index == before.index + 1
    return 0 <= after.start - before.end <= FOLLOW_GAP


def with_continuations(chosen: list[Candidate]) -> list[Candidate]:
    """A chosen sentence that continues another chosen one in its document comes right after
    it ("... said the ambassador. Moscow rejects that statement."), not after sentences of other
    articles; the order is otherwise kept (the best sentence first)."""
    out: list[Candidate] = []
    rest = list(chosen)
    while rest:
        run = [rest.pop(0)]
        while True:
            nxt = next((c for c in rest if _follows(c, run[-1])), None)
            if nxt is None:
                break
            rest.remove(nxt)
            run.append(nxt)
        out += run
    return out


def _outlet(c: Candidate) -> str:
    source = c.passage.hit.meta.source
    return source if source.lower() not in ("", "unknown") else c.passage.hit.chunk.doc_id


def with_disagreement(
    assessment: Assessment, chosen: list[Candidate], limit: int, keep_min: float
) -> list[Candidate]:
    """When the question asks for a number (or date) and another outlet gives a different one,
    show that outlet's sentence too (each is attributed), instead of picking one."""
    if not chosen or assessment.kind not in ("number", "money", "date") or not chosen[0].typed:
        return chosen
    given = numbers(chosen[0].text)
    outlets = {_outlet(c) for c in chosen}
    for c in assessment.candidates:
        if c.p < keep_min or len(chosen) >= limit + 1:
            break
        found = numbers(c.text)
        if c.typed and _outlet(c) not in outlets and found and not found & given:
            return [*chosen, c]
    return chosen


def clean_sentence(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class ExtractiveEngine:
    """Verbatim sentences with citations; no model beyond the embedder."""

    name = "extractive"

    def __init__(
        self, scorer: EvidenceScorer, store: VectorStore, embedder: Embedder, settings: Settings
    ) -> None:
        self.scorer = scorer
        self.store = store
        self.embedder = embedder
        self.settings = settings

    @classmethod
    def from_parts(cls, parts: EngineParts) -> ExtractiveEngine:
        """The engine over the service's shared parts (the engine registry's factory)."""
        return cls(parts.scorer, parts.store, parts.embedder, parts.settings)

    def standalone(self, question: str, history: list[Turn]) -> str:
        """The question with what it refers back to (``follow_up.standalone``)."""
        return standalone(question, history, self.settings.follow_up_test)

    def draft(self, assessment: Assessment, passages: list[Passage] | None = None) -> Draft:
        """The answer: the best sentences, one per outlet, one per part, or a list's items.

        ``passages`` (the retrieved ones) may grow: list items elsewhere in an answer's
        document are cited from the chunks that hold them.
        """
        if not assessment.answerable:
            return Draft([], answerable=False, engine=self.name, refusal=REFUSAL)
        model = self.scorer.model
        limit = self.settings.max_answer_sentences
        chosen = select(assessment, limit, model.keep_ratio, model.keep_min)
        question = assessment.question
        if asks_per_source(question):
            chosen = per_source(assessment, limit, model.keep_min) or chosen
        else:
            chosen = self._with_parts(assessment, chosen, limit)
        chosen = announced(assessment, chosen, limit)
        chosen = with_antecedents(assessment, chosen)
        chosen = with_disagreement(assessment, chosen, limit, model.keep_min)
        chosen = with_continuations(chosen)
        texts = self.store.document_texts([c.passage.hit.chunk.doc_id for c in chosen])
        sentences = [self._sentence(texts, c.passage, c.start, c.end, c.text) for c in chosen]
        for s, worded in zip(sentences, attributed_once([s.text for s in sentences]), strict=True):
            s.text = worded
        notice = None
        count = wanted_count(question) or announced_count(question, [c.text for c in chosen[:2]])
        if count is not None and chosen:
            lister = ListBuilder(self.store, self.embedder, passages or [])
            listed = lister.items(assessment, count)
            if listed is not None:
                intro, items = listed
                texts |= self.store.document_texts([intro[0].hit.chunk.doc_id])
                sentences = [self._sentence(texts, *intro)] + [
                    self._sentence(texts, *item, kind="item") for item in items
                ]
                notice = f"{len(items)} of the {count} items asked for"
        return Draft(
            sentences,
            answerable=bool(sentences),
            engine=self.name,
            notice=notice if sentences else None,
            refusal=None if sentences else REFUSAL,
            documents=texts,
        )

    def _with_parts(
        self, assessment: Assessment, chosen: list[Candidate], limit: int
    ) -> list[Candidate]:
        """Add the best sentence of each part of a question in several parts."""
        parts = question_parts(assessment.question)
        if len(parts) < 2 or not chosen:
            return chosen
        passages = sorted({c.passage.n: c.passage for c in assessment.candidates}.items())
        extra: list[Candidate] = []
        for part in parts:
            sub = self.scorer.assess(part, [p for _n, p in passages])
            best = sub.candidates[0] if sub.candidates else None
            if best is not None and not _redundant(best, chosen + extra):
                extra.append(best)
        return (chosen + extra)[: max(limit, len(parts))]

    @staticmethod
    def _sentence(
        texts: dict[str, str],
        passage: Passage,
        start: int,
        end: int,
        text: str,
        kind: str = "sentence",
    ) -> DraftSentence:
        """A verbatim sentence worded with who claims it (read in its whole document)."""
        chunk = passage.hit.chunk
        body = clean_sentence(text)
        document = texts.get(chunk.doc_id)
        if kind == "item":
            worded = body
        elif document is not None and document[start:end] == text:
            worded = attribute_sentence(body, passage.hit.meta.source, document, (start, end))
        else:
            span = (start - chunk.start, end - chunk.start)
            worded = attribute_sentence(body, passage.hit.meta.source, chunk.text, span)
        return DraftSentence(worded, [Support(passage.n, start, end)], kind=kind)

    def respond(
        self, question: str, passages: list[Passage], assessment: Assessment
    ) -> Iterator[DraftSentence | Draft]:
        """The engine protocol: its sentences (verbatim, so verified), then the draft."""
        draft = self.draft(assessment, passages)
        yield from draft.sentences
        yield draft
