"""``eval.scoring.aggregate``: how far the response's ``tentative`` mark can be trusted."""

from __future__ import annotations

import math
from typing import Any

from eval.metrics import KS
from eval.scoring import aggregate


def record(gold: bool, answered: bool, right: bool, tentative: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "fact",
        "gold_answerable": gold,
        "answerable": answered,
        "tentative": tentative,
        "latency_ms": 10.0,
        "sources": ["X"],
        "problems": [],
    }
    if gold:
        retrieval = {f"{m}@{k}": 1.0 for m in ("hit", "recall") for k in KS}
        out.update(
            retrieval={**retrieval, "mrr": 1.0},
            key_fact_recall=1.0 if right else 0.0,
            answer_f1=0.5,
        )
    return out


def test_answers_right_with_and_without_the_tentative_mark() -> None:
    records = [
        record(gold=True, answered=True, right=True, tentative=False),
        record(gold=True, answered=True, right=True, tentative=False),
        record(gold=False, answered=True, right=False, tentative=False),  # answered wrongly
        record(gold=True, answered=True, right=True, tentative=True),
        record(gold=True, answered=True, right=False, tentative=True),
        record(gold=False, answered=True, right=False, tentative=True),
        record(gold=False, answered=False, right=False, tentative=False),  # refused: not counted
    ]
    metrics = aggregate(records)["metrics"]
    assert math.isclose(metrics["confident_answers_right"], 2 / 3)
    assert math.isclose(metrics["tentative_answers_right"], 1 / 3)
    assert math.isclose(metrics["tentative_share"], 3 / 6)
