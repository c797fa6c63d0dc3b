"""newsqa inside LangChain: its hybrid retrieval as a ``BaseRetriever``, its embedder as
``Embeddings``.

```python
from newsqa.langchain import NewsQARetriever

retriever = NewsQARetriever.from_settings(k=4, filters={"source": ["UNN"]})
docs = retriever.invoke("How many Gripen fighters does Kyiv plan to buy?")
```

Each ``Document`` is one indexed chunk; its metadata holds the document id, chunk id, outlet,
title, URL, date, the chunk's offsets in the cleaned document and the retrieval score.
Chunks that address a model with instructions (prompt injection) are left out, as they are
for newsqa's own engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from newsqa.components.embeddings import Embedder, get_embedder
from service.schemas import Filters

if TYPE_CHECKING:
    from newsqa.settings import Settings
    from newsqa.types import ScoredChunk


def to_document(hit: ScoredChunk) -> Document:
    """A retrieved chunk as a LangChain ``Document`` (text, metadata and score). Sentences
    addressed to a model (prompt injection) are replaced by ``[…]`` in ``page_content``, which
    goes into someone's prompt; ``start``/``end`` locate the chunk's text as stored."""
    from service.answering.injection import without_instructions

    chunk, meta = hit.chunk, hit.meta
    return Document(
        page_content=without_instructions(chunk.text),
        id=chunk.chunk_id,
        metadata={
            "doc_id": chunk.doc_id,
            "chunk_id": chunk.chunk_id,
            "title": meta.title,
            "source": meta.source,
            "url": meta.url,
            "published": meta.published,
            "start": chunk.start,
            "end": chunk.end,
            "score": round(float(hit.score), 4),
        },
    )


class NewsQARetriever(BaseRetriever):
    """Hybrid search (dense + BM25, fused) over a newsqa index, with optional filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    state: Any = Field(description="a service.state.ServiceState over the index")
    k: int = Field(default=5, ge=1, le=50)
    filters: Filters | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> NewsQARetriever:
        """A retriever over the index of ``settings`` (default: ``NEWSQA_*`` environment)."""
        from newsqa.settings import get_settings
        from service.state import ServiceState

        state = ServiceState(settings or get_settings())
        state.open()
        return cls(state=state, **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        from service.answering.service import trusted_hits

        retriever = self.state.retriever
        hits = trusted_hits(retriever, query, self.k, retriever.chunk_filter(self.filters))
        return [to_document(hit) for hit in hits]


class NewsQAEmbeddings(Embeddings):
    """newsqa's embedder (offline MiniLM by default) as LangChain ``Embeddings``."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> NewsQAEmbeddings:
        from newsqa.settings import get_settings

        return cls(get_embedder(settings or get_settings()))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [[float(x) for x in row] for row in self.embedder.embed(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
