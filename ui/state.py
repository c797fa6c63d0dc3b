"""Session state, the API client and cached API reads shared by the UI modules."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from ui.client import ApiError, DocumentDetail, NewsQAClient

DEFAULT_API_URL = "http://127.0.0.1:8000"

EXAMPLES = [
    "How many Gripen fighters does Kyiv plan to buy?",
    'What is Ukraine\'s "Plan B" for its security?',
    "Which security guarantee options is Europe weighing for Ukraine?",
]


def api_url() -> str:
    return os.environ.get("NEWSQA_API_URL", "").strip() or DEFAULT_API_URL


def api_key() -> str | None:
    keys = os.environ.get("NEWSQA_UI_API_KEY") or os.environ.get("NEWSQA_API_KEYS", "")
    first = keys.split(",")[0].strip()
    return first or None


@st.cache_resource(show_spinner=False)
def _client(url: str, key: str | None) -> NewsQAClient:
    return NewsQAClient(url, api_key=key)


def client() -> NewsQAClient:
    return _client(api_url(), api_key())


def init_state() -> None:
    defaults: dict[str, Any] = {
        "messages": [],  # {"role": "user", "content"} | {"role": "assistant", ...}
        "doc_cache": {},  # doc_id -> DocumentDetail | None
        "pending": None,  # a question chosen from the examples
        "add_result": None,  # ("success" | "error", message)
        "upload_version": 0,  # bumped to reset the file uploader
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def document(doc_id: str) -> DocumentDetail | None:
    """The cited document (for its chunk text), fetched once per session; None on failure."""
    cache: dict[str, DocumentDetail | None] = st.session_state["doc_cache"]
    if doc_id not in cache:
        try:
            cache[doc_id] = client().document(doc_id)
        except ApiError:
            cache[doc_id] = None
    return cache[doc_id]
