"""How an extractive answer sentence names who claims it ("According to X, ...").

Who claims a span is read by ``newsqa.claims``; this module words answer sentences with it and
reads the wording back (``ATTRIBUTION_PREFIX``) for the eval judge and follow-ups.
"""

from __future__ import annotations

import re

from newsqa.attribution import speaker_names
from newsqa.claims import claim_of, known_outlet, sentence_speakers
from newsqa.text import NUMBER_WORDS, ORDINALS, STOPWORDS, stem

# A sentence that opens with one of these carries it in front of an added "according to X":
# "But according to X, the lake ..." (not "According to X, but the lake ...").
_LINKING_OPENERS = frozenset({"and", "but", "yet", "so", "or", "nor", "however", "still"})
# ... and these when a comma follows them ("Instead, according to X, the coalition ...").
_LINKING_ADVERBS = frozenset(
    ["instead", "meanwhile", "moreover", "furthermore", "nevertheless", "nonetheless",
     "therefore", "thus", "hence", "besides", "otherwise", "indeed", "overall", "now", "then",
     "later", "earlier", "today", "yesterday", "also", "finally", "separately", "similarly",
     "additionally", "currently", "previously", "initially", "ultimately", "consequently",
     "notably", "originally", "recently", "subsequently", "eventually"]
)  # fmt: skip
_OPENER = (
    r"(?P<opener>(?:" + "|".join(sorted(_LINKING_OPENERS)) + r")"
    r"|(?:" + "|".join(sorted(_LINKING_ADVERBS)) + r")(?=,)),?\s+"
)
# A sentence that already says whose claim it is ("According to X, ...", "But according to X").
_ATTRIBUTED = re.compile(rf"^(?:{_OPENER})?according to\b", re.IGNORECASE)


def _according(who: str, text: str, context: str = "") -> str:
    """``text`` worded "According to <who>, ...", a linking first word kept in front."""
    first, _, rest = text.partition(" ")
    word = first.rstrip(",")
    linking = word.lower() in _LINKING_OPENERS or (
        word.lower() in _LINKING_ADVERBS and first.endswith(",")
    )
    if rest and linking and word[:1].isupper():
        return f"{first} according to {who}, {_lower_first(rest, context)}"
    return f"According to {who}, {_lower_first(text, context)}"


def attributed_once(sentences: list[str]) -> list[str]:
    """Answer sentences with a repeated "According to X, " left off a run of X's sentences.

    The first sentence of each run names who claims it; the next ones of the same run read on
    from it ("According to X, A. B." rather than "According to X, A. According to X, B.").
    """
    out: list[str] = []
    previous = None
    for sentence in sentences:
        match = ATTRIBUTION_PREFIX.match(sentence)
        who = (match.group("who"), match.group("by")) if match and match.group("who") else None
        key = tuple((w or "").strip().casefold() for w in who) if who else None
        if match and key is not None and key == previous:
            out.append(without_prefix(sentence, match))
        else:
            out.append(sentence)
        previous = key
    return out


def without_prefix(sentence: str, match: re.Match[str]) -> str:
    """``sentence`` without the attribution ``match`` (of ``ATTRIBUTION_PREFIX``) found in it;
    a linking first word and its comma stay: "However, according to X, the dikes held." ->
    "However, the dikes held."."""
    rest = sentence[match.end() :]
    if not match.group("opener"):
        return rest[:1].upper() + rest[1:]
    head = sentence[: match.end("opener")]
    return f"{head}{',' if sentence[len(head) : len(head) + 1] == ',' else ''} {rest}"


def _balanced_quotes(text: str) -> str:
    """A sentence cut from a longer quotation keeps one of its marks ('... industry."', 'The
    US will be the backstop," Rutte said.'): the other is restored, so that the answer quotes
    it whole. A mark after a digit is an inch mark, not a quotation's."""
    if text.count('"') % 2 == 1:
        at = text.index('"')
        inch = at > 0 and text[at - 1].isdigit()
        closing = at > 0 and not text[at - 1].isspace() and not text[at + 1 : at + 2].isalnum()
        if not inch:
            text = '"' + text if closing else text + '"'
    opened, closed = text.count("\u201c"), text.count("\u201d")
    if opened < closed:
        text = "\u201c" + text
    elif opened > closed:
        text = text + "\u201d"
    return text


def _lower_first(text: str, context: str = "") -> str:
    """Lower-case a sentence's first letter when it starts with a common word ("The", "It"),
    a number in words ("Three of them ..."), or a word that ``context`` (the article) writes in
    lower case and never capitalises inside a sentence ("Security guarantees are ...")."""
    first, _, rest = text.partition(" ")
    first = first.rstrip(",;:")
    low = first.lower()
    common = any(low in words for words in (STOPWORDS, NUMBER_WORDS, ORDINALS, _LINKING_ADVERBS))
    if not common and context and first.isalpha():
        common = _lower_case_word(first, context)
    if not common and not _capitalised_inside(first, context):
        common = _COMPOUND.fullmatch(first) is not None or (
            _PARTICIPLE.fullmatch(first) is not None
            and rest.split(" ", 1)[0].lower() in _PREPOSITIONS
        )
    if common and first[:1].isupper() and not first[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


# Openers that are common words whatever the article: a compound with a lower-case second part
# ("Cash-strapped", "Long-term") and a participle before a preposition ("Created under ...",
# "Born in ..."); kept capitalised where the article capitalises them inside a sentence.
_COMPOUND = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)+")
_PARTICIPLE = re.compile(r"[A-Z][a-z]{2,}ed|Born")
_PREPOSITIONS = frozenset(
    ["in", "on", "at", "by", "for", "from", "with", "under", "after", "during", "to", "into",
     "as", "near", "since", "between", "over", "across"]
)  # fmt: skip


def _capitalised_inside(word: str, context: str) -> bool:
    """Whether ``context`` writes ``word`` capitalised inside a sentence (a name there)."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", context):
        before = context[: m.start()].rstrip(" \t\"'\u201c\u2018(")
        if before and not before.endswith((".", "!", "?", ":", "\n")):
            return True
    return False


def _lower_case_word(word: str, context: str) -> bool:
    """``word`` (capitalised) is a common word in ``context``: written there in lower case (in
    some form: "Shares" beside "share buyback"), and capitalised only where a sentence or a
    quotation opens."""
    if not re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", context):
        root = stem(word.lower())
        lowered = {stem(w) for w in re.findall(r"(?<![\w-])[a-z]{3,}(?![\w-])", context)}
        if len(root) < 4 or root not in lowered:
            return False
    return not _capitalised_inside(word, context)  # "the Security Council": a name


def _names(text: str, who: str) -> bool:
    """Whether ``text`` already names ``who`` (one of its names is enough)."""
    low = text.lower()
    return bool(who) and (
        who.lower() in low
        or any(re.search(rf"\b{re.escape(n)}\b", low) for n in speaker_names(who))
    )


# The forms ``attribute_sentence`` writes in front of a sentence, for readers of answers (the
# eval judge, follow-ups): "According to X, ", "According to X (reported by Y), ", "X, quoting Y: ".
# A linking first word stays in front ("But according to X, "): group ``opener``.
ATTRIBUTION_PREFIX = re.compile(
    r"^\s*(?:(?:" + _OPENER + r")?"
    r"(?:according to|as reported by|per)\s+(?P<who>[^,(]{1,80}?)"
    r"(?:\s*\((?:reported by\s+)?(?P<by>[^)]{1,80})\))?,\s*"
    r"|(?P<outlet>[^,:]{1,80}),\s+quoting\s+(?P<quoted>[^:]{1,160}):\s*)",
    re.IGNORECASE,
)


def attribute_sentence(
    sentence: str, outlet: str | None, context: str = "", span: tuple[int, int] | None = None
) -> str:
    """``sentence`` worded with who claims it, for an extractive answer.

    - it names its own speaker ("Rutte said ..."): unchanged;
    - it sits in a quote block: "Moon of Alabama, quoting Dmytro Kuleba (Washington Post): ...";
    - the article relays another outlet: "According to Politico (reported by UNN), ...";
    - otherwise "According to <outlet>, ..." unless the outlet is unknown or already named.

    ``context`` is the text around the sentence (its chunk, or better its document) and ``span``
    the sentence's offsets in it; without them only the sentence itself is read.
    """
    text = _balanced_quotes(sentence.strip())
    if context and span is not None:
        claim = claim_of(context, span[0], span[1], outlet)
    else:
        claim = claim_of(text, 0, len(text), outlet)
    source, speaker = known_outlet(outlet), claim.speaker or ""
    if not text or _ATTRIBUTED.match(text) or sentence_speakers(text):
        return text
    if claim.how == "quoted":
        if source:
            return f"{source}, quoting {speaker}: {text}"
        return _according(speaker, text, context)
    if claim.how == "relayed" and source and not _names(text, speaker):
        return _according(f"{speaker} (reported by {source})", text, context)
    if claim.how in ("outlet", "sentence") and source and not _names(text, source):
        return _according(source, text, context)
    return text
