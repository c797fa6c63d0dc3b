"""Synthetic corpora for benchmarks: seed sentences recombined, places and numbers varied."""

from __future__ import annotations

import random
import re
from pathlib import Path

from ingest.chunking import split_sentences
from ingest.cleaning import clean_text

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
PLACES = ["Lviv", "Odesa", "Riga", "Gdansk", "Tallinn", "Vilnius", "Kharkiv", "Bucharest", "Oslo"]
OUTLETS = ["Daily Ledger", "Eastern Wire", "Harbour Post", "Continental Times", "Baltic Herald"]


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in sorted(ARTICLES.glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8")).text
        sentences.extend(text[a:b] for a, b in split_sentences(text) if b - a > 40)
    return sentences


def generate_corpus(count: int, out_dir: Path, paragraphs: int = 4, seed: int = 7) -> Path:
    """Write ``count`` articles (~2,000 characters each) into ``out_dir``; reuse if complete."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if len(list(out_dir.glob("*.txt"))) == count:
        return out_dir
    rng = random.Random(seed)
    pool = seed_sentences()
    for n in range(count):
        place = rng.choice(PLACES)
        body = []
        for _ in range(paragraphs):
            picked = rng.sample(pool, 3)
            text = " ".join(picked)
            text = re.sub(r"\b\d+\b", lambda m: str(int(m.group()) + rng.randint(1, 90)), text)
            body.append(text.replace("Kyiv", place, 1))
        title = f"Report {n} from {place}: {rng.choice(pool)[:60]}"
        head = f"{title}\n\n{rng.choice(OUTLETS)}\n\n"
        (out_dir / f"gen_{n:05d}.txt").write_text(head + "\n\n".join(body) + "\n", "utf-8")
    return out_dir
