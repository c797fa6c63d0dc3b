"""Find and read article files (txt, md, html, pdf) and API content into ``RawDocument``s.

Explicit metadata comes from a sidecar ``NAME.meta.json`` (``article.txt.meta.json`` or
``article.meta.json``), from ``---``-delimited front matter in .md/.txt, and from HTML metadata.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from newsqa.errors import BadRequest
from newsqa.text import WEB_ADDRESS

# pypdf logs what it finds wrong with a file; that ends up in the file's skip reason instead
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
SIDECAR_SUFFIX = ".meta.json"
META_KEYS = ("title", "source", "url", "published", "author")
_ALIASES = {
    "date": "published",
    "published_at": "published",
    "publish_date": "published",
    "pubdate": "published",
    "site": "source",
    "sitename": "source",
    "site_name": "source",
    "publisher": "source",
    "outlet": "source",
    "link": "url",
    "canonical": "url",
    "byline": "author",
    "authors": "author",
}
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_KIND = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


class SkipFile(Exception):
    """A file that cannot be ingested; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def unreadable_skipped(what: str) -> Iterator[None]:
    """Parsers of untrusted files raise many kinds of errors (a bogus codec, JSON nested past
    the recursion limit, a broken PDF): any of them skips the file with its reason, never a
    traceback, a 500 or a lost ingest run."""
    try:
        yield
    except (SkipFile, BadRequest, MemoryError):
        raise
    except Exception as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        log.warning("unreadable %s", what, exc_info=True)
        raise SkipFile(
            f"{what} could not be read ({type(exc).__name__}{': ' + detail if detail else ''})"
        ) from exc


@dataclass
class RawDocument:
    """Plain text of one input before cleaning, with its explicit metadata."""

    path: str
    text: str
    kind: str
    meta: dict[str, str] = field(default_factory=dict)


def _known_key(key: object) -> bool:
    return _ALIASES.get(str(key).strip().lower(), str(key).strip().lower()) in META_KEYS


def _scalars(value: object) -> bool:
    """Text, a number, or a list of them ("authors": ["A", "B"]): what metadata can hold."""
    items = value if isinstance(value, list | tuple) else [value]
    return all(v is None or isinstance(v, str | int | float) for v in items)


def normalize_meta(data: dict[str, Any]) -> dict[str, str]:
    """Keep the known metadata keys (mapping common aliases), as non-empty stripped strings."""
    out: dict[str, str] = {}
    for key, value in data.items():
        name = _ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
        if name not in META_KEYS or value is None:
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        text = str(value).strip().strip("\"'").strip()
        if name == "url" and not WEB_ADDRESS.match(text):
            continue  # a javascript: or file: link is handed on to clients: never stored
        if text and name not in out:
            out[name] = text
    return out


def split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Strip a leading ``---`` block of ``key: value`` lines; return (body, metadata)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    pairs: dict[str, Any] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "#")):
            pairs[key] = value
    return text[match.end() :], normalize_meta(pairs)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and directories (recursively, sorted); return (files, [(path, reason)])."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        if path.name.endswith(SIDECAR_SUFFIX):
            skipped.append((path, "metadata sidecar"))
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
        else:
            skipped.append((path, f"unknown type {path.suffix.lower() or '(no suffix)'}"))

    for path in paths:
        if not path.exists():
            raise BadRequest(f"no such file or directory: {path}")
        if path.is_dir():
            root = path.resolve()
            for child in sorted(path.rglob("*")):
                hidden = _hidden(child, path) or child.name.endswith(SIDECAR_SUFFIX)
                if hidden or child.is_dir():
                    continue
                if child.is_file() and not child.resolve().is_relative_to(root):
                    # a folder's links stay inside it (a stray link must not index /etc/passwd)
                    skipped.append((child, "link to a file outside the folder (name that file)"))
                elif child.is_file():
                    add(child)
                elif child.is_symlink() and not child.exists():
                    skipped.append((child, "broken link"))
                else:
                    skipped.append((child, "not a regular file"))
        else:
            add(path)
    return files, skipped


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata from ``NAME.meta.json`` or ``STEM.meta.json`` next to ``path`` (first found)."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if not candidate.is_file():
            continue
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SkipFile(f"invalid metadata sidecar {candidate.name}: {exc}") from exc
        if not isinstance(data, dict):
            raise SkipFile(f"invalid metadata sidecar {candidate.name}: not a JSON object")
        odd = sorted(k for k, v in data.items() if _known_key(k) and not _scalars(v))
        if odd:  # {"title": {"x": 1}} was stored as the title "{'x': 1}"
            raise SkipFile(
                f"invalid metadata sidecar {candidate.name}: {', '.join(odd)} must be text"
            )
        return normalize_meta(data)
    return {}


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Main text of an HTML page (paragraphs separated by blank lines) and its metadata."""
    import trafilatura

    body = trafilatura.extract(_tree(html), output_format="txt", include_comments=False)
    if not body:
        body = trafilatura.extract(_tree(html), output_format="txt", favor_recall=True) or ""
    text = "\n\n".join(line.strip() for line in body.splitlines() if line.strip())
    meta: dict[str, Any] = {}
    found = trafilatura.extract_metadata(html, extensive=False)
    if found is not None:
        meta = {
            "title": found.title,
            "author": found.author,
            "url": found.url,
            "published": found.date,
            "source": found.sitename,
        }
    sitename = str(meta.get("source") or "").strip()
    if not sitename or ("." in sitename and " " not in sitename):  # none, or only a domain
        from ingest.metadata import outlet_from_url

        domain = outlet_from_url(sitename if "//" in sitename else f"https://{sitename}")
        meta["source"] = html_publisher(html) or (domain if sitename else "")
    return text, normalize_meta(meta)


def _tree(html: str) -> Any:
    """The page parsed without libxml2's depth limit: past 255 nested elements the default
    parser drops the rest of the page, and an article nested that deep lost its text without a
    word (a probe's upload kept only its lead). The page as text when it does not parse."""
    import lxml.html

    try:
        return lxml.html.fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (ValueError, lxml.etree.ParserError):
        return html


def _ld_publisher(data: Any) -> str | None:
    """``publisher.name`` (or a plain ``publisher`` string) anywhere in JSON-LD data."""
    if isinstance(data, list):
        return next((name for item in data if (name := _ld_publisher(item))), None)
    if not isinstance(data, dict):
        return None
    publisher = data.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return str(publisher["name"])
    if isinstance(publisher, str) and not publisher.startswith(("http://", "https://")):
        return publisher
    return _ld_publisher(data.get("@graph"))


def html_publisher(html: str) -> str | None:
    """The publisher an HTML page declares: ``og:site_name``/``publisher`` meta or JSON-LD."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for name in ("og:site_name", "publisher", "application-name"):
        for value in root.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
            if str(value).strip() and not str(value).startswith(("http://", "https://")):
                return str(value).strip()
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        try:
            found = _ld_publisher(json.loads(script))
        except (ValueError, RecursionError):  # malformed, or nested past the recursion limit
            continue
        if found and found.strip():
            return found.strip()
    return None


def pdf_to_text(data: bytes) -> str:
    """Text of every page of a PDF, pages separated by blank lines; raises SkipFile."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for broken files
        raise SkipFile(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise SkipFile("no text in PDF")
    return text


def load_file(path: Path, max_bytes: int) -> RawDocument:
    """Read one file into a RawDocument; raises SkipFile(reason) when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"unknown type {suffix or '(no suffix)'}")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or device would block or never end
            raise SkipFile("not a regular file")
        size = info.st_size
        if size > max_bytes:
            raise SkipFile(f"over the {max_bytes}-byte limit ({size} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"unreadable file ({exc.strerror or exc})") from exc
    raw = load_bytes(path.name, data, max_bytes)
    raw.meta.update(read_sidecar(path))
    return RawDocument(str(path), raw.text, raw.kind, raw.meta)


def load_bytes(name: str, data: bytes, max_bytes: int) -> RawDocument:
    """Read a file's content (an upload, or a file on disk) by the type its ``name`` ends with.

    Raises SkipFile(reason) for an unknown type, empty or oversized content, or no text.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"unknown type {suffix or '(no suffix)'}")
    if not data.strip():
        raise SkipFile("empty file")
    if len(data) > max_bytes:
        raise SkipFile(f"over the {max_bytes}-byte limit ({len(data)} bytes)")
    kind = _KIND[suffix]
    meta: dict[str, str] = {}
    with unreadable_skipped(f"the {kind} file"):
        if kind == "pdf":
            text = pdf_to_text(data)
        else:
            text = decode_text(data, html=kind == "html")
            if kind == "html":
                text, meta = html_to_text(text)
            else:
                text, meta = split_front_matter(text)
    if not text.strip():
        raise SkipFile("no text" if kind == "html" else "empty file")
    return RawDocument(name, text, kind, meta)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


# the encodings of the WHATWG Encoding Standard (what a browser reads a page's charset as) that
# Python has, by Python's canonical codec name: a page may declare one of these, not any codec
_WEB_CODECS = {
    codecs.lookup(label).name
    for label in (
        "utf-8", "utf-16-le", "utf-16-be", "ascii", "latin-1", "cp866", "koi8-r", "koi8-u",
        "mac-roman", "mac-cyrillic", "cp874", "gbk", "gb18030", "big5", "euc-jp",
        "iso2022-jp", "shift-jis", "euc-kr",
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        *(f"cp{n}" for n in range(1250, 1259)),
    )
}  # fmt: skip


def decode_text(data: bytes, html: bool = False) -> str:
    """Text of a file: by its byte-order mark, else UTF-8, else (HTML) the charset its ``<meta>``
    declares; nothing is guessed. Raises SkipFile."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise SkipFile(f"not valid {encoding} text despite its byte-order mark") from exc
    if b"\x00" in data:
        raise SkipFile("binary content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(data[:4096]) if html else None
    if declared is None:
        raise SkipFile("not UTF-8 text (and no byte-order mark or declared charset)")
    name = declared.group(1).decode("ascii", "replace")
    try:
        codec = codecs.lookup(name).name
        if codec not in _WEB_CODECS:  # "unicode_escape" would decode "\\u0041" in the text
            raise SkipFile(f"not UTF-8 text, and its declared charset {name!r} is no web encoding")
        return data.decode(codec)
    except LookupError:
        raise SkipFile(f"not UTF-8 text, and its declared charset {name!r} is unknown") from None
    except UnicodeDecodeError:
        raise SkipFile(f"not valid {name} text, the charset it declares") from None


def load_content(
    text: str | None = None, html: str | None = None, meta: dict[str, str] | None = None
) -> RawDocument:
    """A RawDocument from API input: exactly one of ``text`` or ``html``; raises BadRequest."""
    if (text is None) == (html is None):
        raise BadRequest("give exactly one of text or html")
    content = text if text is not None else html
    assert content is not None
    if not content.strip():
        raise BadRequest("empty " + ("text" if text is not None else "html"))
    if html is not None:
        try:
            with unreadable_skipped("the html"):
                body, found = html_to_text(html)
        except SkipFile as exc:
            raise BadRequest(exc.reason) from exc
        if not body.strip():
            raise BadRequest("no article text found in the HTML")
    else:
        body, found = split_front_matter(content)
        if not body.strip():
            raise BadRequest("empty text")
    found.update(normalize_meta(dict(meta or {})))
    return RawDocument("", body, "api", found)
