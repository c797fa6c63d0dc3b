"""The ``llm`` judge: an OpenAI-compatible model extracts claims, then gives a verdict per claim.

Replies are parsed robustly (code fences, surrounding prose, trailing commas); anything that
cannot be parsed is an "unknown" verdict, never "supported".
"""

from __future__ import annotations

import json
import re
from typing import Any

from eval.judges import SUPPORTED, UNKNOWN, UNSUPPORTED, Judge, Verdict

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_VERDICT_FIELD = re.compile(r"[\"']?verdict[\"']?\s*[:=]\s*[\"']?([A-Za-z _-]+)", re.IGNORECASE)


def parse_json(text: str) -> Any | None:
    """The first JSON object or array in a model reply (fences, prose, trailing commas ok)."""
    if not isinstance(text, str):
        return None
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for variant in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            for index, char in enumerate(variant):
                if char not in "{[":
                    continue
                try:
                    value, _ = decoder.raw_decode(variant, index)
                except json.JSONDecodeError:
                    continue
                if isinstance(value, dict | list):
                    return value
    return None


def parse_claims(text: str) -> list[str] | None:
    """Claims from a reply: ``{"claims": [...]}`` or a bare list; None if unparseable.

    Items may be strings or objects with a ``claim``/``text``/``statement`` string.
    """
    value = parse_json(text)
    if isinstance(value, dict):
        value = value.get("claims", value.get("statements"))
    if not isinstance(value, list):
        return None
    claims: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = next((item[k] for k in ("claim", "text", "statement") if k in item), None)
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            return None
        if str(item).strip():
            claims.append(str(item).strip())
    return claims


_YES = {"supported", "support", "yes", "true", "entailed", "entailment", "entails"}
_NO = {"unsupported", "not supported", "not_supported", "no", "false", "contradicted",
       "contradiction", "not entailed", "refuted", "neutral"}  # fmt: skip


def _label(value: object) -> Verdict:
    if isinstance(value, bool):
        return SUPPORTED if value else UNSUPPORTED
    if isinstance(value, str):
        key = " ".join(value.strip().lower().replace("-", " ").split())
        if key in _YES:
            return SUPPORTED
        if key in _NO or key.replace(" ", "_") in _NO:
            return UNSUPPORTED
    return UNKNOWN


def parse_verdict(text: str) -> Verdict:
    """``{"verdict": "supported"|"unsupported"}`` (or ``{"supported": bool}``); else unknown."""
    value = parse_json(text)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        for key in ("verdict", "label", "supported", "answer"):
            if key in value:
                return _label(value[key])
        return UNKNOWN
    match = _VERDICT_FIELD.search(text or "")
    return _label(match.group(1)) if match else UNKNOWN


CLAIMS_PROMPT = (
    "Split the sentence into short, self-contained factual claims. Reply with JSON only, "
    'in the form {{"claims": ["...", "..."]}}.\nSentence: {sentence}'
)
VERDICT_PROMPT = (
    "Context:\n{context}\n\nClaim: {claim}\n\nIs the claim fully supported by the context "
    'alone? Reply with JSON only: {{"verdict": "supported"}} or {{"verdict": "unsupported"}}.'
)


CLAIMS_SCHEMA = {
    "type": "object",
    "properties": {"claims": {"type": "array", "items": {"type": "string"}, "maxItems": 8}},
    "required": ["claims"],
}
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["supported", "unsupported"]}},
    "required": ["verdict"],
}


class LLMJudge(Judge):
    """Claim extraction then one verdict per claim from an OpenAI-compatible chat model."""

    name = "llm"

    def __init__(
        self,
        client: Any,
        model: str,
        max_claims: int = 6,
        max_tokens: int = 256,
        structured: bool = True,
    ) -> None:
        super().__init__()
        self.client = client
        self.model = model
        self.max_claims = max_claims
        self.max_tokens = max_tokens
        self.structured = structured

    @classmethod
    def from_settings(cls, settings: Any) -> LLMJudge:
        from openai import OpenAI

        client = OpenAI(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key or "not-needed",
            timeout=settings.openai_timeout_s,
            max_retries=settings.openai_max_retries,
        )
        return cls(client, settings.openai_model)

    def ensure_reachable(self) -> None:
        """``BackendError`` unless the judge's server answers (every verdict would otherwise
        be "unknown", and every answer scored unfaithful)."""
        from newsqa.errors import BackendError

        try:
            self.client.models.list()
        except Exception as exc:  # noqa: BLE001 - any failure: no judge to ask
            where = getattr(self.client, "base_url", "the OpenAI API")
            raise BackendError(
                f"the llm judge's server ({where}) cannot be reached: {exc}. Set "
                "NEWSQA_OPENAI_BASE_URL, NEWSQA_OPENAI_MODEL (and NEWSQA_OPENAI_API_KEY), or use "
                "--judge lexical"
            ) from None

    def _chat(self, prompt: str, schema: dict[str, Any] | None = None) -> str | None:
        """The reply text, or None when the call fails. Asks for JSON-schema output first
        (OpenAI, llama.cpp, vLLM support it) and falls back to a plain request if refused."""
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        if schema is not None and self.structured:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "reply", "schema": schema},
            }
        try:
            reply = self.client.chat.completions.create(**kwargs)
            return reply.choices[0].message.content or ""
        except Exception as exc:  # noqa: BLE001 - any transport/model failure is unknown
            refused = getattr(exc, "status_code", None) in (400, 404, 415, 422, 501)
            if "response_format" not in kwargs or not refused:
                return None
            self.structured = False  # the server rejects response_format: ask plainly
            return self._chat(prompt, None)

    def claims(self, sentence: str) -> list[str] | None:
        reply = self._chat(CLAIMS_PROMPT.format(sentence=sentence), CLAIMS_SCHEMA)
        return None if reply is None else parse_claims(reply)

    def _judge(self, sentence: str, passages: list[str]) -> Verdict:
        claims = self.claims(sentence)
        if claims is None:
            return UNKNOWN
        claims = (claims or [sentence])[: self.max_claims]
        context = "\n\n".join(passages)
        verdicts = []
        for claim in claims:
            reply = self._chat(VERDICT_PROMPT.format(context=context, claim=claim), VERDICT_SCHEMA)
            verdicts.append(UNKNOWN if reply is None else parse_verdict(reply))
        if UNSUPPORTED in verdicts:
            return UNSUPPORTED
        return SUPPORTED if all(v == SUPPORTED for v in verdicts) else UNKNOWN
