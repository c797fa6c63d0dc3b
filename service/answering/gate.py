"""The evidence gate as every engine sees it, and the extractive engine on the shared protocol.

The evidence scorer (``extractive.assess``) says how likely the passages answer the question
(``p_answerable``). Below ``llm_ask_above`` there is clearly nothing here: every engine refuses
and no model is asked. From ``llm_gate_above`` the question is clearly answerable: the
extractive answer may stand in when a model's answer fails. In between, an LLM engine answers
and verification decides; the extractive engine answers only what its own gate passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from service.answering import Draft, DraftSentence, Passage
from service.answering.evidence import Assessment, load_model
from service.answering.extractive import ExtractiveEngine

if TYPE_CHECKING:
    from newsqa.settings import Settings


def worth_asking(assessment: Assessment | None, settings: Settings) -> bool:
    """Whether the evidence is strong enough for an engine to try (else: refuse outright)."""
    return assessment is not None and assessment.p_answerable >= settings.llm_ask_above


def clearly_answerable(assessment: Assessment | None, settings: Settings) -> bool:
    """Whether the extractive answer passes the gate on its own."""
    if assessment is None or not assessment.answerable:
        return False
    level = settings.llm_gate_above
    if level is None:
        level = load_model(str(settings.evidence_model_path or "")).clear_threshold
    return assessment.p_answerable >= level


class Extractive(ExtractiveEngine):
    """The extractive engine on the shared protocol: its sentences are verbatim (verified)."""

    def respond(
        self, question: str, passages: list[Passage], assessment: Any
    ) -> Iterator[DraftSentence | Draft]:
        draft = self.draft(assessment, passages)
        yield from draft.sentences
        yield draft
