"""The speaker check: "X said" / "according to X" must be who the evidence shows saying it.

The span's own speaker, the last speaker named before it (a quote or "he said" continuing),
a role given in apposition, or the document's outlet, author and headline.
"""

from __future__ import annotations

import re

from newsqa.attribution import (
    REPORTING_VERBS,
    Attribution,
    attributions,
    is_author_reference,
    is_outlet_reference,
    same_speaker,
    speaker_names,
)
from newsqa.text import STOPWORDS, name_found, split_sentences, words
from service.verify.evidence import Evidence, split_sentence_texts

_PRONOUN_REACH = 2  # sentences before a span whose names a "he said" in it may refer to
_HEADLINE_WORDS = 12  # a title longer than this is a lead sentence, not a headline
_SUBJECT_REACH = 10  # words before a reporting verb that may name its subject


def _subject_words(text: str) -> set[str]:
    """Lower-cased words within ``_SUBJECT_REACH`` words before a reporting verb in ``text``."""
    toks = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text)
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if tok.lower() in REPORTING_VERBS:
            out.update(w.lower() for w in toks[max(i - _SUBJECT_REACH, 0) : i])
    return out


def _role_shown(role: str, span_speaker: str) -> bool:
    """Whether a span's nameless-headed speaker ("the club's chairman") is the role that the
    sentence gives its speaker in apposition ("the club's chairman, Per Berg, said"): the
    span speaker's last word and its names are all in the role."""
    last = re.findall(r"[A-Za-z]+", span_speaker)[-1:]
    if not last or not last[0].islower():
        return False
    role_words = {w.lower() for w in re.findall(r"[A-Za-z]+", role)}
    return last[0] in role_words and speaker_names(span_speaker) <= speaker_names(role)


_QUOTE = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{12,})[\"\u201d]")


def _quote_sentence(sentence: str, span: str) -> str | None:
    """The sentence of the span that holds the sentence's quotation and names its speaker
    (None when the sentence quotes nothing the span holds, or no one is named there)."""
    for quote in _QUOTE.findall(sentence):
        needle = " ".join(words(quote))
        for start, end in split_sentences(span):
            text = span[start:end]
            found = bool(needle) and needle in " ".join(words(text))
            if found and any(not a.pronoun for a in attributions(text)):
                return text
    return None


def speaker_shown(who: Attribution, ev: Evidence, role: str = "", sentence: str = "") -> bool:
    """Whether the evidence shows ``who`` saying the span's claim (``role``: the phrase in
    apposition before the speaker in the sentence, if any)."""
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
    key = speaker_names(speaker) or {w for w in words(speaker) if w not in STOPWORDS}
    quoted = _quote_sentence(sentence, ev.span)
    if quoted is not None:  # the span says who said these very words
        named = [a.speaker for a in attributions(quoted) if not a.pronoun]
        return any(same_speaker(speaker, s) for s in named) or bool(key & _subject_words(quoted))
    if any(same_speaker(speaker, a.speaker) for a in in_span):
        return True
    if role and any(_role_shown(role, a.speaker) for a in in_span):
        return True
    # a long subject ("X, under scrutiny in Y, declared") is read loosely: the speaker's names,
    # or its head noun, close before a reporting verb of the span
    if key & _subject_words(ev.span):
        return True
    if in_span:  # the span names someone else as its speaker
        return False
    earlier = [a for a in attributions(ev.before) if not a.pronoun]
    if earlier and same_speaker(speaker, earlier[-1].speaker):
        return True  # a quote or "he said" continues the last named speaker
    if any(a.pronoun for a in attributions(ev.span)) and speaker_names(speaker):
        # "he said": the speaker is one named just before the span
        recent = " ".join(split_sentence_texts(ev.before)[-_PRONOUN_REACH:]).lower()
        return all(name_found(n, recent) for n in speaker_names(speaker))
    if earlier:
        return False
    context = f"{ev.before} {ev.span}".lower()
    return bool(speaker_names(speaker)) and all(
        name_found(n, context) for n in speaker_names(speaker)
    )
