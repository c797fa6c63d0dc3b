"""Metadata: what each real article states, explicit overrides, and the pattern helpers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.cleaning import clean_text
from ingest.loaders import RawDocument, load_content, load_file
from ingest.metadata import (
    doc_id_for,
    extract_metadata,
    find_author,
    find_source,
    first_sentence,
    is_date_line,
    parse_date,
)
from newsqa.types import DocumentMeta

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"


def meta_of(path: Path) -> DocumentMeta:
    raw = load_file(path, 5_000_000)
    return extract_metadata(raw, clean_text(raw.text))


def article(prefix: str) -> Path:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return path


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "000",
            DocumentMeta(
                title='"Steel Porcupine": Politico learns about Ukraine\'s "Plan B" for '
                "post-war defense if security guarantees prove futile",
                source="UNN",
            ),
        ),
        (
            "001",
            DocumentMeta(
                title="Fruitless discussions about 'security guarantees' for Ukraine continue.",
                source="Moon of Alabama",
                published="2025-09-04",
            ),
        ),
        (
            "002",
            DocumentMeta(
                title="Europe advocates for security promises in Ukraine, but Russia resists: "
                "INSIGHT",
                source="unknown",
            ),
        ),
        (
            "003",
            DocumentMeta(
                title="Europe weighing four security guarantee options for Ukraine "
                "\u2013 The Times",
                source="Censor.NET",
            ),
        ),
        (
            "004",
            DocumentMeta(
                title="Ukraine's Future Hangs on Security Guarantees Russia Fears Most",
                source="unknown",
                author="Stavros Atlamazoglou",
            ),
        ),
    ],
)
def test_real_articles(prefix: str, expected: DocumentMeta) -> None:
    assert meta_of(article(prefix)) == expected


def test_sidecar_overrides_extracted_values(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    shutil.copy(article("000"), path)
    sidecar = {
        "title": "Given title",
        "source": "Given Source",
        "date": "2025-09-02T10:00:00Z",
        "author": "Jane Roe",
        "url": "https://unn.ua/news/x",
    }
    (tmp_path / "story.txt.meta.json").write_text(json.dumps(sidecar))
    assert meta_of(path) == DocumentMeta(
        title="Given title",
        source="Given Source",
        url="https://unn.ua/news/x",
        published="2025-09-02",
        author="Jane Roe",
    )


def test_front_matter_overrides_and_url_domain(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        "---\nurl: https://www.example.com/a\npublished: 4 September 2025\n---\n"
        "By Jane Roe\n\nDrones are built in Kyiv, officials said on Monday.\n"
    )
    meta = meta_of(path)
    assert meta.source == "example.com"
    assert meta.published == "2025-09-04"
    assert meta.author == "Jane Roe"
    assert meta.title == "Drones are built in Kyiv, officials said on Monday."


def test_api_html_metadata() -> None:
    raw = load_content(
        html="<html><head><title>T</title><meta property='og:site_name' content='Site X'>"
        "</head><body><article><p>One real sentence about drones in Kyiv today.</p>"
        "</article></body></html>"
    )
    assert extract_metadata(raw, clean_text(raw.text)).source == "Site X"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("September 4, 2025", "2025-09-04"),
        ("Sept. 4, 2025", "2025-09-04"),
        ("4 September 2025", "2025-09-04"),
        ("4th Sep 2025", "2025-09-04"),
        ("2025-09-04T10:00:00Z", "2025-09-04"),
        ("Published 04.09.2025 at 10:00", "2025-09-04"),
        ("on 2025-02-30 or later", None),
        ("in 1994", None),
        ("August 29", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_is_date_line() -> None:
    assert is_date_line("September 4, 2025")
    assert is_date_line("Updated: Thursday, September 4, 2025 10:42")
    assert not is_date_line("On September 4, 2025 the ministers met in Kyiv to sign it.")


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Kyiv \u2022 UNN\n\nText.", "UNN"),
        ("Drones flew, Politico reports, writes UNN. More text.", "UNN"),
        ("The Times writes about this, Censor.NET reports.", "Censor.NET"),
        ("Markets fell, reports Reuters.", "Reuters"),
        ("Text.\nReprinted with permission from Moon of Alabama.", "Moon of Alabama"),
        ("Text. This article first appeared on The Conversation.", "The Conversation"),
        ("Rutte said so, according to Foggo.", "unknown"),
        ("Nothing is stated here.", "unknown"),
    ],
)
def test_find_source(text: str, source: str) -> None:
    assert find_source(text) == source


def test_find_source_url_fallback() -> None:
    assert find_source("No outlet.", "https://www.kyivindependent.com/x") == "kyivindependent.com"


def test_find_author() -> None:
    assert find_author("Title\nBy Jane Roe, Kyiv\n\nText.") == "Jane Roe"
    assert find_author("Text.\n\nAbout the Author: John Smith\n\nJohn is...") == "John Smith"
    assert find_author("Stand by me. By the way, nothing.") == ""


def test_title_falls_back_to_short_first_sentence() -> None:
    long = "Word " * 40 + "end."
    assert first_sentence("September 4, 2025\n\nShort one. Two.") == "Short one."
    shortened = first_sentence(long)
    assert len(shortened) <= 120 and shortened.endswith("\u2026")
    raw = RawDocument("", "Officials met. They talked.", "api", {})
    assert extract_metadata(raw, clean_text(raw.text)).title == "Officials met."


def test_doc_id() -> None:
    assert doc_id_for("abc") == "d_ba7816bf8f01cfea"
    assert doc_id_for("abc") == doc_id_for("abc") != doc_id_for("abd")


@pytest.mark.parametrize(
    ("text", "url", "source"),
    [
        ("HAVN (Wire Service) - Ships were late.\nMore text.", "", "Wire Service"),
        ("Ships were late.\n\u00a9 2025 Harbour Daily. All rights reserved.", "", "Harbour Daily"),
        ("Ships were late.\nCopyright 2024 Fjord Media Group", "", "Fjord Media Group"),
        ("Ships were late.\n\u00a9 All rights reserved.", "", "unknown"),
        ("Ships were late.", "https://edition.example.com/a", "example.com"),
        ("Ships were late.", "https://www.fjordtimes.co.uk/a", "fjordtimes.co.uk"),
        ("Ships were late.", "http://127.0.0.1:8000/a", "unknown"),
        ("Ships were late, the mayor said.", "", "unknown"),
    ],
)
def test_outlet_from_bylines_and_urls(text: str, url: str, source: str) -> None:
    assert find_source(text, url) == source
