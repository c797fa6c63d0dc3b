"""Choose the retrieval fusion (``rrf_k``, ``fusion_weights``) on the dev set's ``fit`` split.

    python -m eval.calibrate_retrieval [--fit data/dev/fit.jsonl] [--report data/dev/check.jsonl]

Every question's three rankings (chunk vectors, best-sentence vectors, BM25) are computed once;
each candidate fusion is scored by hit@5 (a top-5 chunk holds a gold quote, or overlaps it) over
the answerable ``fit`` questions, ties broken by the mean reciprocal rank. The best one is
printed with its figures on every split; set it with ``NEWSQA_RRF_K`` / ``NEWSQA_FUSION_WEIGHTS``
(the defaults in ``newsqa/settings.py``) and record it in ``docs/calibration.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

from eval.calibrate import DEV_ARTICLES, DEV_INDEX, gold_spans, open_state
from eval.dataset import Question, load_questions

WEIGHTS = (0.0, 0.5, 1.0, 2.0)  # per ranking; all-zero and single-ranking mixes included
RRF_KS = (10, 30, 60, 100)
POOL = 40  # chunks per ranking (hybrid_search's pool for k = 5, doubled)


def gold_chunks(state: Any, q: Question, docs: dict[str, str], texts: dict[str, str]) -> set[str]:
    """Chunk ids whose span overlaps a gold quote in a gold document."""
    from newsqa.components.store import ChunkFilter

    out: set[str] = set()
    spans = gold_spans(state, q, docs, texts)
    for doc_id in {d for d, _s, _e in spans}:
        ids = state.store.chunk_ids(ChunkFilter(doc_ids=(doc_id,)))
        for hit in state.store.get_chunks(ids):
            c = hit.chunk
            if any(d == doc_id and c.start < e and s < c.end for d, s, e in spans):
                out.add(c.chunk_id)
    return out


def collect(state: Any, questions: list[Question]) -> list[tuple[list[list[str]], set[str]]]:
    from service.retrieval import embed_query

    docs = {Path(r.path).name: r.doc_id for r in state.store.documents()}
    texts: dict[str, str] = {}
    rows = []
    for q in questions:
        if not q.answerable:
            continue
        gold = gold_chunks(state, q, docs, texts)
        if not gold:
            continue
        qvec = embed_query(state.embedder, q.question)
        _dense, ranked = state.retriever.rankings(qvec, q.question, POOL, None)
        rows.append((ranked, gold))
    return rows


def score(rows: list[tuple[list[list[str]], set[str]]], weights: tuple[float, ...], rrf_k: int):  # type: ignore[no-untyped-def]
    from service.retrieval import fuse

    hits = mrr = 0.0
    for ranked, gold in rows:
        order = fuse(ranked, weights, rrf_k, 10)
        first = next((i for i, cid in enumerate(order) if cid in gold), None)
        hits += first is not None and first < 5
        mrr += 0.0 if first is None else 1.0 / (first + 1)
    n = max(len(rows), 1)
    return {"hit@5": hits / n, "mrr@10": mrr / n, "questions": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fit", type=Path, default=Path("data/dev/fit.jsonl"))
    parser.add_argument("--report", type=Path, nargs="*", default=[Path("data/dev/check.jsonl")])
    args = parser.parse_args()
    state = open_state(DEV_INDEX, DEV_ARTICLES)
    fit_rows = collect(state, load_questions(args.fit))
    grid = [(w, k) for w in itertools.product(WEIGHTS, repeat=3) if any(w) for k in RRF_KS]
    scored = [(score(fit_rows, w, k), w, k) for w, k in grid]
    best, weights, rrf_k = max(scored, key=lambda t: (t[0]["hit@5"], t[0]["mrr@10"]))
    current = state.settings.fusion_weights, state.settings.rrf_k
    out: dict[str, Any] = {
        "chosen": {"fusion_weights": weights, "rrf_k": rrf_k},
        "fit": {"chosen": best, "default": score(fit_rows, *current)},
    }
    for path in args.report:
        rows = collect(state, load_questions(path))
        out[path.stem] = {"chosen": score(rows, weights, rrf_k), "default": score(rows, *current)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
