"""The one text toolkit: tokens, stopwords, stems, numbers, names, sentences, citation markers.

Used by ingest, the service, the eval suite and the UI, so that "a word", "a sentence" and "a
marker" mean the same thing everywhere. Plain English rules only; nothing here knows a corpus.
"""

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
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
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
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12,
}  # fmt: skip

# Ordinals that are not also common words ("first", "second" are left out).
ORDINALS = {
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "hundredth": 100,
}  # fmt: skip

_SUFFIXES = frozenset(["st", "nd", "rd", "th"])
_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
    "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10,
}  # fmt: skip

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


def content_stems(text: str) -> list[str]:
    """Stems of the non-stopword words of ``text`` (order kept, duplicates kept)."""
    toks = [w.split("'")[0] for w in words(text)]
    toks = [w for w in toks if w and w not in STOPWORDS and len(w) > 1]
    return list(_stemmer().stemWords(toks)) if toks else []


def numbers(text: str) -> set[str]:
    """Numbers written with digits, normalised (``1,500`` → ``1500``)."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


# Verbs (as stems) that deny what follows them: "denied taking", "failed to reach".
NEGATION_VERBS = frozenset(["deni", "deny", "reject", "refus", "fail"])
_TURN = frozenset(["turn", "turns", "turned", "turning"])  # "turn down": a denying verb
_SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
# Abbreviated scales: "$1.5bn", "2 tn", "£3m" (an "m" only after a currency sign: "100m" may be
# metres); written out before numbers are read.
_ABBREVIATED = (
    (re.compile(r"(\d)\s?bn\b", re.IGNORECASE), r"\1 billion"),
    (re.compile(r"(\d)\s?tn\b", re.IGNORECASE), r"\1 trillion"),
    (re.compile(r"([$\u20ac\u00a3\u00a5]\s?\d[\d,.]*)\s?m\b"), r"\1 million"),
)
# a multiple written as one word: "sevenfold" / "10-fold" is the number seven / 10
_MULTIPLE = re.compile(r"\b([A-Za-z]+|\d+)-?fold\b", re.IGNORECASE)
_DIGIT_FRACTION = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:rds?|ths?|nds?|sts?)?(?![\d/])")
_NUM_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|%")
_CLAUSE_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*|[,;:.!?]")


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _word_number(run: list[str]) -> float:
    total, current = 0.0, 0.0
    for word in run:
        value = NUMBER_WORDS[word]
        if word == "hundred":
            current = max(current, 1) * 100
        elif value >= 1000:
            total += max(current, 1) * value
            current = 0
        else:
            current += value
    return total + current


def _digits(tok: str) -> float | None:
    """The value of a digit token ("1,500", "2.5", "2,5" with a decimal comma); None when it
    is no single number ("1.202.4")."""
    try:
        if tok.count(",") and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", tok):
            return float(tok.replace(",", "."))  # a decimal comma
        return float(tok.replace(",", ""))
    except ValueError:
        return None


def number_values(text: str, loose: bool = False) -> set[str]:
    """Numbers in digits or words, normalised: ``1,500``/``fifteen hundred`` → ``1500``,
    ``twenty-five`` → ``25``, ``1.5 million`` → ``1500000``, ``40 per cent``/``40%`` → ``40%``,
    ``third``/``3rd`` → ``#3`` (an ordinal), ``two-thirds`` → ``2/3`` (a fraction), ``$1.5bn``
    → ``1500000000``.

    A lone "one" is usually a pronoun ("one of them") and counts only when ``loose``; ``loose``
    also adds each percentage's bare number and each scaled number's mantissa, so that text
    read as evidence matches the ways a restatement may write it.
    """
    out: set[str] = set()
    for pattern, written in _ABBREVIATED:
        text = pattern.sub(written, text)
    text = _MULTIPLE.sub(r"\1 fold", text)
    for m in _DIGIT_FRACTION.finditer(text):  # "2/3", "2/3rds" = "two-thirds"
        top, bottom = int(m.group(1)), int(m.group(2))
        out.add(f"{top}/{bottom}")
        if loose and 0 < top < bottom:  # a share of a whole
            share = round(100 * top / bottom)
            out.update({f"{share}%", str(share)})
    toks = [t.lower() for t in _NUM_TOKEN.findall(_DIGIT_FRACTION.sub(" ", text))]
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok[0].isdigit():
            parsed = _digits(tok)
            if parsed is None:  # "1.202.4", "1,2,3": a version or a label, compared as written
                out.add(tok)
                i += 1
                continue
            value, j = parsed, i + 1
        elif (
            tok in ("a", "an")
            and toks[i + 1 : i + 3]
            and toks[i + 1] in _DENOMINATORS
            and (toks[i + 2 : i + 3] == ["of"])
        ):  # "a third of them" → "1/3"
            out.add(f"1/{_DENOMINATORS[toks[i + 1]]}")
            i += 2
            continue
        elif tok in ORDINALS:  # "the third largest" = "the 3rd largest": "#3", not 3
            out.add(f"#{ORDINALS[tok]}")
            if loose and tok in _DENOMINATORS:  # or "a third" (of something)
                out.add(f"1/{_DENOMINATORS[tok]}")
            i += 1
            continue
        elif tok in NUMBER_WORDS:
            j = i
            while j < len(toks) and (toks[j] in NUMBER_WORDS or toks[j] == "and" and j > i):
                j += 1
            while toks[j - 1] == "and":
                j -= 1
            run = [w for w in toks[i:j] if w != "and"]
            value = _word_number(run)
            if j < len(toks) and toks[j] in _DENOMINATORS:  # "two-thirds" → "2/3"
                out.add(f"{_fmt(value)}/{_DENOMINATORS[toks[j]]}")
                if loose:  # evidence: "three-quarters" supports "75%"
                    share = round(100 * value / _DENOMINATORS[toks[j]])
                    out.update({f"{share}%", str(share)})
                i = j + 1
                continue
            if run == ["one"] and not loose:
                i = j
                continue
        else:
            i += 1
            continue
        if tok[0].isdigit() and j < len(toks) and toks[j] in _SUFFIXES:  # "49th" → "#49"
            out.add(f"#{_fmt(value)}")
            i = j + 1
            continue
        mantissa = value
        if j < len(toks) and toks[j] in _SCALES and tok[0].isdigit():
            value, j = value * _SCALES[toks[j]], j + 1
            if loose:
                out.add(_fmt(mantissa))
        if j < len(toks) and (toks[j] in {"%", "percent"} or toks[j : j + 2] == ["per", "cent"]):
            out.add(_fmt(value) + "%")
            if loose:
                out.add(_fmt(value))
            j += 2 if toks[j] == "per" else 1
        else:
            out.add(_fmt(value))
        i = j
    return out


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


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens by referring back, after a linking word too ("And this ...")."""
    return bool(REFERS_BACK.match(_LINKED.sub("", sentence, count=1)))


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


# Abbreviations that are (almost) never the end of a sentence: titles and ranks before a name.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "maj", "capt",
    "cpt", "sgt", "cmdr", "adm", "brig", "pres", "amb", "st", "rev", "hon", "fr", "messrs",
    "no", "nos", "vs", "v", "cf", "approx", "est", "fig", "vol", "ca",
}  # fmt: skip
# Abbreviations that may end a sentence: merge only when the next "sentence" starts lowercase.
_ABBREV = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:etc|inc|corp|ltd|co|jr|sr|e\.g|i\.e|jan|feb|mar|apr|jun|jul"
    r"|aug|sep|sept|oct|nov|dec)\.)['\")\]]*$",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"(?:^|[\s(\[\"'])([A-Za-z]+)\.$")
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _boundaries(paragraph: str) -> list[int]:
    """Sentence start offsets inside one paragraph, from blingfire (0 always included)."""
    import blingfire

    try:
        _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
    except Exception:  # blingfire rejects e.g. lone surrogates: keep the paragraph whole
        return [0]
    starts = [0]
    for begin, _end in offsets[1:]:
        if starts[-1] < begin <= len(paragraph):
            starts.append(begin)
    return starts


def _should_merge(previous: str, current: str) -> bool:
    """True when blingfire split after an abbreviation or left a tiny fragment."""
    if len(current) <= 3 or not any(ch.isalnum() for ch in current):
        return True
    word = _LAST_WORD.search(previous)
    if word and word.group(1).lower() in _TITLES and len(word.group(1)) <= 6:
        return word.group(1).lower() not in {"no", "v", "st", "est", "ca"} or current[0].isdigit()
    if _ABBREV.search(previous):
        return current[0].islower() or current[0].isdigit()
    return previous.endswith(("...", "\u2026")) and current[0].islower()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences; none crosses a blank line; spans exclude whitespace."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraph_spans(text):
        p_start, p_end = _strip(text, p_start, p_end)
        if p_start >= p_end:
            continue
        paragraph = text[p_start:p_end]
        starts = _boundaries(paragraph)
        pieces: list[tuple[int, int]] = []
        for k, begin in enumerate(starts):
            finish = starts[k + 1] if k + 1 < len(starts) else len(paragraph)
            s, e = _strip(text, p_start + begin, p_start + finish)
            if s >= e:
                continue
            if pieces and _should_merge(text[pieces[-1][0] : pieces[-1][1]], text[s:e]):
                pieces[-1] = (pieces[-1][0], e)
            else:
                pieces.append((s, e))
        if len(pieces) > 1 and len(text[pieces[0][0] : pieces[0][1]]) <= 3:
            pieces[0:2] = [(pieces[0][0], pieces[1][1])]
        spans.extend(pieces)
    return spans
