"""Fixtures for the fault and load tests: one `chroma run` server holding the five seed articles
and two API workers on it, shared by the tests of this package (each test leaves it whole:
a stopped Chroma is restarted, a killed worker is replaced by uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.cluster import Api, Chroma, ingest_seed, start_api


@dataclass
class Cluster:
    chroma: Chroma
    api: Api
    root: Path  # scratch space of the cluster
    seed_index: Path  # index dir of the clean seed ingest (its keyword snapshot)
    logs: Path
    workers: int = 2


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("faults")
    logs = artifacts_dir / "logs" / "faults"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    chroma = Chroma(root / "chroma-data", logs / "chroma.log")
    chroma.start()
    try:
        ingest_seed(chroma.url, root / "seed-index")
        api = start_api(chroma.url, root / "api-index", logs / "api.log", workers=2)
        try:
            yield Cluster(chroma, api, root, root / "seed-index", logs)
        finally:
            api.stop()
    finally:
        chroma.stop()
