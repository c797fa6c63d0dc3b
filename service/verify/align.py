"""Alignment: the one or two passage sentences that a generated sentence restates.

Each passage sentence is scored by the share of the claim's content words and numbers it holds
plus (when embeddings are given) its cosine to the claim; the best one is widened to a
neighbour when the pair holds clearly more of the claim (two words or more). A quote from structured output pins
the span to the sentences it overlaps instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsqa.text import content_stems, number_values


@lru_cache(maxsize=16384)
def claim_tokens(text: str) -> frozenset[str]:
    """Content stems and numbers (strictly read) of a claim."""
    return frozenset(content_stems(text)) | frozenset(number_values(text))


@lru_cache(maxsize=16384)
def evidence_tokens(text: str) -> frozenset[str]:
    """Content stems and numbers (loosely read: "one", bare percentages) of evidence."""
    return frozenset(content_stems(text)) | frozenset(number_values(text, loose=True))


@dataclass(frozen=True)
class Span:
    """Sentences ``first..last`` (inclusive) of a passage; ``similarity`` None without vectors."""

    first: int
    last: int
    overlap: float
    similarity: float | None


def _overlap(claim: frozenset[str], ev: list[frozenset[str]], first: int, last: int) -> float:
    if not claim:
        return 0.0
    held = frozenset().union(*ev[first : last + 1])
    return len(claim & held) / len(claim)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def locate_quote(quote: str, texts: Sequence[str]) -> tuple[int, int] | None:
    """The sentences (first, last) that an exact quote overlaps, or None if it is not there."""
    needle = _squash(quote).strip("\"'\u201c\u201d ")
    if len(needle) < 8:
        return None
    starts, joined = [], ""
    for text in texts:
        starts.append(len(joined))
        joined += _squash(text) + " "
    at = joined.find(needle)
    if at < 0:
        return None
    end = at + len(needle)
    inside = [i for i, s in enumerate(starts) if s < end and s + len(_squash(texts[i])) > at]
    return (inside[0], inside[-1]) if inside else None


def align(
    claim: str,
    texts: Sequence[str],
    sims: Sequence[float] | None = None,
    widen_margin: float = 0.1,
    quote: str | None = None,
) -> Span:
    """The span of ``texts`` (a passage's sentences) that ``claim`` restates."""
    if not texts:
        return Span(0, -1, 0.0, None)
    ev = [evidence_tokens(t) for t in texts]
    pinned = locate_quote(quote, texts) if quote else None
    words = claim_tokens(claim)
    if pinned is not None:
        first, last = pinned
    else:
        # an unverifiable quote still says where the model looked: align on both
        if quote:
            words = words | claim_tokens(quote)
        scores = [
            _overlap(words, ev, i, i) + (float(sims[i]) if sims is not None else 0.0)
            for i in range(len(texts))
        ]
        best = max(range(len(texts)), key=scores.__getitem__)
        first = last = best
        alone = _overlap(words, ev, best, best)
        pairs = [(best - 1, best), (best, best + 1)]
        gains = [(_overlap(words, ev, a, b), a, b) for a, b in pairs if a >= 0 and b < len(texts)]
        if gains:
            gain, a, b = max(gains)
            # a neighbour must add at least two of the claim's words: one number or name
            # alone is how a sentence borrows a figure that belongs to something else
            if gain > alone + widen_margin and (gain - alone) * len(words) >= 2:
                first, last = a, b
    sim = max(float(sims[i]) for i in range(first, last + 1)) if sims is not None else None
    return Span(first, last, _overlap(claim_tokens(claim), ev, first, last), sim)
