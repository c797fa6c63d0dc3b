"""The evaluation question set and the labelled judge pairs (``data/eval/*.jsonl``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.cleaning import normalize


def as_indexed(quote: str) -> str:
    """A gold quote as ingest stores its text (quotes straightened, runs of whitespace, a
    no-break space included, made one space), so that it is found verbatim in the index."""
    return " ".join(normalize(quote).split())


QUESTION_TYPES = (
    "single_fact",
    "number",
    "who",
    "when",
    "where",
    "why",
    "multi_part",
    "list",
    "cross_article",
    "unanswerable",
)
PAIR_KINDS = (
    "supported",
    "negation",
    "changed_number",
    "swapped_entity",
    "wrong_speaker",
    "added_cause",
    "extra_detail",
    # the seed pairs' older names
    "swapped_name",
    "unsupported_claim",
)
PAIR_SPLITS = ("fit", "check")

DEFAULT_QUESTIONS = Path("data/eval/questions.jsonl")
DEFAULT_PAIRS = Path("data/eval/judge_pairs.jsonl")
DEFAULT_ARTICLES = Path("data/articles")


class DatasetError(ValueError):
    """A malformed line in a dataset file."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    type: str
    answerable: bool
    gold_answer: str = ""
    key_facts: list[str] = field(default_factory=list)
    gold_files: list[str] = field(default_factory=list)
    gold_quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JudgePair:
    id: str
    sentence: str
    passage: str
    supported: bool
    kind: str
    split: str | None = None  # "fit" (thresholds are fitted on these) or "check"
    doc: str = ""  # the article the passage comes from
    source: str = ""  # its outlet (the passage's document metadata when it is scored)


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """The objects of a JSON-lines file with their line numbers; an empty file is an error."""
    rows: list[tuple[int, dict]] = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: invalid JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: expected an object")
        rows.append((number, row))
    if not rows:
        raise DatasetError(f"{path}: no rows (one JSON object a line)")
    return rows


def load_questions(path: Path = DEFAULT_QUESTIONS) -> list[Question]:
    """Read and validate the question set."""
    out: list[Question] = []
    seen: set[str] = set()
    for number, row in _read_jsonl(path):
        where = f"{path}:{number}"
        try:
            item = Question(
                id=str(row["id"]),
                question=str(row["question"]),
                type=str(row["type"]),
                answerable=bool(row["answerable"]),
                gold_answer=str(row.get("gold_answer", "")),
                key_facts=[str(x) for x in row.get("key_facts", [])],
                gold_files=[str(x) for x in row.get("gold_files", [])],
                gold_quotes=[as_indexed(str(x)) for x in row.get("gold_quotes", [])],
            )
        except KeyError as exc:
            raise DatasetError(f"{where}: missing field {exc}") from exc
        if item.type not in QUESTION_TYPES:
            raise DatasetError(
                f"{where}: unknown type {item.type!r} (one of: {', '.join(QUESTION_TYPES)})"
            )
        if not isinstance(row["answerable"], bool):
            raise DatasetError(f"{where}: 'answerable' must be true or false (JSON), not a string")
        if item.id in seen:
            raise DatasetError(f"{where}: duplicate id {item.id!r}")
        if item.answerable == (item.type == "unanswerable"):
            raise DatasetError(f"{where}: 'answerable' disagrees with type {item.type!r}")
        lacking = [
            key
            for key, value in (
                ("key_facts", item.key_facts),
                ("gold_files", item.gold_files),
                ("gold_quotes", item.gold_quotes),
            )
            if not value
        ]
        if item.answerable and lacking:
            raise DatasetError(
                f"{where}: an answerable question needs {', '.join(lacking)} (non-empty lists)"
            )
        seen.add(item.id)
        out.append(item)
    return out


def load_judge_pairs(path: Path = DEFAULT_PAIRS) -> list[JudgePair]:
    """Read the labelled (sentence, passage, supported?) pairs."""
    out: list[JudgePair] = []
    for number, row in _read_jsonl(path):
        try:
            pair = JudgePair(
                id=str(row.get("id", f"p{number:03d}")),
                sentence=str(row["sentence"]),
                passage=str(row["passage"]),
                supported=bool(row["supported"]),
                kind=str(row["kind"]),
                split=str(row["split"]) if row.get("split") is not None else None,
                doc=str(row.get("doc", "")),
                source=str(row.get("source", "")),
            )
        except KeyError as exc:
            raise DatasetError(f"{path}:{number}: missing field {exc}") from exc
        if pair.kind not in PAIR_KINDS or pair.supported != (pair.kind == "supported"):
            raise DatasetError(f"{path}:{number}: inconsistent kind {pair.kind!r}")
        if pair.split is not None and pair.split not in PAIR_SPLITS:
            raise DatasetError(f"{path}:{number}: unknown split {pair.split!r} (fit or check)")
        out.append(pair)
    return out


def _fallback_clean(text: str) -> str:
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return re.sub(r"\s+", " ", text.translate(table))


def clean_corpus(articles_dir: Path = DEFAULT_ARTICLES) -> dict[str, str]:
    """File name -> cleaned text, exactly as the ingest pipeline cleans it."""
    try:
        from ingest.cleaning import clean_text
    except ImportError:  # pragma: no cover - only before the ingest package exists
        return {p.name: _fallback_clean(p.read_text("utf-8")) for p in _articles(articles_dir)}
    return {p.name: clean_text(p.read_text("utf-8")).text for p in _articles(articles_dir)}


def _articles(articles_dir: Path) -> list[Path]:
    return sorted(Path(articles_dir).glob("*.txt"))


def missing_quotes(questions: list[Question], corpus: dict[str, str]) -> list[str]:
    """Descriptions of gold quotes not found verbatim in any of their gold files."""
    problems: list[str] = []
    for q in questions:
        for name in q.gold_files:
            if name not in corpus:
                problems.append(f"{q.id}: unknown gold file {name}")
        for quote in q.gold_quotes:
            if not any(quote in corpus.get(name, "") for name in q.gold_files):
                problems.append(f"{q.id}: quote not in corpus: {quote!r}")
    return problems
