"""The /ask use case: standalone question → hybrid retrieval → engine → verified response."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newsqa.components.store import ChunkFilter
from newsqa.types import ScoredChunk
from service.answering import Draft, DraftSentence, Passage, spelling
from service.answering.asked import asked_question
from service.answering.evidence import EvidenceScorer
from service.answering.extractive import REFUSAL
from service.answering.gate import clearly_answerable, worth_asking
from service.answering.injection import only_instructions
from service.answering.response import build_response, candidate_citations, delta
from service.schemas import AskRequest, AskResponse

if TYPE_CHECKING:
    from newsqa.components.store import VectorStore
    from newsqa.settings import Settings
    from service.answering.bylines import Bylines
    from service.answering.spelling import Speller
    from service.retrieval import Retriever
    from service.state import ServiceState

NO_MATCH = "no indexed document matches the filters (outlet, dates or document ids)"


def warm_up(state: ServiceState, limit: int = 200) -> int:
    """Embed the sentences of up to ``limit`` chunks ahead of time.

    On a small corpus this covers every chunk, so the first questions are fast; on a large one
    it stays a short start-up cost (the cache fills as questions arrive).
    """
    from service.answering.verification import split_spans
    from service.retrieval import embed_texts

    state.ensure_ready()
    count = 0
    for _chunk_id, text, _meta in state.store.iter_chunks():
        if count >= limit:
            break
        embed_texts(state.embedder, [text[s:e] for s, e in split_spans(text)])
        count += 1
    return count


def warm_up_in_background(state: ServiceState, limit: int = 200) -> threading.Thread:
    """Run ``warm_up`` in a daemon thread (errors are ignored: requests then embed lazily)."""

    def run() -> None:
        with contextlib.suppress(Exception):  # index not ready yet: requests embed lazily
            warm_up(state, limit)

    thread = threading.Thread(target=run, name="newsqa-warm-up", daemon=True)
    thread.start()
    return thread


def trusted_hits(
    retriever: Retriever, question: str, k: int, flt: ChunkFilter | None
) -> list[ScoredChunk]:
    """``retriever.search`` without chunks that hold nothing but instructions to a model
    (prompt injection). Such chunks stay searchable (``/search``) but never reach an engine or
    an answer; in a chunk that also holds news, the instruction sentences are no candidate
    answer (``evidence``) and are left out of a model's prompt (``prompts``)."""
    hits = retriever.search(question, k, flt)
    clean = [h for h in hits if not only_instructions(h.chunk.text)]
    if len(clean) < len(hits):
        more = retriever.search(question, 2 * k + 10, flt)
        clean = [h for h in more if not only_instructions(h.chunk.text)][:k]
    return clean


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000.0, 2)


class AnswerService:
    """The /ask use case, built from its parts: standalone question → retrieval → evidence
    (refusal gate) → engine → verified response."""

    def __init__(
        self,
        retriever: Retriever,
        scorer: EvidenceScorer,
        engine: Any,
        store: VectorStore,
        settings: Settings,
        bylines: Bylines | None = None,
        speller: Speller | None = None,
    ) -> None:
        self.retriever = retriever
        self.scorer = scorer
        self.engine = engine
        self.store = store
        self.settings = settings
        self.bylines = bylines
        self.speller = speller

    def answer(self, req: AskRequest) -> AskResponse:
        """Answer one question (with optional history and filters) from the index."""
        run = _Run(req, self)
        *_sentences, draft = run.sentences()
        assert isinstance(draft, Draft)
        return run.finish(draft)

    def stream(self, req: AskRequest) -> Iterator[tuple[str, dict]]:
        """Events: ``citations`` (candidates), a ``delta`` per verified sentence, ``final``.

        A sentence is sent only once verified, so the text streamed is the final answer's (or
        the refusal, when nothing is verified).
        """
        run = _Run(req, self)
        cited = candidate_citations(run.passages, run.assessment)
        yield "citations", {"citations": [c.model_dump() for c in cited]}
        sent: list[DraftSentence] = []
        for item in run.sentences():
            if isinstance(item, Draft):
                response = run.finish(item)
                if not response.answerable:
                    yield "delta", {"text": (" " if sent else "") + response.answer}
                yield "final", response.model_dump()
            else:
                yield "delta", {"text": delta(item, sent)}
                sent.append(item)


class _Run:
    """The steps of one answer, shared by ``AnswerService.answer`` and ``.stream``."""

    def __init__(self, req: AskRequest, service: AnswerService) -> None:
        self.t0 = time.perf_counter()
        self.service = service
        self.engine = service.engine
        self.timings: dict[str, float] = {}
        self.byline = False  # answered from an article's byline (set by ``sentences``)
        t = time.perf_counter()
        # instructions about the reply's form ("Reply in JSON.") are not part of what is asked
        history = [  # read, not validated again: what is left of a turn is never longer
            t.model_copy(update={"content": asked_question(t.content)}) if t.role == "user" else t
            for t in req.history
        ]
        self.question = self.engine.standalone(asked_question(req.question), history)
        self.corrections: list[tuple[str, str]] = []
        if service.speller is not None:  # "fihgters" read as "fighters"
            self.question, self.corrections = service.speller.correct(self.question)
        flt = service.retriever.chunk_filter(req.filters)
        self.filtered = flt is not None
        hits = trusted_hits(service.retriever, self.question, req.top_k, flt)
        self.passages = [Passage(i + 1, hit) for i, hit in enumerate(hits)]
        self.timings["retrieve"] = _ms(t)
        t = time.perf_counter()  # sentence scoring: the refusal gate and the extractive answer
        scorer = service.scorer
        found = scorer.assess_question(self.question, self.passages) if self.passages else None
        self.assessment = found
        self.timings["evidence"] = _ms(t)

    def sentences(self) -> Iterator[DraftSentence | Draft]:
        """The engine's verified sentences as they are ready, then its final draft.

        A question about an article's byline is answered from it (``Bylines``); clearly
        unanswerable questions (the evidence gate) are refused without the engine.
        """
        t = time.perf_counter()
        bylines = self.service.bylines
        byline = (
            bylines.draft(self.question, self.passages, self.engine.name, self.filtered)
            if bylines
            else None
        )
        self.byline = byline is not None
        if byline is not None:
            draft = byline
            yield from byline.sentences
        elif not worth_asking(self.assessment, self.service.settings):
            draft = Draft([], answerable=False, engine=self.engine.name, refusal=REFUSAL)
            if self.filtered and not self.passages:
                draft.notice = NO_MATCH
        else:
            draft = Draft([], answerable=False, engine=self.engine.name, refusal=REFUSAL)
            for item in self.engine.respond(self.question, self.passages, self.assessment):
                if isinstance(item, Draft):
                    draft = item
                elif item.supported:
                    self.timings.setdefault("first_sentence", _ms(self.t0))
                    yield item
        self.timings["generate"] = draft.timings_ms.get("generate", _ms(t))
        self.timings["verify"] = draft.timings_ms.get("verify", 0.0)
        if "judge" in draft.timings_ms:
            self.timings["judge"] = draft.timings_ms["judge"]
        yield draft

    def finish(self, draft: Draft) -> AskResponse:
        cited = {s.n for sentence in draft.sentences for s in sentence.supports}
        doc_ids = [p.hit.chunk.doc_id for p in self.passages if p.n in cited]
        documents = dict(draft.documents)
        unread = [d for d in doc_ids if d not in documents]
        if draft.answerable and unread:
            documents |= self.service.store.document_texts(unread)
        self.timings["total"] = _ms(self.t0)
        response = build_response(draft, self.passages, self.assessment, self.timings, documents)
        if self.corrections:
            said = spelling.notice(self.corrections)
            response.notice = f"{said} {response.notice}" if response.notice else said
        if self.assessment is not None:
            response.confidence = round(self.assessment.p_answerable, 3)
        # a byline answer reads the article's metadata, not evidence the gate scores
        response.tentative = (
            response.answerable
            and not self.byline
            and not clearly_answerable(self.assessment, self.service.settings)
        )
        return response


def answer_question(req: AskRequest, state: ServiceState) -> AskResponse:
    """``AnswerService.answer`` with the service's parts."""
    return state.answers.answer(req)


def stream_answer(req: AskRequest, state: ServiceState) -> Iterator[tuple[str, dict]]:
    """``AnswerService.stream`` with the service's parts."""
    return state.answers.stream(req)
