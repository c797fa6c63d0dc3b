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

from newsqa.text import STOPWORDS, content_stems, words
from service.answering import Draft, DraftSentence, Passage, Support
from service.answering.evidence import Assessment, Candidate, assess, load_model
from service.schemas import Turn

if TYPE_CHECKING:
    from service.state import ServiceState

__all__ = ["REFUSAL", "Assessment", "ExtractiveEngine", "assess", "deltas", "select"]

REFUSAL = "The sources don't cover this question."
DUPLICATE_OVERLAP = 0.8  # a sentence sharing this share of its content words with a chosen one


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


def _redundant(c: Candidate, chosen: list[Candidate]) -> bool:
    stems = set(content_stems(c.text))
    for o in chosen:
        other = set(content_stems(o.text))
        if c.text == o.text or (stems and len(stems & other) / len(stems) >= DUPLICATE_OVERLAP):
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
        if _redundant(c, chosen):
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
        model = load_model(str(self.state.settings.evidence_model_path or ""))
        limit = self.state.settings.max_answer_sentences
        chosen = select(assessment, limit, model.keep_ratio, model.keep_min)
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
