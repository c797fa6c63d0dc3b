"""Printing an answer in the terminal (``newsqa ask``)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from service.schemas import AskResponse


def print_answer(response: AskResponse, console: Console) -> None:
    """The answer, flags for unsupported sentences, then numbered citations with quotes."""
    style = None if response.answerable else "yellow"
    console.print(response.answer, markup=False, highlight=False, style=style)
    for sentence in response.sentences:
        if not sentence.supported:
            console.print(f"[red]unsupported:[/red] {escape(sentence.text)}", highlight=False)
    if response.notice:
        console.print(f"[yellow]note:[/yellow] {escape(response.notice)}")
    heading = "Sources" if response.answerable else "Closest sources"
    console.print(f"\n[bold]{heading}[/bold]")
    for citation in response.citations:
        date = f", {citation.published}" if citation.published else ""
        console.print(
            f"[{citation.id}] {citation.title} ({citation.source}{date})",
            markup=False,
            highlight=False,
        )
        console.print(f'    "{citation.quote}"', markup=False, highlight=False, style="dim")
        if citation.url:
            console.print(f"    {citation.url}", markup=False, highlight=False)
    console.print(f"[dim]engine: {escape(response.engine)}[/dim]")
