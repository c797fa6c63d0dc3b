"""Reported speech: who says a sentence's claim ("X said", "according to X", "said X").

Plain English rules only: a reporting verb next to a noun phrase, "according to" before one,
and the inverted order after a quote ('"...," said X'). Used by answer verification (the
speaker of a generated sentence must be the speaker of the passage it restates, or the
document's outlet, title or author) and by citations (``speaker`` / ``reported_by``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs that introduce reported speech (all forms written out: no stemming needed).
_VERBS = """
    say says said saying tell tells told add adds added state states stated announce announces
    announced warn warns warned claim claims claimed note notes noted write writes wrote
    explain explains explained insist insists insisted argue argues argued confirm confirms
    confirmed report reports reported acknowledge acknowledges acknowledged admit admits admitted
    declare declares declared predict predicts predicted estimate estimates estimated deny denies
    denied allege alleges alleged suggest suggests suggested urge urges urged concede concedes
    conceded reveal reveals revealed assert asserts asserted maintain maintains maintained
    comment comments commented recall recalls recalled respond responds responded reply replies
    replied testify testifies testified disclose discloses disclosed believe believes believed
    ask asks asked
"""
REPORTING_VERBS = _wordset(_VERBS)
PRONOUNS = _wordset("he she they it we i you who which one")
# Nouns that stand for the document's own outlet ("the newspaper reports").
OUTLET_NOUNS = _wordset(
    """publication newspaper paper magazine outlet agency broadcaster network website site
    journal daily weekly report article newsletter channel station piece column editorial"""
)
# ... and nouns that stand for the document itself only when they name no outlet ("the post"
# of a newsgroup, "the story"), since outlets are named with them ("the Washington Post").
DOCUMENT_NOUNS = _wordset("post story blog")
# Nouns that stand for the document's author ("the writer argues").
AUTHOR_NOUNS = _wordset("writer author poster columnist reporter correspondent blogger")
# Titles and roles written before a name: not a name themselves when speakers are compared.
TITLES = _wordset(
    """mr mrs ms miss dr prof professor sir dame lord lady president prime minister premier
    senator sen rep gov governor gen general lt col maj capt sgt chief judge justice magistrate
    mayor secretary spokesman spokeswoman spokesperson director minister chairman chairwoman
    officer agent inspector detective superintendent commissioner ambassador king queen prince
    princess pope bishop father sheikh rev deputy acting former executive leader"""
)
_CLAUSE_VERBS = frozenset(["are", "were", "is", "was", "have", "had", "has", "will", "would"])
# '..., said the minister': an inverted speaker opens with an article or a name ("said that
# previously, ..." is reported speech with no speaker after the verb)
_INVERTED_OPENERS = frozenset({"the", "a", "an", "its", "his", "her", "their"})
_WORDS = re.compile(r"\b[A-Za-z][A-Za-z'-]+\b")
_ARTICLES = frozenset({"the", "a", "an", "this", "that", "its", "his", "her", "their"})
# Words that end a speaker phrase when reading backwards from the verb.
_STOP_BACK = _wordset(
    """that and but or as when while because if though although since after before so then
    which who where also has have had was were is are be been being will would could can may
    might should must not never did does do just"""
)
_PREPOSITIONS = _wordset("in on at of for to from with by about over under into during")
_PASSIVE = frozenset({"was", "were", "been", "being", "is", "are", "be", "am", "get", "got"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019.-]*[A-Za-z]|[A-Za-z]|[,;:.!?\"\u201c\u201d()\u2014]")
_MAX_WORDS = 8
# Verbs that also mean something else ("wrote the music", "added salt"): reported speech only
# when a clause or quote follows them.
_NEEDS_CLAUSE = _wordset("write writes wrote add adds added ask asks asked")
# "told them to leave" / "urged him to stay" report an instruction, not a claim
_INSTRUCTING = _wordset("tell tells told urge urges urged ask asks asked")
_INSTRUCTION_REACH = 4  # words between such a verb and its "to"
_CLAUSE_OPENERS = frozenset({"that", ",", ":", '"', "\u201c"})


@dataclass(frozen=True)
class Attribution:
    """One reported-speech phrase: ``speaker`` as written, the verb, and offsets in the text.

    ``start``/``end`` cover the speaker phrase; ``phrase`` covers speaker and verb together
    (what a claim is once its attribution is taken away: text outside ``phrase``).
    """

    speaker: str
    verb: str
    start: int
    end: int
    phrase: tuple[int, int]

    @property
    def pronoun(self) -> bool:
        return is_pronoun(self.speaker)


def is_pronoun(speaker: str) -> bool:
    """Whether a speaker phrase is only a pronoun ("he", "they")."""
    return speaker.strip().lower() in PRONOUNS


def speaker_names(speaker: str) -> set[str]:
    """The capitalised words of a speaker phrase, lower-cased, without titles and roles."""
    found = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", speaker)
    out = set()
    for word in found:
        low = word.lower().replace("\u2019", "'").removesuffix("'s")
        if low in PRONOUNS:  # "It also announced ...": a pronoun, capitalised, is no name
            continue
        if word[0].isupper() and low not in TITLES and low not in _ARTICLES and len(low) > 1:
            out.add(low)
    return out


def _head(speaker: str) -> str:
    """The last lower-case word of a phrase without names ("the company" → "company")."""
    lowers = [w.lower() for w in re.findall(r"[A-Za-z]+", speaker) if w[0].islower()]
    lowers = [w for w in lowers if w not in _ARTICLES]
    return lowers[-1] if lowers else ""


def is_outlet_reference(speaker: str) -> bool:
    """Whether a speaker phrase without names stands for the outlet ("the newspaper")."""
    head = _head(speaker).rstrip("s")
    return not speaker_names(speaker) and (head in OUTLET_NOUNS or head in DOCUMENT_NOUNS)


def is_author_reference(speaker: str) -> bool:
    """Whether a speaker phrase without names stands for the document's author ("the writer")."""
    return not speaker_names(speaker) and _head(speaker) in AUTHOR_NOUNS


def same_speaker(a: str, b: str) -> bool:
    """Whether speaker phrases ``a`` and ``b`` can be the same person or body.

    Names decide when both have some (one shared name is enough: "Senator Greig" and "Brian
    Greig"); otherwise the head nouns must agree ("the company" and "company officials" do not
    need to: a phrase without names matches any phrase whose words contain its head).
    """
    names_a, names_b = speaker_names(a), speaker_names(b)
    if names_a and names_b:
        return bool(names_a & names_b)
    if names_a:  # a named speaker is not shown by a nameless phrase
        return False
    head = _head(a)
    words_b = {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]+", b)}
    return bool(head) and head.rstrip("s") in words_b


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_word(tok: str) -> bool:
    return tok[0].isalpha()


def _backward(toks: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """Token range [lo, i) of the noun phrase ending just before token ``i``."""
    lo = i
    while lo > 0 and i - lo < _MAX_WORDS:
        word = toks[lo - 1][0]
        if not _is_word(word) or word.lower() in _STOP_BACK or word.lower() in REPORTING_VERBS:
            break
        lo -= 1
    if lo == i:
        return None
    # "Last week the Bureau of Meteorology said": start at the last article or preposition
    for j in range(i - 1, lo - 1, -1):
        word = toks[j][0].lower()
        if word in _ARTICLES and j > lo:
            return j, i
        if word in _PREPOSITIONS and not (word == "of" and j > lo and toks[j - 1][0][0].isupper()):
            return (j + 1, i) if j + 1 < i else None
    return lo, i


def _forward(toks: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """Token range [i, hi) of a noun phrase starting at token ``i`` (until punctuation)."""
    hi = i
    while hi < len(toks) and hi - i < _MAX_WORDS:
        word = toks[hi][0]
        if word == "." and _initial(toks, hi):  # "the U. S. envoy": initials go on
            hi += 1
            continue
        if not _is_word(word) or (hi > i and word.lower() in _STOP_BACK | {"on", "in", "at"}):
            break
        hi += 1
    return (i, hi) if hi > i else None


def _with_apposed_name(
    text: str, toks: list[tuple[str, int, int]], found: tuple[int, int]
) -> tuple[int, int]:
    """'said the director of the centre, Colonel Oksana Bilyk': a role without a name takes
    the name given after it (the speaker is the person, not "director")."""
    lo, hi = found
    if speaker_names(text[toks[lo][1] : toks[hi - 1][2]]) or hi + 1 >= len(toks):
        return found
    if toks[hi][0] != "," or not toks[hi + 1][0][:1].isupper():
        return found
    named = _forward(toks, hi + 1)
    if named and speaker_names(text[toks[named[0]][1] : toks[named[1] - 1][2]]):
        return lo, named[1]
    return found


def _initial(toks: list[tuple[str, int, int]], dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an initial followed by a capitalised word."""
    before = toks[dot - 1][0] if dot > 0 else ""
    after = toks[dot + 1][0] if dot + 1 < len(toks) else ""
    chain = dot >= 2 and toks[dot - 2][0] == "."  # "U. S." / "U.N." : the last initial
    return (
        len(before) == 1 and before.isupper() and (after[:1].isupper() or (chain and bool(after)))
    )


def _relative_clause_start(toks: list[tuple[str, int, int]], i: int) -> int | None:
    """For ``X, who/which ..., <verb>`` or ``X, speaking ..., <verb>`` at token ``i``: the
    index of the comma after X."""
    for j in range(i - 2, max(i - 2 - 2 * _MAX_WORDS, 0), -1):
        if toks[j][0] in {";", ":", '"', "\u201c", "\u201d"}:
            return None
        if toks[j][0] == ",":
            following = toks[j + 1][0].lower() if j + 1 < len(toks) else ""
            clause = following in {"who", "which"} or (
                following.endswith("ing") and following not in REPORTING_VERBS
            )
            return j if clause else None
    return None


def _instruction(toks: list[tuple[str, int, int]], i: int) -> bool:
    """Whether the verb at ``i`` takes an object and "to" + a verb: an instruction."""
    for tok, _, _ in toks[i + 1 : i + 2 + _INSTRUCTION_REACH]:
        low = tok.lower()
        if low in _CLAUSE_OPENERS:
            return False
        if low == "to":
            return True
    return False


def attributions(text: str) -> list[Attribution]:
    """Every reported-speech phrase in ``text``, in order."""
    toks = _tokens(text)
    out: list[Attribution] = []

    def add(lo: int, hi: int, verb: str, phrase: tuple[int, int]) -> None:
        start, end = toks[lo][1], toks[hi - 1][2]
        speaker = text[start:end].strip()
        # a speaker has a word other than a determiner ("the 12th member" says nothing)
        wordy = any(w.lower() not in _ARTICLES for w in _WORDS.findall(speaker))
        if speaker and wordy and not any(a.start == start for a in out):
            out.append(Attribution(speaker, verb, start, end, phrase))

    for i, (tok, t_start, t_end) in enumerate(toks):
        low = tok.lower()
        nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
        if low == "according" and nxt.lower() == "to" and i + 2 < len(toks):
            found = _forward(toks, i + 2)
            if found:
                add(*found, "according to", (t_start, toks[found[1] - 1][2]))
            continue
        if low not in REPORTING_VERBS:
            continue
        prev = toks[i - 1][0] if i > 0 else ""
        if tok[0].isupper() and prev and prev not in {".", "!", "?", '"', "\u201c", ":"}:
            continue  # part of a name: "the United States will ...", "Reports Inc."
        if prev.lower() in _PASSIVE:
            continue
        # '"...," wrote X' is reported speech too (the quote ends just before the verb)
        quoted = prev in {",", '"', "\u201d"}
        if low in _NEEDS_CLAUSE and nxt.lower() not in _CLAUSE_OPENERS and not quoted:
            continue
        if low in _INSTRUCTING and _instruction(toks, i):
            continue
        # inverted: '"...," said X' / '..., says the minister'
        if prev in {",", '"', "\u201d"} and nxt and _is_word(nxt):
            found = _forward(toks, i + 1)
            # "..., said Iraq and Russia were close": a clause's subject, not a speaker
            then = [w.lower() for w, _, _ in toks[found[1] : found[1] + 3]] if found else []
            subject = then[:1] == ["and"] and any(w in _CLAUSE_VERBS for w in then[1:])
            if (
                found
                and not subject
                and (toks[found[0]][0][0].isupper() or toks[found[0]][0] in _INVERTED_OPENERS)
            ):
                found = _with_apposed_name(text, toks, found)
                add(*found, low, (t_start, toks[found[1] - 1][2]))
                continue
        back = _backward(toks, i - 1 if prev == "," else i)
        if back is None:
            continue
        lo, hi = back
        # relative clause: "The company, which makes drones, said" → "The company"
        rel = _relative_clause_start(toks, i) if prev == "," else None
        if rel is not None:
            found = _backward(toks, rel)
            if found is None:
                continue
            lo, hi = found
        # appositive: "X, the director, said" → the speaker is X (with the role)
        if (
            not speaker_names(text[toks[lo][1] : toks[hi - 1][2]])
            and lo >= 2
            and toks[lo - 1][0] == ","
            and prev == ","
        ):
            named = _backward(toks, lo - 1)
            if named and speaker_names(text[toks[named[0]][1] : toks[named[1] - 1][2]]):
                lo = named[0]
        if all(t[0].lower() in _ARTICLES for t in toks[lo:hi]):
            continue
        if hi > lo:
            add(lo, hi, low, (toks[lo][1], t_end))
    return out


def speaker_of(text: str) -> str | None:
    """The speaker of ``text``'s first reported-speech phrase (a named one if there is any)."""
    found = attributions(text)
    named = [a for a in found if not a.pronoun]
    if named:
        return named[0].speaker
    return found[0].speaker if found else None


def without_attribution(text: str) -> str:
    """``text`` with its reported-speech phrases ("X said", "according to X") removed."""
    out, last = [], 0
    for a in sorted(attributions(text), key=lambda a: a.phrase[0]):
        if a.phrase[0] >= last:
            out.append(text[last : a.phrase[0]])
            last = a.phrase[1]
    out.append(text[last:])
    joined = re.sub(r"(?:\s*,)+\s*([,.;:!?]|$)", r"\1", "".join(out))
    return re.sub(r"\s{2,}", " ", joined).strip(" ,")
