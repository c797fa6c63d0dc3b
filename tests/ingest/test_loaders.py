"""Loaders: discovery, every supported type, and each reason a file is skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    RawDocument,
    SkipFile,
    discover,
    load_content,
    load_file,
)
from newsqa.errors import BadRequest

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"
LIMIT = 5_000_000

HTML = """<!DOCTYPE html><html><head><title>Kyiv weighs drone plan - Example News</title>
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="Example News">
<meta property="og:title" content="Kyiv weighs drone plan">
<meta property="article:published_time" content="2025-09-03T08:00:00Z">
<link rel="canonical" href="https://www.example.com/news/kyiv-drones"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<header><div class="menu">Skip to content</div></header>
<article><h1>Kyiv weighs drone plan</h1>
<p>Ukraine is preparing a new plan to expand drone production, officials said on Wednesday.
The plan would double output by next year.</p>
<p>"We will build more," the minister said. He gave no figures for the budget.</p>
</article>
<footer><p>Copyright 2025 Example News. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li></ul></footer>
</body></html>"""


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF showing ``lines`` in Helvetica."""
    shown = " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    content = f"BT /F1 12 Tf 72 720 Td 14 TL {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return out + f"startxref\n{xref}\n%%EOF\n".encode()


def skip_reason(path: Path, max_bytes: int = LIMIT) -> str:
    with pytest.raises(SkipFile) as caught:
        load_file(path, max_bytes)
    return caught.value.reason


# --- discover ---------------------------------------------------------------------------


def test_discover_expands_directories_recursively_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ["z.txt", "a.md", "b/c.html", "b/deep/d.pdf", "b/e.HTM", "notes.docx", "x"]:
        (tmp_path / name).write_text("text")
    (tmp_path / "a.md.meta.json").write_text("{}")
    (tmp_path / "a.meta.json").write_text("{}")
    (tmp_path / ".secret.txt").write_text("text")
    (tmp_path / ".hidden" / "f.txt").write_text("text")
    files, skipped = discover([tmp_path])
    rel = [str(path.relative_to(tmp_path)) for path in files]
    assert rel == ["a.md", "b/c.html", "b/deep/d.pdf", "b/e.HTM", "z.txt"]
    reasons = {path.name: reason for path, reason in skipped}
    assert reasons == {"notes.docx": "unknown type .docx", "x": "unknown type (no suffix)"}


def test_discover_explicit_files_keep_order_and_dedupe(tmp_path: Path) -> None:
    first, second = tmp_path / "b.txt", tmp_path / "a.txt"
    first.write_text("one")
    second.write_text("two")
    files, skipped = discover([first, second, first, tmp_path])
    assert files == [first, second]
    assert skipped == []


def test_discover_missing_path_is_bad_request(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(BadRequest, match="no such file or directory: .*nope"):
        discover([missing])


def test_discover_real_articles() -> None:
    files, skipped = discover([ARTICLES])
    assert [path.name[:3] for path in files] == ["000", "001", "002", "003", "004"]
    assert skipped == []
    assert ".pdf" in SUPPORTED_SUFFIXES


# --- text files ---------------------------------------------------------------------------


def test_load_real_txt() -> None:
    path = ARTICLES / "000_8e13f5cac5798695.txt"
    raw = load_file(path, LIMIT)
    assert isinstance(raw, RawDocument)
    assert raw.kind == "txt"
    assert raw.path == str(path)
    assert raw.meta == {}
    assert raw.text == path.read_text(encoding="utf-8")


def test_markdown_front_matter_is_stripped_and_read(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        '---\ntitle: "Drones in Kyiv"\nsource: Example News\ndate: 2025-09-03\n'
        "tags: [a, b]\nauthor: Jane Roe\n---\n# Drones in Kyiv\n\nUkraine builds drones.\n",
        encoding="utf-8",
    )
    raw = load_file(path, LIMIT)
    assert raw.kind == "md"
    assert raw.text.startswith("# Drones in Kyiv")
    assert "---" not in raw.text
    assert raw.meta == {
        "title": "Drones in Kyiv",
        "source": "Example News",
        "published": "2025-09-03",
        "author": "Jane Roe",
    }


def test_sidecar_both_names_and_override(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("---\ntitle: From front matter\nauthor: A\n---\nBody text here.\n")
    (tmp_path / "story.meta.json").write_text(json.dumps({"title": "Stem sidecar", "x": 1}))
    assert load_file(path, LIMIT).meta == {"title": "Stem sidecar", "author": "A"}
    url = "https://example.org/story"
    (tmp_path / "story.txt.meta.json").write_text(json.dumps({"title": "Full", "url": url}))
    assert load_file(path, LIMIT).meta == {"title": "Full", "url": url, "author": "A"}
    (tmp_path / "story.txt.meta.json").write_text(json.dumps({"title": "Full", "url": "u"}))
    assert "url" not in load_file(path, LIMIT).meta  # no web address: not stored


def test_invalid_sidecar_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Body text here.")
    (tmp_path / "story.txt.meta.json").write_text("{not json")
    assert skip_reason(path).startswith("invalid metadata sidecar story.txt.meta.json")
    odd = {"title": {"x": 1}, "authors": [{"name": "A"}], "tags": [{"x": 1}]}  # tags: unknown
    (tmp_path / "story.txt.meta.json").write_text(json.dumps(odd))
    assert skip_reason(path) == (
        "invalid metadata sidecar story.txt.meta.json: authors, title must be text"
    )


# --- html and pdf ---------------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    raw = load_file(path, LIMIT)
    assert raw.kind == "html"
    assert "Ukraine is preparing a new plan to expand drone production" in raw.text
    assert '"We will build more," the minister said.' in raw.text
    for chrome in ("Home", "Sport", "Privacy policy", "All rights reserved", "Skip to content"):
        assert chrome not in raw.text
    paragraphs = raw.text.split("\n\n")
    assert len(paragraphs) >= 3 and all(p.strip() == p and p for p in paragraphs)
    assert raw.meta["title"] == "Kyiv weighs drone plan"
    assert raw.meta["author"] == "Jane Roe"
    assert raw.meta["source"] == "Example News"
    assert raw.meta["published"] == "2025-09-03"
    assert raw.meta["url"] == "https://www.example.com/news/kyiv-drones"


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><body><nav></nav></body></html>")
    assert skip_reason(path) == "no text"


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf(["Drones in Kyiv", "Ukraine doubled its drone output (again)."]))
    raw = load_file(path, LIMIT)
    assert raw.kind == "pdf"
    assert "Ukraine doubled its drone output (again)." in raw.text


def test_broken_pdf_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    assert skip_reason(path).startswith("unreadable PDF")
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(make_pdf([]))
    assert skip_reason(blank) == "no text in PDF"


# --- skipped files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n\t\n", "empty file"),
        ("only-front-matter.md", b"---\ntitle: x\n---\n\n", "empty file"),
        ("binary.txt", b"abc\x00\x01\x02def", "binary content"),
        (
            "latin1.txt",
            "Caf\u00e9 au lait, na\u00efve".encode("latin-1"),
            "not UTF-8 text (and no byte-order mark or declared charset)",
        ),
        (
            "page.html",
            b'<meta charset="klingon"><p>Caf\xe9</p>',
            "not UTF-8 text, and its declared charset 'klingon' is unknown",
        ),
        ("report.docx", b"PK\x03\x04", "unknown type .docx"),
        (  # a codec that exists but decodes nothing raised UnicodeError: a 500 and a lost run
            "undefined.html",
            b'<meta charset="undefined"><p>Caf\xe9 au lait</p>',
            "not UTF-8 text, and its declared charset 'undefined' is no web encoding",
        ),
        (  # a Python codec, not a web charset: it decoded "\u0041" in the text as "A"
            "escapes.html",
            b'<meta charset="unicode_escape"><p>Caf\xe9 \\u0041</p>',
            "not UTF-8 text, and its declared charset 'unicode_escape' is no web encoding",
        ),
    ],
)
def test_skip_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert skip_reason(path) == reason


def test_oversized_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 30)
    assert skip_reason(path, max_bytes=100) == "over the 100-byte limit (150 bytes)"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHello there.".encode())
    assert load_file(path, LIMIT).text == "Hello there."


def test_byte_order_marks_and_declared_charsets_decode(tmp_path: Path) -> None:
    text = "The ferry to \u00c6r\u00f8sk\u00f8bing leaves at nine."
    for encoding in ("utf-16", "utf-32"):  # both write their byte-order mark
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        assert load_file(path, LIMIT).text == text
    page = tmp_path / "latin.html"
    page.write_bytes(
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        b"<title>Z\xfcrich</title></head><body><article><p>"
        + f"{text} The caf\u00e9 in Z\u00fcrich opened a terrace on Monday.".encode(
            "latin-1", "replace"
        )
        + b"</p></article></body></html>"
    )
    raw = load_file(page, LIMIT)
    assert "caf\u00e9 in Z\u00fcrich" in raw.text and raw.meta.get("title") == "Z\u00fcrich"
    # no declaration: nothing is guessed
    page.write_bytes(b"<html><body><p>Caf\xe9 in Z\xfcrich.</p></body></html>")
    assert skip_reason(page).startswith("not UTF-8 text")


def test_pipes_and_broken_links_are_skipped_with_reasons(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("A real article.")
    os.mkfifo(folder / "pipe.txt")
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "same.txt").symlink_to(folder / "ok.txt")  # inside: the same article, once
    outside = tmp_path / "private.txt"
    outside.write_text("Not an article of this folder.")
    (folder / "away.txt").symlink_to(outside)
    files, skipped = discover([folder])
    assert [f.name for f in files] == ["ok.txt"]
    assert sorted((p.name, why) for p, why in skipped) == [
        ("away.txt", "link to a file outside the folder (name that file)"),
        ("gone.txt", "broken link"),
        ("pipe.txt", "not a regular file"),
    ]
    assert [f.name for f in discover([folder / "away.txt"])[0]] == ["away.txt"]  # named: read
    from ingest.pipeline import display_path

    # the skipped link is shown by its own name, not its target's (/etc/passwd in a probe)
    assert display_path(folder / "away.txt", follow_links=False).endswith("in/away.txt")
    assert skip_reason(folder / "pipe.txt") == "not a regular file"  # named on its own: no hang


# --- API content --------------------------------------------------------------------------------


def test_load_content_text_and_meta() -> None:
    raw = load_content(text="Body of the story.", meta={"source": "UNN", "colour": "red"})
    assert (raw.path, raw.kind, raw.text) == ("", "api", "Body of the story.")
    assert raw.meta == {"source": "UNN"}


def test_load_content_html() -> None:
    raw = load_content(html=HTML, meta={"title": "Given title"})
    assert raw.kind == "api"
    assert "He gave no figures for the budget." in raw.text
    assert raw.meta["title"] == "Given title"
    assert raw.meta["author"] == "Jane Roe"


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"text": "a", "html": "<p>a</p>"}, {"text": "  \n"}, {"html": ""}, {"html": "<p></p>"}],
)
def test_load_content_rejects_bad_input(kwargs: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        load_content(text=kwargs.get("text"), html=kwargs.get("html"))


BODY = "<body><article><p>" + "Ships waited for days outside the harbour. " * 8 + "</p></article>"


@pytest.mark.parametrize(
    ("head", "source"),
    [
        ('<meta content="Harbour Daily" name="publisher">', "Harbour Daily"),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
            '"publisher": {"@type": "Organization", "name": "Fjord Times"}}]}</script>',
            "Fjord Times",
        ),
        ('<link rel="canonical" href="https://news.fjordtimes.co.uk/a">', "fjordtimes.co.uk"),
        ('<meta name="publisher" content="https://example.com/">', "example.com"),
        ("", None),
    ],
)
def test_html_outlet_from_metadata(head: str, source: str | None) -> None:
    raw = load_content(html=f"<html><head><title>T</title>{head}</head>{BODY}</body></html>")
    from ingest.cleaning import clean_text
    from ingest.metadata import extract_metadata

    got = extract_metadata(raw, clean_text(raw.text)).source
    assert got == (source or "unknown")


def test_json_ld_nested_past_the_recursion_limit_is_no_publisher(tmp_path: Path) -> None:
    """It raised RecursionError out of the loader (a 500 on upload, a traceback and nothing
    indexed from the folder on ingest); the page is read without it."""
    path = tmp_path / "deep.html"
    path.write_text(
        '<html><head><title>Bridge</title><script type="application/ld+json">'
        + "[" * 5000
        + "]" * 5000
        + "</script></head><body><p>The council approved the new bridge on Monday after a long"
        " debate about its cost.</p></body></html>",
        encoding="utf-8",
    )
    raw = load_file(path, LIMIT)
    assert "council approved the new bridge" in raw.text


def test_any_parser_error_skips_the_file_with_its_reason(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ingest.loaders as loaders

    def broken(text: str) -> tuple[str, dict[str, str]]:
        raise RuntimeError("parser fell over\nsecond line")

    monkeypatch.setattr(loaders, "html_to_text", broken)
    path = tmp_path / "page.html"
    path.write_text("<p>Some text here.</p>", encoding="utf-8")
    assert skip_reason(path) == "the html file could not be read (RuntimeError: parser fell over)"


def test_an_article_nested_past_255_elements_is_read_whole(tmp_path: Path) -> None:
    """libxml2's default parser stops at 255 levels: a probe's page kept only its lead."""
    lead = "<p>Breaking: the council approved the new bridge on Monday after a long debate.</p>"
    body = "<p>The bridge will cost 42 million euros and open in 2027, the council said.</p>"
    path = tmp_path / "deep.html"
    path.write_text(f"<html><body>{lead}{'<div>' * 300}{body}{'</div>' * 300}</body></html>")
    text = load_file(path, LIMIT).text
    assert "approved the new bridge" in text and "42 million euros" in text
