"""The question set and the labelled judge pairs: shape, coverage and verbatim gold quotes."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval.dataset import (
    DEFAULT_ARTICLES,
    QUESTION_TYPES,
    DatasetError,
    clean_corpus,
    load_judge_pairs,
    load_questions,
    missing_quotes,
)
from tests.helpers import ROOT

QUESTIONS = ROOT / "data" / "eval" / "questions.jsonl"
PAIRS = ROOT / "data" / "eval" / "judge_pairs.jsonl"


@pytest.fixture(scope="module")
def questions():  # type: ignore[no-untyped-def]
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return clean_corpus(ROOT / DEFAULT_ARTICLES)


def test_question_set_size_and_types(questions) -> None:  # type: ignore[no-untyped-def]
    assert len(questions) >= 60
    types = Counter(q.type for q in questions)
    assert set(types) <= set(QUESTION_TYPES)
    assert types["unanswerable"] >= 15
    assert len(types) >= 6 and all(n >= 4 for n in types.values())
    assert len({q.question.lower() for q in questions}) == len(questions)


def test_every_gold_quote_is_in_the_cleaned_corpus(questions, corpus) -> None:  # type: ignore[no-untyped-def]
    assert set(corpus) == {p.name for p in (ROOT / DEFAULT_ARTICLES).glob("*.txt")}
    assert missing_quotes(questions, corpus) == []


def test_answerable_questions_have_gold_and_cross_article_spans_outlets(questions) -> None:  # type: ignore[no-untyped-def]
    for q in questions:
        if q.answerable:
            assert q.gold_answer and q.key_facts and q.gold_quotes and q.gold_files, q.id
        else:
            assert not (q.key_facts or q.gold_quotes or q.gold_files), q.id
        if q.type == "cross_article":
            assert len(set(q.gold_files)) >= 2, q.id


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_questions_paraphrase_rather_than_copy_the_articles(questions, corpus) -> None:  # type: ignore[no-untyped-def]
    """No question shares a run of 8 words with an article."""
    grams: set[tuple[str, ...]] = set()
    for text in corpus.values():
        w = _words(text)
        grams.update(tuple(w[i : i + 8]) for i in range(len(w) - 7))
    for q in questions:
        w = _words(q.question)
        copied = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if tuple(w[i : i + 8]) in grams]
        assert not copied, (q.id, copied)


def test_judge_pairs_are_balanced_and_use_real_passages(corpus) -> None:  # type: ignore[no-untyped-def]
    pairs = load_judge_pairs(PAIRS)
    assert len(pairs) >= 40
    assert sum(not p.supported for p in pairs) * 2 == len(pairs)
    kinds = Counter(p.kind for p in pairs)
    assert all(kinds[k] >= 5 for k in ("changed_number", "swapped_name", "unsupported_claim"))
    text = "\n".join(corpus.values())
    assert all(p.passage in text for p in pairs), [p.id for p in pairs if p.passage not in text]


def _row(type_: str, answerable: object) -> bytes:
    row = {"id": "x", "question": "q?", "type": type_, "answerable": answerable}
    return json.dumps(row).encode()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (_row("who", False), "disagrees"),
        (_row("when", True), "needs key_facts, gold_files, gold_quotes"),
        (_row("numbers", True), "unknown type 'numbers' \\(one of: single_fact"),
        (_row("unanswerable", "no"), "must be true or false"),
        (b"not json", "invalid JSON"),
        (b"\n  ", "no rows"),
        (b'{"id": "caf\xe9"}', "not UTF-8 text"),
    ],
)
def test_loader_rejects_inconsistent_rows(tmp_path: Path, content: bytes, match: str) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_bytes(content + b"\n")
    with pytest.raises(DatasetError, match=match):
        load_questions(bad)


def test_pairs_loader_rejects_an_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.jsonl"
    bad.write_text("\n  \n")
    with pytest.raises(DatasetError, match="no rows"):
        load_judge_pairs(bad)


def test_gold_quotes_are_read_as_ingest_stores_text(tmp_path: Path) -> None:
    from eval.dataset import as_indexed, load_questions

    assert as_indexed("for 7.2\u00a0million \u201cdollars\u201d") == 'for 7.2 million "dollars"'
    row = {"id": "a", "question": "How much?", "type": "number", "answerable": True,
           "gold_answer": "x", "key_facts": ["7.2"], "gold_files": ["f.txt"],
           "gold_quotes": ["for 7.2\u00a0million"]}  # fmt: skip
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert load_questions(path)[0].gold_quotes == ["for 7.2 million"]


def test_the_extra_unanswerable_check_is_well_formed_and_new() -> None:
    dev = ROOT / "data" / "dev"
    extra = load_questions(dev / "unanswerable_more.jsonl")
    assert len(extra) == 79 and not any(q.answerable for q in extra)
    assert all(q.type == "unanswerable" and q.question.endswith("?") for q in extra)
    written = load_questions(dev / "fit.jsonl") + load_questions(dev / "check.jsonl")
    assert not {q.id for q in extra} & {q.id for q in written}  # a set of its own
    assert not {q.question.lower() for q in extra} & {q.question.lower() for q in written}
    assert len({q.id for q in extra}) == len(extra)
