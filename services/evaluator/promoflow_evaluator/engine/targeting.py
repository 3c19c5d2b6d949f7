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
from promoflow_evaluator.engine.outcome import Miss

Failure = tuple[ReasonCode, str]

_STORE = Miss(ReasonCode.STORE_NOT_TARGETED, "not offered in this store")
_BRAND = Miss(ReasonCode.BRAND_NOT_TARGETED, "not offered for this brand")
_MEMBER = Miss(ReasonCode.MEMBER_ONLY, "for members only")
#: channel misses by channel (a handful of sales channels; bounded all the same)
_CHANNEL: dict[str, Miss] = {}


def check_targeting(rule: TargetingRule, cart: Cart, context: EngineContext) -> Failure | None:
    """None when the cart's store, channel and customer are targeted, else the first reason."""
    miss = targeting_miss(rule, cart, context)
    return None if miss is None else (miss.code, miss.reason)


def targeting_miss(rule: TargetingRule, cart: Cart, context: EngineContext) -> Miss | None:
    """:func:`check_targeting` as a :class:`Miss` (shared ones: a Miss is never changed once
    made, and these texts depend on the rule or the channel only)."""
    if rule.company_id != context.company_id.int or (
        rule.stores is not None and context.store_id.int not in rule.stores
    ):
        return _STORE
    brand = None if context.brand_id is None else context.brand_id.int
    if brand is not None and (
        brand in rule.exclude_brands or (rule.brands is not None and brand not in rule.brands)
    ):
        return _BRAND
    channel = cart.channel
    if channel in rule.exclude_channels or (
        rule.channels is not None and channel not in rule.channels
    ):
        miss = _CHANNEL.get(channel)
        if miss is None:
            if len(_CHANNEL) >= 64:
                _CHANNEL.clear()
            text = f"not offered for {channel.replace('_', ' ')}"
            miss = _CHANNEL[channel] = Miss(ReasonCode.CHANNEL_NOT_TARGETED, text)
        return miss
    if rule.member_only and not cart.is_member:
        return _MEMBER
    if rule.tiers and (cart.tier is None or cart.tier not in rule.tiers):
        return rule.tier_miss
    if rule.customer_type is not None and cart.customer_type != rule.customer_type:
        return rule.customer_type_miss
    return None
