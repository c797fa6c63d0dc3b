"""The embedded index's lease (``newsqa.components.store.lease``): one server, no writer
under it; a server through a Chroma server needs none."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsqa.components.store.lease import ensure_not_served, serving
from newsqa.errors import IndexBusy
from newsqa.settings import Settings
from tests.helpers import BIN, child_env, free_port, running


def settings(index: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, index_dir=index, **extra)  # type: ignore[call-arg]


def test_a_served_index_refuses_writers_and_second_servers(tmp_path: Path) -> None:
    held = settings(tmp_path / "index")
    ensure_not_served(held)  # nothing serves it yet
    with serving(held):
        with pytest.raises(IndexBusy, match="POST /documents"):
            ensure_not_served(held)
        with pytest.raises(IndexBusy, match="another newsqa server"), serving(held):
            pass
        remote = settings(tmp_path / "index", chroma_url="http://127.0.0.1:1")
        ensure_not_served(remote)  # a Chroma server's index: no lease
    ensure_not_served(held)  # released when the server stops


@pytest.mark.integration
def test_newsqa_ingest_refuses_the_index_of_a_running_server(tmp_path: Path) -> None:
    """A server does not see what another process writes into its embedded index: ``newsqa
    ingest`` under ``newsqa serve`` is refused with what to do instead."""
    import subprocess

    index, articles = tmp_path / "index", tmp_path / "a"
    articles.mkdir()
    (articles / "a.txt").write_text("The Kors dam broke on Monday, police said.\n")
    env = child_env(NEWSQA_INDEX_DIR=str(index))

    def newsqa(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(BIN / "newsqa"), *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)

    assert newsqa("ingest", "--quiet", str(articles)).returncode == 0
    port = free_port()
    serve = [str(BIN / "newsqa"), "serve", "--port", str(port)]
    with running(serve, f"http://127.0.0.1:{port}/healthz", env, tmp_path / "serve.log"):
        refused = newsqa("ingest", "--quiet", str(articles))
        assert refused.returncode == 1, refused.stdout
        assert "a running newsqa server holds the index" in refused.stderr
        assert "Traceback" not in refused.stderr
        second = newsqa("serve", "--port", str(free_port()))
        assert second.returncode == 1 and "another newsqa server" in second.stderr
    assert newsqa("ingest", "--quiet", str(articles)).returncode == 0  # the lease is gone
