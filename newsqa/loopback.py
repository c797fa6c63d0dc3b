"""Local servers on 127.0.0.1: a free port, an offline child environment, waiting until a server
answers, stopping it, and the worker processes and memory of a uvicorn supervisor.

One place for what the in-process llama.cpp server, the tests, the benchmarks and the README
screenshot all need when they start servers of their own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """This environment without ``NEWSQA_*`` settings, offline: no telemetry, no tracing, no
    model downloads; then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any status below 500); ``RuntimeError`` when ``process``
    exits first, ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s: {last}")


def stop(
    process: subprocess.Popen | None, timeout: float = 30.0, sig: int = signal.SIGTERM
) -> None:
    """Send ``sig`` to a running process and wait; kill it if it outlives ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(supervisor: int) -> list[int]:
    """The worker processes of a uvicorn supervisor (its multiprocessing children, not the
    resource tracker); empty when it has none or is gone."""
    try:
        task = Path(f"/proc/{supervisor}/task/{supervisor}/children")
        children = [int(p) for p in task.read_text().split()]
    except OSError:
        return []
    pids = []
    for pid in children:
        with suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(pid)
    return pids


def rss_mb(pids: Iterable[int]) -> float:
    """Resident memory of these processes together, MB (processes that are gone count 0)."""
    total = 0
    for pid in set(pids):
        with suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


@contextmanager
def running(
    args: list[str],
    health_url: str,
    env: dict[str, str],
    log: Path,
    timeout: float = 90.0,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Start a server process, wait until ``health_url`` answers, stop it afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        try:
            try:
                wait_http(health_url, timeout, process)
            except Exception as exc:
                raise RuntimeError(
                    f"{exc}\n--- log ---\n{log.read_text(errors='replace')}"
                ) from exc
            yield process
        finally:
            stop(process, 15)
