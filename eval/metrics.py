"""Metric functions: retrieval, answer correctness, faithfulness, citations, refusals, latency.

Definitions:
- hit@k / recall@k / MRR: a gold quote is retrieved at rank r when the r-th hit contains it, or
  overlaps its span in the same document by at least half of the quote's characters.
- Faithfulness (RAGAS): supported statements / all statements, statements being the answer's
  sentences judged against all passages the response returned.
- Citation recall / precision (ALCE): a sentence is recalled when its citations together support
  it; a citation is precise unless the sentence is recalled with several citations, the
  citation alone does not support it and the other citations still do without it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eval.judges import Judge, strip_citations
from newsqa.wording import ATTRIBUTION_PREFIX, without_prefix

KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int
    text: str


def locate_quote(quote: str, doc_ids: Sequence[str], texts: Mapping[str, str]) -> Span | None:
    """Where a gold quote sits among the gold documents (first occurrence)."""
    for doc_id in doc_ids:
        index = texts.get(doc_id, "").find(quote)
        if index >= 0:
            return Span(doc_id, index, index + len(quote), quote)
    return None


def hit_contains(hit: Mapping[str, Any], gold: Span, min_overlap: float = 0.5) -> bool:
    """True when a retrieved chunk/citation contains the gold quote (text or span overlap)."""
    if hit.get("doc_id") != gold.doc_id:
        return False
    if gold.text and gold.text in str(hit.get("text", hit.get("quote", ""))):
        return True
    start, end = hit.get("start"), hit.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    overlap = min(end, gold.end) - max(start, gold.start)
    return overlap >= min_overlap * max(1, gold.end - gold.start)


def quote_ranks(
    golds: Sequence[Span | None], hits: Sequence[Mapping[str, Any]]
) -> list[int | None]:
    """1-based rank of the first hit holding each gold quote (None: not retrieved)."""
    ranks: list[int | None] = []
    for gold in golds:
        rank = None
        if gold is not None:
            for position, hit in enumerate(hits, 1):
                if hit_contains(hit, gold):
                    rank = position
                    break
        ranks.append(rank)
    return ranks


def retrieval_scores(ranks: Sequence[int | None], ks: Iterable[int] = KS) -> dict[str, float]:
    """hit@k, recall@k and reciprocal rank for one question."""
    found = [r for r in ranks if r is not None]
    out: dict[str, float] = {}
    for k in ks:
        out[f"hit@{k}"] = float(any(r <= k for r in found))
        out[f"recall@{k}"] = sum(r <= k for r in found) / len(ranks) if ranks else 0.0
    out["mrr"] = 1.0 / min(found) if found else 0.0
    return out


# ----------------------------------------------------------------------- answer correctness

_NORM_DROP = re.compile(r"[^\w%.\- ]+")


def _norm(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'s ", " ").replace("$", " ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = _NORM_DROP.sub(" ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return " " + " ".join(text.split()) + " "


def fact_present(fact: str, answer: str) -> bool:
    """A key fact (alternatives separated by ``|``) occurs in the answer, ignoring case/punctuation.

    Matching starts at a word boundary; numbers must also end at one (``15`` is not ``150``).
    """
    text = _norm(answer)
    for option in fact.split("|"):
        needle = _norm(option).strip()
        if not needle:
            continue
        tail = r"(?![\d])" if needle[-1].isdigit() else ""
        if re.search(r"(?<![\w])" + re.escape(needle) + tail, text):
            return True
    return False


def key_fact_recall(answer: str, key_facts: Sequence[str]) -> tuple[float, list[str]]:
    """Fraction of key facts present, and the missing ones."""
    if not key_facts:
        return 1.0, []
    missing = [f for f in key_facts if not fact_present(f, answer)]
    return 1 - len(missing) / len(key_facts), missing


def token_f1(answer: str, gold: str) -> float:
    """SQuAD-style token F1 between an answer and the gold answer."""
    a, g = _norm(strip_citations(answer)).split(), _norm(gold).split()
    if not a or not g:
        return float(a == g)
    common: dict[str, int] = {}
    for tok in g:
        common[tok] = common.get(tok, 0) + 1
    same = 0
    for tok in a:
        if common.get(tok, 0) > 0:
            same += 1
            common[tok] -= 1
    if same == 0:
        return 0.0
    precision, recall = same / len(a), same / len(g)
    return 2 * precision * recall / (precision + recall)


# ------------------------------------------------------------------ faithfulness, citations


def strip_attribution(text: str, sources: Iterable[str]) -> str:
    """Drop a leading attribution when every name in it is cited metadata.

    The forms are the service's: "According to <outlet>, ", "According to <speaker> (reported by
    <outlet>), " and "<outlet>, quoting <speaker>: ". Outlets and speakers are citation metadata
    (``source``, ``speaker``, ``reported_by``), not passage text; an attribution naming anyone
    else is left in place (and so is not supported by the passage).
    """
    match = ATTRIBUTION_PREFIX.match(text)
    if not match:
        return text
    names = [s.strip().casefold() for s in sources if s and s.strip()]
    groups = {k: v for k, v in match.groupdict().items() if k != "opener"}
    said = [g.strip().casefold() for g in groups.values() if g and g.strip()]

    def known(who: str) -> bool:
        return any(who == n or (len(n) > 3 and (n in who or who in n)) for n in names)

    if not said or not all(known(who) for who in said):
        return text
    return without_prefix(text, match)


def faithfulness(statements: Sequence[str], passages: Sequence[str], judge: Judge) -> list[str]:
    """Verdict per statement against all returned passages (RAGAS: supported / all)."""
    return [judge.verdict(s, passages) for s in statements]


def citation_scores(
    sentences: Sequence[Mapping[str, Any]], passages: Mapping[int, str], judge: Judge
) -> dict[str, Any]:
    """ALCE citation recall and precision counts for one answer.

    ``sentences``: ``{"text", "citations": [ids]}``; ``passages``: citation id -> quote text.
    Returns numerators/denominators so they can be micro-averaged, plus per-sentence detail.
    """
    recalled = total_sentences = precise = total_citations = 0
    detail: list[dict[str, Any]] = []
    for sentence in sentences:
        text = strip_citations(str(sentence.get("text", "")))
        if not text:
            continue
        ids = [i for i in dict.fromkeys(sentence.get("citations", [])) if isinstance(i, int)]
        cited = [passages.get(i, "") for i in ids]
        total_sentences += 1
        total_citations += len(ids)
        joint = bool(ids) and judge.supports(text, cited)
        recalled += joint
        needed: list[bool] = []
        if joint and len(ids) > 1:
            for index, passage in enumerate(cited):
                alone = judge.supports(text, [passage])
                rest = cited[:index] + cited[index + 1 :]
                needed.append(alone or not judge.supports(text, rest))
        else:
            needed = [joint] * len(ids)
        precise += sum(needed)
        detail.append({"text": text, "citations": ids, "recalled": joint, "precise": needed})
    return {
        "recall_num": recalled,
        "recall_den": total_sentences,
        "precision_num": precise,
        "precision_den": total_citations,
        "sentences": detail,
    }


# ------------------------------------------------------------------------ refusal, latency


def refusal_scores(gold_answerable: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Refusal (``answerable: false``) precision/recall/accuracy and false refusals."""
    pairs = list(zip(gold_answerable, predicted, strict=True))
    refused = [g for g, p in pairs if not p]
    unanswerable = sum(1 for g, _ in pairs if not g)
    answerable = len(pairs) - unanswerable
    true_refusals = sum(1 for g in refused if not g)
    false_refusals = sum(1 for g in refused if g)
    return {
        "refusal_precision": true_refusals / len(refused) if refused else 1.0,
        # undefined (n/a) for a set without unanswerable / answerable questions
        "refusal_recall": true_refusals / unanswerable if unanswerable else math.nan,
        "refusal_accuracy": sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0,
        "false_refusal_rate": false_refusals / answerable if answerable else math.nan,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN when empty."""
    data = sorted(values)
    if not data:
        return math.nan
    pos = (len(data) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def mean(values: Iterable[float]) -> float:
    data = [v for v in values if v is not None and not math.isnan(v)]
    return sum(data) / len(data) if data else math.nan
