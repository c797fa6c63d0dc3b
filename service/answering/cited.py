"""Model output → claims (sentence, cited source numbers, optional quote) → verified sentences.

Two formats: JSON (``{"sentences": [{"text", "source_ids", "quote"}]}``, from servers that
support JSON-schema output) and plain text with ``[n]`` markers. The text parser accepts the
variants small models write: "According to [1], ...", echoed ``<source id="1">`` tags, markers
before or after the full stop. Both parsers work on a growing prefix of the output, so that
sentences can be verified (and streamed) as soon as they are complete.

A sentence is checked against the passages it cites; when they don't support it (or it cites
none), against the passage its quote comes from and then the other retrieved passages, and it
cites the one that does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from langchain_core.utils.json import parse_partial_json

from newsqa.components.embeddings import Embedder
from newsqa.text import name_found
from service.answering import DraftSentence, Passage
from service.answering.verification import (
    EntailmentJudge,
    Sentences,
    TimedJudge,
    parse_answer,
    passage_sentences,
    verify_sentence,
)
from service.verify.config import VerifyConfig

_SOURCE_TAG = re.compile(r"<\s*source\b[^>]*?\bid\s*=\s*[\"']?(\d+)[\"']?[^>]*>", re.I)
_CLOSE_TAG = re.compile(r"<\s*/\s*source\s*>", re.I)
_SOURCE_WORD = re.compile(r"[\[(]\s*(?:source|passage)\s*#?\s*(\d+)\s*[\])]", re.I)
# attribution phrases left empty once their markers are removed ("According to [1], ...")
_EMPTY_LEAD = re.compile(
    r"^(?:according to|as (?:reported|stated|noted) (?:by|in))\s*[,:]?\s*", re.I
)
_EMPTY_TAIL = re.compile(
    r",?\s*(?:according to|as (?:reported|stated|noted) (?:by|in))\s*([.!?]?)$", re.I
)
_ATTRIBUTED = re.compile(r"^according to ([^,]{2,80}),\s*(.{8,})$", re.I | re.S)
_REFUSAL = re.compile(
    r"\b(?:sources?|passages?|context|articles?|provided (?:text|information))\b[^.]{0,60}?"
    r"\b(?:do(?:es)?n[o']?t|do(?:es)? not|never)\b[^.]{0,40}?"
    r"\b(?:cover|contain|mention|say|state|provide|answer|include|specify|address)"
    r"|\b(?:i (?:do not|don't|cannot|can't) (?:know|answer|find))"
    r"|\bno (?:information|mention|answer)\b",
    re.I,
)


@dataclass(frozen=True)
class Claim:
    """One sentence of a model's answer, the source numbers it cites and its quote (if any)."""

    text: str
    cited: tuple[int, ...]
    quote: str | None = None


def normalize_markers(text: str) -> str:
    """``<source id="1">``, ``(source 1)``, ``[Source 1]`` → ``[1]``; closing tags removed."""
    text = _SOURCE_TAG.sub(r" [\1] ", text)
    text = _CLOSE_TAG.sub("", text)
    return _SOURCE_WORD.sub(r"[\1]", text)


def _tidy(sentence: str) -> str:
    """Drop attribution phrases emptied by marker removal; capitalise the first letter."""
    sentence = _EMPTY_TAIL.sub(r"\1", _EMPTY_LEAD.sub("", sentence.strip())).strip()
    if sentence and not sentence.endswith((".", "!", "?", '"', "\u201d")):
        sentence += "."
    return sentence[:1].upper() + sentence[1:]


def text_claims(text: str, final: bool) -> list[Claim]:
    """Complete sentences of ``[n]``-marked text (the last one only when ``final``)."""
    parsed = parse_answer(normalize_markers(text))
    if not final:
        parsed = parsed[:-1]
    claims = [Claim(_tidy(s), tuple(c)) for s, c in parsed]
    return [c for c in claims if any(ch.isalnum() for ch in c.text)]


def _ints(value: Any) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[int] = []
    for item in items:
        digits = re.findall(r"\d+", str(item))
        out.extend(int(d) for d in digits[:1])
    return tuple(out)


def json_claims(text: str, final: bool) -> list[Claim]:
    """Complete entries of a (possibly partial) ``{"sentences": [...]}`` reply."""
    try:
        data = parse_partial_json(text, strict=False)
    except ValueError:
        data = None
    items = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    if not final:
        items = items[:-1]  # the last entry may still be growing
    claims = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            continue
        # one entry is one claim, even when it holds a quoted question ("...? No.")
        pieces = parse_answer(normalize_markers(item["text"]))
        cited = [*_ints(item.get("source_ids", [])), *(n for _s, m in pieces for n in m)]
        quote = item.get("quote")
        claims.append(
            Claim(
                _tidy(" ".join(s for s, _m in pieces)),
                tuple(dict.fromkeys(cited)),
                quote if isinstance(quote, str) and quote.strip() else None,
            )
        )
    return [c for c in claims if any(ch.isalnum() for ch in c.text)]


def is_refusal(text: str, refusal: str) -> bool:
    """Whether a sentence (or a whole answer) says that the sources hold no answer."""
    flat = re.sub(r"[^a-z ]", "", text.lower())
    return flat.startswith(re.sub(r"[^a-z ]", "", refusal.lower())) or bool(_REFUSAL.search(text))


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


class Checker:
    """Verifies claims against the retrieved passages (embeddings computed once per passage)."""

    def __init__(
        self,
        embedder: Embedder,
        passages: list[Passage],
        question: str,
        config: VerifyConfig | None = None,
        judge: EntailmentJudge | None = None,
    ) -> None:
        self.embedder = embedder
        self.config = config
        self.judge = TimedJudge(judge) if judge is not None else None
        self.passages = passages
        self.by_n = {p.n: p for p in passages}
        self.question = question
        self._sents: dict[int, Sentences] = {}

    @property
    def judge_ms(self) -> float | None:
        """Time spent in the entailment judge (None without one)."""
        return round(self.judge.ms, 2) if self.judge is not None else None

    def _sentences(self, numbers: list[int]) -> dict[int, Sentences]:
        for n in numbers:
            if n not in self._sents:
                self._sents[n] = passage_sentences(self.embedder, self.by_n[n])
        return self._sents

    def _verify(self, text: str, cited: list[int], quote: str | None) -> DraftSentence:
        return verify_sentence(
            self.embedder,
            text,
            cited,
            self.by_n,
            self._sentences(cited),
            self.question,
            quote=quote,
            config=self.config,
            judge=self.judge,
        )

    def _order(self, claim: Claim) -> list[list[int]]:
        """Citation sets to try: the claim's own, the quote's passage, every other passage."""
        own = [n for n in claim.cited if n in self.by_n]
        tries = [own] if own else []
        quoted = _squash(claim.quote or "")
        if len(quoted) >= 12:
            tries += [[p.n] for p in self.passages if quoted in _squash(p.hit.chunk.text)]
        tries += [[p.n] for p in self.passages]
        seen: list[list[int]] = []
        for t in tries:
            if t not in seen:
                seen.append(t)
        return seen

    def _attributed(self, claim: Claim, cited: list[int]) -> str | None:
        """The claim without "According to X," when X is the cited passages' outlet."""
        match = _ATTRIBUTED.match(claim.text)
        if not match:
            return None
        who = match.group(1).lower()
        outlets = [(self.by_n[n].hit.meta.source or "").lower() for n in cited]
        if any(o and (name_found(who, o) or name_found(o, who)) for o in outlets):
            rest = match.group(2)
            return rest[:1].upper() + rest[1:]
        return None

    def check(self, claim: Claim) -> DraftSentence:
        """The claim verified; cites the first passage set that supports it."""
        first: DraftSentence | None = None
        for cited in self._order(claim):
            result = self._verify(claim.text, cited, claim.quote)
            if not result.supported:
                bare = self._attributed(claim, cited)
                if bare:
                    inner = self._verify(bare, cited, claim.quote)
                    if inner.supported:
                        result = DraftSentence(claim.text, inner.supports, supported=True)
            if result.supported:
                return result
            first = first or result
        return first or DraftSentence(claim.text, [], supported=False)
