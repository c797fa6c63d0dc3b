"""Metric functions on hand-made responses."""

from __future__ import annotations

import math
from typing import Any

import pytest

from eval.judges import LexicalJudge
from eval.metrics import (
    Span,
    citation_scores,
    fact_present,
    hit_contains,
    key_fact_recall,
    locate_quote,
    percentile,
    quote_ranks,
    refusal_scores,
    retrieval_scores,
    token_f1,
)

DOC = "Alpha one. Kyiv plans to buy up to 150 Gripen fighters. Germany refused to send Taurus."


def test_locate_quote_and_containment() -> None:
    span = locate_quote("up to 150 Gripen fighters", ["other", "d1"], {"d1": DOC})
    assert span == Span(
        "d1", DOC.index("up to"), DOC.index("up to") + 25, "up to 150 Gripen fighters"
    )
    assert locate_quote("not there", ["d1"], {"d1": DOC}) is None
    # text containment, span overlap >= 50 %, wrong document, too little overlap
    assert hit_contains({"doc_id": "d1", "text": "plans to buy up to 150 Gripen fighters."}, span)
    assert hit_contains({"doc_id": "d1", "text": "x", "start": span.start + 10, "end": 999}, span)
    assert not hit_contains({"doc_id": "d2", "text": DOC, "start": 0, "end": 999}, span)
    assert not hit_contains({"doc_id": "d1", "text": "x", "start": span.end - 5, "end": 999}, span)


def test_retrieval_scores() -> None:
    golds = [Span("d1", 0, 10, "aaaaaaaaaa"), Span("d2", 0, 5, "bbbbb"), None]
    hits = [
        {"doc_id": "d9", "text": "zzz"},
        {"doc_id": "d2", "text": "xx bbbbb yy"},
        {"doc_id": "d3", "text": "q"},
        {"doc_id": "d1", "text": "aaaaaaaaaa"},
    ]
    ranks = quote_ranks(golds, hits)
    assert ranks == [4, 2, None]
    scores = retrieval_scores(ranks, ks=(1, 3, 5))
    assert scores["hit@1"] == 0 and scores["hit@3"] == 1 and scores["hit@5"] == 1
    assert scores["recall@3"] == pytest.approx(1 / 3) and scores["recall@5"] == pytest.approx(2 / 3)
    assert scores["mrr"] == 0.5
    assert retrieval_scores([None])["mrr"] == 0.0


@pytest.mark.parametrize(
    ("fact", "answer", "present"),
    [
        ("150", "It plans to buy up to 150 jets.", True),
        ("150", "It plans to buy 1500 jets.", False),
        ("15", "It plans to buy 150 jets.", False),
        ("1 billion", "about $1 billion a month", True),
        ("95 billion", "roughly $95 billion", True),
        ("10%|10 percent", "10 percent of its land", True),
        ("six hundred|600", "Six hundred employees", True),
        ("Hetmanchuk|Getmanchuk", "said Alyona Getmanchuk.", True),
        ("Kuleba", "Foreign Minister Dmytro Kulebain the Post", True),
        ("F-35", "Typhoon and F-35 aircraft", True),
        ("Lviv", "near Kyiv", False),
    ],
)
def test_fact_present(fact: str, answer: str, present: bool) -> None:
    assert fact_present(fact, answer) is present


def test_key_fact_recall_and_f1() -> None:
    assert key_fact_recall("Macron hosted it.", ["Macron", "Starmer"]) == (0.5, ["Starmer"])
    assert key_fact_recall("anything", []) == (1.0, [])
    assert token_f1("Up to 150 fighters [1].", "up to 150 fighters") == 1.0
    assert token_f1("nothing shared", "up to 150") == 0.0


def test_alce_citation_recall_and_precision() -> None:
    passages = {
        1: "Kyiv plans to buy up to 150 Gripen fighters.",
        2: "Germany refused to send Taurus missiles.",
        3: "Kyiv plans to buy Gripen fighters, up to 150 of them.",
    }
    sentences: list[dict[str, Any]] = [
        # supported by [1]; [2] is irrelevant (alone no, and [1] suffices without it)
        {"text": "Kyiv plans to buy up to 150 Gripen fighters [1][2].", "citations": [1, 2]},
        # supported jointly and by each alone: both precise
        {"text": "Kyiv plans to buy up to 150 Gripen fighters.", "citations": [1, 3]},
        # cited but wrong number: not recalled, its citation not precise
        {"text": "Kyiv plans to buy up to 300 Gripen fighters.", "citations": [1]},
        # no citation at all: not recalled
        {"text": "Germany refused to send Taurus missiles.", "citations": []},
    ]
    scores = citation_scores(sentences, passages, LexicalJudge())
    assert (scores["recall_num"], scores["recall_den"]) == (2, 4)
    assert (scores["precision_num"], scores["precision_den"]) == (3, 5)
    assert [s["precise"] for s in scores["sentences"]] == [[True, False], [True, True], [False], []]


def test_refusal_scores() -> None:
    gold = [True, True, True, False, False]
    pred = [True, False, True, False, True]  # one false refusal, one answered unanswerable
    s = refusal_scores(gold, pred)
    assert s["refusal_precision"] == 0.5 and s["refusal_recall"] == 0.5
    assert s["refusal_accuracy"] == pytest.approx(3 / 5)
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)
    assert refusal_scores([True], [True])["refusal_precision"] == 1.0
    # a set of one kind of question: the other kind's rate is undefined (n/a), not 0 or 1
    assert math.isnan(refusal_scores([False], [False])["false_refusal_rate"])
    assert math.isnan(refusal_scores([True], [True])["refusal_recall"])


def test_percentile() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([5], 95) == 5
    assert math.isnan(percentile([], 50))
    assert percentile(list(range(101)), 95) == 95
