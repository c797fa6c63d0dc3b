"""Words: tokens, stopwords, stems, negation, names, coverage and citation markers."""

from __future__ import annotations

import math
import re
import threading
import unicodedata

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom whose why will with would you your yours yourself
    yourselves many much does did according said says say tell told us via per may might must
    shall one ones ever yet still whether within without upon"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
MARKERS = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")


# Words that flip or deny a claim (a word ending in "n't" negates too).
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "neither",
        "nor",
        "cannot",
        "without",
        "none",
        "nothing",
        "nobody",
        "nowhere",
    ]
)

_local = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """One Snowball stemmer per thread (stemmer objects are not thread-safe)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


# words (case kept, letters of any script, inner apostrophes and hyphens) and numbers
# ("1,500", "2.5", "40%"), in order
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['\u2019-][^\W_]+)*")


def tokens(text: str) -> list[str]:
    """Word and number tokens as written (case kept): "Zürich's 1,500 new-build homes" ->
    ["Zürich's", "1,500", "new-build", "homes"]."""
    return _TOKEN.findall(text)


def stem(word: str) -> str:
    """The Snowball stem of one word, lower-cased ("Reports" -> "report"), without a
    possessive "'s" ("Zürich's" -> "zürich"; "O'Brien" stays whole)."""
    low = word.lower().replace("\u2019", "'")
    low = (low[:-2] if low.endswith("'s") else low).rstrip("'")
    return str(_stemmer().stemWord(low)) if low else ""


def content_stems(text: str) -> list[str]:
    """Stems of the non-stopword words of ``text`` (order kept, duplicates kept)."""
    toks = [w.split("'")[0] for w in words(text)]
    toks = [w for w in toks if w and w not in STOPWORDS and len(w) > 1]
    return list(_stemmer().stemWords(toks)) if toks else []


# Verbs (as stems) that deny what follows them: "denied taking", "failed to reach".
NEGATION_VERBS = frozenset(["deni", "deny", "reject", "refus", "fail"])
_TURN = frozenset(["turn", "turns", "turned", "turning"])  # "turn down": a denying verb
_CLAUSE_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*|[,;:.!?]")


def is_negation(word: str) -> bool:
    """Whether a lower-cased word negates ("not", "never", "didn't") or denies ("rejected")."""
    if word in NEGATIONS or word == "unless" or word.endswith(("n't", "n\u2019t")):
        return True
    return bool(word) and _stemmer().stemWord(word) in NEGATION_VERBS


def negated_stems(text: str, scope: int = 4) -> set[str]:
    """Content stems (and numbers): the first ``scope`` after a negation, inside its clause.

    "not only" and "(whether) or not" are no negation. ``bool(negated_stems(a) & stems)``
    compared between two texts says whether they agree in polarity about the same words.
    """
    toks = [t.lower().replace("\u2019", "'") for t in _CLAUSE_TOKEN.findall(text)]
    out: set[str] = set()
    left = 0
    for i, tok in enumerate(toks):
        if not tok[0].isalnum() or tok == "but":
            left = 0
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        phrasal = nxt == "down" and tok in _TURN  # "turned down" the offer: rejected it
        prev = toks[i - 1] if i > 0 else ""
        # "not only" and "whether or not" are no negation
        idle = tok == "not" and (nxt == "only" or prev == "or")
        if (is_negation(tok) and not idle) or phrasal:
            left = scope
            continue
        if left > 0:  # the scope counts content words only
            found = content_stems(tok) if tok[0].isalpha() else [tok.replace(",", "")]
            left -= bool(found)
            out.update(found)
    return out


# A text that opens by referring back to what came before it ("This means ...", "He said").
REFERS_BACK = re.compile(
    r"^\W*(?:he|she|it|they|his|her|its|their|this|these|that|those)\b", re.IGNORECASE
)
_LINKED = re.compile(r"^\W*(?:and|but|so|yet)\s+", re.IGNORECASE)


# "It is noted that ...", "It is unclear whether ...": a dummy "it" that points forward, not back
_DUMMY_IT = re.compile(
    r"^\W*it\s+(?:is|was|has\s+been|had\s+been|will\s+be|would\s+be|seems|seemed|appears"
    r"|appeared|remains|remained)\s+(?:not\s+)?(?:[a-z]+\s+){0,1}[a-z]+\s+(?:that|whether)\b",
    re.IGNORECASE,
)


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens by referring back, after a linking word too ("And this ..."):
    not a dummy "It is noted that ..."."""
    opening = _LINKED.sub("", sentence, count=1)
    return bool(REFERS_BACK.match(opening)) and not _DUMMY_IT.match(opening)


# the end of a sentence before a word: "!", "?", or a full stop after a lower-case word, a long
# capitalised word or a digit (not "U.S. Lab", "Mr. Smith", "Gen. Lee")
_SENTENCE_END = re.compile(r"(?:[!?]|\b(?:[a-z]{2,}|[A-Z][a-z]{3,}|\d+)\.)['\"\u2019\u201d)]?\s+$")


# letters that Unicode does not decompose into a base letter and a mark
_FOLD_EXTRA = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)  # fmt: skip


def fold(text: str) -> str:
    """``text`` without diacritics ("Zürich" -> "Zurich", "Ærøskøbing" -> "AEroskobing"), so that
    a name typed without its accents still matches."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def unpunctuated(text: str) -> bool:
    """A line that ends without a full stop, "!" or "?" (a headline, caption or heading)."""
    return not text.rstrip("\"'\u201d\u2019) ").endswith((".", "!", "?"))


def names(text: str) -> set[str]:
    """Capitalised words that are not stopwords (lower-cased, without diacritics), other than a
    sentence's first word ("However" after a full stop is no name)."""
    out = set()
    text = fold(text)  # one text for the words and the sentence ends before them
    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group(0)
        if m.start() == 0 or _SENTENCE_END.search(text[max(m.start() - 12, 0) : m.start()]):
            continue
        if len(word) > 2 and word.endswith("s") and word[:-1].isupper():
            word = word[:-1]  # an acronym's plural: "EVAs" names what "EVA" does
        if word[0].isupper() and len(word) > 1 and word.lower() not in STOPWORDS:
            out.add(word.lower())
    return out


def name_found(name: str, haystack: str) -> bool:
    """Whether a (lower-cased) name occurs in lower-cased text, allowing a short suffix change
    and diacritics on either side ("zurich" is found in "zürich")."""
    if name in haystack or (len(name) > 5 and name[:-2] in haystack):
        return True
    if name.isascii() and haystack.isascii():
        return False
    name, haystack = fold(name), fold(haystack)
    return name in haystack or (len(name) > 5 and name[:-2] in haystack)


def idf_weights(question_stems: set[str], sentence_stems: list[set[str]]) -> dict[str, float]:
    """BM25-style IDF of each question term over a set of sentences."""
    total = len(sentence_stems)
    out = {}
    for term in question_stems:
        df = sum(term in s for s in sentence_stems)
        out[term] = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
    return out


def local_coverage(
    stems: list[set[str]], q_stems: set[str], idf: dict[str, float], total: float
) -> list[float]:
    """Per sentence: IDF-weighted share of the question's words in it or it plus a neighbour."""

    def cov(terms: set[str]) -> float:
        return sum(idf[t] for t in q_stems & terms) / total

    out = []
    for i, own in enumerate(stems):
        best = cov(own)
        if i > 0:
            best = max(best, cov(own | stems[i - 1]))
        if i + 1 < len(stems):
            best = max(best, cov(own | stems[i + 1]))
        out.append(best)
    return out


def markers(text: str) -> list[int]:
    """The numbers of every ``[n]`` / ``[n, m]`` marker in ``text``, in order."""
    return [int(n) for m in MARKERS.findall(text) for n in re.findall(r"\d+", m)]


def strip_markers(text: str) -> str:
    """``text`` without citation markers (and without the space before them)."""
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKERS.sub("", text)).strip()


# a web address with a host, on one line: what an article's ``url`` may be (a ``javascript:``,
# ``data:`` or ``file:`` one would be handed on to clients as a link)
WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+[^\s]*\Z", re.IGNORECASE)
