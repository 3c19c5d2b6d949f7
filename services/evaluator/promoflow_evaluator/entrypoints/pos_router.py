"""The seed POS contract under ``/promotions/`` (edge implementation guide, "Django Views &
HTMX Integration"), so POS clients written against the guide work unchanged.

* ``POST /promotions/calculate/``: guide cart in, guide response out (engine underneath).
* ``POST /promotions/log-usage/``: with ``status = applied`` the call is a checkout of
  ``cart_data`` under ``transaction_id`` (or ``bill_id``): the cart is re-evaluated and every
  applied promotion recorded once; ``log_id`` is the redemption id of ``promotion_id``. The
  POS's amounts are never recorded. A promotion the engine does not apply to that cart is 409.
  ``skipped``/``failed`` are acknowledged and not stored (checkouts log their evaluations).
* ``GET /promotions/preview/?promotion_id=…&cart_json=…``: one promotion against a cart.
* ``GET /promotions/list/`` and ``GET /promotions/{id}/detail/``: HTML fragments for HTMX.

Errors keep the guide's shape ``{"success": false, "error": "..."}`` with the HTTP status of
this service (422 invalid input, 404 unknown promotion, 409 conflict), and ``detail`` naming
the fields for a validation error.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from promoflow_evaluator.domain.pos_contract import (
    calculate_response,
    number,
    preview_response,
    to_checkout_request,
    to_evaluate_request,
)
from promoflow_evaluator.entrypoints.deps import ContainerDep, TerminalDep
from promoflow_evaluator.entrypoints.router import body_errors
from promoflow_evaluator.exceptions import CheckoutConflict, InvalidCart, PromotionNotFound
from promoflow_evaluator.metrics import EVALUATIONS
from promoflow_evaluator.schemas import SeedCart, SeedLogUsage

router = APIRouter(prefix="/promotions", tags=["seed POS contract"])


def _fail(status: int, error: str, detail: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": error}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


def _invalid(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> JSONResponse:
    detail = body_errors(exc, prefix)
    first = detail[0]
    return _fail(422, f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", detail)


@router.post("/calculate/", summary="Guide: calculate applicable promotions for a cart")
async def calculate(request: Request, built: ContainerDep, _key: TerminalDep) -> Response:
    try:
        cart = SeedCart.model_validate_json(await request.body())
        evaluate_request = to_evaluate_request(cart, built.settings.store_id)
    except ValidationError as exc:
        return _invalid(exc)
    try:
        result = await built.evaluator.evaluate(evaluate_request)
    except InvalidCart as exc:
        return _fail(422, f"{exc.field}: {exc}")
    EVALUATIONS.labels("calculate").inc()
    return Response(orjson.dumps(calculate_response(result)), media_type="application/json")


@router.post("/log-usage/", summary="Guide: log promotion usage (recorded as a checkout)")
async def log_usage(request: Request, built: ContainerDep, _key: TerminalDep) -> JSONResponse:
    try:
        usage = SeedLogUsage.model_validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc)
    if usage.status != "applied":
        return JSONResponse({"success": True, "log_id": None, "recorded": False})
    transaction_id = usage.transaction_id or usage.bill_id
    if not transaction_id:
        return _fail(422, "transaction_id: transaction_id or bill_id is required")
    if usage.cart_data is None:
        return _fail(422, "cart_data: the cart is required to verify an applied promotion")
    try:
        cart = SeedCart.model_validate(usage.cart_data)
        checkout_request = to_checkout_request(
            cart, built.settings.store_id, transaction_id, usage.bill_id, usage.customer_id
        )
    except ValidationError as exc:
        return _invalid(exc, ("body", "cart_data"))
    try:
        response = await built.checkout.checkout(checkout_request)
    except InvalidCart as exc:
        return _fail(422, f"cart_data.{exc.field}: {exc}")
    except CheckoutConflict as exc:
        return _fail(409, str(exc))
    redemption = next(
        (r for r in response.redemptions if r.promotion_id == usage.promotion_id), None
    )
    if redemption is None:
        reason = next(
            (n.reason for n in response.result.not_applied if n.promotion_id == usage.promotion_id),
            "not a candidate for this cart",
        )
        return _fail(409, f"promotion {usage.promotion_id} does not apply to this cart: {reason}")
    return JSONResponse(
        {
            "success": True,
            "log_id": str(redemption.redemption_id),
            "discount_amount": number(redemption.discount),
            "verified": redemption.verified,
            "replayed": response.replayed,
        }
    )


@router.get("/preview/", summary="Guide: preview one promotion against a cart")
async def preview(
    built: ContainerDep,
    _key: TerminalDep,
    promotion_id: Annotated[UUID, Query()],
    cart_json: Annotated[str, Query()] = "{}",
) -> JSONResponse:
    try:
        cart = SeedCart.model_validate_json(cart_json)
        evaluate_request = to_evaluate_request(cart, built.settings.store_id)
    except ValidationError as exc:
        return _invalid(exc, ("query", "cart_json"))
    try:
        promotion, result = built.evaluator.preview(promotion_id, evaluate_request)
    except PromotionNotFound as exc:
        return _fail(404, str(exc))
    except InvalidCart as exc:
        return _fail(422, f"cart_json.{exc.field}: {exc}")
    EVALUATIONS.labels("preview").inc()
    return JSONResponse(preview_response(promotion, result))


@router.get("/list/", response_class=HTMLResponse, summary="Guide: promotion list (HTMX)")
async def promotion_list(built: ContainerDep, _key: TerminalDep) -> HTMLResponse:
    listing = built.evaluator.promotions()
    documents = built.evaluator.catalog().by_id
    html = built.templates.get_template("promotion_list.html").render(
        promotions=[(s, documents[s.id]) for s in listing.promotions]
    )
    return HTMLResponse(html)


@router.get("/{promotion_id}/detail/", response_class=HTMLResponse, summary="Guide: detail (HTMX)")
async def promotion_detail(
    promotion_id: UUID, built: ContainerDep, _key: TerminalDep
) -> HTMLResponse:
    try:
        detail = built.evaluator.promotion(promotion_id)
    except PromotionNotFound:
        html = built.templates.get_template("error.html").render(message="Promotion not found")
        return HTMLResponse(html, status_code=404)
    html = built.templates.get_template("promotion_detail.html").render(
        promotion=detail,
        document=detail.document,
        rules=detail.document.rules,
        scope=detail.document.scope,
    )
    return HTMLResponse(html)
