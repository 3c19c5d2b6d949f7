"""The collector's table of known promotions (``usage.promotions``), fed by ``promotions.v1``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from uuid import UUID

from sqlalchemy import Connection, text

from promoflow_usage_collector.domain.promotions import KnownPromotion, Withdrawal

_UPSERT = text(
    """
    INSERT INTO usage.promotions AS t (promotion_id, code, name, company_id, brand_id,
        campaign_id, max_uses, max_uses_per_day, max_uses_per_customer, version, withdrawn)
    VALUES (:promotion_id, :code, :name, :company_id, :brand_id, :campaign_id, :max_uses,
        :max_uses_per_day, :max_uses_per_customer, :version, false)
    ON CONFLICT (promotion_id) DO UPDATE SET
        code = EXCLUDED.code, name = EXCLUDED.name, company_id = EXCLUDED.company_id,
        brand_id = EXCLUDED.brand_id, campaign_id = EXCLUDED.campaign_id,
        max_uses = EXCLUDED.max_uses, max_uses_per_day = EXCLUDED.max_uses_per_day,
        max_uses_per_customer = EXCLUDED.max_uses_per_customer, version = EXCLUDED.version,
        withdrawn = false, updated_at = now()
    WHERE t.version < EXCLUDED.version
    """
)

_WITHDRAW = text(
    """
    UPDATE usage.promotions SET withdrawn = true, updated_at = now()
    WHERE promotion_id = :promotion_id AND version <= :version AND NOT withdrawn
    """
)


def apply_promotion_changes(
    conn: Connection, changes: Sequence[KnownPromotion | Withdrawal]
) -> None:
    """Store newer published versions and mark withdrawals (older versions change nothing).

    ``changes`` should be sorted by promotion id (lock order).
    """
    published = [asdict(c) for c in changes if isinstance(c, KnownPromotion)]
    withdrawn = [asdict(c) for c in changes if isinstance(c, Withdrawal)]
    if published:
        conn.execute(_UPSERT, published)
    if withdrawn:
        conn.execute(_WITHDRAW, withdrawn)


def lock_promotion_limits(
    conn: Connection, ids: Iterable[UUID]
) -> dict[UUID, tuple[int | None, int | None, UUID | None]]:
    """``(max_uses, max_uses_per_day, campaign_id)`` of the known promotions among ``ids``,
    locked ``FOR UPDATE`` until commit: the lock serialises every limit decision of a
    promotion (see :mod:`promoflow_usage_collector.limits_service`)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(
        text(
            "SELECT promotion_id, max_uses, max_uses_per_day, campaign_id FROM usage.promotions "
            "WHERE promotion_id = ANY(CAST(:ids AS uuid[])) ORDER BY promotion_id FOR UPDATE"
        ),
        {"ids": wanted},
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}
