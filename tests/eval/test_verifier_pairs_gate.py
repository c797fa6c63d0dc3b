"""Gate on the answer verifier's error rates on the labelled ``check`` judge pairs (no LLM).

The pairs (``data/dev/judge_pairs.jsonl``, written over the dev articles) are scored as the
service would score them (``eval.calibrate_verifier``); the ``verify_*`` settings were fitted
on the ``fit`` pairs only. Issue 12's target is false accept <= 0.10 and false reject <= 0.10
for every kind on ``check``. The third session added 70 ``check`` pairs (``dz*``, written by a
helper over ``check`` articles and never read by the developer) to the 135 earlier ones; they
are harder than the earlier pairs. Measured with the shipped settings on all 205 (see
docs/verification.md): false accept 0.136 (14 of 103), false reject
0.167 (17 of 102), worst unsupported kind swapped_entity 0.35 (7 of 20). The target is not
reached; the gate sits just above what is measured so that any regression fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PAIRS = Path("data/dev/judge_pairs.jsonl")
MAX_FALSE_ACCEPT = 0.15  # target 0.10; measured 0.136
MAX_FALSE_REJECT = 0.18  # target 0.10; measured 0.167
MAX_KIND_ERROR = 0.37  # target 0.10 per kind; measured worst 0.35 (swapped_entity)


@pytest.fixture(scope="module")
def check_figures() -> dict[str, Any]:
    from eval.calibrate_verifier import prepare, rates, verdicts
    from eval.dataset import load_judge_pairs
    from newsqa.components.embeddings import get_embedder
    from newsqa.settings import Settings
    from service.verify.config import VerifyConfig

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    pairs = [p for p in load_judge_pairs(PAIRS) if p.split == "check"]
    found = verdicts(prepare(get_embedder(settings), pairs), VerifyConfig.from_settings(settings))
    figures = rates(pairs, [ok for ok, _ in found])["check"]
    figures["unexplained"] = [p.id for p, (ok, why) in zip(pairs, found, strict=True)
                              if not ok and not why]  # fmt: skip
    return figures


def test_check_pairs_cover_every_kind(check_figures: dict[str, Any]) -> None:
    kinds = check_figures["kinds"]
    expected = {"supported", "negation", "changed_number", "swapped_entity", "wrong_speaker",
                "added_cause", "extra_detail"}  # fmt: skip
    assert expected <= set(kinds)
    assert all(kinds[k]["n"] >= 7 for k in expected), kinds


def test_false_accept_and_false_reject_gate(check_figures: dict[str, Any]) -> None:
    assert check_figures["false_accept"] <= MAX_FALSE_ACCEPT, check_figures
    assert check_figures["false_reject"] <= MAX_FALSE_REJECT, check_figures


def test_every_kind_gate(check_figures: dict[str, Any]) -> None:
    worst = {
        k: v["error"] for k, v in check_figures["kinds"].items() if v["error"] > MAX_KIND_ERROR
    }
    assert not worst, worst


def test_every_rejection_says_why(check_figures: dict[str, Any]) -> None:
    assert check_figures["unexplained"] == []
