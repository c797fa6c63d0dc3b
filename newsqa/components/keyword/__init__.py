"""Keyword index backends: one protocol, a registry keyed by ``NEWSQA_KEYWORD_INDEX``.

A backend ranks chunk ids for a query by keyword relevance. It is kept in step with the vector
store by ``newsqa.components.store.keyword.KeywordIndex``, which follows the store's change log
and calls ``upsert``/``remove`` with the chunks that changed (or ``rebuild`` with all of them).

- ``bm25`` (default): BM25 in this process (bm25s tokenizer, numpy scoring), a large main
  segment plus a small delta segment, merged in the background; snapshots in the index dir.
- ``chroma-sparse``: BM25 sparse vectors kept by Chroma itself and searched with its ``Search``
  API. Needs distributed Chroma or Chroma Cloud; a local chromadb refuses sparse indexes.

See docs/scaling.md for where each backend keeps its state with several workers and hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from newsqa.registry import Registry

if TYPE_CHECKING:
    from newsqa.settings import Settings


class KeywordBackend(Protocol):
    """Keyword ranking over chunk texts, updated incrementally."""

    mode: str
    # True when the index lives in a shared engine (every worker sees one copy), so its
    # contents survive restarts and need no local snapshot.
    shared: bool

    @property
    def size(self) -> int | None:
        """Live chunks indexed, or None when the backend cannot tell cheaply."""
        ...

    def ids(self) -> set[str] | None:
        """Every chunk id indexed (to compare with the store), or None if unknown."""
        ...

    def terms(self) -> Sequence[str] | None:
        """Every indexed term (stems, as the tokenizer writes them; not to be changed), or None
        if unknown: what a misspelt question word may be read as
        (``service.answering.spelling``)."""
        ...

    def upsert(self, chunk_ids: list[str], texts: list[str]) -> None: ...
    def remove(self, chunk_ids: list[str]) -> None: ...
    def rebuild(self, chunk_ids: list[str], texts: list[str]) -> None: ...
    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]: ...
    def maintain(self, wait: bool = False) -> None:
        """Housekeeping after updates (merging segments); ``wait`` finishes it before return."""
        ...

    def when_merged(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after the backend reorganised itself on its own (a merge), e.g.
        to save a snapshot; a backend that never does so ignores it."""
        ...

    def stats(self) -> dict[str, Any]:
        """Backend-specific counters for diagnostics and benchmarks (may be empty)."""
        ...

    def save(self, directory: Path, manifest: dict[str, Any]) -> None: ...
    def load(self, directory: Path) -> dict[str, Any] | None:
        """Restore a snapshot; returns the manifest saved with it, or None."""
        ...


KEYWORD_INDEXES: Registry[KeywordBackend] = Registry(
    "keyword index",
    {
        "bm25": "newsqa.components.keyword.bm25:SegmentedBM25.from_settings",
        "chroma-sparse": "newsqa.components.keyword.sparse:ChromaSparse.from_settings",
    },
)


def open_backend(settings: Settings, background: bool = False) -> KeywordBackend:
    """The keyword backend named by ``settings.keyword_index``; ``background`` lets it do its
    housekeeping (merging segments) in a thread (servers) instead of before a call returns."""
    return KEYWORD_INDEXES.create(settings.keyword_index, settings, background=background)
