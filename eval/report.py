"""Write an evaluation run: results.jsonl, summary.json, report.md and report.html with plots."""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HEADLINE = (
    "hit@5", "recall@5", "mrr", "key_fact_recall", "answer_correct", "answer_f1",
    "faithfulness", "citation_recall", "citation_precision", "refusal_precision",
    "refusal_recall", "refusal_accuracy", "false_refusal_rate", "confident_answers_right",
    "tentative_answers_right", "tentative_share",
)  # fmt: skip
_CSS = (
    "body{font-family:sans-serif;margin:2em;max-width:1200px}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;vertical-align:top}"
    "th{background:#eee}img{max-width:100%;border:1px solid #ddd;margin:.5em 0}"
)
GROUP_KEYS = ("key_fact_recall", "faithfulness", "hit@5", "refusal_correct")


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def _safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return value


def _bar(ax: Any, labels: Sequence[str], values: Sequence[float], title: str) -> None:
    clean = [0.0 if v is None or math.isnan(v) else v for v in values]
    ax.barh(list(labels), clean, color="#4c72b0")
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    ax.set_title(title)
    for y, v in enumerate(values):
        ax.text(min(clean[y], 1.0) + 0.01, y, _fmt(v), va="center", fontsize=8)


def _grouped(ax: Any, groups: Mapping[str, Mapping[str, float]], title: str) -> None:
    import numpy as np

    names = list(groups)
    x = np.arange(len(names))
    width = 0.8 / len(GROUP_KEYS)
    for i, key in enumerate(GROUP_KEYS):
        vals = [groups[n].get(key, math.nan) for n in names]
        vals = [0.0 if v is None or math.isnan(v) else v for v in vals]
        ax.bar(x + (i - (len(GROUP_KEYS) - 1) / 2) * width, vals, width, label=key)
    labels = [f"{n}\n(n={int(groups[n].get('n', 0))})" for n in names]
    ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.25)
    ax.set_title(title)
    ax.legend(fontsize=7, ncols=len(GROUP_KEYS), loc="upper center")


def make_plots(
    summary: Mapping[str, Any], records: Sequence[Mapping[str, Any]], folder: Path
) -> dict[str, Path]:
    """PNG plots: metrics, per question type, per source, latency distribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    metrics = summary["metrics"]

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        out[name] = path

    fig, ax = plt.subplots(figsize=(7, 4.5))
    keys = [k for k in HEADLINE if k in metrics]
    _bar(
        ax,
        keys,
        [metrics[k] if metrics[k] is not None else math.nan for k in keys],
        "Score per metric",
    )
    save(fig, "metrics")
    for name, title in (("by_type", "Per question type"), ("by_source", "Per source")):
        groups = {k: {m: (v if v is not None else math.nan) for m, v in g.items()}
                  for k, g in summary[name].items()}  # fmt: skip
        fig, ax = plt.subplots(figsize=(9, 4.5))
        _grouped(ax, groups, title)
        save(fig, name)
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    if latencies:
        ax.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#55a868")
        for q, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
            if metrics.get(q) is not None:
                ax.axvline(
                    metrics[q], color="black", linestyle=style, label=f"{q} = {metrics[q]:.0f}"
                )
        ax.legend(fontsize=8)
    ax.set_xlabel("/ask latency (ms)")
    ax.set_title("Latency distribution")
    save(fig, "latency")
    return out


def failures(records: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One row per question with a problem, for a human to read."""
    rows = []
    for r in records:
        if not r.get("problems"):
            continue
        rows.append({
            "id": r["id"], "type": r["type"], "question": r["question"],
            "problems": "; ".join(r["problems"]),
            "answer": (r.get("answer") or "")[:300], "gold": (r.get("gold_answer") or "")[:200],
        })  # fmt: skip
    return rows


def _markdown(
    summary: Mapping[str, Any], records: Sequence[Mapping[str, Any]], plots: Mapping[str, Path]
) -> str:
    m = summary["metrics"]
    lines = [
        "# newsqa evaluation",
        "",
        f"- engine: `{summary['engine']}` · api: `{summary['api']}` · judge: `{summary['judge']}`",
        f"- dataset: `{summary['dataset']}` · questions: {summary['counts']['questions']} "
        f"({summary['counts']['answerable']} answerable) · started {summary['started_at']} "
        f"· {summary['duration_s']} s",
        "",
        "## Metrics",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in m.items()]
    lines += ["", "## Judge accuracy on labelled pairs", ""]
    lines += ["| judge | n | accuracy | unknown | per kind |", "|---|---|---|---|---|"]
    for name, acc in summary["judge_accuracy"].items():
        kinds = ", ".join(f"{k} {_fmt(v)}" for k, v in acc["per_kind"].items())
        lines.append(
            f"| {name} | {acc['n']} | {_fmt(acc['accuracy'])} | {acc['unknown']} | {kinds} |"
        )
    for key, title in (("by_type", "Per question type"), ("by_source", "Per source")):
        lines += ["", f"## {title}", "", "| group | n | " + " | ".join(GROUP_KEYS) + " |"]
        lines.append("|---" * (len(GROUP_KEYS) + 2) + "|")
        for name, g in summary[key].items():
            cells = " | ".join(_fmt(g.get(k)) for k in GROUP_KEYS)
            lines.append(f"| {name} | {int(g['n'])} | {cells} |")
    lines += ["", "## Plots", ""]
    lines += [f"![{name}](plots/{path.name})" for name, path in plots.items()]
    rows = failures(records)
    lines += ["", f"## Failures ({len(rows)})", ""]
    lines += [
        "Every question with a problem: a refusal or a missing fact (a wrong answer), an "
        "unsupported sentence, or gold evidence outside the top 5 search hits (the answer may "
        "still be right).",
        "",
    ]
    lines += ["| id | type | question | problems | answer |", "|---|---|---|---|---|"]
    for row in rows:
        fields = [
            row[k].replace("|", "\\|").replace("\n", " ")
            for k in ("id", "type", "question", "problems", "answer")
        ]
        lines.append("| " + " | ".join(fields) + " |")
    if summary.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in summary["notes"]]
    lines += ["", "Every metric is explained in docs/evaluation.md (in the newsqa repository)."]
    return "\n".join(lines) + "\n"


def _html(
    markdown_summary: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    plots: Mapping[str, Path],
) -> str:
    s = markdown_summary
    esc = html.escape

    def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    parts: list[str] = [
        "<!doctype html><html><head><meta charset='utf-8'><title>newsqa evaluation</title>",
        f"<style>{_CSS}</style></head><body><h1>newsqa evaluation</h1>",
        f"<p>engine <code>{esc(str(s['engine']))}</code> · api <code>{esc(s['api'])}</code> · "
        f"judge <code>{esc(s['judge'])}</code> · {s['counts']['questions']} questions · "
        f"started {esc(s['started_at'])} · {s['duration_s']} s</p>",
        "<h2>Metrics</h2>",
        table(["metric", "value"], list(s["metrics"].items())),
        "<h2>Judge accuracy on labelled pairs</h2>",
        table(["judge", "n", "accuracy", "unknown"],
              [[k, a["n"], a["accuracy"], a["unknown"]] for k, a in s["judge_accuracy"].items()]),
    ]  # fmt: skip
    for key, title in (("by_type", "Per question type"), ("by_source", "Per source")):
        rows = [[name, int(g["n"])] + [g.get(k) for k in GROUP_KEYS] for name, g in s[key].items()]
        parts += [f"<h2>{title}</h2>", table(["group", "n", *GROUP_KEYS], rows)]
    parts.append("<h2>Plots</h2>")
    for name, path in plots.items():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<img alt='{esc(name)}' src='data:image/png;base64,{data}'>")
    fails = failures(records)
    keys = ("id", "type", "question", "problems", "answer", "gold")
    parts += [
        f"<h2>Failures ({len(fails)})</h2>",
        table([*keys[:-1], "gold answer"], [[r[k] for k in keys] for r in fails]),
    ]
    if s.get("notes"):
        parts.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in s["notes"]) + "</ul>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    run_dir: Path, summary: Any, records: Sequence[Mapping[str, Any]]
) -> dict[str, Path]:
    """Write every artefact of a run into ``run_dir``; returns their paths."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    data = summary.to_dict() if hasattr(summary, "to_dict") else _safe(dict(summary))
    paths = {
        "results": run_dir / "results.jsonl",
        "summary": run_dir / "summary.json",
        "markdown": run_dir / "report.md",
        "html": run_dir / "report.html",
    }
    with paths["results"].open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(_safe(record), ensure_ascii=False) + "\n")
    paths["summary"].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    plots = make_plots(data, records, run_dir / "plots")
    paths["markdown"].write_text(_markdown(data, records, plots), "utf-8")
    paths["html"].write_text(_html(data, records, plots), "utf-8")
    return paths
