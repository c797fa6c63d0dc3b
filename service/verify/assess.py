"""One sentence against one passage: align, then run the local checks on the span."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from newsqa.attribution import attributions, without_attribution
from newsqa.types import DocumentMeta
from service.verify.align import Span, align
from service.verify.checks import check
from service.verify.config import VerifyConfig
from service.verify.evidence import Evidence


@dataclass(frozen=True)
class Assessment:
    """The aligned span of a passage and why the sentence is not supported by it."""

    span: Span
    evidence: Evidence
    reasons: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return not self.reasons


def assess(
    sentence: str,
    texts: Sequence[str],
    *,
    sims: Sequence[float] | None = None,
    meta: DocumentMeta | None = None,
    quote: str | None = None,
    config: VerifyConfig | None = None,
) -> Assessment:
    """Check ``sentence`` against the passage whose sentences are ``texts``.

    ``sims`` are the cosines of the sentence to each of ``texts`` (without them the
    similarity floor is not applied); ``meta`` gives the outlet, title and author that may be
    named as a speaker; ``quote`` pins the span when it is found in the passage. A quote is
    the model's hint, often of the wrong sentence: when the span it pins does not support the
    sentence, the sentence is aligned on its own words as well, and the better span counts.
    """
    found = _assess(sentence, texts, sims=sims, meta=meta, quote=quote, config=config)
    if quote and found.reasons:
        own = _assess(sentence, texts, sims=sims, meta=meta, quote=None, config=config)
        if len(own.reasons) < len(found.reasons):
            return own
    return found


def _assess(
    sentence: str,
    texts: Sequence[str],
    *,
    sims: Sequence[float] | None,
    meta: DocumentMeta | None,
    quote: str | None,
    config: VerifyConfig | None,
) -> Assessment:
    config = config or VerifyConfig()
    meta = meta or DocumentMeta()
    claim = without_attribution(sentence) if attributions(sentence) else sentence
    span = align(
        claim or sentence,
        texts,
        sims,
        config.widen_margin,
        quote,
        config.align_reach,
        config.span_sentences,
    )
    evidence = Evidence(
        span=" ".join(texts[i] for i in span.members),
        before=" ".join(texts[: max(span.first, 0)]),
        near=" ".join(
            texts[max(span.first - config.name_context, 0) : span.last + 1 + config.name_context]
        ),
        context=" ".join(
            texts[
                max(span.first - config.content_context, 0) : span.last + 1 + config.content_context
            ]
        ),
        outlet=meta.source,
        title=meta.title,
        author=meta.author,
        sentences=tuple(texts[i] for i in range(len(texts)) if i not in span.members),
    )
    reasons = check(sentence, evidence, config) if texts else ["no cited text"]
    if span.similarity is not None and span.similarity < config.min_similarity:
        reasons.insert(0, f"similarity: {span.similarity:.2f} to the cited text is too low")
    return Assessment(span, evidence, reasons)
