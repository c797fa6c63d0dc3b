"""Fit the evidence scorer on the dev set's ``fit`` split and report it on the other splits.

    python -m eval.calibrate [--fit data/dev/fit.jsonl] [--report data/dev/check.jsonl ...]

1. Retrieve passages for every ``fit`` question exactly as ``/ask`` does and compute the
   features of every candidate sentence (``service.answering.evidence``).
2. Sentence model: logistic regression (scikit-learn) of "this sentence holds gold evidence".
3. Question model: logistic regression of "the question is answerable" on question features
   pooled from the fitted sentence probabilities.
4. Thresholds: the refusal threshold is the highest one whose false-refusal rate on ``fit``
   stays within ``TARGET_FALSE_REFUSALS``; the selection thresholds (extra sentences) maximise
   answers holding every key fact, minus a small cost per extra sentence (short answers).
5. Writes ``service/answering/evidence_model.json`` and prints the figures per split.

Only ``fit`` is used for 2–4; the other splits are only reported.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.dataset import Question, load_questions
from eval.metrics import fact_present

DEV_INDEX = Path("data/dev/index")
DEV_ARTICLES = Path("data/dev/articles")
TARGET_FALSE_REFUSALS = 0.05  # the bound on answerable questions refused
SENTENCE_COST = 0.01  # per extra answer sentence, when choosing the selection thresholds
TOP_K = 5  # passages per question, as the API's default
NEAR_MISS_WEIGHT = 0.0  # see docs/calibration.md "Near misses"
CLEAR_PRECISION = 0.95  # "clearly answerable": extractive answers right this often on ``fit``


def _neutral() -> Any:
    from service.answering.evidence_model import (
        QUESTION_FEATURES,
        SENTENCE_FEATURES,
        EvidenceModel,
    )

    return EvidenceModel(
        [0.0] * len(SENTENCE_FEATURES), 0.0, [0.0] * len(QUESTION_FEATURES), 0.0, 0.5, 1.0, 1.0
    )


def open_state(index_dir: Path, articles: Path) -> Any:
    from newsqa.settings import Settings
    from service.state import ServiceState

    settings = Settings(index_dir=index_dir, articles_dir=articles)
    if not (index_dir / "chroma").exists():
        from ingest.pipeline import ingest_paths

        ingest_paths([articles], settings)
    state = ServiceState(settings)
    state.open()
    return state


def gold_spans(
    state: Any, q: Question, docs: dict[str, str], texts: dict[str, str]
) -> list[tuple[str, int, int]]:
    """(doc id, start, end) of every gold quote found in its gold document; ``docs`` maps file
    names to doc ids, ``texts`` caches document texts across questions."""
    out: list[tuple[str, int, int]] = []
    for name in q.gold_files:
        doc_id = docs.get(name)
        if doc_id is None:
            continue
        if doc_id not in texts:
            texts[doc_id] = state.store.get_document(doc_id).text
        for quote in q.gold_quotes:
            at = texts[doc_id].find(quote)
            if at >= 0:
                out.append((doc_id, at, at + len(quote)))
    return out


def collect(state: Any, questions: list[Question]) -> list[dict[str, Any]]:
    """Per question: candidates' features, whether each holds gold evidence, and the texts."""
    from service.answering import Passage
    from service.answering.service import trusted_hits

    docs = {Path(r.path).name: r.doc_id for r in state.store.documents()}
    texts: dict[str, str] = {}
    rows = []
    for q in questions:
        hits = trusted_hits(state.retriever, q.question, TOP_K, None)
        passages = [Passage(i + 1, h) for i, h in enumerate(hits)]
        a = state.scorer.assess(q.question, passages, _neutral())
        gold = gold_spans(state, q, docs, texts)
        labels = [
            any(c.passage.hit.chunk.doc_id == d and c.start < e and s < c.end for d, s, e in gold)
            for c in a.candidates
        ]
        rows.append({"q": q, "assessment": a, "labels": labels, "passages": passages})
    return rows


def _fit_lr(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> tuple[list[float], float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    lr.fit(x, y, sample_weight=weights)
    return [float(w) for w in lr.coef_[0]], float(lr.intercept_[0])


def rescore(rows: list[dict[str, Any]], model: Any) -> None:
    from service.answering.evidence import question_features
    from service.answering.evidence_model import QUESTION_FEATURES

    several = QUESTION_FEATURES.index("several_parts")  # depends on the question only

    for row in rows:
        a = row["assessment"]
        for c in a.candidates:
            c.p = model.sentence_p(c.features)
        order = sorted(range(len(a.candidates)), key=lambda i: -a.candidates[i].p)
        a.candidates = [a.candidates[i] for i in order]
        row["labels"] = [row["labels"][i] for i in order]
        f = a.question_features
        qf = question_features(
            a.candidates, a.kind, [], [], [], row["passages"], f[10], bool(f[several])
        )
        qf[6], qf[7] = f[6], f[7]  # features that do not depend on the sentence model
        a.question_features = qf
        a.p_answerable = model.question_p(qf) if a.candidates else 0.0


def select_texts(a: Any, ratio: float, floor: float, limit: int) -> list[str]:
    """The sentences the extractive engine's selection keeps (``extractive.select``)."""
    from service.answering.extractive import select

    return [c.text for c in select(a, limit, ratio, floor)]


def _correct(row: dict[str, Any], model: Any, limit: int = 4) -> bool:
    """The question is answerable and the extractive selection holds every key fact."""
    if not row["q"].answerable:
        return False
    text = " ".join(select_texts(row["assessment"], model.keep_ratio, model.keep_min, limit))
    return all(fact_present(f, text) for f in row["q"].key_facts)


def clear_threshold(rows: list[dict[str, Any]], model: Any, min_count: int = 10) -> float:
    """The lowest p_answerable above which extractive answers are right ``CLEAR_PRECISION``."""
    scored = sorted(
        ((r["assessment"].p_answerable, _correct(r, model)) for r in rows), reverse=True
    )
    level, right = 1.0, 0
    for i, (p, ok) in enumerate(scored, 1):
        right += ok
        if i >= min_count and right / i >= CLEAR_PRECISION:
            level = p
    return float(level)


def auc(rows: list[dict[str, Any]]) -> float:
    """ROC AUC of p_answerable for answerable vs unanswerable questions."""
    from sklearn.metrics import roc_auc_score

    y = [int(r["q"].answerable) for r in rows]
    return float(roc_auc_score(y, [r["assessment"].p_answerable for r in rows]))


def _answers(a: Any, model: Any) -> bool:
    """Whether the service answers (not refuses) a question so assessed under ``model``."""
    unknown_name = a.question_features[7] > 0  # refuse_unknown_names (a setting)
    return bool(a.candidates) and a.p_answerable >= model.answerable_threshold and not unknown_name


def evaluate(rows: list[dict[str, Any]], model: Any, limit: int = 4) -> dict[str, float]:
    """Answer holds all key facts; refusals; mean sentences — with the extractive selection."""
    answerable = [r for r in rows if r["q"].answerable]
    unanswerable = [r for r in rows if not r["q"].answerable]
    correct = refused_ok = false_ref = sentences = 0
    for r in rows:
        a, q = r["assessment"], r["q"]
        answer = _answers(a, model)
        if not q.answerable:
            refused_ok += not answer
            continue
        if not answer:
            false_ref += 1
            continue
        texts = select_texts(a, model.keep_ratio, model.keep_min, limit)
        sentences += len(texts)
        text = " ".join(texts)
        correct += all(fact_present(f, text) for f in q.key_facts)
    n = max(len(answerable), 1)
    return {
        "questions": len(rows),
        "answer_correct": correct / n,
        "false_refusal_rate": false_ref / n,
        "unanswerable_refused": refused_ok / max(len(unanswerable), 1),
        "mean_sentences": sentences / max(n - false_ref, 1),
        "evidence_in_candidates": sum(any(r["labels"]) for r in answerable) / n,
        "answerable_auc": auc(rows),
    }


def tentative_marks(rows: list[dict[str, Any]], model: Any, limit: int = 4) -> dict[str, int]:
    """How the ``tentative`` mark (``p_answerable`` below ``clear_threshold``) falls on the
    answers the extractive selection gives: answered, wrong, wrong and marked, right, right and
    marked (an answer to an unanswerable question is wrong, and counted again on its own)."""
    keys = ("answered", "wrong", "wrong_marked", "unanswerable", "unanswerable_marked", "right")
    out = dict.fromkeys((*keys, "right_marked"), 0)
    for r in rows:
        a, q = r["assessment"], r["q"]
        if not _answers(a, model):
            continue
        text = " ".join(select_texts(a, model.keep_ratio, model.keep_min, limit))
        right = q.answerable and all(fact_present(f, text) for f in q.key_facts)
        marked = a.p_answerable < model.clear_threshold
        key = "right" if right else "wrong"
        out["answered"] += 1
        out[key] += 1
        out[f"{key}_marked"] += marked
        if not q.answerable:
            out["unanswerable"] += 1
            out["unanswerable_marked"] += marked
    return out


def near_misses(rows: list[dict[str, Any]], model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Question features of each answerable question with its gold sentences taken away: the
    story is covered but the detail asked for is not there, which is what most unanswerable
    questions look like. Extra negatives for the question model (``fit`` rows only)."""
    from service.answering.evidence import question_features
    from service.answering.evidence_model import QUESTION_FEATURES

    several = QUESTION_FEATURES.index("several_parts")  # depends on the question only

    out = []
    for row in rows:
        a = row["assessment"]
        if not row["q"].answerable or not any(row["labels"]):
            continue
        rest = [c for c, gold in zip(a.candidates, row["labels"], strict=True) if not gold]
        if not rest:
            continue
        f = a.question_features
        qf = question_features(rest, a.kind, [], [], [], row["passages"], f[10], bool(f[several]))
        qf[6], qf[7] = f[6], f[7]
        out.append(qf)
    return np.array(out).reshape(len(out), -1), np.zeros(len(out), dtype=int)


def ask_threshold(rows: list[dict[str, Any]]) -> float:
    """``p_answerable`` under every answerable question (rounded down to 0.01): below it there
    is clearly nothing here, and an LLM engine refuses without asking its model."""
    ps = [r["assessment"].p_answerable for r in rows if r["q"].answerable]
    return math.floor(min(ps) * 100) / 100 if ps else 0.0


def fit(rows: list[dict[str, Any]], fitted_on: str, near_miss_weight: float = 0.0) -> Any:

    x = np.array([c.features for r in rows for c in r["assessment"].candidates])
    y = np.array([lab for r in rows for lab in r["labels"]], dtype=int)
    sw, sb = _fit_lr(x, y)
    model = replace(_neutral(), sentence_weights=sw, sentence_bias=sb, fitted_on=fitted_on)
    rescore(rows, model)
    with_c = [r for r in rows if r["assessment"].candidates]
    xq = np.array([r["assessment"].question_features for r in with_c])
    yq = np.array([int(r["q"].answerable) for r in with_c])
    weights = np.ones(len(yq))
    if near_miss_weight > 0:
        xn, yn = near_misses(rows, model)
        if len(yn):
            xq, yq = np.vstack([xq, xn]), np.concatenate([yq, yn])
            weights = np.concatenate([weights, np.full(len(yn), near_miss_weight)])
    qw, qb = _fit_lr(xq, yq, weights)
    model = replace(model, question_weights=qw, question_bias=qb)
    rescore(rows, model)
    ps = sorted(r["assessment"].p_answerable for r in rows if r["q"].answerable)
    allowed = int(TARGET_FALSE_REFUSALS * len(ps))
    threshold = ps[allowed] if ps else 0.5  # refuse at most `allowed` answerable ones
    model = replace(model, answerable_threshold=float(threshold))
    best: tuple[float, float, float] | None = None
    for ratio in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        for floor in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            m = evaluate(rows, replace(model, keep_ratio=ratio, keep_min=floor))
            value = m["answer_correct"] - SENTENCE_COST * m["mean_sentences"]
            if best is None or value > best[0] + 1e-9:
                best = (value, ratio, floor)
    assert best is not None
    model = replace(model, keep_ratio=best[1], keep_min=best[2])
    return replace(
        model, clear_threshold=clear_threshold(rows, model), ask_threshold=ask_threshold(rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fit", type=Path, default=Path("data/dev/fit.jsonl"))
    parser.add_argument("--report", type=Path, nargs="*", default=[Path("data/dev/check.jsonl")])
    parser.add_argument("--index-dir", type=Path, default=DEV_INDEX)
    parser.add_argument("--articles", type=Path, default=DEV_ARTICLES)
    parser.add_argument("--out", type=Path, default=None, help="model JSON (default: the shipped)")
    parser.add_argument(
        "--near-miss-weight",
        type=float,
        default=NEAR_MISS_WEIGHT,
        help="weight of answerable questions with their gold sentences removed, as extra "
        "unanswerable examples for the question model (0: none)",
    )
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="score the --report sets with the shipped model: no fit, nothing written (e.g. the "
        "seed set: --index-dir data/index --articles data/articles --report "
        "data/eval/questions.jsonl)",
    )
    args = parser.parse_args()
    from service.answering.evidence_model import MODEL_PATH, load_model

    state = open_state(args.index_dir, args.articles)
    figures: dict[str, Any] = {}
    if args.figures_only:
        model = load_model()
    else:
        rows = collect(state, load_questions(args.fit))
        model = fit(rows, str(args.fit), args.near_miss_weight)
        figures["fit"] = evaluate(rows, model) | {"tentative": tentative_marks(rows, model)}
    for path in args.report:
        rescore_rows = collect(state, load_questions(path))
        rescore(rescore_rows, model)
        figures[path.stem] = evaluate(rescore_rows, model) | {
            "tentative": tentative_marks(rescore_rows, model)
        }
    if args.figures_only:
        print(json.dumps(figures, indent=1))
        return
    out = args.out or MODEL_PATH
    out.write_text(json.dumps({**asdict(model), "figures": figures}, indent=1) + "\n")
    print(json.dumps(figures, indent=1))
    print(f"model written to {out}")


if __name__ == "__main__":
    main()
