"""newsqa chat UI (Streamlit). Talks to the API over HTTP only, through ``ui.client``.

Run with ``newsqa ui`` (or ``streamlit run ui/app.py``); the API URL comes from
``NEWSQA_API_URL`` (default http://127.0.0.1:8000).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `streamlit run ui/app.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from ui.client import ApiError, ApiUnavailable, AskResponse, Readiness, SearchHit
from ui.models import MAX_QUESTION_CHARS
from ui.render import (
    CITE_SCRIPT,
    CITE_STYLE,
    anchor_id,
    answer_html,
    card_claim_md,
    card_labels,
    card_meta_md,
    esc,
    highlighted_passage,
    history_turns,
    plain_md,
    unsupported_count,
)
from ui.sidebar import Options, render_sidebar
from ui.state import api_url, client, document, init_state

NOT_SAID = "The sources don't say"
CURSOR = " ▌"


def api_banner() -> None:
    st.error(
        f"**The newsqa API is not reachable** at `{api_url()}`.  \n"
        "Start it with `newsqa serve` (or `make run` to start the API and this UI together), "
        "then press Retry.",
        icon=":material/cloud_off:",
    )
    st.button("Retry", key="retry_api")


def readiness() -> Readiness | None:
    try:
        return client().readyz()
    except ApiUnavailable:
        return None
    except ApiError as exc:
        return Readiness(
            ready=False,
            documents=0,
            chunks=0,
            engine="",
            embeddings="",
            store="",
            detail=exc.detail,
        )


# -- one answer ----------------------------------------------------------------------------
def render_sources(resp: AskResponse, closest: list[dict[str, Any]], index: int) -> None:
    if resp.citations:
        st.markdown("**Sources**" if resp.answerable else "**Closest sources**")
        labels = card_labels(resp.citations, markdown=True)
        for citation, label in zip(resp.citations, labels, strict=True):
            st.markdown(f'<div id="{anchor_id(index, citation.id)}"></div>', unsafe_allow_html=True)
            with st.expander(label, expanded=False):
                st.markdown(card_meta_md(citation))
                st.markdown(card_claim_md(citation))
                st.markdown(
                    highlighted_passage(citation, document(citation.doc_id)), unsafe_allow_html=True
                )
                st.caption(f"relevance {citation.score:.2f} · {citation.chunk_id}")
    elif closest:
        st.markdown("**Closest sources**")
        for raw in closest:
            hit = SearchHit(**raw)
            with st.expander(f"Closest {hit.rank}: {plain_md(hit.title)} — {plain_md(hit.source)}"):
                st.markdown(
                    " · ".join(
                        b
                        for b in (
                            f"**{plain_md(hit.source)}**",
                            plain_md(hit.published or ""),
                            f"[open article ↗]({hit.url})" if hit.url.startswith("http") else "",
                        )
                        if b
                    )
                )
                st.markdown(f'<div class="passage">{esc(hit.text)}</div>', unsafe_allow_html=True)


def render_feedback(message: dict[str, Any], index: int) -> None:
    done = message.get("feedback")
    if done:
        icon = ":material/thumb_up:" if done["rating"] == "up" else ":material/thumb_down:"
        st.caption(f"{icon} Thanks for the feedback (saved as #{done['id']}).")
        return
    up_col, down_col, comment_col = st.columns([2, 2, 6], vertical_alignment="center")
    up = up_col.button("Helpful", key=f"fb-up-{index}", icon=":material/thumb_up:")
    down = down_col.button("Not helpful", key=f"fb-down-{index}", icon=":material/thumb_down:")
    comment = comment_col.text_input(
        "Comment (optional)",
        key=f"fb-comment-{index}",
        label_visibility="collapsed",
        placeholder="Optional comment, then Helpful or Not helpful",
    )
    if up or down:
        rating = "up" if up else "down"
        resp = message["response"]
        try:
            new_id = client().feedback(
                message["question"], resp["answer"], resp["citations"], rating, comment or None
            )
        except ApiError as exc:
            st.error(f"Feedback not saved: {exc.detail}")
            return
        message["feedback"] = {"rating": rating, "id": new_id}
        st.rerun()


def render_assistant(message: dict[str, Any], index: int) -> None:
    if message.get("error"):
        st.error(message["error"], icon=":material/error:")
        return
    resp = AskResponse.model_validate(message["response"])
    if resp.answerable:
        st.markdown(answer_html(resp, index), unsafe_allow_html=True)
        if resp.tentative:  # answered below the level from which answers were right >= 95%
            st.caption(
                ":material/help: Found on weaker evidence: check it against the sources below."
            )
        flagged = unsupported_count(resp)
        if flagged:
            st.caption(
                f":material/warning: {flagged} sentence{'s' if flagged > 1 else ''} "
                "not supported by the cited passages (flagged in the answer)."
            )
    else:
        text = resp.answer.strip()
        if text.lower().startswith(NOT_SAID.lower()):
            text = text[len(NOT_SAID) :].lstrip(" .\n")
        if text.lower().startswith("the sources don't"):  # the API's refusal: said once
            text = "None of the indexed articles answers this question"
            text += "; the closest passages are below." if resp.citations else "."
        st.warning(f"**{NOT_SAID}.**  \n{plain_md(text)}", icon=":material/search_off:")
        removed = [s for s in resp.sentences if not s.supported]
        if removed:  # what an LLM wrote that verification removed, and why
            with st.expander(f"Removed by verification ({len(removed)})"):
                for s in removed:
                    why = "; ".join(s.reasons) or "not supported by the cited passages"
                    st.markdown(f"- {plain_md(s.text)}  \n  *{plain_md(why)}*")
    if resp.notice:
        st.info(resp.notice, icon=":material/info:")
    total = resp.timings_ms.get("total")
    took = "" if not total else f" · {total:.0f} ms" if total < 1000 else f" · {total / 1e3:.1f} s"
    st.caption(f"engine: {resp.engine}{took}")
    render_sources(resp, message.get("closest") or [], index)
    render_feedback(message, index)


def stream_answer(question: str, history: list[dict[str, str]], opts: Options) -> dict:
    """Stream ``/ask/stream`` into a placeholder; return the assistant message to store."""
    message: dict[str, Any] = {
        "role": "assistant",
        "question": question,
        "response": None,
        "closest": [],
        "error": None,
        "feedback": None,
    }
    placeholder = st.empty()
    text = ""
    try:
        with st.spinner("Searching the sources…"):
            events = client().ask_stream(question, opts.top_k, opts.filters, history)
            first = next(events, None)
        pending = [first] if first is not None else []
        for event in _chain(pending, events):
            if event.event == "delta":
                text += str(event.data.get("text", ""))
                placeholder.markdown(plain_md(text) + CURSOR)
            elif event.event == "final":
                message["response"] = AskResponse.model_validate(event.data).model_dump()
        if message["response"] is None:
            message["error"] = "The answer stream ended before the final answer; try again."
    except ApiUnavailable as exc:
        message["error"] = exc.detail
    except ApiError as exc:
        message["error"] = f"The API could not answer ({exc.status or 'error'}): {exc.detail}"
    placeholder.empty()
    resp = message["response"]
    if resp is not None and not resp["answerable"] and not resp["citations"]:
        with contextlib.suppress(ApiError):
            message["closest"] = [h.model_dump() for h in client().search(question, opts.top_k)]
    return message


def too_long(question: str) -> None:
    """An over-long message is not sent: say why, and give the text back to copy and shorten."""
    st.warning(
        f"That message has {len(question):,} characters; a question may have at most "
        f"{MAX_QUESTION_CHARS:,}. Shorten it (ask about the passage, not with it: the articles "
        "are already indexed) and send it again. Your text, to copy:",
        icon=":material/warning:",
    )
    st.code(question, language=None, wrap_lines=True)


def _chain(first: list, rest: Any) -> Any:
    yield from first
    yield from rest


# -- page ----------------------------------------------------------------------------------
def main() -> None:
    st.set_page_config(page_title="newsqa", page_icon="📰", layout="wide")
    init_state()
    st.html(CITE_STYLE)
    st.html(CITE_SCRIPT, unsafe_allow_javascript=True)
    ready = readiness()
    opts = render_sidebar(ready)
    st.title("Ask the news")
    st.caption("Answers are built from the indexed articles; every sentence cites its passages.")
    if ready is None:
        api_banner()
    elif not ready.ready:
        st.warning(ready.detail or "The index is not ready yet.", icon=":material/warning:")

    messages: list[dict[str, Any]] = st.session_state["messages"]
    for index, message in enumerate(messages):
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(plain_md(message["content"]))
            else:
                render_assistant(message, index)

    # No max_chars: Streamlit drops a paste over the limit without a word; say so instead
    prompt = st.chat_input("Ask a question about the news…", key="chat_input")
    question = (prompt or st.session_state.pop("pending", None) or "").strip()
    st.session_state["pending"] = None
    if not question:
        return
    if len(question) > MAX_QUESTION_CHARS:
        too_long(question)
        return
    history = history_turns(messages)
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(plain_md(question))
    with st.chat_message("assistant"):
        message = stream_answer(question, history, opts)
        messages.append(message)
        render_assistant(message, len(messages) - 1)


def run() -> None:
    try:
        main()
    except Exception as exc:  # nothing crashes the page
        st.error(f"Something went wrong: {type(exc).__name__}: {exc}", icon=":material/error:")


run()
