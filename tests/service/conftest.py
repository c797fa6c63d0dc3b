"""Fixtures for the HTTP API: an in-process client and real uvicorn servers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import api_server

GRIPEN = "How many Gripen fighters does Kyiv plan to buy?"
UNANSWERABLE = "What is the population of Lima, the capital of Peru?"


def copy_index(src: Path, dst: Path) -> Path:
    """A private copy of an index (an embedded Chroma path is opened by one process only)."""
    shutil.copytree(src, dst)
    return dst


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse a Server-Sent Events body into ``(event, data)`` pairs (comments skipped)."""
    events: list[tuple[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            raw = "\n".join(data)
            events.append((name, raw if raw == "[DONE]" else json.loads(raw)))
    return events


@pytest.fixture(scope="session")
def api(seed_settings, seed_state) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """In-process ``TestClient`` over the seed index (shares the session's ``seed_state``)."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(
        create_app(seed_settings, state=seed_state), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture(scope="session")
def seed_server(seed_settings, tmp_path_factory, artifacts_dir) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real uvicorn server over a private copy of the seed index (read-only use)."""
    index = copy_index(seed_settings.index_dir, tmp_path_factory.mktemp("srv") / "index")
    with api_server(index, artifacts_dir / "logs" / "seed-server.log") as url:
        yield url


@pytest.fixture(scope="session")
def http(seed_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seed_server, timeout=60) as client:
        yield client
