"""Soak: mixed traffic at a steady rate against API workers on a Chroma server; memory and p95
over time. Not part of ``make test`` (10 minutes by default): ``make soak`` or
``python -m bench.soak --minutes 3``.

A fresh `chroma run` server holds the seed articles (``--articles N``: a generated corpus of N
articles instead); ``--workers`` API workers serve it. Requests start on a fixed schedule
(``--rate`` per second, open loop: a slow server does not slow the schedule down; at most
``--clients`` are in flight, a request that finds them all busy is counted as dropped): /search
50 %, /ask 30 %, /v1/chat/completions 10 %, /documents 10 %, all with distinct questions; and
every 20 s one article is added through the API and deleted 10 s later. The RSS of every API
process is sampled every 5 s.

Pass: no 5xx; RSS growth under 10 % from the first minute after warm-up to the last minute;
p95 stable (the last minute's p95 at most 1.5 x the first post-warm-up minute's, + 50 ms).
Results: ``bench/results/soak.{json,md}``; exit status 1 when a check fails.

Usage: python -m bench.soak [--minutes 10] [--warmup 1] [--rate 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.cluster import ApiServer, ChromaServer, cpu_note
from bench.corpus import ARTICLES, generate_corpus
from bench.service import CACHE, RESULTS, queries

SAMPLE_S = 5.0
WRITE_EVERY_S = 20.0


@dataclass
class Record:
    at: float  # seconds since the start
    kind: str
    status: int  # 0: transport error
    ms: float


@dataclass
class Soak:
    url: str
    clients: int
    records: list[Record] = field(default_factory=list)
    dropped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    started: float = field(default_factory=time.monotonic)
    local: threading.local = field(default_factory=threading.local)
    timers: dict[str, threading.Timer] = field(default_factory=dict)  # deletes not sent

    def client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self.local, "client", None)
        made = getattr(self.local, "made", 0)
        if client is None or made % 8 == 0:  # a new connection now and then: all workers
            if client is not None:
                client.close()
            client = self.local.client = httpx.Client(base_url=self.url, timeout=60)
        self.local.made = made + 1
        return client

    def request(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        began = time.monotonic()
        response: httpx.Response | None = None
        try:
            response = self.client().request(method, path, **kwargs)
            status = response.status_code
        except httpx.HTTPError:
            status = 0
            self.local.client = None
        record = Record(began - self.started, kind, status, (time.monotonic() - began) * 1000)
        with self.lock:
            self.records.append(record)
            self.in_flight -= 1
        return response

    def mixed(self, n: int, question: str) -> None:
        slot = n % 10
        if slot < 5:
            self.request("search", "GET", "/search", params={"q": question, "k": 8})
        elif slot < 8:
            self.request("ask", "POST", "/ask", json={"question": question})
        elif slot == 8:
            body = {"model": "newsqa", "messages": [{"role": "user", "content": question}]}
            self.request("chat", "POST", "/v1/chat/completions", json=body)
        else:
            self.request("documents", "GET", "/documents")

    def write(self, n: int) -> None:
        text = (
            f"The harbour board of Soakport{n} said on Monday that it will buy {n % 9 + 2} "
            "electric tugboats this year. The first tug arrives in the spring, the board said."
        )
        added = self.request(
            "add", "POST", "/documents", json={"text": text, "title": f"Soakport {n} tugs"}
        )
        if added is not None and added.status_code in (200, 201):
            doc_id = added.json()["doc_id"]

            def delete() -> None:
                with self.lock:
                    if self.timers.pop(doc_id, None) is None:  # cancelled by drain()
                        return
                self.request("delete", "DELETE", f"/documents/{doc_id}")

            timer = threading.Timer(WRITE_EVERY_S / 2, delete)
            timer.daemon = True
            with self.lock:
                self.in_flight += 1
                self.timers[doc_id] = timer
            timer.start()

    def drain(self, timeout: float = 60.0) -> None:
        """Cancel the deletes not sent yet and wait for the requests in flight."""
        with self.lock:
            for timer in self.timers.values():
                timer.cancel()
                self.in_flight -= 1
            self.timers.clear()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.in_flight <= 0:
                    return
            time.sleep(0.1)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 1)


def build_index(chroma_url: str, articles: int) -> dict[str, Any]:
    from ingest.pipeline import ingest_paths
    from newsqa.settings import Settings

    corpus = ARTICLES if articles <= 5 else generate_corpus(articles, CACHE / f"corpus-{articles}")
    scratch = Path(tempfile.mkdtemp(prefix="bench-soak-ingest-"))
    try:
        settings = Settings(index_dir=scratch, chroma_url=chroma_url, _env_file=None)  # type: ignore[call-arg]
        summary = ingest_paths([corpus], settings)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"documents": summary.total_documents, "chunks": summary.total_chunks}


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = cpu_note()
    total_s = args.minutes * 60
    warmup_s = min(args.warmup * 60, total_s / 3)
    scratch = Path(tempfile.mkdtemp(prefix="bench-soak-", dir=CACHE))
    rss: list[tuple[float, float]] = []
    try:
        with ChromaServer(scratch / "chroma", RESULTS / "logs" / "soak-chroma.log") as chroma:
            print("ingesting...", flush=True)
            index = build_index(chroma.url, args.articles)
            log = RESULTS / "logs" / "soak-api.log"
            with ApiServer(scratch / "api", args.workers, chroma.url, log=log) as api:
                api.wait_ready()
                soak = Soak(api.url, args.clients)
                print(
                    f"soak: {args.minutes} min at {args.rate}/s, {args.workers} workers, "
                    f"{index['documents']} articles; warm-up {warmup_s:.0f} s",
                    flush=True,
                )
                questions = queries(int(total_s * args.rate) + 10, offset=1000)
                with ThreadPoolExecutor(args.clients + 2) as pool:
                    n, next_write, next_sample = 0, WRITE_EVERY_S, 0.0
                    while (now := time.monotonic() - soak.started) < total_s:
                        if now >= next_sample:
                            rss.append((round(now, 1), api.rss_mb()))
                            next_sample += SAMPLE_S
                            if int(now) % 60 < SAMPLE_S:
                                print(f"  {now / 60:4.1f} min  RSS {rss[-1][1]} MB", flush=True)
                        with soak.lock:
                            busy = soak.in_flight >= args.clients
                            if not busy:
                                soak.in_flight += 1
                        if busy:
                            soak.dropped += 1
                        elif now >= next_write:
                            next_write += WRITE_EVERY_S
                            pool.submit(soak.write, n)
                        else:
                            pool.submit(soak.mixed, n, questions[n % len(questions)])
                        n += 1
                        target = soak.started + n / args.rate
                        time.sleep(max(0.0, target - time.monotonic()))
                    soak.drain()
                rss.append((round(time.monotonic() - soak.started, 1), api.rss_mb()))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summarize(soak, rss, warmup_s, total_s, args, machine, index)


def summarize(
    soak: Soak,
    rss: list[tuple[float, float]],
    warmup_s: float,
    total_s: float,
    args: argparse.Namespace,
    machine: str,
    index: dict[str, Any],
) -> dict[str, Any]:
    minutes: list[dict[str, Any]] = []
    for begin in range(0, int(total_s), 60):
        inside = [r for r in soak.records if begin <= r.at < begin + 60 and r.status]
        lat = [r.ms for r in inside]
        mem = [m for at, m in rss if begin <= at < begin + 60]
        minutes.append(
            {
                "minute": begin // 60 + 1,
                "requests": len(inside),
                "p50_ms": percentile(lat, 0.5),
                "p95_ms": percentile(lat, 0.95),
                "errors": sum(1 for r in soak.records if begin <= r.at < begin + 60)
                - sum(1 for r in inside if r.status < 500),
                "rss_mb": round(statistics.fmean(mem), 1) if mem else None,
            }
        )
    after = [m for m in minutes if (m["minute"] - 1) * 60 >= warmup_s and m["rss_mb"]]
    first, last = (after[0], after[-1]) if after else (minutes[0], minutes[-1])
    rss_first, rss_last = float(first["rss_mb"] or 0.0), float(last["rss_mb"] or 0.0)
    growth = (rss_last - rss_first) / rss_first if rss_first else 0.0
    statuses: dict[str, int] = {}
    for r in soak.records:
        statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
    server_errors = sum(1 for r in soak.records if r.status >= 500 or r.status == 0)
    checks = {
        "no_5xx": server_errors == 0,
        "rss_growth_under_10pct": growth < 0.10,
        "p95_stable": float(last["p95_ms"]) <= 1.5 * float(first["p95_ms"]) + 50,
    }
    return {
        "meta": {
            "minutes": args.minutes,
            "warmup_s": warmup_s,
            "rate_per_s": args.rate,
            "workers": args.workers,
            "clients": args.clients,
            "machine": machine,
            **index,
        },
        "requests": len(soak.records),
        "dropped": soak.dropped,
        "statuses": statuses,
        "rss_growth_pct": round(100 * growth, 1),
        "rss_first_mb": first["rss_mb"],
        "rss_last_mb": last["rss_mb"],
        "p95_first_ms": first["p95_ms"],
        "p95_last_ms": last["p95_ms"],
        "p95_by_kind_ms": {
            kind: percentile([r.ms for r in soak.records if r.kind == kind and r.status], 0.95)
            for kind in sorted({r.kind for r in soak.records})
        },
        "minutes": minutes,
        "rss_samples": rss,
        "checks": checks,
        "passed": all(checks.values()),
    }


def markdown(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [
        f"Soak: {meta['minutes']} min of mixed traffic at {meta['rate_per_s']} requests/s "
        f"({meta['workers']} workers on a Chroma server, {meta['documents']} articles, "
        f"warm-up {meta['warmup_s']:.0f} s); {meta['machine']}.",
        "",
        f"Requests {result['requests']} (dropped while {meta['clients']} were in flight: "
        f"{result['dropped']}), statuses {result['statuses']}. RSS of the API processes "
        f"{result['rss_first_mb']} -> {result['rss_last_mb']} MB "
        f"({result['rss_growth_pct']:+.1f} %); p95 {result['p95_first_ms']} -> "
        f"{result['p95_last_ms']} ms; checks {result['checks']}.",
        "",
        "| minute | requests | p50 ms | p95 ms | 5xx / transport errors | API RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for m in result["minutes"]:
        lines.append(
            f"| {m['minute']} | {m['requests']} | {m['p50_ms']} | {m['p95_ms']} "
            f"| {m['errors']} | {m['rss_mb']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="duration, warm-up included")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up minutes (not judged)")
    parser.add_argument("--rate", type=float, default=4.0, help="requests started per second")
    parser.add_argument("--workers", type=int, default=2, help="API workers")
    parser.add_argument("--clients", type=int, default=8, help="most requests in flight")
    parser.add_argument("--articles", type=int, default=5, help="5: the seed articles")
    args = parser.parse_args()
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2))
    table = markdown(result)
    (RESULTS / "soak.md").write_text(table)
    print(table)
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
