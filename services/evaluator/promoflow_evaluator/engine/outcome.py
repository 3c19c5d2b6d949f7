"""Internal results of checks and calculations, turned into contract models at the very end.

* :class:`Miss`: a promotion does not apply (reason code, readable reason, optional hint).
* :class:`Grant`: what a promotion grants before rounding: a raw total (millionths of a minor
  unit), per-line raw weights for the allocation, an optional cap, the units it used, details.
* :class:`HintDraft`/:class:`OfferDraft`: near misses and free items the customer may add.

Plain classes with an explicit ``__init__``, not dataclasses: made for every candidate of every
cart, and mypyc compiles an explicit ``__init__`` while a dataclass's generated one stays
interpreted (about 40 % of the cost of making one).
"""

from __future__ import annotations

from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode

#: entries a rule keeps in a cross-cart memo of its misses (``rule.misses``) before starting over
MISS_MEMO_LIMIT = 256


class HintDraft:
    """A near miss; money in minor units, ids as ``UUID.int``."""

    __slots__ = (
        "category_id",
        "kind",
        "message",
        "missing_amount",
        "missing_quantity",
        "payment_methods",
        "potential",
        "product_id",
    )

    def __init__(
        self,
        kind: HintKind,
        message: str,
        missing_amount: int | None = None,
        missing_quantity: int | None = None,
        product_id: int | None = None,
        category_id: int | None = None,
        payment_methods: tuple[str, ...] = (),
        potential: int | None = None,
    ) -> None:
        self.kind = kind
        self.message = message
        self.missing_amount = missing_amount
        self.missing_quantity = missing_quantity
        self.product_id = product_id
        self.category_id = category_id
        self.payment_methods = payment_methods
        self.potential = potential


class OfferDraft:
    """A free product the cart earned but does not hold (price in minor units, if known; the
    product id as ``UUID.int``)."""

    __slots__ = ("message", "name", "product_id", "quantity", "unit_price")

    def __init__(
        self, product_id: int, name: str | None, quantity: int, unit_price: int | None, message: str
    ) -> None:
        self.product_id = product_id
        self.name = name
        self.quantity = quantity
        self.unit_price = unit_price
        self.message = message


class Miss:
    """Why a promotion did not apply; ``lost_to`` names the codes that took its place.
    Never changed once made (module-level constants are shared between carts)."""

    __slots__ = ("code", "hint", "lost_to", "offers", "reason")

    def __init__(
        self,
        code: ReasonCode,
        reason: str,
        hint: HintDraft | None = None,
        offers: tuple[OfferDraft, ...] = (),
        lost_to: tuple[str, ...] = (),
    ) -> None:
        self.code = code
        self.reason = reason
        self.hint = hint
        self.offers = offers
        self.lost_to = lost_to

    def without_offers(self) -> Miss:
        """The same miss, its earned free items dropped (the alternative did not win)."""
        if not self.offers:
            return self
        return Miss(self.code, self.reason, self.hint, (), self.lost_to)

    def __repr__(self) -> str:
        return f"Miss({self.code.value!r}, {self.reason!r})"


class Grant:
    """What a promotion grants, before rounding and allocation.

    ``raw`` is the un-rounded total (raw units); ``weights`` maps canonical line index to the
    raw amount that line earned (the allocation is proportional to it); ``cap`` (minor) limits
    the rounded total. ``cashback`` grants are rewards paid after the bill; ``multiplier`` is a
    points multiplier reward. ``trigger``/``benefit`` map line index to units.
    """

    __slots__ = (
        "benefit",
        "cap",
        "cashback_method",
        "details",
        "hint",
        "multiplier",
        "offers",
        "raw",
        "reason",
        "trigger",
        "weights",
    )

    def __init__(
        self,
        raw: int,
        weights: dict[int, int],
        reason: str,
        details: dict[str, Any] | None = None,
        cap: int | None = None,
        trigger: dict[int, int] | None = None,
        benefit: dict[int, int] | None = None,
        cashback_method: str | None = None,
        multiplier: str | None = None,
        offers: list[OfferDraft] | None = None,
        hint: HintDraft | None = None,
    ) -> None:
        self.raw = raw
        self.weights = weights
        self.reason = reason
        self.details: dict[str, Any] = {} if details is None else details
        self.cap = cap
        self.trigger: dict[int, int] = {} if trigger is None else trigger
        self.benefit: dict[int, int] = {} if benefit is None else benefit
        self.cashback_method = cashback_method
        self.multiplier = multiplier
        self.offers: list[OfferDraft] = [] if offers is None else offers
        self.hint = hint


def add_units(target: dict[int, int], units: tuple[tuple[int, int], ...]) -> None:
    """Accumulate ``(line index, units)`` pairs into ``target``."""
    for idx, count in units:
        target[idx] = target.get(idx, 0) + count
