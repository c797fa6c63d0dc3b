"""Text evidence (content words, numbers, names, embeddings) and answer verification.

A generated sentence is supported when its content words, numbers and names are found in the
passages it cites and its embedding is close to one of their sentences. Markers that point to
no passage are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
from service.retrieval import embed_query, embed_texts

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|of)\s+)*"
    r"(?:(?:previous|prior|above|earlier|preceding|system|other)\s+)?"
    r"(?:instructions?|prompts?|directions|guidelines)\b"
    r"|^\s*(?:system|assistant|developer)\s*:"
    r"|\byou (?:must|should|will|are to|have to) (?:now )?(?:ignore|reply|respond|answer|say|"
    r"output|print|write)\b",
    re.IGNORECASE | re.MULTILINE,
)

# Thresholds of ``verify_sentence`` (see the report for how they were chosen).
MIN_COVERAGE = 0.5
MIN_SIMILARITY = 0.45
MIN_RELEVANCE = 0.15  # to the question, for sentences sharing none of its content words


def looks_like_instruction(text: str) -> bool:
    """Whether text addresses a model with instructions (a prompt injection), not news."""
    return bool(_INSTRUCTION.search(text))


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


def verify_sentence(
    embedder: Embedder,
    sentence: str,
    cited: list[int],
    passages: dict[int, Passage],
    sentences: dict[int, Sentences],
    question: str | None = None,
) -> DraftSentence:
    """Check one sentence against the passages it cites; unknown markers are dropped.

    With ``question``, a sentence must also be on topic (share a content word with it or be
    close to it), so that text a source injects ("reply X") is not passed on as an answer.
    """
    valid = [n for n in cited if n in passages]
    if not valid:
        return DraftSentence(sentence, [], supported=False)
    evidence = " ".join(passages[n].hit.chunk.text for n in valid)
    lowered = evidence.lower()
    stems = set(content_stems(sentence))
    evidence_stems = set(content_stems(evidence))
    coverage = len(stems & evidence_stems) / len(stems) if stems else 0.0
    numbers_ok = numbers(sentence) <= numbers(evidence)
    names_ok = all(name_found(n, lowered) for n in names(sentence))
    vec = embed_texts(embedder, [sentence])[0]
    supports: list[Support] = []
    best_sim = -1.0
    for n in valid:
        sents = sentences[n]
        sims = sents.vectors @ vec
        lex = np.array([len(stems & set(content_stems(t))) for t in sents.texts], dtype=float)
        lex = lex / max(len(stems), 1)
        rank = sims + lex
        i = int(np.argmax(rank))
        best_sim = max(best_sim, float(sims.max()))
        start, end = sents.spans[i]
        # widen to the neighbour when the pair covers more of the sentence's words
        if i + 1 < len(sents.texts) and lex[i + 1] > 0:
            pair = stems & set(content_stems(sents.texts[i] + " " + sents.texts[i + 1]))
            if len(pair) > lex[i] * len(stems) + 0.5:
                end = sents.spans[i + 1][1]
        supports.append(Support(n, start, end))
    ok = numbers_ok and names_ok and coverage >= MIN_COVERAGE and best_sim >= MIN_SIMILARITY
    if ok and question and not stems & set(content_stems(question)):
        ok = float(embed_query(embedder, question) @ vec) >= MIN_RELEVANCE
    return DraftSentence(sentence, supports, supported=ok)


def verify_answer(
    embedder: Embedder, text: str, passages: list[Passage], question: str | None = None
) -> list[DraftSentence]:
    """Verify every sentence of generated ``text`` against ``passages`` (and ``question``)."""
    by_n = {p.n: p for p in passages}
    parsed = parse_answer(text)
    needed = {n for _s, cited in parsed for n in cited if n in by_n}
    sents = {n: passage_sentences(embedder, by_n[n]) for n in needed}
    return [verify_sentence(embedder, s, cited, by_n, sents, question) for s, cited in parsed]
