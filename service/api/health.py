"""``GET /healthz`` (process alive) and ``GET /readyz`` (index open, documents, engine)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from newsqa.errors import NewsQAError
from service.deps import SettingsDep, build_state
from service.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
@router.head("/healthz", response_model=Health, include_in_schema=False)  # probes use HEAD
async def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


def _readiness(request: Request) -> Readiness:
    settings = request.app.state.settings
    base = {
        "engine": settings.engine,
        "embeddings": settings.embeddings,
        "store": settings.store_mode,
        "max_upload_bytes": min(settings.max_file_bytes, settings.max_body_bytes),
    }
    try:
        state = build_state(request.app.state)
        state.ensure_ready()
        state.engine  # noqa: B018 - create the engine now: a misconfiguration is "not ready"
        documents = state.store.count_documents()
        chunks = state.store.count_chunks()
    except NewsQAError as exc:
        return Readiness(ready=False, documents=0, chunks=0, detail=exc.message, **base)
    except Exception as exc:  # a store client failing in an unexpected way
        return Readiness(
            ready=False,
            documents=0,
            chunks=0,
            detail=f"the vector store is unreachable: {exc}",
            **base,
        )
    return Readiness(ready=True, documents=documents, chunks=chunks, **base)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
@router.head("/readyz", response_model=Readiness, include_in_schema=False)
async def readyz(request: Request, settings: SettingsDep) -> Readiness | JSONResponse:
    """Readiness: 200 when the index is loaded and holds documents, else 503 with ``detail``."""
    readiness = await run_in_threadpool(_readiness, request)
    if not readiness.ready:
        return JSONResponse(readiness.model_dump(), status_code=503)
    return readiness
