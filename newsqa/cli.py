"""The ``newsqa`` command line: ingest, stats, serve, ui, ask, eval."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from newsqa.errors import NewsQAError

if TYPE_CHECKING:
    from newsqa.settings import Settings

for _var in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
    os.environ.setdefault(_var, "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(
    help="Question answering over news articles with verified citations (offline by default).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Article text, titles and paths are printed as they are: no ":x:" emoji codes read in them.
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

IndexDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--index-dir", help="Index directory (env NEWSQA_INDEX_DIR)", show_default="data/index"
    ),
]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"newsqa {version('newsqa')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("newsqa (not installed: no version)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit"
        ),
    ] = False,
) -> None:
    # Help text of the whole command stays the Typer(help=...) above (no docstring here).
    pass


def load_settings(**overrides: Any) -> Settings:
    """Validated settings with CLI overrides; exits with a clear message when invalid."""
    from newsqa.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: "
            + str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        )
        err_console.print(f"[red]error:[/red] invalid settings: {escape(problems)}")
        raise typer.Exit(2) from None


def require_index(settings: Settings) -> None:
    """Readers of an embedded index stop before opening one that is not there (opening would
    create an empty one, e.g. at a mistyped ``--index-dir``)."""
    if settings.chroma_url is None and not (settings.index_dir / "chroma").is_dir():
        err_console.print(
            f"[red]error:[/red] no index in {escape(str(settings.index_dir))}: run `newsqa "
            "ingest` first (or give --index-dir / NEWSQA_INDEX_DIR)"
        )
        raise typer.Exit(1)


def fail(exc: NewsQAError) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(exc.message)}")
    return typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories (default: NEWSQA_ARTICLES_DIR, data/articles)"),
    ] = None,
    index_dir: IndexDirOpt = None,
    prune: Annotated[bool, typer.Option(help="Remove documents whose files are gone")] = False,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and ingest from scratch")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Load, clean and chunk only; write nothing")
    ] = False,
    show_cleaning: Annotated[
        bool, typer.Option("--show-cleaning", help="With --dry-run: show what cleaning removed")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar, no document list")
    ] = False,
) -> None:
    """Clean, chunk and embed articles (.txt .md .html .pdf) into the index, incrementally."""
    from ingest import report

    settings = load_settings(index_dir=index_dir)
    targets = list(paths or [settings.articles_dir])
    try:
        if dry_run:
            report.dry_run(targets, settings, show_cleaning, console)
            return
        from newsqa.components.store.lease import ensure_not_served

        ensure_not_served(settings)  # a running server would not see what is written
        with _term_as_interrupt():  # `kill` or a container stop: end as Ctrl-C does
            summary = report.run_with_progress(targets, settings, prune, rebuild, quiet, console)
    except NewsQAError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        again = "the same command without --rebuild" if rebuild else "the same command"
        err_console.print(
            f"Interrupted: what was written is kept; run {again} to finish (it resumes where "
            "it stopped, with no duplicates).",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    report.print_summary(summary, console)
    if not quiet:
        report.print_documents(settings, console, limit=report.LIST_AFTER_INGEST)


@contextlib.contextmanager
def _term_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt while ingest runs, so the documents finished so far are
    kept and the same message is printed (it killed the process at once before)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def stats(index_dir: IndexDirOpt = None) -> None:
    """List the indexed documents: title, source, date and chunk count."""
    from ingest import report

    settings = load_settings(index_dir=index_dir)
    require_index(settings)
    try:
        report.print_documents(settings, console)
    except NewsQAError as exc:
        raise fail(exc) from None


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (env NEWSQA_HOST)", show_default="127.0.0.1")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (env NEWSQA_PORT)", show_default="8000")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Workers (more than 1 needs NEWSQA_CHROMA_URL)", show_default="1"),
    ] = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """Serve the HTTP API (docs at /docs)."""
    from service.server import serve as run_server

    settings = load_settings(index_dir=index_dir, host=host, port=port, workers=workers)
    try:
        run_server(settings, settings.host, settings.port, settings.workers)
    except NewsQAError as exc:
        raise fail(exc) from None


@app.command()
def ui(
    port: Annotated[
        int | None, typer.Option(help="Port (env NEWSQA_UI_PORT)", show_default="8501")
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(help="API address (env NEWSQA_API_URL)", show_default="http://127.0.0.1:8000"),
    ] = None,
) -> None:
    """Run the Streamlit chat UI on 127.0.0.1 (talks to the API over HTTP)."""
    from ui.launch import run_ui

    settings = load_settings(ui_port=port, api_url=api_url)
    run_ui(settings.ui_port, settings.api_url)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain language")],
    top_k: Annotated[int, typer.Option(min=1, max=50, help="Passages to retrieve")] = 5,
    engine: Annotated[
        str | None, typer.Option(help="Answer engine: extractive, openai, local")
    ] = None,
    index_dir: IndexDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the /ask JSON payload")] = False,
) -> None:
    """Answer one question in the terminal, with its citations underneath."""
    from service.answering.service import answer_question
    from service.cli_render import print_answer
    from service.schemas import AskRequest
    from service.state import ServiceState

    settings = load_settings(index_dir=index_dir, engine=engine)
    try:
        request = AskRequest(question=question, top_k=top_k)
    except ValidationError as exc:
        err_console.print(f"[red]error:[/red] question: {escape(str(exc.errors()[0]['msg']))}")
        raise typer.Exit(2) from None
    require_index(settings)
    try:
        response = answer_question(request, ServiceState(settings))
    except NewsQAError as exc:
        raise fail(exc) from None
    if as_json:
        console.print_json(response.model_dump_json())
    else:
        print_answer(response, console)


@app.command(name="eval")
def evaluate(
    api: Annotated[
        str | None,
        typer.Option(help="Evaluate a running service at this URL (default: in-process)"),
    ] = None,
    engine: Annotated[str | None, typer.Option(help="Answer engine for in-process runs")] = None,
    dataset: Annotated[Path, typer.Option(help="Question set (JSONL)")] = Path(
        "data/eval/questions.jsonl"
    ),
    judge: Annotated[str, typer.Option(help="Faithfulness judge: lexical or llm")] = "lexical",
    out: Annotated[Path, typer.Option(help="Reports folder")] = Path("eval/reports"),
    gate: Annotated[
        bool, typer.Option(help="Fail on a threshold miss or a regression against the baseline")
    ] = False,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="Write the baseline from this run (eval/baseline.json for the seed set, "
            "eval/baseline.<stem>.json for another set)",
        ),
    ] = False,
    index_dir: IndexDirOpt = None,
    judge_pairs: Annotated[
        Path | None,
        typer.Option(
            help="Only score the answer verifier and the judge on labelled pairs "
            "(e.g. data/dev/judge_pairs.jsonl): false accept/reject per kind and split"
        ),
    ] = None,
) -> None:
    """Run the evaluation suite and write a report (results.jsonl, summary.json, report.md/html)."""
    from eval.cli import run_cli, run_pairs_cli
    from eval.dataset import DatasetError

    if judge not in ("lexical", "llm"):
        err_console.print(f"[red]error:[/red] --judge {escape(judge)!r}: choose lexical or llm")
        raise typer.Exit(2)
    settings = load_settings(index_dir=index_dir, engine=engine)
    try:
        if judge_pairs is not None:
            raise typer.Exit(run_pairs_cli(judge_pairs, settings, judge, console))
        code = run_cli(api, settings, dataset, judge, out, gate, console, update_baseline)
    except NewsQAError as exc:
        raise fail(exc) from None
    except (DatasetError, OSError) as exc:  # a missing or malformed question / pairs file
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
