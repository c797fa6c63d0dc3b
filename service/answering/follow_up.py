"""A follow-up question read with what it refers back to (the extractive engine's
``standalone``): the previous question's key terms, the names its answer gave, a new subject in
the place of the old one ("What about France?"), or the claim a "Who said that?" asks about.
"""

from __future__ import annotations

import re

from newsqa.text import STOPWORDS, content_stems, names, split_sentences, strip_markers
from newsqa.wording import ATTRIBUTION_PREFIX, without_prefix
from service.answering import REFUSAL
from service.answering.compose import is_follow_up
from service.schemas import Turn

FOLLOW_UP_NAMES = 4  # names of the previous answer a follow-up question is read with

# "What about France?", "How about the UK?", "And Germany?": the same question of a new subject
_NEW_SUBJECT = re.compile(
    r"^\W*(?i:(?:and\s+)?(?:what|how)\s+about|and)\s+(?i:the\s+)?[A-Z][^?]{0,40}\?*\s*$"
)


# "Who said that?", "And who says so?", "who claimed this": who makes the last answer's claim
# ("Who wrote it?" asks for an author: not this)
_WHO_SAID = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?who\s+(?:said|says|claimed|claims|argued|argues|stated"
    r"|states)\s+(?:that|this|it|so)\W*$",
    re.IGNORECASE,
)


def _first_claim(answer: str) -> str:
    """The first sentence of an earlier answer, without its markers, its attribution and its
    final stop (what a "Who said that?" asks about)."""
    first = next((answer[s:e] for s, e in split_sentences(strip_markers(answer))), "")
    match = ATTRIBUTION_PREFIX.match(first)
    if match:
        first = without_prefix(first, match)
    return first.strip().rstrip(".!?").strip()


def answer_names(answer: str) -> list[str]:
    """Capitalised words inside an answer's sentences, in order (not its attributions)."""
    if answer.strip() == REFUSAL:
        return []
    out: list[str] = []
    for start, end in split_sentences(strip_markers(answer)):
        sentence = ATTRIBUTION_PREFIX.sub("", strip_markers(answer)[start:end])
        for word in re.findall(r"[A-Za-z][A-Za-z'-]+", sentence)[1:]:
            if word[0].isupper() and word.lower() not in STOPWORDS and word not in out:
                out.append(word)
    return out


def standalone(question: str, history: list[Turn], test: bool = True) -> str:
    """The question with what it refers back to: the key terms of the previous question
    that it lacks, and the names its answer gave ("Which jets?" → "Gripen"). With ``test``
    (``NEWSQA_FOLLOW_UP_TEST``) a question that does not point back is read alone."""
    turns = [t for t in history if t.role in ("user", "assistant") and t.content.strip()]
    if turns and turns[-1].role == "user" and turns[-1].content.strip() == question.strip():
        turns = turns[:-1]
    asked = [i for i, t in enumerate(turns) if t.role == "user"]
    if not asked or (test and not is_follow_up(question)):
        return question  # a new subject: read alone
    previous = turns[asked[-1]].content
    answer = " ".join(t.content for t in turns[asked[-1] + 1 :] if t.role == "assistant")
    claim = _first_claim(answer)
    if claim and _WHO_SAID.match(question):  # "Who said that?": who says the answer's claim
        return f"Who said that {claim}?"
    have = set(content_stems(question))
    extra: list[str] = []
    # "What about France?" after a question about the United States: a new subject in
    # the place of the previous one, whose names are not carried over
    swap = _NEW_SUBJECT.match(question) and names(question) - names(previous)
    replaced = names(previous) if swap else set()
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*", previous):
        if word.lower() in replaced:
            continue
        stems = content_stems(word) or ([word] if word[0].isdigit() else [])
        if stems and stems[0] not in have and word not in extra:
            have.add(stems[0])
            extra.append(word)
    if not extra:  # nothing to carry over from the question: the names its answer gave
        for name in answer_names(answer)[:FOLLOW_UP_NAMES]:
            stems = content_stems(name)
            if stems and stems[0] not in have:
                have.add(stems[0])
                extra.append(name)
    return f"{question} ({' '.join(extra)})" if extra else question
