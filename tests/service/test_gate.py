"""The evidence gate every engine sees: its levels come from the settings or the fitted model."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from eval.calibrate import ask_threshold
from newsqa.settings import Settings
from service.answering.evidence_model import load_model
from service.answering.gate import worth_asking


def _settings(**kw: Any) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_the_ask_level_is_the_fitted_one_unless_set() -> None:
    fitted = load_model().ask_threshold
    assert 0.0 < fitted < load_model().answerable_threshold
    just_under = SimpleNamespace(p_answerable=fitted - 0.001)
    at = SimpleNamespace(p_answerable=fitted)
    assert not worth_asking(just_under, _settings())  # type: ignore[arg-type]
    assert worth_asking(at, _settings())  # type: ignore[arg-type]
    assert worth_asking(just_under, _settings(llm_ask_above=0.0))  # type: ignore[arg-type]
    assert not worth_asking(None, _settings(llm_ask_above=0.0))


def test_the_ask_level_is_under_every_answerable_question() -> None:
    def row(p: float, answerable: bool) -> dict[str, Any]:
        return {
            "assessment": SimpleNamespace(p_answerable=p),
            "q": SimpleNamespace(answerable=answerable),
        }

    rows = [row(0.456, True), row(0.197, True), row(0.05, False), row(0.9, True)]
    assert ask_threshold(rows) == 0.19
    assert ask_threshold([row(0.1, False)]) == 0.0
