"""LLM engines: any LangChain chat model (``newsqa.components.chat``), verified as it streams.

The model is asked for JSON sentences with quotes where the server supports JSON-schema output
(OpenAI-compatible servers: OpenAI, vLLM, llama.cpp), otherwise for ``[n]``-marked text. Each
sentence is verified as soon as it is complete and only then passed on, so a client never sees
text that verification removes. When the question asks for a kind of thing (a number, date,
person, place or name) and the evidence alone does not clearly answer, verified sentences are
held back until one states such a thing; if none does, the answer is a refusal (a related fact
is no answer). A model's own refusal is a refusal. When nothing the model
wrote can be verified, the response refuses, unless the extractive engine's answer passes its
own gate: then the extractive engine answers (so it does when the backend fails), and
``notice`` says so. With ``llm_clear_answer`` ``extractive`` (``auto``: for the
in-process ``local`` model) a clearly answerable question gets the extractive answer and the
model is not asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from newsqa.components.chat import chat_model, default_model_path, is_openai_compatible
from service.answering import Draft, DraftSentence, EngineParts, Passage
from service.answering.cited import Checker
from service.answering.compose import is_follow_up
from service.answering.extractive import REFUSAL, ExtractiveEngine
from service.answering.gate import clearly_answerable, extractive_answers
from service.answering.llm_answer import AnswerRun, mentions, ms, states
from service.answering.prompts import RESPONSE_FORMAT, answer_messages, rewrite_messages
from service.schemas import Turn
from service.verify.config import VerifyConfig
from service.verify.entailment import EntailmentJudge, judge_enabled

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from newsqa.components.embeddings import Embedder
    from newsqa.settings import Settings

__all__ = ["LocalEngine", "OpenAIEngine", "default_model_path"]

MODEL_REFUSED = "the model found no answer in the sources"
UNVERIFIED = "no sentence of the LLM answer could be verified against the sources"
NOT_STATED = (
    "no verified sentence of the LLM answer states the kind of thing asked for, and the evidence"
    " does not clearly answer"
)
CLEAR_EXTRACTIVE = (
    "the evidence clearly answers: the extractive answer is served without asking the model"
)
MODEL_CHECKED = (
    "the model read the sources and found an answer there; the extractive answer is served"
    " (llm_role=check)"
)
CHECK_REFUSED = (
    "the extractive engine's gate refuses, and with llm_role=check the model may only refuse:"
    " it is not asked"
)
ASKED_FOR_ADDED = (
    "the LLM answer did not state what was asked; the evidence sentence that does is added"
)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _text(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


class OpenAIEngine:
    """A chat model behind the OpenAI wire format (or another LangChain provider)."""

    name = "openai"
    clear_answer = "model"  # ``llm_clear_answer=auto``: a remote model may be anything

    def __init__(
        self,
        embedder: Embedder,
        fallback: ExtractiveEngine,
        settings: Settings,
        llm: BaseChatModel | None = None,
    ) -> None:
        self.embedder = embedder
        self.settings = settings
        self.fallback = fallback
        self.structured = self.settings.llm_structured_output and is_openai_compatible(
            self.settings
        )
        self.verify_config = VerifyConfig.from_settings(self.settings)
        self._llm = llm
        self._judge: EntailmentJudge | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_parts(cls, parts: EngineParts, llm: BaseChatModel | None = None) -> OpenAIEngine:
        """The engine built from the embedder, an extractive engine (its fallback and gate)
        and the settings; ``llm`` replaces the configured chat model (tests, cached replies)."""
        return cls(parts.embedder, ExtractiveEngine.from_parts(parts), parts.settings, llm)

    @property
    def llm(self) -> BaseChatModel:
        with self._lock:
            if self._llm is None:
                self._llm = chat_model(self.settings, max_tokens=self.settings.llm_max_tokens)
            return self._llm

    @property
    def judge(self) -> EntailmentJudge | None:
        """The entailment judge (``verify_judge``): the answering model, asked yes or no."""
        if self._judge is None and judge_enabled(self.settings):
            model = cast(Any, self.llm.bind(max_tokens=4))
            self._judge = EntailmentJudge(model, self.settings.verify_judge_trial)
        return self._judge

    # -- engine protocol ------------------------------------------------------------------
    def standalone(self, question: str, history: list[Turn]) -> str:
        """Ask the model to rewrite a follow-up; on failure use the extractive rewrite."""
        if not any(t.role == "user" and t.content.strip() != question for t in history):
            return question
        if self.settings.follow_up_test and not is_follow_up(question):
            return question  # a new subject: no rewrite, no model call
        try:
            text = _text(self.llm.invoke(rewrite_messages(question, history), max_tokens=80))
        except Exception:  # any provider failure: the extractive rewrite still works
            return self.fallback.standalone(question, history)
        line = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        if not line or len(line) > 3 * len(question) + 200:
            return self.fallback.standalone(question, history)
        return line

    def draft(self, assessment: Any) -> Draft:
        """The answer of the evidence alone (the extractive engine's)."""
        return self.fallback.draft(assessment)

    def respond(
        self, question: str, passages: list[Passage], assessment: Any
    ) -> Iterator[DraftSentence | Draft]:
        """Verified sentences as the model completes them, then the final ``Draft``."""
        t0 = time.perf_counter()
        if self._extractive_when_clear() and clearly_answerable(assessment, self.settings):
            draft = self.draft(assessment)
            draft.notice = CLEAR_EXTRACTIVE
            yield from draft.sentences
            yield draft
            return
        checking = self.settings.llm_role == "check"
        if checking and not extractive_answers(assessment):  # the model may only refuse
            draft = self.draft(assessment)
            draft.notice = CHECK_REFUSED
            yield draft
            return
        checker = Checker(self.embedder, passages, question, self.verify_config, self.judge)
        run = AnswerRun(
            self.name, self.settings.max_answer_sentences, checker, self._wanted(assessment)
        )
        try:
            for sentence in run.consume(self._stream(question, passages)):
                if not checking:
                    yield sentence
        except BackendError as exc:  # keep what is verified, or fall back
            if run.kept and run.wanted is None and not checking:  # what was streamed stands
                yield run.finish(t0, f"LLM backend failed midway ({exc})")
                return
            failed = f"LLM backend failed ({exc}); answered with the extractive engine"
            yield from self._extractive(assessment, run, t0, failed)
            return
        if not checking:
            yield from self._conclude(run, t0, assessment)
            return
        # ``llm_role=check``: the model's refusal stands; otherwise the extractive answer
        refused = self._refusal(run, t0)
        if refused is not None:
            yield refused
            return
        yield from self._extractive(assessment, run, t0, MODEL_CHECKED)

    def _extractive(
        self, assessment: Any, run: AnswerRun, t0: float, notice: str
    ) -> Iterator[DraftSentence | Draft]:
        """The extractive answer, with ``notice`` and the model's timings."""
        draft = self.draft(assessment)
        draft.notice = notice
        yield from draft.sentences
        draft.timings_ms = {"generate": ms(t0) - run.verify_ms, "verify": run.verify_ms}
        yield draft

    def _extractive_when_clear(self) -> bool:
        """``llm_clear_answer``: whether a clearly answerable question gets the extractive
        answer without asking the model (``auto``: for the in-process small ``local`` model)."""
        mode = self.settings.llm_clear_answer
        return (self.clear_answer if mode == "auto" else mode) == "extractive"

    def _wanted(self, assessment: Any) -> Callable[[str], bool] | None:
        """What a sentence must state before the answer is streamed: the kind of thing asked
        for (a number, date, person, place or name), when the evidence alone does not clearly
        answer (there the extractive sentence that states it is added instead)."""
        kind = getattr(assessment, "kind", None)
        if kind is None or clearly_answerable(assessment, self.settings):
            return None
        question = assessment.question
        return lambda text: mentions(kind, text, question)

    @staticmethod
    def _refusal(run: AnswerRun, t0: float) -> Draft | None:
        """The model's refusal: its own, or verified sentences none of which states what was
        asked; None when it answered (or nothing it wrote could be verified)."""
        if run.kept and run.wanted is not None:  # verified, but none states what was asked
            return run.refusal(t0, NOT_STATED)
        if not run.kept and (run.refused or not run.sentences):
            return run.refusal(t0, MODEL_REFUSED)
        return None

    def _conclude(
        self, run: AnswerRun, t0: float, assessment: Any
    ) -> Iterator[DraftSentence | Draft]:
        refused = self._refusal(run, t0)
        if refused is not None:
            yield refused
        elif run.kept:
            dropped = sum(not s.supported for s in run.sentences)
            notice = f"{dropped} unsupported sentence(s) removed from the LLM answer"
            draft = run.finish(t0, notice if dropped else None)
            added = self._asked_for(run.kept, assessment)
            if added:  # the model's sentences hold no answer of the kind asked for
                yield from added.sentences
                draft.sentences = [*draft.sentences, *added.sentences]
                draft.documents = added.documents
                draft.notice = "; ".join(filter(None, [draft.notice, ASKED_FOR_ADDED]))
            yield draft
        elif extractive_answers(assessment):
            draft = self.draft(assessment)
            draft.notice = f"{UNVERIFIED}; answered with the extractive engine"
            draft.timings_ms = {"generate": run.generate_ms, "verify": run.verify_ms}
            yield from draft.sentences
            yield draft
        else:
            yield run.refusal(t0, UNVERIFIED)

    def _asked_for(self, kept: list[DraftSentence], assessment: Any) -> Draft | None:
        """The extractive sentence that holds what the question asks for (a number, date,
        person, place or name) when none of the model's verified sentences does and the
        evidence clearly answers (``clearly_answerable``); None otherwise."""
        kind = getattr(assessment, "kind", None)
        if kind is None or not clearly_answerable(assessment, self.settings):
            return None
        question = assessment.question
        if any(states(kind, s.text, question) for s in kept):
            return None
        draft = self.draft(assessment)
        holding = [s for s in draft.sentences if s.supported and states(kind, s.text, question)]
        if not holding:
            return None
        draft.sentences = holding[:1]
        return draft

    def _stream(self, question: str, passages: list[Passage]) -> Iterator[tuple[str, bool]]:
        """(text so far, structured?) after each chunk the model sends; ``BackendError``."""
        structured = self.structured
        text = ""
        try:
            for chunk in self._model(structured).stream(self._messages(question, passages)):
                text += _text(chunk)
                yield text, structured
        except Exception as exc:
            if not (structured and not text and _rejected_format(exc)):
                raise BackendError(_reason(exc)) from exc
            self.structured = False  # the server has no JSON-schema output: use [n] text
            yield from self._stream(question, passages)

    def _messages(self, question: str, passages: list[Passage]) -> list[Any]:
        return answer_messages(
            question, passages, self.settings.max_answer_sentences, REFUSAL, self.structured
        )

    def _model(self, structured: bool) -> Any:
        return self.llm.bind(response_format=RESPONSE_FORMAT) if structured else self.llm


class BackendError(Exception):
    """The chat model failed (connection, timeout, HTTP error, provider error)."""


def _rejected_format(exc: BaseException) -> bool:
    """Whether the server refused the request itself (a 400: e.g. no ``response_format``)."""
    return getattr(exc, "status_code", None) == 400


class LocalEngine(OpenAIEngine):
    """A GGUF model served in-process by llama.cpp (xllamacpp), same code path as ``openai``."""

    name = "local"
    clear_answer = "extractive"  # a small in-process model: less accurate there (docs/llm.md)

    def __init__(
        self,
        embedder: Embedder,
        fallback: ExtractiveEngine,
        settings: Settings,
        llm: BaseChatModel | None = None,
    ) -> None:
        from newsqa.components.chat import local_model_path, local_server_url

        super().__init__(embedder, fallback, settings, llm)
        self.model_path = local_model_path(settings)
        if llm is None:  # start the server now: a missing model is a start-up error
            local_server_url(self.model_path, settings.local_n_ctx, settings.local_threads)
