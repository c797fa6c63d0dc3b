"""The runner end to end against a deterministic stand-in app, and the quality gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from eval.gate import check_gate, write_baseline
from eval.runner import Summary, run_eval
from tests.eval.standin import make_app
from tests.helpers import ROOT

QUESTIONS = [
    {"id": "s1", "question": "How many Gripens?", "type": "number", "answerable": True,
     "gold_answer": "Up to 150 Gripen fighters.", "key_facts": ["150"], "gold_files": ["a.txt"],
     "gold_quotes": ["up to 150 Gripen fighters"]},
    {"id": "s2", "question": "Who refused Taurus?", "type": "who", "answerable": True,
     "gold_answer": "Germany.", "key_facts": ["Germany"], "gold_files": ["b.txt"],
     "gold_quotes": ["Germany refused to send Taurus missiles."]},
    {"id": "s3", "question": "What colour are the jets?", "type": "unanswerable",
     "answerable": False},
    {"id": "s4", "question": "Who is the defence minister?", "type": "unanswerable",
     "answerable": False},
]  # fmt: skip


@pytest.fixture()
def summary(tmp_path: Path) -> Summary:
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    with TestClient(make_app()) as http:
        return run_eval(None, None, dataset, "lexical", tmp_path / "reports", progress=False,
                        http=http, pairs=ROOT / "data" / "eval" / "judge_pairs.jsonl")  # fmt: skip


def test_run_eval_metrics(summary: Summary) -> None:
    m = summary.metrics
    assert summary.engine == "standin" and summary.counts["questions"] == 4
    assert m["hit@1"] == 1.0 and m["mrr"] == 1.0  # both gold quotes are the top search hit
    # s1 right; s2 swaps Germany for France (fact missing, sentence unsupported)
    assert m["key_fact_recall"] == 0.5 and m["answer_correct"] == 0.5
    # answered: s1 (1/1 supported), s2 (0/1), s4 wrongly answered but supported (1/1)
    assert m["faithfulness"] == pytest.approx(2 / 3)
    assert m["citation_recall"] == pytest.approx(2 / 3)
    assert m["citation_precision"] == pytest.approx(2 / 3)
    assert m["refusal_precision"] == 1.0 and m["refusal_recall"] == 0.5
    assert m["refusal_accuracy"] == 0.75 and m["false_refusal_rate"] == 0.0
    assert m["latency_p50_ms"] > 0 and m["latency_p95_ms"] >= m["latency_p50_ms"]
    assert summary.by_source.keys() == {"Outlet A", "Outlet B", "(no gold source)"}
    assert summary.by_type["who"]["key_fact_recall"] == 0.0
    assert summary.judge_accuracy["lexical"]["accuracy"] >= 0.9


def test_run_eval_writes_report(summary: Summary) -> None:
    out = Path(summary.out_dir)
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["s1", "s2", "s3", "s4"]
    s2 = rows[1]
    assert s2["sentences"][0]["verdict"] == "unsupported" and s2["citations"][0]["doc_id"] == "d2"
    assert "missing facts: Germany" in s2["problems"]
    assert rows[3]["problems"] == ["answered an unanswerable question"]
    saved = json.loads((out / "summary.json").read_text())
    assert saved["metrics"]["refusal_accuracy"] == 0.75
    for name in ("metrics", "by_type", "by_source", "latency"):
        assert (out / "plots" / f"{name}.png").stat().st_size > 1000
    md = (out / "report.md").read_text()
    assert "## Failures (2)" in md and "s4" in md and "plots/latency.png" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4 and "Failures (2)" in html


def test_gate_thresholds_and_baseline(summary: Summary, tmp_path: Path) -> None:
    config = ROOT / "eval" / "config.toml"
    violations = check_gate(summary, config, tmp_path / "absent.json")
    assert {v.split(" ")[0] for v in violations} == {
        "faithfulness", "citation_precision", "refusal_accuracy", "answer_correct", "refusal_recall"
    }  # fmt: skip
    baseline = write_baseline(summary, tmp_path / "baseline.json")
    assert "latency_p50_ms" not in json.loads(baseline.read_text())["metrics"]
    assert check_gate(summary, config, baseline) == violations  # equal to baseline: no regression
    worse = json.loads((Path(summary.out_dir) / "summary.json").read_text())
    worse["metrics"]["mrr"] = 0.9
    worse["metrics"]["false_refusal_rate"] = 0.5
    extra = set(check_gate(worse, config, baseline)) - set(violations)
    assert any(v.startswith("mrr = 0.900 regressed") for v in extra)
    assert any(v.startswith("false_refusal_rate = 0.500 is above the maximum") for v in extra)
    assert any(v.startswith("false_refusal_rate = 0.500 rose above baseline") for v in extra)
    assert len(extra) == 3


def test_gate_passes_a_good_summary(tmp_path: Path) -> None:
    config = tmp_path / "gate.toml"
    config.write_text(
        '[thresholds]\n"hit@5" = 0.9\n[regression]\ntolerance = 0.05\nmetrics = ["mrr"]\n'
    )
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"metrics": {"mrr": 0.8}}))
    assert check_gate({"metrics": {"hit@5": 0.95, "mrr": 0.76}}, config, baseline) == []
    assert check_gate({"metrics": {"hit@5": 0.95, "mrr": 0.7}}, config, baseline) != []
    assert check_gate({"metrics": {"mrr": 0.9}}, config, None) == [
        "hit@5: missing from the summary (threshold >= 0.9)"
    ]


def test_only_a_passing_run_becomes_the_baseline(summary: Summary, tmp_path: Path) -> None:
    """``--update-baseline`` wrote any run, so a worse one became what later runs were held to."""
    from eval.gate import accept_baseline

    config = ROOT / "eval" / "config.toml"
    baseline = tmp_path / "baseline.json"
    assert accept_baseline(summary, config, baseline)  # the stand-in fails the thresholds
    assert not baseline.exists()
    easy = tmp_path / "easy.toml"
    easy.write_text('[thresholds]\n"hit@1" = 0.5\n')
    assert accept_baseline(summary, easy, baseline) == [] and baseline.exists()


def test_a_gold_quote_in_no_article_is_noted(tmp_path: Path) -> None:
    """It is scored as a retrieval miss; the report says why rather than leaving it silent."""
    question = dict(QUESTIONS[0], id="m1", gold_quotes=["a sentence no article has"])
    dataset = tmp_path / "q.jsonl"
    dataset.write_text(json.dumps(question) + "\n")
    pairs = ROOT / "data" / "eval" / "judge_pairs.jsonl"
    with TestClient(make_app()) as http:
        summary = run_eval(
            None, None, dataset, "lexical", tmp_path / "r", progress=False, http=http, pairs=pairs
        )
    noted = "m1: gold quote not found in its articles"
    assert any(n.startswith(noted) for n in summary.notes)


def test_an_unreachable_llm_judge_stops_the_run_before_it_starts() -> None:
    from openai import OpenAI

    from eval.llm_judge import LLMJudge
    from newsqa.errors import BackendError

    client = OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0, timeout=5)
    with pytest.raises(BackendError, match="cannot be reached.*--judge lexical"):
        LLMJudge(client, "m").ensure_reachable()
