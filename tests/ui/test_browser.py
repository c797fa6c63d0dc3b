"""End to end in a real Chromium: the real API (seed index copy) + ``newsqa ui`` (Streamlit).

Playwright drives Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser download
does not work offline). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import BIN, api_server, child_env, free_port, running

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LONG = 120_000  # ms: Streamlit reruns and the first answer (model warm-up) can be slow
GRIPEN_Q = "How many Gripen fighters does Kyiv plan to buy?"
PLACEHOLDER = "Ask a question about the news…"
ARTICLE = (
    "The city council of Tartu approved a plan on Monday to build a floating solar farm on "
    "Lake Peipus. The floating solar farm will have 4,000 panels and is expected to power "
    "1,200 homes. Construction starts in the spring, the council said in a statement."
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def servers(seed_settings, tmp_path_factory, artifacts_dir) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The real API on a copy of the seed index, and the UI started through ``ui.launch``."""
    index = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(seed_settings.index_dir, index)  # one embedded Chroma dir per process
    ui_port = free_port()
    ui_url = f"http://127.0.0.1:{ui_port}"
    ui_args = [str(BIN / "newsqa"), "ui", "--port", str(ui_port)]  # → ui.launch.run_ui
    with (
        api_server(index, artifacts_dir / "browser-api.log") as api_url,
        running(
            ui_args,
            f"{ui_url}/_stcore/health",
            child_env(NEWSQA_API_URL=api_url),
            artifacts_dir / "browser-ui.log",
        ),
    ):
        httpx.get(f"{api_url}/readyz", timeout=120)  # warm the index before the first page
        yield {"api": api_url, "ui": ui_url}


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, servers):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(servers["ui"])
    expect(page.get_by_placeholder(PLACEHOLDER)).to_be_visible(timeout=LONG)
    expect(page.get_by_text("Engine:")).to_be_visible(timeout=LONG)  # sidebar: API reached
    yield page
    context.close()


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_placeholder(PLACEHOLDER)
    box.fill(question)
    box.press("Enter")


def assistant(page, n: int = 0):  # type: ignore[no-untyped-def]
    """The n-th assistant reply, once its final answer has arrived (the engine caption)."""
    reply = (
        page.get_by_test_id("stChatMessage")
        .filter(has=page.get_by_text(re.compile(r"^engine: ")))
        .nth(n)
    )
    expect(reply).to_be_visible(timeout=LONG)
    return reply


def test_answer_cites_and_opens_its_source_card(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    ask(page, GRIPEN_Q)
    reply = assistant(page)
    answer = reply.locator("div.answer")
    expect(answer).to_contain_text("Gripen")
    marker = answer.locator("a.cite", has_text="[1]")
    expect(marker).to_be_visible()
    assert marker.get_attribute("href") == "#src-1-1"

    card = reply.get_by_test_id("stExpander").filter(has_text=re.compile(r"\[1\] .+ — UNN"))
    expect(card).to_have_count(1)
    card.locator("summary").click()
    expect(card.get_by_text("UNN", exact=True)).to_be_visible(timeout=LONG)
    quote = card.locator("mark")
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("150 Swedish-made Saab JAS-39E Gripen fighters")
    marker.click()  # the marker is an in-page link to its card
    page.wait_for_function("location.hash === '#src-1-1'", timeout=LONG)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "ui-answer.png"))


def test_sources_dont_say_has_its_own_look(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    ask(page, "Who won the 2022 football World Cup?")
    reply = assistant(page)
    notice = reply.get_by_test_id("stAlertContainer")
    expect(notice).to_contain_text("The sources don't say")
    expect(reply.locator("div.answer")).to_have_count(0)
    expect(reply.get_by_text("Closest sources")).to_be_visible()
    expect(reply.get_by_test_id("stExpander").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "ui-sources-dont-say.png"))


def test_feedback_reaches_the_api(page, servers) -> None:  # type: ignore[no-untyped-def]
    ask(page, GRIPEN_Q)
    reply = assistant(page)
    reply.get_by_placeholder(re.compile("Optional comment")).fill("spot on")
    reply.get_by_placeholder(re.compile("Optional comment")).press("Enter")
    page.wait_for_timeout(1000)
    reply = assistant(page)
    reply.get_by_role("button", name=re.compile("Helpful")).first.click()
    expect(
        page.get_by_text(re.compile(r"Thanks for the feedback \(saved as #\d+\)"))
    ).to_be_visible(timeout=LONG)
    stored = httpx.get(f"{servers['api']}/feedback", timeout=30).json()
    assert any(
        item["question"] == GRIPEN_Q
        and item["rating"] == "up"
        and item["comment"] == "spot on"
        and item["citations"]
        for item in stored
    )


def test_added_article_becomes_answerable(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stExpander").filter(has_text="Add an article").locator(
        "summary"
    ).click()
    text = sidebar.get_by_label("Article text")
    text.fill(ARTICLE)
    text.press("Control+Enter")
    for label, value in (
        ("Title (optional)", "Tartu backs floating solar farm"),
        ("Outlet (optional)", "Baltic Wire"),
    ):
        field = sidebar.get_by_label(label)
        field.fill(value)
        field.press("Enter")
    page.wait_for_timeout(1500)
    sidebar.get_by_role("button", name="Add article").click()
    added = sidebar.get_by_text(re.compile("^Added: “Tartu backs floating solar farm”"))
    expect(added).to_be_visible(timeout=LONG)
    expect(sidebar.get_by_text(re.compile(r"^6 documents"))).to_be_visible(timeout=LONG)
    page.screenshot(path=str(artifacts_dir / "ui-article-added.png"))

    ask(page, "How many homes will the floating solar farm on Lake Peipus power?")
    reply = assistant(page)
    expect(reply.locator("div.answer")).to_contain_text("1,200 homes")
    card = reply.get_by_test_id("stExpander").filter(has_text="Baltic Wire").first
    card.locator("summary").click()
    expect(card.locator("mark")).to_be_visible(timeout=LONG)
    expect(card.get_by_text("Baltic Wire", exact=True)).to_be_visible()
    page.wait_for_timeout(500)  # let the expander finish opening
    page.screenshot(path=str(artifacts_dir / "ui-added-answer.png"))
