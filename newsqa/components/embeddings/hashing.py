"""A deterministic, dependency-free embedder for fast unit tests (hashed word features)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from newsqa.settings import Settings

_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Bag of hashed lower-cased words and bigrams, L2-normalised. Not semantic; deterministic."""

    model_id = "hash-256"
    dimension = 256

    @classmethod
    def from_settings(cls, settings: Settings) -> HashEmbedder:
        return cls()

    def _bucket(self, token: str) -> int:
        return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w.lower() for w in _WORD.findall(text)]
            for token in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                out[row, self._bucket(token) % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
