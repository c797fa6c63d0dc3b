"""Answer-time verification: align a sentence to the span it restates, then check it locally.

``align`` finds the one or two source sentences a generated sentence restates (or those its
quote points to); ``checks`` compares the sentence with that span only (numbers, names,
polarity, modality, speaker, content words the span lacks); ``entailment`` optionally asks a
chat model whether the span entails the sentence. ``service.answering.verification`` wires
them to answers and passages.
"""

from __future__ import annotations

from service.verify.config import VerifyConfig

__all__ = ["VerifyConfig"]
