"""FastAPI dependencies: settings, the shared ``ServiceState``, API-key checks."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from newsqa.errors import IndexUnavailable, NewsQAError
from newsqa.settings import Settings
from service.state import ServiceState

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
_build_lock = threading.Lock()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def build_state(app_state: object) -> ServiceState:
    """The app's ``ServiceState``, created on first use; a failure is a 503 with its reason."""
    state: ServiceState | None = getattr(app_state, "service", None)
    if state is not None:
        return state
    with _build_lock:
        state = getattr(app_state, "service", None)
        if state is None:
            settings: Settings = app_state.settings  # type: ignore[attr-defined]
            try:
                state = ServiceState(settings)
            except NewsQAError as exc:
                app_state.startup_error = exc.message  # type: ignore[attr-defined]
                raise IndexUnavailable(exc.message) from exc
            except Exception as exc:  # the store client failed in an unexpected way
                message = f"the vector store is unreachable: {exc}"
                app_state.startup_error = message  # type: ignore[attr-defined]
                raise IndexUnavailable(message) from exc
            state.open()
            app_state.service = state  # type: ignore[attr-defined]
    return state


def get_state(request: Request) -> ServiceState:
    return build_state(request.app.state)


def get_ready_state(request: Request) -> ServiceState:
    """The state, after checking that the index is open and not empty (else 503)."""
    state = build_state(request.app.state)
    state.ensure_ready()
    return state


def get_open_state(request: Request) -> ServiceState:
    """The state with its index open; an open but empty index is fine (lists are empty)."""
    state = build_state(request.app.state)
    try:
        state.ensure_ready()
    except IndexUnavailable:
        try:
            empty = state.store.count_chunks() == 0
        except Exception:  # never opened or unreachable
            empty = False
        if not empty:
            raise
    return state


def get_listing_state(request: Request) -> ServiceState | None:
    """As ``get_open_state``, but ``None`` for an index nothing was ever written to: a list of
    documents is then empty and any one of them unknown, as after the last one is deleted."""
    try:
        return get_open_state(request)
    except IndexUnavailable:
        if not build_state(request.app.state).store_created():
            return None
        raise


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StateDep = Annotated[ServiceState, Depends(get_state)]
ReadyStateDep = Annotated[ServiceState, Depends(get_ready_state)]
ListingStateDep = Annotated[ServiceState | None, Depends(get_listing_state)]


# -- API keys ------------------------------------------------------------------------------
def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


def key_is_valid(key: str | None, keys: list[str]) -> bool:
    if key is None:
        return False
    found = False
    for candidate in keys:  # compare against every key: constant time over the list
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def needs_key(path: str, keys: list[str]) -> bool:
    return bool(keys) and path not in OPEN_PATHS
