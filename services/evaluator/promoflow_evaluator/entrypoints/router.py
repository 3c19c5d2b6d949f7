"""``/api/v1``: evaluate, checkout, void, and the store's promotions (terminal key required)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.checkout import (
    CheckoutRequest,
    CheckoutResponse,
    VoidRequest,
    VoidResponse,
)
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.entrypoints.deps import (
    ContainerDep,
    TerminalDep,
)
from promoflow_evaluator.exceptions import CheckoutConflict
from promoflow_evaluator.metrics import CHECKOUTS, EVALUATIONS
from promoflow_evaluator.schemas import PromotionDetail, PromotionList

router = APIRouter(prefix="/api/v1", tags=["evaluator"])

_EVALUATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": EvaluateRequest.model_json_schema()}},
    }
}


def body_errors(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> list[dict[str, Any]]:
    """Pydantic errors as FastAPI's 422 ``detail`` entries (``loc`` = field path)."""
    return [
        {"loc": [*prefix, *error["loc"]], "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


@router.post(
    "/evaluate",
    response_model=EvaluationResult,
    openapi_extra=_EVALUATE_BODY,
    summary="Evaluate a cart (read-only): the engine's full result",
)
async def evaluate_cart(request: Request, built: ContainerDep, _key: TerminalDep) -> Response:
    """The body is parsed straight from JSON by the contract model (no intermediate dicts).

    Documents the contract in OpenAPI; requests are served by the same-answer bare ASGI
    endpoint :class:`~promoflow_evaluator.entrypoints.hot_path.EvaluateEndpoint`, which the
    app dispatches to ahead of FastAPI's middleware and routing."""
    try:
        cart = EvaluateRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(body_errors(exc)) from exc
    result = await built.evaluator.evaluate(cart)
    EVALUATIONS.labels("evaluate").inc()
    return Response(result.model_dump_json(), media_type="application/json")


@router.post(
    "/transactions",
    response_model=CheckoutResponse,
    summary="Checkout: re-evaluate, check limits, record redemptions (idempotent)",
)
async def checkout(body: CheckoutRequest, built: ContainerDep, _key: TerminalDep) -> Response:
    """A retry with the same ``transaction_id`` and cart returns the first answer
    (``replayed``); the same id with another cart is 409."""
    try:
        response = await built.checkout.checkout(body)
    except CheckoutConflict:
        CHECKOUTS.labels("conflict").inc()
        raise
    EVALUATIONS.labels("checkout").inc()
    CHECKOUTS.labels("replayed" if response.replayed else "recorded").inc()
    return Response(response.model_dump_json(), media_type="application/json")


@router.post(
    "/transactions/{transaction_id}/void",
    response_model=VoidResponse,
    summary="Void a checkout: its redemptions stop counting (idempotent)",
)
async def void(
    transaction_id: str, body: VoidRequest, built: ContainerDep, _key: TerminalDep
) -> VoidResponse:
    return await built.checkout.void(transaction_id, body)


@router.get("/promotions", response_model=PromotionList, summary="The store's promotions on offer")
async def list_promotions(
    built: ContainerDep,
    _key: TerminalDep,
    at: Annotated[datetime | None, Query(description="Store-local time (default now).")] = None,
    include_all: Annotated[
        bool, Query(alias="all", description="Every active promotion, not just those on offer.")
    ] = False,
) -> PromotionList:
    return built.evaluator.promotions(at=at, include_all=include_all)


@router.get("/promotions/{promotion_id}", response_model=PromotionDetail)
async def promotion_detail(
    promotion_id: UUID, built: ContainerDep, _key: TerminalDep
) -> PromotionDetail:
    return built.evaluator.promotion(promotion_id)
