"""Internal results of checks and calculations, turned into contract models at the very end.

* :class:`Miss`: a promotion does not apply (reason code, readable reason, optional hint).
* :class:`Grant`: what a promotion grants before rounding: a raw total (millionths of a minor
  unit), per-line raw weights for the allocation, an optional cap, the units it used, details.
* :class:`HintDraft`/:class:`OfferDraft`: near misses and free items the customer may add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode


@dataclass(slots=True)
class HintDraft:
    """A near miss; money in minor units, ids as ``UUID.int``."""

    kind: HintKind
    message: str
    missing_amount: int | None = None
    missing_quantity: int | None = None
    product_id: int | None = None
    category_id: int | None = None
    payment_methods: tuple[str, ...] = ()
    potential: int | None = None


@dataclass(slots=True)
class OfferDraft:
    """A free product the cart earned but does not hold (price in minor units, if known; the
    product id as ``UUID.int``)."""

    product_id: int
    name: str | None
    quantity: int
    unit_price: int | None
    message: str


@dataclass(slots=True)
class Miss:
    """Why a promotion did not apply; ``lost_to`` names the codes that took its place."""

    code: ReasonCode
    reason: str
    hint: HintDraft | None = None
    offers: tuple[OfferDraft, ...] = ()
    lost_to: tuple[str, ...] = ()


@dataclass(slots=True)
class Grant:
    """What a promotion grants, before rounding and allocation.

    ``raw`` is the un-rounded total (raw units); ``weights`` maps canonical line index to the
    raw amount that line earned (the allocation is proportional to it); ``cap`` (minor) limits
    the rounded total. ``cashback`` grants are rewards paid after the bill; ``multiplier`` is a
    points multiplier reward. ``trigger``/``benefit`` map line index to units.
    """

    raw: int
    weights: dict[int, int]
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    cap: int | None = None
    trigger: dict[int, int] = field(default_factory=dict)
    benefit: dict[int, int] = field(default_factory=dict)
    cashback_method: str | None = None
    multiplier: str | None = None
    offers: list[OfferDraft] = field(default_factory=list)
    hint: HintDraft | None = None


def add_units(target: dict[int, int], units: tuple[tuple[int, int], ...]) -> None:
    """Accumulate ``(line index, units)`` pairs into ``target``."""
    for idx, count in units:
        target[idx] = target.get(idx, 0) + count
