"""Hybrid retrieval over the seed index."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsqa.components.store import ChunkFilter
from service.retrieval import filters_to_chunk_filter, hybrid_search
from service.schemas import Filters


def _paths(state: Any) -> dict[str, str]:
    return {r.doc_id: r.path for r in state.store.documents()}


def test_fighter_jets_finds_gripen_passage_first(seed_state: Any) -> None:
    hits = hybrid_search(seed_state, "Which fighter jets does Kyiv plan to buy?", 5)
    assert hits, "no hits"
    assert "Gripen" in hits[0].chunk.text
    assert "000_" in _paths(seed_state)[hits[0].chunk.doc_id]


def test_scores_are_cosine_similarities(seed_state: Any) -> None:
    query = "security guarantees for Ukraine"
    hits = hybrid_search(seed_state, query, 8)
    assert len(hits) == 8
    qvec = seed_state.embedder.embed([query])[0]
    # the cosine with each chunk's stored vector (pooled from its sentences' vectors)
    stored = {
        h.chunk.chunk_id: h.score
        for h in seed_state.store.get_chunks([h.chunk.chunk_id for h in hits], qvec)
    }
    for hit in hits:
        assert abs(hit.score - stored[hit.chunk.chunk_id]) < 1e-4
        assert -1.0 <= hit.score <= 1.0
    assert len({h.chunk.chunk_id for h in hits}) == 8


def test_bm25_only_hits_are_fused(seed_state: Any) -> None:
    # a rare exact term: BM25 must bring its chunk in even if dense ranks it low
    hits = hybrid_search(seed_state, "Radakin", 3)
    assert any("Radakin" in h.chunk.text for h in hits)


def test_filters_restrict_results(seed_state: Any) -> None:
    docs = seed_state.store.documents()
    source = next(d.meta.source for d in docs if "000_" in d.path)
    flt = filters_to_chunk_filter(Filters(source=[source]))
    hits = hybrid_search(seed_state, "Which fighter jets does Kyiv plan to buy?", 10, flt)
    assert hits and all(h.meta.source == source for h in hits)

    other = next(d.doc_id for d in docs if "003_" in d.path)
    hits = hybrid_search(seed_state, "Gripen fighters", 5, ChunkFilter(doc_ids=(other,)))
    assert hits and all(h.chunk.doc_id == other for h in hits)

    far_future = filters_to_chunk_filter(Filters(published_from=date(2100, 1, 1)))
    assert hybrid_search(seed_state, "Gripen fighters", 5, far_future) == []


def test_filters_to_chunk_filter() -> None:
    assert filters_to_chunk_filter(None) is None
    assert filters_to_chunk_filter(Filters()) is None
    flt = filters_to_chunk_filter(
        Filters(
            source="UNN",
            doc_ids=["d1"],
            published_from=date(2025, 1, 2),
            published_to=date(2025, 3, 4),
        )
    )
    assert flt == ChunkFilter(("UNN",), ("d1",), "2025-01-02", "2025-03-04")


def test_chunk_filter_spells_outlets_as_the_index_does(seed_state: Any) -> None:
    flt = seed_state.retriever.chunk_filter(Filters(source=["unn", "No Such Outlet"]))
    assert flt is not None and flt.sources == ("UNN", "No Such Outlet")
    assert seed_state.retriever.chunk_filter(None) is None
