"""Servers for the multi-process benchmarks, on loopback: `chroma run` and `newsqa serve`.

``ChromaServer`` serves a Chroma directory; an embedded index's ``<index>/chroma`` directory is
the same on-disk format, so a copy of it served by ``chroma run`` is the very same index.
``ApiServer`` is ``python -m service.server --workers N`` (uvicorn's supervisor and N workers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import ROOT
from newsqa.loopback import child_env, free_port, rss_mb, stop, wait_http, worker_pids

BIN = Path(sys.executable).parent


class ChromaServer:
    """``chroma run --path PATH`` on a free loopback port."""

    def __init__(self, path: Path, log: Path | None = None) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        path.mkdir(parents=True, exist_ok=True)
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("ab") if log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            cwd=ROOT,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{self.url}/api/v2/heartbeat", 120, self.process)

    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        stop(self.process)

    def __enter__(self) -> ChromaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ApiServer:
    """``python -m service.server --workers N`` (extractive engine) on a free loopback port."""

    def __init__(
        self,
        index_dir: Path,
        workers: int = 1,
        chroma_url: str | None = None,
        log: Path | None = None,
        **env: str,
    ) -> None:
        self.workers = workers
        self.log = log or Path(os.devnull)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = child_env(NEWSQA_INDEX_DIR=str(index_dir), NEWSQA_ENGINE="extractive", **env)
        if chroma_url:
            environ["NEWSQA_CHROMA_URL"] = chroma_url
        args = [sys.executable, "-m", "service.server", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--workers", str(workers)]
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:  # a file, not a pipe: access logs would fill a pipe
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT
            )

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the workers, or the server itself with one worker."""
        return [self.process.pid] if self.workers == 1 else worker_pids(self.process.pid)

    def rss_mb(self) -> float:
        """Resident memory of every process of the server (supervisor and workers), MB."""
        return rss_mb([self.process.pid, *self.worker_pids()])

    def wait_ready(self, timeout: float = 600) -> dict[str, Any]:
        """Until every worker runs and a row of fresh connections all get /readyz 200."""
        deadline = time.monotonic() + timeout
        streak = 0
        body: dict[str, Any] = {}
        while streak < 4 * self.workers:
            if time.monotonic() > deadline:
                raise TimeoutError("API not ready")
            if self.process.poll() is not None:
                raise RuntimeError(f"API exited with {self.process.returncode}; see {self.log}")
            try:
                ready = httpx.get(f"{self.url}/readyz", timeout=30)
                ok = ready.status_code == 200 and len(self.worker_pids()) >= self.workers
                body = ready.json() if ok else body
            except httpx.HTTPError:
                ok = False
            streak = streak + 1 if ok else 0
            time.sleep(0.05 if ok else 0.5)
        return dict(body)

    def stop(self) -> None:
        stop(self.process)

    def __enter__(self) -> ApiServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_note() -> str:
    """The machine, for result tables (CPU count and load when measured)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs (shared; 1-min load {load:.1f} at start)"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_idle(pids: list[int], timeout: float = 120, busy: float = 0.1) -> float:
    """Until these processes use less than ``busy`` of a CPU over a second (start-up work such
    as the background warm-up has finished); returns the seconds waited."""
    started = time.monotonic()
    last = cpu_seconds(pids)
    while time.monotonic() - started < timeout:
        time.sleep(1.0)
        now = cpu_seconds(pids)
        if now - last < busy:
            break
        last = now
    return round(time.monotonic() - started, 1)
