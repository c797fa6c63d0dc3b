"""Sentence splitting and chunking: exact offsets, whole sentences, bounds, coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_text, split_sentences
from ingest.cleaning import clean_text
from newsqa.types import Chunk

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def check_sentences(text: str) -> list[tuple[int, int]]:
    spans = split_sentences(text)
    covered = [False] * len(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert not PARAGRAPH_BREAK.search(piece)
        covered[start:end] = [True] * (end - start)
        previous_end = end
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))  # nothing dropped
    return spans


def check_chunks(text: str, chunks: list[Chunk], max_chars: int, doc_id: str = "d_t") -> None:
    spans = check_sentences(text)
    starts = {start for start, _ in spans}
    ends = {end for _, end in spans}
    for index, chunk in enumerate(chunks):
        assert chunk.text == text[chunk.start : chunk.end]
        assert (chunk.chunk_id, chunk.doc_id, chunk.index) == (
            f"{doc_id}:{index:04d}",
            doc_id,
            index,
        )
        assert chunk.start in starts and chunk.end in ends  # never cuts a sentence
        inside = [s for s in spans if chunk.start <= s[0] and s[1] <= chunk.end]
        assert len(chunk.text) <= max_chars or len(inside) == 1
        if index:
            assert chunks[index - 1].start < chunk.start and chunks[index - 1].end < chunk.end
    for start, end in spans:  # full coverage
        assert any(c.start <= start and end <= c.end for c in chunks)
    assert bool(chunks) == bool(spans)


VOCABULARY = "the U.S. Mr. Adm. Lt. Gen. $1 billion Kyiv NATO said war drones 10% e.g. No. 5"
WORDS = st.sampled_from([*VOCABULARY.split(), "Ukraine's", '"quoted"', "(aside)", "-", "\u2013"])
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORDS, min_size=1, max_size=30),
    st.sampled_from([".", "?", "!", '."', "...", "", ":"]),
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
DOCUMENT = st.builds(
    lambda paras, sep: sep.join(paras),
    st.lists(PARAGRAPH, min_size=0, max_size=8),
    st.sampled_from(["\n\n", "\n \n", "\n", "\n\n\n"]),
)


@settings(max_examples=150, deadline=None)
@given(
    DOCUMENT,
    st.integers(min_value=20, max_value=400),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=3),
)
def test_chunk_invariants(text: str, max_chars: int, min_chars: int, overlap: int) -> None:
    chunks = chunk_text("d_t", text, max_chars, min_chars, overlap)
    check_chunks(text, chunks, max_chars)
    assert chunk_text("d_t", text, max_chars, min_chars, overlap) == chunks


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=300))
def test_arbitrary_text_never_breaks_offsets(text: str) -> None:
    check_chunks(text, chunk_text("d_t", text, 60, 20, 1), 60)


def test_abbreviations_and_quotes() -> None:
    text = (
        "Retired Adm. James Foggo said the U.S. and its allies agreed. Retired Lt. Gen. Keith "
        'Kellogg called them "just noise." Mr. Smith paid $1 billion. The U.S. Congress met. '
        'He said the U.S. "would help them ... by air." It ended.'
    )
    assert sentences_of(text) == [
        "Retired Adm. James Foggo said the U.S. and its allies agreed.",
        'Retired Lt. Gen. Keith Kellogg called them "just noise."',
        "Mr. Smith paid $1 billion.",
        "The U.S. Congress met.",
        'He said the U.S. "would help them ... by air."',
        "It ended.",
    ]


def test_tiny_fragments_merge_and_paragraphs_split() -> None:
    assert sentences_of("A. B. Done now.") == ["A. B. Done now."]
    assert sentences_of("First one here.\n\n  Second one here.  \n") == [
        "First one here.",
        "Second one here.",
    ]
    assert split_sentences("") == [] and split_sentences(" \n\n ") == []
    assert chunk_text("d_x", "   ") == []


def test_long_sentence_is_its_own_chunk() -> None:
    long = "Many " + "word " * 150 + "end."
    text = f"Short start here. {long} Short end here."
    chunks = chunk_text("d_x", text, max_chars=200, min_chars=50, overlap_sentences=1)
    assert [c.text for c in chunks] == ["Short start here.", long, "Short end here."]


def test_overlap_and_paragraph_preference() -> None:
    para = " ".join(f"Sentence number {i} is here." for i in range(12))
    text = f"{para}\n\n{para}"
    chunks = chunk_text("d_x", text, max_chars=200, min_chars=50, overlap_sentences=1)
    check_chunks(text, chunks, 200, "d_x")
    for before, after in zip(chunks, chunks[1:], strict=False):
        same_paragraph = "\n\n" not in text[before.start : after.end]
        if same_paragraph:
            assert after.start < before.end  # one sentence of overlap
    assert all("\n\n" not in c.text for c in chunks)  # each paragraph is long enough alone
    headline = chunk_text("d_x", "Short headline\n\n" + para, 200, 50, 1)
    assert headline[0].text.startswith("Short headline\n\nSentence number 0")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_real_articles(prefix: str) -> None:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    text = clean_text(path.read_text(encoding="utf-8")).text
    chunks = chunk_text("d_real", text, 700, 150, 1)
    check_chunks(text, chunks, 700, "d_real")
    assert len(chunks) >= 5
    assert all(len(c.text) <= 700 for c in chunks)


def test_a_run_on_sentence_is_cut_so_its_end_is_still_a_chunk_of_its_own() -> None:
    """Text without full stops (a list run on with commas, a pasted blob) is cut at clause
    marks into pieces the embedder reads whole: no 2 MB chunk, and the last fact is found."""
    from newsqa.text.sentences import MAX_SENTENCE_CHARS

    text = ", ".join(f"item {i} of the list" for i in range(3000)) + ", and the harbour opened."
    chunks = chunk_text("d", text)
    assert max(len(c.text) for c in chunks) <= MAX_SENTENCE_CHARS
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].text.endswith("and the harbour opened.")
    blob = "x" * 2500  # no space at all: cut hard, nothing lost
    assert "".join(c.text for c in chunk_text("b", blob, overlap_sentences=0)) == blob
