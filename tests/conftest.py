"""Shared fixtures: a real index of the five seed articles (ONNX embeddings, embedded Chroma)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ARTICLES, ROOT

for _var in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
    os.environ[_var] = "false"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
for _var in [v for v in os.environ if v.startswith("NEWSQA_")]:
    del os.environ[_var]

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings whose index (in a temp dir) holds the five seed articles. Read-only for tests."""
    from ingest.pipeline import ingest_paths
    from newsqa.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("seed-index"), _env_file=None)
    summary = ingest_paths([ARTICLES], settings)
    assert len(summary.added) == 5, summary
    return settings


@pytest.fixture()
def fresh_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings with an empty index in a per-test temp dir (real ONNX embeddings)."""
    from newsqa.settings import Settings

    return Settings(index_dir=tmp_path / "index", _env_file=None)


@pytest.fixture(scope="session")
def seed_state(seed_settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A ``ServiceState`` over the seed index."""
    from service.state import ServiceState

    state = ServiceState(seed_settings)
    state.open()
    yield state
