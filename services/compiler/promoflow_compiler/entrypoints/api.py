"""The compiler's FastAPI app: authoring, master data, catalogue import, tokens, audit, sync
and preview. OpenAPI at ``/openapi.json``, interactive docs at ``/docs``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from promoflow_compiler.bootstrap import Container, bootstrap
from promoflow_compiler.config import Settings
from promoflow_compiler.entrypoints import errors
from promoflow_compiler.entrypoints.routers import (
    master_data,
    operations,
    preview,
    promotions,
    sync,
    tokens,
)


def create_app(container: Container, *, dispose_on_shutdown: bool = False) -> FastAPI:
    """The app over ``container`` (``dispose_on_shutdown`` closes its pool at shutdown)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if dispose_on_shutdown:
            container.close()

    app = FastAPI(
        title="PromoFlow HO compiler",
        version="1.0",
        description=(
            "Head office: master data, promotion authoring and validation, compilation, "
            "publication through the outbox, the store sync API and preview. "
            "Authenticate with `Authorization: Bearer <token>`."
        ),
        lifespan=lifespan,
    )
    app.state.container = container
    errors.install(app)
    # preview before promotions: /promotions/preview must not match /promotions/{id}
    for module in (preview, promotions, master_data, operations, tokens, sync):
        app.include_router(module.router)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness (no authentication)."""
        return {"status": "ok"}

    return app


def app_from_env() -> FastAPI:
    """The app wired from the environment (``uvicorn --factory``)."""
    return create_app(bootstrap(Settings()), dispose_on_shutdown=True)
