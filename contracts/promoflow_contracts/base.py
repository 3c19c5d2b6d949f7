"""Shared building blocks for every contract model: base classes, ids, money and enums.

Money on the wire is a decimal number in the currency's *major* unit (``"25000"`` rupiah,
``"7.95"`` pounds), parsed into :class:`decimal.Decimal` and never into ``float``. JSON output
writes money as strings so no client parses it as a binary float. Currencies are ISO 4217
codes; the number of minor-unit digits PromoFlow uses for each is in :data:`MINOR_UNIT_DIGITS`
(IDR is priced in whole rupiah in practice, so PromoFlow uses 0 digits where ISO 4217 says 2).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

#: Minor-unit digits per ISO 4217 currency as PromoFlow prices them (IDR: whole rupiah).
MINOR_UNIT_DIGITS: dict[str, int] = {"IDR": 0, "GBP": 2, "USD": 2, "EUR": 2, "SGD": 2, "MYR": 2}


class ContractModel(BaseModel):
    """Base of every contract: unknown fields are rejected, instances are immutable.

    Rejecting unknown fields makes a typo in a POS request a 422 naming the field instead of a
    silently ignored option. Events stay additive within a ``.v1`` topic: new fields are added
    as optional fields, so older consumers must be upgraded before producers send them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_currency(code: str) -> str:
    if code not in MINOR_UNIT_DIGITS:
        known = ", ".join(sorted(MINOR_UNIT_DIGITS))
        raise ValueError(f"unsupported currency {code!r}; known: {known}")
    return code


#: ISO 4217 currency code that PromoFlow knows the minor unit of.
Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_check_currency)]

#: A non-negative amount of money in the currency's major unit, at most 4 decimal places.
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4, allow_inf_nan=False)]
#: A strictly positive amount of money (prices of cart lines, fixed bundle prices).
PositiveMoney = Annotated[
    Decimal, Field(gt=0, max_digits=18, decimal_places=4, allow_inf_nan=False)
]
#: A signed amount of money (cash rounding may be negative).
SignedMoney = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
#: A percentage in (0, 100], e.g. ``Decimal("12.5")`` for 12.5 %.
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]
#: A count of units, at least one.
Quantity = Annotated[int, Field(ge=1, le=100_000)]
#: A code typed by people (promotion code, voucher code, SKU): 1..64 characters.
Code = Annotated[str, Field(min_length=1, max_length=64)]
#: A free-text name shown to cashiers and customers.
Name = Annotated[str, Field(min_length=1, max_length=255)]


class PromotionType(StrEnum):
    """The 12 promotion types of the design documents (backend roadmap, "compile_rules")."""

    PERCENT_DISCOUNT = "percent_discount"
    AMOUNT_DISCOUNT = "amount_discount"
    BUY_X_GET_Y = "buy_x_get_y"
    COMBO = "combo"
    FREE_ITEM = "free_item"
    HAPPY_HOUR = "happy_hour"
    CASHBACK = "cashback"
    PAYMENT_DISCOUNT = "payment_discount"
    PACKAGE = "package"
    MIX_MATCH = "mix_match"
    UPSELL = "upsell"
    THRESHOLD_TIER = "threshold_tier"


#: Types that consume cart units: a unit is consumed by at most one of them (DESIGN.md).
BUNDLE_TYPES: frozenset[PromotionType] = frozenset(
    {
        PromotionType.BUY_X_GET_Y,
        PromotionType.COMBO,
        PromotionType.PACKAGE,
        PromotionType.MIX_MATCH,
        PromotionType.FREE_ITEM,
        PromotionType.UPSELL,
    }
)


class Stage(StrEnum):
    """Execution stages, run in this order (DESIGN.md "Engine semantics")."""

    ITEM_LEVEL = "item_level"
    CART_LEVEL = "cart_level"
    PAYMENT_LEVEL = "payment_level"


class SalesChannel(StrEnum):
    """How the order is served."""

    DINE_IN = "dine_in"
    TAKEAWAY = "takeaway"
    DELIVERY = "delivery"
