"""What a question asks for (a number, an amount of money, a date, a person, a place, a name)
and whether a passage holds such an entity that the question does not already contain.

Plain English patterns only (question words, capitalisation, digits, month names); nothing here
knows about any corpus.
"""

from __future__ import annotations

import re

from service.answering.verification import STOPWORDS, content_stems

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|"
    r"millions|billion|billions|trillion|trillions|dozen|dozens|half|twice|double|percent|"
    r"[a-z]+fold|several"
)
# a digit group that is not part of a designator ("F-35", "Hrim-2", "Article 5", "JAS-39E")
_DIGITS = r"(?<![\d.,])(?<![A-Za-z]-)(?<![A-Za-z])\d[\d,.]*(?![A-Za-z-]\w)"
_NUMBER = re.compile(rf"(?-i:{_DIGITS})|%|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)s?$")
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:bn|m)\b|\b(?:dollars?|euros?|pounds? sterling|"
    r"hryvnias?|rubles?|roubles?|million|millions|billion|billions|trillion|trillions)\b",
    re.IGNORECASE,
)
_MONTH_NAMES = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:1[89]\d\d|20\d\d)s?\b|\b(?:{_MONTH_NAMES})\.?\b|"  # months are capitalised
    r"\b(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
    r"(?:last|next|this|that) (?:week|month|year|spring|summer|fall|autumn|winter)|"
    r"(?:in|by|within|after) (?:\w+ )?(?:days|weeks|months|years)|decades?|centur(?:y|ies))\b"
)
_CAP = r"[A-Z][a-z\u00e0-\u00ff'\u2019]+|[A-Z]{2,}|[A-Z]\."
_PARTICLE = r"(?:von|van|der|de|del|da|di|la|le|bin|al)"
_NAME = re.compile(rf"\b(?:{_CAP})(?:[\s-](?:{_PARTICLE}\s)*(?:{_CAP}))+")
_PROPER = re.compile(rf"\b(?:{_CAP})")
_LOCATIVE = re.compile(
    rf"\b(?i:in|near|at|to|from|on|outside|around|across|into|towards?|inside|throughout)"
    rf"\s+(?:the\s+)?((?:{_CAP})(?:\s+(?:and\s+)?(?:{_CAP}))*)"
)
_PLACE_NOUNS = (
    r"city|cities|town|towns|country|countries|nation|nations|region|regions|province|"
    r"provinces|state|states|capital|port|ports|village|area|areas|base|location|place|where"
)

_MEASURE_NOUNS = (
    r"population|area|altitude|height|length|width|depth|weight|mass|size|age|distance|"
    r"speed|temperature|diameter|radius|volume|capacity|score|rate|cost|price|budget"
)
_WHO_IS_NAME = re.compile(r"^\s*(?i:who)(?:m)? (?:is|was|are|were) [A-Z]")
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|must|may|"
    r"might|shall)\b"
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*|\d[\d,.]*|[$%\u20ac\u00a3]")
FOCUS_WINDOW = 8  # a counted number must be this close (in words) to what is counted

KINDS = ("money", "number", "date", "person", "place", "name")


def answer_type(question: str) -> str | None:
    """What the question asks for: one of ``KINDS`` or None (an open question)."""
    q = question.lower()
    if _YES_NO.match(q):
        return None  # "Has it been decided which ...?" asks yes or no
    if re.search(
        r"\bhow much (?:money|does|do|did|will|would|is|was)\b.*\b(?:cost|pay|paid|"
        r"spend|spent|worth|price|charge|fund)|\bhow much money\b|\b(?:cost|price|"
        r"budget|value|worth) of\b|\bhow much (?:will|would|does|did) .* cost\b",
        q,
    ):
        return "money"
    if re.search(
        r"\bhow (?:many|much|long|far|big|large|old|often|fast|high)\b|\b(?:number|"
        r"amount|percentage|share|size|range|total|proportion) of\b|"
        r"\bwhat (?:percentage|number|amount|range|distance)\b|"
        r"\bby (?:what|which|how large a|how much of a) (?:factor|multiple)\b|"
        rf"\b(?:what|which) (?:(?:is|was|are|were) )?(?:[\w'\u2019]+ ){{0,3}}?"
        rf"(?:{_MEASURE_NOUNS})\b",
        q,
    ):
        return "number"
    if re.search(
        r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bsince when\b|"
        r"\b(?:which|what) (?:year|date|day|month)\b|\bby when\b|"
        r"\bwhat (?:is|was) (?:the |its )?(?:\w+ )?(?:date|year)\b",
        q,
    ):
        return "date"
    if _WHO_IS_NAME.match(question) and _NAME.search(question):
        return None  # "Who is <Name>?" asks for a description, not a name
    if re.search(r"\bwho(?:m|se)?\b", q):
        return "person"
    if re.search(rf"\bwhere\b|\b(?:which|what) (?:\w+ )?(?:{_PLACE_NOUNS})\b", q):
        return "place"
    if re.search(
        r"\bwhat (?:is|was|are|were) (?:the )?names?\b|\bname of\b|\bcalled\b|\bnamed\b|"
        r"\btitle of\b|\bwhich (?:film|book|novel|song|album|company|team|party|group)\b",
        q,
    ):
        return "name"
    return None


def focus(question: str) -> set[str]:
    """Stems of what a "how many" / "number of" question counts ("How many Patriot launchers ..." →
    patriot, launcher); empty for other questions."""
    return _head_stems(_COUNTED.search(question))


def _head_stems(m: re.Match[str] | None) -> set[str]:
    """Stems of the words a pattern's group 1 caught, up to the first stopword or auxiliary."""
    out: set[str] = set()
    for word in m.group(1).split() if m else []:
        if word.lower() in STOPWORDS or word.lower() in _AUXILIARIES:
            break
        out.update(content_stems(word))
    return out


_COUNTED = re.compile(
    r"\b(?:how many|(?:the )?number of) ((?:[A-Za-z'\u2019-]+\s*){1,3})", re.IGNORECASE
)


_AUXILIARIES = {
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "must",
    "a",
    "an",
    "the",
}


_ROLE = re.compile(
    r"\b(?:name of (?:the|a|an|its|his|her|their)|(?:who|whom) (?:is|was|are|were) (?:the|a|an)"
    r"|which)\s+((?:[A-Za-z'\u2019-]+\s*){1,3})",
    re.IGNORECASE,
)


def role_focus(question: str) -> set[str]:
    """Stems of the role a "who" / "name of" question asks about ("What is the name of the
    principal of ...?" → principal); empty when it names none."""
    return _head_stems(_ROLE.search(question))


def mentions_role(question: str, text: str) -> bool:
    """Whether ``text`` mentions the role a "who" / "name of" question asks about ("the
    minister said ..." for "Which minister ...?")."""
    role = role_focus(question)
    return bool(role) and _around(text, role) is not None


def _around(text: str, stems: set[str]) -> str | None:
    """The words within ``FOCUS_WINDOW`` of each mention of ``stems`` in ``text`` (joined), or
    None when ``text`` does not mention them."""
    tokens = re.findall(r"\S+", text)
    spots = [i for i, tok in enumerate(tokens) if set(content_stems(tok)) & stems]
    if not spots:
        return None
    keep = sorted({j for i in spots for j in range(i - FOCUS_WINDOW, i + FOCUS_WINDOW + 1)})
    return " ".join(tokens[j] for j in keep if 0 <= j < len(tokens))


def _near(text: str, number: str, stems: set[str]) -> bool:
    """Whether a word with one of ``stems`` is within ``FOCUS_WINDOW`` words of ``number``."""
    tokens = _TOKEN.findall(text)
    token_stems = [set(content_stems(t)) for t in tokens]
    for i, tok in enumerate(tokens):
        if tok.lower().rstrip(",.") == number.lower().rstrip(",."):
            lo, hi = max(0, i - FOCUS_WINDOW), i + FOCUS_WINDOW + 1
            if any(ts & stems for ts in token_stems[lo:hi]):
                return True
    return False


def _question_words(question: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", question)}


def _asked(token: str, asked: set[str]) -> bool:
    """Whether the question holds the word or a variant of it ("Ukraine" / "Ukrainian")."""
    return token in asked or (len(token) >= 5 and any(a[:5] == token[:5] for a in asked))


def _new_name(match: str, asked: set[str]) -> bool:
    """A capitalised span that adds a word (not a stopword) the question does not hold."""
    tokens = [t.lower() for t in re.findall(r"[A-Za-z]+", match)]
    return any(not _asked(t, asked) and t not in STOPWORDS and len(t) > 1 for t in tokens)


def _names(text: str) -> list[str]:
    """Runs of two or more capitalised words; a leading stopword ("The", "In") is dropped."""
    out = []
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in STOPWORDS:
            words = words[1:]
        if len(words) >= 2 or (words and "-" in words[0]):
            out.append(" ".join(words))
    return out


_LABEL = re.compile(r"\b([A-Z][a-z]*)\.?\s$")  # "Article 5", "August 29", "No 10"


def _numbers(text: str) -> list[str]:
    """Counts and amounts: not years, not labels such as "Article 5" or "F-35"."""
    out = []
    for m in _NUMBER.finditer(text):
        number = m.group(0).rstrip(",.")
        if _YEAR.match(number):
            continue
        label = _LABEL.search(text, max(0, m.start() - 20), m.start())
        if number[0].isdigit() and label and label.group(1).lower() not in STOPWORDS:
            continue
        out.append(number)
    return out


def has_answer(kind: str | None, text: str, question: str) -> bool:
    """Whether ``text`` holds an entity of type ``kind`` that ``question`` does not mention."""
    if kind is None:
        return False
    asked = _question_words(question)
    q_lower = question.lower()
    if kind == "money":
        return any(m.group(0).lower() not in q_lower for m in _MONEY.finditer(text))
    if kind == "number":
        # a share as a proportion ("what share of ..."), not "a share buyback"
        if re.search(
            r"\b(?:percentage|percent|proportion|share of|(?:what|which) share)\b", q_lower
        ):
            return bool(re.search(r"%|\bper ?cent\b", text, re.IGNORECASE))
        counted = focus(question)
        return any(
            n.lower() not in q_lower and (not counted or _near(text, n, counted))
            for n in _numbers(text)
        )
    if kind == "date":
        return any(m.group(0).lower() not in q_lower for m in _DATE.finditer(text))
    role = role_focus(question) if kind in ("person", "name") else set()
    near_role = _around(text, role) if role else None
    if near_role is not None:  # the sentence mentions the role asked about: a name beside it
        text = near_role
    if kind == "person":
        return any(_new_name(n, asked) for n in _names(text))
    if kind == "place":  # a capitalised word after a locative preposition ("near Lviv")
        if any(_new_name(m.group(1), asked) for m in _LOCATIVE.finditer(text)):
            return True
        if not re.search(r"\b(?:country|countries|nation|nations|nationality)\b", q_lower):
            return False
        # "which country ...?" may be answered by an adjective ("a Turkish company")
    # name: any capitalised word the question lacks, not at the start of a sentence
    for m in _PROPER.finditer(text):
        before = text[: m.start()].rstrip()
        if not before or before.endswith((".", "!", "?", ":", '"', "\u201c")):
            continue
        if _new_name(m.group(0), asked):
            return True
    return False
