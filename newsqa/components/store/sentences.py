"""Reading stored sentence vectors back: by the sentence range each chunk records."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from newsqa.components.store.races import read_racing_deletes
from newsqa.types import Chunk, ScoredSentence


def sentence_from(metadata: Any, score: float) -> ScoredSentence:
    return ScoredSentence(
        doc_id=str(metadata["doc_id"]),
        chunk_id=str(metadata.get("chunk_id", "")),
        index=int(metadata["index"]),
        start=int(metadata["start"]),
        end=int(metadata["end"]),
        score=score,
        entities=tuple(tuple(e) for e in json.loads(str(metadata.get("entities") or "[]"))),
    )


def sentence_ids(chunks: list[Chunk]) -> tuple[list[str], list[str]]:
    """The ids of the sentences inside ``chunks``, and the documents of chunks that do not
    record their sentences (an index written by an older ingest)."""
    ids: dict[str, None] = {}
    docs: dict[str, None] = {}
    for chunk in chunks:
        if chunk.sentences is None:
            docs[chunk.doc_id] = None
            continue
        first, stop = chunk.sentences
        ids.update((f"{chunk.doc_id}:s{i}", None) for i in range(first, stop))
    return list(ids), list(docs)


def read_scored(
    collection: Any,
    query: np.ndarray,
    ids: list[str] | None = None,
    where: dict[str, Any] | None = None,
) -> list[ScoredSentence]:
    """Sentences by id (or matching ``where``) with their cosine similarity to ``query``,
    computed from the stored vectors: no vector search."""
    q = np.asarray(query, dtype=np.float32)
    try:
        got = collection.get(ids=ids, where=where, include=["metadatas", "embeddings"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
        norms = np.linalg.norm(vectors, axis=1) * max(float(np.linalg.norm(q)), 1e-12)
        sims = (vectors @ q) / np.maximum(norms, 1e-12)
        return [
            sentence_from(m, float(sim))
            for m, sim in zip(got["metadatas"], sims, strict=True)
            if m is not None
        ]
    except Exception:
        # chromadb 1.5 sometimes fails to read back embeddings not yet compacted ("Error
        # getting embedding"); an id-restricted vector query still works (slower).
        present = collection.get(ids=ids, where=where, include=[])["ids"]
        if not present:
            return []
        found = read_racing_deletes(
            lambda: collection.query(
                query_embeddings=[q], ids=present, n_results=len(present),
                include=["metadatas", "distances"],
            )
        )  # fmt: skip
        return [
            sentence_from(m, 1.0 - float(d))
            for m, d in zip(found["metadatas"][0], found["distances"][0], strict=True)
            if m is not None
        ]
