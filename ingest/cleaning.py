"""Strip web boilerplate from scraped article text while keeping every article sentence verbatim.

The rules are general patterns of page chrome (tickers, counters, navigation words, "Read also"
blocks, tag strings, image credits, author bios, repeated headlines), applied to whole
paragraphs only: a paragraph is either kept as is (after whitespace and quote normalisation)
or removed with a reason, so sentences are never edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.metadata import is_date_line

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
        "\u00ad": None, "\u2028": "\n", "\u2029": "\n\n", "\r": "\n", "\t": " ",
    }
)  # fmt: skip
_NAV = {
    "skip to content", "skip to main content", "skip to navigation", "jump to content",
    "latest", "latest news", "latest posts", "latest articles", "breaking news", "trending",
    "popular", "most read", "most popular", "top stories", "details", "more", "menu", "home",
    "search", "share", "share this", "share this article", "print", "email", "comments",
    "leave a comment", "advertisement", "advertising", "sponsored", "sponsored content",
    "subscribe", "sign in", "log in", "login", "register", "newsletter", "back to top",
    "source link", "source", "original article", "view original", "previous post", "next post",
    "previous article", "next article", "follow us", "tags", "categories", "close", "loading",
}  # fmt: skip
_TERMINAL = re.compile(r"[.!?\u2026;,:]['\")\]]*$")
_CORE_STRIP = re.compile(
    r"^[\s\u2022\u00b7|\u00bb\u203a>*#=_~\-\u2013\u2014]+|[\s|\u00bb\u203a:>\u2192]+$"
)
_TICKER_TOKEN = re.compile(
    r"^(?:[A-Z]{3}|[$\u20ac\u00a3\u00a5\u20b4\u20bd\u20b9]?[+\-\u2212]?\d[\d.,]*%?"
    r"|[\u25b2\u25bc\u2191\u2193+\-\u2212/|\u2022()]+)$"
)
_COUNTER = re.compile(
    r"^(?:\d[\d,.\s]*[km]?\s+(?:views?|visitors?(?:\s+online)?|reads?|readers?|comments?|shares?"
    r"|likes?|(?:users?|people|guests?)\s+online)|(?:views?|visitors?|comments?|reads?)\s*:?\s*"
    r"\d[\d,.\s]*[km]?)$",
    re.IGNORECASE,
)
_PAGINATION = re.compile(r"^(?:page\s+)?\d+\s*(?:of|/)\s*\d+$", re.IGNORECASE)
_READ_ALSO = re.compile(
    r"^(?:read also|also read|read more|see also|more on this(?: topic)?|also on)\b"
    r"\s*[:\-\u2013\u2014]?",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^(?:related(?: posts| articles| stories| news| content| reading)?|you may also like|"
    r"you might also like|recommended(?: for you| stories)?|more from [\w .]+|more stories)$",
    re.IGNORECASE,
)
_IMAGE = re.compile(
    r"^(?:image|photo|photograph|picture|illustration|video|credit|cover|featured image)s?"
    r"(?:\s+credits?)?\s*(?::|by\s)\s*\S",
    re.IGNORECASE,
)
_CONTINUED = re.compile(
    r"^(?:to be continued|continued on (?:next )?page\b.*|continue reading|read the full "
    r"(?:story|article)(?: here)?|click here to read more)\W*$",
    re.IGNORECASE,
)
_BIO = re.compile(r"^(?:about the (?:author|writer)s?|author bio(?:graphy)?)\b", re.IGNORECASE)
_TAGS = re.compile(r"^(?:tags?|topics?|filed under|categories)\s*:", re.IGNORECASE)
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_DATELINE = re.compile(r"^[A-Z][\w'.\- ]{1,40}\s[\u2022\u00b7|]\s[\w.\-&' ]{2,40}$")
_COPYRIGHT = re.compile(r"^(?:\u00a9|copyright\b|\(c\)\s*\d{4}|all rights reserved)", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?i:by|written by|words by)\s+[A-Z][\w.'\-]+(?:\s+(?:[A-Z][\w.'\-]+|and|&))*"
    r"\s*(?:[,|\u2022\-\u2013\u2014]\s*[^.!?]{0,60})?$"
)
_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_LIST_MARK = re.compile(r"^(?:[-*\u2022]|\d+[.)]|#+)\s")


@dataclass
class RemovedLine:
    """One paragraph dropped by cleaning and why."""

    text: str
    reason: str


@dataclass
class CleanResult:
    """Cleaned text (paragraphs separated by blank lines), what was removed, and the headline."""

    text: str
    removed: list[RemovedLine] = field(default_factory=list)
    title: str | None = None


def normalize(text: str) -> str:
    """Straighten curly quotes, drop invisible characters, unify line breaks."""
    return text.replace("\r\n", "\n").translate(_TRANSLATE)


def _terminal(par: str) -> bool:
    return bool(_TERMINAL.search(par))


def headline_like(par: str) -> bool:
    """A short line with letters and no sentence-ending punctuation (a title or link text)."""
    words = par.split()
    return (
        2 <= len(words) <= 25
        and len(par) <= 200
        and not _terminal(par)
        and any(ch.isalpha() for ch in par)
    )


def _hard_wrapped(lines: list[str]) -> bool:
    """True when lines look wrapped at a fixed width (PDF text, wrapped markdown)."""
    if len(lines) < 5 or max(len(line) for line in lines) > 120:
        return False
    long_lines = sum(1 for line in lines if len(line) >= 40)
    return long_lines >= 0.6 * len(lines)


def paragraphs(text: str) -> list[str]:
    """Split normalised text into whitespace-collapsed paragraphs (lines, or unwrapped blocks)."""
    text = normalize(text)
    lines = [_HEADING.sub("", " ".join(line.split())) for line in text.split("\n")]
    wrapped = _hard_wrapped([line for line in lines if line])
    if not wrapped:
        return [line for line in lines if line]
    width = sorted(len(line) for line in lines if line)[-1]
    out: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if current and (not line or _LIST_MARK.match(line) or len(current[-1]) < 0.6 * width):
            out.append(" ".join(current))
            current = []
        if line:
            current.append(line)
    return out


def _single_reason(par: str) -> str | None:
    """Reason to drop a paragraph on its own, or None."""
    core = _CORE_STRIP.sub("", par)
    low = core.lower()
    if not any(ch.isalnum() for ch in par):
        return "punctuation only"
    if _PAGINATION.match(core):
        return "pagination"
    tokens = par.split()
    ticker = len(par) <= 60 and all(_TICKER_TOKEN.match(t) for t in tokens)
    if ticker and any(ch.isdigit() for ch in par):
        return "currency ticker"
    if _COUNTER.match(core):
        return "view counter"
    if low in _NAV:
        return "navigation"
    if _CONTINUED.match(core):
        return "continuation note"
    if _TAGS.match(core):
        return "tag list"
    if len(tokens) <= 25 and not _terminal(par) and len(_GLUED.findall(par)) >= max(3, len(tokens)):
        return "tag list"
    if _IMAGE.match(core) and len(tokens) <= 12:
        return "image credit"
    if _COPYRIGHT.match(core) and len(tokens) <= 20:
        return "site chrome"
    if _BYLINE.match(par) and len(tokens) <= 10 and not _terminal(par):
        return "byline"
    if _DATELINE.match(par) and len(tokens) <= 6:
        return "dateline"
    if len(tokens) == 1 and core.isalpha():
        return "navigation"
    return None


def _find_title(pars: list[str], reasons: list[str | None]) -> tuple[int | None, bool]:
    """Index of the headline among the first kept paragraphs and whether it is repeated."""
    kept = [i for i, r in enumerate(reasons) if r is None]
    candidates = [i for i in kept[:8] if headline_like(pars[i]) and not is_date_line(pars[i])]
    counts: dict[str, int] = {}
    for i in kept:
        counts[pars[i].casefold()] = counts.get(pars[i].casefold(), 0) + 1
    for i in candidates:
        if counts[pars[i].casefold()] > 1 and len(pars[i].split()) >= 3:
            return i, True
    for i in kept[:3]:
        if is_date_line(pars[i]):
            continue
        if headline_like(pars[i]) and len(pars[i].split()) >= 3:
            return i, False
        break
    return None, False


def clean_text(text: str) -> CleanResult:
    """Remove boilerplate paragraphs; keep each headline once and the article text verbatim."""
    pars = paragraphs(text)
    reasons: list[str | None] = [_single_reason(p) for p in pars]
    count = len(pars)
    for i, par in enumerate(pars):
        if reasons[i] is not None:
            continue
        if _BIO.match(par) and (i >= count // 2 or count - i <= 6):
            for j in range(i, count):
                tail = _RELATED.match(_CORE_STRIP.sub("", pars[j])) and "related links"
                reasons[j] = reasons[j] or tail or "author bio"
            break
        stem = par.rstrip(". \u2026")
        truncated = par.endswith(("...", "\u2026")) and len(stem) >= 20
        if truncated and any(q != par and q.startswith(stem) for q in pars):
            reasons[i] = "truncated duplicate"
            continue
        header = _READ_ALSO.match(par)
        related = _RELATED.match(_CORE_STRIP.sub("", par))
        if (header and (header.end() == len(par) or headline_like(par))) or related:
            reasons[i] = "read-also block" if header else "related links"
            limit = 5 if header else count
            j = i + 1
            while j < count and j <= i + limit and (reasons[j] or headline_like(pars[j])):
                reasons[j] = reasons[j] or reasons[i]
                j += 1
    title_at, repeated = _find_title(pars, reasons)
    seen: set[str] = set()
    previous = ""
    for i, par in enumerate(pars):
        if reasons[i] is not None:
            continue
        key = par.casefold()
        if key in seen and headline_like(par):
            reasons[i] = "repeated headline"
        elif key == previous:
            reasons[i] = "repeated line"
        seen.add(key)
        previous = key if reasons[i] is None else previous
    if title_at is not None and repeated:
        for i in range(title_at):
            if reasons[i] is None and len(pars[i].split()) <= 6 and not is_date_line(pars[i]):
                reasons[i] = "site chrome"
    kept = [p for p, r in zip(pars, reasons, strict=True) if r is None]
    removed = [RemovedLine(p, r) for p, r in zip(pars, reasons, strict=True) if r is not None]
    title = pars[title_at] if title_at is not None else None
    return CleanResult("\n\n".join(kept), removed, title)


def format_removed(result: CleanResult) -> str:
    """A readable report of what cleaning removed, for ``ingest --dry-run --show-cleaning``."""
    lines = [f"Title: {result.title or '(none detected)'}"]
    kept = [p for p in result.text.split("\n\n") if p]
    lines.append(
        f"Kept {len(kept)} paragraphs ({len(result.text)} chars); removed {len(result.removed)}:"
    )
    width = max((len(r.reason) for r in result.removed), default=0)
    for item in result.removed:
        shown = item.text if len(item.text) <= 100 else item.text[:97] + "..."
        lines.append(f"  - [{item.reason}]{' ' * (width - len(item.reason))} {shown}")
    return "\n".join(lines)
