"""The dev questions over a bigger index: the dev articles plus real articles no question is about.

The independent check asks its questions over an index of about 300 real articles; the dev
index holds 163. This writes a corpus of the dev articles and every other article of the same
gensim wheel that the dev set leaves out (the Wikipedia articles after the first
``WIKI_COUNT``, the sci.space posts after the first ``USENET_COUNT``, and the alt.atheism
posts), so that the dev questions can be asked with distractors beside their articles.
``lee_background.cor`` is still never read. ``make eval-distractors`` ingests it into its own
index and runs the eval on ``fit``, ``check`` and the extra unanswerable questions.

    python -m eval.distractors [--out data/dev/distractors]

A distractor may happen to answer an "unanswerable" question: those were checked by grep
against the dev articles only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import zipfile
from pathlib import Path

from eval import devdata

OUT = devdata.DEV_DIR / "distractors"


def distractor_articles(wheel: Path) -> list[devdata.Article]:
    """The wheel's articles that the dev set does not use, renamed ``x_<source>_NNN``."""
    with zipfile.ZipFile(wheel) as zf:
        news, wiki = (zf.read(name) for name in (devdata.NEWSGROUPS, devdata.WIKI))
    groups = [
        ("space", devdata.usenet_articles(news, count=10**6)[devdata.USENET_COUNT :]),
        ("atheism", devdata.usenet_articles(news, count=10**6, group="alt.atheism")),
        ("wiki", devdata.wiki_articles(wiki, count=10**6)[devdata.WIKI_COUNT :]),
    ]
    return [
        devdata.Article(f"x_{tag}_{n:03d}", a.text, a.meta)
        for tag, articles in groups
        for n, a in enumerate(articles)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="corpus folder to (re)write")
    args = parser.parse_args(argv)
    dev = devdata.ARTICLES_DIR
    if not any(dev.glob("*.txt")):
        raise SystemExit("no dev articles: run `make dev-data` first")
    extra = distractor_articles(devdata.fetch_wheel())
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    for path in dev.iterdir():
        if path.suffix in (".txt", ".json") and path.name != "manifest.json":
            shutil.copy2(path, args.out / path.name)
    for article in extra:
        (args.out / f"{article.name}.txt").write_text(article.text, encoding="utf-8")
        meta = json.dumps(article.meta, ensure_ascii=False)
        (args.out / f"{article.name}.meta.json").write_text(meta, encoding="utf-8")
    total = len(list(args.out.glob("*.txt")))
    print(f"{args.out}: {total} articles ({len(extra)} distractors)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
