"""The broad dev corpus: real articles from three sources other than the seeds, fetched offline.

Everything comes out of one PyPI package, gensim's wheel, whose test data holds
- ``lee.cor``: 50 ABC (Australian Broadcasting Corporation) news articles from the Lee, Pincombe
  & Welsh (2005) document-similarity corpus;
- ``mini_newsgroup``: 200 Usenet posts of the 20 Newsgroups corpus (alt.atheism and sci.space);
- a shortened English Wikipedia dump (about 100 full articles, CC BY-SA).

``lee_background.cor`` is deliberately never read: it is reserved for an independent check.

Nothing third-party is committed: ``make dev-data`` runs this module, which downloads the wheel
with pip (from the package registry, as CI can), extracts those three files and writes one
``.txt`` with a ``.meta.json`` sidecar per article into ``data/dev/articles/``. The selection is
deterministic, so the committed questions in ``data/dev/`` always refer to the same files.
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import io
import json
import pickle
import re
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

GENSIM_VERSION = "4.4.0"
TEST_DATA = "gensim/test/test_data/"
LEE = TEST_DATA + "lee.cor"
NEWSGROUPS = TEST_DATA + "mini_newsgroup"
WIKI = TEST_DATA + "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
RESERVED = TEST_DATA + "lee_background.cor"  # the independent check's: never read

DEV_DIR = Path("data/dev")
ARTICLES_DIR = DEV_DIR / "articles"
CACHE_DIR = DEV_DIR / ".cache"

USENET_COUNT = 60  # sci.space posts with enough original text
WIKI_COUNT = 70  # Wikipedia articles (lead and first sections)
WIKI_MAX_CHARS = 3000  # a news-article-sized extract of each Wikipedia article
USENET_MIN_CHARS = 500  # original (unquoted) text a post needs to be worth asking about


@dataclass(frozen=True)
class Article:
    name: str  # file stem, e.g. ``lee_007``
    text: str
    meta: dict[str, str]


def fetch_wheel(cache: Path = CACHE_DIR) -> Path:
    """The gensim wheel in ``cache`` (downloaded with pip, without dependencies, once)."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"gensim-{GENSIM_VERSION}-*.whl"))
    if found:
        return found[0]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["-q", "-d", str(cache), f"gensim=={GENSIM_VERSION}"]
    subprocess.run(cmd, check=True)
    found = sorted(cache.glob(f"gensim-{GENSIM_VERSION}-*.whl"))
    if not found:
        raise RuntimeError(f"pip did not leave a gensim {GENSIM_VERSION} wheel in {cache}")
    return found[0]


def _squash(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def lee_articles(raw: bytes) -> list[Article]:
    """The 50 ABC news articles, one per line."""
    lines = [ln.strip() for ln in raw.decode("latin-1").splitlines() if ln.strip()]
    out = []
    for i, line in enumerate(lines):
        text = line.replace("--", " -- ")
        text = re.sub(r"\s+", " ", text).strip()
        first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        title = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "..."
        out.append(Article(f"lee_{i:03d}", text, {"title": title, "source": "ABC News"}))
    return out


class _BunchAsDict(pickle.Unpickler):
    """Reads scikit-learn's pickled ``Bunch`` as a plain dict (no scikit-learn needed)."""

    def find_class(self, module: str, name: str):  # type: ignore[no-untyped-def]
        if module.startswith("sklearn"):
            return dict
        if module in ("copy_reg", "copyreg", "__builtin__", "builtins") or (
            module.startswith("numpy") and name in ("_reconstruct", "ndarray", "dtype", "scalar")
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")


_HEADER = re.compile(r"^([A-Za-z-]+):\s*(.*)$")
_SIGNATURE = re.compile(r"\n-- ?\n|\n_{5,}|\n-{5,}|\n={5,}")


def _usenet_post(raw: str) -> tuple[dict[str, str], str]:
    head, _, body = raw.partition("\n\n")
    headers: dict[str, str] = {}
    for line in head.splitlines():
        m = _HEADER.match(line)
        if m:
            headers[m.group(1).lower()] = m.group(2).strip()
    body = _SIGNATURE.split(body, maxsplit=1)[0]
    kept = [
        ln
        for ln in body.splitlines()
        if not ln.lstrip().startswith((">", "|", ":"))
        and not re.search(r"\b(?:writes|wrote|said):?\s*$", ln)
        and not re.match(r"^\s*In article <", ln)
    ]
    return headers, _squash("\n".join(kept))


def usenet_articles(
    raw: bytes, count: int = USENET_COUNT, group: str = "sci.space"
) -> list[Article]:
    """``group`` posts with at least ``USENET_MIN_CHARS`` of their own text, in corpus order."""
    data = _BunchAsDict(io.BytesIO(zlib.decompress(raw)), encoding="latin-1").load()
    names = data["target_names"]
    out: list[Article] = []
    for post, target in zip(data["data"], data["target"], strict=True):
        if names[target] != group:
            continue
        headers, body = _usenet_post(post)
        if len(body) < USENET_MIN_CHARS or len(body) > 6000:
            continue
        subject = re.sub(r"^(?:Re:\s*)+", "", headers.get("subject", "")).strip()
        meta = {"title": subject or f"{group} post", "source": f"Usenet {group}"}
        author = re.sub(r"^.*\((.*)\).*$", r"\1", headers.get("from", "")).strip()
        if author and "@" not in author:
            meta["author"] = author
        with contextlib.suppress(KeyError, TypeError, ValueError):
            meta["published"] = parsedate_to_datetime(headers["date"]).date().isoformat()
        out.append(Article(f"usenet_{len(out):03d}", body, meta))
        if len(out) >= count:
            break
    return out


def _wiki_plain(wikitext: str) -> str:
    import mwparserfromhell

    code = mwparserfromhell.parse(wikitext)
    for tag in code.filter_tags(recursive=False):  # <ref>, tables, galleries
        if str(tag.tag).lower() in ("ref", "table", "gallery", "math", "imagemap"):
            with contextlib.suppress(ValueError):
                code.remove(tag)
    text = code.strip_code(normalize=True, collapse=True, keep_template_params=False)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("Category:", "File:", "Image:", "thumb|", "{|", "|")):
            continue
        if re.match(r"^[=\s]+$", line):
            continue
        lines.append(line)
    return _squash("\n\n".join(lines))


def wiki_articles(raw: bytes, count: int = WIKI_COUNT) -> list[Article]:
    """The first ``count`` non-redirect articles with enough prose, cut to news-article size."""
    xml = bz2.decompress(raw).decode("utf-8")
    pages = re.findall(r"<title>(.*?)</title>.*?<text[^>]*>(.*?)</text>", xml, re.S)
    out: list[Article] = []
    for title, body in pages:
        import html

        body = html.unescape(body)
        if body.lstrip().upper().startswith("#REDIRECT") or ":" in title:
            continue
        if "disambiguation" in title.lower() or title.lower().startswith("list of"):
            continue
        text = _wiki_plain(body)
        if len(text) < 1500:
            continue
        cut = text[:WIKI_MAX_CHARS]
        end = max(cut.rfind(". "), cut.rfind(".\n"))
        text = cut[: end + 1] if end > 500 else cut
        meta = {"title": title, "source": "Wikipedia", "url": _wiki_url(title)}
        out.append(Article(f"wiki_{len(out):03d}", text, meta))
        if len(out) >= count:
            break
    return out


def _wiki_url(title: str) -> str:
    return "https://en.wikipedia.org/wiki/" + title.replace(" ", "_")


def build(wheel: Path) -> list[Article]:
    """Every dev article, from the three test-data files of the wheel."""
    with zipfile.ZipFile(wheel) as zf:
        lee, news, wiki = (zf.read(name) for name in (LEE, NEWSGROUPS, WIKI))
    return lee_articles(lee) + usenet_articles(news) + wiki_articles(wiki)


def write(articles: list[Article], out_dir: Path = ARTICLES_DIR) -> Path:
    """Write ``NAME.txt`` and ``NAME.meta.json`` per article and a manifest of their hashes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for art in articles:
        (out_dir / f"{art.name}.txt").write_text(art.text + "\n", encoding="utf-8")
        meta = json.dumps(art.meta, ensure_ascii=False, indent=1)
        (out_dir / f"{art.name}.meta.json").write_text(meta + "\n", encoding="utf-8")
        manifest[art.name] = hashlib.sha256(art.text.encode()).hexdigest()[:16]
    path = out_dir.parent / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m eval.devdata",
        description="Fetch gensim's wheel from PyPI and write the dev articles (lee.cor, "
        "mini_newsgroup, the Wikipedia sample; never lee_background.cor) to "
        f"{ARTICLES_DIR}/, or with 'split' rewrite the fit/check question files.",
    )
    parser.add_argument("action", nargs="?", choices=["fetch", "split"], default="fetch",
                        help="fetch (default): the articles; split: data/dev/{fit,check}.jsonl "
                        "from the written questions")  # fmt: skip
    if parser.parse_args(sys.argv[1:] if argv is None else argv).action == "split":
        print(write_splits())
        return
    wheel = fetch_wheel()
    articles = build(wheel)
    write(articles)
    by_source: dict[str, int] = {}
    for art in articles:
        by_source[art.meta["source"]] = by_source.get(art.meta["source"], 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in by_source.items())
    print(f"{len(articles)} dev articles ({parts}) in {ARTICLES_DIR}/")


# -- the fit / check split -----------------------------------------------------------------
QUESTION_FILES = (DEV_DIR / "questions_news.jsonl", DEV_DIR / "questions_wiki.jsonl")
FIT_SHARE = 0.6  # share of dev articles whose questions thresholds and weights may be fitted on


def split_of(key: str) -> str:
    """``fit`` or ``check`` for an article name (or a question id), stable across runs."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 1000
    return "fit" if bucket < FIT_SHARE * 1000 else "check"


def write_splits(files: tuple[Path, ...] = QUESTION_FILES, out_dir: Path = DEV_DIR) -> dict:
    """Split the written questions by article (all questions of an article go to one side).

    A question is placed by its first gold file, an unanswerable one without files by its id.
    """
    rows: dict[str, list[str]] = {"fit": [], "check": []}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            key = (row.get("gold_files") or [row["id"]])[0]
            rows[split_of(key)].append(line)
    for name, lines in rows.items():
        (out_dir / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {name: len(lines) for name, lines in rows.items()}


if __name__ == "__main__":
    main()
