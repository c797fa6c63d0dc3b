"""Judge pairs from a real model's answers: extract its raw sentences with the passages they
cite (for labelling by hand), and score the service verifier on the labelled ones.

    python -m eval.llm_pairs extract eval/reports/llm/*/results_*.jsonl > to_label.jsonl
    python -m eval.llm_pairs score data/eval/judge_pairs_llm.jsonl

A labelled pair is ``{"id", "sentence", "passage", "quote", "supported", "kind", "doc",
"source", "split", "origin"}``: ``source`` is the passage's outlet (as in every judge pair),
``origin`` the model that wrote the sentence, ``kind`` "supported" or the kind of error
(negation, changed_number, swapped_entity, wrong_speaker, added_cause, extra_detail, and for
model output also "unsupported_claim": a statement the passage does not make at all).
Scoring aligns on the model's quote as the service does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def extract(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Every distinct (sentence, cited passage) of the models' raw answers."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for claim in (row.get("raw") or {}).get("claims", []):
                passages = claim.get("passages") or {}
                if not passages:
                    continue
                verdict = next(
                    (s for s in row["llm"]["sentences"] if s["text"] == claim["text"]), None
                )
                sources = row["raw"].get("sources") or {}
                moved = verdict.get("source_n") if verdict else None
                if verdict and verdict["supported"] and str(moved) in sources:
                    # a served sentence: the passage it was verified against and now cites
                    n, (outlet, text) = str(moved), sources[str(moved)]
                else:
                    n, (outlet, text) = next(iter(passages.items()))
                key = (claim["text"], text)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    {
                        "question_id": row["id"],
                        "set": row["set"],
                        "sentence": claim["text"],
                        "cited": int(n),
                        "passage": text,
                        "quote": claim.get("quote"),
                        "source": outlet,
                        "served": verdict["supported"] if verdict else None,
                        "reasons": verdict["reasons"] if verdict else None,
                    }
                )
    return out


def score(path: Path, judge_model: Path | None = None) -> dict[str, Any]:
    """False accept / false reject of the verifier on labelled model sentences; with
    ``judge_model`` (a GGUF file, served in-process, 2 threads) the entailment judge has the
    last word on the sentences that pass the local checks, as in the service."""
    from eval.calibrate_verifier import rates
    from eval.dataset import load_judge_pairs
    from newsqa.components.embeddings import get_embedder
    from newsqa.settings import Settings
    from newsqa.types import DocumentMeta
    from service.answering.verification import split_spans
    from service.retrieval import embed_texts
    from service.verify.assess import assess
    from service.verify.config import VerifyConfig

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    embedder = get_embedder(settings)
    config = VerifyConfig.from_settings(settings)
    judge = None
    if judge_model is not None:
        from newsqa.components.chat import chat_model
        from service.verify.entailment import EntailmentJudge

        local = settings.model_copy(update={"engine": "local", "local_model_path": judge_model,
                                            "openai_timeout_s": 600.0})  # fmt: skip
        judge = EntailmentJudge(chat_model(local, max_tokens=4))
    judge_ms: list[float] = []
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    pairs = load_judge_pairs(path)
    accepted, detail = [], []
    for row, pair in zip(rows, pairs, strict=True):
        texts = [pair.passage[s:e] for s, e in split_spans(pair.passage)] or [pair.passage]
        sims = (embed_texts(embedder, texts) @ embed_texts(embedder, [pair.sentence])[0]).tolist()
        found = assess(pair.sentence, texts, sims=sims, meta=DocumentMeta(source=pair.source),
                       quote=row.get("quote"), config=config)  # fmt: skip
        reasons = list(found.reasons)
        if not reasons and judge is not None and judge.ready():
            import time

            t = time.perf_counter()
            verdict = judge.judge(pair.sentence, found.evidence.span)
            judge_ms.append((time.perf_counter() - t) * 1000.0)
            if verdict != "supported":
                reasons.append(f"entailment judge: {verdict}")
        accepted.append(not reasons)
        if (not reasons) != pair.supported:
            detail.append({"id": pair.id, "kind": pair.kind, "sentence": pair.sentence,
                           "reasons": reasons})  # fmt: skip
    figures: dict[str, Any] = dict(rates(pairs, accepted))
    figures["errors"] = detail
    if judge_ms:
        figures["judge_ms_mean"] = sum(judge_ms) / len(judge_ms)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("results", type=Path, nargs="+")
    sc = sub.add_parser("score")
    sc.add_argument("pairs", type=Path)
    sc.add_argument("--judge-model", type=Path, default=None, help="GGUF entailment judge")
    args = parser.parse_args(argv)
    if args.cmd == "extract":
        for item in extract(args.results):
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console

    from eval.cli import pairs_table

    figures = score(args.pairs, args.judge_model)
    how = f"judge {args.judge_model.name}" if args.judge_model else "no judge"
    Console().print(pairs_table(f"Service verifier on {args.pairs} ({how})", figures))
    if "judge_ms_mean" in figures:
        print(f"judge: {figures['judge_ms_mean']:.0f} ms a sentence on average")
    for e in figures["errors"]:
        print(f"  {e['id']} {e['kind']}: {e['sentence']} {e['reasons']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
