"""Embeddings through any OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from newsqa.errors import BackendError, ConfigError

if TYPE_CHECKING:
    from newsqa.settings import Settings


class OpenAIEmbedder:
    """Calls ``client.embeddings.create``; vectors are L2-normalised here."""

    def __init__(
        self,
        model: str,
        base_url: str | None,
        api_key: str | None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        batch_size: int = 64,
    ) -> None:
        from openai import OpenAI

        if not base_url and not api_key:
            raise ConfigError(
                "embeddings mode 'openai' needs NEWSQA_OPENAI_BASE_URL or NEWSQA_OPENAI_API_KEY"
            )
        self._client = OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=max_retries,
        )
        self.model = model
        self.model_id = f"openai:{model}"
        self.batch_size = batch_size
        self.dimension = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIEmbedder:
        embedder = cls(
            settings.openai_embedding_model,
            settings.openai_base_url,
            settings.openai_api_key,
            settings.openai_timeout_s,
            settings.openai_max_retries,
        )
        embedder.dimension = int(embedder.embed(["dimension probe"]).shape[1])
        return embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        from openai import OpenAIError

        rows: list[list[float]] = []
        try:
            for begin in range(0, len(texts), self.batch_size):
                response = self._client.embeddings.create(
                    model=self.model, input=texts[begin : begin + self.batch_size]
                )
                rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        except OpenAIError as exc:
            raise BackendError(f"embeddings server failed: {exc}") from exc
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        matrix = np.asarray(rows, dtype=np.float32)
        return matrix / np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
