"""The FastAPI app of the collector: read-only analytics, customer usage, dashboard, health.

Bad input is a 422 whose JSON body names the field (FastAPI's validation errors, and
:class:`~promoflow_usage_collector.exceptions.InvalidDateRange` in the same shape).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from promoflow_usage_collector.analytics_service import AnalyticsService
from promoflow_usage_collector.entrypoints import dashboard, router
from promoflow_usage_collector.exceptions import InvalidDateRange


def create_app(*, analytics: AnalyticsService, token: str, static_dir: Path) -> FastAPI:
    """The API app reading through ``analytics`` and accepting bearer ``token``.

    ``static_dir`` is served without a token under ``/static`` (the dashboard's script and
    Chart.js); a missing folder answers 404 rather than failing the start-up.
    """
    app = FastAPI(
        title="PromoFlow usage collector",
        summary="Read-only analytics of promotion usage, per-customer counts for edges.",
        version="1",
    )
    app.state.analytics = analytics
    app.state.token = token

    @app.exception_handler(InvalidDateRange)
    async def _invalid_range(request: Request, exc: InvalidDateRange) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}]},
            status_code=422,
        )

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        """Liveness for the launcher (no token needed)."""
        return {"status": "ok"}

    app.include_router(router.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")
    return app
