"""Service benchmark: ``/search`` and ``/ask`` latency (p50/p95) and requests/s over HTTP.

A real uvicorn server (extractive engine, embedded Chroma) is started on a cached index of each
corpus size; requests come sequentially and from ``--concurrency`` client threads. Queries are
all distinct, so the query-embedding cache does not flatter the numbers. Peak memory is the
server's peak RSS (``VmHWM``). Results go to ``bench/results/service.{json,md}``.

Usage: python -m bench.service [--sizes 5,1000,10000] [--requests 200] [--concurrency 8]
(5 = the seed corpus; generated corpora and their indexes are cached under ``bench/.cache/``)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import ARTICLES, ROOT, generate_corpus
from newsqa.loopback import child_env, free_port, stop

RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
TARGETS_MS = {"search": 25.0, "ask": 100.0}
SUBJECTS = [
    "Gripen fighters",
    "air-defence systems",
    "Patriot batteries",
    "long-range missiles",
    "security guarantees",
    "peacekeeping troops",
    "artillery shells",
    "drones",
    "tanks",
    "reconstruction funds",
]
PLACES = [
    "Kyiv",
    "Lviv",
    "Odesa",
    "Riga",
    "Gdansk",
    "Tallinn",
    "Vilnius",
    "Kharkiv",
    "Bucharest",
    "Oslo",
    "Warsaw",
    "Paris",
    "London",
    "Berlin",
]
TEMPLATES = [
    "How many {s} does {p} plan to buy?",
    "What did {p} say about {s}?",
    "Who will pay for the {s} promised to {p}?",
    "When will {p} receive {s}?",
    "Why does {p} want more {s}?",
]

_INGEST = """
import json, sys
from pathlib import Path
from ingest.pipeline import ingest_paths
from newsqa.settings import Settings
summary = ingest_paths([Path(sys.argv[1])], Settings(index_dir=Path(sys.argv[2]), _env_file=None))
print(json.dumps({"documents": summary.total_documents, "chunks": summary.total_chunks,
                  "seconds": round(summary.seconds, 1)}))
"""


def queries(count: int, offset: int = 0) -> list[str]:
    """``count`` distinct questions (templates x subjects x places, numbered past 700)."""
    out = []
    for i in range(offset, offset + count):
        t, s, p = TEMPLATES[i % 5], SUBJECTS[(i // 5) % 10], PLACES[(i // 50) % 14]
        out.append(t.format(s=s, p=p) + ("" if i < 700 else f" ({i})"))
    return out


def cached_index(size: int) -> tuple[Path, dict[str, Any]]:
    """The index of a corpus size, built once (in a child process: one process per Chroma path)."""
    index = CACHE / f"index-{size}"
    marker = index / "bench-complete.json"
    if marker.exists():
        return index, json.loads(marker.read_text())
    corpus = ARTICLES if size == 5 else generate_corpus(size, CACHE / f"corpus-{size}")
    print(f"  ingesting {size} articles into {index} (cached for next runs)...", flush=True)
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


class Server:
    """``uvicorn --factory service.app:create_app`` on a free port."""

    def __init__(self, index: Path, workers_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = child_env(
            NEWSQA_INDEX_DIR=str(index), NEWSQA_ENGINE="extractive", **(workers_env or {})
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    self.process.stderr.read().decode() if self.process.stderr else "server exited"
                )
            try:
                ready = httpx.get(f"{self.url}/readyz", timeout=5)
                if ready.status_code == 200:
                    return dict(ready.json())
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError("server not ready")

    def memory_mb(self) -> dict[str, float]:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return {}
        values = {}
        for line in status.splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
        return {"peak_rss_mb": values.get("VmHWM", 0.0), "rss_mb": values.get("VmRSS", 0.0)}

    def stop(self) -> None:
        stop(self.process, 15)


def _one(client: httpx.Client, endpoint: str, question: str) -> tuple[float, bool, float | None]:
    started = time.perf_counter()
    if endpoint == "search":
        response = client.get("/search", params={"q": question, "k": 10})
    else:
        response = client.post("/ask", json={"question": question, "top_k": 5})
    elapsed = (time.perf_counter() - started) * 1000
    server_ms = None
    if response.status_code == 200 and endpoint == "ask":
        server_ms = response.json().get("timings_ms", {}).get("total")
    return elapsed, response.status_code == 200, server_ms


def _summary(latencies: list[float], ok: int, wall: float, server: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 2)

    out = {
        "requests": len(latencies),
        "errors": len(latencies) - ok,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "req_per_s": round(len(latencies) / wall, 1),
    }
    if server:
        out["server_p50_ms"] = round(statistics.median(server), 2)
    return out


def measure(url: str, endpoint: str, questions: list[str], concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    server: list[float] = []
    ok = 0
    lock = threading.Lock()
    local = threading.local()
    clients: list[httpx.Client] = []

    def task(question: str) -> None:
        nonlocal ok
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=120)
            with lock:
                clients.append(client)
        elapsed, good, server_ms = _one(client, endpoint, question)
        with lock:
            latencies.append(elapsed)
            ok += good
            if server_ms is not None:
                server.append(server_ms)

    started = time.perf_counter()
    if concurrency == 1:
        for question in questions:
            task(question)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(task, questions))
    wall = time.perf_counter() - started
    for client in clients:
        client.close()
    return _summary(latencies, ok, wall, server)


def run_size(size: int, requests: int, concurrency: int) -> dict[str, Any]:
    index, info = cached_index(size)
    server = Server(index)
    try:
        ready = server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=120) as warm:  # load models, fill caches
            for question in queries(10, offset=5000):
                _one(warm, "search", question)
                _one(warm, "ask", question)
        result: dict[str, Any] = {
            "articles": ready["documents"],
            "chunks": ready["chunks"],
            "ingest_seconds": info.get("seconds"),
        }
        offset = 0
        for endpoint in ("search", "ask"):
            for clients in (1, concurrency):
                result[f"{endpoint}_c{clients}"] = measure(
                    server.url, endpoint, queries(requests, offset), clients
                )
                offset += requests
                print(
                    f"  {size:>6} {endpoint:<6} c={clients}: "
                    f"{json.dumps(result[f'{endpoint}_c{clients}'])}",
                    flush=True,
                )
        result.update(server.memory_mb())
    finally:
        server.stop()
    return result


def markdown(results: dict[str, Any], concurrency: int) -> str:
    lines = [
        f"Service latency over HTTP (extractive engine, embedded Chroma, {os.cpu_count()} CPUs). "
        f"Targets at 10,000 articles: /search p50 < {TARGETS_MS['search']:.0f} ms, "
        f"/ask p50 < {TARGETS_MS['ask']:.0f} ms.",
        "",
        "| articles | chunks | endpoint | clients | p50 ms | p95 ms | req/s | errors "
        "| server peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results.values():
        for endpoint in ("search", "ask"):
            for clients in (1, concurrency):
                m = r[f"{endpoint}_c{clients}"]
                lines.append(
                    f"| {r['articles']} | {r['chunks']} | /{endpoint} | {clients} "
                    f"| {m['p50_ms']} | {m['p95_ms']} | {m['req_per_s']} | {m['errors']} "
                    f"| {r.get('peak_rss_mb', '')} |"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="5,1000", help="comma-separated corpus sizes")
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"size {size}:", flush=True)
        results[str(size)] = run_size(size, args.requests, args.concurrency)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "targets_ms": TARGETS_MS,
    }
    (RESULTS / "service.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    table = markdown(results, args.concurrency)
    (RESULTS / "service.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
