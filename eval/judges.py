"""Pluggable support judges: does a passage (or several) support an answer sentence?

``lexical`` (offline): the numbers, names and content words of the sentence must be found in the
passages, names and numbers in a passage sentence that carries the claim, and the negation of the
claim must agree with the best matching passage sentence. ``llm``: claims are extracted by an
OpenAI-compatible model, then each claim gets a verdict; unparseable replies are "unknown".

The lexical judge reads text with the shared toolkit (``newsqa.text``: tokens, stopwords,
stems, sentences, citation markers) but decides by its own rules, not the service verifier's
alignment: it is the yardstick the verifier is measured against (docs/verification.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from newsqa.text import (
    NUMBER_WORDS,
    STOPWORDS,
    is_negation,
    split_sentences,
    stem,
    strip_markers,
    tokens,
)

Verdict = Literal["supported", "unsupported", "unknown"]
SUPPORTED: Verdict = "supported"
UNSUPPORTED: Verdict = "unsupported"
UNKNOWN: Verdict = "unknown"

_NEG_SCOPE = 4


def strip_citations(text: str) -> str:
    """Remove ``[n]`` markers from an answer sentence."""
    return strip_markers(text)


def _stem(word: str) -> str:
    """A number word as its digits ("three" -> "3"), any other word as its toolkit stem."""
    low = word.lower()
    if low in NUMBER_WORDS:
        return str(NUMBER_WORDS[low])
    return stem(low)


def _number(token: str) -> str | None:
    if token[0].isdigit():
        return token.rstrip("%").replace(",", "")
    return None


class _Claim:
    """The tokens of one text: anchors (names, numbers), content words, negation."""

    def __init__(self, text: str) -> None:
        self.anchors: set[str] = set()
        self.content: set[str] = set()
        self.negated_words: set[str] = set()  # words within a negation's scope
        self.lowercase: set[str] = set()  # stems seen written in lower case
        self.first: str | None = None  # a capitalised first word: a name or a common word
        since_negation = _NEG_SCOPE + 1
        for index, raw in enumerate(tokens(strip_citations(text))):
            low = raw.lower()
            if is_negation(low):
                since_negation = 0
                continue
            since_negation += 1
            number = _number(raw)
            stem = number if number is not None else _stem(raw)
            if since_negation <= _NEG_SCOPE:
                self.negated_words.add(stem)
            if raw[0].islower():
                self.lowercase.add(stem)
            is_name = raw[0].isupper() and (index > 0 or (raw.isupper() and len(raw) > 1))
            if (
                index == 0
                and raw[0].isupper()
                and not is_name
                and low not in STOPWORDS
                and len(low) > 1
            ):
                self.first = stem
            if number is not None or stem.isdigit():
                self.anchors.add(stem)
            elif low in STOPWORDS or len(low) < 2:
                continue
            elif is_name:
                self.anchors.add(stem)
            else:
                self.content.add(stem)

    @property
    def words(self) -> set[str]:
        return self.anchors | self.content


def _sentences(passage: str) -> list[str]:
    """The passage's sentences (the toolkit's splitter)."""
    return [passage[s:e] for s, e in split_sentences(passage)] or [passage]


class Judge:
    """Base class: ``verdict(sentence, passages)`` with a per-instance cache."""

    name = "judge"

    def __init__(self) -> None:
        self._cache: dict[tuple[str, tuple[str, ...]], Verdict] = {}

    def verdict(self, sentence: str, passages: Sequence[str]) -> Verdict:
        key = (strip_citations(sentence), tuple(passages))
        if key not in self._cache:
            if not key[0]:
                self._cache[key] = SUPPORTED
            elif not any(p.strip() for p in passages):
                self._cache[key] = UNSUPPORTED
            else:
                self._cache[key] = self._judge(key[0], [p for p in passages if p.strip()])
        return self._cache[key]

    def supports(self, sentence: str, passages: Sequence[str]) -> bool:
        """True only for a definite "supported" verdict (unknown is never support)."""
        return self.verdict(sentence, passages) == SUPPORTED

    def ensure_reachable(self) -> None:
        """Raise (a ``NewsQAError``) when the judge cannot give verdicts; a local one always can."""

    def _judge(self, sentence: str, passages: list[str]) -> Verdict:  # pragma: no cover
        raise NotImplementedError


class LexicalJudge(Judge):
    """Offline judge: word evidence for every name, number and most content words."""

    name = "lexical"

    def __init__(self, min_coverage: float = 0.8, locality: float = 0.5) -> None:
        super().__init__()
        self.min_coverage = min_coverage
        self.locality = locality

    def _judge(self, sentence: str, passages: list[str]) -> Verdict:
        claim = _Claim(sentence)
        units = [_Claim(s) for p in passages for s in _sentences(p)]
        union: set[str] = set().union(*(u.words for u in units))
        if claim.first is not None:
            # "Several ..." is a common word if the passages write it in lower case; "France ..."
            # is a name that must be found like any other
            lowercase = set().union(*(u.lowercase for u in units))
            (claim.content if claim.first in lowercase else claim.anchors).add(claim.first)
        if not claim.words:
            return SUPPORTED
        if not claim.anchors <= union:
            return UNSUPPORTED
        if claim.content:
            coverage = len(claim.content & union) / len(claim.content)
            if coverage < self.min_coverage:
                return UNSUPPORTED
        overlaps = [len(claim.words & u.words) for u in units]
        best = max(overlaps)
        tops = [i for i, ov in enumerate(overlaps) if ov == best]
        # a name or number must sit in a sentence that carries the claim: one that matches at
        # least `locality` as well as the best, or a neighbour of a best sentence (coreference)
        near = {j for i in tops for j in (i - 1, i, i + 1)}
        for anchor in claim.anchors:
            if not any(
                anchor in u.words and (i in near or overlaps[i] >= self.locality * best)
                for i, u in enumerate(units)
            ):
                return UNSUPPORTED
        # negation must agree where it touches the claim's words ("does not wish to ...")
        claim_negated = bool(claim.negated_words & claim.words)
        if not any(bool(units[i].negated_words & claim.words) == claim_negated for i in tops):
            return UNSUPPORTED
        return SUPPORTED


def make_judge(name: str, settings: Any = None) -> Judge:
    """``lexical`` or ``llm`` (the latter needs NEWSQA_OPENAI_* settings)."""
    if name == "lexical":
        return LexicalJudge()
    if name == "llm":
        if settings is None:
            from newsqa.settings import get_settings

            settings = get_settings()
        from eval.llm_judge import LLMJudge

        return LLMJudge.from_settings(settings)
    raise ValueError(f"unknown judge {name!r} (choose lexical or llm)")


def judge_accuracy(judge: Judge, pairs: Sequence[Any]) -> dict[str, Any]:
    """Accuracy on labelled pairs; an unknown verdict counts as wrong."""
    per_kind: dict[str, list[int]] = {}
    unknown = 0
    wrong: list[str] = []
    for pair in pairs:
        verdict = judge.verdict(pair.sentence, [pair.passage])
        unknown += verdict == UNKNOWN
        ok = verdict != UNKNOWN and (verdict == SUPPORTED) == pair.supported
        per_kind.setdefault(pair.kind, []).append(int(ok))
        if not ok:
            wrong.append(pair.id)
    total = sum(len(v) for v in per_kind.values())
    correct = sum(sum(v) for v in per_kind.values())
    return {
        "judge": judge.name,
        "n": total,
        "accuracy": correct / total if total else 0.0,
        "unknown": unknown,
        "per_kind": {k: sum(v) / len(v) for k, v in sorted(per_kind.items())},
        "wrong": wrong,
    }
