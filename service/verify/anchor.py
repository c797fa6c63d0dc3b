"""A number or name the span lacks, restated from another sentence of the same passage.

A claim may join a sentence's figure or name to what the span says ("Animalia has sold over 3
million copies" from "Animalia is a book by ..." and, three sentences on, "Over three million
copies have been sold"). The span holds adjacent sentences only, so such an item is found
elsewhere in the passage, and it counts only when that sentence also holds the claim's words
around the item: the same number in a sentence about something else is a changed number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from newsqa.text import name_found, number_values
from service.verify.align import claim_stems, evidence_tokens
from service.verify.config import VerifyConfig

_CLAUSE_MARKS = (",", ";", ":")
_CLAUSE_WORDS = {"and", "but", "while", "whereas", "which", "who"}


def has_number(value: str) -> Callable[[str], bool]:
    """Whether a text holds the (normalised) number ``value``, loosely read."""

    def holds(text: str) -> bool:
        return value in number_values(text, loose=True)

    return holds


def has_name(name: str) -> Callable[[str], bool]:
    """Whether a text holds the (lower-cased) name ``name``."""

    def holds(text: str) -> bool:
        return name_found(name, text.lower())

    return holds


def _clause_bounds(tokens: Sequence[str], i: int, reach: int) -> tuple[int, int]:
    """Token bounds of ``reach`` words each side of ``i``, cut at the clause around it."""
    lo, hi = max(0, i - reach), min(len(tokens), i + reach + 1)
    for j in range(i - 1, lo - 1, -1):
        if tokens[j].endswith(_CLAUSE_MARKS) or tokens[j].lower() in _CLAUSE_WORDS:
            lo = j + 1
            break
    for j in range(i, hi):
        if j > i and tokens[j].lower() in _CLAUSE_WORDS:
            hi = j
            break
        if tokens[j].endswith(_CLAUSE_MARKS):
            hi = j + 1
            break
    return lo, hi


def window(claim: str, holds: Callable[[str], bool], reach: int) -> set[str]:
    """Content stems within ``reach`` words of each place where ``holds`` is true of the claim
    (a word, or a word and the next: "3 million"), inside its clause, the item's words left out."""
    tokens = re.findall(r"\S+", claim)
    out: set[str] = set()
    for i, tok in enumerate(tokens):
        if holds(tok) or holds(" ".join(tokens[i : i + 2])):
            lo, hi = _clause_bounds(tokens, i, reach)
            out |= claim_stems(" ".join(tokens[lo:i] + tokens[i + 1 : hi]))
            out -= claim_stems(tok)
    return out


def anchored(
    claim: str, holds: Callable[[str], bool], sentences: Sequence[str], config: VerifyConfig
) -> bool:
    """Whether one of ``sentences`` (the passage off the span) holds the item and at least
    ``anchor_share`` (and two) of the claim's words within ``anchor_reach`` words of it."""
    if config.anchor_reach <= 0:
        return False
    around = window(claim, holds, config.anchor_reach)
    if len(around) < 2:
        return False
    for text in sentences:
        if not holds(text):
            continue
        shared = len(around & evidence_tokens(text))
        if shared >= 2 and shared / len(around) >= config.anchor_share:
            return True
    return False
