"""Workers benchmark: requests/s and p95 of /search and /ask for 1, 2 and 4 API workers on a
Chroma server against one worker on the embedded store: same index, same questions.

The index is built once by ``bench.service.cached_index`` (embedded, cached under
``bench/.cache/``); the server configurations serve a copy of that very Chroma directory with
``chroma run``. Each configuration gets the same distinct questions from ``--concurrency``
client threads, each opening a new connection every few requests so that the kernel spreads
them over the workers. Warm-up questions (others) go first. Memory is the RSS of every process
of the API (and of the Chroma server, separately). Results: ``bench/results/workers.{json,md}``.

Usage: python -m bench.workers [--articles 300] [--workers 1,2,4] [--requests 200]
       [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.cluster import ApiServer, ChromaServer, cpu_note, wait_idle
from bench.service import CACHE, RESULTS, cached_index, queries
from newsqa.loopback import rss_mb

FRESH_EVERY = 4  # requests per connection


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 1)


def measure(url: str, endpoint: str, questions: list[str], concurrency: int) -> dict[str, Any]:
    """Latency percentiles, requests/s and errors of ``questions`` against ``endpoint``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    local = threading.local()

    def one(question: str) -> None:
        nonlocal errors
        made = getattr(local, "made", 0)
        client: httpx.Client | None = getattr(local, "client", None)
        if client is None or made % FRESH_EVERY == 0:
            if client is not None:
                client.close()
            client = local.client = httpx.Client(base_url=url, timeout=120)
        local.made = made + 1
        started = time.perf_counter()
        try:
            if endpoint == "search":
                response = client.get("/search", params={"q": question, "k": 10})
            else:
                response = client.post("/ask", json={"question": question, "top_k": 5})
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)
            errors += not ok

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, questions))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "req_per_s": round(len(latencies) / wall, 2),
        "p50_ms": _percentile(latencies, 0.50),
        "p95_ms": _percentile(latencies, 0.95),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }


def run_config(
    name: str, api: ApiServer, requests: int, concurrency: int, chroma: ChromaServer | None
) -> dict[str, Any]:
    ready = api.wait_ready()
    wait_idle(api.worker_pids())  # each worker's background warm-up
    warm = queries(8 * api.workers, offset=5000)  # models, caches, background warm-up
    measure(api.url, "search", warm, min(concurrency, 2 * api.workers))
    measure(api.url, "ask", warm, min(concurrency, 2 * api.workers))
    time.sleep(2.0)
    result: dict[str, Any] = {
        "config": name,
        "workers": api.workers,
        "documents": ready.get("documents"),
        "chunks": ready.get("chunks"),
    }
    offset = 0
    for endpoint, count in (("search", requests), ("ask", max(20, requests // 2))):
        result[endpoint] = measure(api.url, endpoint, queries(count, offset), concurrency)
        offset += count
        print(f"  {name:<14} /{endpoint:<6} {json.dumps(result[endpoint])}", flush=True)
    result["api_rss_mb"] = api.rss_mb()
    if chroma is not None:
        result["chroma_rss_mb"] = rss_mb([chroma.pid()])
    return result


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"API workers on a Chroma server vs one worker on the embedded store: {meta['articles']}"
        f" articles ({results[0]['chunks']} chunks), extractive engine, {meta['concurrency']}"
        f" concurrent clients, the same questions for every row; {meta['machine']}.",
        "",
        "| store | workers | /search req/s | /search p50 ms | /search p95 ms | /ask req/s "
        "| /ask p50 ms | /ask p95 ms | errors | API RSS MB | Chroma RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s, a = r["search"], r["ask"]
        lines.append(
            f"| {r['config'].split('-')[0]} | {r['workers']} | {s['req_per_s']} | {s['p50_ms']} "
            f"| {s['p95_ms']} | {a['req_per_s']} | {a['p50_ms']} | {a['p95_ms']} "
            f"| {s['errors'] + a['errors']} | {r['api_rss_mb']} | {r.get('chroma_rss_mb', '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300, help="corpus size")
    parser.add_argument("--workers", default="1,2,4", help="worker counts on the Chroma server")
    parser.add_argument("--requests", type=int, default=200, help="/search requests (ask: half)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()
    machine = cpu_note()
    index, info = cached_index(args.articles)
    logs = RESULTS / "logs"
    results: list[dict[str, Any]] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-workers-", dir=CACHE))
    try:
        print(f"{args.articles} articles, embedded store, 1 worker:", flush=True)
        embedded_dir = scratch / "embedded"  # a copy: the cached index stays pristine
        shutil.copytree(index, embedded_dir)
        with ApiServer(embedded_dir, 1, log=logs / "workers-embedded.log") as api:
            results.append(run_config("embedded-1", api, args.requests, args.concurrency, None))
        served = scratch / "served"
        shutil.copytree(index / "chroma", served)  # the same index, served by `chroma run`
        with ChromaServer(served, logs / "workers-chroma.log") as chroma:
            for workers in (int(w) for w in args.workers.split(",")):
                print(f"{args.articles} articles, Chroma server, {workers} workers:", flush=True)
                api_dir = scratch / f"api-{workers}"  # keyword snapshots of these workers
                with ApiServer(
                    api_dir, workers, chroma.url, log=logs / f"workers-server-{workers}.log"
                ) as api:
                    results.append(
                        run_config(
                            f"server-{workers}", api, args.requests, args.concurrency, chroma
                        )
                    )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    meta = {
        "articles": args.articles,
        "ingest": info,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "machine": machine,
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "workers.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    table = markdown(results, meta)
    (RESULTS / "workers.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
