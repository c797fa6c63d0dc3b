"""Helpers for tests that start real servers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from newsqa import loopback
from newsqa.loopback import child_env, free_port, wait_http

__all__ = ["ARTICLES", "BIN", "ROOT", "child_env", "free_port", "running", "wait_http"]

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
BIN = Path(sys.executable).parent


def running(
    args: list[str], health_url: str, env: dict[str, str], log: Path, timeout: float = 90.0
) -> AbstractContextManager[subprocess.Popen]:
    """``loopback.running`` from the repository root."""
    return loopback.running(args, health_url, env, log, timeout, cwd=ROOT)


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
