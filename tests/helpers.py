"""Helpers for tests that start real servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any status below 500) or fail after ``timeout``."""
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
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last}")


def child_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: offline, no tracing, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@contextmanager
def running(
    args: list[str], health_url: str, env: dict[str, str], log: Path, timeout: float = 90.0
) -> Iterator[subprocess.Popen]:
    """Start a server process, wait until ``health_url`` answers, stop it afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            try:
                wait_http(health_url, timeout, process)
            except Exception as exc:
                raise RuntimeError(
                    f"{exc}\n--- log ---\n{log.read_text(errors='replace')}"
                ) from exc
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[str]:
    """A real ``chroma run`` server on a free port; yields its URL."""
    port = free_port()
    args = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    with running(args, f"{url}/api/v2/heartbeat", child_env(), log):
        yield url


@contextmanager
def api_server(index_dir: Path, log: Path, **env: str) -> Iterator[str]:
    """``uvicorn --factory service.app:create_app`` in a subprocess; yields its base URL."""
    port = free_port()
    args = [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "--factory",
        "service.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    with running(args, f"{url}/healthz", child_env(NEWSQA_INDEX_DIR=str(index_dir), **env), log):
        yield url
