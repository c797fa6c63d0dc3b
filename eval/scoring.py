"""Score one service response against its question, and aggregate the per-question records."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from eval.dataset import Question
from eval.judges import SUPPORTED, Judge, strip_citations
from eval.metrics import (
    KS,
    Span,
    citation_scores,
    faithfulness,
    key_fact_recall,
    mean,
    percentile,
    quote_ranks,
    refusal_scores,
    retrieval_scores,
    strip_attribution,
    token_f1,
)

GATE_K = 5


def score_question(
    question: Question,
    response: Mapping[str, Any] | None,
    hits: Sequence[Mapping[str, Any]],
    golds: Sequence[Span | None],
    judge: Judge,
    latency_ms: float | None,
    sources: Sequence[str] = (),
    error: str | None = None,
) -> dict[str, Any]:
    """One row of ``results.jsonl``: the answer, its citations and every verdict."""
    response = response or {}
    answer = str(response.get("answer", ""))
    predicted = bool(response.get("answerable", False)) if response else False
    citations = list(response.get("citations", []))
    sentences = [
        s for s in response.get("sentences", []) if strip_citations(str(s.get("text", "")))
    ]
    if predicted and not sentences and answer.strip():
        ids = [int(n) for n in re.findall(r"\[(\d+)\]", answer)]
        sentences = [{"text": answer, "citations": ids, "supported": False}]
    by_id = {c.get("id"): str(c.get("quote", "")) for c in citations}
    outlets = {
        c.get("id"): [str(c.get(k) or "") for k in ("source", "title", "speaker", "reported_by")]
        for c in citations
    }
    passages = [q for q in by_id.values() if q]
    # what the judge sees: the sentence without an attribution to its cited outlet or speaker
    claims = [
        {
            "text": strip_attribution(
                strip_citations(str(s.get("text", ""))),
                [name for i in s.get("citations", []) for name in outlets.get(i, [])],
            ),
            "citations": s.get("citations", []),
        }
        for s in sentences
    ]
    record: dict[str, Any] = {
        "id": question.id,
        "type": question.type,
        "question": question.question,
        "gold_answerable": question.answerable,
        "answerable": predicted,
        "answer": answer,
        "gold_answer": question.gold_answer,
        "engine": response.get("engine"),
        "confidence": response.get("confidence"),
        "tentative": bool(response.get("tentative", False)),
        "latency_ms": latency_ms,
        "sources": list(sources),
        "citations": citations,
        "error": error,
    }
    problems: list[str] = []
    if error:
        problems.append(f"error: {error}")
    if question.answerable:
        ranks = quote_ranks(golds, hits)
        record["retrieval"] = {"ranks": ranks, **retrieval_scores(ranks)}
        record["unlocated_quotes"] = [
            q for q, g in zip(question.gold_quotes, golds, strict=True) if g is None
        ]
        text = answer if predicted else ""
        recall, missing = key_fact_recall(text, question.key_facts)
        record.update(key_fact_recall=recall, missing_facts=missing,
                      answer_f1=token_f1(text, question.gold_answer))  # fmt: skip
        if not predicted:
            problems.append("false refusal")
        elif missing:
            problems.append("missing facts: " + ", ".join(missing))
        if not record["retrieval"][f"hit@{GATE_K}"]:
            problems.append(f"gold evidence not in top {GATE_K} search hits")
    elif predicted:
        problems.append("answered an unanswerable question")
    record["search_hits"] = [
        {k: h.get(k) for k in ("rank", "doc_id", "chunk_id", "start", "end", "score")} for h in hits
    ]
    if predicted and sentences:
        verdicts = faithfulness([c["text"] for c in claims], passages, judge)
        cites = citation_scores(claims, by_id, judge)
        record["faithfulness"] = sum(v == SUPPORTED for v in verdicts) / len(verdicts)
        record["statements"] = len(verdicts)
        record["supported_statements"] = sum(v == SUPPORTED for v in verdicts)
        record["citation"] = {k: v for k, v in cites.items() if k != "sentences"}
        record["sentences"] = [
            {**dict(s), "verdict": v, "cited_support": d["recalled"], "precise": d["precise"]}
            for s, v, d in zip(sentences, verdicts, cites["sentences"], strict=True)
        ]
        bad = [s["text"] for s in record["sentences"] if s["verdict"] != SUPPORTED]
        if bad:
            problems.append(f"{len(bad)} unsupported sentence(s)")
        if cites["recall_num"] < cites["recall_den"]:
            problems.append("sentence(s) not supported by their citations")
    else:
        record["sentences"] = [dict(s) for s in sentences]
    record["problems"] = problems
    return record


def _group(records: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    answerable = [r for r in records if r["gold_answerable"]]
    answered = [r for r in records if r.get("faithfulness") is not None]
    return {
        "n": float(len(records)),
        "key_fact_recall": mean(r["key_fact_recall"] for r in answerable),
        "faithfulness": mean(r["faithfulness"] for r in answered),
        f"hit@{GATE_K}": mean(r["retrieval"][f"hit@{GATE_K}"] for r in answerable),
        "refusal_correct": mean(float(r["answerable"] == r["gold_answerable"]) for r in records),
    }


def aggregate(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Metrics over all questions, per question type and per source outlet."""
    answerable = [r for r in records if r["gold_answerable"]]
    answered = [r for r in records if r.get("faithfulness") is not None]
    metrics: dict[str, float] = {}
    for key in [f"hit@{k}" for k in KS] + [f"recall@{k}" for k in KS] + ["mrr"]:
        metrics[key] = mean(r["retrieval"][key] for r in answerable)
    metrics["key_fact_recall"] = mean(r["key_fact_recall"] for r in answerable)
    metrics["answer_correct"] = mean(float(r["key_fact_recall"] == 1.0) for r in answerable)
    metrics["answer_f1"] = mean(r["answer_f1"] for r in answerable)
    metrics["faithfulness"] = mean(r["faithfulness"] for r in answered)
    statements = sum(r["statements"] for r in answered)
    supported = sum(r["supported_statements"] for r in answered)
    metrics["faithfulness_micro"] = supported / statements if statements else math.nan
    for name in ("recall", "precision"):
        num = sum(r["citation"][f"{name}_num"] for r in answered)
        den = sum(r["citation"][f"{name}_den"] for r in answered)
        metrics[f"citation_{name}"] = num / den if den else math.nan
    metrics.update(
        refusal_scores([r["gold_answerable"] for r in records], [r["answerable"] for r in records])
    )
    # how far the response's `tentative` mark can be trusted: answers right among those it
    # leaves unmarked and among those it marks (an answer to an unanswerable question is wrong)
    given = [r for r in records if r["answerable"]]
    for name, marked in (("confident", False), ("tentative", True)):
        group = [r for r in given if bool(r.get("tentative")) == marked]
        right = [r for r in group if r["gold_answerable"] and r.get("key_fact_recall") == 1.0]
        metrics[f"{name}_answers_right"] = len(right) / len(group) if group else math.nan
    metrics["tentative_share"] = (
        sum(bool(r.get("tentative")) for r in given) / len(given) if given else math.nan
    )
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    metrics["latency_p50_ms"] = percentile(latencies, 50)
    metrics["latency_p95_ms"] = percentile(latencies, 95)
    metrics["latency_mean_ms"] = mean(latencies)
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    by_source: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        by_type.setdefault(r["type"], []).append(r)
        for source in dict.fromkeys(r.get("sources") or ["(no gold source)"]):
            by_source.setdefault(source, []).append(r)
    counts = {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(records) - len(answerable),
        "answered": sum(1 for r in records if r["answerable"]),
        "errors": sum(1 for r in records if r.get("error")),
        "failures": sum(1 for r in records if r.get("problems")),
        "statements": statements,
    }
    return {
        "metrics": metrics,
        "counts": counts,
        "by_type": {k: _group(v) for k, v in sorted(by_type.items())},
        "by_source": {k: _group(v) for k, v in sorted(by_source.items())},
    }
