"""The runner over real HTTP (``--api URL``) against a uvicorn server of the service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.runner import run_eval
from tests.helpers import ROOT
from tests.service.conftest import api_server, copy_index

pytestmark = pytest.mark.integration


def test_run_eval_over_http(seed_settings: Any, tmp_path: Path) -> None:
    questions = (ROOT / "data" / "eval" / "questions.jsonl").read_text().splitlines()
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(questions[:5] + questions[-3:]) + "\n")
    index = copy_index(seed_settings.index_dir, tmp_path / "index")
    with api_server(index, tmp_path / "api.log") as url:
        summary = run_eval(url, None, subset, "lexical", tmp_path / "reports", progress=False)
    assert summary.api == url and summary.counts == {**summary.counts, "questions": 8, "errors": 0}
    assert summary.engine == "extractive"
    rows = [json.loads(line) for line in (Path(summary.out_dir) / "results.jsonl").open()]
    assert len(rows) == 8 and all(r["latency_ms"] > 0 for r in rows)
    assert (Path(summary.out_dir) / "report.html").stat().st_size > 10_000
