"""Who and where a promotion is for: company, store, store brand, channel, member, tier, type.

The store's brand (context) must be targeted and not excluded; lines that name their brand are
checked again per line in :mod:`.scope`. ``member_tiers`` and ``customer_type`` compare
case-insensitively; a customer without a tier or type fails a promotion that requires one.
"""

from __future__ import annotations

from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.cart import Cart
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.model import TargetingRule

Failure = tuple[ReasonCode, str]


def check_targeting(rule: TargetingRule, cart: Cart, context: EngineContext) -> Failure | None:
    """None when the cart's store, channel and customer are targeted, else the first reason."""
    if rule.company_id != context.company_id.int or (
        rule.stores is not None and context.store_id.int not in rule.stores
    ):
        return ReasonCode.STORE_NOT_TARGETED, "not offered in this store"
    brand = None if context.brand_id is None else context.brand_id.int
    if brand is not None and (
        brand in rule.exclude_brands or (rule.brands is not None and brand not in rule.brands)
    ):
        return ReasonCode.BRAND_NOT_TARGETED, "not offered for this brand"
    channel = cart.channel
    if channel in rule.exclude_channels or (
        rule.channels is not None and channel not in rule.channels
    ):
        return ReasonCode.CHANNEL_NOT_TARGETED, f"not offered for {channel.replace('_', ' ')}"
    if rule.member_only and not cart.is_member:
        return ReasonCode.MEMBER_ONLY, "for members only"
    if rule.tiers and (cart.tier is None or cart.tier not in rule.tiers):
        return ReasonCode.TIER_NOT_ELIGIBLE, f"for {', '.join(sorted(rule.tiers))} members only"
    if rule.customer_type is not None and cart.customer_type != rule.customer_type:
        return ReasonCode.CUSTOMER_TYPE_NOT_ELIGIBLE, f"for {rule.customer_type} customers only"
    return None
