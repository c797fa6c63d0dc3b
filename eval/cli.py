"""``newsqa eval``: run the suite, print the summary, optionally gate or write the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from eval.gate import DEFAULT_BASELINE, check_gate, write_baseline
from eval.runner import run_eval


def print_summary(summary: Any, console: Console) -> None:
    """The headline metrics as a table, and where the report is."""
    table = Table(title=f"Eval: {summary.dataset} ({summary.engine}, judge {summary.judge})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(summary.metrics.items()):
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    for name, result in summary.judge_accuracy.items():
        accuracy = result.get("accuracy") if isinstance(result, dict) else result
        if isinstance(accuracy, float):
            table.add_row(f"judge accuracy ({name})", f"{accuracy:.3f}")
    console.print(table)
    for note in summary.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print(f"report: {summary.out_dir}/report.md and report.html")


def run_cli(
    api: str | None,
    settings: Any,
    dataset: Path,
    judge: str,
    out: Path,
    gate: bool,
    console: Console,
    update_baseline: bool = False,
) -> int:
    """Run and report; returns the process exit code (1 when the gate fails)."""
    summary = run_eval(api, settings.engine, dataset, judge, out, settings)
    print_summary(summary, console)
    if update_baseline:
        console.print(f"baseline written to {write_baseline(summary, DEFAULT_BASELINE)}")
    if not gate:
        return 0
    violations = check_gate(summary)
    if violations:
        console.print("[red]eval gate failed:[/red]")
        for violation in violations:
            console.print(f"  - {violation}")
        return 1
    console.print("[green]eval gate passed[/green]")
    return 0
