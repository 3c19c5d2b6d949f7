"""The authored promotion (``PromotionSpec``): what HO users write, before compilation.

The spec references master data by id only; the compiler embeds names, prices and category
descendants from master data into the compiled document (``promoflow_contracts.promotion``).
``rules`` *is* the contract's rules union (one model per promotion type, discriminated by
``type``), so the type-specific parameters are validated by the same models the stores read;
embedded fields such as ``ComboItem.product_name`` may be omitted by authors and are always
overwritten by the compiler.

Parsing checks shapes and per-field bounds (a 422 naming the field); cross-field and
master-data rules (dates in order, references that exist, scope not empty, conflicts) are
checked by :mod:`promoflow_compiler.domain.validation`, which returns errors and warnings.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from promoflow_contracts.base import (
    Code,
    Currency,
    Money,
    Name,
    PromotionType,
    Quantity,
    SalesChannel,
    Stage,
)
from promoflow_contracts.promotion import Campaign, CartCondition, Compounding, ScopeKind
from promoflow_contracts.rules import PromotionRules, upcast_rules

IsoWeekday = Annotated[int, Field(ge=1, le=7)]


class SpecModel(BaseModel):
    """Base of the authoring models: unknown fields are rejected (a typo is a 422)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ValiditySpec(SpecModel):
    """Dates (inclusive) and an optional daily time window, read in each store's local time.

    ``extra_holidays`` are added to the company's holidays when ``exclude_holidays`` is set.
    """

    start_date: date
    end_date: date
    time_start: time | None = None
    time_end: time | None = None
    days_of_week: list[IsoWeekday] | None = None
    exclude_holidays: bool = False
    extra_holidays: list[date] = Field(default_factory=list)


class ScopeSpec(SpecModel):
    """The lines a promotion applies to, by id; the seeds' ``category``/``product`` upcast."""

    apply_to: ScopeKind = ScopeKind.ALL
    category_ids: list[UUID] = Field(default_factory=list)
    product_ids: list[UUID] = Field(default_factory=list)
    exclude_category_ids: list[UUID] = Field(default_factory=list)
    exclude_product_ids: list[UUID] = Field(default_factory=list)

    @field_validator("apply_to", mode="before")
    @classmethod
    def _upcast_seed_apply_to(cls, value: Any) -> Any:
        return {"category": "categories", "product": "products"}.get(value, value)


class TargetingSpec(SpecModel):
    """Where and for whom.

    ``stores``: ``"all"`` (every active store of the company, including stores added later) or
    a list of store ids. ``store_brand_ids`` narrows the stores to those serving one of these
    brands (resolved to store ids at compile time). ``brands``/``exclude_brands`` filter cart
    lines by brand; ``sales_channels`` None = every channel.
    """

    stores: Literal["all"] | list[UUID] = "all"
    store_brand_ids: list[UUID] = Field(default_factory=list)
    brands: Literal["all"] | list[UUID] = "all"
    exclude_brands: list[UUID] = Field(default_factory=list)
    sales_channels: list[SalesChannel] | None = None
    exclude_channels: list[SalesChannel] = Field(default_factory=list)
    member_only: bool = False
    member_tiers: list[Code] = Field(default_factory=list)
    customer_type: Code = "all"


class LimitsSpec(SpecModel):
    """Usage limits (None = unlimited); daily limits count per store-local day."""

    max_uses: Quantity | None = None
    max_uses_per_customer: Quantity | None = None
    max_uses_per_day: Quantity | None = None


class CrossBrandSpec(SpecModel):
    """Spending ``trigger_min_amount`` on ``trigger_brands`` unlocks the benefit on
    ``benefit_brands`` (the validator requires the two sets to differ)."""

    enabled: bool = True
    trigger_brands: list[UUID] = Field(min_length=1)
    trigger_min_amount: Money = Decimal(0)
    benefit_brands: list[UUID] = Field(min_length=1)


#: Default execution stage per type (payment benefits last, whole-cart tiers after items).
DEFAULT_STAGE: dict[PromotionType, Stage] = {
    PromotionType.CASHBACK: Stage.PAYMENT_LEVEL,
    PromotionType.PAYMENT_DISCOUNT: Stage.PAYMENT_LEVEL,
    PromotionType.THRESHOLD_TIER: Stage.CART_LEVEL,
}


class PromotionSpec(SpecModel):
    """An authored promotion of one of the 12 types (``rules.type``).

    ``promo_type`` may be omitted (it follows ``rules.type``); when given it must match.
    ``execution_stage`` defaults per type (:data:`DEFAULT_STAGE`, ``item_level`` otherwise;
    an ``amount_discount`` taken once per cart runs at ``cart_level``). ``currency`` defaults to
    the company's. Money is Decimal in the currency's major unit.
    """

    company_id: UUID
    code: Code
    name: Name
    description: Annotated[str, Field(max_length=5000)] | None = None
    terms_conditions: Annotated[str, Field(max_length=10000)] | None = None
    brand_id: UUID | None = None
    promo_type: PromotionType | None = None
    execution_stage: Stage | None = None
    execution_priority: Annotated[int, Field(ge=0, le=1000)] = 500
    is_auto_apply: bool = True
    require_voucher: bool = False
    voucher_codes: list[Code] = Field(default_factory=list)
    is_stackable: bool = True
    compounding: Compounding = Compounding.REMAINING
    currency: Currency | None = None
    validity: ValiditySpec
    scope: ScopeSpec = Field(default_factory=ScopeSpec)
    targeting: TargetingSpec = Field(default_factory=TargetingSpec)
    rules: PromotionRules
    conditions: list[CartCondition] = Field(default_factory=list)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    cross_brand: CrossBrandSpec | None = None
    campaign: Campaign | None = None

    @field_validator("rules", mode="before")
    @classmethod
    def _upcast_rules(cls, value: Any) -> Any:
        return upcast_rules(value)

    @property
    def effective_type(self) -> PromotionType:
        """The promotion type (``rules.type``)."""
        return PromotionType(self.rules.type)

    @property
    def effective_stage(self) -> Stage:
        """``execution_stage`` or the type's default stage."""
        if self.execution_stage is not None:
            return self.execution_stage
        rules = self.rules
        if rules.type == "amount_discount" and rules.apply_per == "cart":
            return Stage.CART_LEVEL
        return DEFAULT_STAGE.get(self.effective_type, Stage.ITEM_LEVEL)
