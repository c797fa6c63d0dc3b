"""Settings validation and the backend registries."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from newsqa.components.embeddings import EMBEDDINGS
from newsqa.components.embeddings.hashing import HashEmbedder
from newsqa.components.engines import ENGINES
from newsqa.components.store import STORES
from newsqa.errors import ConfigError
from newsqa.registry import Registry
from newsqa.settings import Settings


def test_defaults_are_offline() -> None:
    settings = Settings(_env_file=None)
    assert settings.embeddings == "onnx"
    assert settings.engine == "extractive"
    assert settings.store_mode == "embedded"


@pytest.mark.parametrize("field", ["engine", "embeddings"])
def test_unknown_mode_lists_valid_modes(field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(**{field: "nope"}, _env_file=None)
    message = str(info.value)
    assert "valid modes" in message and "nope" in message


def test_env_prefix_and_key_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSQA_ENGINE", "openai")
    monkeypatch.setenv("NEWSQA_API_KEYS", "a, b,,c")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = Settings(_env_file=None)
    assert settings.engine == "openai"
    assert settings.api_keys == ["a", "b", "c"]
    assert settings.openai_api_key == "sk-test"


def test_several_workers_need_a_chroma_server() -> None:
    with pytest.raises(ValidationError, match="one worker"):
        Settings(workers=2, _env_file=None)
    assert Settings(workers=2, chroma_url="http://127.0.0.1:9", _env_file=None).workers == 2


def test_registries_name_their_modes() -> None:
    assert EMBEDDINGS.modes == ["hash", "onnx", "openai"]
    assert ENGINES.modes == ["extractive", "local", "openai"]
    assert STORES.modes == ["embedded", "server"]
    registry: Registry[int] = Registry("thing", {"one": "builtins:int"})
    assert registry.create("one", "7") == 7
    with pytest.raises(ConfigError, match="valid modes: one"):
        registry.create("two")


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashEmbedder()
    first = embedder.embed(["Kyiv buys fighters", "Russia objects"])
    again = embedder.embed(["Kyiv buys fighters", "Russia objects"])
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)


def test_onnx_embedder_ranks_related_text_higher() -> None:
    from newsqa.components.embeddings import get_embedder

    embedder = get_embedder(Settings(_env_file=None))
    vectors = embedder.embed(
        [
            "Which fighter jets does Kyiv plan to buy?",
            "Kyiv agreed to purchase up to 150 Swedish-made Gripen fighters.",
            "The harbour reopened after the storm.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
