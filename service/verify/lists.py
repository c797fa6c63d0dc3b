"""Checks on lists and bracketed pairs: a list member exchanged or added, and "A (B)" pairs
crossed (a role and who plays it, a person and their party)."""

from __future__ import annotations

import re

from newsqa.text import STOPWORDS, content_stems

_ITEM = r"[A-Z][\w'\u2019-]*(?:\s+(?:of\s+)?[A-Z][\w'\u2019-]*){0,3}"
_LIST = re.compile(rf"({_ITEM})((?:,\s+{_ITEM})*),?\s+(?:and|or)\s+({_ITEM})")


def _name_lists(text: str) -> list[set[str]]:
    """Coordinated names ("from Oslo, Bergen and Tromso") as sets of lower-cased last words."""
    out = []
    for m in _LIST.finditer(text):
        items = [m.group(1), *re.split(r",\s+", m.group(2).strip(", ")), m.group(3)]
        # an item counts by its last word: "Neil Armstrong" and "Armstrong" are one
        found = {
            i.split()[-1].lower().rstrip("'\u2019").removesuffix("'s").removesuffix("\u2019s")
            for i in items
            if i and i.split()[0].lower() not in STOPWORDS
        }
        if len(found) >= 2:
            out.append(found)
    return out


_BRACKETED = re.compile(rf"({_ITEM})\s+\(({_ITEM})\)")
_CLAUSE_CUT = re.compile(r"[,;:]|\b(?:and|while|whereas|but)\b")


def _words_of(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)} - STOPWORDS


def bracket_swaps(claim: str, span: str) -> list[str]:
    """Bracketed pairs crossed: the span pairs "A (B)" and "C (D)" (a role and who plays it,
    a person and their party), and a clause of the claim puts B with C, without A."""
    pairs = [(_words_of(m.group(1)), _words_of(m.group(2))) for m in _BRACKETED.finditer(span)]
    pairs = [(a, b) for a, b in pairs if a and b]
    if len(pairs) < 2:
        return []
    out = []
    for clause in _CLAUSE_CUT.split(claim):
        held = _words_of(clause)
        for i, (a, b) in enumerate(pairs):
            for j, (c, _d) in enumerate(pairs):
                if i != j and b <= held and c <= held and not a & held:
                    out.append(f"{' '.join(sorted(b))} with {' '.join(sorted(c))}")
    return out


_PLAIN_ITEM = r"[A-Za-z][\w'\u2019-]*(?:\s+[A-Za-z][\w'\u2019-]*){0,2}"
_PLAIN_LIST = re.compile(
    rf"({_PLAIN_ITEM})((?:,\s+{_PLAIN_ITEM}){{1,}}),?\s+(?:and|or)\s+({_PLAIN_ITEM})"
)


def list_additions(claim: str, span: str, context: str = "") -> list[str]:
    """Members of a list in the claim ("plants, animals and fungi") that the span's list
    lacks, and nothing beside the span mentions, while the span lists the others."""
    held = set(content_stems(f"{span} {context}"))
    out = []
    for m in _PLAIN_LIST.finditer(claim):
        first, last = m.group(1).split(), m.group(3).split()
        middle = re.split(r",\s+", m.group(2).strip(", "))
        # the first item ends, and the last begins, the run of words the list is made of
        while first and first[0].lower() in STOPWORDS:
            first = first[1:]
        cut = next((k for k, w in enumerate(last) if w.lower() in STOPWORDS), len(last))
        items = [" ".join(first), *middle, " ".join(last[:cut])]
        if not all(items) or any(w.lower() in STOPWORDS for i in middle for w in i.split()):
            continue  # clauses, not a list of things
        stems = [set(content_stems(i)) for i in items]
        found = [bool(s & held) for s in stems if s]
        if len(found) < 3 or sum(found) < 2:
            continue
        out += [i.strip() for i, s in zip(items, stems, strict=True) if s and not s & held]
    return out


def list_swaps(claim: str, span: str) -> list[str]:
    """A list of names with a member exchanged: "Oslo, Bergen and Malmo" where the span
    lists "Oslo, Bergen and Tromso" (leaving members out, or reordering them, is no swap)."""
    theirs = _name_lists(span)
    out = []
    for ours in _name_lists(claim):
        best = max(theirs, key=lambda s: len(s & ours), default=set())
        shared = best & ours
        if not shared or len(shared) * 2 < len(ours):
            continue
        extra, left_out = sorted(ours - best), sorted(best - ours)
        if extra and left_out:
            out.append(f"{', '.join(extra)} in a list (the cited text has {', '.join(left_out)})")
    return out
