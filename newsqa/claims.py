"""Who claims what in a cited span: its speaker and the outlet that reports them.

The cited sentence first (reported speech, ``newsqa.attribution``), then its neighbours:
- a pronoun or nameless subject ("he said", "the company says") takes the named speaker of one
  of the sentences just before;
- a sentence inside a quotation opened earlier in its paragraph takes the quotation's speaker;
- a sentence inside a quote block takes the speaker named by the line that introduces the block
  ("As X wrote yesterday:", "an op-ed by X in the Y:") or by its credit line ("Title - Author /
  Outlet");
- an article that relays another outlet ("X reports, writes <outlet>.") lends X to its sentences
  that name no one;
- the publishing outlet speaks for itself only when no one else is named.

Plain English patterns only (capitalisation, reporting verbs, colons, dashes). Used for the
``speaker`` / ``reported_by`` of citations and, through ``newsqa.wording``, for the wording of
extractive answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from newsqa.attribution import (
    OUTLET_NOUNS,
    REPORTING_VERBS,
    Attribution,
    attributions,
    is_outlet_reference,
    is_pronoun,
    same_speaker,
    speaker_names,
)
from newsqa.text import STOPWORDS, split_sentences

# How many paragraphs a quote block's introduction ("As X wrote:") reaches: intro, credit line,
# standfirst and a quoted paragraph or two; beyond that the text is more likely the author's own.
QUOTE_BLOCK_PARAGRAPHS = 4
# How many sentences back a pronoun or nameless subject ("she said") looks for a named speaker.
PRONOUN_LOOKBACK = 2
# How far into the text an article states that it relays another outlet ("X reports, writes Y").
RELAY_HEAD_CHARS = 3000
_LEADING = STOPWORDS - {"the", "a", "an"}  # "As the Times wrote" → "the Times"
_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our"})
UNKNOWN_OUTLETS = frozenset({"", "unknown", "n/a", "none"})

How = Literal["sentence", "quoted", "relayed", "outlet", "none"]

_WORD = r"[A-Z][\w.&'\u2019-]*"
_PROPER = _WORD + r"(?:\s+(?:of|the|for|and|de|von|der|" + _WORD + r")){0,6}"
_NAME = r"(?:\[[^\]\n]{1,160}\](?:\s*" + _PROPER + r")?|" + _PROPER + r")"
_AUX = (
    r"(?:has|have|had|also|reportedly|previously|later|earlier|once|then|recently"
    r"|on\s+\w+|last\s+\w+)"
)
_GAPPED = re.compile(
    r"(?P<name>" + _NAME + r")(?:,[^,\n]{1,80},)?,?\s+(?:" + _AUX + r"\s+){0,3}(?P<verb>[a-z]+)\b"
)
# What a person writes and an outlet publishes (read by ``service.answering.bylines`` too).
WORK = r"(?:op-ed|oped|article|piece|column|essay|interview|report|letter|analysis|editorial)"
_WORK_BY = re.compile(
    WORK + r"\s+by\s+(?:(?:its|his|her|their|the)\s+)?(?:[a-z][\w-]*\s+){0,3}(?P<name>"
    + _NAME + r")\s+(?:in|for|at|on)\s+(?:the\s+)?(?P<outlet>" + _NAME + r")"
)  # fmt: skip
_CREDIT = re.compile(
    r"\s[-\u2013\u2014]\s+(?P<who>[A-Z][^\n/|]{1,60}?)(?:\s*[/|]\s*(?P<outlet>[A-Z][^\n/|]{1,60}))?\s*$"
)
_WORK_HEAD = re.compile(r"\s+(?:" + WORK + r"|" + "|".join(sorted(OUTLET_NOUNS)) + r")s?$", re.I)


@dataclass(frozen=True)
class Claim:
    """Who makes a cited claim; ``how`` says where the speaker was found."""

    speaker: str | None
    reported_by: str | None
    how: How


def known_outlet(outlet: str | None) -> str | None:
    """The outlet, or None when it is unknown."""
    return None if (outlet or "").strip().lower() in UNKNOWN_OUTLETS else (outlet or "").strip()


def _tidy(name: str) -> str:
    """A speaker phrase without editorial brackets, a leading "the", trailing adverbs or "piece"."""
    name = re.sub(r"[\[\]]", "", name).strip(" ,;:.\"'\u201c\u201d")
    name = re.sub(r"(?:\s+[a-z]+ly)+$", "", name)
    while (first := name.split(" ", 1))[0].lower() in _LEADING and len(first) > 1:
        name = first[1]
    name = _WORK_HEAD.sub("", name) if speaker_names(name) else name
    return re.sub(r"^(?:the|a|an)\s+", "", name).strip()


def _is(outlet: str | None, speaker: str) -> bool:
    return bool(outlet) and same_speaker(speaker, outlet or "")


def _verb_is_lower(text: str, a: Attribution) -> bool:
    """The reporting verb is written in lower case ("States" in "the United States" is none)."""
    if a.verb == "according to":
        return True
    at = a.phrase[1] - len(a.verb) if a.phrase[0] == a.start else a.phrase[0]
    return text[at : at + len(a.verb)].islower()


def _plausible(speaker: str) -> bool:
    """A named phrase, a pronoun, or a nameless noun phrase ("the company", "officials")."""
    first = speaker.split()[0].lower() if speaker.split() else ""
    return (
        bool(speaker_names(speaker))
        or is_pronoun(speaker)
        or (first in _DETERMINERS or speaker.endswith("s"))
    )


def _adjectival(text: str, a: Attribution) -> bool:
    """A nameless "a new suggested framework": the participle describes the next noun."""
    if speaker_names(a.speaker) or not a.verb.endswith("ed") or a.phrase[0] != a.start:
        return False
    nxt = re.match(r"\s+([a-z]+)", text[a.phrase[1] :])
    return nxt is not None and nxt.group(1) not in STOPWORDS


def sentence_speakers(sentence: str) -> list[str]:
    """Speakers named by reported speech in one sentence, in order (pronouns included)."""
    return list(_sentence_speakers(sentence))


@lru_cache(maxsize=32768)  # the same passage sentences come back question after question
def _sentence_speakers(sentence: str) -> tuple[str, ...]:
    found: list[tuple[int, int, str]] = []
    for m in _GAPPED.finditer(sentence):
        if m.group("verb") in REPORTING_VERBS and speaker_names(m.group("name")):
            found.append((m.start("name"), m.end("name"), m.group("name")))
    for a in attributions(sentence):
        if any(a.start < end and a.end > start for start, end, _ in found):
            continue
        if _verb_is_lower(sentence, a) and _plausible(a.speaker) and not _adjectival(sentence, a):
            found.append((a.start, a.end, a.speaker))
    return tuple(speaker for _, _, speaker in sorted(found))


def _named(speakers: list[str], outlet: str | None) -> str | None:
    """The first named speaker that is not the publishing outlet itself."""
    for s in speakers:
        if speaker_names(s) and not is_outlet_reference(s) and not _is(outlet, s):
            return _tidy(s)
    return None


def relayed_source(text: str, outlet: str | None) -> str | None:
    """Another outlet the article relays ("Politico reports, writes UNN."), if it says so."""
    outlet = known_outlet(outlet)
    if not outlet:
        return None
    for start, end in _sentence_spans(text[:RELAY_HEAD_CHARS]):
        speakers = sentence_speakers(text[start:end])
        if len(speakers) >= 2 and any(_is(outlet, s) for s in speakers):
            other = _named(speakers, outlet)
            if other:
                return other
    return None


def _paragraph_bounds(text: str, at: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    return lo, len(text) if hi < 0 else hi


def _credit(line: str) -> str | None:
    """The author and outlet of a credit line ("Title - Author / Outlet"), if it is one."""
    match = _CREDIT.search(line)
    if not match or line.endswith(":") or not speaker_names(match.group("who")):
        return None
    who, paper = _tidy(match.group("who")), match.group("outlet")
    return f"{who} ({_tidy(paper)})" if paper else who


def _intro_speaker(line: str, outlet: str | None) -> str | None:
    """The speaker a quote block's introduction ("As X wrote:") names, if any."""
    match = _WORK_BY.search(line)
    if match:
        return f"{_tidy(match.group('name'))} ({_tidy(match.group('outlet'))})"
    named = _named(sentence_speakers(line), outlet)
    if named:
        return named
    work = re.search(r"(?i:from|in)\s+(?:the\s+)?(?P<name>" + _NAME + r")\s+" + WORK, line)
    return _tidy(work.group("name")) if work else None


def quoted_speaker(text: str, start: int, outlet: str | None) -> str | None:
    """The speaker of the quote block that holds ``start``, if one is introduced within reach.

    A block starts after a paragraph ending with ":"; its speaker is the credit line right
    after that introduction, else the one the introduction names.
    """
    lo, hi = _paragraph_bounds(text, start)
    after = text[lo:hi].strip()  # the paragraph that follows the one being looked at
    seen = 0
    while lo > 0 and seen < QUOTE_BLOCK_PARAGRAPHS:
        lo, hi = _paragraph_bounds(text, lo - 1)
        line = text[lo:hi].strip()
        if not line:
            continue
        seen += 1
        if line.endswith(":"):
            return _credit(after) or _intro_speaker(line, outlet)
        after = line
    return None


def open_quote(text: str, at: int) -> int | None:
    """Where the quotation still open at ``at`` opened, in ``at``'s paragraph (None when no
    quotation is open there): straight double quotes toggle, curly ones open and close."""
    lo, _ = _paragraph_bounds(text, at)
    opened: int | None = None
    for m in re.finditer('["\u201c\u201d]', text[lo:at]):
        opens = m.group(0) == "\u201c" or (m.group(0) == '"' and opened is None)
        opened = lo + m.start() if opens else None
    return opened


def continued_speaker(text: str, start: int, outlet: str | None) -> str | None:
    """The speaker of a quotation that opened in an earlier sentence and goes on at ``start``
    ("... ," said X. "Previously ... However, today ..."): named where the quotation closes
    ("...," she said) or, failing that, in the sentences just before it opened."""
    spans = _line_spans(text)
    opened = open_quote(text, start)
    if opened is None:  # (0 is an offset: a quotation may open the document)
        opened = _opens_unclosed(text, start, spans)
    if opened is None:
        return None
    _, hi = _paragraph_bounds(text, start)
    after = [(s, e) for s, e in spans if start <= s < hi or s <= start < e]
    before = [(s, e) for s, e in spans if e <= opened][-PRONOUN_LOOKBACK:]
    for s, e in after:
        base = max(s, start, opened + 1)
        close = re.search('["\u201d]', text[base:e])
        if close:  # the words after the closing mark: "...," she said.
            credit = sentence_speakers(text[base + close.start() : e])
            named = _named(credit, outlet)
            if named:
                return named
            if credit and all(is_outlet_reference(c) for c in credit):
                return None  # "...," the publication says: the outlet's, not who spoke before
            break
    for s, e in reversed(before):
        named = _named(sentence_speakers(text[s:e]), outlet)
        if named:
            return named
    return None


_SPACE = re.compile(r"\s*")


def _opens_unclosed(text: str, start: int, spans: list[tuple[int, int]]) -> int | None:
    """Where the sentence at ``start`` opens a quotation it does not close ("The market had
    priced in ... . The question now is ...," she said): the quotation's speaker is then named
    where it closes, in a later sentence."""
    at = _SPACE.match(text, start).end()  # type: ignore[union-attr]
    if text[at : at + 1] not in ('"', "\u201c"):
        return None
    end = next((e for s, e in spans if s <= at < e), None)
    return at if end is not None and open_quote(text, end) is not None else None


def _lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans cut at line breaks (a line ending with ":" introduces the next one)."""
    out = []
    for start, end in spans:
        for piece in re.finditer(r"[^\n]+", text[start:end]):
            out.append((start + piece.start(), start + piece.end()))
    return out


@lru_cache(maxsize=512)
def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text (cached: a document is read for several sentences)."""
    return split_sentences(text)


@lru_cache(maxsize=512)
def _line_spans(text: str) -> list[tuple[int, int]]:
    return _lines(text, _sentence_spans(text))


def claim_of(text: str, start: int, end: int, outlet: str | None) -> Claim:
    """Who claims ``text[start:end]`` (a sentence or quote inside a chunk or document).

    ``outlet`` is the document's publishing outlet ("unknown" or empty when not known).
    """
    outlet = known_outlet(outlet)
    spans = _line_spans(text)
    inside = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
    inside = inside or [(start, end)]
    first = inside[0][0]
    speakers = [sp for s, e in inside for sp in sentence_speakers(text[s:e])]
    named = _named(speakers, outlet)
    if named:
        return Claim(named, outlet, "sentence")
    nameless = [s for s in speakers if not _is(outlet, s)]
    if nameless and not all(is_outlet_reference(s) for s in nameless):
        before = [(s, min(e, first)) for s, e in spans if s < first][-PRONOUN_LOOKBACK:]
        for s, e in reversed(before):
            earlier = _named(sentence_speakers(text[s:e]), outlet)
            if earlier:
                return Claim(earlier, outlet, "sentence")
        if not is_pronoun(nameless[0]):
            return Claim(_tidy(nameless[0]), outlet, "sentence")
    continued = None if speakers else continued_speaker(text, first, outlet)
    if continued and not _is(outlet, continued):
        return Claim(continued, outlet, "quoted")
    quoted = None if speakers else quoted_speaker(text, first, outlet)
    if quoted and not _is(outlet, quoted):
        return Claim(quoted, outlet, "quoted")
    relayed = relayed_source(text, outlet)
    if relayed:
        return Claim(relayed, outlet, "relayed")
    return Claim(outlet, None, "outlet") if outlet else Claim(None, None, "none")
