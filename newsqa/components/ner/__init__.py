"""Named-entity taggers: one protocol, a registry keyed by ``NEWSQA_NER``.

Entities are found once, at ingest, for every stored sentence (and for the question at request
time), so that "does this sentence hold the person / place / date / number asked for" is read
from the index instead of guessed from capital letters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from newsqa.registry import Registry

if TYPE_CHECKING:
    from newsqa.settings import Settings

Entity = tuple[str, str]  # (label, text), e.g. ("PERSON", "Mark Rutte")

# What a question asks for (``answer_types.KINDS``) → the entity labels that answer it.
KIND_LABELS: dict[str, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "NORP"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL"}),
    "money": frozenset({"MONEY"}),
    "name": frozenset(
        {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
    ),
}


class EntityTagger(Protocol):
    """Finds named entities in texts."""

    name: str

    def tag(self, texts: list[str]) -> list[list[Entity]]: ...


NER: Registry[EntityTagger] = Registry(
    "ner",
    {
        "spacy": "newsqa.components.ner.spacy_ner:SpacyTagger.from_settings",
        "none": "newsqa.components.ner:NoTagger.from_settings",
    },
)


class NoTagger:
    """Finds nothing (tests, or a deployment without spaCy): the scorer then relies on text cues."""

    name = "none"

    @classmethod
    def from_settings(cls, settings: Settings) -> NoTagger:
        return cls()

    def tag(self, texts: list[str]) -> list[list[Entity]]:
        return [[] for _ in texts]


_cache: dict[str, EntityTagger] = {}


def get_tagger(settings: Settings) -> EntityTagger:
    """The tagger for ``settings.ner``, loaded once per process."""
    if settings.ner not in _cache:
        _cache[settings.ner] = NER.create(settings.ner, settings)
    return _cache[settings.ner]


def holds_kind(entities: list[Entity], kind: str | None, question: str) -> bool:
    """Whether ``entities`` include one of the labels that answer ``kind``, not named in the
    question itself."""
    if kind is None:
        return False
    labels = KIND_LABELS.get(kind, frozenset())
    q = question.lower()
    return any(label in labels and text.lower() not in q for label, text in entities)
