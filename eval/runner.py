"""Run the question set against the service (in-process or over HTTP) and write a report.

The same HTTP code path is used both ways: in-process the FastAPI app is wrapped in
``starlette.testclient.TestClient``, otherwise an ``httpx.Client`` talks to ``--api URL``.
Responses are read through the API's own models (``service/schemas.py``, the contract the UI
uses too), so a response outside the contract fails loudly instead of scoring as empty.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from eval.dataset import DEFAULT_PAIRS, DatasetError, Question, load_judge_pairs, load_questions
from eval.judges import LexicalJudge, judge_accuracy, make_judge
from eval.metrics import Span, locate_quote
from eval.scoring import aggregate, score_question
from newsqa.errors import NewsQAError
from service.schemas import AskResponse, DocumentDetail, DocumentSummary, SearchResponse

DEFAULT_REPORTS = Path("eval/reports")
M = TypeVar("M", bound=BaseModel)


class ServiceFailed(NewsQAError):
    """The evaluated service could not be reached, refused a request, or answered outside its
    contract: the run cannot go on (``newsqa eval`` prints the message, no traceback)."""

    status_code = 502


def _detail(response: Any) -> str:
    """The ``detail`` of an error response (the API's message), else the start of its body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else str(response.text)[:200]


def _parse(model: type[M], data: Any, where: str) -> dict[str, Any]:
    """``data`` read as the API's ``model`` (then plain JSON for scoring and the report)."""
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        raise ServiceFailed(f"{where}: the API answered outside its contract ({model.__name__}): "
                           f"{exc}") from exc  # fmt: skip


class ServiceClient:
    """The four endpoints the evaluation needs, over any httpx-like client with a base URL."""

    def __init__(self, http: Any, headers: Mapping[str, str] | None = None) -> None:
        self.http = http
        self.headers = dict(headers or {})

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceFailed(f"{method} {path}: cannot reach the service: {exc}") from exc
        if response.status_code >= 400:
            raise ServiceFailed(
                f"{method} {path}: the service answered HTTP {response.status_code}: "
                f"{_detail(response)}"
            )
        return response.json()

    def ask(self, question: str, top_k: int = 5) -> tuple[dict[str, Any], float]:
        """The AskResponse and the wall-clock latency in milliseconds."""
        start = time.perf_counter()
        body = self._json("POST", "/ask", json={"question": question, "top_k": top_k})
        latency = (time.perf_counter() - start) * 1000
        return _parse(AskResponse, body, "POST /ask"), latency

    def search(self, query: str, k: int = 10) -> list[dict[str, Any]]:
        body = self._json("GET", "/search", params={"q": query, "k": k})
        return list(_parse(SearchResponse, body, "GET /search")["hits"])

    def ensure_ready(self) -> None:
        """Stop before the run when the service is not ready (an empty index, say): its
        ``/readyz`` detail says what to do."""
        try:
            response = self.http.request("GET", "/readyz", headers=self.headers)
        except httpx.HTTPError as exc:
            raise ServiceFailed(f"GET /readyz: cannot reach the service: {exc}") from exc
        if response.status_code == 503:
            raise ServiceFailed(f"the service is not ready: {_detail(response)}")

    def documents(self) -> list[dict[str, Any]]:
        return [
            _parse(DocumentSummary, d, "GET /documents") for d in self._json("GET", "/documents")
        ]

    def document(self, doc_id: str) -> dict[str, Any]:
        return _parse(
            DocumentDetail, self._json("GET", f"/documents/{doc_id}"), "GET /documents/{id}"
        )


@dataclass
class Summary:
    """What ``run_eval`` returns and writes as ``summary.json``."""

    metrics: dict[str, float]
    counts: dict[str, int]
    by_type: dict[str, dict[str, float]]
    by_source: dict[str, dict[str, float]]
    judge: str
    judge_accuracy: dict[str, dict[str, Any]]
    engine: str | None
    api: str
    dataset: str
    out_dir: str
    started_at: str
    duration_s: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _json_safe(asdict(self))


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


@contextmanager
def open_http(api_url: str | None, engine: str | None, settings: Any) -> Iterator[Any]:
    """An httpx client for ``api_url``, or a TestClient around an in-process app."""
    if api_url:
        with httpx.Client(base_url=api_url.rstrip("/"), timeout=300) as client:
            yield client
        return
    from starlette.testclient import TestClient

    from service.app import create_app

    if settings is None:
        from newsqa.settings import get_settings

        settings = get_settings()
    if engine:
        from newsqa.components.engines import ENGINES

        ENGINES.check(engine)  # a clear error for an unknown engine name
        settings = settings.model_copy(update={"engine": engine})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _run_dir(out_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, n = Path(out_dir) / stamp, 1
    while path.exists():
        n += 1
        path = Path(out_dir) / f"{stamp}-{n}"
    path.mkdir(parents=True)
    return path


def _outlet(doc: Mapping[str, Any]) -> str:
    """The outlet name, or the file name when the index does not know the outlet."""
    source = str(doc.get("source") or "").strip()
    if source and source.lower() != "unknown":
        return source
    return Path(str(doc.get("path") or doc["doc_id"])).name


def _gold_spans(
    client: ServiceClient, questions: list[Question], notes: list[str]
) -> tuple[dict[str, list[Span | None]], dict[str, list[str]]]:
    """Locate each gold quote in the service's cleaned documents, by gold file name."""
    by_file = {Path(str(d.get("path", ""))).name: d for d in client.documents()}
    texts: dict[str, str] = {}
    spans: dict[str, list[Span | None]] = {}
    sources: dict[str, list[str]] = {}
    for q in questions:
        docs = [by_file[name] for name in q.gold_files if name in by_file]
        for name in q.gold_files:
            if name not in by_file:
                notes.append(f"{q.id}: gold file {name} is not in the index")
        for doc in docs:
            if doc["doc_id"] not in texts:
                texts[doc["doc_id"]] = str(client.document(doc["doc_id"]).get("text", ""))
        ids = [d["doc_id"] for d in docs]
        spans[q.id] = [locate_quote(quote, ids, texts) for quote in q.gold_quotes]
        for quote, span in zip(q.gold_quotes, spans[q.id], strict=True):
            if span is None and docs:  # scored as a retrieval miss: say why
                notes.append(f"{q.id}: gold quote not found in its articles: {quote[:70]!r}")
        sources[q.id] = list(dict.fromkeys(_outlet(d) for d in docs))
    wanted = {name for q in questions for name in q.gold_files}
    if wanted and not wanted & set(by_file):
        raise DatasetError(
            f"none of the {len(wanted)} articles the questions are about is in the index: ingest "
            "them first (the dev sets: `make dev-data`, then `NEWSQA_INDEX_DIR=data/dev/index "
            "newsqa ingest data/dev/articles` and the same NEWSQA_INDEX_DIR for the eval)"
        )
    return spans, sources


def evaluate(
    client: ServiceClient,
    questions: list[Question],
    judge: Any,
    *,
    top_k: int = 5,
    search_k: int = 10,
    progress: bool = True,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Ask every question, search for its retrieval metrics, and score it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    notes = notes if notes is not None else []
    client.ensure_ready()
    spans, sources = _gold_spans(client, questions, notes)
    records: list[dict[str, Any]] = []
    columns = (TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))  # fmt: skip
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("", total=len(questions))
        for q in questions:
            bar.update(task, description=q.id)
            response: dict[str, Any] | None = None
            latency = error = None
            hits: list[dict[str, Any]] = []
            try:
                response, latency = client.ask(q.question, top_k=top_k)
                hits = client.search(q.question, k=search_k)
            except Exception as exc:  # noqa: BLE001 - a failed question is a reported failure
                error = f"{type(exc).__name__}: {exc}"
            records.append(
                score_question(q, response, hits, spans[q.id], judge, latency, sources[q.id], error)
            )
            bar.advance(task)
    return records


def _non_default(settings: Any) -> str:
    """``name=value`` of every setting that differs from its default (secrets left out)."""
    out = []
    for name, field_info in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value != field_info.get_default(call_default_factory=True) and "key" not in name:
            out.append(f"{name}={value}")
    return ", ".join(out)


def run_eval(
    api_url: str | None,
    engine: str | None,
    dataset: Path,
    judge: str,
    out_dir: Path,
    settings: Any = None,
    *,
    top_k: int = 5,
    search_k: int = 10,
    pairs: Path = DEFAULT_PAIRS,
    progress: bool = True,
    http: Any = None,
) -> Summary:
    """Evaluate, write ``<out_dir>/<timestamp>/`` (results, summary, md/html report), return it.

    ``http``: an already open httpx-like client (tests); otherwise one is opened from
    ``api_url`` or an in-process app built from ``settings`` (with ``engine`` if given).
    """
    from eval.report import write_report

    started = datetime.now(UTC)
    clock = time.perf_counter()
    questions = load_questions(dataset)
    if settings is None and (judge == "llm" or not api_url) and http is None:
        from newsqa.settings import get_settings

        settings = get_settings()
    the_judge = make_judge(judge, settings)
    the_judge.ensure_reachable()  # before a long run whose every verdict would be "unknown"
    notes: list[str] = []
    changed = _non_default(settings) if settings is not None and not api_url else ""
    if changed:  # a report of a modified run says so
        notes.append(f"settings other than the defaults: {changed}")
    headers = {"X-API-Key": settings.api_keys[0]} if getattr(settings, "api_keys", None) else {}
    if http is not None:
        records = evaluate(ServiceClient(http, headers), questions, the_judge, top_k=top_k,
                           search_k=search_k, progress=progress, notes=notes)  # fmt: skip
    else:
        with open_http(api_url, engine, settings) as client:
            records = evaluate(ServiceClient(client, headers), questions, the_judge, top_k=top_k,
                               search_k=search_k, progress=progress, notes=notes)  # fmt: skip
    labelled = load_judge_pairs(pairs)
    accuracy = {the_judge.name: judge_accuracy(the_judge, labelled)}
    if the_judge.name != "lexical":
        accuracy["lexical"] = judge_accuracy(LexicalJudge(), labelled)
    agg = aggregate(records)
    engines = sorted({str(r["engine"]) for r in records if r.get("engine")})
    if api_url and engine and engines and engines != [engine]:
        notes.append(f"asked for engine {engine!r}, but the server at {api_url} answered with "
                     f"{', '.join(engines)}: --engine does not change a remote server")  # fmt: skip
    run_dir = _run_dir(out_dir)
    summary = Summary(
        metrics=agg["metrics"],
        counts=agg["counts"],
        by_type=agg["by_type"],
        by_source=agg["by_source"],
        judge=the_judge.name,
        judge_accuracy=accuracy,
        engine=",".join(engines) or engine,
        api=api_url or "in-process",
        dataset=str(dataset),
        out_dir=str(run_dir),
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - clock, 2),
        notes=notes,
    )
    write_report(run_dir, summary, records)
    return summary
