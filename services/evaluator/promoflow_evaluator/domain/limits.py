"""Usage allowances the engine needs, from what the store knows.

The engine decides with *remaining* allowances (``EngineContext.remaining_*``); this module
computes them from each promotion's ``limits``/``campaign`` and the store's counts:

* total (``max_uses``): ``max_uses - limits.current_uses - pending``, where ``current_uses`` is
  HO's count when the document was compiled and ``pending`` counts this store's redemptions HO
  could not have counted then (not yet relayed, or relayed after ``compiled_at``). Other
  stores' uses since then are HO's to enforce: the collector marks the promotion exhausted
  and the compiler republishes it with ``limit_state.total_exhausted`` (checked by the engine).
* daily (``max_uses_per_day``): ``max_uses_per_day`` - this store's redemptions on the
  store-local business date. HO's ``limit_state.exhausted_days`` covers the other stores.
* per customer (``max_uses_per_customer``): ``max - uses`` with ``uses`` from HO's usage API
  when it answers in time (plus this store's redemptions not yet relayed), else this store's
  own count, and the redemption is then flagged ``verified = False``.
* campaign budget (``budget_redemptions``/``budget_amount``): the budget minus this store's
  redemptions (count, and discount + reward amount) of the campaign's promotions.

Voided redemptions do not count. A promotion without a limit gets no entry (= unlimited).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from promoflow_contracts.promotion import CompiledPromotion


@dataclass(frozen=True, slots=True)
class LocalUsage:
    """The store's own usage counts (recorded, not voided redemptions).

    ``pending``: per promotion, redemptions HO had not counted at the document's compile time.
    ``today``: per promotion, redemptions on the current business date.
    ``campaign_count``/``campaign_amount``: per campaign, redemptions and discount + reward.
    """

    pending: Mapping[UUID, int] = field(default_factory=dict)
    today: Mapping[UUID, int] = field(default_factory=dict)
    campaign_count: Mapping[UUID, int] = field(default_factory=dict)
    campaign_amount: Mapping[UUID, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Allowances:
    """What is left per promotion / campaign, in the shape of ``EngineContext``."""

    remaining_uses: dict[UUID, int] = field(default_factory=dict)
    remaining_uses_today: dict[UUID, int] = field(default_factory=dict)
    remaining_uses_customer: dict[UUID, int] = field(default_factory=dict)
    remaining_budget_redemptions: dict[UUID, int] = field(default_factory=dict)
    remaining_budget_amount: dict[UUID, Decimal] = field(default_factory=dict)


def is_limited(promotion: CompiledPromotion) -> bool:
    """True when the store must count uses of ``promotion`` (a limit or a campaign budget)."""
    limits = promotion.limits
    campaign = promotion.campaign
    return (
        limits.max_uses is not None
        or limits.max_uses_per_day is not None
        or limits.max_uses_per_customer is not None
        or (
            campaign is not None
            and (campaign.budget_redemptions is not None or campaign.budget_amount is not None)
        )
    )


def allowances(
    promotions: Iterable[CompiledPromotion],
    usage: LocalUsage,
    customer_uses: Mapping[UUID, int] | None = None,
) -> Allowances:
    """Remaining allowances of ``promotions`` given the store's ``usage``.

    ``customer_uses``: per promotion, how often the cart's customer used it (None = no
    customer on the cart, so per-customer limits are not checked).
    """
    result = Allowances()
    for promotion in promotions:
        pid = promotion.id
        limits = promotion.limits
        if limits.max_uses is not None:
            used = limits.current_uses + usage.pending.get(pid, 0)
            result.remaining_uses[pid] = limits.max_uses - used
        if limits.max_uses_per_day is not None:
            result.remaining_uses_today[pid] = limits.max_uses_per_day - usage.today.get(pid, 0)
        if limits.max_uses_per_customer is not None and customer_uses is not None:
            used = customer_uses.get(pid, 0)
            result.remaining_uses_customer[pid] = limits.max_uses_per_customer - used
        campaign = promotion.campaign
        if campaign is None:
            continue
        cid = campaign.campaign_id
        if campaign.budget_redemptions is not None:
            spent = usage.campaign_count.get(cid, 0)
            result.remaining_budget_redemptions[cid] = campaign.budget_redemptions - spent
        if campaign.budget_amount is not None:
            amount = usage.campaign_amount.get(cid, Decimal(0))
            result.remaining_budget_amount[cid] = campaign.budget_amount - amount
    return result


def customer_limited(promotions: Iterable[CompiledPromotion]) -> list[CompiledPromotion]:
    """The promotions with a per-customer limit."""
    return [p for p in promotions if p.limits.max_uses_per_customer is not None]
