"""Real-model figures for the LLM engine: served accuracy against the extractive engine, false
refusals, citation validity, and the model's raw sentences with the passages they cite.

Not run by ``make test``: it needs a GGUF instruct model that the user supplies
(``--model`` or ``NEWSQA_LOCAL_MODEL_PATH``), served in-process by llama.cpp (the ``local``
engine, at most 2 threads here), and takes ~10-100 s an answer on 2 CPU cores. ``make
eval-local MODEL=path/to/model.gguf`` runs it.

Every raw model reply is cached (``--cache``, keyed by the exact messages and call options), so
a change to verification can be re-measured without asking the model again. Questions come from
the seed eval set (``data/eval/questions.jsonl`` over ``data/index``) and from the dev ``check``
split (``data/dev/check.jsonl`` over ``data/dev/index``), a deterministic sample of each.

    python -m eval.collect_llm --model .models/model.gguf [--seed-n 30] [--dev-n 30]

Writes ``<out>/results_<set>.jsonl`` (one row per question: both engines' responses and the
model's raw claims with their cited passages) and ``<out>/summary.json``; prints the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

OUT = Path("eval/reports/llm")
SETS = {
    "seed": (Path("data/eval/questions.jsonl"), Path("data/index")),
    "dev": (Path("data/dev/check.jsonl"), Path("data/dev/index")),
    "fit": (Path("data/dev/fit.jsonl"), Path("data/dev/index")),  # what LLM settings are fitted on
    # 79 unanswerable questions fitted on nothing: how often a wrong answer gets through
    "more": (Path("data/dev/unanswerable_more.jsonl"), Path("data/dev/index")),
}
_SOURCE = re.compile(r'<source id="(\d+)" outlet="([^"]*)"[^>]*>\n(.*?)\n</source>', re.S)


class CachedChat(BaseChatModel):
    """A chat model whose replies are cached on disk by (messages, call options)."""

    inner: Any = None  # a zero-argument callable giving the real model (started lazily)
    path: Path
    store: dict[str, dict[str, Any]] = {}
    last_messages: list[Any] = []
    calls: int = 0
    offline: bool = False  # a reply not in the cache is a miss (the question is skipped)
    missed: bool = False

    @property
    def _llm_type(self) -> str:
        return "cached"

    def model_post_init(self, _context: Any) -> None:
        self.store = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                self.store[row["key"]] = row
        self._lock = threading.Lock()
        self._model: Any = None

    def _key(self, messages: Sequence[BaseMessage], kwargs: dict[str, Any]) -> str:
        raw = json.dumps(
            [[m.type, m.content] for m in messages] + [sorted(kwargs.items(), key=str)],
            default=str,
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, **kw))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(  # type: ignore[override]
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        self.last_messages = list(messages)
        key = self._key(messages, kw)
        hit = self.store.get(key)
        if hit is None and self.offline:
            self.missed = True
            raise RuntimeError("not in the cache")
        if hit is None:
            if self._model is None:
                self._model = self.inner()
            t = time.perf_counter()
            model = self._model.bind(**kw) if kw else self._model
            text = ""
            for chunk in model.stream(messages):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                text += piece
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
            hit = {"key": key, "text": text, "seconds": round(time.perf_counter() - t, 2)}
            with self._lock:
                self.calls += 1
                self.store[key] = hit
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(hit) + "\n")
            return
        for piece in re.findall(r"\S+\s*|\s+", hit["text"]):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

    def seconds(self, messages: Sequence[BaseMessage], **kw: Any) -> float | None:
        hit = self.store.get(self._key(messages, kw))
        return hit["seconds"] if hit else None


def sample(rows: list[dict[str, Any]], n_answerable: int, n_unanswerable: int) -> list[dict]:
    """Every k-th answerable and unanswerable question (deterministic, spread over the file)."""
    out = []
    for want, group in (
        (n_answerable, [r for r in rows if r["answerable"]]),
        (n_unanswerable, [r for r in rows if not r["answerable"]]),
    ):
        if want <= 0 or not group:
            continue
        step = max(len(group) / want, 1.0)
        out += [group[int(i * step)] for i in range(min(want, len(group)))]
    return out


def sources_of(messages: Sequence[BaseMessage]) -> dict[int, tuple[str, str]]:
    """{n: (outlet, text)} of the ``<source>`` blocks of an answer prompt."""
    human = next((m for m in messages if m.type == "human"), None)
    if human is None:
        return {}
    out = {}
    for n, outlet, body in _SOURCE.findall(str(human.content)):
        text = re.sub(r"^Title: [^\n]*\n", "", body)
        out[int(n)] = (outlet.replace("&lt;", "<"), text.replace("&lt;", "<"))
    return out


def served_correct(row: dict[str, Any], answer: str, answerable: bool) -> bool:
    """The eval's served accuracy: refuse the unanswerable, state every key fact otherwise."""
    from eval.metrics import key_fact_recall

    if not row["answerable"]:
        return not answerable
    return answerable and key_fact_recall(answer, row.get("key_facts", []))[0] >= 0.999


def citations_valid(response: dict[str, Any], documents: dict[str, str]) -> tuple[int, int]:
    """(valid, total) citations: the quote is the cited document's text at [start, end), and
    every kept sentence cites at least one of the response's citations."""
    ids = {c["id"]: c for c in response["citations"]}
    valid = total = 0
    for s in response["sentences"]:
        if not s["supported"]:
            continue
        cited = [ids.get(i) for i in s["citations"]]
        total += max(len(cited), 1)
        for c in cited:
            text = documents.get(c["doc_id"]) if c else None
            valid += bool(c and text is not None and text[c["start"] : c["end"]] == c["quote"])
    return valid, total


def run_set(
    name: str, questions: list[dict[str, Any]], index: Path, model_path: Path, args: Any,
    cached: CachedChat,
) -> list[dict[str, Any]]:  # fmt: skip
    from newsqa.settings import Settings
    from service.answering.generative import LocalEngine
    from service.answering.service import answer_question
    from service.schemas import AskRequest
    from service.state import ServiceState

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        index_dir=index,
        engine="local",
        local_model_path=model_path,
        local_threads=args.threads,
        openai_timeout_s=900,
        openai_max_retries=0,
        verify_judge=args.judge,
    )
    state = ServiceState(settings)
    state.open()
    state.__dict__["engine"] = LocalEngine.from_parts(state.engine_parts, llm=cached)
    extractive = ServiceState(
        settings.model_copy(update={"engine": "extractive"}),
        store=state.store,
        embedder=state.embedder,
    )
    extractive.open()
    documents: dict[str, str] = {}
    out_path = Path(args.out) / f"results_{name}.jsonl"
    rows = []
    for q in questions:
        t = time.perf_counter()
        calls = cached.calls
        cached.last_messages = []
        cached.missed = False
        llm = answer_question(AskRequest(question=q["question"]), state).model_dump()
        if cached.missed:
            print(f"{name} {q['id']}: not in the cache, skipped", flush=True)
            continue
        llm_s = time.perf_counter() - t
        messages = cached.last_messages
        ext = answer_question(AskRequest(question=q["question"]), extractive).model_dump()
        for resp in (llm, ext):
            for c in resp["citations"]:
                if c["doc_id"] not in documents:
                    doc = state.store.get_document(c["doc_id"])
                    documents[c["doc_id"]] = doc.text if doc is not None else ""
        raw = sources = None
        if messages:
            from service.answering.cited import json_claims, text_claims

            sources = sources_of(messages)
            raw_text = _last_reply(cached, messages)
            structured = raw_text.lstrip().startswith(("{", "[", "`"))
            claims = (json_claims if structured else text_claims)(raw_text, True)
            raw = {"text": raw_text, "sources": sources, "claims": [
                {"text": c.text, "cited": list(c.cited), "quote": c.quote,
                 "passages": {n: sources[n] for n in c.cited if n in sources}}
                for c in claims
            ]}  # fmt: skip
            for sent in llm["sentences"]:  # the passage each served sentence now cites
                quotes = [c["quote"] for c in llm["citations"] if c["id"] in sent["citations"]]
                sent["source_n"] = next(
                    (n for q in quotes for n, (_o, t) in sources.items() if q and q in t), None
                )
        row = {
            "set": name,
            "id": q["id"],
            "question": q["question"],
            "answerable": q["answerable"],
            "key_facts": q.get("key_facts", []),
            "llm": llm,
            "extractive": ext,
            "raw": raw,
            "asked_model": bool(messages),
            "new_model_calls": cached.calls - calls,
            "llm_seconds": round(llm_s, 2),
            "llm_ok": served_correct(q, llm["answer"], llm["answerable"]),
            "ext_ok": served_correct(q, ext["answer"], ext["answerable"]),
            "llm_citations": citations_valid(llm, documents),
        }
        rows.append(row)
        with out_path.open("a" if len(rows) > 1 else "w", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        print(
            f"{name} {q['id']} {llm_s:6.1f}s llm={'ok' if row['llm_ok'] else '--'}"
            f" ext={'ok' if row['ext_ok'] else '--'} [{llm['engine']}] {llm['answer'][:110]!r}"
            f" | {llm['notice']}",
            flush=True,
        )
    return rows


def _last_reply(cached: CachedChat, messages: Sequence[BaseMessage]) -> str:
    """The cached reply to ``messages`` (whatever call options it was made with)."""
    from service.answering.prompts import RESPONSE_FORMAT

    for kw in ({"response_format": RESPONSE_FORMAT}, {}):
        hit = cached.store.get(cached._key(messages, kw))
        if hit:
            return str(hit["text"])
    return ""


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Served accuracy, false refusals/answers, citation validity for both engines."""
    out: dict[str, Any] = {"n": len(rows)}
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    for engine, ok in (("llm", "llm_ok"), ("extractive", "ext_ok")):
        key = "llm" if engine == "llm" else "extractive"
        out[engine] = {
            "served_accuracy": sum(r[ok] for r in rows) / max(len(rows), 1),
            "false_refusal": sum(not r[key]["answerable"] for r in answerable)
            / max(len(answerable), 1),
            "false_answer": sum(r[key]["answerable"] for r in unanswerable)
            / max(len(unanswerable), 1),
        }
    valid = sum(r["llm_citations"][0] for r in rows)
    total = sum(r["llm_citations"][1] for r in rows)
    engines = [r["llm"]["engine"] for r in rows]
    notices = [r["llm"]["notice"] or "" for r in rows]
    seconds = [r["llm_seconds"] for r in rows if r["new_model_calls"]]
    claims = [c for r in rows if r["raw"] for c in r["raw"]["claims"]]
    kept = [s for r in rows if r["llm"]["engine"] == "local" for s in r["llm"]["sentences"]]
    out["llm"].update(
        {
            "citation_validity": valid / total if total else 1.0,
            "citations": total,
            "asked_model": sum(r["asked_model"] for r in rows),
            "answered_by_model": sum(
                e == "local" and r["llm"]["answerable"] for e, r in zip(engines, rows, strict=True)
            ),  # fmt: skip
            "model_refused": sum("model found no answer" in n for n in notices),
            "extractive_fallback": sum("extractive engine" in n for n in notices),
            "unverified_refusal": sum(
                n.startswith("no sentence") and "extractive" not in n for n in notices
            ),  # fmt: skip
            "raw_claims": len(claims),
            "sentences_kept": sum(s["supported"] for s in kept),
            "sentences_removed": sum(not s["supported"] for s in kept),
            "seconds_per_model_answer": sum(seconds) / len(seconds) if seconds else None,
        }
    )
    return out


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=os.environ.get("NEWSQA_LOCAL_MODEL_PATH"))
    parser.add_argument("--seed-n", type=int, default=30, help="answerable seed questions")
    parser.add_argument("--seed-unanswerable", type=int, default=6)
    parser.add_argument(
        "--dev-n", type=int, default=24, help="answerable dev questions (check, fit or more)"
    )
    parser.add_argument("--dev-unanswerable", type=int, default=8)
    parser.add_argument(
        "--sets", default="seed,dev", help="seed, dev (check split), fit, more (unanswerable)"
    )
    parser.add_argument("--first", type=int, default=None, help="only the first N answerable")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--judge", default="off", choices=("off", "on"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument(
        "--cached-only", action="store_true", help="never ask the model: skip what is not cached"
    )
    args = parser.parse_args(argv)
    if not args.model or not Path(args.model).is_file():
        print("collect_llm needs a GGUF model: --model PATH or NEWSQA_LOCAL_MODEL_PATH")
        return 2
    args.threads = max(1, min(args.threads, 2))
    args.out.mkdir(parents=True, exist_ok=True)
    from newsqa.components.chat import chat_model
    from newsqa.settings import Settings

    model_path = Path(args.model)
    llm_settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        engine="local",
        local_model_path=model_path,
        local_threads=args.threads,
        openai_timeout_s=900,
        openai_max_retries=0,
    )
    cached = CachedChat(
        inner=lambda: chat_model(llm_settings, max_tokens=llm_settings.llm_max_tokens),
        path=args.cache or args.out / "cache.jsonl",
        offline=args.cached_only,
    )
    summary = {"model": model_path.name, "threads": args.threads, "judge": args.judge}
    for name in args.sets.split(","):
        questions_path, index = SETS[name]
        if not index.exists():
            print(f"{index} is missing: run `newsqa ingest` (seed) or `make dev-data` (dev)")
            return 2
        rows = [json.loads(x) for x in questions_path.read_text(encoding="utf-8").splitlines()]
        n, u = (
            (args.seed_n, args.seed_unanswerable)
            if name == "seed"
            else (args.dev_n, args.dev_unanswerable)
        )
        chosen = sample(rows, n, u)
        if args.first is not None:  # a prefix of the same sample: cached replies stay valid
            keep = [r for r in chosen if r["answerable"]][: args.first]
            chosen = keep + [r for r in chosen if not r["answerable"]]
        summary[name] = summarise(run_set(name, chosen, index, model_path, args, cached))
        print(json.dumps({name: summary[name]}, indent=1), flush=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
