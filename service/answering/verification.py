"""Answer verification: every generated sentence against the passages it cites.

Each sentence is aligned to the one or two sentences of a cited passage it restates, then
checked against that span only (``service.verify``): numbers, names, polarity, modality,
speaker, content words the span lacks, and closeness in embedding space; optionally an
entailment judge has the last word. Failures fail closed and say why (``reasons``). Markers
that point to no passage are dropped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from newsqa.components.embeddings import Embedder
from newsqa.text import LEADING_MARKERS as _LEADING_MARKERS
from newsqa.text import MARKERS as _MARKERS
from newsqa.text import (  # noqa: F401  (re-exported: the engines import them from here)
    STOPWORDS,
    content_stems,
    idf_weights,
    local_coverage,
    name_found,
    names,
    numbers,
    split_sentences,
    words,
)
from service.answering import DraftSentence, Passage, Support
from service.answering.injection import (  # noqa: F401  (re-exported)
    INSTRUCTION_LEFT_OUT,
    looks_like_instruction,
    only_instructions,
    without_instructions,
)
from service.retrieval import embed_query, embed_texts
from service.verify.assess import Assessment, assess
from service.verify.config import VerifyConfig

MIN_RELEVANCE = 0.15  # to the question, for sentences sharing none of its content words


class EntailmentJudge(Protocol):
    """Says whether a span entails a sentence: "supported", "unsupported" or "unknown"."""

    @property
    def available(self) -> bool: ...  # false once set aside (it cannot judge)

    def ready(self) -> bool: ...  # whether its verdicts count now (it passed its own check)

    def judge(self, sentence: str, span: str) -> str: ...


def split_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (the ingest splitter, so spans match chunk sentences)."""
    return split_sentences(text)


@dataclass(frozen=True)
class Sentences:
    """The sentences of one passage: document offsets, texts and embeddings."""

    spans: list[tuple[int, int]]
    texts: list[str]
    vectors: np.ndarray


def passage_sentences(embedder: Embedder, passage: Passage) -> Sentences:
    """Sentences of a passage with embeddings (cached by text, so repeated passages are free)."""
    chunk = passage.hit.chunk
    local = split_spans(chunk.text) or [(0, len(chunk.text))]
    texts = [chunk.text[s:e] for s, e in local]
    spans = [(chunk.start + s, chunk.start + e) for s, e in local]
    return Sentences(spans, texts, embed_texts(embedder, texts))


def parse_answer(text: str) -> list[tuple[str, list[int]]]:
    """Split generated text into (sentence without markers, cited numbers) pairs."""
    # "... jets. [1] Next" → "... jets [1]. Next" so that the splitter sees the boundary
    text = re.sub(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)", r"\2\1", text)
    pieces = [text[s:e] for s, e in split_spans(text)]
    out: list[tuple[str, list[int]]] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:  # "... jets. [1] Next sentence": the markers belong to the previous one
            out[-1][1].extend(int(n) for n in re.findall(r"\d+", lead.group(0)))
            piece = piece[lead.end() :]
        cited = [int(n) for m in _MARKERS.findall(piece) for n in re.findall(r"\d+", m)]
        clean = re.sub(r"\s+([.,;:!?])", r"\1", _MARKERS.sub("", piece)).strip()
        clean = re.sub(r"\s{2,}", " ", clean)
        if any(ch.isalnum() for ch in clean):
            out.append((clean, cited))
        elif out and cited:
            out[-1][1].extend(cited)
    return [(s, list(dict.fromkeys(c))) for s, c in out]


def _cited_sims(embedder: Embedder, sentence: str, sents: Sentences) -> np.ndarray:
    vec = embed_texts(embedder, [sentence])[0]
    return sents.vectors @ vec if len(sents.texts) else np.zeros(0)


def verify_sentence(
    embedder: Embedder,
    sentence: str,
    cited: list[int],
    passages: dict[int, Passage],
    sentences: dict[int, Sentences],
    question: str | None = None,
    *,
    quote: str | None = None,
    config: VerifyConfig | None = None,
    judge: EntailmentJudge | None = None,
) -> DraftSentence:
    """Check one sentence against the passages it cites; unknown markers are dropped.

    Each cited passage is aligned to the sentence (``quote`` from structured output pins the
    span) and the local checks run on that span; the sentence is supported when one cited
    passage passes them all (and the entailment ``judge``, if given, says yes). ``reasons``
    says why not. With ``question``, a sentence must also be on topic (share a content word
    with it or be close to it), so that text a source injects ("reply X") is not passed on.
    """
    valid = [n for n in cited if n in passages]
    if not valid:
        why = "no citation" if not cited else "cites no retrieved passage"
        return DraftSentence(sentence, [], supported=False, reasons=[why])
    config = config or VerifyConfig()
    results: list[tuple[int, Assessment]] = []
    for n in valid:
        sents = sentences[n]
        found = assess(
            sentence,
            sents.texts,
            sims=_cited_sims(embedder, sentence, sents).tolist(),
            meta=passages[n].hit.meta,
            quote=quote,
            config=config,
        )
        if found.supported and question:
            found = _answers_what_was_asked(sentence, question, found, config)
        results.append((n, found))
    passing = [(n, a) for n, a in results if a.supported]
    chosen = passing or [min(results, key=lambda r: len(r[1].reasons))]
    supports = []
    for n, found in chosen:
        spans = sentences[n].spans
        first, last = max(found.span.first, 0), max(found.span.last, 0)
        supports.append(Support(n, spans[first][0], spans[last][1]))
    reasons = [] if passing else list(chosen[0][1].reasons)
    if not reasons and question:
        stems = set(content_stems(sentence))
        if not stems & set(content_stems(question)):
            vec = embed_texts(embedder, [sentence])[0]
            if float(embed_query(embedder, question) @ vec) < MIN_RELEVANCE:
                reasons.append("off topic: unrelated to the question")
    if not reasons and judge is not None and judge.ready():
        verdict = judge.judge(sentence, chosen[0][1].evidence.span)
        if verdict != "supported":
            reasons.append(f"entailment judge: {verdict}")
    return DraftSentence(sentence, supports, supported=not reasons, reasons=reasons)


def _answers_what_was_asked(
    sentence: str, question: str, found: Assessment, config: VerifyConfig
) -> Assessment:
    """A sentence that restates the question's words ("... will hold its next summit in X")
    must find them in its span (or beside it): otherwise the span is about something else and
    only the sentence's other words match (``verify_max_missing_asked``)."""
    from service.verify.align import claim_stems, evidence_tokens

    asked = claim_stems(sentence) & claim_stems(question)
    missing = sorted(asked - evidence_tokens(found.evidence.context or found.evidence.span))
    if len(missing) <= config.max_missing_asked:
        return found
    why = f"content: the cited text does not say {', '.join(missing)} (words of the question)"
    return Assessment(found.span, found.evidence, [why])


def verify_answer(
    embedder: Embedder,
    text: str,
    passages: list[Passage],
    question: str | None = None,
    *,
    quotes: Sequence[str | None] | None = None,
    config: VerifyConfig | None = None,
    judge: EntailmentJudge | None = None,
    timings: dict[str, float] | None = None,
) -> list[DraftSentence]:
    """Verify every sentence of generated ``text`` against ``passages`` (and ``question``).

    ``quotes`` gives, per parsed sentence, the source text the model says it restates (from
    structured output); ``judge`` is the optional entailment judge, whose time is added to
    ``timings["judge"]`` (milliseconds) when ``timings`` is given.
    """
    by_n = {p.n: p for p in passages}
    parsed = parse_answer(text)
    needed = {n for _s, cited in parsed for n in cited if n in by_n}
    sents = {n: passage_sentences(embedder, by_n[n]) for n in needed}
    if len(parsed) > 1:  # one batch for every sentence's vector (cached for the checks)
        embed_texts(embedder, [s for s, _ in parsed])
    timed = TimedJudge(judge) if judge is not None else None
    out = [
        verify_sentence(
            embedder,
            s,
            cited,
            by_n,
            sents,
            question,
            quote=quotes[i] if quotes is not None and i < len(quotes) else None,
            config=config,
            judge=timed,
        )
        for i, (s, cited) in enumerate(parsed)
    ]
    if timings is not None and timed is not None:
        timings["judge"] = round(timings.get("judge", 0.0) + timed.ms, 2)
    return out


class TimedJudge:
    """An entailment judge that adds up the time it takes."""

    def __init__(self, judge: EntailmentJudge) -> None:
        self.inner = judge
        self.ms = 0.0
        self.skipped = False  # some sentence was verified without it (it was not ready)

    @property
    def available(self) -> bool:
        return self.inner.available

    def ready(self) -> bool:
        t = time.perf_counter()
        try:
            ok = self.inner.ready()
        finally:
            self.ms += (time.perf_counter() - t) * 1000.0
        self.skipped = self.skipped or not ok
        return ok

    def judge(self, sentence: str, span: str) -> str:
        t = time.perf_counter()
        try:
            return self.inner.judge(sentence, span)
        finally:
            self.ms += (time.perf_counter() - t) * 1000.0
