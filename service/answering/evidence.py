"""The evidence scorer: features of every candidate sentence and of the question, combined by
weights fitted on the dev set's ``fit`` split (``python -m eval.calibrate``), never by hand.

Only the question is embedded at request time: sentence similarities come from the sentence
vectors stored at ingest. A candidate is a sentence inside a retrieved passage; its features
describe how well it (and its neighbours) match the question and whether it holds the kind of
thing the question asks for. The same features, pooled per question, give the probability that
the passages answer the question at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from newsqa.components.ner import holds_kind
from newsqa.text import STOPWORDS, content_stems, idf_weights, name_found, names, unpunctuated
from service.answering import Passage
from service.answering.answer_types import answer_type, has_answer
from service.answering.compose import question_parts
from service.answering.evidence_model import (
    EvidenceModel,
    load_model,
)
from service.answering.injection import instruction_spans
from service.retrieval import embed_query

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore
    from newsqa.settings import Settings


class KeywordSearch(Protocol):
    """What the scorer needs of the keyword index: does any chunk hold these words."""

    def search(self, query: str, k: int) -> list[tuple[str, float]]: ...


@dataclass
class Candidate:
    """One passage sentence with its features and fitted probability of being the answer."""

    passage: Passage
    index: int  # sentence number within the passage
    text: str
    start: int  # document offsets
    end: int
    similarity: float
    coverage: float
    context_coverage: float
    typed: bool
    features: list[float]
    p: float = 0.0


@dataclass
class Assessment:
    """The scored candidate sentences of one question (best first) and its answerability."""

    question: str
    candidates: list[Candidate]
    question_features: list[float]
    p_answerable: float
    answerable: bool
    kind: str | None = None
    missing_names: list[str] = field(default_factory=list)

    def best_span(self, n: int) -> tuple[int, int] | None:
        """Document span of the best sentence of passage ``n``."""
        for c in self.candidates:
            if c.passage.n == n:
                return c.start, c.end
        return None


@dataclass
class _Sentence:
    passage: Passage
    index: int
    start: int
    end: int
    text: str
    stems: set[str]
    similarity: float
    entities: tuple[tuple[str, str], ...]


def _passage_sentences(
    store: VectorStore, qvec: np.ndarray, passages: list[Passage]
) -> list[_Sentence]:
    """Sentences inside the passages with their stored similarity to the question."""
    stored = store.chunk_sentences([p.hit.chunk for p in passages], qvec)
    by_doc: dict[str, list] = {}
    for s in stored:
        by_doc.setdefault(s.doc_id, []).append(s)
    seen: set[tuple[str, int]] = set()
    out: list[_Sentence] = []
    for p in passages:
        chunk = p.hit.chunk
        inside = sorted(
            (
                s
                for s in by_doc.get(chunk.doc_id, [])
                if chunk.start <= s.start and s.end <= chunk.end
            ),
            key=lambda s: s.start,
        )
        for i, s in enumerate(inside):
            if (s.doc_id, s.index) in seen:
                continue  # overlapping chunks: the sentence belongs to the better passage
            seen.add((s.doc_id, s.index))
            text = chunk.text[s.start - chunk.start : s.end - chunk.start]
            out.append(
                _Sentence(
                    p,
                    i,
                    s.start,
                    s.end,
                    text,
                    set(content_stems(text)),
                    float(s.score),
                    s.entities,
                )  # fmt: skip
            )
    return out


def _flagged_spans(p: Passage) -> list[tuple[int, int]]:
    """Document spans of a passage that address a model (``injection``): never candidates."""
    chunk = p.hit.chunk
    return [(chunk.start + a, chunk.start + b) for a, b in instruction_spans(chunk.text)]


def _coverage(stems: set[str], q_stems: set[str], idf: dict[str, float], total: float) -> float:
    return sum(idf[t] for t in q_stems & stems) / total if q_stems else 0.0


class EvidenceScorer:
    """Scores the sentences of retrieved passages for a question and decides answerability.

    Built from its dependencies: the embedder (the question only), the store (sentence vectors
    and entities stored at ingest), the keyword index (names the whole index lacks) and the
    settings (fitted model path, refusal overrides).
    """

    def __init__(
        self, embedder: Embedder, store: VectorStore, keyword: KeywordSearch, settings: Settings
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.keyword = keyword
        self.settings = settings

    @property
    def model(self) -> EvidenceModel:
        """The fitted model (``evidence_model_path``, or the shipped one)."""
        return load_model(str(self.settings.evidence_model_path or ""))

    def assess_question(self, question: str, passages: list[Passage]) -> Assessment:
        """``assess``, and for a question in several parts ("How big ..., and how much ...?")
        that the whole fails, each part: answerable when a part is (the answer then gives
        what the passages hold, part by part)."""
        whole = self.assess(question, passages)
        parts = question_parts(question)
        if whole.answerable or len(parts) < 2 or not whole.candidates or whole.missing_names:
            return whole
        best = max((self.assess(part, passages) for part in part_context(parts)),
                   key=lambda a: a.p_answerable)  # fmt: skip
        if best.answerable:
            whole.p_answerable, whole.answerable = best.p_answerable, True
        return whole

    def assess(
        self, question: str, passages: list[Passage], model: EvidenceModel | None = None
    ) -> Assessment:
        """Score every sentence of ``passages`` for ``question`` and decide answerability."""
        model = model or self.model
        qvec = embed_query(self.embedder, question)
        kind = answer_type(question)
        q_stems = set(content_stems(question))
        q_names = sorted(names(question))
        flagged = {p.n: _flagged_spans(p) for p in passages}
        sents = [
            s
            for s in _passage_sentences(self.store, qvec, passages)
            if not any(a <= s.start and s.end <= b for a, b in flagged[s.passage.n])
        ]
        idf = idf_weights(q_stems, [s.stems for s in sents]) if sents else {}
        total = sum(idf.values()) or 1.0
        haystack = " ".join(f"{p.hit.meta.title} {p.hit.chunk.text}" for p in passages).lower()
        missing = [n for n in q_names if not name_found(n, haystack)]
        unknown = [n for n in missing if not self.keyword.search(n, 1)]
        covs = [_coverage(s.stems, q_stems, idf, total) for s in sents]
        best_sim = max((s.similarity for s in sents), default=0.0)
        best_cov = max(covs, default=0.0)
        k = max(len(passages) - 1, 1)
        candidates: list[Candidate] = []
        for j, s in enumerate(sents):
            prev = sents[j - 1] if j > 0 and sents[j - 1].passage is s.passage else None
            nxt = sents[j + 1] if j + 1 < len(sents) and sents[j + 1].passage is s.passage else None
            neighbours = [x for x in (prev, nxt) if x is not None]
            ctx_sim = max((x.similarity for x in neighbours), default=0.0)
            ctx_cov = max(
                [covs[j]] + [_coverage(s.stems | x.stems, q_stems, idf, total) for x in neighbours]
            )
            context = " ".join([s.text] + [x.text for x in neighbours]).lower()
            names_share = (
                sum(name_found(n, context) for n in q_names) / len(q_names) if q_names else 1.0
            )
            typed = bool(kind) and has_answer(kind, s.text, question)
            entity_typed = holds_kind(list(s.entities), kind, question)
            features = [
                s.similarity,
                best_sim - s.similarity,
                ctx_sim,
                covs[j],
                ctx_cov,
                best_cov - covs[j],
                float(typed),
                float(entity_typed),
                float(kind is not None),
                names_share,
                (s.passage.n - 1) / k,
                float(s.passage.hit.score),
                float(s.start == 0 or s.passage.hit.chunk.index == 0 and s.index == 0),
                float(unpunctuated(s.text)),
                math.log(max(len(s.text), 1)),
            ]
            candidates.append(
                Candidate(
                    s.passage,
                    s.index,
                    s.text,
                    s.start,
                    s.end,
                    s.similarity,
                    covs[j],
                    ctx_cov,
                    typed,
                    features,
                    model.sentence_p(features),
                )  # fmt: skip
            )
        candidates.sort(key=lambda c: (-c.p, c.passage.n, c.index))
        union: set[str] = set().union(*(s.stems for s in sents)) if sents else set()
        union_cov = _coverage(union, q_stems, idf, total) if q_stems else 1.0
        several = len(question_parts(question)) > 1
        q_features = question_features(
            candidates, kind, q_names, missing, unknown, passages, union_cov, several
        )
        p_answerable = model.question_p(q_features) if candidates else 0.0
        threshold = self.settings.refusal_threshold
        if threshold is None:
            threshold = model.answerable_threshold
        return Assessment(
            question=question,
            candidates=candidates,
            question_features=q_features,
            p_answerable=p_answerable,
            answerable=bool(candidates)
            and p_answerable >= threshold
            and not (unknown and self.settings.refuse_unknown_names),
            kind=kind,
            missing_names=unknown,
        )


def part_context(parts: list[str]) -> list[str]:
    """The parts of a question; a later part that names nothing gets the first part's names
    ("how much is it raising?" → "how much is it raising? (Acme)"): it refers back to them."""
    lead = re.findall(r"\b[A-Z][A-Za-z]+", parts[0])[1:]  # capitalised words but the first
    extra = list(dict.fromkeys(n for n in lead if n.lower() not in STOPWORDS))
    tail = f" ({' '.join(extra)})" if extra else ""
    return [parts[0]] + [p if names(f"x {p}") else p + tail for p in parts[1:]]


def question_features(
    candidates: list[Candidate],
    kind: str | None,
    q_names: list[str],
    missing: list[str],
    unknown: list[str],
    passages: list[Passage],
    union_coverage: float,
    several_parts: bool = False,
) -> list[float]:
    """The question-level features (``QUESTION_FEATURES``) from scored candidates."""
    ps = sorted((c.p for c in candidates), reverse=True) + [0.0, 0.0]
    return [
        ps[0],
        ps[1],
        max((c.similarity for c in candidates), default=0.0),
        max((c.coverage for c in candidates), default=0.0),
        max((c.p for c in candidates if c.typed), default=0.0),
        float(kind is not None),
        len(missing) / len(q_names) if q_names else 0.0,
        float(bool(unknown)),
        max((float(p.hit.score) for p in passages), default=0.0),
        max((c.context_coverage for c in candidates), default=0.0),
        union_coverage,
        max((c.context_coverage for c in candidates if c.typed), default=0.0),
        float(bool(candidates) and candidates[0].typed),
        float(any(c.typed for c in candidates[:2])),
        float(several_parts),
    ]
