"""Sentence spans and sentence-aligned, overlapping chunks with exact character offsets."""

from __future__ import annotations

from newsqa.text import PARAGRAPH_BREAK as _PARAGRAPH_BREAK
from newsqa.text import split_sentences
from newsqa.types import Chunk

__all__ = ["chunk_text", "split_sentences"]


def _paragraph_ids(text: str, spans: list[tuple[int, int]]) -> list[int]:
    ids: list[int] = []
    para = 0
    for k, (start, _end) in enumerate(spans):
        if k and _PARAGRAPH_BREAK.search(text, spans[k - 1][1], start):
            para += 1
        ids.append(para)
    return ids


def chunk_text(
    doc_id: str,
    text: str,
    max_chars: int = 700,
    min_chars: int = 150,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Group whole consecutive sentences into overlapping chunks of at most ``max_chars``.

    A sentence longer than ``max_chars`` is a chunk of its own. A chunk stops at a paragraph
    break once it has ``min_chars``; the next chunk repeats the last ``overlap_sentences``
    sentences of the previous one when they are in the same paragraph and fit.
    """
    spans = split_sentences(text)
    paras = _paragraph_ids(text, spans)
    chunks: list[Chunk] = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans):
            if spans[last + 1][1] - spans[first][0] > max_chars:
                break
            if paras[last + 1] != paras[last] and spans[last][1] - spans[first][0] >= min_chars:
                break
            last += 1
        start, end = spans[first][0], spans[last][1]
        index = len(chunks)
        chunks.append(Chunk(f"{doc_id}:{index:04d}", doc_id, index, text[start:end], start, end))
        if last + 1 >= len(spans):
            break
        nxt = last + 1
        back = max(nxt - overlap_sentences, first + 1)
        while back < nxt and (
            paras[back] != paras[nxt] or spans[nxt][1] - spans[back][0] > max_chars
        ):
            back += 1
        first = back
    return chunks
