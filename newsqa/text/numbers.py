"""Numbers in digits or words, normalised so that two texts' numbers can be compared."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
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
# spans of years written as a word: "a decade" is ten years, "two centuries" 200 (evidence only)
_SPANS = {"decade": 10, "decades": 10, "century": 100, "centuries": 100}
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


def numbers(text: str) -> set[str]:
    """Numbers written with digits, normalised (``1,500`` → ``1500``)."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


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
            before = toks[i - 1] if i else ""
            # evidence: "a decade" supports "ten years" (not "the 20th century": a date)
            if loose and tok in _SPANS and before not in _SUFFIXES and before not in ORDINALS:
                count = NUMBER_WORDS.get(before) or (_digits(before) if before[:1].isdigit() else 1)
                out.add(_fmt((count or 1) * _SPANS[tok]))
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
