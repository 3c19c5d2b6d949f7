"""The compiled promotion document: everything a store needs to evaluate one promotion.

Shape: the ``compiled_data`` structure of the design documents (edge implementation guide,
"Example compiled_data structure"; backend roadmap, ``PromotionCompiler``), made exact and
complete: identity, type, stage, priority, flags, ``validity``, ``scope``, ``targeting``,
``rules`` (a union over the 12 types), ``limits``, ``cross_brand``, ``compiled_at``,
``compiler_version`` and a per-promotion ``version`` that only ever increases. A store never
joins to master data: product and category names and prices are embedded.

Times are store-local: ``validity`` dates and times are read in the time zone of the store that
evaluates the cart (IANA zone, e.g. ``Asia/Jakarta``), so one document serves stores in WIB,
WITA and WIT alike.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from promoflow_contracts.base import (
    BUNDLE_TYPES,
    Code,
    ContractModel,
    Currency,
    Money,
    Name,
    PositiveMoney,
    PromotionType,
    Quantity,
    SalesChannel,
    Stage,
)
from promoflow_contracts.rules import ItemSet, PromotionRules, upcast_rules

IsoWeekday = Annotated[int, Field(ge=1, le=7)]


class Validity(ContractModel):
    """When a promotion may apply, in the evaluating store's local time.

    ``start_date``..``end_date`` are inclusive. ``time_start``..``time_end`` is a daily window
    (start inclusive, end exclusive); ``time_end < time_start`` crosses midnight, and the part
    after midnight belongs to the day the window started. ``days_of_week`` uses ISO numbers
    (1 = Monday .. 7 = Sunday); ``None`` means every day. ``exclude_holidays`` skips the store
    country's national holidays (``holidays`` library) and ``company_holidays``.
    """

    start_date: date
    end_date: date
    time_start: time | None = None
    time_end: time | None = None
    days_of_week: list[IsoWeekday] | None = None
    exclude_holidays: bool = False
    company_holidays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ranges_are_consistent(self) -> Validity:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        if (self.time_start is None) != (self.time_end is None):
            raise ValueError("time_start and time_end must be given together")
        if self.time_start is not None and self.time_start == self.time_end:
            raise ValueError("time_start and time_end must differ")
        if self.days_of_week is not None and not self.days_of_week:
            raise ValueError("days_of_week must not be empty; use null for every day")
        return self


class CategoryRef(ContractModel):
    """A category embedded in a promotion; ``descendant_ids`` are its sub-categories (any depth),
    resolved by the compiler so the store matches a line's category without the tree."""

    id: UUID
    name: Name
    code: Code | None = None
    company_id: UUID | None = None
    brand_id: UUID | None = None
    descendant_ids: list[UUID] = Field(default_factory=list)


class ProductRef(ContractModel):
    """A product embedded in a promotion, with its HO price at compile time (major unit)."""

    id: UUID
    name: Name
    sku: Code | None = None
    price: Money | None = None
    category_id: UUID | None = None
    company_id: UUID | None = None
    brand_id: UUID | None = None


class ScopeKind(StrEnum):
    """Which lines a promotion looks at, before exclusions."""

    ALL = "all"
    CATEGORIES = "categories"
    PRODUCTS = "products"


class Scope(ContractModel):
    """The lines a promotion applies to: all, some categories or some products, minus exclusions.

    The seeds' ``apply_to`` values ``category``/``product`` are accepted and upcast.
    """

    apply_to: ScopeKind = ScopeKind.ALL
    categories: list[CategoryRef] = Field(default_factory=list)
    products: list[ProductRef] = Field(default_factory=list)
    exclude_categories: list[CategoryRef] = Field(default_factory=list)
    exclude_products: list[ProductRef] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _upcast_seed_apply_to(cls, data: Any) -> Any:
        seed_names = {"category": "categories", "product": "products"}
        if isinstance(data, dict) and data.get("apply_to") in seed_names:
            data = {**data, "apply_to": seed_names[data["apply_to"]]}
        return data

    @model_validator(mode="after")
    def _scope_is_not_empty(self) -> Scope:
        if self.apply_to is ScopeKind.CATEGORIES and not self.categories:
            raise ValueError("categories must not be empty when apply_to is 'categories'")
        if self.apply_to is ScopeKind.PRODUCTS and not self.products:
            raise ValueError("products must not be empty when apply_to is 'products'")
        return self


class Targeting(ContractModel):
    """Who and where: stores, brands, channels and customers a promotion is for.

    ``stores``/``brands`` are ``"all"`` or a list of ids (the compiler resolves HO targeting
    rules to store ids). ``sales_channels`` ``None`` = every channel. ``member_tiers`` empty = any
    tier. ``customer_type`` ``"all"`` = anyone, otherwise it must equal the cart customer's type
    (case-insensitive).
    """

    company_id: UUID
    stores: Literal["all"] | list[UUID] = "all"
    brands: Literal["all"] | list[UUID] = "all"
    exclude_brands: list[UUID] = Field(default_factory=list)
    sales_channels: list[SalesChannel] | None = None
    exclude_channels: list[SalesChannel] = Field(default_factory=list)
    member_only: bool = False
    member_tiers: list[Code] = Field(default_factory=list)
    customer_type: Code = "all"

    def targets_store(self, store_id: UUID) -> bool:
        """True when ``store_id`` is one of the targeted stores (or all stores are)."""
        return self.stores == "all" or store_id in self.stores


class Limits(ContractModel):
    """Usage limits. ``None`` = unlimited. ``max_uses_per_day`` counts per store-local day.

    ``current_uses`` is informational (HO's count at compile time); the engine decides with the
    remaining allowances the service supplies, and the collector enforces the totals.
    """

    max_uses: Quantity | None = None
    max_uses_per_customer: Quantity | None = None
    max_uses_per_day: Quantity | None = None
    current_uses: Annotated[int, Field(ge=0)] = 0


class ExhaustedDay(ContractModel):
    """A store-local business day on which a daily limit was reached (``store_id`` None = all)."""

    business_date: date
    store_id: UUID | None = None


class LimitState(ContractModel):
    """Limit state as HO knows it, republished so every store stops applying an exhausted
    promotion: ``total_exhausted`` for ``max_uses``/campaign budget, ``exhausted_days`` for
    ``max_uses_per_day`` (the promotion resumes the next day by itself)."""

    total_exhausted: bool = False
    exhausted_days: list[ExhaustedDay] = Field(default_factory=list)
    updated_at: AwareDatetime | None = None


class CrossBrand(ContractModel):
    """Cross-brand rule: buying ``trigger_min_amount`` from ``trigger_brands`` unlocks the benefit
    on lines of ``benefit_brands`` (which must differ from the trigger brands)."""

    enabled: bool = True
    type: Literal["trigger_benefit"] = "trigger_benefit"
    trigger_brands: list[UUID] = Field(min_length=1)
    trigger_min_amount: Money = Decimal(0)
    benefit_brands: list[UUID] = Field(min_length=1)

    @model_validator(mode="after")
    def _brands_differ(self) -> CrossBrand:
        if set(self.trigger_brands) & set(self.benefit_brands):
            raise ValueError("trigger_brands and benefit_brands must differ")
        return self


class CartCondition(ContractModel):
    """A cross-line condition: the cart holds at least ``min_quantity`` units and/or
    ``min_amount`` (major unit, before discounts) of ``items``. All conditions of a promotion
    must hold for its benefit (on the scope's lines) to apply."""

    items: ItemSet
    min_quantity: Quantity | None = None
    min_amount: PositiveMoney | None = None

    @model_validator(mode="after")
    def _has_threshold(self) -> CartCondition:
        if self.items.is_empty:
            raise ValueError("items must name products or categories")
        if self.min_quantity is None and self.min_amount is None:
            raise ValueError("min_quantity or min_amount is required")
        return self


class Compounding(StrEnum):
    """What amounts a promotion's discount is computed on."""

    #: What earlier promotions left of each line (the default).
    REMAINING = "remaining"
    #: The original line amounts; the discount is still limited by what is left.
    ORIGINAL = "original"


class Campaign(ContractModel):
    """A campaign several promotions share, with a budget in redemptions and/or money.

    The engine receives the remaining budget in its context and never grants more than it.
    """

    campaign_id: UUID
    name: Name | None = None
    budget_redemptions: Quantity | None = None
    budget_amount: PositiveMoney | None = None


class CompiledPromotion(ContractModel):
    """A self-contained promotion as stores receive it (value of ``promotions.v1``).

    Identity and flags follow the seeds' ``promotions`` table. ``execution_priority``: higher
    runs first within a stage (0..1000, default 500); ties break by ``code``. ``voucher_codes``
    unlock a promotion with ``require_voucher``; they match case-insensitively.
    """

    id: UUID
    code: Code
    name: Name
    description: str | None = None
    terms_conditions: str | None = None
    company_id: UUID
    brand_id: UUID | None = None
    promo_type: PromotionType
    execution_stage: Stage = Stage.ITEM_LEVEL
    execution_priority: Annotated[int, Field(ge=0, le=1000)] = 500
    is_active: bool = True
    is_auto_apply: bool = True
    require_voucher: bool = False
    voucher_codes: list[Code] = Field(default_factory=list)
    is_stackable: bool = True
    compounding: Compounding = Compounding.REMAINING
    currency: Currency = "IDR"
    validity: Validity
    scope: Scope = Field(default_factory=Scope)
    targeting: Targeting
    rules: PromotionRules
    conditions: list[CartCondition] = Field(default_factory=list)
    limits: Limits = Field(default_factory=Limits)
    limit_state: LimitState = Field(default_factory=LimitState)
    cross_brand: CrossBrand | None = None
    campaign: Campaign | None = None
    compiled_at: AwareDatetime
    compiler_version: Code
    version: Annotated[int, Field(ge=1)]

    @field_validator("rules", mode="before")
    @classmethod
    def _upcast_rules(cls, value: Any) -> Any:
        return upcast_rules(value)

    @model_validator(mode="after")
    def _rules_match_type(self) -> CompiledPromotion:
        if self.rules.type != self.promo_type.value:
            raise ValueError(
                f"rules.type {self.rules.type!r} does not match promo_type "
                f"{self.promo_type.value!r}"
            )
        if self.require_voucher and not self.voucher_codes:
            raise ValueError("voucher_codes must not be empty when require_voucher is true")
        return self

    @property
    def is_bundle(self) -> bool:
        """True for the types that consume cart units (DESIGN.md: a unit is used at most once)."""
        return self.promo_type in BUNDLE_TYPES


__all__ = [
    "Campaign",
    "CartCondition",
    "CategoryRef",
    "CompiledPromotion",
    "Compounding",
    "CrossBrand",
    "ExhaustedDay",
    "LimitState",
    "Limits",
    "ProductRef",
    "Scope",
    "ScopeKind",
    "Targeting",
    "Validity",
]
