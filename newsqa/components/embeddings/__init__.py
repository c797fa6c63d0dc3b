"""Embedding backends: one protocol, a registry keyed by ``NEWSQA_EMBEDDINGS``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from newsqa.registry import Registry

if TYPE_CHECKING:
    from newsqa.settings import Settings


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (rows of a float32 array)."""

    model_id: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


EMBEDDINGS: Registry[Embedder] = Registry(
    "embeddings",
    {
        "onnx": "newsqa.components.embeddings.onnx:OnnxMiniLM.from_settings",
        "openai": "newsqa.components.embeddings.openai:OpenAIEmbedder.from_settings",
        "hash": "newsqa.components.embeddings.hashing:HashEmbedder.from_settings",
    },
)

_cache: dict[tuple[str, str], Embedder] = {}


def get_embedder(settings: Settings) -> Embedder:
    """The embedder for ``settings.embeddings``, loaded once per process."""
    key = (settings.embeddings, settings.openai_embedding_model)
    if key not in _cache:
        _cache[key] = EMBEDDINGS.create(settings.embeddings, settings)
    return _cache[key]
