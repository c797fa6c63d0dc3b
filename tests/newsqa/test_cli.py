"""The `newsqa` command line, run as a user would (subprocesses of the installed entry point)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTICLES, BIN, child_env

COMMANDS = ["ingest", "stats", "serve", "ui", "ask", "eval"]


def newsqa(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "newsqa"), *args],
        capture_output=True,
        text=True,
        env=child_env(COLUMNS="200", **env),
        timeout=300,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = newsqa(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_ingest_then_stats_then_unchanged(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    first = newsqa("ingest", "--index-dir", index, str(ARTICLES))
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout and "Censor.NET" in first.stdout  # the documents listed
    second = newsqa("ingest", "--quiet", "--index-dir", index, str(ARTICLES))
    assert "unchanged" in second.stdout and "Censor.NET" not in second.stdout  # summary only
    assert re.search(r"unchanged\W+5\b", second.stdout) and re.search(r"added\W+0\b", second.stdout)
    stats = newsqa("stats", "--index-dir", index)
    assert stats.returncode == 0 and "5 documents" in stats.stdout


def test_missing_path_and_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    missing = newsqa("ingest", "--index-dir", str(tmp_path / "i"), str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert "no such file or directory" in missing.stderr and "Traceback" not in missing.stderr
    for command in (["stats"], ["ask", "Who?"]):  # a mistyped index dir is not created
        nowhere = tmp_path / "typo"
        result = newsqa(*command, "--index-dir", str(nowhere))
        assert result.returncode == 1 and "no index in" in result.stderr, result.stderr
        assert not nowhere.exists()
    bad = newsqa("stats", NEWSQA_ENGINE="gpt5")
    assert bad.returncode == 2 and "valid modes" in bad.stderr and "Traceback" not in bad.stderr


def test_dry_run_shows_cleaning_without_writing(tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = newsqa(
        "ingest",
        "--dry-run",
        "--show-cleaning",
        "--index-dir",
        str(index),
        str(ARTICLES / "003_b277fcfd8cea46a3.txt"),
    )
    assert result.returncode == 0, result.stderr
    assert "visitors online" in result.stdout
    assert not index.exists()


def test_eval_failures_are_clear_errors(tmp_path: Path) -> None:
    """An empty index, a missing question file and an unreachable service: a message, no
    traceback, a failing exit code."""
    empty = newsqa("eval", "--index-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "r"))
    assert empty.returncode == 1, empty.stdout
    assert "newsqa ingest" in empty.stderr and "Traceback" not in empty.stderr
    missing = newsqa("eval", "--dataset", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr
    assert "Traceback" not in missing.stderr
    down = newsqa("eval", "--api", "http://127.0.0.1:9", "--out", str(tmp_path / "r"))
    assert down.returncode == 1 and "cannot reach the service" in down.stderr
    assert "Traceback" not in down.stderr
    bogus = newsqa("eval", "--judge", "bogus")
    assert bogus.returncode == 2 and "choose lexical or llm" in bogus.stderr


def test_article_text_is_printed_as_written(tmp_path: Path) -> None:
    """Brackets and colons in a title are text, not terminal markup or emoji codes: ingest,
    stats and ask print them (ingest and stats used to crash on "[/]")."""
    folder = tmp_path / "a"
    folder.mkdir()
    line = "Breaking [/] news: the [bold]Kors[/bold] dam broke on Monday at 0:x:0, police said."
    (folder / "m.txt").write_text(line + "\n", encoding="utf-8")
    index = str(tmp_path / "index")
    for args in (["ingest", str(folder)], ["stats"], ["ask", "When did the Kors dam break?"]):
        result = newsqa(*args, "--index-dir", index)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "[/] news" in result.stdout and "[bold]Kors" in result.stdout, result.stdout
        assert "0:x:0" in result.stdout


def test_eval_of_a_set_whose_articles_are_not_indexed_says_so(
    seed_settings: Any, tmp_path: Path
) -> None:
    dev = Path(__file__).resolve().parents[2] / "data" / "dev" / "check.jsonl"
    result = newsqa(
        "eval", "--index-dir", str(seed_settings.index_dir), "--dataset", str(dev),
        "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert result.returncode == 2, result.stdout
    assert "none of the" in result.stderr and "make dev-data" in result.stderr
