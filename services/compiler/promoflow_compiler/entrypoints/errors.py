"""Service errors -> HTTP responses (bodies in FastAPI's ``detail`` shape, naming fields)."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from promoflow_compiler.exceptions import Conflict, Forbidden, InvalidInput, NotFound

#: Unique constraints -> the field a duplicate is reported on.
UNIQUE_FIELDS = {
    "uq_companies_code": "code",
    "uq_brands_company_code": "code",
    "uq_stores_company_code": "code",
    "uq_categories_company_code": "code",
    "uq_products_company_sku": "sku",
    "uq_promotions_company_code_live": "code",
    "pk_companies": "id",
    "pk_brands": "id",
    "pk_stores": "id",
    "pk_categories": "id",
    "pk_products": "id",
}


def _loc(field: str) -> list[str | int]:
    return ["body", *(int(p) if p.isdigit() else p for p in field.split("."))]


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status.HTTP_404_NOT_FOUND)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status.HTTP_403_FORBIDDEN)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        detail = [{"loc": _loc(exc.field), "msg": exc.message, "type": "conflict"}]
        return JSONResponse({"detail": detail}, status.HTTP_409_CONFLICT)

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        detail = [{"loc": _loc(e.field), "msg": e.message, "type": e.code} for e in exc.errors]
        warnings = [{"field": w.field, "code": w.code, "message": w.message} for w in exc.warnings]
        return JSONResponse(
            {"detail": detail, "warnings": warnings}, status.HTTP_422_UNPROCESSABLE_CONTENT
        )

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        diag = getattr(exc.orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None) or ""
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate == "23505":
            field = UNIQUE_FIELDS.get(constraint, constraint)
            msg = f"{field} is already used"
        else:
            field, msg = "id", f"still referenced or refers to a missing row ({constraint})"
        detail = [{"loc": _loc(field), "msg": msg, "type": "conflict"}]
        return JSONResponse({"detail": detail}, status.HTTP_409_CONFLICT)
