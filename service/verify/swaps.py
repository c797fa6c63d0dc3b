"""Swapped roles: a name given what the span gives to another name.

"Y saw" for "X saw" (the nearest name before an action), a modifier moved between heads
("Norwegian ferry" for "Indonesian ferry"), a relative clause moved to another name ("Y, who
did Z" for "X, who did Z"), a list member exchanged ("Oslo, Bergen and Malmo" for
"Oslo, Bergen and Tromso"), contrasted subjects exchanged ("A does X, whereas B does Y" for
"B does X, whereas A does Y") and order-bearing pairs reversed ("more in A than B").
"""

from __future__ import annotations

import re

from newsqa.text import STOPWORDS, content_stems, name_found
from service.verify.lists import bracket_swaps, list_swaps

_AUXILIARIES = frozenset(
    ["has", "have", "had", "was", "were", "is", "are", "will", "would", "did", "does", "do",
     "can", "could", "may", "might", "should", "must", "shall"]
)  # fmt: skip
IRREGULAR_PAST = frozenset(
    ["saw", "lost", "won", "took", "made", "gave", "told", "said", "went", "led", "left", "met",
     "sent", "held", "brought", "bought", "began", "beat", "chose", "fought", "found", "got",
     "hit", "kept", "knew", "let", "put", "ran", "set", "sold", "shot", "spoke", "struck",
     "threw", "wrote", "became", "came", "drove", "flew", "grew", "rose", "fell", "paid",
     "built", "sought", "taught", "thought"]
)  # fmt: skip


_PASSIVE = frozenset(["was", "were", "is", "are", "be", "been", "being"])
# words after a name that it does not modify ("Histories around 450 BC")
_PREPOSITIONS = frozenset(
    ["around", "about", "across", "after", "against", "along", "amid", "among", "before",
     "behind", "beside", "besides", "beyond", "despite", "during", "except", "inside", "near",
     "onto", "outside", "over", "since", "through", "throughout", "toward", "towards", "under",
     "until", "upon", "versus", "via", "within", "without"]
)  # fmt: skip
# Adverbs that sit between an auxiliary and its verb ("was first published", "has since won").
_ADVERBS = frozenset(
    ["first", "second", "third", "last", "also", "then", "later", "since", "still", "just",
     "already", "again", "once", "never", "ever", "soon", "now", "often"]
)  # fmt: skip


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
        if low in _ADVERBS or (low.endswith("ly") and not tok[0].isupper()):
            continue  # "was first published": the verb is "published", after the adverb
        stems = content_stems(tok)
        if stems:
            passive = prev in _PASSIVE and low.endswith("ed")  # "was published": done to it
            verbish = not passive and (
                prev in _AUXILIARIES
                or low in IRREGULAR_PAST
                or low.endswith(("ed", "ing"))
                or (low.endswith("s") and not low.endswith(("ss", "'s", "\u2019s")))
            )
            # a text's first word is a name unless it is a common word ("The", "Some")
            name = tok[0].isupper() and (i > 0 or tok.isupper() or low not in STOPWORDS)
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


def role_swaps(claim: str, span: str, reach: int) -> list[str]:
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
        # where the span has the word as an action too (not "..., first published")
        spots = [i for i, t in enumerate(stoks) if t[0] == word and t[2]]
        agents = [_agent(stoks, i, reach) for i in spots]
        # a swap: the span gives this to another name of the claim, never to this one, and
        # the claim does not give it to that name as well ("A died ..., and B died ...")
        rivals = {a for a in agents if a in others}
        claimed = {_agent(ctoks, i, reach) for i, t in enumerate(ctoks) if t[0] == word and t[2]}
        if name not in agents and rivals - claimed:
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
        if not head[:1].isalpha() or head.lower() in STOPWORDS or head.lower() in _PREPOSITIONS:
            continue
        stems = content_stems(head)
        if stems:
            out.add((name, stems[0]))
    return out


_LINKED = re.compile(
    r"\b([A-Za-z][\w'-]*) (?:in|by|of|from|at|for|to|with) (?:the |a |an )?"
    r"((?:[A-Z][\w'\u2019-]* )*[A-Z][\w'\u2019-]*)"
)


def _linked_pairs(text: str) -> set[tuple[str, str]]:
    """(stem of a word, the name a preposition links to it): "film by Ridley Scott" →
    (film, scott), "peninsula in Asia" → (peninsula, asia); a run of capitalised words counts
    by its last word."""
    out: set[tuple[str, str]] = set()
    for m in _LINKED.finditer(text):
        head, name = content_stems(m.group(1)), m.group(2).split()[-1].lower()
        name = name.split("'")[0].split("\u2019")[0]
        if head and name not in STOPWORDS:
            out.add((head[0], name))
    return out


def _ordered_pairs(text: str) -> set[tuple[str, str]]:
    out = set()
    for pattern in _ORDERED:
        for a, b in pattern.findall(text):
            sa, sb = content_stems(a), content_stems(b)
            if sa and sb and sa[0] != sb[0]:
                out.add((sa[0], sb[0]))
    return out


_RELATIVE = re.compile(r"([A-Z][\w'\u2019-]*)\s*,\s*(?:who|which|whose)\s+([^,;:.!?]+)")
_RELATIVE_WORDS = 3  # content words of a relative clause that say what it tells of its name


def _relative_clauses(text: str) -> dict[str, set[str]]:
    """Name → the first content stems of the relative clause after it ("X, who went on to
    direct ..." → {went, direct, ...})."""
    out: dict[str, set[str]] = {}
    for name, clause in _RELATIVE.findall(text):
        if name.lower() not in STOPWORDS:
            out.setdefault(name.lower(), set()).update(content_stems(clause)[:_RELATIVE_WORDS])
    return out


def _relative_swaps(claim: str, span: str) -> list[str]:
    """A relative clause moved to another name: the claim's "Y, who did Z" where the span
    has "X, who did Z" and tells something else of Y."""
    theirs = _relative_clauses(span)
    out = []
    for name, said in _relative_clauses(claim).items():
        own = len(said & theirs.get(name, set()))
        rivals = [o for o, s in theirs.items() if o != name and len(said & s) >= 2 > own]
        if rivals and name in theirs:
            out.append(f"{name} ({', '.join(sorted(rivals))} in the cited text)")
    return out


def pair_swaps(claim: str, span: str, claim_names: set[str]) -> list[str]:
    """Modifiers moved between heads ("Norwegian ferry" for "Indonesian ferry" when the span
    has "Norwegian ship" and "Indonesian ferry"), relative clauses, list members and contrasted
    subjects moved between names, and order-bearing pairs reversed ("more in girls than boys"
    for "more in boys than girls")."""
    out = []
    in_span = _modifier_pairs(span)
    low = span.lower()
    for name, head in sorted(_modifier_pairs(claim) - in_span):
        rivals = {
            other for other, h in in_span if h == head and other != name and other in claim_names
        }
        if rivals and name_found(name, low):
            out.append(f"{name} {head} (the cited text has {', '.join(sorted(rivals))} {head})")
    linked = _linked_pairs(span)
    for head, name in sorted(_linked_pairs(claim) - linked):
        # crossed: the span links the head to another name of the claim, and this name to
        # another word ("film by Scott ... sequel by Cameron" for "film by Cameron")
        rivals = {o for h, o in linked if h == head and o != name and o in claim_names}
        if rivals and any(n == name and h != head for h, n in linked):
            out.append(f"{head} {name} (the cited text has {head} {', '.join(sorted(rivals))})")
    out += _relative_swaps(claim, span) + list_swaps(claim, span) + contrast_swaps(claim, span)
    out += bracket_swaps(claim, span)
    span_order = _ordered_pairs(span)
    for a, b in sorted(_ordered_pairs(claim) - span_order):
        if (b, a) in span_order:
            out.append(f"{a} before {b} (the cited text has {b} before {a})")
    return out


_CONTRAST = re.compile(r"[,;]?\s+\b(?:while|whereas|but|unlike)\b", re.IGNORECASE)
_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|does|do|did)\b", re.I
)
_HEAD_WORDS = 3  # content words of a clause's opening that name what it is about


def _halves(text: str) -> tuple[str, str] | None:
    """A sentence cut at its contrast ("A does X, whereas B does Y") into its two clauses."""
    m = _CONTRAST.search(text)
    if not m or m.start() < 8:
        return None
    return text[: m.start()], text[m.end() :]


def _head_and_body(clause: str) -> tuple[set[str], set[str]]:
    """The clause's subject words (the last few before its first verb, after any opening
    phrase such as "For example,") and the rest."""
    lead = clause.strip()
    end = _VERB.search(lead)
    cut = end.start() if end and end.start() > 0 else len(lead)
    subject = lead[:cut].rsplit(",", 1)[-1]
    head = set(content_stems(subject)[-_HEAD_WORDS:])
    return head, set(content_stems(lead[cut:])) - head


def contrast_swaps(claim: str, span: str) -> list[str]:
    """Two contrasted subjects exchanged: "A does X, whereas B does Y" where the span says
    "B does X, whereas A does Y" (the subjects cross, what is said of them does not)."""
    ours = _halves(claim)
    if ours is None:
        return []
    out = []
    for m in re.finditer(r"[^.!?]+[.!?]?", span):
        theirs = _halves(m.group(0))
        if theirs is None:
            continue
        (h1, b1), (h2, b2) = (_head_and_body(c) for c in ours)
        (g1, d1), (g2, d2) = (_head_and_body(c) for c in theirs)
        heads_cross = bool(h1 & g2) and bool(h2 & g1) and not (h1 & g1) and not (h2 & g2)
        bodies_straight = len(b1 & d1) + len(b2 & d2) > len(b1 & d2) + len(b2 & d1)
        if heads_cross and bodies_straight:
            out.append(f"{', '.join(sorted(h1))} and {', '.join(sorted(h2))} exchanged")
            continue
        crossed = _crossed(ours, theirs)
        if crossed:
            out.append(crossed)
    return out


def _crossed(ours: tuple[str, str], theirs: tuple[str, str]) -> str | None:
    """Words that set the two clauses apart, exchanged between them while the rest of each
    clause stays put ("With vagueness, X is allowed, whereas with ambiguity Y" for the other
    way round, wherever the contrasted words stand)."""
    a1, a2 = (set(content_stems(c)) for c in ours)
    b1, b2 = (set(content_stems(c)) for c in theirs)
    u1, u2, v1, v2 = a1 - a2, a2 - a1, b1 - b2, b2 - b1
    cross1, cross2 = u1 & v2, u2 & v1
    straight = len(u1 & v1) + len(u2 & v2)
    if cross1 and cross2 and straight > len(cross1) + len(cross2):
        return f"{', '.join(sorted(cross1))} and {', '.join(sorted(cross2))} exchanged"
    return None
