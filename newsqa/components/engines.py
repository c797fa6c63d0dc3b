"""Registry of answer engines (implemented in ``service.answering``)."""

from __future__ import annotations

from typing import Any

from newsqa.registry import Registry

ENGINES: Registry[Any] = Registry(
    "answer engine",
    {
        "extractive": "service.answering.extractive:ExtractiveEngine.from_state",
        "openai": "service.answering.generative:OpenAIEngine.from_state",
        "local": "service.answering.generative:LocalEngine.from_state",
    },
)
