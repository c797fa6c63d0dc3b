"""The evidence gate as every engine sees it.

The evidence scorer (``evidence.EvidenceScorer``) says how likely the passages answer the question
(``p_answerable``). Below ``llm_ask_above`` there is clearly nothing here: every engine refuses
and no model is asked. From ``llm_gate_above`` the question is clearly answerable: the
extractive answer may be served without asking the model, or stand in for a model's answer
that states nothing of the kind asked. In between, an LLM engine answers and verification
decides; the extractive engine answers only what its own gate passes
(``extractive_answers``), and so does it when verification removes every sentence the model
wrote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.answering.evidence import Assessment
from service.answering.evidence_model import load_model

if TYPE_CHECKING:
    from newsqa.settings import Settings


def worth_asking(assessment: Assessment | None, settings: Settings) -> bool:
    """Whether the evidence is strong enough for an engine to try (else: refuse outright):
    ``llm_ask_above``, unset: the fitted level under every answerable question of ``fit``."""
    if assessment is None:
        return False
    return assessment.p_answerable >= _level(settings, settings.llm_ask_above, "ask_threshold")


def clearly_answerable(assessment: Assessment | None, settings: Settings) -> bool:
    """Whether the evidence clearly answers (``llm_gate_above``, unset: the fitted level from
    which extractive answers were right at least 95% of the time on ``fit``)."""
    if assessment is None or not assessment.answerable:
        return False
    return assessment.p_answerable >= _level(settings, settings.llm_gate_above, "clear_threshold")


def _level(settings: Settings, value: float | None, fitted: str) -> float:
    """A gate level: the setting's ``value``, or when unset the fitted model's ``fitted``."""
    if value is not None:
        return value
    return float(getattr(load_model(str(settings.evidence_model_path or "")), fitted))


def extractive_answers(assessment: Assessment | None) -> bool:
    """Whether the extractive engine answers on its own (its fitted refusal gate)."""
    return assessment is not None and assessment.answerable
