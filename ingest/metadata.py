"""Describe a cleaned article: title, publishing outlet, date, author, url; and its doc id.

Explicit metadata (sidecar, front matter, HTML meta) always wins; otherwise simple, general
patterns in the text are used. ``source`` is the outlet that *published* the page, not an outlet
it cites: "..., Politico reports, writes UNN." gives UNN.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ingest.chunking import split_sentences
from newsqa.types import DocumentMeta

if TYPE_CHECKING:
    from ingest.cleaning import CleanResult
    from ingest.loaders import RawDocument

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})(?=\b|T)"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})\b"),
]
_NAME = r"[A-Z][\w.&'\-]*(?:\s+(?:of|the|and|&|on|[A-Z][\w.&'\-]*)){0,5}"
_OUTLET = r"[A-Z][\w.&'\-]*(?:\s[A-Z][\w.&'\-]*){0,3}"
_DATELINE = re.compile(r"^[A-Z][\w'.\- ]{1,40}\s[\u2022\u00b7]\s(?P<name>[\w.\-&' ]{2,40})$")
_REPUBLISHED = re.compile(
    r"\b(?i:reprinted|republished|reposted) (?i:with permission )?(?i:from|by) (?:the )?(?P<name>"
    + _NAME
    + r")|\b(?i:originally|first) (?i:published|appeared) (?i:on|in|at|by) (?:the )?(?P<name2>"
    + _NAME
    + ")"
)
_WIRE = re.compile(
    r"^[A-Z][\w'.\- ,]{1,50}?\s\((?P<name>[A-Z][\w.&' ]{1,30})\)\s*[-\u2013\u2014]\s", re.M
)  # "KYIV (Reuters) - ..."
_COPYRIGHT = re.compile(
    r"^(?:\u00a9|\(c\)|copyright\b)\s*(?:\u00a9\s*)?(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?,?\s+)?"
    r"(?P<name>" + _OUTLET + r")\s*(?:[.,;|]|all rights reserved|$)",
    re.I | re.M,
)
_COPYRIGHT_NOISE = re.compile(r"(?i)(?:all|the author|the authors|this|by)\b")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go"})
_ATTRIBUTION = [
    re.compile(r",\s+(?:writes|reports|informs)\s+(?P<name>" + _OUTLET + r")\s*\."),
    re.compile(r",\s+(?P<name>" + _OUTLET + r")\s+(?:reports|writes|informs)\s*\."),
]
_BIO_AUTHOR = re.compile(
    r"^about the (?:author|writer)s?\s*[:\-\u2013\u2014]\s*(?P<name>[^.\n]{3,60})$",
    re.I | re.M,
)
_BYLINE = re.compile(
    r"^(?:by|author:|written by)\s+(?P<name>[A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){1,3})\s*(?:,.*)?$",
    re.I | re.M,
)
TITLE_MAX = 120


def parse_date(text: str) -> str | None:
    """The first valid calendar date stated in ``text`` as ISO YYYY-MM-DD, else None."""
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = parts.get("mon") or _MONTHS.get((parts.get("month") or "").lower(), 0)
            try:
                value = date(int(parts["year"]), int(month), int(parts["day"]))
            except ValueError:
                continue
            found.append((match.start(), value.isoformat()))
            break
    return min(found)[1] if found else None


def is_date_line(line: str) -> bool:
    """True for a line that is a date plus at most a few words ("Updated: September 4, 2025")."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(line)
        if match and parse_date(match.group(0)):
            rest = (line[: match.start()] + " " + line[match.end() :]).split()
            return len(rest) <= 3
    return False


def _clean_name(name: str) -> str:
    name = name.strip().rstrip(".,;:").strip()
    return re.sub(r"\s+(?:of|the|and|&|on)$", "", name)


def _head(text: str, lines: int = 12, chars: int = 3000) -> str:
    return "\n".join(text[:chars].split("\n")[:lines])


def find_source(text: str, url: str = "") -> str:
    """The publishing outlet stated in the text (dateline, attribution, reprint note, wire
    byline, copyright line) or the url's domain; "unknown" when none says."""
    for line in _head(text).split("\n"):
        match = _DATELINE.match(" ".join(line.split()))
        if match:
            return _clean_name(match.group("name"))
    for pattern in _ATTRIBUTION:
        match = pattern.search(text[:3000])
        if match:
            return _clean_name(match.group("name"))
    match = _REPUBLISHED.search(text)
    if match:
        return _clean_name(match.group("name") or match.group("name2"))
    match = _WIRE.search(_head(text, lines=6))
    if match:
        return _clean_name(match.group("name"))
    match = _COPYRIGHT.search(text[-1500:])
    if match and not _COPYRIGHT_NOISE.match(match.group("name")):
        return _clean_name(match.group("name"))
    return outlet_from_url(url) or "unknown"


def outlet_from_url(url: str) -> str:
    """The site of a URL as its registrable domain ("https://edition.example.co.uk/a" →
    "example.co.uk"); "" for no URL. A domain is what the URL states: no name is guessed."""
    host = (urlparse(url.strip()).hostname or "").lower().rstrip(".")
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2 or host.replace(".", "").isdigit():
        return ""
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def find_author(text: str) -> str:
    """Author from an "About the Author: NAME" line or a "By NAME" byline near the top."""
    match = _BIO_AUTHOR.search(text)
    if match:
        return _clean_name(match.group("name"))
    match = _BYLINE.search(_head(text, lines=15))
    return _clean_name(match.group("name")) if match else ""


def first_sentence(text: str) -> str:
    """The first sentence that is not a bare date, shortened to at most 120 characters."""
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if is_date_line(sentence):
            continue
        if len(sentence) <= TITLE_MAX:
            return sentence
        cut = sentence[: TITLE_MAX - 1].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + "\u2026"
    return ""


def extract_metadata(raw: RawDocument, cleaned: CleanResult) -> DocumentMeta:
    """Combine explicit metadata with what the text states; explicit values always win."""
    from ingest.cleaning import normalize

    meta = raw.meta
    text = "\n".join(" ".join(line.split()) for line in normalize(raw.text).split("\n"))
    url = meta.get("url", "")
    published = parse_date(meta["published"]) if meta.get("published") else None
    if published is None:
        for line in _head(text, lines=8, chars=800).split("\n"):
            if is_date_line(line) or line.lower().startswith(("published", "updated", "posted")):
                published = parse_date(line)
                if published:
                    break
    return DocumentMeta(
        title=meta.get("title") or cleaned.title or first_sentence(cleaned.text),
        source=meta.get("source") or find_source(text, url),
        url=url,
        published=published,
        author=meta.get("author") or find_author(text),
    )


def doc_id_for(cleaned_text: str) -> str:
    """Stable id of a document: ``"d_"`` + the first 16 hex digits of sha256(cleaned text)."""
    return "d_" + hashlib.sha256(cleaned_text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
