"""One settings object for the whole project (env prefix ``NEWSQA_``, ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """All configuration. Every field can be set as ``NEWSQA_<FIELD>`` or in ``.env``."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSQA_", env_file=".env", extra="ignore", validate_default=True
    )

    # Index and corpus
    index_dir: Path = Path("data/index")
    articles_dir: Path = Path("data/articles")
    collection: str = "newsqa"
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); embedded store if unset"
    )

    # Ingest
    max_file_bytes: int = Field(
        default=5_000_000,
        gt=0,
        description="larger files are skipped at ingest (a long article as PDF is under 5 MB)",
    )
    chunk_max_chars: int = Field(default=700, ge=200)
    chunk_min_chars: int = Field(default=150, ge=0)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=3)
    # "pooled": chunk vectors are the length-weighted mean of their sentence vectors (one
    # embedding pass for both indexes); "embedded": chunks are embedded whole (a second pass).
    chunk_vectors: Literal["pooled", "embedded"] = "pooled"

    # Named entities, found at ingest for every sentence: "spacy" (en_core_web_sm) or "none"
    ner: str = Field(
        default="none",
        description="named-entity tagger of sentences at ingest: none | spacy (pip install"
        " newsqa[ner]); spaCy measured no better than text cues (docs/calibration.md)",
    )

    # Embeddings
    embeddings: str = "onnx"
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    openai_embedding_model: str = "text-embedding-3-small"

    # Answer engine
    engine: str = "extractive"
    openai_base_url: str | None = None
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("NEWSQA_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_model: str = "gpt-4o-mini"
    openai_timeout_s: float = Field(default=30.0, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    local_model_path: Path | None = None
    local_n_ctx: int = 4096
    local_threads: int = 2
    # Retrieval: reciprocal rank fusion of chunk vectors, best-sentence vectors and BM25.
    rrf_k: int = Field(default=60, ge=1, description="RRF damping (the usual 60)")
    fusion_weights: tuple[float, float, float] = Field(
        default=(1.0, 1.0, 1.0), description="RRF weights: chunk dense, sentence dense, BM25"
    )
    evidence_model_path: Path | None = Field(
        default=None, description="fitted evidence weights (default: the shipped model)"
    )
    refusal_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="p_answerable below this: refuse; unset: the threshold fitted on dev `fit`",
    )
    refuse_unknown_names: bool = Field(
        default=True,
        description="refuse when the question names something no document contains"
        " (dev + seed: 0 of 286 answerable questions, 10 of 95 unanswerable)",
    )
    max_answer_sentences: int = Field(default=4, ge=1, le=12)
    spelling: bool = Field(
        default=True,
        description="read a misspelt lower-case question word that no article has as the "
        "dictionary's correction when an article has that (changes 1 of 755 dev questions)",
    )
    follow_up_test: bool = Field(
        default=True,
        description="read a question with the previous turn only when it points back to it or "
        "names nothing of its own (docs/calibration.md: a new subject was answered worse)",
    )

    # Verification (values fitted on the `fit` judge pairs: eval/calibrate_verifier.py,
    # docs/verification.md "Verifier")
    verify_min_similarity: float = Field(
        default=0.5, ge=-1.0, le=1.0, description="cosine to the aligned span; below: off topic"
    )
    verify_min_coverage: float = Field(
        default=0.4, ge=0.0, le=1.0, description="share of claim content words in the span"
    )
    verify_max_missing: int = Field(
        default=4, ge=0, description="content words of the claim the span may lack (paraphrase)"
    )
    verify_max_missing_asked: int = Field(
        default=1, ge=0, description="words the claim shares with the question the span may lack"
    )
    verify_clause_coverage: float = Field(
        default=0.67, ge=0.0, le=1.0, description="share of a because/after/to clause in the span"
    )
    verify_widen_margin: float = Field(
        default=0.0, ge=0.0, le=1.0, description="overlap gain to align two sentences, not one"
    )
    verify_name_context: int = Field(
        default=0, ge=0, le=5, description="sentences beside the span where its names may be"
    )
    verify_role_reach: int = Field(
        default=2, ge=0, le=8, description="content words between a name and what it does; 0: off"
    )
    verify_align_reach: int = Field(
        default=1, ge=1, le=10, description="how far apart two sentences a claim joins may be"
    )
    verify_span_sentences: int = Field(
        default=3, ge=1, le=6, description="most sentences a claim's aligned span may join"
    )
    verify_content_context: int = Field(
        default=2, ge=0, le=10, description="sentences beside the span whose words count partly"
    )
    verify_context_weight: float = Field(
        default=0.0, ge=0.0, le=1.0, description="a claim word found only beside the span"
    )
    verify_borrow_names: bool = Field(
        default=False, description="names beside the span count when it names no one else"
    )
    verify_anchor_reach: int = Field(
        default=4, ge=0, le=12, description="words around a number or name matched elsewhere"
    )
    verify_anchor_share: float = Field(
        default=0.6, ge=0.0, le=1.0, description="share of them a sentence off the span needs"
    )
    verify_negation_scope: int = Field(
        default=2, ge=1, le=12, description="content words after a negation that it covers"
    )
    verify_judge: Literal["off", "auto", "on"] = Field(
        default="auto", description="entailment judge: auto = on when an LLM engine is configured"
    )
    verify_judge_trial: int = Field(
        default=3,
        ge=0,
        description="checks (a plainly stated claim) the judge's model may fail to answer yes "
        "before it is set aside (until it says yes the local checks decide alone); 0: no check",
    )

    # LLM path
    llm_provider: str | None = Field(
        default=None,
        description="another LangChain provider for init_chat_model; unset: OpenAI wire format",
    )
    llm_structured_output: bool = Field(
        default=True,
        description="ask OpenAI-compatible servers for JSON sentences with quotes, not [n] text",
    )
    llm_max_tokens: int = Field(default=400, ge=16, description="answer length cap: CPU latency")
    llm_ask_above: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="p_answerable below this: refuse, ask no model; unset: the fitted level"
        " under every answerable dev `fit` question",
    )
    llm_gate_above: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="p_answerable from this: the extractive answer may stand in for the model's;"
        " unset: the level fitted on dev `fit` where extractive answers are right >= 95%",
    )
    llm_role: Literal["answer", "check"] = Field(
        default="answer",
        description="answer: the model writes the answer (verified); check: the model reads the"
        " sources, its refusal stands, otherwise the extractive answer is served (docs/llm.md)",
    )
    llm_clear_answer: Literal["auto", "extractive", "model"] = Field(
        default="auto",
        description="from llm_gate_above: serve the extractive answer without asking the model"
        " (extractive), or ask it (model); auto: extractive for the local engine, where a small"
        " model measured less accurate there (docs/llm.md), model for openai",
    )

    # API
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(
        default=2_000_000,
        gt=0,
        description="request bodies above this get a 413: a long article is well under 2 MB, "
        "and a client cannot make a worker hold more in memory",
    )

    # UI
    api_url: str = "http://127.0.0.1:8000"
    ui_port: int = Field(default=8501, ge=1, le=65535)

    # Workers, keyword index and rate limits (docs/scaling.md)
    keyword_index: str = Field(default="bm25", description="keyword backend: bm25, chroma-sparse")
    keyword_delta_max: int = Field(
        default=2000, ge=1, description="chunks in the BM25 delta segment before a merge"
    )
    chroma_ef_search: int = Field(
        default=300,
        ge=10,
        le=2000,
        description="HNSW candidates a vector query keeps: at Chroma's 100 a top-40 sentence"
        " query missed close neighbours, differently from one process to the next",
    )
    chroma_timeout_s: float = Field(
        default=30.0, gt=0, description="limit on one request to a Chroma server (then 503)"
    )
    rate_limit: str | None = Field(
        default=None,
        description="per API key (else per client address) on /ask, /search and "
        "/v1/chat/completions, e.g. '60/minute' or '5/second;300/hour'; unset: no limit",
    )
    rate_limit_storage: str = Field(
        default="memory://", description="`limits` storage URI; memory:// counts per worker"
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("chroma_url", "openai_base_url", "rate_limit", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str | None) -> str | None:
        if value:
            from limits import parse_many

            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(f"{exc}; write e.g. '60/minute' or '5/second;300/hour'") from exc
        return value

    @model_validator(mode="after")
    def _check_modes(self) -> Settings:
        from newsqa.components.embeddings import EMBEDDINGS
        from newsqa.components.engines import ENGINES
        from newsqa.components.ner import NER

        EMBEDDINGS.check(self.embeddings)
        NER.check(self.ner)
        ENGINES.check(self.engine)
        from newsqa.components.keyword import KEYWORD_INDEXES

        KEYWORD_INDEXES.check(self.keyword_index)
        if self.workers > 1 and not self.chroma_url:
            raise ValueError(
                "the embedded Chroma store allows one worker only; "
                "set NEWSQA_CHROMA_URL to a Chroma server to run several workers"
            )
        return self

    @property
    def store_mode(self) -> str:
        return "server" if self.chroma_url else "embedded"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated once."""
    return Settings()
