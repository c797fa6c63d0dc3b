"""What a generated sentence is checked against: its aligned span and the document around it."""

from __future__ import annotations

from dataclasses import dataclass

from newsqa.text import split_sentences


@dataclass(frozen=True)
class Evidence:
    """What a sentence is checked against: its aligned span, the passage text before it (a
    quote's speaker may be named there) and the document's outlet, title and author."""

    span: str
    before: str = ""
    near: str = ""  # the span and the sentences beside it where its names may be found
    context: str = ""  # the span and the sentences beside it where its wording may be found
    outlet: str = ""
    title: str = ""
    author: str = ""
    sentences: tuple[str, ...] = ()  # the cited passage's sentences off the span


def split_sentence_texts(text: str) -> list[str]:
    """The sentences of ``text``, as strings."""
    return [text[s:e] for s, e in split_sentences(text)]
