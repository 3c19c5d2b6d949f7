"""The evaluate request: a POS cart and its context (``POST /api/v1/evaluate``).

Amounts are in the store currency's major unit (Decimal; JSON numbers or strings). A line's unit
price for promotions is ``unit_price`` plus its modifiers' prices (an extra shot is discounted
with the latte it belongs to). Quantities are whole units (F&B items are counted, not weighed).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from promoflow_contracts.base import (
    Code,
    ContractModel,
    Currency,
    Money,
    Name,
    PositiveMoney,
    Quantity,
    SalesChannel,
)

#: A POS-side identifier (line id, transaction id, bill id): 1..64 characters.
PosId = Annotated[str, Field(min_length=1, max_length=64)]


class Modifier(ContractModel):
    """An option on a cart line (extra shot, size up), priced per unit of the line."""

    modifier_id: PosId | None = None
    name: Name
    price: Money = Decimal(0)
    quantity: Quantity = 1


class CartLine(ContractModel):
    """One line of the cart: ``quantity`` units of a product at ``unit_price`` each.

    Raises (as a validation error naming the field): quantity below 1, unit price of zero or
    less, more than 4 decimal places.
    """

    line_id: PosId
    product_id: UUID
    sku: Code | None = None
    name: Name | None = None
    category_id: UUID | None = None
    brand_id: UUID | None = None
    unit_price: PositiveMoney
    quantity: Quantity
    modifiers: list[Modifier] = Field(default_factory=list, max_length=50)


class Customer(ContractModel):
    """The customer of the cart, when known (loyalty card, app, phone number)."""

    customer_id: PosId | None = None
    is_member: bool = False
    tier: Code | None = None
    customer_type: Code | None = None


class EvaluateRequest(ContractModel):
    """A cart to evaluate in one store.

    ``evaluated_at`` defaults to now; a naive time is read in the store's time zone. Voucher codes
    match case-insensitively. ``payment_method`` is optional: payment discounts apply only when
    it is known. An empty ``lines`` list is valid and evaluates to zero. Line ids are unique.
    """

    store_id: UUID
    sales_channel: SalesChannel = SalesChannel.DINE_IN
    currency: Currency | None = None
    evaluated_at: datetime | None = None
    customer: Customer | None = None
    voucher_codes: list[Code] = Field(default_factory=list, max_length=20)
    payment_method: Code | None = None
    lines: list[CartLine] = Field(default_factory=list, max_length=500)

    @field_validator("voucher_codes")
    @classmethod
    def _dedupe_vouchers(cls, codes: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for code in codes:
            seen.setdefault(code.casefold(), code)
        return list(seen.values())

    @model_validator(mode="after")
    def _line_ids_unique(self) -> EvaluateRequest:
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"lines: duplicate line_id {', '.join(duplicates)}")
        return self
