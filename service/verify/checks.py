"""Local checks of one sentence against the span it restates; each failure is a reason.

Numbers (digits and words, percentages, scales), names, polarity (not, never, n't, deny,
reject, fail to ...), modality (a "may" / "would" / "will" claim stated as fact), the speaker
("X said" / "according to X" must be the span's speaker or the document's outlet, title or
author), and content words the span lacks (an added cause, purpose or detail).
"""

from __future__ import annotations

import re

from newsqa.attribution import TITLES, attributions, without_attribution
from newsqa.text import (
    REFERS_BACK,
    STOPWORDS,
    content_stems,
    name_found,
    names,
    negated_stems,
    number_values,
    words,
)
from service.verify.align import claim_stems, claim_tokens, evidence_tokens
from service.verify.anchor import anchored, has_name, has_number
from service.verify.config import VerifyConfig
from service.verify.evidence import Evidence, split_sentence_texts
from service.verify.lists import list_additions
from service.verify.speakers import speaker_shown
from service.verify.swaps import IRREGULAR_PAST, pair_swaps, role_swaps

__all__ = ["Evidence", "check"]

# Words that make a claim possible, planned or expected rather than done.
MODALS = frozenset(
    ["may", "might", "could", "would", "will", "should", "can", "possibly", "perhaps", "likely",
     "unlikely", "probably", "expected", "expects", "plans", "planned", "planning", "proposed",
     "proposes", "considering", "hopes", "hoped", "wants", "aims", "intends", "allegedly",
     "reportedly", "supposedly", "apparently", "potentially"]
)  # fmt: skip
# Connectives that add a cause, purpose or circumstance to a claim.
_CONNECTIVE = re.compile(
    r"\b(?:because(?: of)?|since|due to|owing to|thanks to|as a result of|caused by|in order to|"
    r"so that|after|following|in response to|amid|despite|to protest|leading to|resulting in)\b",
    re.IGNORECASE,
)
_DONE = frozenset(["was", "were", "has", "have", "had", "did", "been"])
_PRESENT_PASSIVE = frozenset(["is", "are", "be", "being", "get", "gets", "am"])
_WIDER_NEGATION = 2  # extra content words a span's negation covers, for the word-by-word check
_PERCENT = re.compile(r"\b(?:per ?cent|percent)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:.!?]|\b(?:and|but|while|which)\b")


def _modal_words(text: str, scope: int) -> set[str]:
    """Content stems within ``scope`` content words after a modal, inside its clause."""
    out: set[str] = set()
    left = 0
    for tok in re.findall(r"[A-Za-z][A-Za-z'\u2019-]*|[,;:.!?]", text):
        low = tok.lower()
        if not low[0].isalpha() or low == "but":
            left = 0
        elif low in MODALS:
            left = scope
        elif left > 0:
            found = content_stems(low)
            left -= bool(found)
            out.update(found)
    return out


# a prefix that makes an adjective its opposite ("insoluble", "unsuccessful", "illegal"), and
# the endings of the adjectives it applies to (not "information" / "formation")
_NEGATING_PREFIX = ("un", "in", "im", "il", "ir", "non", "non-", "dis")
_ADJECTIVE_END = ("ble", "al", "ent", "ant", "ive", "ous", "ful", "ed", "ic", "ar",
                  "ary", "ory", "ing", "own", "ure", "ite", "ate", "ect", "ual")  # fmt: skip
# verbs and nouns whose stems state opposites
_ANTONYMS = (
    ("accept", "reject"), ("succeed", "fail"), ("success", "failur"), ("win", "lose"),
    ("won", "lost"), ("increas", "decreas"), ("rise", "fall"), ("rose", "fell"),
    ("approv", "reject"), ("allow", "forbid"), ("includ", "exclud"), ("gain", "loss"),
    ("acquit", "convict"), ("open", "close"), ("higher", "lower"),
    ("larger", "smaller"), ("first", "last"), ("major", "minor"),
)  # fmt: skip


def _opposed(claim: str, span: str, scope: int) -> tuple[str, str] | None:
    """A word of the claim whose opposite the span has instead ("insoluble" / "soluble",
    "accepted" / "rejected"), neither being negated ("unable" restates "not able")."""
    cw = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+", claim)}
    sw = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+", span)}
    negated = negated_stems(claim, scope) | negated_stems(span, scope)
    for ours, theirs, flip in ((cw - sw, sw - cw, False), (sw - cw, cw - sw, True)):
        for word in ours:
            for base in (word[len(p) :] for p in _NEGATING_PREFIX if word.startswith(p)):
                opposite = base in theirs and len(base) >= 5 and base.endswith(_ADJECTIVE_END)
                if opposite and not set(content_stems(base)) & negated:
                    return (base, word) if flip else (word, base)
    cs, ss = set(content_stems(claim)) - negated, set(content_stems(span)) - negated
    for x, y in _ANTONYMS:
        for p, q in ((x, y), (y, x)):
            if p in cs and q in ss and q not in cs and p not in ss:
                return p, q
    return None


def _same_clause(connective: str, clause: set[str], context: str, share: float) -> bool:
    """Whether a sentence beside the span gives the same clause with the same connective
    ("because of its burrowing habits" restated from the sentence before the span)."""
    for m in re.finditer(r"\b" + re.escape(connective) + r"\b", context, re.IGNORECASE):
        rest = context[m.end() :]
        end = _CLAUSE_END.search(rest)
        theirs = set(content_stems(rest[: end.start() if end else len(rest)]))
        if len(clause & theirs) / len(clause) >= share:
            return True
    return False


def _states_done(claim: str) -> bool:
    """Whether a claim says something happened (a past or perfect verb), rather than how
    things are: "it opens at nine" restates "it will open at nine" (a habit); "it was closed"
    does not restate "it may be closed"."""
    toks = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", claim)
    for prev, tok in zip(toks, toks[1:], strict=False):
        low = tok.lower()
        if low in _DONE or low in IRREGULAR_PAST:
            return True
        # "in case it is axed": a present passive is no claim that it was done
        present = prev.lower() in _PRESENT_PASSIVE
        if low.endswith("ed") and not tok[0].isupper() and low not in STOPWORDS and not present:
            return True
    return False


def _names(claim: str) -> set[str]:
    found = names(claim)
    first = re.match(r"\W*([A-Z][A-Za-z'\u2019-]+)", claim)
    # the first word is a name unless it is a common word, an adverb or a participle
    if (
        first
        and first.group(1).lower() not in STOPWORDS
        and not first.group(1).endswith(("ly", "ing"))
    ):
        found.add(first.group(1).lower().split("'")[0].split("\u2019")[0])
    return found


def _capitalised_in(part: str, text: str) -> bool:
    """Whether ``part`` (lower-cased) is a capitalised word of ``text``: "Sports" in the
    span shows "Northern Sports Department", "sports" does not."""
    if part in STOPWORDS:
        return False
    stem = part[:-2] if len(part) > 5 else part
    return any(
        m.group(0)[0].isupper() for m in re.finditer(r"\b" + re.escape(stem), text, re.IGNORECASE)
    )


def _displaced(claim: str, span: str) -> bool:
    """Whether the span names someone or something (a sentence's first word included) that
    the claim does not: a name the claim may have put another in the place of."""
    low = claim.lower()
    return any(not name_found(n, low) for text in split_sentence_texts(span) for n in _names(text))


def _missing_names(
    claim: str, found: set[str], near: str, ev: Evidence, borrow: bool = False
) -> list[str]:
    """Names of the claim not in the span (nor beside it). A name is also shown by another
    part of the same name ("Alain Connes" for "Connes"), by the document's title, by the
    text before a span that refers back with a pronoun ("He ..."), and with ``borrow`` by the
    sentences beside the span when the span names nothing the claim lacks."""
    missing = {n for n in found if not name_found(n, near)}
    if not missing:
        return []
    if borrow and not _displaced(claim, ev.span):
        # the span names nothing the claim lacks: a name of the claim found beside the span is
        # a restatement joining sentences, not a name put in another's place
        missing = {n for n in missing if not name_found(n, (ev.context or ev.span).lower())}
        if not missing:
            return []
    title = ev.title.lower()
    runs = re.findall(r"(?:[A-Z][A-Za-z'\u2019-]*\.?\s+)*[A-Z][A-Za-z'\u2019-]*", claim)
    shown = set()
    for k, run in enumerate(runs):
        parts = {w.lower().split("'")[0] for w in re.findall(r"[A-Za-z'\u2019-]+", run)}
        if any(_capitalised_in(p, ev.near or ev.span) for p in parts - TITLES if len(p) > 2):
            shown |= parts
        # a span that opens with "He ..." / "It ..." is about the subject named before it
        if (
            k == 0
            and REFERS_BACK.search(ev.span)
            and any(name_found(p, ev.before.lower()) for p in parts)
        ):
            shown |= parts
    return sorted(n for n in missing - shown if not (title and name_found(n, title)))


def check(sentence: str, ev: Evidence, config: VerifyConfig | None = None) -> list[str]:
    """Why ``sentence`` is not supported by ``ev`` (an empty list: nothing found wrong)."""
    config = config or VerifyConfig()
    reasons: list[str] = []
    said = attributions(sentence)
    claim = without_attribution(sentence) if said else sentence
    span = ev.span
    for who in said:
        apposed = re.search(r"([^,;:.!?]{1,60}),\s*$", sentence[: who.start])
        role = apposed.group(1) if apposed else ""
        if not who.pronoun and not speaker_shown(who, ev, role, sentence):
            reasons.append(f"speaker: the cited text does not show {who.speaker} saying this")
    missing_numbers = {
        value
        for value in number_values(claim) - number_values(span, loose=True)
        if not anchored(claim, has_number(value), ev.sentences, config)
    }
    if missing_numbers:
        reasons.append(f"number: {', '.join(sorted(missing_numbers))} not in the cited text")
    lowered = (ev.near or span).lower()
    claim_names = _names(claim)
    missing_names = [
        name
        for name in _missing_names(claim, claim_names, lowered, ev, config.borrow_names)
        if not anchored(claim, has_name(name), ev.sentences, config)
    ]
    if missing_names:
        reasons.append(f"name: {', '.join(missing_names)} not in the cited text")
    swaps = role_swaps(claim, span, config.role_reach) + pair_swaps(claim, span, claim_names)
    if swaps:
        reasons.append(f"role: the cited text does not pair {'; '.join(swaps)}")
    # polarity and modality are about what is said of things, not about their names
    stems = claim_tokens(claim) - set(content_stems(" ".join(claim_names)))
    neg_claim = negated_stems(claim, config.negation_scope) & stems
    neg_span = negated_stems(span, config.negation_scope) & stems
    # word by word, with a wider reach on the span ("was not able to be moved over its whole
    # length" negates as much as "could not be moved over its whole length")
    wide = negated_stems(span, config.negation_scope + _WIDER_NEGATION) & stems
    flipped = (neg_claim - wide) & evidence_tokens(span)
    if (neg_claim and not neg_span) or (neg_span and flipped):
        reasons.append("polarity: the sentence negates what the cited text asserts")
    elif neg_span and not neg_claim:
        reasons.append("polarity: the cited text negates what the sentence asserts")
    opposed = _opposed(claim, span, config.negation_scope)
    if opposed and not any(r.startswith("polarity") for r in reasons):
        reasons.append(
            f"polarity: the sentence says {opposed[0]} where the cited text says {opposed[1]}"
        )
    if (
        len(_modal_words(span, config.negation_scope) & stems) > 1
        and not any(w in MODALS for w in words(claim))
        and _states_done(claim)
    ):
        reasons.append("modality: the cited text says it may or will happen, not that it did")
    held = evidence_tokens(span)
    around = evidence_tokens(ev.context) if ev.context else held
    content = claim_stems(_PERCENT.sub("%", claim))
    lacking = sorted(content - held)
    # a word the span lacks but its neighbours hold is a restatement over several sentences:
    # it counts as ``context_weight`` of a missing word
    weight = sum(1.0 if w not in around else config.context_weight for w in lacking)
    if content and (
        weight > config.max_missing + 1e-9 or 1 - weight / len(content) < config.min_coverage
    ):
        reasons.append(f"content: the cited text does not say {', '.join(lacking)}")
    added = list_additions(claim, span, ev.context)
    if added:
        reasons.append(f"added detail: {', '.join(added)} not listed in the cited text")
    for match in _CONNECTIVE.finditer(claim):
        rest = claim[match.end() :]
        end = _CLAUSE_END.search(rest)
        clause = set(content_stems(rest[: end.start() if end else len(rest)]))
        lacking_clause = bool(clause) and len(clause & held) / len(clause) < config.clause_coverage
        if lacking_clause and not _same_clause(
            match.group(0), clause, ev.context, config.clause_coverage
        ):
            reasons.append(f"added detail: '{match.group(0)} ...' is not in the cited text")
    return reasons
