"""Fixtures for the UI tests: the deterministic stand-in API, served by uvicorn in a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.standin_api import StandIn, create_app, serve


@pytest.fixture()
def standin() -> Iterator[tuple[str, StandIn]]:
    """A fresh stand-in API per test: (base URL, its scripted state)."""
    stand = StandIn()
    with serve(create_app(stand)) as url:
        yield url, stand


@pytest.fixture()
def dead_url() -> str:
    """A URL nothing listens on."""
    from tests.helpers import free_port

    return f"http://127.0.0.1:{free_port()}"
