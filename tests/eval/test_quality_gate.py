"""The quality gate on the real service: the offline default engine, in-process, seed index.

Fails when a metric misses its threshold in ``eval/config.toml`` or regresses beyond the
tolerance against the committed ``eval/baseline.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.gate import check_gate
from eval.runner import run_eval
from tests.helpers import ROOT


def test_offline_eval_passes_the_gate(seed_settings: Any, tmp_path: Path) -> None:
    summary = run_eval(
        None,
        None,
        ROOT / "data" / "eval" / "questions.jsonl",
        "lexical",
        tmp_path / "reports",
        seed_settings,
        pairs=ROOT / "data" / "eval" / "judge_pairs.jsonl",
        progress=False,
    )
    assert summary.counts["errors"] == 0, summary.notes
    assert summary.judge_accuracy["lexical"]["accuracy"] >= 0.9
    violations = check_gate(summary, ROOT / "eval" / "config.toml", ROOT / "eval" / "baseline.json")
    assert not violations, "\n".join([*violations, f"report: {summary.out_dir}/report.md"])
