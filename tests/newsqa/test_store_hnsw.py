"""The vector collections' HNSW search breadth comes from the settings, old indexes included."""

from __future__ import annotations

from pathlib import Path

from newsqa.components.store.chroma import ChromaStore
from newsqa.settings import Settings


def _ef_search(store: ChromaStore, suffix: str) -> int:
    collection = store._client.get_collection(f"{store._name}_{suffix}")
    return int(collection.configuration["hnsw"]["ef_search"])


def test_ef_search_is_set_at_creation_and_on_an_older_index(tmp_path: Path) -> None:
    first = ChromaStore.embedded(Settings(index_dir=tmp_path, chroma_ef_search=150))
    first.open_for_write("model-a", 384)
    assert _ef_search(first, "chunks") == _ef_search(first, "sentences") == 150
    later = ChromaStore.embedded(Settings(index_dir=tmp_path, chroma_ef_search=250))
    later.open_for_write("model-a", 384)  # an index built with another value: brought up to it
    assert _ef_search(later, "chunks") == _ef_search(later, "sentences") == 250
    chunks = later._client.get_collection(f"{later._name}_chunks")
    assert chunks.metadata["embedding_model"] == "model-a"
