"""Turn :class:`CompiledPromotion` documents into pre-parsed :class:`~.model.Promo` objects.

Amounts become minor units of the promotion's own currency (half-up if a document is finer
than the minor unit), percents become ``percent_micro``, codes and payment methods are folded
for case-insensitive matching, and category sets are expanded with their descendants: a
``CategoryRef`` carries ``descendant_ids`` but a rule's ``ItemSet`` only names ids, so
:func:`descendant_map` gathers every ``CategoryRef`` of the snapshot and :func:`parse_promotion`
expands item sets with it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from promoflow_contracts.base import BUNDLE_TYPES, MINOR_UNIT_DIGITS
from promoflow_contracts.promotion import (
    CategoryRef,
    CompiledPromotion,
    Compounding,
    ScopeKind,
)
from promoflow_contracts.rules import (
    AmountDiscountRules,
    ApplicationMode,
    BuyXGetYRules,
    CashbackRules,
    ComboRules,
    FreeItemRules,
    HappyHourRules,
    ItemSet,
    MinPurchaseBasis,
    MixMatchRules,
    PackageRules,
    PaymentDiscountRules,
    PercentDiscountRules,
    PromotionRules,
    RewardKind,
    ThresholdTierRules,
    UnitSelection,
    UnitTarget,
    UpsellRules,
)
from promoflow_evaluator.engine.calendar import Window
from promoflow_evaluator.engine.explain import embedded_label
from promoflow_evaluator.engine.model import (
    STAGE_ORDER,
    TYPE_ORDER,
    AmountRule,
    BuyGetRule,
    CashbackRule,
    ComboRule,
    ConditionRule,
    CrossBrandRule,
    FreeItemRule,
    HappyHourRule,
    ItemMatcher,
    MixMatchRule,
    PackageRule,
    PackageSlot,
    PaymentRule,
    PercentRule,
    Promo,
    ScopeRule,
    TargetingRule,
    TierRule,
    TierSpec,
    Timing,
    TypeRule,
    UnitTargetRule,
    UpsellRule,
    ValidityRule,
)
from promoflow_evaluator.engine.money import percent_micro, to_minor_half_up

Descendants = dict[int, frozenset[int]]


def descendant_map(promotions: Iterable[CompiledPromotion]) -> Descendants:
    """Every category id named in a ``CategoryRef`` of the snapshot, with its descendants."""
    found: dict[int, set[int]] = {}
    for promo in promotions:
        scope = promo.scope
        for ref in (*scope.categories, *scope.exclude_categories):
            found.setdefault(ref.id.int, set()).update(d.int for d in ref.descendant_ids)
    return {cid: frozenset(ids) for cid, ids in found.items()}


def sort_key(promo: CompiledPromotion) -> tuple[int, int, str, str]:
    """Evaluation order: stage, higher ``execution_priority`` first, code, id (DESIGN.md)."""
    return (
        STAGE_ORDER[promo.execution_stage],
        -promo.execution_priority,
        promo.code,
        str(promo.id),
    )


def _key(value: UUID | None) -> int | None:
    return None if value is None else value.int


class _Parser:
    def __init__(
        self, promo: CompiledPromotion, descendants: Descendants, named: set[int] | None = None
    ) -> None:
        self.promo = promo
        self.descendants = descendants
        self.digits = MINOR_UNIT_DIGITS[promo.currency]
        #: category ids whose descendants the parse looked up (the index re-parses the
        #: promotion when one of them changes)
        self.named: set[int] = set() if named is None else named

    def money(self, value: Decimal | None) -> int | None:
        return None if value is None else to_minor_half_up(value, self.digits)

    def money0(self, value: Decimal) -> int:
        return to_minor_half_up(value, self.digits)

    def categories(self, ids: Iterable[UUID]) -> frozenset[int]:
        out: set[int] = set()
        for cid in ids:
            out.add(cid.int)
            self.named.add(cid.int)
            out.update(self.descendants.get(cid.int, ()))
        return frozenset(out)

    def refs(self, refs: Iterable[CategoryRef]) -> frozenset[int]:
        out: set[int] = set()
        for ref in refs:
            out.add(ref.id.int)
            out.update(d.int for d in ref.descendant_ids)
            self.named.add(ref.id.int)
            out.update(self.descendants.get(ref.id.int, ()))
        return frozenset(out)

    def item_set(self, items: ItemSet) -> ItemMatcher | None:
        if items.is_empty:
            return None
        return ItemMatcher(
            frozenset(p.int for p in items.product_ids), self.categories(items.category_ids)
        )

    def target(self, target: UnitTarget | None) -> UnitTargetRule | None:
        if target is None:
            return None
        return UnitTargetRule(
            target.selection, target.max_units_per_line, target.max_units_per_cart
        )

    # ------------------------------------------------------------------ sections

    def scope(self) -> ScopeRule:
        scope = self.promo.scope
        if scope.apply_to is ScopeKind.PRODUCTS:
            items = ItemMatcher(frozenset(p.id.int for p in scope.products), frozenset())
        elif scope.apply_to is ScopeKind.CATEGORIES:
            items = ItemMatcher(frozenset(), self.refs(scope.categories))
        else:
            items = ItemMatcher(frozenset(), frozenset())
        return ScopeRule(
            applies_to_all=scope.apply_to is ScopeKind.ALL,
            items=items,
            exclude_products=frozenset(p.id.int for p in scope.exclude_products),
            exclude_categories=self.refs(scope.exclude_categories),
        )

    def validity(self, shared: dict[object, object]) -> ValidityRule:
        v = self.promo.validity
        window = None
        if v.time_start is not None and v.time_end is not None:
            window = Window(v.time_start.replace(tzinfo=None), v.time_end.replace(tzinfo=None))
        days = frozenset(v.days_of_week) if v.days_of_week is not None else None
        company_holidays = frozenset(v.company_holidays)
        return ValidityRule(
            start=v.start_date,
            end=v.end_date,
            window=window,
            days=days,
            exclude_holidays=v.exclude_holidays,
            company_holidays=company_holidays,
            timing=_intern(shared, Timing(window, days, v.exclude_holidays, company_holidays)),
        )

    def targeting(self) -> TargetingRule:
        t = self.promo.targeting
        customer_type = t.customer_type.casefold()
        return TargetingRule(
            company_id=t.company_id.int,
            stores=None if t.stores == "all" else frozenset(s.int for s in t.stores),
            brands=None if t.brands == "all" else frozenset(b.int for b in t.brands),
            exclude_brands=frozenset(b.int for b in t.exclude_brands),
            channels=None if t.sales_channels is None else frozenset(t.sales_channels),
            exclude_channels=frozenset(t.exclude_channels),
            member_only=t.member_only,
            tiers=frozenset(tier.casefold() for tier in t.member_tiers),
            customer_type=None if customer_type == "all" else customer_type,
        )

    def names(self) -> dict[int, str]:
        scope = self.promo.scope
        names: dict[int, str] = {}
        for cat in (*scope.categories, *scope.exclude_categories):
            names[cat.id.int] = cat.name
        for prod in (*scope.products, *scope.exclude_products):
            names[prod.id.int] = prod.name
        rules = self.promo.rules
        if isinstance(rules, ComboRules):
            for item in rules.items:
                if item.product_name:
                    names[item.product_id.int] = item.product_name
        elif isinstance(rules, FreeItemRules) and rules.free_product_name:
            names[rules.free_product_id.int] = rules.free_product_name
        elif isinstance(rules, UpsellRules) and rules.upsell_product_name:
            names[rules.upsell_product_id.int] = rules.upsell_product_name
        elif isinstance(rules, PackageRules):
            for slot in rules.items:
                ref = slot.product_id or slot.category_id
                if ref is not None and slot.name:
                    names[ref.int] = slot.name
        elif isinstance(rules, ThresholdTierRules):
            for tier in rules.tiers:
                if tier.free_product_id is not None and tier.free_product_name:
                    names[tier.free_product_id.int] = tier.free_product_name
        return names

    def label(self, items: ItemMatcher | None, names: dict[int, str]) -> str:
        """A readable name for a set of items ("Pastries", "Latte or Croissant", "items")."""
        if items is None:
            if self.promo.scope.apply_to is ScopeKind.CATEGORIES:
                return " or ".join(c.name for c in self.promo.scope.categories)
            if self.promo.scope.apply_to is ScopeKind.PRODUCTS:
                return " or ".join(p.name for p in self.promo.scope.products)
            return "items"
        labels = [names[i] for i in sorted(items.product_ids) if i in names]
        labels += [names[i] for i in sorted(items.category_ids) if i in names]
        return " or ".join(labels) if labels else "items"

    # ------------------------------------------------------------------ rules

    def rule(self, rules: PromotionRules, names: dict[int, str]) -> TypeRule:
        if isinstance(rules, PercentDiscountRules):
            return PercentRule(
                percent=percent_micro(rules.discount_percent),
                cap=self.money(rules.max_discount_amount),
                min_purchase=self.money0(rules.min_purchase),
                on_cart_subtotal=rules.min_purchase_basis is MinPurchaseBasis.CART_SUBTOTAL,
                target=self.target(rules.target),
            )
        if isinstance(rules, AmountDiscountRules):
            return AmountRule(
                amount=self.money0(rules.discount_amount),
                min_purchase=self.money0(rules.min_purchase),
                on_cart_subtotal=rules.min_purchase_basis is MinPurchaseBasis.CART_SUBTOTAL,
                per_unit=rules.apply_per == "unit",
                target=self.target(rules.target),
            )
        if isinstance(rules, BuyXGetYRules):
            return self.buy_get(rules, names)
        if isinstance(rules, ComboRules):
            quantities: dict[int, int] = {}
            for item in rules.items:
                key = item.product_id.int
                quantities[key] = quantities.get(key, 0) + item.quantity
            return ComboRule(
                price=self.money0(rules.combo_price),
                items=tuple(quantities.items()),
                max_sets=rules.max_combos_per_cart,
            )
        if isinstance(rules, FreeItemRules):
            once = rules.application is ApplicationMode.ONCE_PER_ORDER
            return FreeItemRule(
                trigger_product=_key(rules.trigger_product_id),
                trigger_quantity=rules.trigger_quantity,
                min_purchase=self.money0(rules.min_purchase),
                free_product=rules.free_product_id.int,
                free_name=rules.free_product_name,
                free_price=self.money(rules.free_product_price),
                free_quantity=rules.free_quantity,
                max_sets=1 if once or rules.trigger_product_id is None else None,
            )
        if isinstance(rules, HappyHourRules):
            return HappyHourRule(
                window=Window(
                    rules.time_start.replace(tzinfo=None), rules.time_end.replace(tzinfo=None)
                ),
                days=frozenset(rules.days_of_week) if rules.days_of_week is not None else None,
                percent=None
                if rules.discount_percent is None
                else percent_micro(rules.discount_percent),
                amount=self.money(rules.discount_amount),
                special_price=self.money(rules.special_price),
                target=self.target(rules.target),
            )
        if isinstance(rules, CashbackRules):
            is_percent = rules.cashback_type == "percent"
            return CashbackRule(
                is_percent=is_percent,
                value=percent_micro(rules.cashback_value)
                if is_percent
                else self.money0(rules.cashback_value),
                cap=self.money(rules.cashback_max),
                min_purchase=self.money0(rules.min_purchase),
                methods=frozenset(m.casefold() for m in rules.payment_methods),
                methods_display=tuple(rules.payment_methods),
                method=rules.cashback_method,
            )
        if isinstance(rules, PaymentDiscountRules):
            is_percent = rules.discount_type == "percent"
            return PaymentRule(
                methods=frozenset(m.casefold() for m in rules.payment_methods),
                methods_display=tuple(rules.payment_methods),
                is_percent=is_percent,
                value=percent_micro(rules.discount_value)
                if is_percent
                else self.money0(rules.discount_value),
                cap=self.money(rules.max_discount),
                min_purchase=self.money0(rules.min_purchase),
            )
        if isinstance(rules, PackageRules):
            return self.package(rules, names)
        if isinstance(rules, MixMatchRules):
            items = self.item_set(rules.item_set)
            return MixMatchRule(
                items=items,
                quantity=rules.required_quantity,
                price=self.money0(rules.special_price),
                allow_same_product=rules.allow_same_product,
                max_sets=rules.max_sets_per_cart,
                label=self.label(items, names),
            )
        if isinstance(rules, UpsellRules):
            return UpsellRule(
                required_product=rules.required_product_id.int,
                required_quantity=rules.required_min_qty,
                upsell_product=rules.upsell_product_id.int,
                upsell_name=rules.upsell_product_name,
                upsell_price=self.money(rules.upsell_product_price),
                price=self.money0(rules.special_price),
                max_quantity=rules.max_quantity,
                message=rules.upsell_message,
            )
        return self.tiers(rules)

    def buy_get(self, rules: BuyXGetYRules, names: dict[int, str]) -> BuyGetRule:
        max_sets: int | None = None
        if rules.application is ApplicationMode.ONCE_PER_ORDER:
            max_sets = 1
        if rules.max_reward_units is not None:
            by_units = -(-rules.max_reward_units // rules.get_quantity)
            max_sets = by_units if max_sets is None else min(max_sets, by_units)
        reward_value = 0
        if rules.reward.kind is RewardKind.PERCENT_OFF and rules.reward.value is not None:
            reward_value = percent_micro(rules.reward.value)
        elif rules.reward.value is not None and rules.reward.kind is not RewardKind.FREE:
            reward_value = self.money0(rules.reward.value)
        buy_items = self.item_set(rules.buy_set)
        get_items = self.item_set(rules.get_set)
        scope_items = self.scope().items

        def label(items: ItemMatcher | None) -> str:
            items = scope_items if items is None else items
            return embedded_label(names, items.product_ids, items.category_ids)

        return BuyGetRule(
            buy_quantity=rules.buy_quantity,
            get_quantity=rules.get_quantity,
            buy_items=buy_items,
            buy_min_amount=self.money0(rules.buy_min_amount or Decimal(0)),
            get_items=get_items,
            same_product=rules.same_product_only,
            reward=rules.reward.kind,
            reward_value=reward_value,
            cheapest_first=rules.reward_selection is not UnitSelection.MOST_EXPENSIVE,
            max_sets=max_sets,
            max_reward_units=rules.max_reward_units,
            pooled=rules.same_product_only or buy_items == get_items,
            buy_label=label(buy_items),
            get_label=label(get_items),
        )

    def package(self, rules: PackageRules, names: dict[int, str]) -> PackageRule:
        slots: list[PackageSlot] = []
        for item in rules.items:
            if item.item_type == "product" and item.product_id is not None:
                minimum = item.quantity if item.is_required else 0
                key = item.product_id.int
                label = item.name or names.get(key, "item")
                slots.append(PackageSlot(key, None, minimum, item.quantity, label))
            elif item.category_id is not None:
                minimum = item.min_selection if item.is_required else 0
                matcher = ItemMatcher(frozenset(), self.categories([item.category_id]))
                label = item.name or names.get(item.category_id.int, "item")
                slots.append(PackageSlot(None, matcher, minimum, item.max_selection, label))
        # Fixed products first, so a category choice never takes the unit a product slot needs.
        slots.sort(key=lambda s: s.product_id is None)
        return PackageRule(
            name=rules.package_name,
            price=self.money0(rules.package_price),
            slots=tuple(slots),
            allow_modification=rules.allow_modification,
            max_sets=rules.max_packages_per_cart,
        )

    def tiers(self, rules: ThresholdTierRules) -> TierRule:
        by_quantity = rules.basis == "quantity"
        specs: list[TierSpec] = []
        for tier in rules.tiers:
            if by_quantity:
                minimum, maximum = tier.min_quantity or 0, tier.max_quantity
            else:
                minimum, maximum = (
                    self.money0(tier.min_amount or Decimal(0)),
                    self.money(tier.max_amount),
                )
            benefit = tier.discount_type.value
            if benefit == "percent":
                value = percent_micro(tier.discount_value)
            elif benefit == "amount":
                value = self.money0(tier.discount_value)
            else:
                value = 0
            specs.append(
                TierSpec(
                    name=tier.tier_name,
                    minimum=minimum,
                    maximum=maximum,
                    benefit=benefit,
                    value=value,
                    cap=self.money(tier.max_discount),
                    free_product=_key(tier.free_product_id),
                    free_name=tier.free_product_name,
                    free_price=self.money(tier.free_product_price),
                    free_quantity=tier.free_quantity,
                    multiplier=None
                    if tier.points_multiplier is None
                    else str(tier.points_multiplier),
                )
            )
        return TierRule(by_quantity=by_quantity, tiers=tuple(specs))

    def conditions(self) -> tuple[ConditionRule, ...]:
        out: list[ConditionRule] = []
        names = self.names()
        for cond in self.promo.conditions:
            matcher = self.item_set(cond.items)
            assert matcher is not None  # the contract rejects empty condition item sets
            out.append(
                ConditionRule(
                    items=matcher,
                    min_quantity=cond.min_quantity,
                    min_amount=self.money(cond.min_amount),
                    label=self.label(matcher, names),
                )
            )
        return tuple(out)

    def cross_brand(self) -> CrossBrandRule | None:
        cb = self.promo.cross_brand
        if cb is None or not cb.enabled:
            return None
        return CrossBrandRule(
            trigger_brands=frozenset(b.int for b in cb.trigger_brands),
            trigger_min=self.money0(cb.trigger_min_amount),
            benefit_brands=frozenset(b.int for b in cb.benefit_brands),
        )


_T = TypeVar("_T")
_ELIGIBLE_KEYS = itertools.count()


def _intern(shared: dict[object, object], value: _T) -> _T:
    """The one instance equal to ``value`` (validity and targeting are often shared, and
    screening remembers their verdict per cart by identity)."""
    return shared.setdefault(value, value)  # type: ignore[return-value]


def parse_promotion(
    promo: CompiledPromotion,
    rank: int,
    descendants: Descendants,
    shared: dict[object, object] | None = None,
    named: set[int] | None = None,
) -> Promo:
    """One compiled promotion as a :class:`Promo` evaluated in position ``rank`` (any integer;
    smaller first); ``shared`` interns equal validity and targeting rules across the snapshot;
    ``named`` (if given) receives the category ids whose descendants were looked up."""
    shared = {} if shared is None else shared
    p = _Parser(promo, descendants, named)
    names = p.names()
    scope = _intern(shared, p.scope())
    targeting = _intern(shared, p.targeting())
    cross_brand = _intern(shared, p.cross_brand())
    # A number unique to the (interned) triple: a fresh one from the global counter the first
    # time the triple is seen in ``shared``, so two different triples never share one.
    eligible_key: int = shared.setdefault(  # type: ignore[assignment]
        ("eligible lines", scope, targeting, cross_brand), next(_ELIGIBLE_KEYS)
    )
    return Promo(
        rank=rank,
        id=promo.id,
        code=promo.code,
        code_key=promo.code.casefold(),
        name=promo.name,
        promo_type=promo.promo_type,
        stage=promo.execution_stage,
        priority=promo.execution_priority,
        version=promo.version,
        currency=promo.currency,
        is_active=promo.is_active,
        is_bundle=promo.promo_type in BUNDLE_TYPES,
        auto_apply=promo.is_auto_apply,
        require_voucher=promo.require_voucher,
        voucher_keys=frozenset(code.casefold() for code in promo.voucher_codes),
        stackable=promo.is_stackable,
        original_amounts=promo.compounding is Compounding.ORIGINAL,
        validity=_intern(shared, p.validity(shared)),
        targeting=targeting,
        scope=scope,
        rule=p.rule(promo.rules, names),
        conditions=p.conditions(),
        cross_brand=cross_brand,
        total_exhausted=promo.limit_state.total_exhausted,
        exhausted_days=frozenset(
            (day.business_date, _key(day.store_id)) for day in promo.limit_state.exhausted_days
        ),
        campaign_id=promo.campaign.campaign_id if promo.campaign is not None else None,
        names=names,
        source=promo,
        start_day=promo.validity.start_date.toordinal(),
        end_day=promo.validity.end_date.toordinal(),
        id_text=str(promo.id),
        type_text=promo.promo_type.value,
        stage_text=promo.execution_stage.value,
        type_index=TYPE_ORDER.index(promo.promo_type),
        eligible_key=eligible_key,
        campaign_key=promo.campaign.campaign_id.int if promo.campaign is not None else None,
    )
