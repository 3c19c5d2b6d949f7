"""Edge sync decisions: version ordering, targeting and withdrawals, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from promoflow_contracts.events import (
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
)
from promoflow_edge_sync.domain.decisions import (
    ANY_VERSION,
    Known,
    Remove,
    Skip,
    StoreIdentity,
    Upsert,
    decide,
    plan,
)
from tests.factories import (
    BRAND_ID,
    COMPANY_ID,
    OTHER_BRAND_ID,
    OTHER_STORE_ID,
    STORE_ID,
    promotion,
    uid,
)

STORE = StoreIdentity(STORE_ID, COMPANY_ID, BRAND_ID)
NOW = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
PROMO_ID = uid("promo-P")


def published(version: int, **targeting: Any) -> PromotionPublished:
    target = {"company_id": str(COMPANY_ID), "stores": [str(STORE_ID)], **targeting}
    doc = promotion("P", version=version, targeting=target)
    return PromotionPublished(
        occurred_at=NOW, producer="compiler/test", data=PromotionPublishedData(promotion=doc)
    )


def withdrawn(version: int) -> PromotionWithdrawn:
    data = PromotionWithdrawnData(promotion_id=PROMO_ID, version=version, reason="deleted")
    return PromotionWithdrawn(occurred_at=NOW, producer="compiler/test", data=data)


def test_a_new_promotion_for_the_store_is_stored() -> None:
    assert isinstance(decide(published(1), Known(), STORE), Upsert)


def test_an_older_or_equal_version_never_overwrites_a_newer_one() -> None:
    assert decide(published(2), Known(stored_version=3), STORE) == Skip(PROMO_ID, "stale")
    assert decide(published(3), Known(stored_version=3), STORE) == Skip(PROMO_ID, "stale")
    assert isinstance(decide(published(4), Known(stored_version=3), STORE), Upsert)


def test_a_version_at_or_below_a_withdrawal_does_not_bring_the_promotion_back() -> None:
    assert decide(published(2), Known(withdrawn_version=2), STORE) == Skip(PROMO_ID, "stale")
    assert isinstance(decide(published(3), Known(withdrawn_version=2), STORE), Upsert)


def test_a_promotion_for_another_store_is_ignored() -> None:
    event = published(1, stores=[str(OTHER_STORE_ID)])
    assert decide(event, Known(), STORE) == Skip(PROMO_ID, "not_for_store")


def test_a_promotion_that_stops_targeting_the_store_is_removed() -> None:
    event = published(2, stores=[str(OTHER_STORE_ID)])
    assert decide(event, Known(stored_version=1), STORE) == Remove(PROMO_ID, 2, "untargeted")


def test_brand_targeting_and_exclusions_follow_the_store_brand() -> None:
    assert isinstance(decide(published(1, brands=[str(BRAND_ID)]), Known(), STORE), Upsert)
    assert isinstance(decide(published(1, brands=[str(OTHER_BRAND_ID)]), Known(), STORE), Skip)
    assert isinstance(decide(published(1, exclude_brands=[str(BRAND_ID)]), Known(), STORE), Skip)
    no_brand = StoreIdentity(STORE_ID)
    assert isinstance(decide(published(1, brands=[str(OTHER_BRAND_ID)]), Known(), no_brand), Upsert)


def test_a_promotion_of_another_company_is_ignored() -> None:
    other = StoreIdentity(STORE_ID, uid("other-company"), BRAND_ID)
    assert isinstance(decide(published(1), Known(), other), Skip)


def test_a_withdrawal_removes_the_same_or_older_version_but_not_a_newer_one() -> None:
    assert decide(withdrawn(3), Known(stored_version=3), STORE) == Remove(PROMO_ID, 3, "deleted")
    assert decide(withdrawn(4), Known(stored_version=3), STORE) == Remove(PROMO_ID, 4, "deleted")
    assert decide(withdrawn(2), Known(stored_version=3), STORE) == Skip(PROMO_ID, "stale")


def test_a_headerless_tombstone_removes_and_is_remembered_at_the_stored_version() -> None:
    action = decide(withdrawn(ANY_VERSION), Known(stored_version=5), STORE)
    assert action == Remove(PROMO_ID, 5, "deleted")


def test_a_withdrawal_of_a_promotion_never_stored_leaves_no_trace() -> None:
    assert decide(withdrawn(1), Known(), STORE) == Skip(PROMO_ID, "not_stored")


def test_a_batch_nets_out_to_the_last_effect_per_promotion() -> None:
    result = plan([published(1), published(2), withdrawn(2), published(3)], {}, STORE)
    assert [type(c) for c in result.changes] == [Upsert]
    assert result.changes[0].promotion.version == 3  # type: ignore[union-attr]
    assert (result.applied, result.skipped) == (4, 0)


def test_replaying_a_batch_over_its_own_result_changes_nothing() -> None:
    events = [published(1), published(2), withdrawn(1)]
    first = plan(events, {}, STORE)
    assert first.changes and first.skipped == 1
    again = plan(events, {PROMO_ID: Known(stored_version=2)}, STORE)
    assert again.changes == () and again.skipped == 3
