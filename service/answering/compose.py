"""The shape of an extractive answer: lists, one line per outlet, several parts.

- A question that names how many things it wants ("what are the four options", "which seven
  countries") is answered with the items of a list in the article: bulleted or numbered lines,
  or the short headings of its sections, in the article's order, one cited line each, never
  padded with other sentences.
- A question about what different outlets (sources, articles, reports) say gets the best
  sentence of each outlet, one line each.
- A question in several parts ("how big was X, and how much is Y?") gets the best sentence of
  each part as well as those of the whole.

Plain English question forms and the article's own layout (paragraph breaks, bullets, short
unpunctuated lines); nothing here knows about any corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsqa.text import NUMBER_WORDS, STOPWORDS, names, stem, tokens, words

LIST_ITEM_WORDS = 14  # a section heading or list line is at most this long (words)
LIST_MAX_ITEMS = 12  # never list more than this many items
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u25aa\u25cf]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+\S")
_MARKER = re.compile(r"[-*\u2022\u2013\u25aa\u25cf]\s+")
_FINAL = (".", "!", "?", ":", ";", ",", "\u2026")
_QUOTES = "\"'\u201d\u2019)] "
_GROUP_NOUNS = (
    r"outlets?|sources?|articles?|reports?|publications?|newspapers?|media|papers?|stories|"
    r"websites?|sites?|accounts?|coverage"
)
_PER_SOURCE = re.compile(
    rf"\b(?:different|various|several|each|every|other|all|both|the)\s+(?:of\s+the\s+)?"
    rf"(?:news\s+)?(?:{_GROUP_NOUNS})\b",
    re.IGNORECASE,
)
_SINGULAR_GROUP = re.compile(r"\bthe\s+(?:article|report|source|story|publication)\b", re.I)
_PART_SPLIT = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|whose|when|where|why|how|in\s+what|on\s+what|"
    r"at\s+what|to\s+what|by\s+how)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a document with its offsets."""

    start: int
    end: int
    text: str

    @property
    def is_bullet(self) -> bool:
        return bool(_BULLET.match(self.text))

    def without_marker(self) -> Paragraph:
        """The item without its bullet ("- ", "• "): the answer lists it with its own (a
        probe's answer showed "- - A 9 percent pay rise"); numbers ("1.") are kept."""
        m = _MARKER.match(self.text)
        if not m or not self.text[m.end() :].strip():
            return self
        return Paragraph(self.start + m.end(), self.end, self.text[m.end() :])

    @property
    def is_short_line(self) -> bool:
        """Short and unpunctuated at its end: a heading, caption or list line."""
        body = self.text.rstrip(_QUOTES)
        return 0 < len(words(self.text)) <= LIST_ITEM_WORDS and not body.endswith(_FINAL)

    @property
    def is_prose(self) -> bool:
        return self.text.rstrip(_QUOTES).endswith((".", "!", "?", ":"))


def wanted_count(question: str) -> int | None:
    """How many things the question asks for: "the four options", "which 3 countries"."""
    tokens = question.lower().replace("?", " ").split()
    for i, tok in enumerate(tokens[:-1]):
        value = int(tok) if tok.isdigit() else NUMBER_WORDS.get(tok)
        n = int(value) if value is not None and value == int(value) else None
        if n is None or not 2 <= n <= LIST_MAX_ITEMS:
            continue
        before = tokens[i - 1] if i else ""
        nouns = tokens[i + 1 : i + 4]  # "the four options", "the four security options"
        plural = any(
            t.endswith(("s", "ren", "men", "ple")) and not t.endswith("ss") and t not in STOPWORDS
            for t in nouns
        )
        if before in ("the", "which", "what", "these", "those", "its", "their", "all") and plural:
            return n
    return None


def _plural(token: str) -> bool:
    return (
        token.endswith(("s", "ren", "men", "ple"))
        and not token.endswith("ss")
        and token not in STOPWORDS
    )


def announced_count(question: str, sentences: list[str]) -> int | None:
    """How many things a "which / what <things>" question asks for when it gives no number and
    the answer's sentence announces them: "Which options is Europe weighing?" answered by
    "Europe is weighing four options" asks for the four. None for "how many" questions (the
    count is the answer) and when no sentence counts the things asked about."""
    asking = question.lower().replace("?", " ").split()
    if "how" in asking[:3]:
        return None
    asked = {
        stem(t)
        for i, t in enumerate(asking)
        if _plural(t) and any(w in ("which", "what") for w in asking[max(i - 4, 0) : i])
    }
    if not asked:
        return None
    for sentence in sentences:
        toks = [t.lower() for t in tokens(sentence)]
        for i, tok in enumerate(toks):
            value = int(tok) if tok.isdigit() else NUMBER_WORDS.get(tok)
            if value is None or not 2 <= value <= LIST_MAX_ITEMS or value != int(value):
                continue
            if any(stem(t) in asked for t in toks[i + 1 : i + 4] if _plural(t)):
                return int(value)
    return None


def asks_per_source(question: str) -> bool:
    """The question asks what several outlets (sources, articles, reports) say."""
    match = _PER_SOURCE.search(question)
    if match is None:
        return False
    word = match.group(0).split()[-1].lower()
    return (
        word.endswith("s")
        or word in ("media", "coverage")
        or not _SINGULAR_GROUP.search(match.group(0))
    )


# words by which a question points back at an earlier turn ("Where is she from?")
_PRONOUNS = frozenset(
    ["he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs", "it", "its"]
)
_BACK_PHRASES = re.compile(
    r"\b(?:(?:for|in|at|of|from|to|with|by|on|about|after|before|during|since) "
    r"(?:this|that|these|those)|the same|such|ones|else|the (?:other|latter|former)|the \w+ one)"
    r"\b|\b(?:it|them|him|her)\W*$",
    re.IGNORECASE,
)
_BACK_OPENERS = re.compile(
    r"^\W*(?:and|but|so|also|then|what about|how about|(?:this|that|these|those)\b)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """Whether ``question`` needs an earlier turn to be understood: it opens with a linking
    word ("And ...", "What about ..."), points back ("for that game", "the same", "the other
    ones", "the cheapest one", "... during it?"), has a pronoun with no name before it in the
    question ("Where is she from?"; an "it" before a name is no reference either: "how long
    would it take to build the Oslo line"), or names nothing of its own ("What did the
    mayor call the plan?"). A question with its own names and none of these ("Who is Ann
    Lee?") changes the subject, and is read alone."""
    if _BACK_OPENERS.match(question) or _BACK_PHRASES.search(question):
        return True
    found = names(question)
    if not found:
        return True
    tokens = words(question)
    for i, token in enumerate(tokens):
        if token not in _PRONOUNS:
            continue
        before, after = " ".join(tokens[:i]), " ".join(tokens[i + 1 :])
        named_before = any(re.search(rf"\b{re.escape(n)}\b", before) for n in found)
        named_after = any(re.search(rf"\b{re.escape(n)}\b", after) for n in found)
        if not named_before and not (token in ("it", "its") and named_after):
            return True
    return False


def question_parts(question: str) -> list[str]:
    """The sub-questions of a question in several parts (one part: ``[question]``)."""
    parts = [p.strip(" ,?") for p in _PART_SPLIT.split(question) if p.strip(" ,?")]
    return [p + "?" for p in parts] if len(parts) > 1 else [question]


def paragraphs(text: str, offset: int = 0) -> list[Paragraph]:
    """The paragraphs (and single lines of bulleted runs) of ``text``, with offsets."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            start = offset + m.start() + lead
            out.append(Paragraph(start, start + len(stripped), stripped))
    return out


def list_items(paras: list[Paragraph], after: int, count: int | None) -> list[Paragraph]:
    """The items of the list that follows offset ``after`` in a document's paragraphs.

    A run of bulleted or numbered lines, or else the section headings (short unpunctuated
    paragraphs between prose paragraphs); with ``count``, exactly that many, or none.
    """
    later = [p for p in paras if p.start >= after]
    runs: list[list[Paragraph]] = []
    run: list[Paragraph] = []
    for p in later:
        if p.is_bullet:
            run.append(p)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    headings = [
        p
        for i, p in enumerate(paras)
        if p.start >= after
        and 0 < i < len(paras) - 1
        and p.is_short_line
        and not p.is_bullet
        and paras[i - 1].is_prose
        and paras[i + 1].is_prose
    ]
    for found in [*runs, headings]:
        if count is None and len(found) >= 2 and found is not headings:
            return found[:LIST_MAX_ITEMS]
        if count is not None and len(found) >= count:
            return found[:count]
    return []
