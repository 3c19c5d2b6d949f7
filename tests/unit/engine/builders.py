"""Builders for engine tests: a store context, scopes, and an evaluate call that checks the
contract's invariants on every result it returns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult, NotApplied, ReasonCode
from promoflow_evaluator.engine import EngineContext, PromotionIndex, evaluate
from tests.factories import (
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    COMPANY_ID,
    CROISSANT,
    LATTE,
    STORE_ID,
    line,
)

#: A fixed "now" (Tuesday 3 March 2026, 12:00 WIB) used when a cart has no evaluated_at.
NOW = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def context(**overrides: Any) -> EngineContext:
    """The Jakarta store of the factories, IDR, rounding unit 1."""
    fields: dict[str, Any] = {
        "store_id": STORE_ID,
        "company_id": COMPANY_ID,
        "brand_id": BRAND_ID,
        "timezone": "Asia/Jakarta",
        "country_code": "ID",
        "currency": "IDR",
        "now": NOW,
    }
    fields.update(overrides)
    return EngineContext(**fields)


def categories(*refs: tuple[Any, str], **extra: Any) -> dict[str, Any]:
    """A ``scope`` dict over categories given as ``(id, name)`` pairs."""
    return {
        "apply_to": "categories",
        "categories": [{"id": str(cid), "name": name} for cid, name in refs],
        **extra,
    }


def products(*refs: tuple[Any, str], **extra: Any) -> dict[str, Any]:
    """A ``scope`` dict over products given as ``(id, name)`` pairs."""
    return {
        "apply_to": "products",
        "products": [{"id": str(pid), "name": name} for pid, name in refs],
        **extra,
    }


BEVERAGES_SCOPE = categories((BEVERAGES, "Beverages"))
BAKERY_SCOPE = categories((BAKERY, "Pastries"))


def latte(
    line_id: str = "latte", quantity: int = 1, price: int | str = 25000, **fields: Any
) -> Any:
    """A latte line (Beverages)."""
    fields.setdefault("name", "Latte")
    return line(line_id, LATTE, price, quantity, category_id=str(BEVERAGES), **fields)


def croissant(
    line_id: str = "croissant", quantity: int = 1, price: int | str = 15000, **fields: Any
) -> Any:
    """A croissant line (Bakery)."""
    fields.setdefault("name", "Croissant")
    return line(line_id, CROISSANT, price, quantity, category_id=str(BAKERY), **fields)


def _complete(model: BaseModel) -> None:
    """Every field is set (the engine builds results without validation)."""
    assert set(model.__dict__) == set(type(model).model_fields), type(model).__name__
    for value in model.__dict__.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                _complete(item)


def check_invariants(result: EvaluationResult) -> None:
    """The invariants of the contract's results module, plus model validity."""
    _complete(result)
    dumped = result.model_dump()
    assert EvaluationResult.model_validate(dumped).model_dump() == dumped
    assert result.total_discount == sum((a.discount for a in result.applied), Decimal(0))
    for applied in result.applied:
        assert sum((a.amount for a in applied.allocations), Decimal(0)) == applied.discount
        assert all(a.amount > 0 for a in applied.allocations)
    per_line: dict[str, Decimal] = {}
    for applied in result.applied:
        for alloc in applied.allocations:
            per_line[alloc.line_id] = per_line.get(alloc.line_id, Decimal(0)) + alloc.amount
    for res in result.lines:
        assert res.net_amount == res.gross_amount - res.discount
        assert res.net_amount >= 0
        assert res.discount == per_line.get(res.line_id, Decimal(0))
        assert res.gross_amount == res.unit_price * res.quantity
    assert result.subtotal == sum((ln.gross_amount for ln in result.lines), Decimal(0))
    assert result.total == result.subtotal - result.total_discount
    assert result.total >= 0
    assert result.payable == result.total + result.cash_rounding
    assert result.payable >= 0


def run(
    request: EvaluateRequest,
    promotions: Iterable[CompiledPromotion],
    ctx: EngineContext | None = None,
) -> EvaluationResult:
    """Evaluate ``request`` against ``promotions`` and check the invariants."""
    result = evaluate(request, PromotionIndex.build(promotions), ctx or context())
    check_invariants(result)
    return result


def applied_codes(result: EvaluationResult) -> list[str]:
    """Codes of the applied promotions, in application order."""
    return [a.code for a in result.applied]


def discount_of(result: EvaluationResult, code: str) -> Decimal:
    """The bill discount of applied promotion ``code`` (fails if it did not apply)."""
    for applied in result.applied:
        if applied.code == code:
            return applied.discount
    raise AssertionError(f"{code} did not apply: {miss_of(result, code)}")


def miss_of(result: EvaluationResult, code: str) -> NotApplied:
    """The not-applied entry of ``code`` (fails if it is not there)."""
    for item in result.not_applied:
        if item.code == code:
            return item
    raise AssertionError(f"{code} is not in not_applied; applied: {applied_codes(result)}")


def reason_of(result: EvaluationResult, code: str) -> ReasonCode:
    """The reason code of a promotion that did not apply."""
    return miss_of(result, code).reason_code


def line_discounts(result: EvaluationResult) -> dict[str, Decimal]:
    """Discount per line id."""
    return {ln.line_id: ln.discount for ln in result.lines}
