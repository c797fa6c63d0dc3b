"""Start the Streamlit UI as a subprocess: ``newsqa ui [--port 8501]``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
ROOT = APP.parents[1]


def ui_command(port: int, python: str | None = None) -> list[str]:
    """The ``streamlit run`` command line: headless, 127.0.0.1, usage statistics off."""
    return [
        python or sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def ui_env(api_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["NEWSQA_API_URL"] = api_url
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def start_ui(port: int, api_url: str, **popen: object) -> subprocess.Popen:
    """Start the UI without waiting (for tests and ``make run``)."""
    return subprocess.Popen(ui_command(port), env=ui_env(api_url), cwd=ROOT, **popen)  # type: ignore[call-overload]


def run_ui(port: int, api_url: str) -> None:
    """Run the UI in the foreground until it exits; Ctrl-C or SIGTERM stop it too."""
    process = start_ui(port, api_url)

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        try:
            code = process.wait()
        except KeyboardInterrupt:  # the child got the same Ctrl-C from the terminal
            try:
                code = process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.terminate()
                code = process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            process.kill()
            process.wait()
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise SystemExit(code)
