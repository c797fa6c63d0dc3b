"""End-to-end ingest with real parts: ONNX embeddings, embedded Chroma and a `chroma run` server."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ingest.pipeline import Indexer, ingest_paths
from newsqa.components.store import open_store
from newsqa.components.store.keyword import KeywordIndex
from newsqa.errors import BadRequest
from newsqa.settings import Settings
from tests.helpers import ARTICLES, BIN, child_env, chroma_server
from tests.newsqa.test_store_sentences import assert_chunk_sentences_match_search


def assert_consistent(settings: Settings, expected_docs: int) -> None:
    """Every chunk belongs to a complete document, counts agree, no duplicates, BM25 in step."""
    indexer = Indexer(settings)
    records = indexer.store.documents()
    assert len(records) == expected_docs
    assert len({r.path for r in records}) == expected_docs
    ids = indexer.store.chunk_ids()
    assert len(ids) == len(set(ids))
    assert sum(r.chunk_count for r in records) == len(ids)
    known = {r.doc_id for r in records}
    assert {cid.split(":")[0] for cid in ids} <= known
    keyword = KeywordIndex(settings.index_dir / "bm25")
    assert keyword.load() and keyword.size == len(ids)


def copy_articles(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(ARTICLES, target)
    return target


def test_ingest_is_idempotent_and_incremental(fresh_settings: Settings, tmp_path: Path) -> None:
    articles = copy_articles(tmp_path)
    first = ingest_paths([articles], fresh_settings)
    assert len(first.added) == 5 and first.total_chunks > 20
    second = ingest_paths([articles], fresh_settings)
    assert len(second.unchanged) == 5 and not second.added and second.chunks_written == 0
    assert second.total_chunks == first.total_chunks

    changed = articles / "003_b277fcfd8cea46a3.txt"
    changed.write_text(changed.read_text() + "\n\nA new closing paragraph was added today.\n")
    third = ingest_paths([articles], fresh_settings)
    assert third.updated == [str(changed)] or len(third.updated) == 1
    assert len(third.unchanged) == 4
    assert_consistent(fresh_settings, 5)

    (articles / "002_b1cb1870d35ddea8.txt").unlink()
    kept = ingest_paths([articles], fresh_settings)
    assert kept.total_documents == 5 and not kept.pruned
    pruned = ingest_paths([articles], fresh_settings, prune=True)
    assert len(pruned.pruned) == 1
    assert_consistent(fresh_settings, 4)


def test_bad_files_are_skipped_with_reasons(fresh_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Harbour reopens after storm\n\nThe harbour of Portvale reopened on Monday after a "
        "week-long closure. Officials said 40 ships were waiting to enter.\n"
    )
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait, d\xe9j\xe0 vu.".encode("latin-1"))
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "big.txt").write_text("Word. " * 400)
    # a declared codec that decodes nothing: it once ended the whole run with a traceback
    (folder / "undefined.html").write_bytes(b'<meta charset="undefined"><p>Caf\xe9 ouvert.</p>')
    small = fresh_settings.model_copy(update={"max_file_bytes": 1000})
    summary = ingest_paths([folder], small)
    reasons = dict(summary.skipped)
    assert summary.added and len(summary.added) == 1
    assert {Path(name).name for name in reasons} == {
        "empty.txt",
        "binary.txt",
        "latin1.txt",
        "notes.docx",
        "big.txt",
        "undefined.html",
    }
    assert all(reason.strip() for reason in reasons.values())
    with pytest.raises(BadRequest, match="no such file"):
        ingest_paths([tmp_path / "missing"], fresh_settings)


def test_crash_between_chunks_and_record_is_repaired(
    fresh_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = copy_articles(tmp_path)
    from newsqa.components.store.chroma import ChromaStore

    ingest_paths([articles / "000_8e13f5cac5798695.txt"], fresh_settings)
    real_put = ChromaStore.put_documents

    def killed(self: ChromaStore, docs: object) -> None:
        raise KeyboardInterrupt("killed after the chunks, before the records")

    monkeypatch.setattr(ChromaStore, "put_documents", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([articles], fresh_settings)
    monkeypatch.setattr(ChromaStore, "put_documents", real_put)
    summary = ingest_paths([articles], fresh_settings)
    assert summary.repaired_chunks > 0
    assert len(summary.unchanged) == 1 and len(summary.added) == 4
    assert_consistent(fresh_settings, 5)


@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_killed_ingest_process_resumes_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sources = sorted(ARTICLES.glob("*.txt"))
    for n in range(40):  # distinct documents: a varying first line
        text = sources[n % 5].read_text()
        stamp = f"The archive clerk stamped this copy with the code word {'xyzw'[n % 4] * (n + 2)}."
        (corpus / f"a{n:03d}.txt").write_text(f"{stamp}\n\n{text}")
    index = tmp_path / "index"
    env = child_env(NEWSQA_INDEX_DIR=str(index))
    args = [str(BIN / "newsqa"), "ingest", "--quiet", str(corpus)]
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (index / "chroma" / "chroma.sqlite3").exists():
        time.sleep(0.05)
    time.sleep(1.5)
    process.send_signal(sig)
    _, err = process.communicate(timeout=120)
    if sig != signal.SIGKILL:  # Ctrl-C or `kill` mid-run: said, no traceback
        assert process.returncode == 130, err
        assert "Interrupted" in err and "run the same command to finish" in err, err
        assert "Traceback" not in err
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert_consistent(Settings(index_dir=index, _env_file=None), 40)


@pytest.mark.integration
def test_ingest_into_chroma_server(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma-data", tmp_path / "chroma.log") as url:
        settings = Settings(index_dir=tmp_path / "index", chroma_url=url, _env_file=None)
        assert open_store(settings).mode == "server"
        first = ingest_paths([ARTICLES], settings)
        assert len(first.added) == 5
        second = ingest_paths([ARTICLES], settings)
        assert len(second.unchanged) == 5 and second.total_chunks == first.total_chunks
        assert_consistent(settings, 5)
        indexer = Indexer(settings)
        query = indexer.embedder.embed(["Which fighter jets does Kyiv plan to buy?"])[0]
        assert_chunk_sentences_match_search(indexer.store, query)


def test_retrieval_sanity_gripen_first(seed_settings: Settings) -> None:
    indexer = Indexer(seed_settings)
    vector = indexer.embedder.embed(["Which fighter jets does Kyiv plan to buy?"])[0]
    hits = indexer.store.query(vector, 3, None)
    assert "Gripen" in hits[0].chunk.text


def test_mismatched_embedding_model_is_a_clear_error(seed_settings: Settings) -> None:
    from newsqa.errors import EmbeddingMismatch

    store = open_store(seed_settings)
    with pytest.raises(EmbeddingMismatch, match="re-ingest"):
        store.ensure_model("another-model", 768)


def test_a_long_article_is_written_in_batches_and_a_failed_one_leaves_nothing(
    fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article with more chunks or sentences than one store write may carry is written in
    several (Chroma's limit is 5,461 rows: a 1.6 MB upload was a 500); an article whose
    write fails leaves no chunk behind (they were found by searches, though unlisted)."""
    from ingest.loaders import load_content
    from ingest.pipeline import ingest_raw
    from newsqa.components.store.chroma import ChromaStore

    indexer = Indexer(fresh_settings)
    monkeypatch.setattr(indexer.store, "_max_batch", 7)  # as if the limit were 7 rows
    indexer.store.open_for_write(indexer.embedder.model_id, indexer.embedder.dimension)
    rows: list[int] = []
    for name in ("_chunks", "_sents"):
        collection = getattr(indexer.store, name)

        class Limited:  # the collection, refusing writes over the limit as Chroma does
            def __init__(self, inner: object) -> None:
                self.inner = inner

            def upsert(self, ids: list[str], **kwargs: object) -> None:
                assert len(ids) <= 7, f"{len(ids)} rows in one write"
                rows.append(len(ids))
                self.inner.upsert(ids=ids, **kwargs)  # type: ignore[attr-defined]

            def __getattr__(self, attr: str) -> object:
                return getattr(self.inner, attr)

        monkeypatch.setattr(indexer.store, name, Limited(collection))
    text = " ".join(f"Ferry {i} left the harbour at dawn on day {i}." for i in range(200))
    doc, status = ingest_raw(load_content(text=text, meta={"source": "Harbour Post"}), indexer)
    assert status == "added" and len(doc.chunks) > 7 and len(doc.sentences) == 200
    assert len(indexer.store.chunk_ids()) == len(doc.chunks)
    assert indexer.store.sentence_doc_ids() == {doc.doc_id}
    assert sum(rows) == len(doc.chunks) + len(doc.sentences) and max(rows) == 7

    def fails(self: ChromaStore, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the store refused the write")

    monkeypatch.setattr(ChromaStore, "upsert_sentences", fails)
    other = "A new bridge opened in the port on Monday, the mayor said. " * 20
    with pytest.raises(RuntimeError):
        ingest_raw(load_content(text=other), indexer)
    assert len(indexer.store.chunk_ids()) == len(doc.chunks)  # the first article's only
    assert [r.doc_id for r in indexer.store.documents()] == [doc.doc_id]


def test_the_server_removes_what_a_killed_upload_left(
    fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload killed between its chunks and its record leaves chunks that searches find
    though no listing shows them; ``newsqa serve`` removes them on its leased index at start
    (``newsqa ingest`` did, the server did not)."""
    from ingest.loaders import load_content
    from ingest.pipeline import prepare
    from newsqa.components.store.chroma import ChromaStore
    from service.server import repair_embedded

    ingest_paths([ARTICLES / "000_8e13f5cac5798695.txt"], fresh_settings)
    indexer = Indexer(fresh_settings)
    before = len(indexer.store.chunk_ids())
    raw = load_content(text="A new bridge opened in the port on Monday, the mayor said. " * 30)
    doc = prepare(raw, fresh_settings, indexer.embedder.model_id)

    def killed(self: ChromaStore, docs: object) -> None:
        raise KeyboardInterrupt("killed before the record")

    monkeypatch.setattr(ChromaStore, "put_documents", killed)
    with pytest.raises(KeyboardInterrupt):
        indexer.write([doc])
    monkeypatch.undo()
    assert len(indexer.store.chunk_ids()) > before  # the orphans, searchable
    assert repair_embedded(fresh_settings) == len(doc.chunks)
    assert len(Indexer(fresh_settings).store.chunk_ids()) == before
    assert repair_embedded(fresh_settings) == 0


def test_a_date_that_is_no_date_is_noted(fresh_settings: Settings, tmp_path: Path) -> None:
    """The API refuses it with a 422; a file is still read, and the summary says what was
    left out (it was dropped silently)."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = "The Kors dam broke on Monday, police said. Repairs will take a month.\n"
    (folder / "a.md").write_text(f"---\ntitle: Dam\npublished: notadate\n---\n{body}")
    (folder / "b.md").write_text(f"---\ntitle: Dam 2\npublished: 2025-09-01\n---\nSo {body}")
    summary = ingest_paths([folder], fresh_settings)
    assert len(summary.added) == 2
    assert [(Path(f).name, n) for f, n in summary.notes] == [
        ("a.md", "published 'notadate' is no date: left out")
    ]
