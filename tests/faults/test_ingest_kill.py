"""`kill -9` of `newsqa ingest` at several points, then a re-run: the index equals a clean ingest
(document records, chunks, sentence vectors with their entities, and the keyword index).

The clean ingest is the cluster's seed ingest (same files, same Chroma server, collection
``newsqa``); the killed runs write the collection ``killed``. The kill points are observed on the
server, not guessed from timings: chunks written but no document record yet; sentence vectors
written after a run that repaired the previous one's leftovers; document records written (the
keyword snapshot may not be saved yet).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsqa.components.store.keyword import KeywordIndex
from tests.faults.cluster import ingest
from tests.faults.conftest import Cluster
from tests.helpers import ARTICLES, BIN, ROOT, child_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

NAME = "killed"
QUERIES = ["Gripen fighters Sweden", "security guarantees", "Saab contract", "Russia reaction"]


@dataclass(frozen=True)
class Seen:
    chunks: int
    sentences: int
    docs: int


def counts(client: Any, name: str) -> Seen:
    out = []
    for suffix in ("chunks", "sentences", "docs"):
        try:
            out.append(int(client.get_collection(f"{name}_{suffix}").count()))
        except Exception:  # not created yet
            out.append(0)
    return Seen(*out)


def run_and_kill(
    cluster: Cluster, index_dir: Path, when: Callable[[Seen], bool], timeout: float = 120
) -> Seen | None:
    """Start `newsqa ingest` into ``killed``; SIGKILL it once ``when`` holds for the server's
    counts; the counts seen then (None if the run finished first)."""
    env = child_env(
        NEWSQA_CHROMA_URL=cluster.chroma.url,
        NEWSQA_INDEX_DIR=str(index_dir),
        NEWSQA_COLLECTION=NAME,
    )
    args = [str(BIN / "newsqa"), "ingest", "--quiet", str(ARTICLES)]
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    client = cluster.chroma.client()
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            seen = counts(client, NAME)
            if when(seen):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return seen
            time.sleep(0.02)
        assert process.poll() is not None, "ingest did not finish in time"
        return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def rows(collection: Any, doc_ids: set[str]) -> dict[str, tuple[Any, Any, np.ndarray]]:
    """id -> (document, metadata, embedding) of the rows of these documents."""
    got = collection.get(
        where={"doc_id": {"$in": sorted(doc_ids)}},
        include=["documents", "metadatas", "embeddings"],
    )
    return {
        rid: (doc, meta, np.asarray(emb, dtype=np.float32))
        for rid, doc, meta, emb in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        )
    }


def assert_same_rows(
    want: dict[str, tuple[Any, Any, np.ndarray]], got: dict[str, tuple[Any, Any, np.ndarray]]
) -> None:
    assert sorted(got) == sorted(want)
    for rid, (doc, meta, emb) in want.items():
        gdoc, gmeta, gemb = got[rid]
        assert gdoc == doc and gmeta == meta, rid
        assert np.allclose(gemb, emb, atol=1e-4), rid


def test_killed_ingest_then_rerun_equals_clean_ingest(cluster: Cluster, tmp_path: Path) -> None:
    index_dir = tmp_path / "killed-index"
    zero_seen = [False]

    def after_repair(seen: Seen) -> bool:  # the previous run's leftovers were deleted first
        zero_seen[0] = zero_seen[0] or seen.chunks == 0
        return zero_seen[0] and seen.sentences > 0

    points = {
        "chunks, no records": run_and_kill(
            cluster, index_dir, lambda s: s.chunks > 0 and s.docs == 0
        ),
        "sentences after a repair": run_and_kill(cluster, index_dir, after_repair),
        "records written": run_and_kill(cluster, index_dir, lambda s: s.docs >= 5),
    }
    first = points["chunks, no records"]
    assert first is not None and first.docs == 0, points  # that window lasts seconds
    done = ingest(cluster.chroma.url, index_dir, NEWSQA_COLLECTION=NAME)
    assert done.returncode == 0, done.stderr

    client = cluster.chroma.client()
    ref_docs, got_docs = client.get_collection("newsqa_docs"), client.get_collection(f"{NAME}_docs")
    got_records = got_docs.get(include=["documents", "metadatas"])
    doc_ids = set(got_records["ids"])
    assert len(doc_ids) == 5
    want_records = ref_docs.get(ids=sorted(doc_ids), include=["documents", "metadatas"])
    assert sorted(zip(want_records["ids"], want_records["documents"], strict=True)) == sorted(
        zip(got_records["ids"], got_records["documents"], strict=True)
    )
    want_meta = dict(zip(want_records["ids"], want_records["metadatas"], strict=True))
    got_meta = dict(zip(got_records["ids"], got_records["metadatas"], strict=True))
    for doc_id in doc_ids:
        differ = {
            k: (want_meta[doc_id].get(k), got_meta[doc_id].get(k))
            for k in want_meta[doc_id].keys() | got_meta[doc_id].keys()
            if want_meta[doc_id].get(k) != got_meta[doc_id].get(k)
        }
        assert not differ, (doc_id, differ)
    for suffix in ("chunks", "sentences"):
        want = rows(client.get_collection(f"newsqa_{suffix}"), doc_ids)
        got = rows(client.get_collection(f"{NAME}_{suffix}"), doc_ids)
        assert want, suffix
        assert_same_rows(want, got)
    assert client.get_collection(f"{NAME}_chunks").count() == len(
        rows(client.get_collection(f"{NAME}_chunks"), doc_ids)
    )  # no orphan chunks of an interrupted run

    # The keyword index: the snapshot of the re-run equals the clean ingest's.
    clean, rerun = KeywordIndex(cluster.seed_index / "bm25"), KeywordIndex(index_dir / "bm25")
    assert clean.load() and rerun.load()
    clean_ids = {cid for cid in clean.backend.ids() or set() if cid.split(":")[0] in doc_ids}
    assert rerun.backend.ids() == clean_ids
    for query in QUERIES:
        want_hits = [(c, round(s, 4)) for c, s in clean.search(query, 5, allowed=clean_ids)]
        got_hits = [(c, round(s, 4)) for c, s in rerun.search(query, 5)]
        assert got_hits == want_hits, query
