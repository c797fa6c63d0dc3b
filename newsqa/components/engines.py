"""Registry of answer engines (implemented in ``service.answering``); each factory takes the
engine's parts (``service.answering.EngineParts``)."""

from __future__ import annotations

from typing import Any

from newsqa.registry import Registry

ENGINES: Registry[Any] = Registry(
    "answer engine",
    {
        "extractive": "service.answering.extractive:ExtractiveEngine.from_parts",
        "openai": "service.answering.generative:OpenAIEngine.from_parts",
        "local": "service.answering.generative:LocalEngine.from_parts",
    },
)
