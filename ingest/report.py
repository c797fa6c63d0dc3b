"""Terminal output of ingest: progress bar, summary table, document list, dry runs."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ingest.pipeline import IngestSummary, display_path, ingest_paths, prepare
from newsqa.settings import Settings


def run_with_progress(
    paths: list[Path], settings: Settings, prune: bool, rebuild: bool, quiet: bool, console: Console
) -> IngestSummary:
    """Ingest with a progress bar (hidden when ``quiet`` or not a terminal)."""
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=quiet,
        transient=True,
    )
    with progress:
        task = progress.add_task("", total=None)

        def on_progress(done: int, total: int, name: str) -> None:
            progress.update(task, completed=done, total=total, description=name[-60:])

        return ingest_paths(paths, settings, prune=prune, rebuild=rebuild, on_progress=on_progress)


def print_summary(summary: IngestSummary, console: Console) -> None:
    """The end-of-run table: added, updated, unchanged, skipped (with reasons), chunks, seconds."""
    table = Table(title="Ingest summary", show_header=False)
    table.add_row("added", str(len(summary.added)))
    table.add_row("updated", str(len(summary.updated)))
    table.add_row("unchanged", str(len(summary.unchanged)))
    table.add_row("skipped", str(len(summary.skipped)))
    if summary.pruned:
        table.add_row("pruned", str(len(summary.pruned)))
    if summary.repaired_chunks:
        table.add_row("orphan chunks removed", str(summary.repaired_chunks))
    table.add_row("chunks written", str(summary.chunks_written))
    table.add_row("index", f"{summary.total_documents} documents, {summary.total_chunks} chunks")
    table.add_row("seconds", f"{summary.seconds:.2f} (embedding {summary.embed_seconds:.2f})")
    console.print(table)
    for title, column, rows in (
        ("Skipped files", "reason", summary.skipped),
        ("Read, with notes", "note", summary.notes),
    ):
        if rows:
            table = Table(title=title)
            table.add_column("file")
            table.add_column(column)
            for name, why in rows:
                table.add_row(Text(name), Text(why))
            console.print(table)


# After an ingest the documents are listed only up to this many (``newsqa stats`` lists all).
LIST_AFTER_INGEST = 40


def print_documents(settings: Settings, console: Console, limit: int | None = None) -> None:
    """The indexed documents with title, source, date and chunk count (only their number when
    there are more than ``limit``)."""
    from newsqa.components.embeddings import get_embedder
    from newsqa.components.store import open_store

    embedder = get_embedder(settings)
    store = open_store(settings)
    store.ensure_model(embedder.model_id, embedder.dimension)
    records = sorted(store.documents(), key=lambda r: (r.path, r.doc_id))
    if limit is not None and len(records) > limit:
        console.print(
            f"{len(records)} documents in {settings.index_dir} (`newsqa stats` lists them)",
            markup=False,
        )
        return
    table = Table(title=Text(f"{len(records)} documents in {settings.index_dir}"))
    for column in ("title", "source", "published", "chunks", "doc_id"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(  # what articles hold is printed as written, never read as markup
            Text(record.meta.title[:90]),
            Text(record.meta.source),
            record.meta.published or "-",
            str(record.chunk_count),
            record.doc_id,
        )
    console.print(table)


def dry_run(paths: list[Path], settings: Settings, show_cleaning: bool, console: Console) -> None:
    """Load, clean and chunk without writing; optionally show what cleaning removed."""
    from dataclasses import replace

    from ingest.cleaning import clean_text, format_removed
    from ingest.loaders import SkipFile, discover, load_file

    files, skipped = discover(paths)
    table = Table(title="Dry run (nothing written)")
    for column in ("file", "title", "source", "published", "chunks", "note"):
        table.add_column(column, overflow="fold")
    for path, reason in skipped:
        table.add_row(
            Text(display_path(path, follow_links=False)), "", "", "", "", Text(f"skipped: {reason}")
        )
    for path in files:
        try:
            raw = replace(load_file(path, settings.max_file_bytes), path=display_path(path))
            doc = prepare(raw, settings, "dry-run")
        except SkipFile as exc:
            table.add_row(Text(display_path(path)), "", "", "", "", Text(f"skipped: {exc.reason}"))
            continue
        except Exception as exc:  # as ingest does: one odd file is skipped, the run goes on
            note = f"skipped: could not be read ({type(exc).__name__}: {exc})"[:300]
            table.add_row(Text(display_path(path)), "", "", "", "", Text(note))
            continue
        table.add_row(
            Text(raw.path),
            Text(doc.meta.title[:70]),
            Text(doc.meta.source),
            doc.meta.published or "-",
            str(len(doc.chunks)),
            "",
        )
        if show_cleaning:
            console.rule(escape(raw.path))
            console.print(format_removed(clean_text(raw.text)), markup=False, highlight=False)
    console.print(table)
