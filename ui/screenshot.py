"""Take the README screenshot from the current UI: ``python -m ui.screenshot``.

Builds a fresh index of ``data/articles`` in a temporary directory (the shared ``data/index`` is
left alone), starts ``newsqa serve`` on it and ``newsqa ui`` against it, asks the questions in a
real Chromium (Playwright, ``/usr/bin/chromium``, headless), clicks a ``[n]`` marker of the
last answer (its first list item's, else its first) so that its source card opens highlighted,
and writes ``docs/screenshot.png``. ``--question`` (repeatable) asks other questions, e.g. a
question and its follow-up.

``--api URL`` uses an API that is already running instead (nothing is ingested then). Offline:
the embeddings are the local ONNX model, the browser is Debian's Chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from newsqa.loopback import child_env, free_port, running

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
PLACEHOLDER = "Ask a question about the news…"
QUESTIONS = ["What are the four security guarantee options Europe is weighing?"]
LONG = 180_000  # ms


@contextlib.contextmanager
def _api(api_url: str | None, work: Path) -> Iterator[str]:
    """``api_url`` as is, or ``newsqa serve`` on a fresh index of ``data/articles``."""
    if api_url:
        yield api_url.rstrip("/")
        return
    index = work / "index"
    env = child_env(NEWSQA_INDEX_DIR=str(index))
    subprocess.run(
        [str(BIN / "newsqa"), "ingest", "--index-dir", str(index), str(ROOT / "data" / "articles")],
        check=True,
        env=env,
        cwd=ROOT,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [str(BIN / "newsqa"), "serve", "--index-dir", str(index), "--port", str(port)]
    with running(args, f"{url}/healthz", env, work / "api.log", 180, cwd=ROOT):
        httpx.get(f"{url}/readyz", timeout=300)  # open the index before the first question
        yield url


def take(
    out: Path,
    questions: list[str],
    api_url: str | None,
    marker: int | None = None,
    size: tuple[int, int] = (1400, 1500),
) -> Path:
    from playwright.sync_api import expect, sync_playwright

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsqa-shot-")))
        api = stack.enter_context(_api(api_url, tmp))
        port = free_port()
        ui = f"http://127.0.0.1:{port}"
        args = [str(BIN / "newsqa"), "ui", "--port", str(port), "--api-url", api]
        stack.enter_context(
            running(args, f"{ui}/_stcore/health", child_env(), tmp / "ui.log", 180, cwd=ROOT)
        )
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.goto(ui)
        box = page.get_by_placeholder(PLACEHOLDER)
        expect(box).to_be_visible(timeout=LONG)
        expect(page.get_by_text("Engine:")).to_be_visible(timeout=LONG)
        replies = page.get_by_test_id("stChatMessage").filter(
            has=page.get_by_text(re.compile(r"^engine: "))
        )
        for n, question in enumerate(questions):
            box.fill(question)
            box.press("Enter")
            expect(replies.nth(n)).to_be_visible(timeout=LONG)
            done = replies.nth(n).get_by_role("button", name=re.compile("Helpful")).first
            expect(done).to_be_visible(timeout=LONG)  # the reply is complete, cards and all
        last = replies.nth(len(questions) - 1)
        markers = last.locator("div.answer a.cite")
        if markers.count():
            items = last.locator("div.answer li a.cite")
            chosen = items.first if items.count() else markers.first
            if marker is not None:
                chosen = last.locator("div.answer a.cite", has_text=f"[{marker}]").first
            chosen.click()  # opens, highlights and scrolls to its source card
            opened = last.locator(".cite-open details[open]")
            expect(opened).to_have_count(1)
            page.wait_for_timeout(800)  # the smooth scroll and the expander's animation
            expect(opened).to_have_count(1)
            expect(last.locator("div.answer")).to_be_visible()
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--api", help="use this running API instead of a fresh seed index")
    parser.add_argument(
        "--question", action="append", help="ask this (repeatable, for follow-ups; default: "
        "a list question)"
    )  # fmt: skip
    parser.add_argument("--marker", type=int, help="open this [n] of the last answer (default 1st)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args(argv)
    questions = args.question or QUESTIONS
    path = take(args.out, questions, args.api, args.marker, (args.width, args.height))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
