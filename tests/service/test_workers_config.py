"""Several workers: only with a Chroma server (the embedded PersistentClient is one process's),
and every worker process rebuilds the same settings from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from newsqa.cli import app
from newsqa.errors import ConfigError
from newsqa.settings import Settings
from service.server import check_workers, settings_env


def test_embedded_store_allows_one_worker(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    check_workers(settings, 1)
    with pytest.raises(ConfigError, match="NEWSQA_CHROMA_URL"):
        check_workers(settings, 2)
    with pytest.raises(ValidationError, match="one worker only"):
        Settings(index_dir=tmp_path, workers=2, _env_file=None)  # type: ignore[call-arg]
    server = settings.model_copy(update={"chroma_url": "http://127.0.0.1:8000"})
    check_workers(server, 4)


def test_cli_refuses_workers_without_a_chroma_server(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--index-dir", str(tmp_path)])
    output = " ".join(result.output.split())  # rich wraps lines
    assert result.exit_code == 2
    assert "one worker only" in output and "NEWSQA_CHROMA_URL" in output
    assert "Traceback" not in output


def test_worker_processes_rebuild_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        index_dir=tmp_path,
        chroma_url="http://127.0.0.1:8000",
        workers=2,
        api_keys=["k1", "k2"],
        fusion_weights=(1.0, 0.5, 2.0),
        rate_limit="5/second;300/hour",
        _env_file=None,
    )
    for name in [v for v in os.environ if v.startswith("NEWSQA_")]:
        monkeypatch.delenv(name)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    rebuilt = Settings(_env_file=None)  # type: ignore[call-arg]
    assert rebuilt.model_dump() == settings.model_dump()
