"""Quality gate: thresholds (``eval/config.toml``) and regressions against the baseline."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path("eval/config.toml")
DEFAULT_BASELINE = Path("eval/baseline.json")
BASELINE_METRICS_KEY = "metrics"


def gate_paths(dataset: Path) -> tuple[Path, Path]:
    """The gate's config and baseline for a question set.

    The seed set (``data/eval/questions.jsonl``) uses ``eval/config.toml`` and
    ``eval/baseline.json``; another set named ``<stem>.jsonl`` uses ``eval/config.<stem>.toml``
    and ``eval/baseline.<stem>.json`` (e.g. the dev ``check`` split).
    """
    stem = Path(dataset).stem
    if stem == "questions":
        return DEFAULT_CONFIG, DEFAULT_BASELINE
    folder = DEFAULT_CONFIG.parent
    return folder / f"config.{stem}.toml", folder / f"baseline.{stem}.json"


def _metrics(summary: Any) -> Mapping[str, Any]:
    if hasattr(summary, "metrics"):
        return summary.metrics
    if isinstance(summary, Mapping):
        return summary.get("metrics", summary)
    raise TypeError("summary must be a Summary or a summary.json mapping")


def _value(metrics: Mapping[str, Any], name: str) -> float | None:
    value = metrics.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def load_config(path: Path = DEFAULT_CONFIG) -> dict[str, Any]:
    return tomllib.loads(Path(path).read_text("utf-8"))


def check_gate(
    summary: Any, config_path: Path = DEFAULT_CONFIG, baseline_path: Path | None = DEFAULT_BASELINE
) -> list[str]:
    """Violations (empty: the gate passes). Without a baseline file only thresholds are checked."""
    config = load_config(config_path)
    metrics = _metrics(summary)
    violations: list[str] = []
    for name, minimum in config.get("thresholds", {}).items():
        value = _value(metrics, name)
        if value is None:
            violations.append(f"{name}: missing from the summary (threshold >= {minimum})")
        elif value < float(minimum):
            violations.append(f"{name} = {value:.3f} is below the threshold {minimum}")
    for name, maximum in config.get("maximums", {}).items():
        value = _value(metrics, name)
        if value is None:
            violations.append(f"{name}: missing from the summary (threshold <= {maximum})")
        elif value > float(maximum):
            violations.append(f"{name} = {value:.3f} is above the maximum {maximum}")
    if baseline_path is None or not Path(baseline_path).exists():
        return violations
    baseline = _metrics(json.loads(Path(baseline_path).read_text("utf-8")))
    regression = config.get("regression", {})
    tolerance = float(regression.get("tolerance", 0.02))
    lower = set(regression.get("lower_is_better", []))
    for name in list(regression.get("metrics", [])) + sorted(lower):
        base, value = _value(baseline, name), _value(metrics, name)
        if base is None:
            continue
        if value is None:
            violations.append(f"{name}: missing from the summary (baseline {base:.3f})")
        elif name in lower and value > base + tolerance:
            violations.append(f"{name} = {value:.3f} rose above baseline {base:.3f} + {tolerance}")
        elif name not in lower and value < base - tolerance:
            violations.append(
                f"{name} = {value:.3f} regressed below baseline {base:.3f} - {tolerance}"
            )
    return violations


def write_baseline(summary: Any, path: Path = DEFAULT_BASELINE) -> Path:
    """Store a run's metrics as the new baseline (commit it deliberately)."""
    data = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    keep = {k: data.get(k) for k in ("engine", "judge", "dataset", "started_at", "counts")}
    metrics = {k: v for k, v in _metrics(data).items() if not k.startswith("latency")}
    Path(path).write_text(
        json.dumps({**keep, BASELINE_METRICS_KEY: metrics}, indent=2) + "\n", "utf-8"
    )
    return Path(path)


def accept_baseline(
    summary: Any, config_path: Path, baseline_path: Path = DEFAULT_BASELINE
) -> list[str]:
    """Write ``summary`` as the baseline when it passes the gate (its thresholds, and no
    regression against the current baseline); else return the violations and write nothing:
    a baseline is what later runs must not fall below."""
    failed = check_gate(summary, config_path, baseline_path) if Path(config_path).exists() else []
    if not failed:
        write_baseline(summary, baseline_path)
    return failed
