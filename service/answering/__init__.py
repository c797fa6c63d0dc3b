"""Answer engines: the protocol they share and the draft records they return."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from newsqa.types import ScoredChunk
from service.schemas import Turn

REFUSAL = "The sources don't cover this question."  # what a refusal answers

if TYPE_CHECKING:
    from newsqa.components.embeddings import Embedder
    from newsqa.components.store import VectorStore
    from newsqa.settings import Settings
    from service.answering.evidence import EvidenceScorer


@dataclass(frozen=True)
class EngineParts:
    """What an answer engine is built from (the engine registry's factories take this)."""

    scorer: EvidenceScorer
    store: VectorStore
    embedder: Embedder
    settings: Settings


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk numbered ``n`` (the ``[n]`` the answer cites)."""

    n: int
    hit: ScoredChunk


@dataclass(frozen=True)
class Support:
    """The exact span (document offsets) of passage ``n`` that supports a sentence."""

    n: int
    start: int
    end: int


@dataclass
class DraftSentence:
    """One answer sentence (without markers) and the passages that support it."""

    text: str
    supports: list[Support] = field(default_factory=list)
    supported: bool = True
    reasons: list[str] = field(default_factory=list)  # why removed or flagged; [] if supported
    kind: str = "sentence"  # "item": one item of a list answer

    @property
    def citations(self) -> list[int]:
        return sorted({s.n for s in self.supports})


@dataclass
class Draft:
    """What an engine produced for one question."""

    sentences: list[DraftSentence]
    answerable: bool
    engine: str
    notice: str | None = None
    refusal: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)  # full texts already read, by id


class AnswerEngine(Protocol):
    """Built by ``Cls.from_parts(EngineParts)``; answers a standalone question from numbered
    passages."""

    name: str

    def standalone(self, question: str, history: list[Turn]) -> str:
        """The question rewritten so that it can be understood without the history."""
        ...

    def respond(
        self, question: str, passages: list[Passage], assessment: Any
    ) -> Iterator[DraftSentence | Draft]:
        """Each verified sentence as soon as it is ready, then the final ``Draft``.

        ``assessment`` is the evidence scorer's verdict (``extractive.Assessment``): the
        extractive engine answers from it; LLM engines use it to decide their fallback.
        """
        ...
