"""The sidebar: corpus, filters, ``top_k``, engine, examples, clear chat, add an article."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st

from ui.client import ApiError, ApiUnavailable, DocumentSummary, Readiness
from ui.render import corpus_rows, plain_md
from ui.state import EXAMPLES, client

UPLOAD_TYPES = ["txt", "md", "html", "htm", "pdf"]


@dataclass
class Options:
    top_k: int = 5
    filters: dict[str, Any] = field(default_factory=dict)


def _corpus() -> list[DocumentSummary] | None:
    try:
        return client().documents()
    except ApiError:
        return None


def render_sidebar(ready: Readiness | None) -> Options:
    opts = Options()
    with st.sidebar:
        st.header(":material/newspaper: newsqa")
        docs = _corpus() if ready is not None else None
        _corpus_section(ready, docs)
        # a chosen outlet stays chosen while the API is briefly unreachable (no list to offer)
        sources = sorted(
            {d.source for d in docs or [] if d.source}
            | set(st.session_state.get("filter_sources") or [])
        )
        st.subheader("Filters")
        chosen = st.multiselect("Sources", sources, key="filter_sources", placeholder="All sources")
        col_from, col_to = st.columns(2)
        published_from = col_from.date_input(
            "Published from", value=None, key="filter_from", format="YYYY-MM-DD"
        )
        published_to = col_to.date_input(
            "Published to", value=None, key="filter_to", format="YYYY-MM-DD"
        )
        dated = [d for d in (published_from, published_to) if isinstance(d, date)]
        if dated:
            st.caption("Articles without a publication date are left out while a date is set.")
        if len(dated) == 2 and dated[0] > dated[1]:
            st.error("“Published from” is after “Published to”: no article can match.")
        opts.top_k = int(st.slider("Passages to retrieve (top_k)", 1, 20, 5, key="top_k"))
        if chosen:
            opts.filters["source"] = chosen
        if isinstance(published_from, date):
            opts.filters["published_from"] = published_from.isoformat()
        if isinstance(published_to, date):
            opts.filters["published_to"] = published_to.isoformat()

        st.subheader("Try asking")
        for i, example in enumerate(EXAMPLES):
            if st.button(example, key=f"example-{i}", width="stretch"):
                st.session_state["pending"] = example
        if st.button("Clear chat", key="clear_chat", width="stretch", icon=":material/delete:"):
            st.session_state["messages"] = []
            st.session_state["pending"] = None
        _add_article(ready)
    return opts


def _corpus_section(ready: Readiness | None, docs: list[DocumentSummary] | None) -> None:
    st.subheader("Corpus")
    if ready is None:
        st.caption("API not reachable")
        return
    total_chunks = sum(d.chunks for d in docs) if docs is not None else ready.chunks
    n_docs = len(docs) if docs is not None else ready.documents
    st.markdown(f"**{n_docs}** documents · **{total_chunks}** chunks")
    if docs:
        rows = "".join(
            f"| {plain_md(str(r['source']))} | {r['documents']} | {r['chunks']} |\n"
            for r in corpus_rows(docs)
        )
        st.markdown("| Outlet | Docs | Chunks |\n|:--|--:|--:|\n" + rows)
    st.caption(
        f"Engine: **{ready.engine or 'unknown'}** · embeddings: {ready.embeddings} · "
        f"store: {ready.store}"
    )
    if not ready.ready:
        st.warning(ready.detail or "The index is not ready.", icon=":material/warning:")


def upload_limit_mb(ready: Readiness | None) -> int | None:
    """The API's upload limit in whole MB, as it reports it, so the uploader says it before
    a 413 does (None: unknown, the uploader's own default)."""
    limit = ready.max_upload_bytes if ready is not None else None
    return max(1, math.ceil(limit / 2**20)) if limit else None


def _add_article(ready: Readiness | None) -> None:
    with st.expander("Add an article", expanded=False, icon=":material/add:"):
        paste_tab, upload_tab = st.tabs(["Paste text", "Upload file"])
        with paste_tab:
            st.text_area(
                "Article text",
                key="add_text",
                height=160,
                placeholder="Paste the article text here",
            )
        with upload_tab:
            st.file_uploader(
                "A .txt, .md, .html or .pdf file",
                type=UPLOAD_TYPES,
                key=f"add_file_{st.session_state['upload_version']}",
                max_upload_size=upload_limit_mb(ready),
            )
        st.text_input("Title (optional)", key="add_title")
        st.text_input("Outlet (optional)", key="add_source")
        st.text_input("URL (optional)", key="add_url")
        st.date_input("Published (optional)", value=None, key="add_published", format="YYYY-MM-DD")
        st.button("Add article", key="add_submit", type="primary", on_click=_on_add)
        st.caption("Every passage is embedded as it is added: a large file takes minutes.")
        result = st.session_state.get("add_result")
        if result:
            kind, message = result
            (st.success if kind == "success" else st.error)(message)


def _on_add() -> None:
    """Button callback (runs before the page): add, then clear the form on success; a file
    is cleared after any attempt, so that a refused one is not sent again with the next."""
    uploaded = st.session_state.get(f"add_file_{st.session_state['upload_version']}") is not None
    uploaded = uploaded and not (st.session_state.get("add_text") or "").strip()  # sent
    result = _submit_article()
    st.session_state["add_result"] = result
    if result[0] == "success":
        for key in ("add_text", "add_title", "add_source", "add_url"):
            st.session_state[key] = ""
        st.session_state["add_published"] = None
    if result[0] == "success" or uploaded:
        st.session_state["upload_version"] += 1


def _submit_article() -> tuple[str, str]:
    published = st.session_state.get("add_published")
    meta = {
        "title": (st.session_state.get("add_title") or "").strip() or None,
        "source": (st.session_state.get("add_source") or "").strip() or None,
        "url": (st.session_state.get("add_url") or "").strip() or None,
        "published": published.isoformat() if isinstance(published, date) else None,
    }
    text = (st.session_state.get("add_text") or "").strip()
    upload = st.session_state.get(f"add_file_{st.session_state['upload_version']}")
    if upload is not None and text:
        return "error", (
            f"Both pasted text and a file ({upload.name}) are given: remove one, then add again."
        )
    try:
        if upload is not None:
            added = client().upload(upload.name, upload.getvalue(), **meta)
        elif text:
            added = client().add_document(text=text, **meta)
        else:
            return "error", "Paste some text or choose a file first."
    except ApiUnavailable as exc:
        return "error", exc.detail
    except ApiError as exc:
        if exc.status and exc.status >= 500:
            return "error", f"The API failed to add it ({exc.status}): {exc.detail}"
        return "error", f"Not added: {exc.detail}"
    st.session_state["doc_cache"].pop(added.doc_id, None)
    verb = {
        "added": "Added",
        "updated": "Already in the index, details updated",
    }.get(added.status, "Already in the index (unchanged)")
    plural = "" if added.chunks == 1 else "s"
    return "success", (
        f"{verb}: “{plain_md(added.title)}” — {plain_md(added.source)} · {added.chunks} "
        f"chunk{plural} (id {added.doc_id})"
    )
