"""Error mapping, limits and API keys, in process (``TestClient``); no traceback ever leaks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsqa.errors import BackendError, ConfigError, IndexUnavailable
from service.app import create_app
from tests.helpers import free_port
from tests.service.conftest import GRIPEN, sse_events


def no_leak(body: str) -> None:
    assert "Traceback" not in body and 'File "' not in body


JSON = {"content-type": "application/json"}
LONE_SURROGATE_FILTER = b'{"question": "Who is Rutte?", "filters": {"source": ["\\ud800"]}}'


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "detail"),
    [
        ("post", "/ask", {"json": {"question": ""}}, "question: must not be empty"),
        ("post", "/ask", {"json": {"question": "  "}}, "question: must not be empty or whitespace"),
        (
            "post",
            "/ask",
            {"json": {"question": "q" * 2001}},
            "question: must be at most 2000 characters",
        ),
        ("post", "/ask", {"json": {"question": "Gripen", "top_k": 0}}, "top_k: must be greater"),
        ("post", "/ask", {"json": {"question": "Gripen", "top_k": 51}}, "top_k: must be less"),
        ("post", "/ask", {"json": {"question": "Gripen", "top_k": True}}, "top_k: must be a valid"),
        ("post", "/ask", {"json": {"question": "Gripen", "top_k": "5"}}, "top_k: must be a valid"),
        (
            "post",
            "/ask",
            {"json": {"question": "Gripen", "filters": {"x": 1}}},
            "filters.x: unknown field",
        ),
        (
            "post",
            "/ask",
            {"json": {"question": "Gripen", "filters": {"published_from": "soon"}}},
            "filters.published_from:",
        ),
        (
            "post",
            "/ask",
            {
                "json": {
                    "question": "Gripen",
                    "filters": {"published_from": "2025-02-01", "published_to": "2025-01-01"},
                }
            },
            "filters: published_from is after published_to",
        ),
        ("post", "/ask", {"json": {"question": ["Gripen"]}}, "question: must be a valid string"),
        (
            "post",
            "/ask",
            {"json": {"question": "Gripen", "history": [{"role": "bot", "content": "hi"}]}},
            "history[0].role:",
        ),
        ("post", "/ask", {"json": [1, 2]}, "body: must be a JSON object"),
        (
            "post",
            "/ask",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            "malformed JSON body",
        ),
        ("post", "/ask/stream", {"json": {"question": ""}}, "question: must not be empty"),
        (  # [] read as "no filter" before: neither "none" nor "all" is guessed
            "post",
            "/ask",
            {"json": {"question": "Who is Rutte?", "filters": {"source": []}}},
            "filters.source: is empty: leave it out",
        ),
        (  # [""] was read as no filter too (and ["  "] as an outlet nothing matches)
            "post",
            "/ask",
            {"json": {"question": "Who is Rutte?", "filters": {"doc_ids": ["", "d_1"]}}},
            "filters.doc_ids: holds an empty name",
        ),
        ("get", "/search", {"params": {"q": "Rutte", "source": ""}}, "source: holds an empty name"),
        (  # a lone surrogate escape: no text the store can compare (was a 500)
            "post",
            "/ask",
            {"content": LONE_SURROGATE_FILTER, "headers": JSON},
            "filters.source: must be valid Unicode text",
        ),
        (
            "post",
            "/ask/stream",
            {"content": LONE_SURROGATE_FILTER.replace(b"source", b"doc_ids"), "headers": JSON},
            "filters.doc_ids: must be valid Unicode text",
        ),
        (
            "post",
            "/feedback",
            {
                "content": b'{"question": "q", "answer": "a", "rating": "up", '
                b'"citations": [{"\\ud800": "x"}]}',
                "headers": JSON,
            },
            "citations: must be valid Unicode text",
        ),
        ("get", "/search", {"params": {"q": "  "}}, "q: must not be empty or whitespace"),
        ("get", "/search", {"params": {"q": "\x00"}}, "q: must not be empty or whitespace"),
        (
            "post",
            "/documents",
            {"json": {"text": "The council met.\x00", "title": "x"}},
            "text: holds a NUL character",
        ),
        ("get", "/search", {}, "q: field required"),
        ("get", "/search", {"params": {"q": "Gripen", "k": 0}}, "k: must be greater"),
        ("get", "/search", {"params": {"q": "Gripen", "k": "ten"}}, "k: must be a valid integer"),
        (
            "get",
            "/search",
            {"params": {"q": "Gripen", "published_from": "2025-02-01", "published_to": "2025-01"}},
            "published_to:",
        ),
        (
            "get",
            "/search",
            {"params": {"q": "G", "published_from": "2025-02-01", "published_to": "2025-01-01"}},
            "published_from is after published_to",
        ),
        ("get", "/feedback", {"params": {"offset": str(2**64)}}, "offset: must be less"),
        (
            "post",
            "/documents",
            {"json": {"text": "a", "html": "<p>a</p>"}},
            "give exactly one of text or html",
        ),
        ("post", "/documents", {"json": {"title": "no body"}}, "give exactly one of text or html"),
        (
            "post",
            "/documents",
            {"json": {"text": "A dam broke.", "source": "x" * 201}},
            "source: must be at most 200 characters",
        ),
        (
            "post",
            "/documents",
            {"files": {"file": ("a.txt", b"A dam broke.")}, "data": {"title": "t" * 501}},
            "title: must be at most 500 characters",
        ),
    ],
)
def test_bad_input_is_422(
    api: TestClient, method: str, path: str, kwargs: dict[str, Any], detail: str
) -> None:
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(detail), response.json()
    no_leak(response.text)


@pytest.mark.parametrize("path", ["/ask", "/v1/chat/completions", "/documents", "/feedback"])
def test_a_body_without_a_content_type_is_415_saying_so(api: TestClient, path: str) -> None:
    """Not read as JSON (FastAPI's strict default against cross-site posts), and the message
    says the header is missing rather than that the JSON object is no object."""
    body = b'{"question": "Who is Rutte?", "text": "Rutte spoke.", '
    body += b'"messages": [{"role": "user", "content": "Who is Rutte?"}]}'
    response = api.post(path, content=body)
    assert response.request.headers.get("content-type") is None
    assert response.status_code == 415, response.text
    assert response.json()["detail"].startswith("missing content type: send JSON")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/ask", "text/plain"),
        ("/v1/chat/completions", "application/x-www-form-urlencoded"),
        ("/documents", "application/xml"),
    ],
)
def test_a_body_that_is_not_json_is_415(api: TestClient, path: str, content_type: str) -> None:
    body = b'{"question": "Who is Rutte?", "text": "Rutte spoke.", '
    body += b'"messages": [{"role": "user", "content": "Who is Rutte?"}]}'
    response = api.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 415, response.text
    assert response.json()["detail"].startswith(f"unsupported content type '{content_type}'")
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/ask", "/documents"])
def test_a_body_that_is_not_utf8_is_a_malformed_body(api: TestClient, path: str) -> None:
    body = b'{"question": "Who is \xff Rutte?", "text": "\xff"}'
    response = api.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("malformed JSON body")


HI = [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize(
    ("body", "detail", "param"),
    [
        ({"model": "newsqa", "messages": []}, "messages: must not be empty", "messages"),
        (
            {"messages": [{"role": "user", "content": " "}]},
            "messages[-1].content: must not be empty or whitespace",
            "messages[-1].content",
        ),
        ({"messages": HI, "stream": "yes"}, "stream: must be a valid boolean", "stream"),
        (
            {"messages": HI, "tool_choice": "bogus"},
            "tool_choice: 'bogus' is not one",
            "tool_choice",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages[-1].content: only text parts are read (got image_url)",
            "messages[-1].content",
        ),
        ({"messages": HI, "n": 2}, "n: must be less than or equal to 1", "n"),
        (
            {"messages": [{"role": "assistant", "content": "Hi"}]},
            "messages: the last message must have role 'user'",
            "messages",
        ),
        (
            {"messages": HI, "response_format": {"type": "json_object"}},
            "response_format: 'json_object' is not supported",
            "response_format",
        ),
        (
            {
                "messages": HI,
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
                "tool_choice": "required",
            },
            "tool_choice: newsqa does not call tools",
            "tool_choice",
        ),
        (  # the older form of a forced call (was answered as if it were not there)
            {"messages": HI, "functions": [{"name": "f"}], "function_call": {"name": "f"}},
            "function_call: newsqa does not call tools",
            "function_call",
        ),
        (  # was "the last message must have role 'user'", which never said the role is wrong
            {"messages": [{"role": "robot", "content": "Hi"}]},
            "messages[0].role: 'robot' is not a role",
            "messages[0].role",
        ),
        (
            {"messages": [*HI, {"role": "tool", "content": "42", "tool_call_id": "x"}]},
            "messages: the last message must have role 'user' (it has 'tool')",
            "messages",
        ),
    ],
)
def test_bad_openai_input_is_400_with_an_openai_error(
    api: TestClient, body: dict[str, Any], detail: str, param: str
) -> None:
    """OpenAI answers an invalid request with 400 (its SDK raises ``BadRequestError``) and names
    the field in ``error.param``."""
    response = api.post("/v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith(detail), response.json()
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"].startswith(detail)
    assert error["param"] == param
    no_leak(response.text)


def test_unknown_document_and_route_are_404(api: TestClient) -> None:
    assert api.get("/documents/d_missing").json() == {"detail": "unknown document: d_missing"}
    assert api.delete("/documents/d_missing").status_code == 404
    assert api.get("/nowhere").status_code == 404
    assert api.get("/v1/models/gpt-4").status_code == 404


def test_body_limit_is_413(seed_settings: Any, seed_state: Any) -> None:
    settings = seed_settings.model_copy(update={"max_body_bytes": 1000})
    with TestClient(create_app(settings, state=seed_state)) as client:
        big = client.post("/ask", json={"question": "x" * 2000})
        assert big.status_code == 413
        assert big.json() == {"detail": "request body too large: the limit is 1000 bytes"}

        def chunks() -> Iterator[bytes]:  # no content-length: counted while reading
            yield b'{"question": "'
            for _ in range(20):
                yield b"y" * 100
            yield b'"}'

        streamed = client.post(
            "/ask", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert client.post("/ask", json={"question": GRIPEN}).status_code == 200


def test_api_keys(seed_settings: Any, seed_state: Any) -> None:
    settings = seed_settings.model_copy(update={"api_keys": ["k-one", "k-two"]})
    with TestClient(create_app(settings, state=seed_state)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.head("/healthz").status_code == 200  # load balancers probe with HEAD
        assert client.head("/readyz").status_code == 200
        missing = client.post("/ask", json={"question": GRIPEN})
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert "missing API key" in missing.json()["detail"]
        wrong = client.get("/documents", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["detail"] == "invalid API key"
        assert client.get("/metrics").status_code == 401
        assert client.get("/v1/models").json()["error"]["type"] == "authentication_error"
        for headers in (
            {"Authorization": "Bearer k-two"},
            {"X-API-Key": "k-one"},
            {"authorization": "bearer k-one"},
        ):
            assert client.get("/documents", headers=headers).status_code == 200


def test_unexpected_errors_are_500_without_traceback(
    api: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import service.api.ask as ask_module

    def boom(*_: Any) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(ask_module, "answer_question", boom)
    response = api.post("/ask", json={"question": GRIPEN})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "secret" not in response.text
    assert "secret internals" in caplog.text  # logged, with its traceback, on the server side


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BackendError("the LLM server failed: timeout"), 502),
        (IndexUnavailable("the vector store is unreachable: refused"), 503),
        (ConfigError("NEWSQA_OPENAI_API_KEY is not set"), 500),
    ],
)
def test_domain_errors_keep_their_status_and_message(
    api: TestClient, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    import service.api.ask as ask_module

    def fail(*_: Any) -> None:
        raise error

    monkeypatch.setattr(ask_module, "answer_question", fail)
    response = api.post("/ask", json={"question": GRIPEN})
    assert response.status_code == status
    assert response.json() == {"detail": str(error)}


def test_stream_errors(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.api.ask as ask_module

    def early(*_: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        raise IndexUnavailable("the vector store is unreachable: refused")
        yield "citations", {}  # pragma: no cover

    monkeypatch.setattr(ask_module, "stream_answer", early)
    response = api.post("/ask/stream", json={"question": GRIPEN})
    assert response.status_code == 503
    assert response.json() == {"detail": "the vector store is unreachable: refused"}

    def late(*_: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        yield "citations", {"citations": []}
        raise RuntimeError("secret")

    monkeypatch.setattr(ask_module, "stream_answer", late)
    response = api.post("/ask/stream", json={"question": GRIPEN})
    assert response.status_code == 200
    events = sse_events(response.text)
    assert events == [
        ("citations", {"citations": []}),
        ("error", {"detail": "internal error", "status": 500}),
    ]


def test_empty_index_is_503(fresh_settings: Any) -> None:
    with TestClient(create_app(fresh_settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["ready"] is False and "empty" in ready.json()["detail"]
        for response in (
            client.post("/ask", json={"question": GRIPEN}),
            client.post("/ask/stream", json={"question": GRIPEN}),
            client.get("/search", params={"q": "Gripen"}),
            client.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": GRIPEN}]}
            ),
        ):
            assert response.status_code == 503
            assert "the index is empty" in response.json()["detail"]
        # lists are empty and documents unknown, as once the last document is deleted (they
        # were a 503 on an index nothing was ever written to, a 200 [] after a delete)
        assert client.get("/documents").json() == []
        missing = client.get("/documents/d_x")
        assert missing.status_code == 404 and missing.json()["detail"] == "unknown document: d_x"


def test_missing_index_dir_is_503(tmp_path: Any) -> None:
    from newsqa.settings import Settings

    settings = Settings(index_dir=tmp_path / "never" / "created", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        response = client.post("/ask", json={"question": GRIPEN})
        assert response.status_code == 503
        assert "empty" in response.json()["detail"]


def test_unreachable_chroma_server_is_503(tmp_path: Any) -> None:
    from newsqa.settings import Settings

    settings = Settings(
        index_dir=tmp_path / "index", chroma_url=f"http://127.0.0.1:{free_port()}", _env_file=None
    )  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["store"] == "server"
        response = client.post("/ask", json={"question": GRIPEN})
        assert response.status_code == 503
        assert "unreachable" in response.json()["detail"]
        no_leak(response.text)
        assert client.get("/healthz").status_code == 200


def test_serve_refuses_workers_without_a_chroma_server(fresh_settings: Any) -> None:
    from service.server import check_workers, serve

    with pytest.raises(ConfigError, match="NEWSQA_CHROMA_URL"):
        serve(fresh_settings, workers=2)
    check_workers(fresh_settings, 1)
    check_workers(fresh_settings.model_copy(update={"chroma_url": "http://127.0.0.1:1"}), 4)


def test_openai_nulls_mean_the_defaults(api: TestClient) -> None:
    """OpenAI's schema allows ``"n": null`` and ``"stream": null`` (they were a 400)."""
    response = api.post(
        "/v1/chat/completions", json={"messages": HI, "n": None, "stream": None, "stop": None}
    )
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "chat.completion"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [  # Starlette named the methods of the path's first route only ("PUT /documents": GET)
        ("PUT", "/documents", "GET, HEAD, POST"),
        ("POST", "/documents/d_x", "GET, HEAD, DELETE"),
        ("PUT", "/feedback", "GET, HEAD, POST"),
        ("GET", "/ask", "POST"),
    ],
)
def test_a_wrong_method_is_405_naming_every_method_of_the_path(
    api: TestClient, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["detail"] == f"method {method} not allowed here: use {allowed}"


@pytest.mark.parametrize("path", ["/documents/%2F", "/documents/a%2F", "/documents/a%2fb"])
def test_an_encoded_slash_in_a_path_is_404_not_a_redirect(api: TestClient, path: str) -> None:
    """It was a 307 to another route (``/documents``) or another id (``/documents/a``)."""
    for method in ("GET", "DELETE"):
        response = api.request(method, path, follow_redirects=False)
        assert response.status_code == 404, response.text
        assert "encoded slash" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/documents", "/search?q=Gripen", "/v1/models", "/healthz"])
def test_head_is_get_without_a_body(api: TestClient, path: str) -> None:
    """``HEAD /documents`` was a 405 (FastAPI routes answer only the methods they name)."""
    head, get = api.head(path), api.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-length"] == str(len(get.content))
