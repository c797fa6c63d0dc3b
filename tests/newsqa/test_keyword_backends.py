"""Keyword index backends (``bm25`` segments, ``chroma-sparse``) and the change-log follower:
several processes' indexes agree after every write, one added article costs milliseconds."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import bm25s
import pytest
import Stemmer

from bench.corpus import seed_sentences
from ingest.loaders import load_content
from ingest.pipeline import Indexer, ingest_raw
from newsqa.components.keyword import KEYWORD_INDEXES, open_backend
from newsqa.components.keyword.bm25 import SegmentedBM25
from newsqa.components.keyword.sparse import SPARSE_KEY, ChromaSparse
from newsqa.components.store import open_store
from newsqa.components.store.keyword import KeywordIndex
from newsqa.errors import ConfigError
from newsqa.settings import Settings

QUERIES = ["Gripen fighters Sweden", "security guarantees Russia", "drones Kharkiv", "the of"]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    rng = random.Random(3)
    pool = seed_sentences()
    return [" ".join(rng.sample(pool, 3)) for _ in range(600)]


def reference(ids: list[str], texts: list[str], query: str) -> list[tuple[str, float]]:
    """bm25s's own ranking of ``texts`` (every positive score)."""
    stemmer = Stemmer.Stemmer("english")
    model = bm25s.BM25()
    model.index(
        bm25s.tokenize(texts, stopwords="en", stemmer=stemmer.stemWords, show_progress=False),
        show_progress=False,
    )
    tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer.stemWords, show_progress=False)
    if not tokens.vocab:
        return []
    rows, scores = model.retrieve(tokens, k=len(texts), show_progress=False)
    return [(ids[r], float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]


def ranked(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return sorted(((cid, round(score, 4)) for cid, score in hits), key=lambda h: (-h[1], h[0]))


def test_segments_score_like_bm25s_after_merge(corpus: list[str]) -> None:
    ids = [f"c{i}" for i in range(len(corpus))]
    index = SegmentedBM25(background=False)
    index.rebuild(ids[:500], corpus[:500])
    index.upsert(ids[500:], corpus[500:])  # new chunks go to the delta
    index.remove(ids[:20])  # tombstones in main
    index.upsert(ids[20:30], corpus[100:110])  # replaced texts
    live_ids = ids[20:]
    live_texts = corpus[100:110] + corpus[30:]
    assert index.delta_size == 110 and index.size == len(live_ids)
    for query in QUERIES:  # before the merge: same hits, scores within a few percent
        before = dict(index.search(query, 50))
        want = dict(reference(live_ids, live_texts, query)[:50])
        for cid in set(before) & set(want):
            assert before[cid] == pytest.approx(want[cid], rel=0.05)
    index.merge()
    assert index.delta_size == 0 and index.ids() == set(live_ids)
    for query in QUERIES:  # after: bm25s's scores exactly
        got = ranked(index.search(query, len(live_ids)))
        assert got == ranked(reference(live_ids, live_texts, query)), query


def test_upsert_remove_allowed_and_snapshot(corpus: list[str], tmp_path: Path) -> None:
    index = SegmentedBM25(background=False)
    index.rebuild(["a", "b"], ["Kyiv buys Gripen fighters", "Russia objects to the deal"])
    index.upsert(["c"], ["The harbour of Vellmar gets zorblat cranes"])
    assert index.search("zorblat cranes", 3)[0][0] == "c"
    index.upsert(["c"], ["The harbour of Vellmar gets new ferries"])  # replaced
    assert index.search("zorblat", 3) == [] and index.search("ferries", 3)[0][0] == "c"
    index.remove(["a"])
    assert index.search("Gripen", 3) == []
    assert index.search("Russia ferries", 3, allowed={"c"}) == index.search("ferries", 1)
    assert index.search("Russia", 3, allowed=set()) == []
    index.save(tmp_path / "snap", {"head": "h1", "high_us": 7})
    copy = SegmentedBM25()
    manifest = copy.load(tmp_path / "snap")
    assert manifest is not None and manifest["head"] == "h1" and manifest["high_us"] == 7
    assert copy.ids() == {"b", "c"}
    index.merge()  # a snapshot loads as one segment
    for query in ("Russia objects", "ferries Vellmar"):
        assert ranked(copy.search(query, 3)) == ranked(index.search(query, 3))


def test_background_merges_keep_concurrent_updates(corpus: list[str]) -> None:
    index = SegmentedBM25(delta_max=40, background=True)
    index.rebuild([f"c{i}" for i in range(200)], corpus[:200])
    want: dict[str, str] = {f"c{i}": corpus[i] for i in range(200)}
    rng = random.Random(5)
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                index.search(rng.choice(QUERIES), 10)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    for n in range(300):
        cid = f"c{rng.randrange(400)}"
        if rng.random() < 0.2:
            index.remove([cid])
            want.pop(cid, None)
        else:
            text = corpus[rng.randrange(len(corpus))]
            index.upsert([cid], [text])
            want[cid] = text
        index.maintain()  # merges in a thread while updates go on
        if n % 50 == 0:
            time.sleep(0.01)
    index.maintain(wait=True)
    stop.set()
    thread.join()
    assert not errors, errors
    assert index.merges >= 1 and index.ids() == set(want)
    fresh = SegmentedBM25(background=False)
    fresh.rebuild(list(want), list(want.values()))
    index.merge()
    for query in QUERIES:
        assert ranked(index.search(query, len(want))) == ranked(fresh.search(query, len(want)))


def test_one_article_costs_milliseconds_not_a_rebuild(corpus: list[str]) -> None:
    texts = corpus * 20  # 12,000 chunks (about 3,000 articles)
    ids = [f"c{i}" for i in range(len(texts))]
    index = SegmentedBM25(background=False)
    started = time.perf_counter()
    index.rebuild(ids, texts)
    rebuild = time.perf_counter() - started
    costs = []
    for n in range(5):  # one article: four chunks
        new = [f"new{n}:{i}" for i in range(4)]
        started = time.perf_counter()
        index.upsert(new, corpus[n * 4 : n * 4 + 4])
        costs.append(time.perf_counter() - started)
    assert sorted(costs)[2] < min(0.1, rebuild / 5), (costs, rebuild)


def test_registry_and_settings(tmp_path: Path) -> None:
    assert set(KEYWORD_INDEXES.modes) >= {"bm25", "chroma-sparse"}
    backend = open_backend(Settings(index_dir=tmp_path, keyword_delta_max=7, _env_file=None))  # type: ignore[call-arg]
    assert isinstance(backend, SegmentedBM25) and backend.delta_max == 7
    with pytest.raises(ValueError, match="keyword index"):
        Settings(keyword_index="lucene", _env_file=None)  # type: ignore[call-arg]


def test_chroma_sparse_is_refused_by_a_local_chroma(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, keyword_index="chroma-sparse", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="distributed Chroma or Chroma Cloud"):
        KeywordIndex.from_settings(settings)


class FakeCollection:
    def __init__(self) -> None:
        self.searches: list[dict[str, Any]] = []
        self.upserts: list[list[str]] = []

    def search(self, search: Any) -> dict[str, Any]:
        self.searches.append(search.to_dict())
        return {"ids": [["x", "y"]], "scores": [[-3.0, -1.5]]}

    def upsert(self, ids: list[str], documents: list[str], embeddings: Any) -> None:
        self.upserts.append(ids)

    def delete(self, ids: list[str]) -> None:
        pass


def test_chroma_sparse_search_request() -> None:
    backend = ChromaSparse(client=None, name="t")
    backend._collection = FakeCollection()
    hits = backend.search("Gripen fighters", 2, allowed={"x", "y", "z"})
    assert hits == [("x", 3.0), ("y", 1.5)]  # distances turned into similarities
    sent = backend._collection.searches[0]
    assert sent["rank"]["$knn"] == {"query": "Gripen fighters", "key": SPARSE_KEY, "limit": 2}
    assert sent["filter"] == {"#id": {"$in": ["x", "y", "z"]}}
    assert backend.search("Gripen", 2, allowed=set()) == [] and backend.search(" ", 2) == []
    backend.upsert([f"c{i}" for i in range(2500)], ["text"] * 2500)
    assert [len(batch) for batch in backend._collection.upserts] == [1000, 1000, 500]
    config = ChromaSparse.schema().keys[SPARSE_KEY].sparse_vector.sparse_vector_index.config
    assert config.source_key == "#document" and config.bm25


# -- several processes on one store ----------------------------------------------------------
def tiny_settings(path: Path) -> Settings:
    return Settings(index_dir=path, embeddings="hash", ner="none", _env_file=None)  # type: ignore[call-arg]


def add(indexer: Indexer, text: str, title: str) -> str:
    doc, status = ingest_raw(load_content(text=text, html=None, meta={"title": title}), indexer)
    assert status == "added"
    return doc.doc_id


ORIGINAL = (
    "The harbour authority of Vellmar said on Monday that the zorblat cranes bought in 2019 will "
    "be scrapped. Engineers found cracks in all six of them during an inspection in May."
)
REPLACEMENT = (
    "The harbour authority of Vellmar said on Tuesday that it will buy eleven new cranes from a "
    "Danish maker. The first two are due in March and the rest before the winter season."
)


def test_every_index_sees_add_delete_replace_whatever_the_chunk_count(tmp_path: Path) -> None:
    settings = tiny_settings(tmp_path / "index")
    writer = Indexer(settings)
    add(writer, "Kyiv plans to buy Gripen fighters from Sweden, officials said.", "Gripen")
    writer.keyword.sync(writer.store)
    # another worker: its own store client and keyword index, saved in its own directory
    reader = KeywordIndex(tmp_path / "reader-bm25")
    store = open_store(settings)
    store.ensure_model(writer.embedder.model_id, writer.embedder.dimension)
    reader.sync(store)
    rebuilds = reader.counters["rebuilds"]

    old = add(writer, ORIGINAL, "Vellmar cranes")
    reader.refresh(store)
    assert reader.search("zorblat cranes", 3)[0][0].startswith(old)
    writer.store.delete_document(old)
    new = add(writer, REPLACEMENT, "Vellmar cranes")  # as many chunks as the deleted version
    assert store.count_chunks() == 2
    reader.refresh(store)
    assert reader.search("zorblat", 3) == []
    assert reader.search("eleven new cranes", 3)[0][0].startswith(new)
    assert reader.counters["rebuilds"] == rebuilds and reader.counters["repairs"] == 0
    assert reader.backend.ids() == set(store.chunk_ids())

    applied = dict(reader.counters)
    reader.refresh(store)  # nothing moved: one read of the head, nothing applied
    assert reader.counters == applied

    # a restarted worker: snapshot + the log since, no rebuild
    reader.save()
    add(writer, "Riga hosts a summit on Baltic air defence next week.", "Riga summit")
    restarted = KeywordIndex(tmp_path / "reader-bm25")
    assert restarted.sync(store) is True
    assert restarted.counters["rebuilds"] == 0
    assert restarted.backend.ids() == set(store.chunk_ids())


def test_a_writer_killed_before_its_log_entry_is_repaired(tmp_path: Path) -> None:
    settings = tiny_settings(tmp_path / "index")
    writer = Indexer(settings)
    add(writer, "Kyiv plans to buy Gripen fighters from Sweden, officials said.", "Gripen")
    reader = KeywordIndex(tmp_path / "reader-bm25")
    store = open_store(settings)
    store.ensure_model(writer.embedder.model_id, writer.embedder.dimension)
    reader.sync(store)
    record = writer.store.changes.record
    writer.store.changes.record = lambda *a, **k: ""  # type: ignore[method-assign]
    lost = add(writer, ORIGINAL, "Vellmar cranes")  # written, but never logged
    writer.store.changes.record = record  # type: ignore[method-assign]
    reader.refresh(store)
    assert reader.search("zorblat", 3) == []  # nobody said anything changed
    add(writer, REPLACEMENT, "Vellmar harbour")  # the next logged write
    reader.refresh(store)
    assert reader.counters["repairs"] == 1
    assert reader.search("zorblat", 3)[0][0].startswith(lost)
    assert KeywordIndex(tmp_path / "fresh").sync(store) is True  # start-up compares every id


def test_a_keyword_hit_whose_chunk_is_gone_is_skipped(tmp_path: Path) -> None:
    from service.retrieval import hybrid_search
    from service.state import ServiceState

    settings = tiny_settings(tmp_path / "index")
    writer = Indexer(settings)
    add(writer, "Kyiv plans to buy Gripen fighters from Sweden, officials said.", "Gripen")
    gone = add(writer, ORIGINAL, "Vellmar cranes")
    state = ServiceState(settings)
    state.open()
    state.ensure_ready()
    assert gone in {h.chunk.doc_id for h in hybrid_search(state, "zorblat cranes", 3)}
    chunk_ids = [cid for cid in state.store.chunk_ids() if cid.startswith(gone)]
    writer.store.delete_document(gone)
    # the keyword index has not applied the delete yet (a request already past its refresh)
    state.keyword.refresh = lambda store: None  # type: ignore[method-assign]
    assert state.keyword.search("zorblat cranes", 3)[0][0] in chunk_ids
    hits = hybrid_search(state, "zorblat cranes", 3)
    assert hits and gone not in {h.chunk.doc_id for h in hits}
    vec = state.embedder.embed(["zorblat"])[0]
    assert state.store.get_chunks(chunk_ids, vec) == []
