"""One contract: the UI, the eval runner and the test stand-ins use the API's own models.

The real app's OpenAPI document (built without opening an index) is compared with the UI
stand-in's for every route the UI calls: same response models, same request body, query
parameters the real API knows. A model redefined in a stand-in or the UI, a renamed route or a
renamed query parameter fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import service.schemas as schemas
from tests.helpers import ROOT
from tests.ui.standin_api import StandIn, create_app

# (method, path, success status) of every call in ui/client.py
UI_ROUTES = [
    ("get", "/readyz", "200"),
    ("post", "/ask", "200"),
    ("post", "/ask/stream", "200"),
    ("get", "/search", "200"),
    ("get", "/documents", "200"),
    ("get", "/documents/{doc_id}", "200"),
    ("post", "/documents", "201"),
    ("post", "/feedback", "201"),
]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from newsqa.settings import Settings
    from service.app import create_app as real_app

    index = tmp_path_factory.mktemp("contract")  # never opened: only the OpenAPI document
    settings = Settings(index_dir=index, _env_file=None)  # type: ignore[call-arg]
    return real_app(settings).openapi()


@pytest.fixture(scope="module")
def standin() -> dict[str, Any]:
    return create_app(StandIn()).openapi()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A schema with every ``$ref`` replaced by the component it names (for comparison)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"model": name, "schema": _resolve(spec, spec["components"]["schemas"][name])}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "description"):
            continue
        if isinstance(value, dict):
            out[key] = _resolve(spec, value)
        elif isinstance(value, list):
            out[key] = [_resolve(spec, v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out


def _response(spec: dict[str, Any], method: str, path: str, status: str) -> Any:
    content = spec["paths"][path][method]["responses"][status].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return None if schema is None else _resolve(spec, schema)


@pytest.mark.parametrize(("method", "path", "status"), UI_ROUTES)
def test_standin_serves_the_real_routes_with_the_real_models(
    real: dict[str, Any], standin: dict[str, Any], method: str, path: str, status: str
) -> None:
    assert method in real["paths"].get(path, {}), f"the real API has no {method} {path}"
    assert method in standin["paths"].get(path, {}), f"the stand-in has no {method} {path}"
    standin_response = _response(standin, method, path, status)
    if standin_response is not None:  # JSON responses: the same model, field for field
        assert standin_response == _response(real, method, path, status)
    real_params = {p["name"] for p in real["paths"][path][method].get("parameters", [])}
    standin_params = {p["name"] for p in standin["paths"][path][method].get("parameters", [])}
    assert standin_params <= real_params, (
        f"{path}: the real API has no {standin_params - real_params}"
    )


@pytest.mark.parametrize("path", ["/ask", "/ask/stream"])
def test_standin_validates_questions_like_the_api(
    real: dict[str, Any], standin: dict[str, Any], path: str
) -> None:
    def body(spec: dict[str, Any]) -> Any:
        schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return _resolve(spec, schema["schema"])

    assert body(standin) == body(real)
    assert body(real)["model"] == "AskRequest"


def _models_defined_in(path: Path) -> set[str]:
    """Names of classes deriving from pydantic's BaseModel or a dataclass, defined in ``path``."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {ast.unparse(b) for b in node.bases}
        decorators = {ast.unparse(d) for d in node.decorator_list}
        if bases & {"BaseModel", "pydantic.BaseModel"} or decorators & {"dataclass"}:
            names.add(node.name)
    return names


def test_no_hand_mirrored_response_models() -> None:
    """The UI, the eval runner and the UI stand-in define none of the API's models themselves."""
    api_models = {
        name
        for name, value in vars(schemas).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel
    }
    for rel in ("ui/models.py", "ui/client.py", "eval/runner.py", "tests/ui/standin_api.py"):
        mirrored = _models_defined_in(ROOT / rel) & (api_models | {"Chunk"})
        assert not mirrored, f"{rel} redefines {sorted(mirrored)}: import them from service.schemas"

    import eval.runner
    import ui.models

    for name in ("AskResponse", "Citation", "AnswerSentence", "DocumentDetail", "SearchHit"):
        assert getattr(ui.models, name) is getattr(schemas, name)
    assert ui.models.Chunk is schemas.ChunkOut
    assert eval.runner.AskResponse is schemas.AskResponse


def test_clients_reject_a_body_outside_the_contract() -> None:
    """A response missing a field of the contract fails loudly in the UI and in the eval runner."""
    import httpx

    from eval.runner import ServiceClient, ServiceFailed
    from ui.client import ApiError, NewsQAClient

    drifted = {"answer": "x", "answerable": True, "citations": [], "engine": "old"}  # no sentences

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=drifted)

    transport = httpx.MockTransport(handler)
    with (
        NewsQAClient("http://api", transport=transport) as client,
        pytest.raises(ApiError, match="outside its contract"),
    ):
        client.ask("q")
    with (
        httpx.Client(base_url="http://api", transport=transport) as http,
        pytest.raises(ServiceFailed, match="AskResponse"),
    ):
        ServiceClient(http).ask("q")


def test_upload_box_accepts_what_the_api_loaders_read() -> None:
    """The UI offers exactly the file types the API's ingest loaders read (it parses none)."""
    from ingest.loaders import SUPPORTED_SUFFIXES
    from ui.client import UPLOAD_SUFFIXES
    from ui.sidebar import UPLOAD_TYPES

    assert set(UPLOAD_SUFFIXES) == set(SUPPORTED_SUFFIXES)
    assert {f".{t}" for t in UPLOAD_TYPES} == set(SUPPORTED_SUFFIXES)
    ui_code = "\n".join(p.read_text() for p in (ROOT / "ui").glob("*.py"))
    assert "pypdf" not in ui_code and "pdfminer" not in ui_code


def test_the_uploader_says_the_limit_the_api_reports() -> None:
    """The limit comes from the API's readiness (the UI may talk to a remote API with its own
    settings), rounded up to whole MB; unknown when the API is not reachable."""
    from ui.client import Readiness
    from ui.sidebar import upload_limit_mb

    def ready(limit: int | None) -> Readiness:
        return Readiness(
            ready=True, documents=1, chunks=1, engine="e", embeddings="x", store="s",
            max_upload_bytes=limit,
        )  # fmt: skip

    assert upload_limit_mb(ready(2_000_000)) == 2
    assert upload_limit_mb(ready(100)) == 1
    assert upload_limit_mb(ready(None)) is None and upload_limit_mb(None) is None
