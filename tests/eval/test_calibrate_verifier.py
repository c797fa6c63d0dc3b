"""``eval.calibrate_verifier.cross_validate``: each pair is judged by settings fitted without it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from eval import calibrate_verifier as cv
from eval.dataset import JudgePair
from newsqa.types import DocumentMeta
from service.verify.config import VerifyConfig


def _prepared(n: int) -> list[cv.Prepared]:
    out = []
    for i in range(n):
        supported = i % 2 == 0
        pair = JudgePair(
            id=f"p{i}",
            sentence=f"sentence {i}",
            passage=f"passage {i}",
            supported=supported,
            kind="supported" if supported else "negation",
            split="fit",
        )
        out.append(cv.Prepared(pair, [pair.passage], [1.0], DocumentMeta(title=f"t{i}")))
    return out


def test_each_fold_is_judged_by_settings_fitted_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trained: list[set[str]] = []

    def fake_fit(prepared: Sequence[cv.Prepared], start: Any = None, **_: Any) -> VerifyConfig:
        ids = {p.pair.id for p in prepared}
        trained.append(ids)
        # a config that remembers its fold: max_missing is the fold's number
        return replace(VerifyConfig(), max_missing=len(trained))

    judged: dict[str, int] = {}

    def fake_verdicts(
        prepared: Sequence[cv.Prepared], config: VerifyConfig, judge: Any = None
    ) -> list[tuple[bool, list[str]]]:
        for p in prepared:
            judged[p.pair.id] = config.max_missing
        return [(True, []) for _ in prepared]  # accept everything

    monkeypatch.setattr(cv, "fit", fake_fit)
    monkeypatch.setattr(cv, "verdicts", fake_verdicts)
    items = _prepared(23)
    found = cv.cross_validate(items, folds=4, seed=1, log=lambda _m: None)
    assert len(trained) == 4
    assert set(judged) == {p.pair.id for p in items}  # every pair judged once, held out
    for pair_id, fold in judged.items():
        assert pair_id not in trained[fold - 1]
        assert len(trained[fold - 1]) >= 23 - 6
    # accepting everything: every unsupported pair is a false accept, no false reject
    assert found["figures"]["false_accept"] == 1.0
    assert found["figures"]["false_reject"] == 0.0
    assert found["varied"] == {"max_missing": [1, 2, 3, 4]}
