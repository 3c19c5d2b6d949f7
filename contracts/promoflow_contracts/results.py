"""The evaluate response: what applies, by how much, on which lines, and why the rest did not.

All money is in the cart currency's major unit, rounded to the currency's minor unit (or the
company's rounding unit). Invariants the engine guarantees: ``total_discount`` equals the sum of
applied bill discounts; each applied promotion's ``allocations`` sum exactly to its
``discount``; every line's ``net_amount`` is ``gross_amount - discount`` and never negative;
``total = subtotal - total_discount`` and ``payable = total + cash_rounding``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from promoflow_contracts.base import (
    Code,
    ContractModel,
    Currency,
    Money,
    Name,
    PromotionType,
    SignedMoney,
    Stage,
)
from promoflow_contracts.cart import PosId


class ReasonCode(StrEnum):
    """Why a candidate promotion did not apply (stable codes for POS and analytics)."""

    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    OUTSIDE_TIME_WINDOW = "outside_time_window"
    WRONG_DAY = "wrong_day"
    HOLIDAY_EXCLUDED = "holiday_excluded"
    STORE_NOT_TARGETED = "store_not_targeted"
    BRAND_NOT_TARGETED = "brand_not_targeted"
    CHANNEL_NOT_TARGETED = "channel_not_targeted"
    MEMBER_ONLY = "member_only"
    TIER_NOT_ELIGIBLE = "tier_not_eligible"
    CUSTOMER_TYPE_NOT_ELIGIBLE = "customer_type_not_eligible"
    VOUCHER_REQUIRED = "voucher_required"
    NOT_AUTO_APPLY = "not_auto_apply"
    NO_ELIGIBLE_ITEMS = "no_eligible_items"
    MIN_PURCHASE_NOT_MET = "min_purchase_not_met"
    MIN_QUANTITY_NOT_MET = "min_quantity_not_met"
    CONDITION_NOT_MET = "condition_not_met"
    INCOMPLETE_BUNDLE = "incomplete_bundle"
    UNITS_ALREADY_USED = "units_already_used"
    PAYMENT_METHOD_REQUIRED = "payment_method_required"
    PAYMENT_METHOD_NOT_ELIGIBLE = "payment_method_not_eligible"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    BUDGET_EXHAUSTED = "budget_exhausted"
    NOT_STACKABLE = "not_stackable"
    NO_BENEFIT = "no_benefit"
    CURRENCY_MISMATCH = "currency_mismatch"


class LineAllocation(ContractModel):
    """The part of one promotion's discount that falls on one cart line."""

    line_id: PosId
    amount: Money


class UnitUse(ContractModel):
    """``quantity`` units of a line that triggered a promotion or received its benefit."""

    line_id: PosId
    quantity: int = Field(ge=1)


class AppliedPromotion(ContractModel):
    """A promotion that applied: its bill discount, where it fell, and which units it used."""

    promotion_id: UUID
    code: Code
    name: Name
    promo_type: PromotionType
    stage: Stage
    version: int
    discount: Money
    allocations: list[LineAllocation]
    trigger_units: list[UnitUse] = Field(default_factory=list)
    benefit_units: list[UnitUse] = Field(default_factory=list)
    compounding: str = "remaining"
    budget_limited: bool = False
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class RewardKind(StrEnum):
    """Rewards that do not reduce the bill."""

    CASHBACK = "cashback"
    POINTS_MULTIPLIER = "points_multiplier"


class Reward(ContractModel):
    """A non-bill reward (cashback, points multiplier) earned by the cart."""

    promotion_id: UUID
    code: Code
    kind: RewardKind
    amount: Money = Decimal(0)
    multiplier: Decimal | None = None
    method: str | None = None
    description: str


class FreeItemOffer(ContractModel):
    """A free product the customer may add: the cart earned it but does not hold it yet."""

    promotion_id: UUID
    code: Code
    product_id: UUID
    product_name: str | None = None
    quantity: int = Field(ge=1)
    unit_price: Money | None = None
    message: str


class NotApplied(ContractModel):
    """A candidate that did not apply, with a stable reason code and a readable reason."""

    promotion_id: UUID
    code: Code
    name: Name
    promo_type: PromotionType
    reason_code: ReasonCode
    reason: str
    lost_to: list[Code] = Field(default_factory=list)


class HintKind(StrEnum):
    """What a near miss is missing."""

    ADD_AMOUNT = "add_amount"
    ADD_QUANTITY = "add_quantity"
    ADD_PRODUCT = "add_product"
    PAYMENT_METHOD = "payment_method"
    VOUCHER = "voucher"
    MEMBERSHIP = "membership"


class Hint(ContractModel):
    """A near miss: what the customer could add or do, and what it would be worth."""

    promotion_id: UUID
    code: Code
    kind: HintKind
    message: str
    missing_amount: Money | None = None
    missing_quantity: int | None = None
    product_id: UUID | None = None
    category_id: UUID | None = None
    payment_methods: list[str] = Field(default_factory=list)
    potential_discount: Money | None = None


class LineResult(ContractModel):
    """A cart line after discounts."""

    line_id: PosId
    product_id: UUID
    quantity: int
    unit_price: Money
    gross_amount: Money
    discount: Money
    net_amount: Money
    allocations: list[LineAllocation] = Field(default_factory=list)


class SearchReport(ContractModel):
    """How the bundle assignment was chosen: an exact search, or priority order past the bound."""

    exact: bool = True
    explored: int = 0
    note: str | None = None


class EvaluationResult(ContractModel):
    """The engine's full answer for one cart (the evaluate response body)."""

    store_id: UUID
    currency: Currency
    evaluated_at: datetime
    subtotal: Money
    total_discount: Money
    total: Money
    cash_rounding: SignedMoney = Decimal(0)
    payable: Money
    lines: list[LineResult]
    applied: list[AppliedPromotion]
    rewards: list[Reward] = Field(default_factory=list)
    free_item_offers: list[FreeItemOffer] = Field(default_factory=list)
    not_applied: list[NotApplied] = Field(default_factory=list)
    hints: list[Hint] = Field(default_factory=list)
    search: SearchReport = Field(default_factory=SearchReport)
    engine_version: str
