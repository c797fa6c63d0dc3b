"""Text evidence (content words, numbers, names, embeddings) and answer verification.

A generated sentence is supported when its content words, numbers and names are found in the
passages it cites and its embedding is close to one of their sentences. Markers that point to
no passage are dropped.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

import numpy as np

from newsqa.components.embeddings import Embedder
from service.answering import DraftSentence, Passage, Support
from service.retrieval import embed_query, embed_texts

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom whose why will with would you your yours yourself
    yourselves many much does did according said says say tell told us via per may might must
    shall one ones ever yet still whether within without upon"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MARKERS = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")

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


_local = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """One Snowball stemmer per thread (stemmer objects are not thread-safe)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the non-stopword words of ``text`` (order kept, duplicates kept)."""
    toks = [w.split("'")[0] for w in words(text)]
    toks = [w for w in toks if w and w not in STOPWORDS and len(w) > 1]
    return list(_stemmer().stemWords(toks)) if toks else []


def numbers(text: str) -> set[str]:
    """Numbers written with digits, normalised (``1,500`` → ``1500``)."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words other than the first word that are not stopwords (lower-cased)."""
    toks = re.findall(r"[A-Za-z]+", text)
    return {
        t.lower() for t in toks[1:] if t[0].isupper() and len(t) > 1 and t.lower() not in STOPWORDS
    }


def name_found(name: str, haystack: str) -> bool:
    """Whether a (lower-cased) name occurs in lower-cased text, allowing a short suffix change."""
    return name in haystack or (len(name) > 5 and name[:-2] in haystack)


def idf_weights(question_stems: set[str], sentence_stems: list[set[str]]) -> dict[str, float]:
    """BM25-style IDF of each question term over a set of sentences."""
    total = len(sentence_stems)
    out = {}
    for term in question_stems:
        df = sum(term in s for s in sentence_stems)
        out[term] = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
    return out


def local_coverage(
    stems: list[set[str]], q_stems: set[str], idf: dict[str, float], total: float
) -> list[float]:
    """Per sentence: IDF-weighted share of the question's words in it or it plus a neighbour."""

    def cov(terms: set[str]) -> float:
        return sum(idf[t] for t in q_stems & terms) / total

    out = []
    for i, own in enumerate(stems):
        best = cov(own)
        if i > 0:
            best = max(best, cov(own | stems[i - 1]))
        if i + 1 < len(stems):
            best = max(best, cov(own | stems[i + 1]))
        out.append(best)
    return out


def looks_like_instruction(text: str) -> bool:
    """Whether text addresses a model with instructions (a prompt injection), not news."""
    return bool(_INSTRUCTION.search(text))


def split_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (the ingest splitter, so spans match chunk sentences)."""
    from ingest.chunking import split_sentences

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
