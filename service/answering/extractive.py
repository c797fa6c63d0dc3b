"""Extractive engine: answers with verbatim sentences of the retrieved passages. Deterministic.

Sentences are scored by embedding similarity to the question, IDF-weighted overlap of the
question's content words, and whether they hold what the question asks for (a number, a name,
a date). Near-duplicates are skipped (MMR-style). Weak evidence gives a calibrated refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from service.answering import Draft, DraftSentence, Passage, Support
from service.answering.answer_types import answer_type, has_answer
from service.answering.verification import (
    STOPWORDS,
    Sentences,
    content_stems,
    idf_weights,
    local_coverage,
    looks_like_instruction,
    name_found,
    names,
    passage_sentences,
    words,
)
from service.retrieval import embed_query
from service.schemas import Turn

if TYPE_CHECKING:
    from service.state import ServiceState

REFUSAL = "The sources don't cover this question."
MIN_LEXICAL = 0.2  # share (IDF-weighted) of the question's content words found in the passages
FULL_MATCH_BOOST = 0.25  # evidence gain when one sentence holds all the question's words
DUPLICATE_SIM = 0.88  # sentences this similar to a chosen one are redundant
KEEP_GAP = 0.12  # later sentences must score within this of the best one
KEEP_LEXICAL = 0.5  # ... and match at least this share of its lexical score
LOCAL_SIM_WEIGHT = 0.5  # sentence-local match = w * similarity + (1 - w) * local coverage
MIN_SUPPORT = 0.3  # some sentence must match the question at least this well
MIN_TYPED_SUPPORT = 0.46  # ... and one holding the kind of entity asked for, this well
MIN_TYPED_BEST = 0.33  # ... or this well when it is the best-matching sentence


def _length_penalty(text: str) -> float:
    n = len(text)
    penalty = 0.0
    if n < 40:
        penalty -= 0.15
    elif n > 450:
        penalty -= 0.1
    if not text.rstrip("\"'\u201d\u2019)").endswith((".", "!", "?")):
        penalty -= 0.05  # headlines, captions, menu items
    return penalty


@dataclass
class Candidate:
    """One passage sentence with its features."""

    passage: Passage
    index: int
    text: str
    start: int
    end: int
    similarity: float
    lexical: float
    score: float


@dataclass
class Assessment:
    """The scored candidate sentences of one question and whether the evidence suffices."""

    candidates: list[Candidate]  # best first
    best_similarity: float
    evidence: float
    lexical: float
    answerable: bool
    vectors: dict[tuple[int, int], np.ndarray]
    missing_names: list[str]
    kind: str | None = None  # what the question asks for (``answer_types.KINDS``)
    support: float = 0.0  # best sentence-local match
    typed_support: float = 0.0  # best sentence-local match holding an entity of ``kind``

    def best_span(self, n: int) -> tuple[int, int] | None:
        """Document span of the best sentence of passage ``n``."""
        for c in self.candidates:
            if c.passage.n == n:
                return c.start, c.end
        return None


def _outlet_stems(question: str, passages: list[Passage]) -> tuple[set[str], set[str]]:
    """Outlets the question names (by their source metadata) and the stems of those names."""
    q = set(content_stems(question))
    outlets, stems = set(), set()
    for p in passages:
        source = p.hit.meta.source
        own = set(content_stems(source)) if source else set()
        if own and own <= q:
            outlets.add(source)
            stems |= own
    return outlets, stems


def assess(state: ServiceState, question: str, passages: list[Passage]) -> Assessment:
    """Score every sentence of ``passages`` for ``question`` and decide answerability.

    Evidence is sentence-local: some sentence (with a neighbour) must match the question well
    (similarity and word coverage), and when the question asks for a number, date, person,
    place or name, such a well-matching sentence must hold one the question lacks.
    """
    qvec = embed_query(state.embedder, question)
    outlets, outlet_stems = _outlet_stems(question, passages)
    q_stems = set(content_stems(question)) - outlet_stems
    q_names = {n for n in names(question) if n not in {o.lower() for o in outlets}}
    kind = answer_type(question)
    per_passage: list[tuple[Passage, Sentences]] = [
        (p, passage_sentences(state.embedder, p)) for p in passages
    ]
    sent_stems = [set(content_stems(t)) for _p, s in per_passage for t in s.texts]
    idf = idf_weights(q_stems, sent_stems) if sent_stems else {}
    idf_total = sum(idf.values()) or 1.0
    candidates: list[Candidate] = []
    vectors: dict[tuple[int, int], np.ndarray] = {}
    found: set[str] = set()
    support = typed_support = 0.0
    k = 0
    for rank, (passage, sents) in enumerate(per_passage):
        sims = sents.vectors @ qvec if len(sents.texts) else np.zeros(0)
        own_stems = sent_stems[k : k + len(sents.texts)]
        local = local_coverage(own_stems, q_stems, idf, idf_total) if q_stems else []
        context = f"{passage.hit.meta.title}\n{passage.hit.chunk.text}".lower()
        anchored = all(name_found(n, context) for n in q_names)
        prior = 0.05 * (1.0 - rank / max(len(passages), 1))
        if passage.hit.meta.source in outlets:
            prior += 0.1  # the question asks about this outlet
        for i, text in enumerate(sents.texts):
            stems = own_stems[i]
            if looks_like_instruction(text):  # text addressed to a model is never an answer
                continue
            shared = q_stems & stems
            found |= shared
            lexical = sum(idf[t] for t in shared) / idf_total
            local_match = LOCAL_SIM_WEIGHT * float(sims[i]) + (1.0 - LOCAL_SIM_WEIGHT) * (
                local[i] if q_stems else 1.0
            )
            support = max(support, local_match)
            typed = bool(kind) and has_answer(kind, text, question)
            if typed and anchored:  # the passage (or its title) names what the question names
                typed_support = max(typed_support, local_match)
            score = 0.6 * float(sims[i]) + 0.4 * lexical + prior + _length_penalty(text)
            score += 0.12 if typed else 0.0
            start, end = sents.spans[i]
            vectors[(passage.n, i)] = sents.vectors[i]
            candidates.append(
                Candidate(passage, i, text, start, end, float(sims[i]), lexical, score)
            )
        k += len(sents.texts)
    candidates.sort(key=lambda c: (-c.score, c.passage.n, c.index))
    best_sim = max([c.similarity for c in candidates] + [p.hit.score for p in passages] + [0.0])
    lexical = sum(idf.get(t, 0.0) for t in found) / idf_total if q_stems else 1.0
    haystack = " ".join(p.hit.chunk.text for p in passages).lower()
    missing = sorted(  # names the question asks about that the whole corpus lacks
        n for n in names(question) if not name_found(n, haystack) and not state.keyword.search(n, 1)
    )
    threshold = state.settings.refusal_threshold
    # one sentence holding every content word of the question raises the evidence
    full_match = len(q_stems) >= 2 and any(c.lexical >= 0.999 for c in candidates)
    evidence = best_sim + (1.0 - best_sim) * FULL_MATCH_BOOST if full_match else best_sim
    # the entity asked for must be in a sentence matching the question well, or in the one
    # matching it best (then a weaker match is enough)
    typed_ok = typed_support >= MIN_TYPED_SUPPORT or (
        typed_support >= MIN_TYPED_BEST and typed_support >= support - 1e-9
    )
    local_ok = support >= MIN_SUPPORT and (kind is None or typed_ok)
    answerable = (
        bool(candidates)
        and evidence >= threshold
        and lexical >= MIN_LEXICAL
        and not missing
        and local_ok
    )
    return Assessment(
        candidates,
        best_sim,
        evidence,
        lexical,
        answerable,
        vectors,
        missing,
        kind,
        support,
        typed_support,
    )


def _lower_first(text: str) -> str:
    first = words(text[:40])
    if first and first[0] in STOPWORDS and text[:1].isupper() and not text[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


def attribute(text: str, source: str) -> str:
    """Prefix the outlet ("According to X, ...") unless the sentence already names it."""
    unknown = not source or source.lower() in ("unknown", "n/a", "none")
    if unknown or source.lower() in text.lower() or text.lower().startswith("according to"):
        return text
    return f"According to {source}, {_lower_first(text)}"


def select(assessment: Assessment, limit: int) -> list[Candidate]:
    """Best sentences, skipping near-duplicates and ones scoring far below the best."""
    chosen: list[Candidate] = []
    for c in assessment.candidates:
        if len(chosen) >= limit:
            break
        if chosen and c.score < chosen[0].score - KEEP_GAP:
            break
        if chosen and (c.lexical <= 0 or c.lexical < KEEP_LEXICAL * chosen[0].lexical):
            continue
        vec = assessment.vectors[(c.passage.n, c.index)]
        if any(
            c.text == o.text
            or float(vec @ assessment.vectors[(o.passage.n, o.index)]) > DUPLICATE_SIM
            for o in chosen
        ):
            continue
        chosen.append(c)
    return chosen


def clean_sentence(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class ExtractiveEngine:
    """Verbatim sentences with citations; no model beyond the embedder."""

    name = "extractive"

    def __init__(self, state: ServiceState) -> None:
        self.state = state

    def standalone(self, question: str, history: list[Turn]) -> str:
        """Append the key terms of the previous user question that this one lacks."""
        previous = [t.content for t in history if t.role == "user" and t.content.strip()]
        if previous and previous[-1].strip() == question.strip():
            previous = previous[:-1]
        if not previous:
            return question
        have = set(content_stems(question))
        extra: list[str] = []
        for word in re.findall(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*", previous[-1]):
            stems = content_stems(word) or ([word] if word[0].isdigit() else [])
            if stems and stems[0] not in have and word not in extra:
                have.add(stems[0])
                extra.append(word)
        return f"{question} ({' '.join(extra)})" if extra else question

    def draft(self, assessment: Assessment) -> Draft:
        if not assessment.answerable:
            return Draft([], answerable=False, engine=self.name, refusal=REFUSAL)
        chosen = select(assessment, self.state.settings.max_answer_sentences)
        sentences = [
            DraftSentence(
                attribute(clean_sentence(c.text), c.passage.hit.meta.source),
                [Support(c.passage.n, c.start, c.end)],
            )
            for c in chosen
        ]
        return Draft(
            sentences,
            answerable=bool(sentences),
            engine=self.name,
            refusal=None if sentences else REFUSAL,
        )

    def answer(self, question: str, passages: list[Passage]) -> Draft:
        return self.draft(assess(self.state, question, passages))

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Draft]:
        draft = self.answer(question, passages)
        yield from deltas(draft)
        yield draft


def deltas(draft: Draft) -> Iterator[str]:
    """The answer text of a draft, one sentence (with its markers) at a time."""
    for k, sentence in enumerate(draft.sentences):
        marks = "".join(f"[{n}]" for n in sentence.citations)
        yield ("" if k == 0 else " ") + f"{sentence.text} {marks}"
    if not draft.sentences:
        yield draft.refusal or REFUSAL
