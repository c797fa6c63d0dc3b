"""Exception handlers: every error is JSON ``{"detail": message}``, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsqa.errors import NewsQAError

log = logging.getLogger("newsqa.service")

_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
}


_OPENAI_CODES = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
_NOT_AN_OBJECT = ("model_attributes_type", "dict_type", "model_type")  # pydantic's error types


def _field(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    msg = str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return f"malformed JSON body ({ctx.get('error', 'cannot be parsed')})"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return msg.replace("Input should be", "must be")
    if kind in _NOT_AN_OBJECT:
        return "must be a JSON object"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    return msg.replace("Input should be", "must be")


def format_validation_errors(errors: Sequence[Any], prefix: str = "") -> str:
    """One readable line per error, ``field: message``, joined with ``; ``."""
    lines: list[str] = []
    for error in errors:
        if error.get("type") == "json_invalid":
            lines.append(_message(error))
            continue
        loc = tuple(error.get("loc", ()))
        name = "body" if loc == ("body",) else _field(loc)
        if prefix:
            name = f"{prefix}.{name}" if name else prefix
        message = _message(error)
        subject = str(loc[-1]) if loc else ""
        if subject and message.startswith(subject + " "):  # "question must not be ..."
            message = message.split(" ", 1)[1]
        lines.append(f"{name}: {message}" if name else message)
    return "; ".join(dict.fromkeys(lines)) or "invalid request"


def error_response(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    param: str | None = None,
) -> JSONResponse:
    """The JSON error body. OpenAI-compatible routes (``/v1/``) also get OpenAI's ``error``
    object (``param``: the request field at fault, when known), and answer an invalid request
    with 400 as OpenAI does (422 elsewhere), so that OpenAI clients raise ``BadRequestError``."""
    body: dict[str, Any] = {"detail": message}
    if request.url.path.startswith("/v1/"):
        status = 400 if status == 422 else status
        body["error"] = {
            "message": message,
            "type": _OPENAI_TYPES.get(
                status, "server_error" if status >= 500 else "invalid_request_error"
            ),
            "param": param if param is not None else _param(message),
            "code": _OPENAI_CODES.get(status),
        }
    return JSONResponse(body, status_code=status, headers=headers)


def _param(message: str) -> str | None:
    """The field a ``field: message`` line names ("messages[-1].content: ..." -> that)."""
    field, sep, _ = message.partition(": ")
    return field if sep and field and " " not in field else None


async def _newsqa_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NewsQAError)
    if exc.status_code >= 500:
        log.warning(
            "%s %s -> %s: %s", request.method, request.url.path, exc.status_code, exc.message
        )
    return error_response(request, exc.status_code, exc.message)


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type. A body without a content type is not read as
    JSON (FastAPI's strict default: a browser may send one cross-site without a preflight)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def unsupported_type(content_type: str, accepted: str = "JSON (application/json)") -> str:
    """What a 415 says: the content type sent (or that none was) and what to send."""
    if not content_type.strip():
        return f"missing content type: send {accepted} with a Content-Type header"
    return f"unsupported content type {content_type!r}: send {accepted}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    content_type = request.headers.get("content-type", "")
    body_not_read = any(
        tuple(e.get("loc", ())) == ("body",) and e.get("type") in _NOT_AN_OBJECT
        for e in exc.errors()
    )
    if body_not_read and not is_json(content_type):  # FastAPI reads only JSON bodies
        return error_response(request, 415, unsupported_type(content_type))
    return error_response(request, 422, format_validation_errors(exc.errors()))


# FastAPI's words for a body it cannot decode (e.g. bytes that are not UTF-8)
_UNPARSED = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 400 and detail == _UNPARSED:  # like any other malformed JSON body
        return error_response(
            request,
            422,
            "malformed JSON body: not UTF-8 JSON text, or nested or numbered beyond what is read "
            "(arrays and objects deeper than about 1,000 levels, integers over 4,300 digits)",
        )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette names the methods of the first route of the path only
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
            detail = f"method {request.method} not allowed here: use {', '.join(allowed)}"
    return error_response(request, exc.status_code, detail, headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path."""
    from starlette.routing import Match

    def answers(method: str) -> bool:
        scope = {**request.scope, "method": method}
        return any(r.matches(scope)[0] == Match.FULL for r in request.app.router.routes)

    found = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if answers(m)]
    return found[:1] + ["HEAD"] + found[1:] if "GET" in found else found  # HeadMiddleware


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NewsQAError, _newsqa_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
