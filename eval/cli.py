"""``newsqa eval``: run the suite, print the summary, optionally gate or write the baseline."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from eval.gate import accept_baseline, check_gate, gate_paths
from eval.runner import run_eval


def print_summary(summary: Any, console: Console) -> None:
    """The headline metrics as a table, and where the report is."""
    table = Table(title=f"Eval: {summary.dataset} ({summary.engine}, judge {summary.judge})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(summary.metrics.items()):
        if isinstance(value, float) and math.isnan(value):
            shown = "n/a"  # nothing to measure it on (e.g. no answerable question in the set)
        else:
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
    config, baseline = gate_paths(dataset)
    if update_baseline:
        failed = accept_baseline(summary, config, baseline)
        if failed:
            console.print(
                f"[red]baseline not written:[/red] this run fails the gate ({'; '.join(failed)})."
                f" To accept a worse run anyway, remove {baseline} and run again."
            )
            return 1
        console.print(f"baseline written to {baseline}")
    if not gate:
        return 0
    if not config.exists():
        console.print(f"[red]no gate for this question set:[/red] {config} is missing")
        return 1
    violations = check_gate(summary, config, baseline)
    if violations:
        console.print("[red]eval gate failed:[/red]")
        for violation in violations:
            console.print(f"  - {violation}")
        return 1
    used = f"{config}" + (f", {baseline}" if baseline.exists() else ", no baseline")
    console.print(f"[green]eval gate passed[/green] ({used})")
    return 0


def pairs_table(title: str, figures: dict[str, dict[str, Any]]) -> Table:
    """Error per kind and split: false accept for unsupported kinds, false reject otherwise."""
    splits: list[str] = [s for s in ("fit", "check") if s in figures] or ["all"]
    table = Table(title=title)
    table.add_column("kind")
    for split in splits:
        table.add_column(f"{split}: error (n)", justify="right")
    kinds = sorted({k for s in splits for k in figures[s]["kinds"]})
    for kind in kinds:
        cells = []
        for split in splits:
            v = figures[split]["kinds"].get(kind)
            cells.append(f"{v['error']:.2f} ({v['n']})" if v else "-")
        label = f"{kind} (false reject)" if kind == "supported" else f"{kind} (false accept)"
        table.add_row(label, *cells)
    for metric in ("false_accept", "false_reject"):
        table.add_row(
            metric.replace("_", " "), *(f"{figures[s][metric]:.2f}" for s in splits), style="bold"
        )
    return table


def run_pairs_cli(path: Path, settings: Any, judge: str, console: Console) -> int:
    """``newsqa eval --judge-pairs FILE``: the verifier's and the eval judge's error rates on
    labelled (sentence, passage, supported?) pairs, per kind and per split."""
    from eval.calibrate_verifier import prepare, rates, verdicts
    from eval.dataset import load_judge_pairs
    from eval.judges import SUPPORTED, make_judge
    from newsqa.components.embeddings import get_embedder
    from service.verify.config import VerifyConfig
    from service.verify.entailment import judge_from_settings

    pairs = load_judge_pairs(path)
    prepared = prepare(get_embedder(settings), pairs)
    entailment = judge_from_settings(settings)
    accepted = [
        ok for ok, _ in verdicts(prepared, VerifyConfig.from_settings(settings), entailment)
    ]
    how = "with the entailment judge" if entailment is not None else "no judge"
    console.print(pairs_table(f"Service verifier on {path} ({how})", rates(pairs, accepted)))
    eval_judge = make_judge(judge, settings)
    said = [eval_judge.verdict(p.sentence, [p.passage]) == SUPPORTED for p in pairs]
    console.print(pairs_table(f"Eval judge '{eval_judge.name}' on {path}", rates(pairs, said)))
    return 0
