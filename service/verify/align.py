"""Alignment: the one or two passage sentences that a generated sentence restates.

Each passage sentence is scored by the share of the claim's content words and numbers it holds
plus (when embeddings are given) its cosine to the claim; the best one is joined by a second
sentence within ``reach`` (a neighbour by default) when the two hold clearly more of the claim
(two words or more). A quote from structured output pins the span to the sentences it overlaps
instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsqa.text import STOPWORDS, content_stems, number_values


def claim_stems(text: str) -> set[str]:
    """Content stems of a claim, a hyphenated compound as its parts ("US-British" is "British":
    the "U.S.-British" of a source keeps only "British"; "long-range" is "long", "range")."""
    out: set[str] = set()
    for stem in content_stems(text):
        parts = [p for p in stem.split("-") if len(p) > 1 and p not in STOPWORDS]
        out.update(parts if "-" in stem else [stem])
    return out


@lru_cache(maxsize=16384)
def claim_tokens(text: str) -> frozenset[str]:
    """Content stems (compounds as their parts) and numbers (strictly read) of a claim."""
    return frozenset(claim_stems(text)) | frozenset(number_values(text))


@lru_cache(maxsize=16384)
def evidence_tokens(text: str) -> frozenset[str]:
    """Content stems (compounds whole and as their parts) and numbers (loosely read: "one",
    bare percentages) of evidence."""
    stems = set(content_stems(text)) | claim_stems(text)
    return frozenset(stems) | frozenset(number_values(text, loose=True))


@dataclass(frozen=True)
class Span:
    """Sentences ``first..last`` (inclusive) of a passage; ``similarity`` None without vectors."""

    first: int
    last: int
    overlap: float
    similarity: float | None
    indices: tuple[int, ...] = ()  # the sentences themselves (first..last when empty)

    @property
    def members(self) -> tuple[int, ...]:
        return self.indices or tuple(range(self.first, self.last + 1))


def _overlap(claim: frozenset[str], ev: list[frozenset[str]], first: int, last: int) -> float:
    if not claim:
        return 0.0
    held = frozenset().union(*ev[first : last + 1])
    return len(claim & held) / len(claim)


def _cover(claim: frozenset[str], ev: list[frozenset[str]], members: Sequence[int]) -> float:
    if not claim:
        return 0.0
    held = frozenset().union(*(ev[i] for i in members))
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


def _widen(
    words: frozenset[str],
    ev: list[frozenset[str]],
    best: int,
    margin: float,
    reach: int,
    size: int,
) -> tuple[int, ...]:
    """The best sentence, joined greedily by sentences within ``reach`` of the span while each
    adds more than ``margin`` of the claim's words and at least two of them (one number or
    name alone is how a sentence borrows a figure that belongs to something else): a claim
    that joins facts restates several sentences."""
    members: tuple[int, ...] = (best,)
    while len(members) < size:
        held = _cover(words, ev, members)
        near = {
            i
            for m in members
            for i in range(m - reach, m + reach + 1)
            if 0 <= i < len(ev) and i not in members
        }
        gains = sorted(
            (
                (_cover(words, ev, (*members, i)), -min(abs(i - m) for m in members), i)
                for i in near
            ),
            reverse=True,
        )
        if not gains:
            break
        gain, _, other = gains[0]
        if not (gain > held + margin and (gain - held) * len(words) >= 2 - 1e-9):
            break
        members = tuple(sorted((*members, other)))
    return members


def align(
    claim: str,
    texts: Sequence[str],
    sims: Sequence[float] | None = None,
    widen_margin: float = 0.1,
    quote: str | None = None,
    reach: int = 1,
    size: int = 2,
) -> Span:
    """The span of ``texts`` (a passage's sentences) that ``claim`` restates: at most ``size``
    sentences, each added one within ``reach`` of the span so far."""
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
        members = _widen(words, ev, best, widen_margin, reach, size)
        sim = max(float(sims[i]) for i in members) if sims is not None else None
        cover = _cover(claim_tokens(claim), ev, members)
        return Span(members[0], members[-1], cover, sim, members)
    sim = max(float(sims[i]) for i in range(first, last + 1)) if sims is not None else None
    return Span(first, last, _overlap(claim_tokens(claim), ev, first, last), sim)
