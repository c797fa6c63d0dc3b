"""Ingest benchmark: characters/s, chunks/s, share of time spent embedding, peak memory.

Usage: python -m bench.ingest [--sizes 5,1000]   (5 = the seed corpus)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.corpus import ARTICLES, ROOT, generate_corpus
from ingest.pipeline import ingest_paths
from newsqa.settings import Settings

RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"


def run_size(size: int) -> dict[str, float]:
    corpus = ARTICLES if size == 5 else generate_corpus(size, CACHE / f"corpus-{size}")
    index = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{size}-"))
    try:
        settings = Settings(index_dir=index, _env_file=None)
        started = time.perf_counter()
        summary = ingest_paths([corpus], settings)
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        rerun = ingest_paths([corpus], settings)
        rerun_seconds = time.perf_counter() - again
    finally:
        shutil.rmtree(index, ignore_errors=True)
    assert len(rerun.unchanged) == len(summary.added)
    return {
        "articles": len(summary.added),
        "characters": summary.characters,
        "chunks": summary.chunks_written,
        "seconds": round(seconds, 2),
        "chars_per_s": round(summary.characters / seconds),
        "chunks_per_s": round(summary.chunks_written / seconds, 1),
        "embed_seconds": round(summary.embed_seconds, 2),
        "embed_share": round(summary.embed_seconds / seconds, 3),
        "overhead_share": round(1 - summary.embed_seconds / seconds, 3),
        "unchanged_rerun_seconds": round(rerun_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="5,1000", help="comma-separated corpus sizes")
    args = parser.parse_args()
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[str(size)] = run_size(size)
        print(f"{size:>6} articles: {json.dumps(results[str(size)])}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2))
    lines = [
        "| articles | chars/s | chunks/s | embedding share | overhead | peak RSS MB | rerun s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results.values():
        lines.append(
            f"| {r['articles']} | {r['chars_per_s']} | {r['chunks_per_s']} "
            f"| {r['embed_share']:.0%} "
            f"| {r['overhead_share']:.0%} | {r['peak_rss_mb']} | {r['unchanged_rerun_seconds']} |"
        )
    (RESULTS / "ingest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
