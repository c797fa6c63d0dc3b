"""One LLM answer as it streams: each complete sentence verified, then kept, held or passed on.

Also what decides whether a verified sentence states or mentions the kind of thing asked for
(a number, date, person, place or name), which the LLM engines hold sentences back for.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

from newsqa.text import STOPWORDS, name_found, names, number_values
from service.answering import Draft, DraftSentence
from service.answering.answer_types import has_answer, mentions_role
from service.answering.cited import Checker, Claim, is_refusal, json_claims, text_claims
from service.answering.extractive import REFUSAL
from service.verify.entailment import SET_ASIDE


def ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000.0, 2)


def states(kind: str, text: str, question: str) -> bool:
    """Whether ``text`` states a thing of the ``kind`` asked for; a number must be one the
    question lacks, read strictly ("one of the most ..." states no number)."""
    if not has_answer(kind, text, question):
        return False
    return kind != "number" or bool(number_values(text) - number_values(question))


def mentions(kind: str, text: str, question: str) -> bool:
    """Whether ``text`` mentions anything of the ``kind`` asked that the question lacks, read
    loosely (a held-back answer errs toward being served): any new number for a number, date
    or amount; any new capitalised word, the first included, for a person, place or name, but
    a sentence that mentions the role asked about ("Which minister ...?": "the minister said")
    needs a name beside it."""
    if has_answer(kind, text, question):
        return True
    if kind in ("person", "name") and mentions_role(question, text):
        return False  # it speaks of the role asked about, with no name beside it
    if kind in ("number", "money", "date"):
        return bool(number_values(text) - number_values(question))
    first = re.match(r"[A-Z][a-z]+", text)
    found = names(text)
    if first and first.group(0).lower() not in STOPWORDS:
        found.add(first.group(0).lower())
    asked = question.lower()
    return any(not name_found(n, asked) for n in found)


class AnswerRun:
    """The state of one answer: sentences checked so far, and timings."""

    def __init__(
        self,
        engine: str,
        limit: int,
        checker: Checker,
        wanted: Callable[[str], bool] | None = None,
    ) -> None:
        self.engine = engine  # the engine's name, for the drafts
        self.checker = checker
        self.wanted = wanted  # until a verified sentence satisfies it, sentences are held back
        self.held: list[DraftSentence] = []
        self.limit = limit
        self.sentences: list[DraftSentence] = []
        self.seen: set[str] = set()
        self.done = 0
        self.refused = False
        self.verify_ms = 0.0
        self.generate_ms = 0.0

    @property
    def kept(self) -> list[DraftSentence]:
        return [s for s in self.sentences if s.supported]

    def _take(self, claims: list[Claim]) -> Iterator[DraftSentence]:
        for claim in claims[self.done :]:
            self.done += 1
            key = " ".join(claim.text.lower().split())
            if key in self.seen:  # small models pad with copies
                continue
            self.seen.add(key)
            if is_refusal(claim.text, REFUSAL):
                self.refused = self.refused or not self.sentences
                continue
            if len(self.kept) >= self.limit:
                continue
            t = time.perf_counter()
            checked = self.checker.check(claim)
            self.verify_ms += ms(t)
            self.sentences.append(checked)
            if not checked.supported:
                continue
            if self.wanted is None:
                yield checked
                continue
            self.held.append(checked)
            if self.wanted(checked.text):
                self.wanted = None
                yield from self.held

    def consume(self, chunks: Iterator[tuple[str, bool]]) -> Iterator[DraftSentence]:
        t0 = time.perf_counter()
        text, structured = "", False
        parse: Callable[[str, bool], list[Claim]] = text_claims
        for text, structured in chunks:
            parse = json_claims if structured else text_claims
            yield from self._take(parse(text, False))
        if structured and not text.lstrip().startswith(("{", "[", "`")):
            structured, parse = False, text_claims  # JSON was asked for, plain text came back
        yield from self._take(parse(text, True))
        if not self.sentences and not structured and is_refusal(text, REFUSAL):
            self.refused = True
        self.generate_ms = max(ms(t0) - self.verify_ms, 0.0)

    def _noted(self, notice: str | None) -> str | None:
        judge = self.checker.judge
        aside = SET_ASIDE if judge is not None and (judge.skipped or not judge.available) else None
        return "; ".join(filter(None, [notice, aside])) or None

    def finish(self, t0: float, notice: str | None) -> Draft:
        notice = self._noted(notice)
        draft = Draft(self.sentences, answerable=True, engine=self.engine, notice=notice)
        draft.timings_ms = self.timings(t0)
        return draft

    def timings(self, t0: float) -> dict[str, float]:
        out = {"generate": ms(t0) - self.verify_ms, "verify": self.verify_ms}
        if self.checker.judge_ms is not None:  # the judge's share of verify
            out["judge"] = self.checker.judge_ms
        return out

    def refusal(self, t0: float, notice: str) -> Draft:
        draft = Draft(
            self.sentences, answerable=False, engine=self.engine, notice=self._noted(notice)
        )
        draft.refusal = REFUSAL
        draft.timings_ms = self.timings(t0)
        return draft
