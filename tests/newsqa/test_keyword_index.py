"""The BM25 keyword index: persisted beside Chroma, rebuilt when missing or out of step."""

from __future__ import annotations

import shutil
from pathlib import Path

from newsqa.components.store.keyword import KeywordIndex, fingerprint
from newsqa.settings import Settings


def test_build_save_load_search(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "bm25")
    index.build(["a", "b", "c"], ["Kyiv buys Gripen fighters", "Russia objects", "Times options"])
    assert index.search("which fighters will Kyiv buy", 3)[0][0] == "a"
    reloaded = KeywordIndex(tmp_path / "bm25")
    assert reloaded.load() and reloaded.size == 3
    assert reloaded.search("russian objections", 3, allowed={"b", "c"})[0][0] == "b"
    assert reloaded.search("russian objections", 3, allowed={"c"}) == []
    assert fingerprint(["a", "b"]) == fingerprint(["b", "a"]) != fingerprint(["a"])


def test_diacritics_do_not_matter(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "bm25")
    index.build(["a", "b"], ["The Zürich tunnel opened", "The Bern bridge closed"])
    assert index.search("Zurich tunnel", 2)[0][0] == "a"
    assert index.search("zürich", 2)[0][0] == "a"


def test_rebuilt_from_the_store_when_missing_or_stale(
    seed_settings: Settings, tmp_path: Path
) -> None:
    from ingest.pipeline import Indexer

    copy = tmp_path / "index"
    shutil.copytree(seed_settings.index_dir, copy)
    settings = seed_settings.model_copy(update={"index_dir": copy})
    indexer = Indexer(settings)
    chunks = indexer.store.count_chunks()

    shutil.rmtree(copy / "bm25")
    keyword = KeywordIndex(copy / "bm25")
    assert keyword.sync(indexer.store) is True and keyword.size == chunks
    assert (copy / "bm25" / "manifest.json").exists()
    assert KeywordIndex(copy / "bm25").sync(indexer.store) is False  # in step: loaded, not rebuilt

    doc = indexer.store.documents()[0]
    indexer.store.delete_document(doc.doc_id)  # the store changes behind the index's back
    stale = KeywordIndex(copy / "bm25")
    assert stale.sync(indexer.store) is True
    assert stale.size == chunks - doc.chunk_count
