"""Resolving a promotion's store targeting to store ids.

Rule (chosen and documented here): ``stores = "all"`` without ``store_brand_ids`` compiles to
``"all"``: the promotion is for every store of the company, *including stores opened later*
(a new store gets it from the compacted topic or the sync API without a republish; the edge
also checks ``targeting.company_id``). Anything narrower (an explicit list, or a brand filter)
compiles to the sorted ids of the *active* matching stores at compile time; when a store is
added, changed or deactivated, the compiler recompiles the company's promotions with such
targeting and republishes those whose document changed, so a new store serving a targeted
brand starts receiving them. An explicit list never grows by itself.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from promoflow_compiler.domain.master import MasterData, Store
from promoflow_compiler.domain.spec import TargetingSpec

ALL: Literal["all"] = "all"


def targeted_stores(targeting: TargetingSpec, master: MasterData) -> list[Store]:
    """The active stores ``targeting`` reaches today, sorted by id string."""
    if targeting.stores == ALL:
        candidates = master.active_stores()
    else:
        company = master.company.id
        listed = (master.stores.get(i) for i in set(targeting.stores))
        candidates = sorted(
            (s for s in listed if s is not None and s.is_active and s.company_id == company),
            key=lambda s: str(s.id),
        )
    if targeting.store_brand_ids:
        brands = set(targeting.store_brand_ids)
        candidates = [s for s in candidates if s.brand_ids & brands]
    return candidates


def resolve_stores(targeting: TargetingSpec, master: MasterData) -> Literal["all"] | list[UUID]:
    """``"all"`` for every store of the company (now and later), else sorted store ids."""
    if targeting.stores == ALL and not targeting.store_brand_ids:
        return ALL
    return [s.id for s in targeted_stores(targeting, master)]


def depends_on_store_set(targeting: TargetingSpec) -> bool:
    """True when the compiled store list changes as stores are added or changed."""
    return targeting.stores != ALL or bool(targeting.store_brand_ids)
