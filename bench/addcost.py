"""The cost of adding one article to an index of 300 and of 10,000 articles (Chroma server).

Before issue 10 every change made every worker rebuild its whole BM25 index; now the writer and
every other worker apply the change log: only the new article's chunks are tokenized. Per size
this measures, over ``--samples`` new articles (each added, then deleted again):

- ``add_ms``: the whole add in the writer (clean, chunk, embed, store writes, change-log entry,
  the writer's own keyword update); ``keyword_ms``: that keyword update alone;
- ``follower_ms``: what another worker pays on its next request to see the article (read the
  log head and entries, fetch the chunks, update its index); ``delete_ms`` and
  ``follower_delete_ms`` likewise for the delete;
- ``rebuild_store_s``: the old cost of each change, a full rebuild from the store (read every
  chunk, tokenize, index); ``rebuild_memory_s``: the tokenize-and-index part alone.

The indexes are built once (cached under ``bench/.cache/addcost-N``) with the hash embedder and
no NER, so that 10,000 articles ingest in minutes on two cores; the embedding and NER of one
article with the default components (ONNX MiniLM; NER as configured) do not depend on the index
size and are measured apart (``embed_ms``, ``ner_ms``).
Results: ``bench/results/addcost.{json,md}``.

Usage: python -m bench.addcost [--sizes 300,10000] [--samples 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.cluster import ChromaServer, cpu_note
from bench.corpus import generate_corpus
from bench.service import CACHE, RESULTS
from ingest.loaders import RawDocument, load_content
from newsqa.settings import Settings


def settings_for(index: Path, chroma_url: str, **extra: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        index_dir=index,
        chroma_url=chroma_url,
        embeddings="hash",
        ner="none",
        _env_file=None,
        **extra,
    )


def cached_server_index(size: int) -> Path:
    """``bench/.cache/addcost-N``: Chroma data (``chroma/``) and the writer's keyword snapshot."""
    from ingest.pipeline import ingest_paths

    root = CACHE / f"addcost-{size}"
    marker = root / "complete.json"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    corpus = generate_corpus(size, CACHE / f"corpus-{size}")
    print(f"  ingesting {size} articles into {root} (hash embeddings; cached)...", flush=True)
    with ChromaServer(root / "chroma") as chroma:
        started = time.perf_counter()
        summary = ingest_paths([corpus], settings_for(root / "writer", chroma.url))
        seconds = time.perf_counter() - started
    info = {"documents": summary.total_documents, "chunks": summary.total_chunks}
    marker.write_text(json.dumps({**info, "seconds": round(seconds, 1)}))
    return root


def new_articles(count: int) -> list[RawDocument]:
    """``count`` articles not in any corpus (another seed), as the API would receive them."""
    folder = generate_corpus(count, CACHE / f"addcost-new-{count}", seed=991)
    raws = []
    for n, path in enumerate(sorted(folder.glob("*.txt"))):
        title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        body = f"The Qarvenna{n} inquiry opened this week. {body}"  # a word only it contains
        raws.append(load_content(text=body, meta={"title": f"Added {n}: {title[:60]}"}))
    return raws


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - started) * 1000


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def run_size(size: int, samples: int) -> dict[str, Any]:
    from ingest.pipeline import Indexer, ingest_raw
    from newsqa.components.keyword.bm25 import SegmentedBM25
    from newsqa.components.store import open_store
    from newsqa.components.store.keyword import KeywordIndex

    root = cached_server_index(size)
    scratch = Path(tempfile.mkdtemp(prefix="bench-addcost-", dir=CACHE))
    try:
        served = scratch / "chroma"
        shutil.copytree(root / "chroma", served)  # the cached index stays as built
        shutil.copytree(root / "writer", scratch / "writer")
        with ChromaServer(served) as chroma:
            settings = settings_for(scratch / "writer", chroma.url)
            writer = Indexer(settings)
            _, writer_start_ms = timed(lambda: writer.keyword.sync(writer.store))
            store = open_store(settings)  # another worker: its own client and keyword index
            store.ensure_model(writer.embedder.model_id, writer.embedder.dimension)
            follower = KeywordIndex(scratch / "follower")
            _, follower_start_ms = timed(lambda: follower.sync(store))
            chunks = store.count_chunks()

            keyword_ms: list[float] = []
            real_sync = writer.keyword.sync

            def timed_sync(s: Any) -> bool:
                changed, ms = timed(lambda: real_sync(s))
                keyword_ms.append(ms)
                return bool(changed)

            writer.keyword.sync = timed_sync  # type: ignore[method-assign,assignment]
            add_ms, follow_ms, delete_ms, follow_delete_ms, found = [], [], [], [], 0
            for n, raw in enumerate(new_articles(samples)):
                (doc, _status), ms = timed(partial(ingest_raw, raw, writer))
                add_ms.append(ms)
                _, ms = timed(lambda: follower.refresh(store))
                follow_ms.append(ms)
                hits = follower.search(f"Qarvenna{n} inquiry", 3)
                found += bool(hits) and hits[0][0].startswith(doc.doc_id)

                def delete(doc_id: str = doc.doc_id) -> None:
                    writer.store.delete_document(doc_id)
                    writer.keyword.sync(writer.store)

                _, ms = timed(delete)
                delete_ms.append(ms)
                _, ms = timed(lambda: follower.refresh(store))
                follow_delete_ms.append(ms)
            writer.keyword.sync = real_sync  # type: ignore[method-assign]

            old = KeywordIndex(None, SegmentedBM25(background=False))
            _, rebuild_store_ms = timed(lambda: old._rebuild(store))
            ids, texts = [], []
            for chunk_id, text, _meta in store.iter_chunks():
                ids.append(chunk_id)
                texts.append(text)
            _, rebuild_memory_ms = timed(lambda: old.backend.rebuild(ids, texts))
        return {
            "articles": size,
            "chunks": chunks,
            "samples": samples,
            "found_by_follower": found,
            "add_ms": median(add_ms),
            "keyword_ms": median(keyword_ms[0::2]),  # add, delete, add, ...
            "follower_ms": median(follow_ms),
            "delete_ms": median(delete_ms),
            "follower_delete_ms": median(follow_delete_ms),
            "rebuild_store_s": round(rebuild_store_ms / 1000, 2),
            "rebuild_memory_s": round(rebuild_memory_ms / 1000, 2),
            "writer_start_s": round(writer_start_ms / 1000, 2),
            "follower_start_s": round(follower_start_ms / 1000, 2),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def default_components_ms(samples: int) -> dict[str, Any]:
    """Embedding and NER of one new article with the default settings (ONNX MiniLM; NER as
    configured by default): independent of the index size."""
    from ingest.pipeline import prepare
    from newsqa.components.embeddings import get_embedder
    from newsqa.components.ner import get_tagger

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    embedder, tagger = get_embedder(settings), get_tagger(settings)
    embedder.embed(["warm up"])
    tagger.tag(["Warm up in Kyiv."])  # loads spaCy when it is on
    embed, ner = [], []
    for raw in new_articles(samples):
        doc = prepare(raw, settings, embedder.model_id)
        sentences = [doc.text[s:e] for s, e in doc.sentences]
        embed.append(timed(partial(embedder.embed, sentences))[1])
        ner.append(timed(partial(tagger.tag, sentences))[1])
    return {
        "embeddings": settings.embeddings,
        "ner": settings.ner,
        "embed_ms": median(embed),
        "ner_ms": median(ner),
    }


def markdown(results: list[dict[str, Any]], extra: dict[str, Any]) -> str:
    lines = [
        f"Adding one article (about 2,000 characters, 4-5 chunks) to a Chroma server index; "
        f"medians of {results[0]['samples']} articles; {extra['machine']}. Store and keyword "
        f"figures with the hash embedder; with the defaults (embeddings {extra['embeddings']}, "
        f"NER {extra['ner']}) embedding one article adds {extra['embed_ms']} ms and NER "
        f"{extra['ner_ms']} ms, whatever the index size.",
        "",
        "| articles | chunks | add ms (writer, all) | keyword update ms | other worker ms "
        "| delete ms | other worker ms | full rebuild from store s | rebuild in memory s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['articles']} | {r['chunks']} | {r['add_ms']} | {r['keyword_ms']} "
            f"| {r['follower_ms']} | {r['delete_ms']} | {r['follower_delete_ms']} "
            f"| {r['rebuild_store_s']} | {r['rebuild_memory_s']} |"
        )
    lines += [
        "",
        "Before: every add or delete made every worker run the full rebuild on its next "
        "request. Now: the writer and each other worker pay the keyword update columns.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="300,10000", help="index sizes in articles")
    parser.add_argument("--samples", type=int, default=10, help="articles added per size")
    args = parser.parse_args()
    machine = cpu_note()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"size {size}:", flush=True)
        results.append(run_size(size, args.samples))
        print(f"  {json.dumps(results[-1])}", flush=True)
    extra: dict[str, Any] = {"machine": machine, **default_components_ms(args.samples)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "addcost.json").write_text(json.dumps({"meta": extra, "results": results}, indent=2))
    table = markdown(results, extra)
    (RESULTS / "addcost.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
