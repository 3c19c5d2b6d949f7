"""Pre-parsed promotions: frozen, slotted dataclasses the engine evaluates carts against.

Built once per snapshot by :mod:`.parse` from :class:`CompiledPromotion` documents. Money is in
minor units, percents in ``percent_micro`` (1/10,000 %), dates as :class:`date`, codes folded
for case-insensitive matching, category sets expanded with their descendants. Product,
category, brand, store and company ids are kept as ``UUID.int`` (hashing and comparing a
Python int is done in C, a ``UUID``'s is not); ``UUID(int=...)`` turns them back for output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from promoflow_contracts.base import PromotionType, Stage
from promoflow_contracts.promotion import CompiledPromotion  # at run time: mypyc needs it
from promoflow_contracts.results import ReasonCode
from promoflow_contracts.rules import RewardKind, UnitSelection
from promoflow_evaluator.engine.calendar import Window, weekday_names
from promoflow_evaluator.engine.outcome import Miss

STAGE_ORDER: dict[Stage, int] = {Stage.ITEM_LEVEL: 0, Stage.CART_LEVEL: 1, Stage.PAYMENT_LEVEL: 2}


@dataclass(frozen=True, slots=True)
class ItemMatcher:
    """Products and categories (with descendants) a set of cart units is drawn from."""

    product_ids: frozenset[int]
    category_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """Lines a promotion looks at: all or the listed products/categories, minus exclusions."""

    applies_to_all: bool
    items: ItemMatcher
    exclude_products: frozenset[int]
    exclude_categories: frozenset[int]


_DAY_MICROS = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Timing:
    """The part of a validity rule that does not depend on its dates: daily window, ISO
    weekdays, holiday exclusion (interned: screening judges each one once per cart)."""

    window: Window | None
    days: frozenset[int] | None
    exclude_holidays: bool
    company_holidays: frozenset[date]
    #: the wrong-day miss (``"valid on Saturday, Sunday only"``), made once and shared by
    #: every cart (a :class:`Miss` is never changed once made)
    wrong_day: Miss = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        text = "" if self.days is None else f"valid on {weekday_names(self.days)} only"
        object.__setattr__(self, "wrong_day", Miss(ReasonCode.WRONG_DAY, text))


@dataclass(frozen=True, slots=True)
class ValidityRule:
    """Date range (inclusive), optional daily window, ISO weekdays, holiday exclusion."""

    start: date
    end: date
    window: Window | None
    days: frozenset[int] | None
    exclude_holidays: bool
    company_holidays: frozenset[date]
    timing: Timing
    #: the "starts on" / "ended on" misses (formatted once per rule; a :class:`Miss` is never
    #: changed once made, so every cart shares them)
    not_started: Miss = field(init=False, compare=False, repr=False)
    expired: Miss = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        not_started = Miss(ReasonCode.NOT_STARTED, f"starts on {self.start.isoformat()}")
        object.__setattr__(self, "not_started", not_started)
        object.__setattr__(
            self, "expired", Miss(ReasonCode.EXPIRED, f"ended on {self.end.isoformat()}")
        )


@dataclass(frozen=True, slots=True)
class TargetingRule:
    """Company, stores, brands, channels and customers; ``None`` sets mean "all"."""

    company_id: int
    stores: frozenset[int] | None
    brands: frozenset[int] | None
    exclude_brands: frozenset[int]
    channels: frozenset[str] | None
    exclude_channels: frozenset[str]
    member_only: bool
    tiers: frozenset[str]
    customer_type: str | None
    #: the tier and customer-type misses (formatted once per rule, shared by every cart)
    tier_miss: Miss = field(init=False, compare=False, repr=False)
    customer_type_miss: Miss = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        tiers = ", ".join(sorted(self.tiers))
        tier_miss = Miss(ReasonCode.TIER_NOT_ELIGIBLE, f"for {tiers} members only")
        object.__setattr__(self, "tier_miss", tier_miss)
        kind = Miss(
            ReasonCode.CUSTOMER_TYPE_NOT_ELIGIBLE, f"for {self.customer_type} customers only"
        )
        object.__setattr__(self, "customer_type_miss", kind)


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """Cross-line condition: at least ``min_quantity`` units / ``min_amount`` minor of items."""

    items: ItemMatcher
    min_quantity: int | None
    min_amount: int | None
    label: str


@dataclass(frozen=True, slots=True)
class CrossBrandRule:
    """Buying ``trigger_min`` (minor, before discounts) from trigger brands unlocks the benefit
    on lines of the benefit brands."""

    trigger_brands: frozenset[int]
    trigger_min: int
    benefit_brands: frozenset[int]


@dataclass(frozen=True, slots=True)
class UnitTargetRule:
    """Per-unit application: which eligible units, at most how many per line and per cart."""

    selection: UnitSelection
    max_per_line: int | None
    max_per_cart: int | None


# --------------------------------------------------------------------------- type rules


@dataclass(frozen=True, slots=True)
class PercentRule:
    """Type 1 parsed: ``percent`` (percent_micro) off, ``cap``/``min_purchase`` in minor units."""

    percent: int
    cap: int | None
    min_purchase: int
    on_cart_subtotal: bool
    target: UnitTargetRule | None


@dataclass(frozen=True, slots=True)
class AmountRule:
    """Type 2 parsed: ``amount`` (minor) once per cart or per unit (``per_unit``)."""

    amount: int
    min_purchase: int
    on_cart_subtotal: bool
    per_unit: bool
    target: UnitTargetRule | None


@dataclass(frozen=True, slots=True)
class BuyGetRule:
    """Type 3 parsed: buy/get quantities and item sets (None = scope), reward kind and value
    (percent_micro or minor), caps."""

    buy_quantity: int
    get_quantity: int
    buy_items: ItemMatcher | None
    buy_min_amount: int
    get_items: ItemMatcher | None
    same_product: bool
    reward: RewardKind
    reward_value: int
    cheapest_first: bool
    max_sets: int | None
    max_reward_units: int | None
    #: one pool of units (``same_product`` or equal buy and get sets)
    pooled: bool
    #: the embedded names of the buy and get sets (None = the scope's items), "" when the
    #: promotion names none of them (the cart's names are used then)
    buy_label: str
    get_label: str
    #: screening's "cannot form one set" misses by (currency, digits, counts, buy and get
    #: labels): see
    #: :func:`..types.buy_get.buy_get_shortfall` (not part of the rule's value)
    misses: dict[tuple[str, int, int, int, str, str], Miss] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class ComboRule:
    """Type 4 parsed: ``price`` (minor) for ``items`` = ((product key, quantity), ...)."""

    price: int
    items: tuple[tuple[int, int], ...]
    max_sets: int | None
    #: screening's "cannot form one set" misses by (currency, digits, units per item, names of
    #: the missing items): see :func:`..types.sets.combo_shortfall` (not part of the value)
    misses: dict[tuple[str, int, tuple[int, ...], tuple[str, ...]], Miss] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class FreeItemRule:
    """Type 5 parsed: trigger product key and quantity, minimum purchase, free product key, quantity
    and embedded name/price."""

    trigger_product: int | None
    trigger_quantity: int
    min_purchase: int
    free_product: int
    free_name: str | None
    free_price: int | None
    free_quantity: int
    max_sets: int | None


@dataclass(frozen=True, slots=True)
class HappyHourRule:
    """Type 6 parsed: window, weekdays and exactly one of percent (micro), amount or special price
    (minor)."""

    window: Window
    days: frozenset[int] | None
    percent: int | None
    amount: int | None
    special_price: int | None
    target: UnitTargetRule | None
    #: equal for rules with the same window and weekdays (their verdict for a cart is the
    #: same: screening memoises it by this int, hashing ``time`` objects is not compiled code)
    time_key: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        mask = 1 << 8 if self.days is None else sum(1 << d for d in self.days)
        key = (self.window.start_us * _DAY_MICROS + self.window.end_us) * 512 + mask
        object.__setattr__(self, "time_key", key)


@dataclass(frozen=True, slots=True)
class CashbackRule:
    """Type 7 parsed: percent (micro) or amount (minor), cap, minimum, folded payment methods,
    reward method."""

    is_percent: bool
    value: int
    cap: int | None
    min_purchase: int
    methods: frozenset[str]
    methods_display: tuple[str, ...]
    #: ``methods_display`` joined by " or " (the reasons and hints name them), made once
    methods_text: str = field(init=False, compare=False, repr=False)
    method: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods_text", " or ".join(self.methods_display))


@dataclass(frozen=True, slots=True)
class PaymentRule:
    """Type 8 parsed: folded payment methods (and as written), percent (micro) or amount (minor),
    cap, minimum."""

    methods: frozenset[str]
    methods_display: tuple[str, ...]
    #: ``methods_display`` joined by " or " (the reasons and hints name them), made once
    methods_text: str = field(init=False, compare=False, repr=False)
    is_percent: bool
    value: int
    cap: int | None
    min_purchase: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods_text", " or ".join(self.methods_display))


@dataclass(frozen=True, slots=True)
class PackageSlot:
    """One package slot: a product key or a category matcher, ``minimum``..``maximum`` units."""

    product_id: int | None
    category: ItemMatcher | None
    minimum: int
    maximum: int
    label: str


@dataclass(frozen=True, slots=True)
class PackageRule:
    """Type 9 parsed: name, ``price`` (minor), slots (products first), modification flag, cap on
    sets."""

    name: str
    price: int
    slots: tuple[PackageSlot, ...]
    allow_modification: bool
    max_sets: int | None
    #: screening's "cannot form one set" misses by (currency, digits, units per slot): see
    #: :func:`..types.sets.package_shortfall` (not part of the rule's value)
    misses: dict[tuple[str, int, tuple[int, ...]], Miss] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class MixMatchRule:
    """Type 10 parsed: item matcher (None = scope), set size, set ``price`` (minor), distinct-
    products flag, cap."""

    items: ItemMatcher | None
    quantity: int
    price: int
    allow_same_product: bool
    max_sets: int | None
    label: str
    #: screening's "cannot form one set" misses by (currency, digits, units or products in the
    #: cart): see :func:`..types.sets.mix_match_shortfall` (not part of the rule's value)
    misses: dict[tuple[str, int, int], Miss] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class UpsellRule:
    """Type 11 parsed: required product key and quantity, add-on key, ``price`` (minor) per add-on
    unit, cap, message."""

    required_product: int
    required_quantity: int
    upsell_product: int
    upsell_name: str | None
    upsell_price: int | None
    price: int
    max_quantity: int
    message: str | None


@dataclass(frozen=True, slots=True)
class TierSpec:
    """One threshold tier: ``minimum``/``maximum`` (minor or units), benefit kind and value, cap,
    free product, multiplier."""

    name: str
    minimum: int
    maximum: int | None
    benefit: str
    value: int
    cap: int | None
    free_product: int | None
    free_name: str | None
    free_price: int | None
    free_quantity: int
    multiplier: str | None


@dataclass(frozen=True, slots=True)
class TierRule:
    """Type 12 parsed: tiers in increasing order, by amount or by quantity."""

    by_quantity: bool
    tiers: tuple[TierSpec, ...]


TypeRule = (
    PercentRule
    | AmountRule
    | BuyGetRule
    | ComboRule
    | FreeItemRule
    | HappyHourRule
    | CashbackRule
    | PaymentRule
    | PackageRule
    | MixMatchRule
    | UpsellRule
    | TierRule
)


#: every promotion type in a fixed order (:attr:`Promo.type_index` indexes it)
TYPE_ORDER: tuple[PromotionType, ...] = tuple(PromotionType)


@dataclass(frozen=True, slots=True, eq=False)
class Promo:
    """One promotion, pre-parsed. ``rank`` orders evaluation: stage, then higher priority, then
    code, then id (DESIGN.md). ``names`` maps embedded product/category ids to names."""

    rank: int
    id: UUID
    code: str
    #: ``code`` folded (a cashier selects a manual promotion by its code, any case)
    code_key: str
    name: str
    promo_type: PromotionType
    stage: Stage
    priority: int
    version: int
    currency: str
    is_active: bool
    is_bundle: bool
    auto_apply: bool
    require_voucher: bool
    voucher_keys: frozenset[str]
    stackable: bool
    original_amounts: bool
    validity: ValidityRule
    targeting: TargetingRule
    scope: ScopeRule
    rule: TypeRule
    conditions: tuple[ConditionRule, ...]
    cross_brand: CrossBrandRule | None
    total_exhausted: bool
    exhausted_days: frozenset[tuple[date, int | None]]
    campaign_id: UUID | None
    names: dict[int, str]
    source: CompiledPromotion
    #: ``validity.start``/``validity.end`` as ordinals (the index's date filter)
    start_day: int
    end_day: int
    #: what the result document writes for ``id``, ``promo_type`` and ``stage`` (computed once)
    id_text: str
    type_text: str
    stage_text: str
    #: position of ``promo_type`` in :data:`TYPE_ORDER` (screening picks the type's checks by
    #: index: hashing an Enum member as a dict key runs Python code)
    type_index: int
    #: equal for promotions whose scope, targeting and cross-brand rules are the same interned
    #: objects (their eligible lines in a cart are the same; screening memoises them by it)
    eligible_key: int
    #: ``campaign_id.int`` (budgets are looked up by it: ``UUID.__hash__`` is Python code)
    campaign_key: int | None
