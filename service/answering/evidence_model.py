"""The fitted evidence model: the feature names and the logistic-regression weights and
thresholds that ``python -m eval.calibrate`` writes to ``evidence_model.json``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("evidence_model.json")

SENTENCE_FEATURES = (
    "similarity",  # cosine of the sentence and the question
    "similarity_gap",  # how far below the best candidate's similarity
    "context_similarity",  # best cosine of a neighbouring sentence
    "coverage",  # IDF-weighted share of the question's content words in the sentence
    "context_coverage",  # ... in the sentence plus a neighbour
    "coverage_gap",  # how far below the best candidate's coverage
    "typed",  # holds the kind of thing asked for (number, date, person, place, name): text cues
    "entity_typed",  # ... by the named entities found at ingest
    "kind_asked",  # the question asks for such a thing
    "names_found",  # share of the question's names in the sentence and its neighbours
    "passage_rank",  # 0 for the first retrieved passage, 1 for the last
    "passage_score",  # cosine of the passage and the question
    "lead",  # the first sentence of its document
    "headline",  # no final punctuation (headlines, captions, list items)
    "log_length",  # log of the sentence length in characters
)
QUESTION_FEATURES = (
    "best_p",  # best sentence probability
    "second_p",  # second best
    "best_similarity",
    "best_coverage",
    "best_typed_p",  # best probability among sentences holding what is asked
    "kind_asked",
    "names_missing",  # share of the question's names found in no retrieved passage
    "names_unknown",  # some name of the question is in no document of the index
    "best_passage_score",
    "best_context_coverage",  # best coverage of a sentence with a neighbour
    "union_coverage",  # share (IDF) of the question's words found in any candidate
    "best_typed_coverage",  # best coverage of a sentence (with a neighbour) holding what is asked
    "top_typed",  # the most probable sentence holds what is asked (0 for open questions)
    "top2_typed",  # one of the two most probable sentences does
    "several_parts",  # the question is in several parts (each sentence covers a part of it)
)


@dataclass(frozen=True)
class EvidenceModel:
    """Logistic-regression weights for sentences and questions, and the fitted thresholds."""

    sentence_weights: list[float]
    sentence_bias: float
    question_weights: list[float]
    question_bias: float
    answerable_threshold: float  # p_answerable at or above this → answer
    keep_ratio: float  # extra sentences need p >= keep_ratio * best p ...
    keep_min: float  # ... and p >= keep_min
    clear_threshold: float = 1.0  # p_answerable from which extractive answers are right >= 95%
    ask_threshold: float = 0.2  # p_answerable under every answerable `fit` question: nothing here
    fitted_on: str = ""

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> EvidenceModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def sentence_p(self, features: list[float]) -> float:
        return _sigmoid(float(np.dot(self.sentence_weights, features)) + self.sentence_bias)

    def question_p(self, features: list[float]) -> float:
        return _sigmoid(float(np.dot(self.question_weights, features)) + self.question_bias)


@lru_cache(maxsize=4)
def load_model(path: str = "") -> EvidenceModel:
    """The fitted model at ``path`` (the shipped one when empty)."""
    return EvidenceModel.load(Path(path) if path else MODEL_PATH)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 30.0), -30.0)))
