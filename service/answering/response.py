"""The public response from an engine's draft: citations that quote exact spans (with who
claims them), the answer text with its ``[n]`` markers, and each sentence's verdict."""

from __future__ import annotations

from newsqa.claims import claim_of
from service.answering import Draft, DraftSentence, Passage
from service.answering.evidence import Assessment
from service.answering.extractive import REFUSAL
from service.schemas import AnswerSentence, AskResponse, Citation


def _citation(passage: Passage, start: int, end: int, document: str | None = None) -> Citation:
    """The citation of ``passage`` quoting ``[start, end)``, with who claims it.

    The speaker is read in the chunk, or in the whole ``document`` text when given (it reaches
    a quote block's introduction further up).
    """
    hit = passage.hit
    chunk = hit.chunk
    start, end = max(start, chunk.start), min(end, chunk.end)
    if document is not None:
        claim = claim_of(document, start, end, hit.meta.source)
    else:
        claim = claim_of(chunk.text, start - chunk.start, end - chunk.start, hit.meta.source)
    return Citation(
        id=passage.n,
        doc_id=chunk.doc_id,
        chunk_id=chunk.chunk_id,
        title=hit.meta.title,
        source=hit.meta.source,
        url=hit.meta.url,
        published=hit.meta.published,
        author=hit.meta.author,
        quote=chunk.text[start - chunk.start : end - chunk.start],
        start=start,
        end=end,
        score=round(float(hit.score), 4),
        speaker=claim.speaker,
        reported_by=claim.reported_by,
    )


def candidate_citations(passages: list[Passage], assessment: Assessment | None) -> list[Citation]:
    """Every retrieved passage, quoting its sentence closest to the question."""
    out = []
    for p in passages:
        span = assessment.best_span(p.n) if assessment else None
        start, end = span or (p.hit.chunk.start, p.hit.chunk.end)
        out.append(_citation(p, start, end))
    return out


def _marks(citations: list[int]) -> str:
    return "".join(f"[{n}]" for n in citations)


def answer_text(sentences: list[DraftSentence]) -> str:
    """Sentences joined by spaces; list items each on a line of their own ("- item [n]")."""
    parts: list[str] = []
    for s in sentences:
        line = f"{s.text} {_marks(s.citations)}".strip()
        if s.kind == "item":
            parts.append(f"\n- {line}")
        elif parts and parts[-1].startswith("\n- "):
            parts.append(f"\n\n{line}")
        else:
            parts.append((" " if parts else "") + line)
    return "".join(parts)


def _answer_sentence(s: DraftSentence) -> AnswerSentence:
    return AnswerSentence(
        text=s.text,
        citations=s.citations,
        supported=s.supported,
        reasons=s.reasons,
        kind="item" if s.kind == "item" else "sentence",
    )


def build_response(
    draft: Draft,
    passages: list[Passage],
    assessment: Assessment | None,
    timings: dict[str, float],
    documents: dict[str, str] | None = None,
) -> AskResponse:
    """Turn an engine draft into the public response (citations quote exact spans).

    ``documents`` (full texts by id) let a citation's speaker be read beyond its chunk.
    """
    kept = [s for s in draft.sentences if s.supported]
    if not draft.answerable or not kept:
        return AskResponse(  # what verification removed stays visible, with its reasons
            answer=draft.refusal or REFUSAL,
            answerable=False,
            citations=candidate_citations(passages, assessment),
            sentences=[_answer_sentence(s) for s in draft.sentences if not s.supported],
            engine=draft.engine,
            timings_ms=timings,
            notice=draft.notice,
        )
    by_n = {p.n: p for p in passages}
    spans: dict[int, tuple[int, int]] = {}
    for sentence in draft.sentences:
        for sup in sentence.supports:
            old = spans.get(sup.n)
            spans[sup.n] = (
                (sup.start, sup.end)
                if old is None
                else (min(old[0], sup.start), max(old[1], sup.end))
            )
    answer = answer_text(kept)
    return AskResponse(
        answer=answer,
        answerable=True,
        citations=[
            _citation(by_n[n], *spans[n], (documents or {}).get(by_n[n].hit.chunk.doc_id))
            for n in sorted(spans)
            if n in by_n
        ],
        sentences=[_answer_sentence(s) for s in draft.sentences],
        engine=draft.engine,
        timings_ms=timings,
        notice=draft.notice,
    )


def delta(sentence: DraftSentence, before: list[DraftSentence]) -> str:
    """A verified sentence as it appears in the answer (``build_response``'s format)."""
    return answer_text([*before, sentence])[len(answer_text(before)) :]
