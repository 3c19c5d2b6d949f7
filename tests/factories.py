"""Builders of contract objects for tests: valid documents with every field defaulted.

``promotion(rules=..., **overrides)`` returns a :class:`CompiledPromotion` targeting
``STORE_ID``/``BRAND_ID`` of ``COMPANY_ID``, valid all of 2026, with the given rules; ``cart``
returns an :class:`EvaluateRequest`. Products and categories of a small café menu are constants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from promoflow_contracts.cart import CartLine, EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion

_NS = UUID("6f1c7d2e-1b0a-4c59-9a57-3f6f0c8f2a10")


def uid(name: str) -> UUID:
    """A stable UUID for a readable test name."""
    return uuid5(_NS, name)


COMPANY_ID = uid("company")
BRAND_ID = uid("brand-kopi")
OTHER_BRAND_ID = uid("brand-bakery")
STORE_ID = uid("store-jakarta")
OTHER_STORE_ID = uid("store-makassar")
BEVERAGES = uid("cat-beverages")
BAKERY = uid("cat-bakery")
LATTE = uid("prod-latte")
AMERICANO = uid("prod-americano")
CROISSANT = uid("prod-croissant")
MUFFIN = uid("prod-muffin")

COMPILED_AT = datetime(2026, 1, 27, 3, 0, tzinfo=UTC)


def promotion(
    code: str = "PROMO", rules: dict[str, Any] | None = None, **overrides: Any
) -> CompiledPromotion:
    """A compiled promotion; ``rules`` defaults to 10 % off, ``promo_type`` follows ``rules``."""
    rules = rules or {"type": "percent_discount", "discount_percent": "10"}
    doc: dict[str, Any] = {
        "id": str(uid("promo-" + code)),
        "code": code,
        "name": f"Promotion {code}",
        "company_id": str(COMPANY_ID),
        "promo_type": rules["type"],
        "validity": {"start_date": "2026-01-01", "end_date": "2026-12-31"},
        "targeting": {"company_id": str(COMPANY_ID), "stores": [str(STORE_ID)]},
        "rules": rules,
        "compiled_at": COMPILED_AT.isoformat(),
        "compiler_version": "test",
        "version": 1,
    }
    doc.update(overrides)
    return CompiledPromotion.model_validate(doc)


def line(
    line_id: str, product_id: UUID, price: str | int, quantity: int = 1, **fields: Any
) -> CartLine:
    """A cart line; ``price`` is the unit price in the major unit."""
    return CartLine.model_validate(
        {
            "line_id": line_id,
            "product_id": str(product_id),
            "unit_price": str(price),
            "quantity": quantity,
            **fields,
        }
    )


def cart(*lines: CartLine, **fields: Any) -> EvaluateRequest:
    """An evaluate request at ``STORE_ID`` on a Tuesday noon (WIB) unless overridden."""
    fields.setdefault("evaluated_at", datetime(2026, 3, 3, 12, 0))
    return EvaluateRequest(store_id=STORE_ID, lines=list(lines), **fields)
