"""The typed UI client: SSE parsing, every call against the stand-in API, error mapping."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.ui.standin_api import GRIPEN
from ui.client import ApiError, ApiUnavailable, AskResponse, NewsQAClient, parse_sse


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream draws ``text`` (enough for pypdf to extract)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_parse_sse_handles_events_comments_multiline_and_crlf() -> None:
    lines = [
        "event: citations",
        'data: {"citations": []}',
        "",
        ": keep-alive",
        "",
        "event: delta\r",
        'data: {"text":\r',
        'data: "Hi"}\r',
        "\r",
        "data: plain text",
        "",
        "event: final",
        'data: {"answer": "x"}',  # no trailing blank line
    ]
    events = list(parse_sse(iter(lines)))
    assert [e.event for e in events] == ["citations", "delta", "message", "final"]
    assert events[1].data == {"text": "Hi"}
    assert events[2].data == {"text": "plain text"}
    assert events[3].data == {"answer": "x"}


def test_ask_and_stream_match(standin) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    with NewsQAClient(url) as client:
        history = [{"role": "user", "content": "earlier"}]
        answer = client.ask(
            "How many Gripen fighters?",
            top_k=3,
            filters={"source": ["UNN"], "published_from": None},
            history=history,
        )
        assert stand.requests[-1] == {
            "question": "How many Gripen fighters?",
            "top_k": 3,
            "history": history,
            "filters": {"source": ["UNN"]},
        }
        assert answer.answerable and answer.citations[0].quote == GRIPEN
        assert answer.sentences[0].citations == [1]

        events = list(client.ask_stream("How many Gripen fighters?"))
    kinds = [e.event for e in events]
    assert kinds[0] == "citations" and kinds[-1] == "final" and "delta" in kinds
    streamed = "".join(e.data["text"] for e in events if e.event == "delta").strip()
    assert streamed == answer.answer
    final = AskResponse.model_validate(events[-1].data)
    assert final == answer
    assert AskResponse.model_validate(final.model_dump()) == final


def test_unanswerable_and_search(standin) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    with NewsQAClient(url) as client:
        answer = client.ask("What is the weather in Paris?")
        assert not answer.answerable and answer.citations == []
        hits = client.search("weather", top_k=1)
    assert len(hits) == 1 and hits[0].rank == 1 and hits[0].source == "UNN"


def test_documents_add_and_upload(standin) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    with NewsQAClient(url) as client:
        docs = client.documents()
        assert {d.source for d in docs} == {"UNN", "The Times"}
        detail = client.document("d1")
        assert detail.chunks and detail.text.startswith("Ukraine fears")

        added = client.add_document(
            text="The harbour of Valletta got a new ferry terminal.",
            title="Ferry",
            source="Times of Malta",
            url=None,
        )
        assert (added.status, added.title, added.source) == ("added", "Ferry", "Times of Malta")
        again = client.add_document(
            text="The harbour of Valletta got a new ferry terminal.",
            title="Ferry",
            source="Times of Malta",
        )
        assert again.status == "unchanged" and again.doc_id == added.doc_id

        html = (
            b"<html><body><article><p>Glaciers in the Alps lost three percent of their ice "
            b"this summer, the survey found.</p></article></body></html>"
        )
        client.upload("glaciers.html", html, title="Glaciers")
        assert stand.added_bodies[-1] == {"title": "Glaciers", "file": "glaciers.html"}
        client.upload("notes.txt", b"Lithium prices fell sharply this quarter.")
        pdf = minimal_pdf("Copper smelters in Chile announced record output.")
        assert "Copper smelters" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        from_pdf = client.upload("report.pdf", pdf, title="Copper")  # sent as a file: no
        assert stand.added_bodies[-1]["file"] == "report.pdf"  # PDF code in the client
        assert from_pdf.title == "Copper"
        texts = [d["text"] for d in stand.docs.values()]
        assert any("Glaciers in the Alps" in t for t in texts)
        assert any("Copper smelters in Chile" in t for t in texts)

        with pytest.raises(ApiError) as refused:
            client.add_document(text="too short")
        assert refused.value.status == 422 and "no article text" in refused.value.detail
        with pytest.raises(ApiError) as bad_type:
            client.upload("slides.pptx", b"PK\x03\x04")
        assert bad_type.value.status == 415
        with pytest.raises(ApiError) as bad_pdf:
            client.upload("broken.pdf", b"not a pdf at all")
        assert bad_pdf.value.status == 422 and "unreadable PDF" in bad_pdf.value.detail


def test_feedback_roundtrip(standin) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    with NewsQAClient(url) as client:
        new_id = client.feedback("q?", "a [1]", [{"id": 1}], "up", "")
        assert new_id == 1
        assert stand.feedback[0]["comment"] is None
        assert client.list_feedback()[0]["rating"] == "up"


def test_errors_are_typed(standin, dead_url) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    with NewsQAClient(url) as client:
        with pytest.raises(ApiError) as http_error:
            client.ask("explode please")
        assert http_error.value.status == 503 and "index is empty" in http_error.value.detail
        assert not isinstance(http_error.value, ApiUnavailable)
        with pytest.raises(ApiError) as stream_http_error:
            list(client.ask_stream("explode"))
        assert stream_http_error.value.status == 503
        with pytest.raises(ApiError) as midstream:
            list(client.ask_stream("midstream failure"))
        assert midstream.value.status == 502 and "LLM backend" in midstream.value.detail
        with pytest.raises(ApiError) as not_found:
            client.document("nope")
        assert not_found.value.status == 404

    with NewsQAClient(dead_url) as client:
        for call in (
            client.readyz,
            client.documents,
            lambda: client.ask("q"),
            lambda: list(client.ask_stream("q")),
        ):
            with pytest.raises(ApiUnavailable) as down:
                call()
            assert "newsqa serve" in str(down.value) and dead_url in down.value.detail


def test_ui_imports_no_retrieval_code() -> None:
    """The UI imports the API contract (``service.schemas``) and the text toolkit
    (``newsqa.text``), nothing else of the service: no store, retrieval or model code."""
    import subprocess
    import sys

    code = (
        "import sys, ui.client, ui.render, ui.state, ui.sidebar, ui.launch; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'newsqa', 'service', 'ingest', 'chromadb', 'onnxruntime', 'bm25s', 'fastapi'} "
        "and m not in {'service', 'service.schemas'} "
        "and m not in {'newsqa', 'newsqa.text'} and not m.startswith('newsqa.text.')); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_launch_command_is_headless_local_and_without_usage_stats() -> None:
    from ui.launch import APP, ui_command, ui_env

    cmd = ui_command(8765, "py")
    assert cmd[:5] == ["py", "-m", "streamlit", "run", str(APP)]
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.headless"] == "true"
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.port"] == "8765"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert ui_env("http://x:1", {})["NEWSQA_API_URL"] == "http://x:1"
