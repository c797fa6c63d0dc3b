"""Sentence splitting: blingfire inside paragraphs, with abbreviations merged back."""

from __future__ import annotations

import re

# Abbreviations that are (almost) never the end of a sentence: titles and ranks before a name.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "maj", "capt",
    "cpt", "sgt", "cmdr", "adm", "brig", "pres", "amb", "st", "rev", "hon", "fr", "messrs",
    "no", "nos", "vs", "v", "cf", "approx", "est", "fig", "vol", "ca",
}  # fmt: skip
# Abbreviations that may end a sentence: merge only when the next "sentence" starts lowercase.
_ABBREV = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:etc|inc|corp|ltd|co|jr|sr|e\.g|i\.e|jan|feb|mar|apr|jun|jul"
    r"|aug|sep|sept|oct|nov|dec)\.)['\")\]]*$",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"(?:^|[\s(\[\"'])([A-Za-z]+)\.$")
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# A "sentence" longer than this (a list run on with commas, text without full stops) is cut into
# pieces: about what the embedding model reads (256 tokens), and under a chunk's 700 characters
# plus its overlap, so that a fact at its end is still embedded, found and quoted.
MAX_SENTENCE_CHARS = 1000
_CUTS = (
    re.compile(r"[;:]\s"),
    re.compile(r",\s"),
    re.compile(r"\s[-\u2013\u2014]\s"),
    re.compile(r"\s"),
)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _boundaries(paragraph: str) -> list[int]:
    """Sentence start offsets inside one paragraph, from blingfire (0 always included)."""
    import blingfire

    try:
        _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
    except Exception:  # blingfire rejects e.g. lone surrogates: keep the paragraph whole
        return [0]
    starts = [0]
    for begin, _end in offsets[1:]:
        if starts[-1] < begin <= len(paragraph):
            starts.append(begin)
    return starts


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most ``MAX_SENTENCE_CHARS``: after the last clause
    mark (";", ":", ",", a dash) in a piece's second half, else at its last space, else hard."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        window = text[start + MAX_SENTENCE_CHARS // 2 : start + MAX_SENTENCE_CHARS]
        cut = MAX_SENTENCE_CHARS
        for mark in _CUTS:
            found = [m.end() for m in mark.finditer(window)]
            if found:
                cut = MAX_SENTENCE_CHARS // 2 + found[-1]
                break
        s, e = _strip(text, start, start + cut)
        if s < e:
            pieces.append((s, e))
        start, end = _strip(text, start + cut, end)
    if start < end:
        pieces.append((start, end))
    return pieces


def _should_merge(previous: str, current: str) -> bool:
    """True when blingfire split after an abbreviation or left a tiny fragment."""
    if len(current) <= 3 or not any(ch.isalnum() for ch in current):
        return True
    word = _LAST_WORD.search(previous)
    if word and word.group(1).lower() in _TITLES and len(word.group(1)) <= 6:
        return word.group(1).lower() not in {"no", "v", "st", "est", "ca"} or current[0].isdigit()
    if _ABBREV.search(previous):
        return current[0].islower() or current[0].isdigit()
    return previous.endswith(("...", "\u2026")) and current[0].islower()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences; none crosses a blank line; spans exclude whitespace."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraph_spans(text):
        p_start, p_end = _strip(text, p_start, p_end)
        if p_start >= p_end:
            continue
        paragraph = text[p_start:p_end]
        starts = _boundaries(paragraph)
        pieces: list[tuple[int, int]] = []
        for k, begin in enumerate(starts):
            finish = starts[k + 1] if k + 1 < len(starts) else len(paragraph)
            s, e = _strip(text, p_start + begin, p_start + finish)
            if s >= e:
                continue
            if pieces and _should_merge(text[pieces[-1][0] : pieces[-1][1]], text[s:e]):
                pieces[-1] = (pieces[-1][0], e)
            else:
                pieces.append((s, e))
        if len(pieces) > 1 and len(text[pieces[0][0] : pieces[0][1]]) <= 3:
            pieces[0:2] = [(pieces[0][0], pieces[1][1])]
        for s, e in pieces:
            spans.extend(_cut_long(text, s, e) if e - s > MAX_SENTENCE_CHARS else [(s, e)])
    return spans
