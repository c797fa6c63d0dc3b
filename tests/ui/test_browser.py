"""End to end in a real Chromium: ``newsqa ui`` (Streamlit) against the real API (a copy of the
seed index) and against the scripted stand-in API (``tests/ui/standin_api.py``, the API's own
response models) for the list answer, the follow-up and the opened source card.

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
from tests.ui.standin_api import OPTIONS, StandIn, create_app, serve
from tests.ui.test_client import minimal_pdf

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
OPTIONS_Q = "What are the four options Europe is weighing?"
FOLLOW_UP_Q = "And which of them does Russia oppose?"
PLACEHOLDER = "Ask a question about the news…"
ARTICLE = (
    "The city council of Tartu approved a plan on Monday to build a floating solar farm on "
    "Lake Peipus. The floating solar farm will have 4,000 panels and is expected to power "
    "1,200 homes. Construction starts in the spring, the council said in a statement."
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def start_ui(api_url: str, log: Path):  # type: ignore[no-untyped-def]
    """``newsqa ui`` (→ ``ui.launch.run_ui``) on a free port, talking to ``api_url``."""
    port = free_port()
    ui_url = f"http://127.0.0.1:{port}"
    args = [str(BIN / "newsqa"), "ui", "--port", str(port)]
    return ui_url, running(args, f"{ui_url}/_stcore/health", child_env(NEWSQA_API_URL=api_url), log)


@pytest.fixture(scope="module")
def servers(seed_settings, tmp_path_factory, artifacts_dir) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The real API on a copy of the seed index, and the UI started through ``ui.launch``."""
    index = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(seed_settings.index_dir, index)  # one embedded Chroma dir per process
    with api_server(index, artifacts_dir / "browser-api.log") as api_url:
        ui_url, ui = start_ui(api_url, artifacts_dir / "browser-ui.log")
        with ui:
            httpx.get(f"{api_url}/readyz", timeout=120)  # warm the index before the first page
            yield {"api": api_url, "ui": ui_url}


@pytest.fixture(scope="module")
def standin_servers(artifacts_dir) -> Iterator[tuple[str, StandIn]]:  # type: ignore[no-untyped-def]
    """The scripted stand-in API (in a thread) and the UI talking to it: (UI URL, stand-in)."""
    stand = StandIn()
    with serve(create_app(stand)) as api_url:
        ui_url, ui = start_ui(api_url, artifacts_dir / "browser-standin-ui.log")
        with ui:
            yield ui_url, stand


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_ui(browser, url: str) -> Iterator:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_placeholder(PLACEHOLDER)).to_be_visible(timeout=LONG)
    expect(page.get_by_text("Engine:")).to_be_visible(timeout=LONG)  # sidebar: API reached
    yield page
    context.close()


@pytest.fixture()
def page(browser, servers):  # type: ignore[no-untyped-def]
    """A fresh chat in the UI on the real API."""
    yield from open_ui(browser, servers["ui"])


@pytest.fixture()
def standin_page(browser, standin_servers):  # type: ignore[no-untyped-def]
    """A fresh chat in the UI on the stand-in API."""
    yield from open_ui(browser, standin_servers[0])


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_placeholder(PLACEHOLDER)
    box.fill(question)
    box.press("Enter")


def assistant(page, n: int = 0):  # type: ignore[no-untyped-def]
    """The n-th assistant reply, once its final answer and its cards have arrived (the engine
    caption, then the feedback buttons: the last things a reply shows)."""
    reply = (
        page.get_by_test_id("stChatMessage")
        .filter(has=page.get_by_text(re.compile(r"^engine: ")))
        .nth(n)
    )
    expect(reply).to_be_visible(timeout=LONG)
    expect(reply.get_by_role("button", name=re.compile("Helpful")).first).to_be_visible(
        timeout=LONG
    )
    return reply


def source_card(reply, n: int):  # type: ignore[no-untyped-def]
    """The source card ``[n]`` of one reply (a Streamlit expander)."""
    summary = reply.page.locator("summary p", has_text=re.compile(rf"^\[{n}\] "))
    return reply.get_by_test_id("stExpander").filter(has=summary)


def expect_opened_and_highlighted(card) -> None:  # type: ignore[no-untyped-def]
    """The card is open (its <details> element), highlighted (class and a visible outline) and
    scrolled into view."""
    expect(card.locator("details")).to_have_attribute("open", "", timeout=LONG)
    expect(card).to_have_class(re.compile(r"\bcite-open\b"))
    expect(card).to_have_css("outline-style", "solid")
    expect(card.locator("mark")).to_be_visible()
    expect(card).to_be_in_viewport()


def test_answer_cites_opens_its_card_and_takes_feedback(page, servers, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    ask(page, GRIPEN_Q)
    reply = assistant(page)
    answer = reply.locator("div.answer")
    expect(answer).to_contain_text("Gripen")
    marker = answer.locator("a.cite", has_text="[1]").first
    expect(marker).to_be_visible()
    assert marker.get_attribute("href") == "#src-1-1"

    card = source_card(reply, 1)
    expect(card).to_have_count(1)
    expect(card.locator("summary")).to_contain_text(re.compile(r"\[1\] .+ — UNN"))
    expect(card.locator("details")).not_to_have_attribute("open", "")
    marker.click()  # opens, highlights and scrolls to the card; the URL names it
    expect_opened_and_highlighted(card)
    page.wait_for_function("location.hash === '#src-1-1'", timeout=LONG)
    expect(card.locator("mark")).to_contain_text("150 Swedish-made Saab JAS-39E Gripen fighters")
    expect(card.get_by_text(re.compile("^Who says it: "))).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "ui-answer.png"))

    comment = reply.get_by_placeholder(re.compile("Optional comment"))
    comment.fill("spot on")
    comment.press("Enter")
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


def test_sources_dont_say_has_its_own_look(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    ask(page, "Who won the 2022 football World Cup?")
    reply = assistant(page)
    notice = reply.get_by_test_id("stAlertContainer")
    expect(notice).to_contain_text("The sources don't say")
    expect(reply.locator("div.answer")).to_have_count(0)
    expect(reply.get_by_text("Closest sources")).to_be_visible()
    expect(reply.get_by_test_id("stExpander").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "ui-sources-dont-say.png"))


def test_uploaded_pdf_becomes_answerable(page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    """A PDF chosen in the upload box goes to ``POST /documents`` as a file; the API reads it."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stExpander").filter(has_text="Add an article").locator(
        "summary"
    ).click()
    sidebar.get_by_role("tab", name="Upload file").click()
    sidebar.locator("input[type=file]").set_input_files(
        files=[{"name": "tartu.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf(ARTICLE)}]
    )
    expect(sidebar.get_by_text("tartu.pdf")).to_be_visible(timeout=LONG)
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
    card = reply.get_by_test_id("stExpander").filter(
        has=page.locator("summary", has_text="Baltic Wire")
    )
    card.first.locator("summary").click()
    card = card.first
    expect(card.locator("mark")).to_be_visible(timeout=LONG)
    expect(card).to_contain_text("Who says it: Baltic Wire")
    page.wait_for_timeout(500)  # let the expander finish opening
    page.screenshot(path=str(artifacts_dir / "ui-added-answer.png"))


def test_list_answer_is_a_list_and_its_markers_open_their_cards(
    standin_page, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    ask(standin_page, OPTIONS_Q)
    reply = assistant(standin_page)
    expect(reply.locator("div.answer")).to_contain_text("The Times lists four options:")
    items = reply.locator("div.answer ul.answer-list > li")
    expect(items).to_have_count(len(OPTIONS))
    for k, option in enumerate(OPTIONS):  # in order, each item with its own marker
        expect(items.nth(k)).to_contain_text(option.rstrip("."))
        marker = items.nth(k).locator("a.cite")
        expect(marker).to_have_text(f"[{k + 2}]")
        assert marker.get_attribute("href") == f"#src-1-{k + 2}"
    assert items.first.evaluate("e => getComputedStyle(e).display") == "list-item"
    standin_page.screenshot(path=str(artifacts_dir / "ui-list-answer.png"))

    expect(reply.get_by_test_id("stExpander")).to_have_count(1 + len(OPTIONS))
    expect(reply.locator("details[open]")).to_have_count(0)  # all closed at first
    items.nth(1).locator("a.cite").click()
    third = source_card(reply, 3)
    expect_opened_and_highlighted(third)
    expect(third.locator("mark")).to_have_text(OPTIONS[1])
    expect(third).to_contain_text("Who says it: The Times (the outlet's own reporting)")
    standin_page.wait_for_function("location.hash === '#src-1-3'", timeout=LONG)
    expect(reply.locator(".cite-open")).to_have_count(1)

    items.nth(3).locator("a.cite").click()  # the highlight moves to the next card
    fifth = source_card(reply, 5)
    expect_opened_and_highlighted(fifth)
    expect(third).not_to_have_class(re.compile(r"\bcite-open\b"))
    expect(reply.locator(".cite-open")).to_have_count(1)
    standin_page.screenshot(path=str(artifacts_dir / "ui-card-opened.png"))


def test_follow_up_in_the_chat_keeps_its_context(standin_page, standin_servers) -> None:  # type: ignore[no-untyped-def]
    _, stand = standin_servers
    ask(standin_page, OPTIONS_Q)
    first = assistant(standin_page)
    expect(first.locator("li")).to_have_count(len(OPTIONS))
    first_answer = stand.answer(OPTIONS_Q, [])["answer"]
    ask(standin_page, FOLLOW_UP_Q)
    second = assistant(standin_page, 1)
    # the stand-in answers "which of them" only when the history asked about the options
    expect(second.locator("div.answer")).to_contain_text("Moscow rejects foreign troops")
    sent = stand.requests[-1]
    assert sent["question"] == FOLLOW_UP_Q
    assert sent["history"] == [
        {"role": "user", "content": OPTIONS_Q},
        {"role": "assistant", "content": first_answer},
    ]
    expect(standin_page.get_by_test_id("stChatMessage")).to_have_count(4)


def test_an_over_long_message_is_refused_with_a_reason_not_dropped(  # type: ignore[no-untyped-def]
    standin_page, standin_servers
) -> None:
    """A paste over the question limit used to vanish from the box without a word."""
    _, stand = standin_servers
    sent_before = len(stand.requests)
    text = "What did the council decide about the lake? " * 60  # ~2,600 characters
    box = standin_page.get_by_placeholder(PLACEHOLDER)
    box.fill(text)
    expect(box).to_have_value(text)  # the box keeps what was pasted
    box.press("Enter")
    expect(
        standin_page.get_by_text(re.compile(r"a question may have at most 2,000"))
    ).to_be_visible(timeout=LONG)
    expect(standin_page.get_by_test_id("stCode")).to_contain_text("about the lake?")
    assert len(stand.requests) == sent_before  # nothing was sent to the API
