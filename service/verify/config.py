"""The verifier's thresholds: one frozen record built from the settings (``verify_*``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from newsqa.settings import Settings


def _default(name: str) -> Any:
    return Settings.model_fields[f"verify_{name}"].default


@dataclass(frozen=True)
class VerifyConfig:
    """Thresholds of the local checks; defaults are the settings' defaults."""

    min_similarity: float = _default("min_similarity")
    min_coverage: float = _default("min_coverage")
    max_missing: int = _default("max_missing")
    max_missing_asked: int = _default("max_missing_asked")
    clause_coverage: float = _default("clause_coverage")
    widen_margin: float = _default("widen_margin")
    negation_scope: int = _default("negation_scope")
    name_context: int = _default("name_context")
    role_reach: int = _default("role_reach")
    content_context: int = _default("content_context")
    align_reach: int = _default("align_reach")
    span_sentences: int = _default("span_sentences")
    context_weight: float = _default("context_weight")
    borrow_names: bool = _default("borrow_names")
    anchor_reach: int = _default("anchor_reach")
    anchor_share: float = _default("anchor_share")

    @classmethod
    def from_settings(cls, settings: Any) -> VerifyConfig:
        return cls(**{f.name: getattr(settings, f"verify_{f.name}") for f in fields(cls)})
