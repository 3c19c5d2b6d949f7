"""Type-specific promotion rules: one model per promotion type, a union discriminated by ``type``.

The field names follow ``compiled_data.rules`` of the design documents (backend roadmap,
``PromotionCompiler._compile_*``). Two things differ, on purpose:

* ``type`` carries the promotion type itself (``"percent_discount"``, not the roadmap's
  ``"percent"``); the old short names (``percent``, ``amount``, ``bogo``) are still accepted
  on input and upcast, so documents written against the seeds validate.
* Money is Decimal, never float, and every rule states what its amounts are measured on.

Parameters that chains know from other commerce systems (per-unit application with caps,
target selection, distinct buy and get sets, quantity tiers) are optional fields with defaults
that reproduce the seeds' behaviour, so a document written for the seeds means the same thing.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from promoflow_contracts.base import (
    Code,
    ContractModel,
    Money,
    Name,
    Percent,
    PositiveMoney,
    Quantity,
)

#: Short rule type names used by the seed documents, mapped to the promotion type.
SEED_RULE_TYPE_ALIASES: dict[str, str] = {
    "percent": "percent_discount",
    "amount": "amount_discount",
    "bogo": "buy_x_get_y",
    "threshold": "threshold_tier",
}


class MinPurchaseBasis(StrEnum):
    """What ``min_purchase`` is compared with."""

    #: The whole cart's subtotal before discounts (the seeds' rule).
    CART_SUBTOTAL = "cart_subtotal"
    #: Only the subtotal of lines in the promotion's scope.
    ELIGIBLE_SUBTOTAL = "eligible_subtotal"


class UnitSelection(StrEnum):
    """Which eligible units a per-unit benefit goes to."""

    ALL = "all"
    CHEAPEST = "cheapest"
    MOST_EXPENSIVE = "most_expensive"


class ApplicationMode(StrEnum):
    """How often a set-based benefit is granted."""

    #: Once for every complete qualifying set in the cart (the seeds' BOGO behaviour).
    PER_SET = "per_set"
    #: At most once per order, however many sets the cart holds.
    ONCE_PER_ORDER = "once_per_order"


class UnitTarget(ContractModel):
    """Per-unit application: which eligible units receive the benefit, and how many at most.

    ``None`` for a cap means no cap. With ``selection = cheapest`` and ``max_units_per_cart = 1``
    a discount goes to the single cheapest eligible unit.
    """

    selection: UnitSelection = UnitSelection.ALL
    max_units_per_line: Quantity | None = None
    max_units_per_cart: Quantity | None = None


class ItemSet(ContractModel):
    """A set of cart units given by products and/or categories (categories include descendants).

    An empty set (no products, no categories) means "the promotion's scope".
    """

    product_ids: list[UUID] = Field(default_factory=list)
    category_ids: list[UUID] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the set names nothing and so stands for the promotion's scope."""
        return not self.product_ids and not self.category_ids


class RewardKind(StrEnum):
    """What the rewarded units of a buy-x-get-y receive."""

    FREE = "free"
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    FIXED_PRICE = "fixed_price"


class UnitReward(ContractModel):
    """The benefit on each rewarded unit: free, percent off, amount off (per unit) or fixed price.

    ``value`` is a percent for ``percent_off`` and money in the major unit for ``amount_off`` and
    ``fixed_price``; it is ignored (and may be omitted) for ``free``. A unit never goes below 0.
    """

    kind: RewardKind = RewardKind.FREE
    value: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=4)

    @model_validator(mode="after")
    def _value_matches_kind(self) -> UnitReward:
        if self.kind is RewardKind.FREE:
            return self
        if self.value is None:
            raise ValueError(f"value is required for reward kind {self.kind.value!r}")
        if self.kind is RewardKind.PERCENT_OFF and not (0 < self.value <= 100):
            raise ValueError("value must be in (0, 100] for percent_off")
        return self


class _Rules(ContractModel):
    """Base of the rule models (the seed ``type`` aliases are upcast by :func:`upcast_rules`)."""


class PercentDiscountRules(_Rules):
    """Type 1: ``discount_percent`` off the eligible lines, capped at ``max_discount_amount``.

    Applies when ``min_purchase`` (compared per ``min_purchase_basis``) is met, inclusive.
    """

    type: Literal["percent_discount"] = "percent_discount"
    discount_percent: Percent
    max_discount_amount: PositiveMoney | None = None
    min_purchase: Money = Decimal(0)
    min_purchase_basis: MinPurchaseBasis = MinPurchaseBasis.CART_SUBTOTAL
    target: UnitTarget | None = None


class AmountDiscountRules(_Rules):
    """Type 2: a fixed amount off, never more than the eligible amount.

    ``apply_per = cart`` takes ``discount_amount`` once off the eligible lines; ``unit`` takes it
    off each eligible unit (limited by ``target``), never more than the unit's price.
    """

    type: Literal["amount_discount"] = "amount_discount"
    discount_amount: PositiveMoney
    min_purchase: Money = Decimal(0)
    min_purchase_basis: MinPurchaseBasis = MinPurchaseBasis.CART_SUBTOTAL
    apply_per: Literal["cart", "unit"] = "cart"
    target: UnitTarget | None = None


class BuyXGetYRules(_Rules):
    """Type 3: buy ``buy_quantity`` units, get ``get_quantity`` units with ``reward``.

    Seeds' shape: ``same_product_only`` (BOGO on the same product), ``get_product_id`` (a
    different reward product) and ``get_discount_percent`` (100 = free); the latter two are
    upcast into ``get_set`` and ``reward``. ``buy_set``/``get_set`` empty = the promotion scope.
    Units used to qualify are not also rewarded.
    """

    type: Literal["buy_x_get_y"] = "buy_x_get_y"
    buy_quantity: Quantity
    get_quantity: Quantity
    buy_set: ItemSet = Field(default_factory=ItemSet)
    buy_min_amount: Money | None = None
    get_set: ItemSet = Field(default_factory=ItemSet)
    same_product_only: bool = False
    reward: UnitReward = Field(default_factory=UnitReward)
    reward_selection: UnitSelection = UnitSelection.CHEAPEST
    application: ApplicationMode = ApplicationMode.PER_SET
    max_reward_units: Quantity | None = None

    @model_validator(mode="before")
    @classmethod
    def _upcast_seed_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        get_product_id = data.pop("get_product_id", None)
        if get_product_id is not None and "get_set" not in data:
            data["get_set"] = {"product_ids": [get_product_id]}
        percent = data.pop("get_discount_percent", None)
        if percent is not None and "reward" not in data:
            pct = Decimal(str(percent))
            data["reward"] = (
                {"kind": "free"} if pct >= 100 else {"kind": "percent_off", "value": pct}
            )
        return data


class ComboItem(ContractModel):
    """One product of a combo, with the quantity one combo needs and its embedded name/price."""

    product_id: UUID
    quantity: Quantity = 1
    product_name: Name | None = None
    unit_price: Money | None = None


class ComboRules(_Rules):
    """Type 4: the listed products together for ``combo_price``, once per complete set.

    Repeated for as many complete sets as the cart holds, up to ``max_combos_per_cart``.
    """

    type: Literal["combo"] = "combo"
    combo_price: Money
    items: list[ComboItem] = Field(min_length=1)
    max_combos_per_cart: Quantity | None = None

    @model_validator(mode="before")
    @classmethod
    def _upcast_seed_products(cls, data: Any) -> Any:
        if isinstance(data, dict) and "products" in data and "items" not in data:
            products = data["products"]
            data = {k: v for k, v in data.items() if k not in ("products", "all_required")}
            data["items"] = products
        return data


class FreeItemRules(_Rules):
    """Type 5: buy ``trigger_quantity`` of the trigger product (and/or reach ``min_purchase``),
    get ``free_quantity`` of ``free_product_id`` free.

    No trigger product means the purchase amount alone triggers it. When the free product is
    not in the cart, the result offers it as "add it free".
    """

    type: Literal["free_item"] = "free_item"
    trigger_product_id: UUID | None = None
    trigger_quantity: Quantity = 1
    min_purchase: Money = Decimal(0)
    free_product_id: UUID
    free_product_name: Name | None = None
    free_product_price: Money | None = None
    free_quantity: Quantity = 1
    application: ApplicationMode = ApplicationMode.ONCE_PER_ORDER

    @model_validator(mode="before")
    @classmethod
    def _upcast_seed_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and "trigger_min_qty" in data:
            data = dict(data)
            data.setdefault("trigger_quantity", data.pop("trigger_min_qty"))
        return data


class HappyHourRules(_Rules):
    """Type 6: inside ``time_start``..``time_end`` (store-local; may cross midnight), eligible
    units get exactly one of: ``discount_percent`` off, ``discount_amount`` off per unit, or the
    ``special_price`` per unit.
    """

    type: Literal["happy_hour"] = "happy_hour"
    time_start: time
    time_end: time
    days_of_week: list[Annotated[int, Field(ge=1, le=7)]] | None = None
    discount_percent: Percent | None = None
    discount_amount: PositiveMoney | None = None
    special_price: Money | None = None
    target: UnitTarget | None = None

    @model_validator(mode="after")
    def _exactly_one_benefit(self) -> HappyHourRules:
        given = [
            name
            for name in ("discount_percent", "discount_amount", "special_price")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "exactly one of discount_percent, discount_amount, special_price is required"
            )
        if self.time_start == self.time_end:
            raise ValueError("time_start and time_end must differ")
        return self


class CashbackRules(_Rules):
    """Type 7: a reward paid after the bill (points, wallet, voucher); reduces nothing on it.

    ``cashback_value`` is a percent of the eligible amount for ``percent`` (capped at
    ``cashback_max``) or money for ``amount``. ``payment_methods`` empty = any method.
    """

    type: Literal["cashback"] = "cashback"
    cashback_type: Literal["percent", "amount"]
    cashback_value: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
    cashback_max: PositiveMoney | None = None
    min_purchase: Money = Decimal(0)
    payment_methods: list[Code] = Field(default_factory=list)
    cashback_method: Literal["points", "wallet", "voucher"] = "points"

    @model_validator(mode="after")
    def _percent_in_range(self) -> CashbackRules:
        if self.cashback_type == "percent" and self.cashback_value > 100:
            raise ValueError("cashback_value must be at most 100 for a percent cashback")
        return self


class PaymentDiscountRules(_Rules):
    """Type 8: a discount when the bill is paid with one of ``payment_methods``.

    Applies only when the payment method is known; otherwise the result carries a hint.
    """

    type: Literal["payment_discount"] = "payment_discount"
    payment_methods: list[Code] = Field(min_length=1)
    discount_type: Literal["percent", "amount"]
    discount_value: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
    max_discount: PositiveMoney | None = None
    min_purchase: Money = Decimal(0)

    @model_validator(mode="after")
    def _percent_in_range(self) -> PaymentDiscountRules:
        if self.discount_type == "percent" and self.discount_value > 100:
            raise ValueError("discount_value must be at most 100 for a percent discount")
        return self


class PackageItem(ContractModel):
    """One slot of a set menu: a fixed product, or a choice from a category.

    For a category slot, the customer picks between ``min_selection`` and ``max_selection`` units.
    """

    item_type: Literal["product", "category"]
    product_id: UUID | None = None
    category_id: UUID | None = None
    quantity: Quantity = 1
    is_required: bool = True
    min_selection: Annotated[int, Field(ge=0)] = 1
    max_selection: Quantity = 1
    name: Name | None = None

    @model_validator(mode="after")
    def _reference_matches_type(self) -> PackageItem:
        if self.item_type == "product" and self.product_id is None:
            raise ValueError("product_id is required for a product item")
        if self.item_type == "category" and self.category_id is None:
            raise ValueError("category_id is required for a category item")
        if self.min_selection > self.max_selection:
            raise ValueError("min_selection must not exceed max_selection")
        return self


class PackageRules(_Rules):
    """Type 9: a set menu of required products and category choices at ``package_price``."""

    type: Literal["package"] = "package"
    package_name: Name
    package_price: Money
    items: list[PackageItem] = Field(min_length=1)
    allow_modification: bool = False
    max_packages_per_cart: Quantity | None = None


class MixMatchRules(_Rules):
    """Type 10: any ``required_quantity`` units from the set for ``special_price`` together.

    The seeds' single ``category_id`` is upcast into ``item_set``. ``allow_same_product = False``
    requires distinct products within one set.
    """

    type: Literal["mix_match"] = "mix_match"
    item_set: ItemSet
    required_quantity: Annotated[int, Field(ge=2, le=1000)]
    special_price: Money
    allow_same_product: bool = True
    max_sets_per_cart: Quantity | None = None

    @model_validator(mode="before")
    @classmethod
    def _upcast_seed_category(cls, data: Any) -> Any:
        if isinstance(data, dict) and "category_id" in data and "item_set" not in data:
            data = dict(data)
            category_id = data.pop("category_id")
            data["item_set"] = {"category_ids": [category_id] if category_id else []}
        return data


class UpsellRules(_Rules):
    """Type 11: with ``required_product_id`` in the cart, ``upsell_product_id`` costs
    ``special_price`` (per unit, up to ``max_quantity`` units per required set).

    Without the add-on in the cart, the result carries a hint with ``upsell_message``.
    """

    type: Literal["upsell"] = "upsell"
    required_product_id: UUID
    required_min_qty: Quantity = 1
    upsell_product_id: UUID
    upsell_product_name: Name | None = None
    upsell_product_price: Money | None = None
    special_price: Money
    max_quantity: Quantity = 1
    upsell_message: Annotated[str, Field(max_length=500)] | None = None


class TierBenefit(StrEnum):
    """What a threshold tier grants."""

    PERCENT = "percent"
    AMOUNT = "amount"
    FREE_PRODUCT = "free_product"
    POINTS_MULTIPLIER = "points_multiplier"


class Tier(ContractModel):
    """One threshold tier: reached at ``min_amount`` (or ``min_quantity``), granting a benefit.

    ``max_amount`` / ``max_quantity`` (optional, inclusive) make the tier a band: a cart above
    it does not reach this tier (e.g. "3 to 5 items 10%" with no tier above gives nothing at 6).
    """

    tier_name: Name
    min_amount: Money | None = None
    max_amount: Money | None = None
    min_quantity: Quantity | None = None
    max_quantity: Quantity | None = None
    discount_type: TierBenefit
    discount_value: Decimal = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=4)
    max_discount: PositiveMoney | None = None
    free_product_id: UUID | None = None
    free_product_name: Name | None = None
    free_product_price: Money | None = None
    free_quantity: Quantity = 1
    points_multiplier: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=4)] | None = None

    @model_validator(mode="after")
    def _benefit_is_complete(self) -> Tier:
        if self.discount_type is TierBenefit.FREE_PRODUCT and self.free_product_id is None:
            raise ValueError("free_product_id is required for a free_product tier")
        if self.discount_type is TierBenefit.POINTS_MULTIPLIER and self.points_multiplier is None:
            raise ValueError("points_multiplier is required for a points_multiplier tier")
        if self.discount_type in (TierBenefit.PERCENT, TierBenefit.AMOUNT) and not (
            self.discount_value > 0
        ):
            raise ValueError("discount_value must be positive for a percent or amount tier")
        if self.discount_type is TierBenefit.PERCENT and self.discount_value > 100:
            raise ValueError("discount_value must be at most 100 for a percent tier")
        return self


class ThresholdTierRules(_Rules):
    """Type 12: the highest tier the cart reaches applies (amount tiers or quantity tiers).

    ``basis = amount`` compares the eligible subtotal with ``min_amount``; ``quantity`` compares
    the number of eligible units with ``min_quantity``. Tiers must increase.
    """

    type: Literal["threshold_tier"] = "threshold_tier"
    basis: Literal["amount", "quantity"] = "amount"
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_increase(self) -> ThresholdTierRules:
        attr = "min_amount" if self.basis == "amount" else "min_quantity"
        values = [getattr(tier, attr) for tier in self.tiers]
        for index, value in enumerate(values):
            if value is None:
                raise ValueError(f"tiers[{index}].{attr} is required for basis {self.basis!r}")
        if any(b <= a for a, b in pairwise(values)):
            raise ValueError(f"tiers must be ordered by strictly increasing {attr}")
        return self


#: The type-specific rules of a compiled promotion, discriminated by ``type``.
PromotionRules = Annotated[
    PercentDiscountRules
    | AmountDiscountRules
    | BuyXGetYRules
    | ComboRules
    | FreeItemRules
    | HappyHourRules
    | CashbackRules
    | PaymentDiscountRules
    | PackageRules
    | MixMatchRules
    | UpsellRules
    | ThresholdTierRules,
    Field(discriminator="type"),
]


def upcast_rules(data: Any) -> Any:
    """Map the seeds' short rule ``type`` names (``percent``, ``amount``, ``bogo``) to the
    promotion type, before the discriminated union picks a model. Other input passes through."""
    if isinstance(data, dict) and data.get("type") in SEED_RULE_TYPE_ALIASES:
        return {**data, "type": SEED_RULE_TYPE_ALIASES[data["type"]]}
    return data
