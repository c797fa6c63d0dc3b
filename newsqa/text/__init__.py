"""The one text toolkit: tokens, stopwords, stems, numbers, names, sentences, citation markers.

Used by ingest, the service, the eval suite and the UI, so that "a word", "a sentence" and "a
marker" mean the same thing everywhere. Plain English rules only; nothing here knows a corpus.
Import from ``newsqa.text``; the submodules are its parts (``words``, ``numbers``,
``sentences``).
"""

from newsqa.text.numbers import NUMBER_WORDS, ORDINALS, number_values, numbers
from newsqa.text.sentences import PARAGRAPH_BREAK, split_sentences
from newsqa.text.words import (
    LEADING_MARKERS,
    MARKERS,
    NEGATION_VERBS,
    NEGATIONS,
    REFERS_BACK,
    STOPWORDS,
    WEB_ADDRESS,
    content_stems,
    fold,
    idf_weights,
    is_negation,
    local_coverage,
    markers,
    name_found,
    names,
    negated_stems,
    refers_back,
    stem,
    strip_markers,
    tokens,
    unpunctuated,
    words,
)

__all__ = [
    "LEADING_MARKERS",
    "MARKERS",
    "NEGATIONS",
    "NEGATION_VERBS",
    "NUMBER_WORDS",
    "ORDINALS",
    "PARAGRAPH_BREAK",
    "REFERS_BACK",
    "STOPWORDS",
    "WEB_ADDRESS",
    "content_stems",
    "fold",
    "idf_weights",
    "is_negation",
    "local_coverage",
    "markers",
    "name_found",
    "names",
    "negated_stems",
    "number_values",
    "numbers",
    "refers_back",
    "split_sentences",
    "stem",
    "strip_markers",
    "tokens",
    "unpunctuated",
    "words",
]
