"""A small cluster on loopback for fault and load tests: `chroma run` + `newsqa serve --workers N`.

Everything here talks to 127.0.0.1 only; every load loop is bounded in requests and in time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from newsqa.loopback import rss_mb, stop, worker_pids
from tests.helpers import ARTICLES, BIN, ROOT, child_env, free_port, wait_http

# A Chroma request that hangs longer than this is a 503 (the service's NEWSQA_CHROMA_TIMEOUT_S).
CHROMA_TIMEOUT_S = 5


@dataclass
class Chroma:
    """A `chroma run` server that can be stopped and restarted on the same port and data."""

    path: Path
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        args = [str(BIN / "chroma"), "run", "--path", str(self.path)]
        args += ["--host", "127.0.0.1", "--port", str(self.port)]
        deadline = time.monotonic() + timeout
        while True:  # a restart may find the port still held for a moment
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(
                    args, stdout=out, stderr=subprocess.STDOUT, env=child_env(), cwd=ROOT
                )
            try:
                wait_http(f"{self.url}/api/v2/heartbeat", deadline - time.monotonic(), self.process)
                return
            except RuntimeError:
                if time.monotonic() > deadline - 5:
                    raise
                time.sleep(1.0)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop(self.process, 20, sig)
        self.process = None

    def client(self):  # type: ignore[no-untyped-def]
        """A chromadb client of this server (for inspecting collections)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(
            host="127.0.0.1", port=self.port, settings=ChromaSettings(anonymized_telemetry=False)
        )


@dataclass
class Api:
    """`python -m service.server --workers N` (uvicorn's supervisor and its worker processes)."""

    url: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the supervisor that serve requests)."""
        return [] if self.process.poll() is not None else worker_pids(self.process.pid)

    def rss_mb(self) -> float:
        """Resident memory of the supervisor and all its workers, in MB."""
        return rss_mb([self.process.pid, *self.worker_pids()])

    def wait_ready(self, workers: int, timeout: float = 120.0) -> None:
        """Until ``workers`` worker processes run and fresh connections all get /readyz 200."""
        deadline = time.monotonic() + timeout
        streak = 0
        while streak < 4 * workers:
            if time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-4000:]
                raise TimeoutError(f"API not ready with {workers} workers:\n{tail}")
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"API exited with {self.process.returncode}:\n{tail}")
            try:
                ok = (
                    (workers == 1 or len(self.worker_pids()) >= workers)  # 1: no children
                    and httpx.get(f"{self.url}/readyz", timeout=30).status_code == 200
                )
            except httpx.HTTPError:
                ok = False
            streak = streak + 1 if ok else 0
            time.sleep(0.05 if ok else 0.3)

    def stop(self) -> None:
        stop(self.process)


def ingest(
    chroma_url: str,
    index_dir: Path,
    paths: list[Path] | None = None,
    timeout: float = 300,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """`newsqa ingest` into the Chroma server, in a child process (as an operator runs it)."""
    environ = child_env(NEWSQA_CHROMA_URL=chroma_url, NEWSQA_INDEX_DIR=str(index_dir), **env)
    args = [str(BIN / "newsqa"), "ingest", "--quiet", *(str(p) for p in (paths or [ARTICLES]))]
    return subprocess.run(
        args, env=environ, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def ingest_seed(chroma_url: str, index_dir: Path, **env: str) -> None:
    """Ingest the five seed articles into the Chroma server."""
    done = ingest(chroma_url, index_dir, None, 300, **env)
    assert done.returncode == 0, done.stderr


def start_api(chroma_url: str, index_dir: Path, log: Path, workers: int = 2, **env: str) -> Api:
    """`python -m service.server --workers N` on a free port, every worker ready."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "service.server", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(workers)]
    log.parent.mkdir(parents=True, exist_ok=True)
    environ = child_env(
        NEWSQA_CHROMA_URL=chroma_url,
        NEWSQA_INDEX_DIR=str(index_dir),
        NEWSQA_CHROMA_TIMEOUT_S=str(CHROMA_TIMEOUT_S),
        **env,
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=environ, cwd=ROOT
        )
    api = Api(url, process, log)
    try:
        wait_http(f"{url}/healthz", 180, process)
        api.wait_ready(workers, timeout=180)
    except BaseException:
        api.stop()
        raise
    return api


@contextmanager
def api_workers(
    chroma_url: str, index_dir: Path, log: Path, workers: int = 2, **env: str
) -> Iterator[Api]:
    """``start_api`` as a context manager (stopped on exit)."""
    api = start_api(chroma_url, index_dir, log, workers, **env)
    try:
        yield api
    finally:
        api.stop()


@dataclass
class Call:
    """One request of a load run: what was asked, when, and what came back."""

    kind: str
    target: str
    started: float
    ended: float
    status: int  # 0: transport error (no HTTP status)
    body: dict
    error: str = ""


@dataclass
class Outcome:
    """What a bounded load run saw."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    @property
    def statuses(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for call in self.calls:
            out[call.status] = out.get(call.status, 0) + 1
        return out

    @property
    def server_errors(self) -> list[Call]:
        return [c for c in self.calls if c.status >= 500]

    @property
    def transport_errors(self) -> list[Call]:
        return [c for c in self.calls if c.status == 0]

    def p95_ms(self) -> float:
        lat = sorted((c.ended - c.started) * 1000 for c in self.calls if c.status)
        return lat[min(len(lat) - 1, int(0.95 * (len(lat) - 1)))] if lat else 0.0


def call(
    client: httpx.Client, kind: str, target: str, method: str, url: str, **kwargs: object
) -> Call:
    """Make one request; a transport error is a ``Call`` with status 0, not an exception."""
    started = time.monotonic()
    try:
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        return Call(kind, target, started, time.monotonic(), 0, {}, f"{type(exc).__name__}: {exc}")
    ended = time.monotonic()
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text[:500]}
    return Call(kind, target, started, ended, response.status_code, body)


def run_load(
    base_url: str,
    clients: int,
    seconds: float,
    max_requests: int,
    step: Callable[[httpx.Client, int], Call],
    stop: threading.Event | None = None,
    timeout: float = 60.0,
    fresh_every: int = 1,
    outcome: Outcome | None = None,
) -> Outcome:
    """``clients`` threads call ``step`` until ``seconds`` pass, ``max_requests`` are made or
    ``stop`` is set. A client opens a new connection every ``fresh_every`` requests (and after a
    transport error), so the kernel spreads requests over the workers. Calls are added to
    ``outcome`` as they end."""
    outcome = outcome if outcome is not None else Outcome()
    deadline = time.monotonic() + seconds
    counter = iter(range(max_requests))
    counter_lock = threading.Lock()
    stop = stop or threading.Event()

    def worker() -> None:
        client = httpx.Client(base_url=base_url, timeout=timeout)
        made = 0
        try:
            while time.monotonic() < deadline and not stop.is_set():
                with counter_lock:
                    n = next(counter, None)
                if n is None:
                    return
                if made and made % fresh_every == 0:
                    client.close()
                    client = httpx.Client(base_url=base_url, timeout=timeout)
                made += 1
                result = step(client, n)
                outcome.add(result)
                if result.status == 0:
                    client.close()
                    client = httpx.Client(base_url=base_url, timeout=timeout)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 30)
    return outcome


@contextmanager
def background_load(
    base_url: str,
    clients: int,
    seconds: float,
    max_requests: int,
    step: Callable[[httpx.Client, int], Call],
    **kwargs: object,
) -> Iterator[tuple[Outcome, threading.Event]]:
    """``run_load`` in a thread; yields ``(outcome, stop)`` (the outcome fills as calls end);
    on exit sets ``stop`` and waits for the clients."""
    stop = threading.Event()
    outcome = Outcome()

    def target() -> None:
        run_load(base_url, clients, seconds, max_requests, step, stop, outcome=outcome, **kwargs)  # type: ignore[arg-type]

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        yield outcome, stop
    finally:
        stop.set()
        thread.join(seconds + 120)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """The ASGI ``app`` served by uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", 120)
        yield url
    finally:
        server.should_exit = True
        thread.join(30)
