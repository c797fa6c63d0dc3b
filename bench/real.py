"""Cold ``/ask`` latency on real articles and real questions the server has never seen.

The index holds the 163 dev articles (``make dev-data``: ABC news, Usenet, Wikipedia) and the
five seeds, optionally with generated articles added (``--extra 10000``: the 10,000-article
figure). A fresh server process is started on it (cold: no query embedded, no cache filled), and
every dev and seed question is asked once, sequentially: no question is repeated, so no cache
flatters the figures. The first request is reported separately (model load, first reads).

Usage: python -m bench.real [--extra 0,10000] [--limit 300]
Results: ``bench/results/real.{json,md}``; indexes cached in ``bench/.cache/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.corpus import ARTICLES, ROOT, generate_corpus
from bench.service import _INGEST, CACHE, RESULTS, Server, measure

DEV_ARTICLES = ROOT / "data" / "dev" / "articles"
QUESTION_SETS = (
    ROOT / "data" / "dev" / "fit.jsonl",
    ROOT / "data" / "dev" / "check.jsonl",
    ROOT / "data" / "eval" / "questions.jsonl",
)
TARGETS_MS = {"p50": 50.0, "p95": 150.0}  # issue 8, 2 cores


def real_questions(limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for path in QUESTION_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["question"], None)
    return list(seen)[:limit]


def real_index(extra: int) -> tuple[Path, dict[str, Any]]:
    """Dev + seed articles (+ ``extra`` generated ones), ingested once and cached."""
    if not any(DEV_ARTICLES.glob("*.txt")):
        raise SystemExit("no dev articles: run `make dev-data` first")
    index = CACHE / f"index-real-{extra}"
    marker = index / "bench-complete.json"
    if marker.exists():
        return index, json.loads(marker.read_text())
    corpus = CACHE / f"corpus-real-{extra}"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for source in (DEV_ARTICLES, ARTICLES):
        for path in source.iterdir():
            if path.suffix in (".txt", ".json"):
                shutil.copy2(path, corpus / path.name)
    if extra:
        for path in generate_corpus(extra, CACHE / f"corpus-{extra}").glob("*.txt"):
            os.link(path, corpus / path.name)
    print(f"  ingesting {corpus} into {index} (cached for next runs)...", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", _INGEST, str(corpus), str(index)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(done.stdout.strip().splitlines()[-1])
    marker.write_text(json.dumps(info))
    return index, info


def run(extra: int, limit: int) -> dict[str, Any]:
    index, info = real_index(extra)
    questions = real_questions(limit)
    server = Server(index)
    try:
        ready = server.wait_ready()
        first = measure(server.url, "ask", questions[:1], 1)  # cold: loads and first reads
        rest = measure(server.url, "ask", questions[1:], 1)
        result = {
            "articles": ready["documents"],
            "chunks": ready["chunks"],
            "ingest_seconds": info.get("seconds"),
            "first_request_ms": first["p50_ms"],
            "ask": rest,
            **server.memory_mb(),
        }
    finally:
        server.stop()
    print(f"  {result['articles']} articles: {json.dumps(result)}", flush=True)
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        f"Cold /ask latency, real questions never seen by the server, sequential, extractive "
        f"engine, embedded Chroma, {os.cpu_count()} CPUs. Targets: p50 <= "
        f"{TARGETS_MS['p50']:.0f} ms, p95 <= {TARGETS_MS['p95']:.0f} ms.",
        "",
        "| articles | chunks | questions | first request ms | p50 ms | p95 ms | server p50 ms "
        "| errors | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a = r["ask"]
        lines.append(
            f"| {r['articles']} | {r['chunks']} | {a['requests']} | {r['first_request_ms']} "
            f"| {a['p50_ms']} | {a['p95_ms']} | {a.get('server_p50_ms', '')} | {a['errors']} "
            f"| {r.get('peak_rss_mb', '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--extra", default="0", help="generated articles added, comma-separated")
    parser.add_argument("--limit", type=int, default=300, help="questions asked (all distinct)")
    args = parser.parse_args()
    results = [run(int(n), args.limit) for n in args.extra.split(",") if n.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "real.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    (RESULTS / "real.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
