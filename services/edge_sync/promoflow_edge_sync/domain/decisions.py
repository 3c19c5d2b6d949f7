"""What a promotion event does to the store's copy: upsert, remove, or nothing.

Rules (issue 5, DESIGN.md "edge_sync"):

* A published version is kept only when it targets this store (``targeting.targets_store``),
  its company and brand (``brands``/``exclude_brands``), and is newer than anything the store
  has seen for that promotion: the stored version *and* the version it was withdrawn at. An
  older or equal version never overwrites a newer one, so replaying the topic changes nothing.
* A published version that no longer targets the store removes the stored copy (reason
  ``untargeted``) and is remembered as a withdrawal at that version.
* A withdrawal (tombstone) at version ``v`` removes a stored copy whose version is ``<= v``;
  a newer stored version survives. A tombstone written by a tool without headers carries
  :data:`ANY_VERSION`; it removes whatever is stored and is remembered at the stored version,
  so HO can publish the promotion again later with a higher version.
* Events for promotions the store never held leave no trace (no graveyard for other stores'
  promotions): Kafka keeps per-key order, so an older version cannot arrive after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from promoflow_contracts.events import PromotionPublished, PromotionWithdrawn
from promoflow_contracts.promotion import CompiledPromotion

#: Version a headerless tombstone carries (``promoflow_contracts.topics.from_record``).
ANY_VERSION = 2**31 - 1


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    """The store this edge server serves; ``company_id``/``brand_id`` None = not checked."""

    store_id: UUID
    company_id: UUID | None = None
    brand_id: UUID | None = None

    def targets(self, promotion: CompiledPromotion) -> bool:
        """True when ``promotion`` is meant for this store (store, company and brand)."""
        targeting = promotion.targeting
        if not targeting.targets_store(self.store_id):
            return False
        if self.company_id is not None and targeting.company_id != self.company_id:
            return False
        if self.brand_id is None:
            return True
        if self.brand_id in targeting.exclude_brands:
            return False
        return targeting.brands == "all" or self.brand_id in targeting.brands


@dataclass(frozen=True, slots=True)
class Known:
    """What the store holds about one promotion id: stored and withdrawn versions (or None)."""

    stored_version: int | None = None
    withdrawn_version: int | None = None

    @property
    def latest(self) -> int:
        """The highest version the store has seen for this promotion (0 = none)."""
        return max(self.stored_version or 0, self.withdrawn_version or 0)


@dataclass(frozen=True, slots=True)
class Upsert:
    """Store ``promotion`` (insert or replace the older copy)."""

    promotion: CompiledPromotion

    @property
    def promotion_id(self) -> UUID:
        """The promotion's id."""
        return self.promotion.id


@dataclass(frozen=True, slots=True)
class Remove:
    """Delete the stored copy and remember the withdrawal at ``version``."""

    promotion_id: UUID
    version: int
    reason: str


@dataclass(frozen=True, slots=True)
class Skip:
    """Nothing changes; ``reason`` says why (``stale``, ``not_for_store``, ``not_stored``)."""

    promotion_id: UUID
    reason: str


Action = Upsert | Remove | Skip
PromotionEvent = PromotionPublished | PromotionWithdrawn


def decide(event: PromotionEvent, known: Known, store: StoreIdentity) -> Action:
    """The action ``event`` implies given what the store ``known``s about its promotion."""
    if isinstance(event, PromotionPublished):
        return _published(event.data.promotion, known, store)
    return _withdrawn(event.data.promotion_id, event.data.version, event.data.reason, known)


def _published(promotion: CompiledPromotion, known: Known, store: StoreIdentity) -> Action:
    if promotion.version <= known.latest:
        return Skip(promotion.id, "stale")
    if store.targets(promotion):
        return Upsert(promotion)
    if known.stored_version is not None:
        return Remove(promotion.id, promotion.version, "untargeted")
    return Skip(promotion.id, "not_for_store")


def _withdrawn(promotion_id: UUID, version: int, reason: str, known: Known) -> Action:
    stored = known.stored_version
    if stored is None:
        return Skip(promotion_id, "not_stored")
    if version < stored:
        return Skip(promotion_id, "stale")
    return Remove(promotion_id, stored if version == ANY_VERSION else version, reason)


def after(action: Action, known: Known) -> Known:
    """What the store knows once ``action`` is applied (for several events of one batch)."""
    if isinstance(action, Upsert):
        return Known(action.promotion.version, None)
    if isinstance(action, Remove):
        return Known(None, action.version)
    return known


@dataclass(frozen=True, slots=True)
class Plan:
    """The net effect of a batch of events: the last effective action per promotion id.

    ``changes`` holds only :class:`Upsert` and :class:`Remove` (in first-seen order);
    ``skipped`` counts events that changed nothing.
    """

    changes: tuple[Upsert | Remove, ...]
    applied: int
    skipped: int


def plan(events: list[PromotionEvent], known: dict[UUID, Known], store: StoreIdentity) -> Plan:
    """Decide every event in order, each seeing the effect of the ones before it."""
    state = dict(known)
    final: dict[UUID, Upsert | Remove] = {}
    applied = skipped = 0
    for event in events:
        promotion_id = _promotion_id(event)
        current = state.get(promotion_id, Known())
        action = decide(event, current, store)
        if isinstance(action, Skip):
            skipped += 1
            continue
        applied += 1
        final[promotion_id] = action
        state[promotion_id] = after(action, current)
    return Plan(tuple(final.values()), applied, skipped)


def _promotion_id(event: PromotionEvent) -> UUID:
    if isinstance(event, PromotionPublished):
        return event.data.promotion.id
    return event.data.promotion_id
