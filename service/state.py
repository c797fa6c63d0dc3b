"""The long-lived objects of a running service, built once from ``Settings``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from newsqa.components.embeddings import Embedder, get_embedder
from newsqa.components.engines import ENGINES
from newsqa.components.store import VectorStore, open_store
from newsqa.components.store.keyword import KeywordIndex
from newsqa.errors import IndexNotCreated, IndexUnavailable, NewsQAError
from newsqa.settings import Settings

if TYPE_CHECKING:
    from ingest.pipeline import Indexer
    from service.answering import EngineParts
    from service.answering.evidence import EvidenceScorer
    from service.answering.service import AnswerService
    from service.retrieval import Retriever


class ServiceState:
    """Embedder, store, keyword index and answer engine shared by all requests."""

    def __init__(
        self,
        settings: Settings,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.store = store or open_store(settings)
        # followed through the store's change log: docs/scaling.md
        self.keyword = KeywordIndex.from_settings(settings, background=True)
        self.keyword.on_reset = self._reopen
        self._opened = False
        self._lock = threading.Lock()
        self.startup_error: str | None = None
        self._never_written = False  # the last open found no index at all

    def open(self) -> None:
        """Open the index for reading and bring the keyword index in step; never raises."""
        try:
            self.store.ensure_model(self.embedder.model_id, self.embedder.dimension)
            self.keyword.sync(self.store)
            self._opened = True
            self.startup_error = None
        except NewsQAError as exc:
            self.startup_error = exc.message
            self._never_written = isinstance(exc, IndexNotCreated)
        except Exception as exc:  # the store client failed in an unexpected way
            self.startup_error = f"the vector store is unreachable: {exc}"

    def store_created(self) -> bool:
        """Whether the index exists (it may be empty): false until something is written."""
        return self._opened or not self._never_written

    def _reopen(self) -> None:
        """The index was rebuilt (``newsqa ingest --rebuild``): open its new collections."""
        self.store.ensure_model(self.embedder.model_id, self.embedder.dimension)

    def _indexed_terms(self) -> Sequence[str] | None:
        """The keyword index's terms, the index opened first: a fresh service's first question
        is read for spelling before any search has opened it (``newsqa ask``)."""
        if not self._opened:
            self.ensure_ready()
        return self.keyword.backend.terms()

    def ensure_ready(self) -> None:
        """Raise ``IndexUnavailable`` (503) unless the index is open and holds documents."""
        if not self._opened:
            with self._lock:
                if not self._opened:
                    self.open()
        if not self._opened:
            raise IndexUnavailable(self.startup_error or "the index is not available")
        try:  # one read of the store's change log; applies other workers' writes
            self.keyword.refresh(self.store)
        except NewsQAError:
            raise
        except Exception as exc:
            where = (
                f" (Chroma server {self.settings.chroma_url})" if self.settings.chroma_url else ""
            )
            raise IndexUnavailable(
                f"the vector store is unreachable{where}: {exc}; retry shortly"
            ) from exc
        if self.keyword.chunk_count == 0:
            raise IndexUnavailable("the index is empty: run `newsqa ingest` or POST /documents")

    @cached_property
    def indexer(self) -> Indexer:
        """Writer used by POST/DELETE /documents (created on first use)."""
        from ingest.pipeline import Indexer

        indexer = Indexer(self.settings, store=self.store, embedder=self.embedder)
        indexer.keyword = self.keyword
        self._opened = True
        return indexer

    @cached_property
    def retriever(self) -> Retriever:
        """Hybrid retrieval from the embedder, store and keywords (checks the index is ready)."""
        from service.retrieval import Retriever

        return Retriever(self.embedder, self.store, self.keyword, self.settings, self.ensure_ready)

    @cached_property
    def answers(self) -> AnswerService:
        """The /ask use case, from the retriever, scorer, engine, store, settings and bylines."""
        from service.answering.bylines import Bylines
        from service.answering.service import AnswerService
        from service.answering.spelling import Speller

        bylines = Bylines(self.store, self.embedder)
        speller = Speller(self._indexed_terms) if self.settings.spelling else None
        return AnswerService(
            self.retriever, self.scorer, self.engine, self.store, self.settings, bylines, speller
        )

    @cached_property
    def scorer(self) -> EvidenceScorer:
        """The evidence scorer (selection and refusal), from the embedder, store and keywords."""
        from service.answering.evidence import EvidenceScorer

        return EvidenceScorer(self.embedder, self.store, self.keyword, self.settings)

    @property
    def engine_parts(self) -> EngineParts:
        """What an answer engine is built from: the scorer, store, embedder and settings."""
        from service.answering import EngineParts

        return EngineParts(self.scorer, self.store, self.embedder, self.settings)

    @cached_property
    def engine(self) -> Any:
        """The configured answer engine (``NEWSQA_ENGINE``), built from its parts."""
        return ENGINES.create(self.settings.engine, self.engine_parts)
