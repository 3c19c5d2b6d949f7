"""The seed POS contract (edge implementation guide) mapped onto the contracts (pure).

* A guide cart (``items`` with ``product_id``, ``name``, ``price`` = unit price, ``quantity``,
  ``category_id``; ``customer`` with ``id``, ``is_member``, ``tier``) becomes an
  :class:`EvaluateRequest`; line ids are the items' ``line_id`` or their 1-based position.
* The engine's result becomes the guide's response: ``applied_promotions`` (``promotion_id``,
  ``code``, ``name``, ``discount_amount``, ``reason``, ``details``), ``skipped_promotions``
  (``promotion_id``, ``code``, ``reason``), ``total_discount``, ``original_amount`` (recomputed
  from the items, never the POS's ``subtotal``) and ``final_amount``; ``hints`` is added.
* Money is written as JSON *numbers*, as the guide's clients parse them: an integer when whole,
  else the shortest decimal (exact up to 15 significant digits, far above any bill).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.checkout import CheckoutRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.schemas import SeedCart


def number(amount: Decimal) -> int | float:
    """A JSON number for ``amount``: int when whole, else float (shortest repr)."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _request_fields(cart: SeedCart, store_id: UUID) -> dict[str, Any]:
    customer = None
    if cart.customer is not None:
        customer = {
            "customer_id": cart.customer.id,
            "is_member": cart.customer.is_member,
            "tier": cart.customer.tier,
            "customer_type": cart.customer.customer_type,
        }
    return {
        "store_id": store_id,
        "sales_channel": cart.sales_channel,
        "evaluated_at": cart.evaluated_at,
        "customer": customer,
        "voucher_codes": cart.voucher_codes,
        "payment_method": cart.payment_method,
        "lines": [
            {
                "line_id": item.line_id or str(position),
                "product_id": item.product_id,
                "sku": item.sku,
                "name": item.name,
                "category_id": item.category_id,
                "brand_id": item.brand_id,
                "unit_price": item.price,
                "quantity": item.quantity,
            }
            for position, item in enumerate(cart.items, start=1)
        ],
    }


def to_evaluate_request(cart: SeedCart, store_id: UUID) -> EvaluateRequest:
    """The contract request for a guide cart (raises ``ValidationError`` naming the field)."""
    return EvaluateRequest.model_validate(_request_fields(cart, store_id))


def to_checkout_request(
    cart: SeedCart,
    store_id: UUID,
    transaction_id: str,
    bill_id: str | None,
    customer_id: str | None,
) -> CheckoutRequest:
    """The checkout for a guide ``log-usage`` call's ``cart_data``."""
    fields = _request_fields(cart, store_id)
    if fields["customer"] is None and customer_id:
        fields["customer"] = {"customer_id": customer_id}
    fields.update(transaction_id=transaction_id, bill_id=bill_id)
    return CheckoutRequest.model_validate(fields)


def calculate_response(result: EvaluationResult) -> dict[str, Any]:
    """The guide's ``calculate_promotions`` response for an engine result."""
    return {
        "success": True,
        "applied_promotions": [
            {
                "promotion_id": str(a.promotion_id),
                "code": a.code,
                "name": a.name,
                "discount_amount": number(a.discount),
                "reason": a.reason,
                "details": {
                    **a.details,
                    "promo_type": a.promo_type.value,
                    "allocations": {s.line_id: number(s.amount) for s in a.allocations},
                },
            }
            for a in result.applied
        ],
        "skipped_promotions": [
            {"promotion_id": str(n.promotion_id), "code": n.code, "reason": n.reason}
            for n in result.not_applied
        ],
        "total_discount": number(result.total_discount),
        "original_amount": number(result.subtotal),
        "final_amount": number(result.total),
        "hints": [h.message for h in result.hints],
    }


def preview_response(promotion: CompiledPromotion, result: EvaluationResult) -> dict[str, Any]:
    """The guide's ``promotion_preview`` response: one promotion against one cart."""
    applied = next((a for a in result.applied if a.promotion_id == promotion.id), None)
    skipped = next((n for n in result.not_applied if n.promotion_id == promotion.id), None)
    if applied is not None:
        status, amount, reason, details = (
            "applied",
            applied.discount,
            applied.reason,
            applied.details,
        )
    else:
        reason = skipped.reason if skipped else "No eligible items in the cart"
        status, amount, details = "skipped", Decimal(0), {}
        if skipped is not None:
            details = {"reason_code": skipped.reason_code.value}
    return {
        "success": True,
        "promotion": {"code": promotion.code, "name": promotion.name},
        "result": {
            "status": status,
            "discount_amount": number(amount),
            "reason": reason,
            "details": details,
        },
    }
