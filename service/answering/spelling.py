"""Misspelt question words read as the words they were meant to be.

"how many gripen fihgters is ukraine planning to buy" was refused: "fihgters" is in no article,
so the question's words looked absent from every passage. A question word is read otherwise
only when all of these hold: it is in lower case (a capitalised word may be a name the
articles lack, which is a reason to refuse, not to correct), it is in no indexed article, it
is no English word (pyspellchecker's English dictionary, British spellings included), it has
five letters or more, and the dictionary's correction (the most frequent word one edit away)
is in the articles. What
was read so is said in the response's ``notice``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from newsqa.text import STOPWORDS, stem

MIN_LENGTH = 5  # shorter ones are too often a name or another word one edit away ("rute")
_WORD = re.compile(rf"(?<![\w'-])[a-z]{{{MIN_LENGTH},}}(?![\w'-])")
# British spellings the (American) dictionary lacks: "formalise", "flavours", "analyse"
_BRITISH = ((re.compile(r"is(e|ed|es|ing|ation)$"), r"iz\1"), (re.compile(r"our"), "or"),
            (re.compile(r"yse"), "yze"), (re.compile(r"tre(s?)$"), r"ter\1"))  # fmt: skip


@lru_cache(maxsize=1)
def dictionary() -> Any:
    """pyspellchecker's English dictionary (in the package: nothing is downloaded)."""
    from spellchecker import SpellChecker

    # one edit (a letter added, dropped, changed, or two swapped): corrections two edits away
    # take up to a second for a long word, and are more often another word
    return SpellChecker(language="en", distance=1)


def _is_english(word: str, checker: Any) -> bool:
    if checker.known([word]):
        return True
    american = word
    for pattern, repl in _BRITISH:
        american = pattern.sub(repl, american)
    return american != word and bool(checker.known([american]))


class Speller:
    """Reads a question's misspelt words (see the module docstring); ``terms`` lists the
    indexed stems (``KeywordBackend.terms``: None, and nothing is corrected, when unknown)."""

    def __init__(self, terms: Callable[[], Sequence[str] | None]) -> None:
        self._terms = terms
        self._known: tuple[int, frozenset[str]] = (-1, frozenset())

    def _indexed(self) -> frozenset[str]:
        terms = self._terms() or []
        if len(terms) != self._known[0]:  # the vocabulary only grows: its size tells a change
            self._known = (len(terms), frozenset(terms))
        return self._known[1]

    def correct(self, question: str) -> tuple[str, list[tuple[str, str]]]:
        """``question`` with misspelt words replaced, and (word, read as) for each."""
        indexed = self._indexed()
        if not indexed:
            return question, []
        changes: list[tuple[str, str]] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            if word in STOPWORDS or stem(word) in indexed:
                return word
            checker = dictionary()  # loaded on the first word the articles lack (~60 MB)
            if _is_english(word, checker):
                return word
            meant = checker.correction(word)
            if not meant or meant == word or stem(meant) not in indexed:
                return word
            changes.append((word, meant))
            return str(meant)

        return _WORD.sub(fix, question), changes


def notice(changes: list[tuple[str, str]]) -> str:
    """What the response says of the words read otherwise."""
    read = ", ".join(f"\u201c{word}\u201d as \u201c{meant}\u201d" for word, meant in changes)
    return f"Read {read}: no article has the word as written."
