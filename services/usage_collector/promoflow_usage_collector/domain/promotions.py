"""What the collector keeps of each promotion: identity for reports, limits for decisions.

Learned from ``promotions.v1`` (compacted): a ``PromotionPublished`` carries the whole compiled
promotion; only a newer ``version`` replaces what is stored. A ``PromotionWithdrawn`` (a
tombstone) marks every stored version up to its own as withdrawn; reports keep its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from promoflow_contracts.events import PromotionPublished, PromotionWithdrawn
from promoflow_contracts.promotion import CompiledPromotion

PromotionEvent = PromotionPublished | PromotionWithdrawn


@dataclass(frozen=True, slots=True)
class KnownPromotion:
    """A promotion's identity and limits as of its latest published ``version``."""

    promotion_id: UUID
    code: str
    name: str
    company_id: UUID
    brand_id: UUID | None
    campaign_id: UUID | None
    max_uses: int | None
    max_uses_per_day: int | None
    max_uses_per_customer: int | None
    version: int

    @classmethod
    def from_compiled(cls, promotion: CompiledPromotion) -> KnownPromotion:
        """Take identity, campaign and limits out of a compiled promotion."""
        return cls(
            promotion_id=promotion.id,
            code=promotion.code,
            name=promotion.name,
            company_id=promotion.company_id,
            brand_id=promotion.brand_id,
            campaign_id=promotion.campaign.campaign_id if promotion.campaign else None,
            max_uses=promotion.limits.max_uses,
            max_uses_per_day=promotion.limits.max_uses_per_day,
            max_uses_per_customer=promotion.limits.max_uses_per_customer,
            version=promotion.version,
        )


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Every stored version of ``promotion_id`` up to ``version`` is withdrawn."""

    promotion_id: UUID
    version: int


def latest_per_promotion(
    events: Iterable[PromotionEvent],
) -> list[KnownPromotion | Withdrawal]:
    """The last event of each promotion in topic order (what a compacted topic keeps).

    Within one partition the topic is ordered per key, so the last event of a key is the one
    that holds; the database still refuses to replace a newer stored version.
    """
    last: dict[UUID, KnownPromotion | Withdrawal] = {}
    for event in events:
        if isinstance(event, PromotionPublished):
            known = KnownPromotion.from_compiled(event.data.promotion)
            last[known.promotion_id] = known
        else:
            last[event.data.promotion_id] = Withdrawal(event.data.promotion_id, event.data.version)
    return [last[key] for key in sorted(last)]
