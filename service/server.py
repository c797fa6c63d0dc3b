"""``serve()``: run the API with uvicorn; several workers only with a Chroma server."""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from newsqa.errors import ConfigError, NewsQAError
from newsqa.settings import Settings, get_settings

FACTORY = "service.app:create_app"
log = logging.getLogger("newsqa.server")


def check_workers(settings: Settings, workers: int) -> None:
    """Several workers need a Chroma server: an embedded store is opened by one process only."""
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    if workers > 1 and not settings.chroma_url:
        raise ConfigError(
            f"cannot run {workers} workers with the embedded Chroma store (one process only); "
            "set NEWSQA_CHROMA_URL to a Chroma server (`chroma run`) or use --workers 1"
        )


def repair_embedded(settings: Settings) -> int:
    """Remove what an upload killed mid-write left (chunks without a document record, found
    by searches though listed nowhere) from the embedded index this server has leased; the
    number of chunks removed (0 when there is no index yet or it cannot be opened)."""
    if settings.chroma_url:
        return 0  # other workers may be writing: their records come last
    from newsqa.components.embeddings import get_embedder
    from newsqa.components.store import open_store, remove_orphans

    if not (settings.index_dir / "chroma").is_dir():
        return 0
    store = open_store(settings)
    embedder = get_embedder(settings)
    try:
        store.ensure_model(embedder.model_id, embedder.dimension)
    except NewsQAError:
        return 0  # the app reports it (503 with the reason)
    removed = remove_orphans(store)
    if removed:
        log.warning("removed %d chunks of an unfinished write from %s", removed, settings.index_dir)
    return removed


def settings_env(settings: Settings) -> dict[str, str]:
    """``NEWSQA_*`` variables that rebuild ``settings`` in a worker process."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, list):  # comma-separated (NoDecode fields such as api_keys)
            value = ",".join(str(v) for v in value)
        elif isinstance(value, tuple | dict):  # complex fields are read back as JSON
            value = json.dumps(value if isinstance(value, dict) else list(value))
        env[f"NEWSQA_{name.upper()}"] = str(value)
    return env


def serve(
    settings: Settings | None = None,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the API until interrupted; raises ``ConfigError`` for an impossible worker count."""
    settings = settings or get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    check_workers(settings, workers)
    if workers == 1:
        from newsqa.components.store.lease import serving
        from service.app import create_app

        with serving(settings):  # one server per embedded index; ingest waits for it to stop
            repair_embedded(settings)
            uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
        return
    # each worker process builds its own app from the environment
    os.environ.update(settings_env(settings))
    os.environ["NEWSQA_WORKERS"] = str(workers)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="newsqa-metrics-"))
    uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, log_level=log_level)


def main(argv: list[str] | None = None) -> None:
    """``python -m service.server [--host H] [--port P] [--workers N] [--index-dir DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m service.server")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        if args.index_dir is not None:
            settings = settings.model_copy(update={"index_dir": args.index_dir})
        serve(settings, args.host, args.port, args.workers)
    except ValidationError as exc:
        raise SystemExit(f"error: invalid settings: {exc}") from exc
    except NewsQAError as exc:
        raise SystemExit(f"error: {exc.message}") from exc


if __name__ == "__main__":
    main()
