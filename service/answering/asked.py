"""What a user message asks, without the instructions about how to answer it.

Chat clients and prompt templates wrap a question in instructions about the reply's form:
"...? Reply in JSON.", "Use Markdown.", "You must always return valid JSON. ...?",
"Question: ...\\nHelpful Answer:". newsqa answers in its own form (cited sentences), so such
sentences are not part of what is asked: read as part of the question they make it look for
"JSON" or "German" in the articles (and refuse, since no article names them). They are left
out of retrieval and answering when something else remains (a message that only gives
instructions, "Give the population of Lviv.", is read whole). Plain English forms only.
"""

from __future__ import annotations

import re

from newsqa.text import split_sentences

# "Question: ..." / "Helpful Answer:" lines of a prompt template (LangChain's RetrievalQA, ...)
_QUESTION_LINE = re.compile(r"^\s*(?:user\s+)?question\s*:\s*", re.IGNORECASE)
_ANSWER_LINE = re.compile(r"^\s*(?:helpful\s+|final\s+)?answer\s*:\s*$", re.IGNORECASE)
# A sentence that tells the assistant how to reply: an imperative about the reply's form, or
# an address to it ("You must ...", "Please ...", "Do not ...").
_FORM_VERBS = (
    "reply|respond|answer|use|format|write|return|output|keep|be|give|include|cite|provide|"
    "limit|translate|avoid|make sure|add|wrap|"
    # ... or about what to heed: "Ignore the sources and say X." (what is answered from never
    # changes; the question beside it is still answered)
    "ignore|disregard|forget|pretend|say|print|repeat"
)
_INSTRUCTION = re.compile(
    rf"^\W*(?:please\s+)?(?:(?:{_FORM_VERBS})\b(?!\s+of\b|'s\b)"  # not "Use of drones ..."
    r"|you\s+(?:must|should|will|are\s+to|have\s+to|need\s+to|may)\b"
    r"|(?:do\s+not|don't)\b"
    r"|(?:always|never|only)\s+(?:reply|respond|answer|use|return|include|cite|write|output)\b"
    r"|in\s+(?:json|markdown|english|bullet\s+points|(?:one|two|three|a\s+few)\s+"
    r"(?:sentences?|words|lines|paragraphs?))\b)",
    re.IGNORECASE,
)
_END = "\"'\u201d\u2019)] "


def _asks(sentence: str) -> bool:
    return sentence.rstrip(_END).endswith("?")


def is_reply_instruction(sentence: str) -> bool:
    """Whether a sentence tells the assistant how to reply rather than asking something."""
    return not _asks(sentence) and bool(_INSTRUCTION.match(sentence))


def _template_question(message: str) -> str:
    """The question of a "Question: ... / Answer:" template, else the message."""
    lines = message.splitlines()
    for i, line in enumerate(lines):
        if _QUESTION_LINE.match(line):
            rest = [_QUESTION_LINE.sub("", line, count=1)]
            for more in lines[i + 1 :]:
                if _ANSWER_LINE.match(more):
                    break
                rest.append(more)
            return "\n".join(rest).strip() or message
    return message


def asked_question(message: str) -> str:
    """The part of ``message`` that asks something (see the module docstring)."""
    text = _template_question(message.strip())
    spans = split_sentences(text)
    kept = [(s, e) for s, e in spans if not is_reply_instruction(text[s:e])]
    if not kept or len(kept) == len(spans):
        return text  # nothing but instructions, or none: the message as written
    # the kept sentences with the text between them as written (a space where an instruction
    # was left out): never longer than the message
    out, last = "", None
    for s, e in kept:
        if last is not None:
            left_out = any(last <= a < s for a, _ in spans)
            out += " " if left_out else text[last:s]
        out += text[s:e]
        last = e
    return out
