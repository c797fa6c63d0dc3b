"""Sentence vectors read back by the sentence range each chunk records (no vector search)."""

from __future__ import annotations

import dataclasses

import numpy as np

from newsqa.components.embeddings import get_embedder
from newsqa.components.store import VectorStore, open_store
from newsqa.settings import Settings


def assert_chunk_sentences_match_search(store: VectorStore, query: np.ndarray) -> None:
    """``chunk_sentences`` gives every sentence inside the chunks, each once, scored as the
    store's own vector search scores it; chunks without a recorded range (an older index)
    fall back to their documents' sentences."""
    chunks = [hit.chunk for hit in store.query(query, 4, None)]
    assert chunks and all(c.sentences is not None for c in chunks)
    got = store.chunk_sentences(chunks, query)
    keys = [(s.doc_id, s.index) for s in got]
    assert len(keys) == len(set(keys))
    for chunk in chunks:
        first, stop = chunk.sentences or (0, 0)
        inside = sorted(s.index for s in got if s.doc_id == chunk.doc_id)
        assert set(range(first, stop)) <= set(inside)
        for s in got:
            if s.doc_id == chunk.doc_id and first <= s.index < stop:
                assert chunk.start <= s.start and s.end <= chunk.end
    searched = {(s.doc_id, s.index): s.score for s in store.query_sentences(query, 2000)}
    for s in got:
        assert abs(searched[(s.doc_id, s.index)] - s.score) < 1e-4
    older = [dataclasses.replace(c, sentences=None) for c in chunks]
    whole_docs = {(s.doc_id, s.index) for s in store.chunk_sentences(older, query)}
    assert set(keys) <= whole_docs
    assert {d for d, _i in whole_docs} == {c.doc_id for c in chunks}


def test_chunk_sentences_embedded(seed_settings: Settings) -> None:
    embedder = get_embedder(seed_settings)
    store = open_store(seed_settings)
    store.ensure_model(embedder.model_id, embedder.dimension)
    query = embedder.embed(["Where would troops train Ukraine's armed forces?"])[0]
    assert_chunk_sentences_match_search(store, query)
