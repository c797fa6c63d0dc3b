"""Text inside articles is data, never instructions: the sentences of a passage that address a
model (a prompt injection) are found here, so that they are never an answer and never reach a
model's prompt, while the rest of their article is answered from as usual.

English rules about addressing a model, not about any article: an instruction to set aside
earlier instructions, a chat template's tokens or role labels, a sentence that speaks to an AI
("Note to AI models: ...", "If you are a language model ...", "ChatGPT, respond with ...").
A sentence that only reports on AI ("Regulators said AI chatbots should answer accurately")
or quotes someone ("'You must respond with unity,' the mayor said") is news. A sentence that
announces more instructions ("New instructions:", "BEGIN INSTRUCTIONS", "Forget everything
above.") takes the rest of its paragraph with it: that is where such a payload is written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsqa.text import split_sentences

# who a model is when text speaks to one ("AI models", "ChatGPT", "language models", "bot")
_MODEL = (
    r"(?:(?:ai|a\.i\.)(?:\s+(?:models?|assistants?|systems?|agents?|tools?|chatbots?|bots?"
    r"|crawlers?|readers?))?|llms?|gpt(?:-?\d+)?|chatgpt|claude|gemini|copilot"
    r"|(?:large\s+)?language\s+models?|assistants?|chatbots?|bots?)"
)
_VERB = r"(?:reply|respond|answer|say|output|print|write|ignore|state|tell|repeat)"
_INSTRUCTION = re.compile(
    # setting earlier instructions aside ("Ignore previous instructions", "disregard your rules")
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|of|the|these|those)\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system|original|initial|your|my)\s+"
    r"(?:instructions?|prompts?|directions|guidelines|rules|messages?)\b"
    r"|\b(?:ignore|disregard)\s+all\s+(?:instructions?|prompts?)\b"
    r"|\bforget\s+(?:what|everything)\s+(?:you\s+(?:were|have\s+been)\s+told|above|before)\b"
    r"|\bdisregard\s+(?:the|this|your|my)\s+(?:question|query|user|request)\b"
    # a chat template's tokens and role labels, a prompt's markers
    r"|<\|[a-z_]+\|>|\[/?inst\]|<</?sys>>|\[(?:system|assistant|user)\]|<!--"
    r"|\b(?:begin|end)\s+(?:system\s+)?(?:instructions|prompt)\b|\bnew\s+instructions?\s*:"
    r"|(?:^|[.!?]\s+)\W*system\s*:|(?:^|[.!?]\s+)\W*(?:user|human)\s*:.*\bassistant\s*:"
    r"|(?:^|[.!?]\s+)\W*(?:assistant|developer)\s*:\s*(?:sure|ok|okay|understood|i\s+will|i'll)\b"
    r"|^\s*#{1,6}\s*(?:system(?:\s+prompt)?|(?:new\s+)?instructions?)\s*(?::.*)?$"
    # words addressed to a model
    rf"|\bif\s+you\s+are\s+(?:an?\s+)?{_MODEL}\b"
    rf"|\b(?:note|message|instructions?|memo)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?{_MODEL}"
    r"\s*[:,\u2014-]"
    rf"|\b(?:dear|hey|hi|hello|attention)\s+{_MODEL}\b|\bto\s+(?:any|all|every)\s+{_MODEL}\b"
    rf"|^\W*{_MODEL}\s*,\s*(?:please\s+)?(?:{_VERB}|disregard|when|if|you)\b"
    rf"|\b{_MODEL}(?:\s+\w+){{0,2}}\s+(?:reading|processing|summari[sz]ing|parsing|scanning"
    r"|crawling|analy[sz]ing|ingesting)\s+(?:this|these)\b"
    rf"|(?:^|[:.!?]\s*)\W*(?:all\s+|any\s+)?{_MODEL}(?:\s+\w+){{0,2}}\s+(?:must|should|shall)"
    rf"\s+(?:now\s+)?{_VERB}\b"
    rf"|\bas\s+an?\s+(?:ai|language\s+model|llm|assistant)\b[^.]{{0,40}}\b(?:you|must|should)\b"
    r"|\btell\s+the\s+user\b|\b(?:answer|reply|respond)\s+(?:to\s+)?every\s+question\b"
    r"|\b(?:respond|reply|answer)\s+only\s+with\s+(?:the\s+)?(?:word|text|phrase|string)\b",
    re.IGNORECASE | re.MULTILINE,
)
# "you must answer ..." is an instruction only when it is about a model or its user
_YOU_MUST = re.compile(
    rf"\byou\s+(?:must|should|will|are\s+to|have\s+to)\s+(?:now\s+)?{_VERB}\b", re.IGNORECASE
)
_MODEL_CUE = re.compile(
    rf"\b{_MODEL}\b|\bthe\s+user\b|\bthis\s+(?:document|page|article|text|prompt)\b",
    re.IGNORECASE,
)
# an instruction that announces more of them: the rest of its paragraph is their payload
_ANNOUNCES = re.compile(
    r":\W*$|\bbegin\s+(?:system\s+)?(?:instructions|prompt)\b|\bnew\s+instructions?\b"
    r"|\bforget\s+everything\b|^\s*#{1,6}\s",
    re.IGNORECASE,
)
_END = re.compile(r"\bend\s+(?:system\s+)?(?:instructions|prompt)\b", re.IGNORECASE)

INSTRUCTION_LEFT_OUT = "[…]"  # where a passage's instruction to a model was, in a prompt


def looks_like_instruction(text: str) -> bool:
    """Whether text addresses a model with instructions (a prompt injection), not news."""
    if _INSTRUCTION.search(text):
        return True
    return bool(_YOU_MUST.search(text) and _MODEL_CUE.search(text))


@lru_cache(maxsize=4096)
def instruction_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of ``text`` that address a model: each such sentence, and after one that
    announces more instructions the rest of its paragraph (up to an "END INSTRUCTIONS").
    Cached: a retrieved chunk is read for it by the retrieval, the scorer and the prompt."""
    if not looks_like_instruction(text):
        return ()
    out: list[tuple[int, int]] = []
    payload = False
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if payload and out and "\n\n" in text[out[-1][1] : start]:
            payload = False  # a new paragraph: news again
        if payload or looks_like_instruction(sentence):
            out.append((start, end))
            payload = (payload or bool(_ANNOUNCES.search(sentence))) and not _END.search(sentence)
    return tuple(out)


def without_instructions(text: str) -> str:
    """``text`` with its spans that address a model replaced by ``INSTRUCTION_LEFT_OUT``."""
    spans = instruction_spans(text)
    if not spans:
        return text
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], INSTRUCTION_LEFT_OUT]
        at = end
    out.append(text[at:])
    return "".join(out)


def only_instructions(text: str) -> bool:
    """Whether nothing but instructions to a model (and punctuation) is left of ``text``."""
    rest = without_instructions(text).replace(INSTRUCTION_LEFT_OUT, " ")
    return not re.search(r"\w", rest)
