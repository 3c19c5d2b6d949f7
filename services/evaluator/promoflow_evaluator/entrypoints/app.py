"""The evaluator's FastAPI app: ``create_app()`` (uvicorn ``--factory``).

Lifespan: create the edge schema if missing, load the first snapshot, warm up, move the
start-up heap out of the garbage collector's reach (``snapshot.freeze_heap``), start the
snapshot poller; on shutdown stop it and close the HO usage client. ``/health`` (process
alive), ``/ready`` (a snapshot is loaded; 503 before), ``/metrics`` (Prometheus) need no
terminal key. ``POST /api/v1/evaluate`` is served ahead of FastAPI (:mod:`.hot_path`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promoflow_evaluator.bootstrap import Container, build
from promoflow_evaluator.config import Settings
from promoflow_evaluator.engine import BUILD as ENGINE_BUILD
from promoflow_evaluator.entrypoints import pos_router, router
from promoflow_evaluator.entrypoints.deps import ContainerDep
from promoflow_evaluator.entrypoints.hot_path import PATH as HOT_PATH
from promoflow_evaluator.entrypoints.hot_path import EvaluateEndpoint
from promoflow_evaluator.exceptions import (
    CheckoutConflict,
    InvalidCart,
    NotReady,
    PromotionNotFound,
    TransactionNotFound,
)
from promoflow_evaluator.metrics import REQUEST_SECONDS
from promoflow_evaluator.snapshot import freeze_heap

log = logging.getLogger(__name__)


class EvaluatorApp(FastAPI):
    """FastAPI with ``POST /api/v1/evaluate`` dispatched to the bare :class:`EvaluateEndpoint`
    before FastAPI's middleware stack and router (see :mod:`.hot_path`); everything else is
    plain FastAPI."""

    hot_path: EvaluateEndpoint | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot = self.hot_path
        if (
            hot is not None
            and scope["type"] == "http"
            and scope["path"] == HOT_PATH
            and scope["method"] == "POST"
        ):
            await hot(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class LatencyMiddleware:
    """Observes every HTTP request in ``promoflow_evaluator_request_seconds`` (pure ASGI, so
    it adds microseconds, not a task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            REQUEST_SECONDS.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - start
            )


def _error(status: int, field: str | None, message: str, kind: str) -> JSONResponse:
    if field is None:
        return JSONResponse({"detail": message}, status_code=status)
    return JSONResponse(
        {"detail": [{"loc": ["body", field], "msg": message, "type": kind}]}, status_code=status
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotReady)
    async def not_ready(_request: Request, exc: NotReady) -> JSONResponse:
        return _error(503, None, str(exc), "not_ready")

    @app.exception_handler(InvalidCart)
    async def invalid_cart(_request: Request, exc: InvalidCart) -> JSONResponse:
        return _error(422, exc.field, str(exc), "invalid_cart")

    @app.exception_handler(CheckoutConflict)
    async def conflict(_request: Request, exc: CheckoutConflict) -> JSONResponse:
        return _error(409, None, str(exc), "conflict")

    @app.exception_handler(TransactionNotFound)
    @app.exception_handler(PromotionNotFound)
    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return _error(404, None, str(exc), "not_found")


def _ops(app: FastAPI) -> None:
    @app.get("/health", tags=["ops"], summary="The process is up")
    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"], summary="A snapshot of the store's promotions is loaded")
    async def ready(built: ContainerDep) -> JSONResponse:
        catalog = built.snapshots.catalog
        body: dict[str, Any] = {
            "ready": catalog is not None,
            "store_id": str(built.settings.store_id),
            "worker_pid": os.getpid(),
            "last_error": built.snapshots.last_error,
        }
        if catalog is not None:
            body.update(data_version=catalog.data_version, promotions=len(catalog.promotions))
        return JSONResponse(body, status_code=200 if catalog is not None else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    async def metrics(built: ContainerDep) -> Response:
        payload = await asyncio.to_thread(built.metrics.render)
        return Response(payload, media_type=built.metrics.content_type)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """The evaluator app for ``settings`` (default: the environment)."""
    built = container or build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        build = ENGINE_BUILD
        log.info("engine build: %s%s", build.build, f" ({build.reason})" if build.reason else "")
        try:
            await asyncio.to_thread(built.repository.create)
            await asyncio.to_thread(built.snapshots.refresh)
            await built.evaluator.warm_up()
        except Exception:
            log.exception("edge store not usable yet; /ready stays 503 until a snapshot loads")
        freeze_heap()
        poller = asyncio.create_task(built.snapshots.run())
        try:
            yield
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            if built.usage is not None:
                await built.usage.close()
            built.metrics.close()
            built.repository.engine.dispose()

    app = EvaluatorApp(
        title="PromoFlow store evaluator",
        summary="Promotions for POS terminals, served from the store's edge store.",
        version="1.0",
        lifespan=lifespan,
    )
    app.state.container = built
    app.add_middleware(LatencyMiddleware)
    _handlers(app)
    _ops(app)
    app.include_router(router.router)
    app.include_router(pos_router.router)
    app.hot_path = EvaluateEndpoint(built.evaluator, built.settings.terminal_keys)
    return app
