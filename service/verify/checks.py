"""Local checks of one sentence against the span it restates; each failure is a reason.

Numbers (digits and words, percentages, scales), names, polarity (not, never, n't, deny,
reject, fail to ...), modality (a "may" / "would" / "will" claim stated as fact), the speaker
("X said" / "according to X" must be the span's speaker or the document's outlet, title or
author), and content words the span lacks (an added cause, purpose or detail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsqa.attribution import (
    REPORTING_VERBS,
    TITLES,
    Attribution,
    attributions,
    is_author_reference,
    is_outlet_reference,
    same_speaker,
    speaker_names,
    without_attribution,
)
from newsqa.text import (
    STOPWORDS,
    content_stems,
    name_found,
    names,
    negated_stems,
    number_values,
    words,
)
from service.verify.align import claim_tokens, evidence_tokens
from service.verify.config import VerifyConfig

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
_REFERS_BACK = re.compile(r"^\W*(?:he|she|it|they|his|her|its|their)\b", re.IGNORECASE)
_AUXILIARIES = frozenset(
    ["has", "have", "had", "was", "were", "is", "are", "will", "would", "did", "does", "do",
     "can", "could", "may", "might", "should", "must", "shall"]
)  # fmt: skip
_IRREGULAR_PAST = frozenset(
    ["saw", "lost", "won", "took", "made", "gave", "told", "said", "went", "led", "left", "met",
     "sent", "held", "brought", "bought", "began", "beat", "chose", "fought", "found", "got",
     "hit", "kept", "knew", "let", "put", "ran", "set", "sold", "shot", "spoke", "struck",
     "threw", "wrote", "became", "came", "drove", "flew", "grew", "rose", "fell", "paid",
     "built", "sought", "taught", "thought"]
)  # fmt: skip
_PERCENT = re.compile(r"\b(?:per ?cent|percent)\b", re.IGNORECASE)
_HEADLINE_WORDS = 12  # a title longer than this is a lead sentence, not a headline
_SUBJECT_REACH = 10  # words before a reporting verb that may name its subject
_CLAUSE_END = re.compile(r"[,;:.!?]|\b(?:and|but|while|which)\b")


@dataclass(frozen=True)
class Evidence:
    """What a sentence is checked against: its aligned span, the passage text before it (a
    quote's speaker may be named there) and the document's outlet, title and author."""

    span: str
    before: str = ""
    near: str = ""  # the span and the sentences beside it where its names may be found
    context: str = ""  # the span and the sentences beside it where its wording may be found
    outlet: str = ""
    title: str = ""
    author: str = ""


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


def _subject_words(text: str) -> set[str]:
    """Lower-cased words within ``_SUBJECT_REACH`` words before a reporting verb in ``text``."""
    toks = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text)
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if tok.lower() in REPORTING_VERBS:
            out.update(w.lower() for w in toks[max(i - _SUBJECT_REACH, 0) : i])
    return out


def _speaker_shown(who: Attribution, ev: Evidence) -> bool:
    """Whether the evidence shows ``who`` saying the span's claim."""
    speaker = who.speaker
    if is_outlet_reference(speaker) or is_author_reference(speaker):
        return True
    document = f"{ev.outlet} {ev.author}"
    # a headline names who speaks in it; a long "title" (an article's truncated lead) does not
    headline = set(words(ev.title)) if len(words(ev.title)) <= _HEADLINE_WORDS else set()
    if same_speaker(speaker, document) or (
        speaker_names(speaker) and speaker_names(speaker) <= headline
    ):
        return True
    in_span = [a for a in attributions(ev.span) if not a.pronoun]
    if any(same_speaker(speaker, a.speaker) for a in in_span):
        return True
    # a long subject ("X, under scrutiny in Y, declared") is read loosely: the speaker's names,
    # or its head noun, close before a reporting verb of the span
    key = speaker_names(speaker) or {w for w in words(speaker) if w not in STOPWORDS}
    if key & _subject_words(ev.span):
        return True
    if in_span:  # the span names someone else as its speaker
        return False
    earlier = [a for a in attributions(ev.before) if not a.pronoun]
    if earlier:  # a quote or "he said" continues the last named speaker
        return same_speaker(speaker, earlier[-1].speaker)
    context = f"{ev.before} {ev.span}".lower()
    return bool(speaker_names(speaker)) and all(
        name_found(n, context) for n in speaker_names(speaker)
    )


def _names(claim: str) -> set[str]:
    found = names(claim)
    first = re.match(r"\W*([A-Z][A-Za-z'\u2019-]+)", claim)
    if first and first.group(1).lower() not in STOPWORDS:
        found.add(first.group(1).lower().split("'")[0].split("\u2019")[0])
    return found


def _missing_names(claim: str, found: set[str], near: str, ev: Evidence) -> list[str]:
    """Names of the claim not in the span (nor beside it). A name is also shown by another
    part of the same name ("Alain Connes" for "Connes"), by the document's title, and by the
    text before a span that refers back with a pronoun ("He ...")."""
    missing = {n for n in found if not name_found(n, near)}
    if not missing:
        return []
    title = ev.title.lower()
    runs = re.findall(r"(?:[A-Z][A-Za-z'\u2019-]*\.?\s+)*[A-Z][A-Za-z'\u2019-]*", claim)
    shown = set()
    for k, run in enumerate(runs):
        parts = {w.lower().split("'")[0] for w in re.findall(r"[A-Za-z'\u2019-]+", run)}
        if any(name_found(p, near) for p in parts - TITLES if p not in STOPWORDS and len(p) > 2):
            shown |= parts
        # a span that opens with "He ..." / "It ..." is about the subject named before it
        if (
            k == 0
            and _REFERS_BACK.search(ev.span)
            and any(name_found(p, ev.before.lower()) for p in parts)
        ):
            shown |= parts
    return sorted(n for n in missing - shown if not (title and name_found(n, title)))


def _content_tokens(text: str) -> list[tuple[str, bool, bool]]:
    """(stem, is a capitalised name, acts) of each content word, in order. A word acts when it
    looks like a verb whose subject is the content word before it: only stopwords between
    them (no punctuation, no possessive) and a verb form ("-ed", "-ing", "-s", a common
    irregular past) or an auxiliary just before it ("will present")."""
    out: list[tuple[str, bool, bool]] = []
    joined, prev = False, ""
    for i, tok in enumerate(re.findall(r"[A-Za-z][A-Za-z'\u2019-]*|[^\sA-Za-z]", text)):
        low = tok.lower()
        if not tok[0].isalpha():
            joined, prev = False, tok
            continue
        stems = content_stems(tok)
        if stems:
            verbish = (
                prev in _AUXILIARIES
                or low in _IRREGULAR_PAST
                or low.endswith(("ed", "ing"))
                or (low.endswith("s") and not low.endswith(("ss", "'s", "\u2019s")))
            )
            name = tok[0].isupper() and (i > 0 or tok.isupper())
            out.append((stems[0], name, joined and verbish and not name))
            joined = not low.endswith(("'s", "\u2019s"))
        prev = low
    return out


def _agent(toks: list[tuple[str, bool, bool]], i: int, reach: int) -> str | None:
    """The nearest name within ``reach`` content words before token ``i``."""
    for j in range(i - 1, max(i - reach, 0) - 1, -1):
        if toks[j][1]:
            return toks[j][0]
    return None


def _role_swaps(claim: str, span: str, reach: int) -> list[str]:
    """Names whose action in the claim is not theirs in the span ("Y saw" for "X saw")."""
    if reach <= 0:
        return []
    ctoks, stoks = _content_tokens(claim), _content_tokens(span)
    held = {t[0] for t in stoks}
    out = []
    for k in range(len(ctoks) - 1):
        name, is_name, _ = ctoks[k]
        word, _, acts = ctoks[k + 1]
        if not (is_name and acts) or name not in held or word not in held:
            continue
        others = {t[0] for t in ctoks if t[1]} - {name}
        spots = [i for i, t in enumerate(stoks) if t[0] == word]
        agents = [_agent(stoks, i, reach) for i in spots]
        # a swap: the span gives this to another name of the claim, never to this one
        if name not in agents and any(a in others for a in agents):
            out.append(f"{name} {word}")
    return out


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019.-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*|[^\sA-Za-z\d]")
# two terms whose order carries the meaning: "more in A than B", "A and B respectively",
# "from A to B", "A over B", "A beat B"
_ORDERED = (
    re.compile(r"\b([A-Za-z][\w'-]*) than (?:the |a |an )?([A-Za-z][\w'-]*)", re.I),
    re.compile(r"\b([A-Za-z][\w'-]*),? and ([A-Za-z][\w'-]*),? respectively\b", re.I),
    re.compile(
        r"\bfrom (?:the |a |an )?([A-Za-z][\w'-]*) to (?:the |a |an )?([A-Za-z][\w'-]*)", re.I
    ),
)


def _modifier_pairs(text: str) -> set[tuple[str, str]]:
    """(name, stem of the word it modifies): "Norwegian ferry", "NATO's plan", "Greig's bid";
    a run of capitalised words counts by its last word ("Aden Ridgeway's bid")."""
    toks = _TOKEN.findall(text)
    out: set[tuple[str, str]] = set()
    for i, tok in enumerate(toks[:-1]):
        if not tok[0].isupper() or (i == 0 and not tok.isupper()) or tok.lower() in STOPWORDS:
            continue
        j = i + 1
        name = tok.lower().split("'")[0].split("\u2019")[0]
        if toks[j][:1].isupper() and toks[j].lower() not in STOPWORDS:
            continue  # not the last word of its run
        head = toks[j]
        if not head[:1].isalpha() or head.lower() in STOPWORDS:
            continue
        stems = content_stems(head)
        if stems:
            out.add((name, stems[0]))
    return out


def _ordered_pairs(text: str) -> set[tuple[str, str]]:
    out = set()
    for pattern in _ORDERED:
        for a, b in pattern.findall(text):
            sa, sb = content_stems(a), content_stems(b)
            if sa and sb and sa[0] != sb[0]:
                out.add((sa[0], sb[0]))
    return out


def _pair_swaps(claim: str, span: str, claim_names: set[str]) -> list[str]:
    """Modifiers moved between heads ("Norwegian ferry" for "Indonesian ferry" when the span
    has "Norwegian ship" and "Indonesian ferry"), and order-bearing pairs reversed ("more in
    girls than boys" for "more in boys than girls")."""
    out = []
    in_span = _modifier_pairs(span)
    low = span.lower()
    for name, head in sorted(_modifier_pairs(claim) - in_span):
        rivals = {
            other for other, h in in_span if h == head and other != name and other in claim_names
        }
        if rivals and name_found(name, low):
            out.append(f"{name} {head} (the cited text has {', '.join(sorted(rivals))} {head})")
    span_order = _ordered_pairs(span)
    for a, b in sorted(_ordered_pairs(claim) - span_order):
        if (b, a) in span_order:
            out.append(f"{a} before {b} (the cited text has {b} before {a})")
    return out


def check(sentence: str, ev: Evidence, config: VerifyConfig | None = None) -> list[str]:
    """Why ``sentence`` is not supported by ``ev`` (an empty list: nothing found wrong)."""
    config = config or VerifyConfig()
    reasons: list[str] = []
    said = attributions(sentence)
    claim = without_attribution(sentence) if said else sentence
    span = ev.span
    for who in said:
        if not who.pronoun and not _speaker_shown(who, ev):
            reasons.append(f"speaker: the cited text does not show {who.speaker} saying this")
    missing_numbers = number_values(claim) - number_values(span, loose=True)
    if missing_numbers:
        reasons.append(f"number: {', '.join(sorted(missing_numbers))} not in the cited text")
    lowered = (ev.near or span).lower()
    claim_names = _names(claim)
    missing_names = _missing_names(claim, claim_names, lowered, ev)
    if missing_names:
        reasons.append(f"name: {', '.join(missing_names)} not in the cited text")
    swaps = _role_swaps(claim, span, config.role_reach) + _pair_swaps(claim, span, claim_names)
    if swaps:
        reasons.append(f"role: the cited text does not pair {'; '.join(swaps)}")
    # polarity and modality are about what is said of things, not about their names
    stems = claim_tokens(claim) - set(content_stems(" ".join(claim_names)))
    neg_claim = negated_stems(claim, config.negation_scope) & stems
    neg_span = negated_stems(span, config.negation_scope) & stems
    if neg_claim and not neg_span:
        reasons.append("polarity: the sentence negates what the cited text asserts")
    elif neg_span and not neg_claim:
        reasons.append("polarity: the cited text negates what the sentence asserts")
    if len(_modal_words(span, config.negation_scope) & stems) > 1 and not any(
        w in MODALS for w in words(claim)
    ):
        reasons.append("modality: the cited text says it may or will happen, not that it did")
    held = evidence_tokens(span)
    around = evidence_tokens(ev.context) if ev.context else held
    content = set(content_stems(_PERCENT.sub("%", claim)))
    lacking = sorted(content - held)
    # a word the span lacks but its neighbours hold is a restatement over several sentences:
    # it counts as ``context_weight`` of a missing word
    weight = sum(1.0 if w not in around else config.context_weight for w in lacking)
    if content and (
        weight > config.max_missing + 1e-9 or 1 - weight / len(content) < config.min_coverage
    ):
        reasons.append(f"content: the cited text does not say {', '.join(lacking)}")
    for match in _CONNECTIVE.finditer(claim):
        rest = claim[match.end() :]
        end = _CLAUSE_END.search(rest)
        clause = set(content_stems(rest[: end.start() if end else len(rest)]))
        if clause and len(clause & held) / len(clause) < config.clause_coverage:
            reasons.append(f"added detail: '{match.group(0)} ...' is not in the cited text")
    return reasons
